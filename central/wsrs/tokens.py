"""The WS RS account BPJS uses, and the tokens it trades its password for.

BPJS's Mobile JKN back end calls ``GET …/token`` with the headers ``x-username``
and ``x-password`` (the account the hospital gave BPJS: ``ws_rs_username`` and
``ws_rs_password`` in the ``[bpjs]`` section of the integrations file, read by
:mod:`central.integrations.config`), gets a
token, then sends ``x-token`` and ``x-username`` on every other call
(docs/bpjs-wsrs.md).

**A token is signed, not stored**, so any server process answers it, whichever
one issued it::

    token = b64url(payload) "." b64url(HMAC-SHA256(key, b64url(payload)))
    payload = {"u": username, "exp": expiry in epoch milliseconds}
    key = HMAC-SHA256(secret, "ws-rs-token\\0" + password)

``secret`` is 32 random bytes kept in the database (``server_secrets`` row
:data:`TOKEN_SECRET`, made by the first process), so every process and restart
signs alike. The password is in the key: changing it in the integrations file
voids every token issued before. Base64url without padding; compared in
constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "MAX_TOKEN_CHARS",
    "TOKEN_SECRET",
    "TOKEN_TTL_MS",
    "TokenRefusal",
    "WsRsAccount",
    "issue",
    "password_matches",
    "verify",
]

#: The ``server_secrets`` row whose bytes sign tokens.
TOKEN_SECRET = "ws-rs-token-key"  # noqa: S105 - the row name, not the key
#: How long a token is good for: an hour (BPJS asks for a new one when refused).
TOKEN_TTL_MS = 3600 * 1000
#: A token longer than this is refused before any decoding.
MAX_TOKEN_CHARS = 512
#: The longest username and password read from headers.
MAX_CREDENTIAL_CHARS = 128


@dataclass(frozen=True)
class WsRsAccount:
    """The account BPJS presents; the password never in ``repr`` or logs."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.username or not self.password:
            raise ValueError("the WS RS username and password must not be empty")
        if len(self.username) > MAX_CREDENTIAL_CHARS or len(self.password) > MAX_CREDENTIAL_CHARS:
            raise ValueError(
                f"the WS RS username and password have at most {MAX_CREDENTIAL_CHARS} characters"
            )


class TokenRefusal(StrEnum):
    """Why a call's ``x-token`` is not accepted (the answer's message says it in words)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    EXPIRED = "expired"
    WRONG_USER = "wrong_user"


def _key(secret: bytes, account: WsRsAccount) -> bytes:
    return hmac.new(secret, b"ws-rs-token\0" + account.password.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(secret: bytes, account: WsRsAccount, *, now_ms: int, ttl_ms: int = TOKEN_TTL_MS) -> str:
    """A token for ``account``, good until ``now_ms + ttl_ms``."""
    payload = _b64(
        json.dumps({"u": account.username, "exp": now_ms + ttl_ms}, separators=(",", ":")).encode()
    )
    mac = hmac.new(_key(secret, account), payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(
    secret: bytes, account: WsRsAccount, token: str | None, username: str | None, *, now_ms: int
) -> TokenRefusal | None:
    """``None`` when ``token`` is good for ``username`` at ``now_ms``, else why not.

    The signature is checked first: a token not signed with this account's key
    (another password, tampered, made up) is ``malformed`` whatever it says.
    """
    if not token or not username:
        return TokenRefusal.MISSING
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1 or not token.isascii():
        return TokenRefusal.MALFORMED
    payload, _, mac_text = token.partition(".")
    expected = hmac.new(_key(secret, account), payload.encode("ascii"), hashlib.sha256).digest()
    try:
        mac = _unb64(mac_text)
        claims = json.loads(_unb64(payload))
    except (binascii.Error, ValueError):
        return TokenRefusal.MALFORMED
    if not hmac.compare_digest(mac, expected):
        return TokenRefusal.MALFORMED
    if not isinstance(claims, dict):
        return TokenRefusal.MALFORMED
    user, expiry = claims.get("u"), claims.get("exp")
    if not isinstance(user, str) or not isinstance(expiry, int) or isinstance(expiry, bool):
        return TokenRefusal.MALFORMED
    if not hmac.compare_digest(user.encode(), username.encode()) or user != account.username:
        return TokenRefusal.WRONG_USER
    if expiry <= now_ms:
        return TokenRefusal.EXPIRED
    return None


def password_matches(account: WsRsAccount, username: str | None, password: str | None) -> bool:
    """Whether the headers name this account; both compared in constant time."""
    if username is None or password is None:
        return False
    if len(username) > MAX_CREDENTIAL_CHARS or len(password) > MAX_CREDENTIAL_CHARS:
        return False
    user_ok = hmac.compare_digest(username.encode(), account.username.encode())
    password_ok = hmac.compare_digest(password.encode(), account.password.encode())
    return user_ok and password_ok
