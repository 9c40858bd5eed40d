"""The operator's PIN: stored as a salted scrypt hash, guarded against guessing.

The configuration holds ``operator.pin_hash`` in one string,
``scrypt$N$r$p$SALT$HASH`` (salt and hash in unpadded URL-safe base64), made by
``kiosk operator-pin``. :func:`verify_pin` costs ~50 ms of CPU on purpose: call
it off the GUI thread. :class:`PinGuard` counts wrong PINs and locks the panel
for a growing delay after every :data:`MAX_TRIES` of them. Logs say how many
tries failed and for how long the panel is locked, never the PIN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from kiosk.errors import PinFormatError

log = logging.getLogger(__name__)

SCHEME = "scrypt"
#: scrypt cost: 2**14 x 8 blocks is 16 MiB of memory and ~50 ms of CPU per try.
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1
#: Parameters a stored hash may ask for: higher would let a bad config stall the kiosk.
MAX_N, MAX_R, MAX_P = 2**17, 16, 4
HASH_BYTES = 32
SALT_BYTES = 16
PIN_DIGITS = (4, 12)
#: Wrong PINs before the panel locks.
MAX_TRIES = 5
#: The first lockout; each further one doubles, up to :data:`MAX_LOCKOUT_S`.
FIRST_LOCKOUT_S = 30.0
MAX_LOCKOUT_S = 900.0


def check_pin_format(pin: str) -> None:
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise PinFormatError(f"a PIN is {low} to {high} digits")


def hash_pin(pin: str, *, salt: bytes | None = None, n: int = DEFAULT_N) -> str:
    """The string to put in ``operator.pin_hash`` for ``pin``."""
    check_pin_format(pin)
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, n, DEFAULT_R, DEFAULT_P)
    return "$".join((SCHEME, str(n), str(DEFAULT_R), str(DEFAULT_P), _b64(salt), _b64(digest)))


def check_pin_hash(stored: str) -> None:
    """Raise :class:`PinFormatError` if ``stored`` is not a usable PIN hash."""
    _parse(stored)


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches ``stored`` (constant-time compare; ~50 ms)."""
    n, r, p, salt, digest = _parse(stored)
    if not (pin.isascii() and pin.isdigit()):
        return False
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p, len(digest)), digest)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int = HASH_BYTES) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * 1024 * 1024
    )


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PinFormatError("a PIN hash reads scrypt$N$r$p$SALT$HASH (see kiosk operator-pin)")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise PinFormatError("the PIN hash's numbers or base64 parts are garbled") from None
    if n < 2 or n & (n - 1) or n > MAX_N or not 1 <= r <= MAX_R or not 1 <= p <= MAX_P:
        raise PinFormatError("the PIN hash's scrypt parameters are out of range")
    if len(salt) < 8 or len(digest) < 16:
        raise PinFormatError("the PIN hash's salt or hash is too short")
    return n, r, p, salt, digest


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise PinFormatError("the PIN hash is not base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PinOutcome(StrEnum):
    """What one PIN entry led to."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    #: No PIN is configured: the panel stays closed.
    DISABLED = "disabled"


@dataclass(frozen=True)
class PinVerdict:
    """What one PIN entry led to."""

    outcome: PinOutcome
    #: Wrong PINs left before the next lockout (``wrong``).
    tries_left: int = 0
    #: Seconds until another try is allowed (``locked``, also right after the last wrong one).
    locked_s: float = 0.0


class PinGuard:
    """Counts wrong PINs and locks for a growing delay. GUI thread only.

    Use: :meth:`locked_for` before hashing an entry; :func:`verify_pin` off
    the GUI thread; then :meth:`record` with its answer. ``clock`` is
    monotonic seconds (injected: tests move it).
    """

    def __init__(self, pin_hash: str, clock: Callable[[], float]) -> None:
        self.pin_hash = pin_hash
        self._clock = clock
        self._failures = 0  # since the last success or lockout
        self._lockouts = 0  # since the last success
        self._locked_until = 0.0

    @property
    def enabled(self) -> bool:
        return bool(self.pin_hash)

    def locked_for(self) -> float:
        return max(0.0, self._locked_until - self._clock())

    def record(self, matched: bool) -> PinVerdict:
        if not self.enabled:
            return PinVerdict(PinOutcome.DISABLED)
        left = self.locked_for()
        if left > 0:  # an entry that raced the lockout does not count
            return PinVerdict(PinOutcome.LOCKED, locked_s=left)
        if matched:
            if self._failures or self._lockouts:
                log.info("operator PIN accepted after %d wrong tries", self._failures)
            self._failures = self._lockouts = 0
            log.info("operator panel opened")
            return PinVerdict(PinOutcome.OK)
        self._failures += 1
        if self._failures < MAX_TRIES:
            log.warning("operator PIN wrong (%d of %d tries)", self._failures, MAX_TRIES)
            return PinVerdict(PinOutcome.WRONG, tries_left=MAX_TRIES - self._failures)
        delay = min(MAX_LOCKOUT_S, FIRST_LOCKOUT_S * 2**self._lockouts)
        self._lockouts += 1
        self._failures = 0
        self._locked_until = self._clock() + delay
        log.warning(
            "operator panel locked for %.0f s after %d wrong PINs (lockout %d)",
            delay,
            MAX_TRIES,
            self._lockouts,
        )
        return PinVerdict(PinOutcome.LOCKED, locked_s=delay)
