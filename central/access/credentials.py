"""Secrets the central server hands out or checks: tokens, enrolment codes, passwords.

**Bearer tokens** (kiosks and staff) are 256 random bits, shown once and
stored as their SHA-256. A slow password hash would add nothing: nobody can
guess 2^256 values, so the fast hash only makes a stolen table useless, and a
lookup by hash is one indexed query per request. The prefix says the kind
(``ak_`` kiosk, ``as_`` staff, ``bd_`` display board), so a wrong kind is told apart from a wrong
token (403, not 401) without a second query.

**Enrolment codes** are typed by an operator at the kiosk: 16 characters of
Crockford base32 in groups of four (80 bits), single use, expiring. Also
stored as SHA-256, after normalising case, dashes and the letters people
confuse (O→0, I/L→1).

**Staff passwords** are people's choices, so they get a slow, salted hash:
``hashlib.scrypt`` (N=2^15, r=8, p=1: 32 MiB and ~60 ms), stored as
``scrypt$15$8$1$<salt b64>$<hash b64>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from enum import StrEnum

KIOSK_PREFIX = "ak_"
STAFF_PREFIX = "as_"
BOARD_PREFIX = "bd_"
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_CODE_GROUPS, _CODE_GROUP_LEN = 4, 4
_SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P = 15, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024
#: Compared against when the user does not exist, so timing does not tell.
_DUMMY_HASH: str | None = None


class TokenKind(StrEnum):
    KIOSK = "kiosk"
    STAFF = "staff"
    BOARD = "board"


_PREFIXES = {
    TokenKind.KIOSK: KIOSK_PREFIX,
    TokenKind.STAFF: STAFF_PREFIX,
    TokenKind.BOARD: BOARD_PREFIX,
}


def new_token(kind: TokenKind) -> str:
    return _PREFIXES[kind] + secrets.token_urlsafe(32)


def token_kind(token: str) -> TokenKind | None:
    """The kind a token's prefix claims (``None``: not one of ours)."""
    for kind, prefix in _PREFIXES.items():
        if token.startswith(prefix):
            return kind
    return None


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_enrolment_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUPS * _CODE_GROUP_LEN))
    return "-".join(chars[i : i + _CODE_GROUP_LEN] for i in range(0, len(chars), _CODE_GROUP_LEN))


def normalise_code(code: str) -> str:
    """Upper case, no spaces or dashes, and O/I/L read as 0/1 (Crockford)."""
    cleaned = "".join(c for c in code.upper() if c not in " -\t")
    return cleaned.translate(str.maketrans("OIL", "011"))


def code_hash(code: str) -> str:
    return sha256_hex(normalise_code(code))


def hash_password(password: str, *, log_n: int = _SCRYPT_LOG_N) -> str:
    """``password``'s salted scrypt hash, its parameters written in it.

    ``log_n`` is the cost (N = 2^log_n). Every account the centre makes is hashed at
    the default; :func:`verify_password` reads the cost back from the stored hash, so
    the test accounts a test suite writes straight into the database may be hashed
    cheaper (testkit/centre_accounts.py).
    """
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, log_n, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        (
            "scrypt",
            str(log_n),
            str(_SCRYPT_R),
            str(_SCRYPT_P),
            base64.b64encode(salt).decode("ascii"),
            base64.b64encode(digest).decode("ascii"),
        )
    )


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; with ``None`` it still takes the time."""
    global _DUMMY_HASH
    if stored is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
        verify_password(password, _DUMMY_HASH)
        return False
    try:
        scheme, log_n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = _scrypt(password, salt, int(log_n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


def keyed_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of ``kind:value``: the audit's stand-in for a NIK, card number or UID."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _scrypt(password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=2**log_n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
