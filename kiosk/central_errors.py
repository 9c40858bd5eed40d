"""Everything :mod:`kiosk.central_client` raises, in one place.

::

    CentralError                  catch this to handle any sync failure
    ├── CentralUnavailable        no answer: refused, reset, timed out, 5xx, 429
    │                             (transient: try again later, work offline)
    └── CentralProtocolError      an answer the kiosk cannot use: not HTTP,
                                  not JSON, not an object, unexpected status
                                  (a misconfigured URL or an incompatible
                                  server; retrying soon will not help)

No exception from ``requests`` (or ``ValueError`` from decoding a body)
ever leaves the client; each becomes one of these, with the original as
``__cause__``. Messages name the URL and the reason, never request data.
"""

from __future__ import annotations

__all__ = ["CentralError", "CentralProtocolError", "CentralUnavailable"]


class CentralError(Exception):
    """Talking to the central server failed.

    ``status`` is the HTTP status when the server answered with one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CentralUnavailable(CentralError):
    """The central server could not be reached or is temporarily failing."""


class CentralProtocolError(CentralError):
    """The central server answered something the kiosk does not understand."""
