"""CSRF tokens for the office's forms, and the cookies they are tied to.

A logged-in page's token is an HMAC of its session (the staff token in the
``anjungan_staff`` cookie) under a key derived from the centre's audit key,
so every server process computes the same token and none is stored. Before
login (the login form itself) the token is a random value also set as the
``anjungan_csrf`` cookie: the form must send back what the cookie holds
(double submit). Either way a page on another site cannot read the value,
and the session cookie is ``SameSite=Strict`` besides.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from fastapi import Request

from central.api.deps import get_context

SESSION_COOKIE = "anjungan_staff"
CSRF_COOKIE = "anjungan_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
#: The form of the ``anjungan_csrf`` cookie this centre sets (32 random bytes, base64url):
#: any other value (set by someone else, e.g. from a sibling domain) is replaced, never used.
_OURS = re.compile(r"[A-Za-z0-9_-]{43}")


def _session_token(request: Request, session: str) -> str:
    key = hmac.new(get_context(request).audit_key, b"anjungan web csrf", "sha256").digest()
    digest = hashlib.sha256(session.encode("utf-8")).digest()
    return hmac.new(key, digest, "sha256").hexdigest()


def token_for(request: Request) -> tuple[str, str | None]:
    """The token a page carries, and a value for the ``anjungan_csrf`` cookie to set (or None)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return _session_token(request, session), None
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if _OURS.fullmatch(cookie):
        return cookie, None
    fresh = secrets.token_urlsafe(32)
    return fresh, fresh


def token_matches(request: Request, sent: str | None) -> bool:
    """Whether ``sent`` is the token of this request's session (or its ``anjungan_csrf`` cookie)."""
    if not sent or len(sent) > 200:
        return False
    session = request.cookies.get(SESSION_COOKIE)
    expected = _session_token(request, session) if session else request.cookies.get(CSRF_COOKIE)
    if not expected or (not session and not _OURS.fullmatch(expected)):
        return False
    return hmac.compare_digest(expected.encode("ascii", "replace"), sent.encode("ascii", "replace"))


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site (``Origin``).

    This site is the ``Host`` the request came to (a proxy should pass it on:
    ``proxy_set_header Host $host``), or the configured ``--public-url``.
    """
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    if origin.split("://", 1)[-1] == request.headers.get("host", ""):
        return True
    public = get_context(request).settings.public_url
    return public is not None and origin == public.rstrip("/")
