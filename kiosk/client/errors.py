"""Everything :mod:`kiosk.client.client` raises, in one place.

::

    CentralError                  catch this to handle any sync failure
    ├── CentralUnavailable        no answer: refused, reset, timed out, 5xx, 429
    │                             (transient: try again later, work offline)
    │                             ``retry_after_s``: the server's Retry-After
    ├── CentralAuthError          401 or 403: no token, a revoked one, a used
    │                             or expired enrolment code (an operator must
    │                             act: a new code; retrying will not help)
    └── CentralProtocolError      an answer the kiosk cannot use: not HTTP,
        │                         not JSON, not an object, unexpected status
        │                         (a misconfigured URL or an incompatible
        │                         server; retrying soon will not help)
        └── CentralRefused        a 4xx the server explained (``code``: e.g.
                                  ``unknown_service``, ``conflict``): this
                                  request will never succeed as it is

No exception from ``requests``, from decoding a body (``ValueError``,
``RecursionError``, ...) or from checking an answer's fields ever leaves the
client; each becomes one of these, with the original as ``__cause__``, but for
the transport's: its cause is a :class:`TransportFault` naming the original's
kinds and words, a secret of the path cut, and the original is dropped (it keeps
the request, whose URL may hold a booking's code or a ticket's id, and its words
may quote it: a traceback or an error reporter would print them whole). A call
past its total deadline is ``CentralUnavailable`` ("timed out after N s"); an
answer past its size cap, ``CentralProtocolError`` ("answer larger than N
bytes"); a certificate that does not verify, ``CentralUnavailable`` naming
``central.ca_bundle``. Messages name the URL and the reason, never request data.
:func:`is_garbled` and :func:`is_untrusted` are the client's helpers for
telling them apart.

Inside the client, never leaving it (each becomes a ``CentralProtocolError``)::

    AnswerError (ValueError)      an answer's field missing or of the wrong type
    BadJSON (ValueError)          a body that is not one strict JSON value
    AnswerTooLarge                a body past its size cap

Below a transport's failure, as its ``__cause__`` (never raised alone)::

    TransportFault                what the HTTP library raised, by its kinds and
                                  words, a secret of the path shown cut
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

__all__ = [
    "CentralAuthError",
    "CentralError",
    "CentralProtocolError",
    "CentralRefused",
    "CentralUnavailable",
]


class CentralError(Exception):
    """Talking to the central server failed.

    ``status`` is the HTTP status when the server answered with one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CentralUnavailable(CentralError):
    """The central server could not be reached or is temporarily failing.

    ``retry_after_s`` is the server's ``Retry-After`` (429, 503) in seconds, if it sent one.
    ``code`` is the server's error code when it answered with one (a 429's
    ``too_many_attempts``, ``too_many_lookups`` or ``rate_limited``), else "".
    ``timed_out``: the call waited out its whole deadline (a silent or dripping
    centre), so another call now would most likely wait out its own.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        timed_out: bool = False,
        code: str = "",
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after_s = retry_after_s
        self.timed_out = timed_out
        self.code = code


class CentralProtocolError(CentralError):
    """The central server answered something the kiosk does not understand."""


class CentralRefused(CentralProtocolError):
    """The server understood the request and refused it for good (a 4xx with a code).

    ``code`` is the server's error code (``unknown_service``, ``conflict``,
    ``validation_failed``, ...), "" if it gave none; ``detail`` its reason for
    people ("Bahasa / English", :func:`~kiosk.client.strict_json.error_detail`),
    "" if it gave none. Neither goes into the message (a log line).
    """

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", detail: str = ""
    ) -> None:
        super().__init__(message, status=status)
        self.code = code
        self.detail = detail


class CentralAuthError(CentralError):
    """The central server refused the kiosk's credentials (401) or their kind (403).

    ``code`` is the server's error code when it sent one (``unauthenticated``,
    ``enrolment_code_used``, ``enrolment_code_expired``, ...).
    """

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message, status=status)
        self.code = code


class AnswerError(ValueError):
    """An answer whose fields are missing or of the wrong type (the client raises
    :class:`CentralProtocolError` from it)."""


class BadJSON(ValueError):
    """The bytes are not one strict JSON value (the reason says why, without the data)."""


class AnswerTooLarge(Exception):
    """The answer is bigger than its cap (declared or read); ``cap`` is the limit in bytes."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"answer larger than {cap} bytes")
        self.cap = cap


class TransportFault(Exception):
    """What the HTTP library raised under a client's error, as a traceback may show it:
    the kinds of the exception and of those it wraps (``ConnectionError ← MaxRetryError
    ← NewConnectionError``) and its words, with a secret of the request's path cut. It
    stands in for the original, which holds the URL sent whole."""


class TrustUnusable(Exception):
    """The TLS trust (the system's authorities and ``central.ca_bundle``) cannot be
    loaded: a fault of this kiosk's files, not of the centre's answer."""


def retry_after_s(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to str.isdigit, not to float
        return float(value)
    import email.utils  # with http.client, loaded when an answer needs it, not at start

    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def is_garbled(exc: BaseException) -> bool:
    """Whether a transport error means the peer spoke something other than HTTP.

    A connection that was dropped (reset, closed before a status line, cut
    short mid-body) is an outage; a status line, header or chunk that cannot
    be parsed is a protocol problem.
    """
    import http.client

    import urllib3.exceptions

    for cause in causes(exc):
        if isinstance(cause, urllib3.exceptions.InvalidChunkLength):
            return True
        if isinstance(cause, http.client.RemoteDisconnected | http.client.IncompleteRead):
            return False
        if isinstance(cause, http.client.HTTPException):
            return True
    return False


def is_dropped(exc: BaseException) -> bool:
    """Whether a transport error means the connection was closed under the request (reset,
    aborted, broken, or ended before a status line), and is no timeout."""
    import requests

    if not isinstance(exc, requests.ConnectionError) or isinstance(exc, requests.Timeout):
        return False
    closed = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
    # http.client's RemoteDisconnected (no status line) is a ConnectionResetError
    return any(isinstance(cause, closed) for cause in causes(exc))


def is_untrusted(exc: BaseException) -> bool:
    """Whether a TLS error means the server's certificate did not verify."""
    import ssl

    return any(isinstance(cause, ssl.SSLCertVerificationError) for cause in causes(exc))


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: ``__cause__``/``__context__`` and exception args."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [a for a in current.args if isinstance(a, BaseException)]
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
