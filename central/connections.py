"""Deadlines for a request to arrive: a slow or stalled client is dropped, not waited for.

uvicorn closes a keep-alive connection that sits idle after a response, but
nothing bounds how long a client may take to *send* a request: a client that
opens connections, sends half the headers (or drips a body a byte at a
time) and stalls holds each connection, and its memory, for ever.

:func:`deadline_protocol` makes uvicorn's h11 protocol with two total
deadlines per request, whatever the client's pace:

* **headers**: from the connection's opening (or the end of its previous
  response) until the request's headers are in, ``header_timeout_s``;
* **body**: from the headers until the whole body is in, ``body_timeout_s``.

Past either, the connection is closed at once (nothing is answered: the
request never arrived) and one line is logged. The time the app takes to
answer is not counted. Together with uvicorn's ``limit_concurrency`` (503
beyond that many open connections) this bounds what stalled clients can hold.
"""

from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_log = logging.getLogger("uvicorn.error")


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request is late to arrive."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0

    _deadline: asyncio.TimerHandle | None = None
    #: What the running deadline waits for: "headers", "body" or None.
    _waiting_for: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._track()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._track()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._track()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _track(self) -> None:
        """Start, keep or stop the deadline after whatever just happened on the connection."""
        if self.transport.is_closing():
            self._stop_deadline()
            return
        state = self.conn.their_state
        waiting_for = "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None
        if waiting_for == self._waiting_for:
            return  # a total deadline: more bytes of the same part do not extend it
        self._stop_deadline()
        self._waiting_for = waiting_for
        if waiting_for is not None:
            seconds = self.header_timeout_s if waiting_for == "headers" else self.body_timeout_s
            self._deadline = self.loop.call_later(seconds, self._expired, waiting_for, seconds)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._waiting_for = None

    def _expired(self, waiting_for: str, seconds: float) -> None:
        self._deadline = None
        _log.warning(
            "closed a connection: the request's %s did not arrive within %g s", waiting_for, seconds
        )
        # abort, not close: close would wait to flush anything unsent to a client
        # that may not be reading either.
        self.transport.abort()


def deadline_protocol(header_timeout_s: float, body_timeout_s: float) -> type[DeadlineH11Protocol]:
    """The protocol class to give ``uvicorn.Config(http=…)``, with these deadlines."""

    class ConfiguredDeadlineProtocol(DeadlineH11Protocol):
        pass

    ConfiguredDeadlineProtocol.header_timeout_s = header_timeout_s
    ConfiguredDeadlineProtocol.body_timeout_s = body_timeout_s
    return ConfiguredDeadlineProtocol
