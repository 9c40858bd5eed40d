r"""Every error :mod:`cardio` raises, in one place.

Each error of a card being read carries a machine-readable :class:`Reason` so
the session state machine and the CLI can map it to a message without parsing
text. The two errors of issuing cards (:class:`IssueError`, :class:`CardImageError`)
are :class:`ValueError`\ s whose message names the field: they reach a person
at the command line, not the session; the emulators' :class:`EmulatorPortInUse`
is an :class:`OSError`, as the busy port it reports; :class:`ReaderConfigError`, an
unknown reader backend, is a :class:`ValueError`, as any configuration mistake.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a card could not be used. Values are stable: the CLI prints them."""

    SERVICE_UNAVAILABLE = "service_unavailable"
    READER_UNAVAILABLE = "reader_unavailable"
    REMOVED_DURING_READ = "removed_during_read"
    UNSUPPORTED_CARD = "unsupported_card"
    MALFORMED = "malformed"
    TIMEOUT = "timeout"
    # The card was read, but the kiosk refuses what it says (CardRejected).
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_ISSUER = "unknown_issuer"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    CLONE_SUSPECTED = "clone_suspected"
    NIK_MISMATCH = "nik_mismatch"


class CardError(Exception):
    """Base of every error raised by :mod:`cardio`."""

    reason: Reason = Reason.MALFORMED

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason.value)
        self.detail = detail


class CardServiceUnavailable(CardError):
    """The card service (pcscd, libusb) is not running or not reachable."""

    reason = Reason.SERVICE_UNAVAILABLE


class ReaderUnavailable(CardError):
    """The reader asked for is not connected (unplugged, never present)."""

    reason = Reason.READER_UNAVAILABLE


class CardRemovedDuringRead(CardError):
    """The card left the field before the read finished, or (an NFC tag) stopped
    answering part-way through its message while it lay on the reader: a read cut
    short, which another tap may complete."""

    reason = Reason.REMOVED_DURING_READ


class UnsupportedCard(CardError):
    """The card answered, but not as any card format we know."""

    reason = Reason.UNSUPPORTED_CARD


class CardRejected(CardError):
    """The card answered, and the kiosk refuses what it says.

    ``reason`` says why: a signature that does not verify, an issuer not on the
    trust list, a card outside its validity period or revoked, a card that could
    not prove it holds its own key (a copy), a NIK that contradicts the other
    claims, or data that does not decode at all (:class:`MalformedCard`).
    """

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        super().__init__(detail)


class MalformedCard(CardRejected):
    """The card's data is truncated, undecodable, or has an invalid field."""

    reason = Reason.MALFORMED

    def __init__(self, detail: str = "") -> None:
        super().__init__(Reason.MALFORMED, detail)


class CardTimeout(CardError):
    """The card or reader did not answer within the configured time."""

    reason = Reason.TIMEOUT


class EmulatorPortInUse(OSError):
    """Another process or emulator already listens on the emulator's UDP port."""


class ReaderConfigError(ValueError):
    """No reader can be built as configured (an unknown backend name)."""


class IssueError(ValueError):
    """The claims, key or dates cannot make a valid card; the message says why."""


class CardImageError(ValueError):
    """A card image file that cannot be used; the message names the field."""
