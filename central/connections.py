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

That global cap alone lets one host hold every slot by opening connections
again and again, so each peer address may hold at most ``per_address_max``
open connections; a connection beyond it is closed at once, before a byte
is read (one log line when an address reaches its cap). Peers named as
trusted proxies are exempt: every client behind a proxy comes from its
address, and the proxy (which sees the clients) is where to limit them.

A request h11 cannot read (a broken request line or header, a head still
unfinished past h11's 16 KiB, a chunked body that breaks off its chunks) never
reaches the app, or reaches it only up to the fault: uvicorn answers it itself, and
its own answer is plain text. :meth:`DeadlineH11Protocol.send_400_response`,
the method uvicorn's protocol calls for it, answers the centre's error body
instead (``400 bad_request``, docs/central-api.md, "Errors"), saying which part
could not be read: the head, the body, or what came after the previous request's
body on the connection (a body longer than its ``Content-Length`` runs on into
where the next request should begin). Nothing of the request is repeated. uvicorn
has logged the warning "Invalid HTTP request received." already. The 400 is the
one answer: a route that has not answered yet is told its client is gone, as when
a connection is lost. A body found broken after the app's answer has begun gets no
second answer: the connection is closed.

Some heads h11 reads are still refused: one larger than 16 KiB however it arrives,
one with a control character in a header's value, one that frames its body two ways;
and a chunked body whose chunk-size line is longer than 4 KiB, or whose trailer
section is larger than 16 KiB (:mod:`central.request_heads`, whose connection class the
protocol takes instead of h11's). They are answered in the same way (the error body,
the connection closed) by :meth:`DeadlineH11Protocol._refuse`, with one line logged;
the heads never reach the app, and a body's line is refused while its route reads it.
The protocol refuses one more for a reason of its own: beyond ``limit_concurrency``
open connections, ``503 service_unavailable`` with ``Retry-After``
(:data:`OVERLOADED`), where uvicorn would answer in plain text; uvicorn's own check,
the same, comes after it and is never met.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from central.request_heads import (
    MAX_HEAD_BYTES,
    TOO_LARGE,
    Framing,
    Refusal,
    ScreenedConnection,
)

_log = logging.getLogger("uvicorn.error")

#: What a request h11 cannot read is answered (central/app.py's error body), by the part
#: that could not be read. The head: its request line or a header.
BAD_HEAD_BODY = {
    "error": "bad_request",
    "detail": "Permintaan HTTP tidak sah: baris permintaan atau kepalanya tidak dapat dibaca. / "
    "Invalid HTTP request: its request line or headers cannot be read.",
}
#: The body: its head was read, the body is not what the head declares (a chunked body
#: that breaks off its chunks).
BAD_BODY_BODY = {
    "error": "bad_request",
    "detail": "Permintaan HTTP tidak sah: kepalanya terbaca, tetapi isinya (body) tidak "
    "sesuai dengan yang dinyatakan kepalanya (Transfer-Encoding atau Content-Length). / "
    "Invalid HTTP request: its headers were read, but its body is not what they declare "
    "(Transfer-Encoding or Content-Length).",
}
#: What came with the previous request, after its body (as its Content-Length measured
#: it), and is no request: that body was longer than its Content-Length said, or the
#: next request's head is broken.
BAD_AFTER_BODY_BODY = {
    "error": "bad_request",
    "detail": "Permintaan HTTP tidak sah: data sesudah isi permintaan sebelumnya di "
    "sambungan ini bukan permintaan; isi itu lebih panjang daripada Content-Length-nya, "
    "atau baris permintaan atau kepala berikutnya tidak dapat dibaca. / "
    "Invalid HTTP request: what followed the previous request's body on this connection "
    "is no request; that body ran past its Content-Length, or the next request line or "
    "headers cannot be read.",
}

#: How long a connection answered with a refusal may go on sending (what is dropped)
#: before it is closed: long enough for the rest of a head or body already on its way.
LINGER_S = 2.0
#: Whole seconds a client refused for the centre's load waits before it asks again.
OVERLOADED_RETRY_S = 2
#: Beyond ``limit_concurrency`` (``--max-connections``) open connections: the answer
#: uvicorn gives in plain text, in the error body.
OVERLOADED = Refusal(
    503,
    b"Service Unavailable",
    json.dumps(
        {
            "error": "service_unavailable",
            "detail": "Server pusat sedang menampung sambungan sebanyak yang diizinkan; "
            "coba lagi sebentar lagi. / The centre holds as many open connections as it "
            "allows; try again shortly.",
        }
    ).encode("utf-8"),
    "the centre holds as many open connections as it allows (--max-connections)",
    ((b"retry-after", str(OVERLOADED_RETRY_S).encode("ascii")),),
)
#: A head too large that came with the previous request, after its body: as any other
#: bytes there that are no request, what followed that body.
_TOO_LARGE_AFTER_BODY = Refusal(
    400,
    b"Bad Request",
    json.dumps(BAD_AFTER_BODY_BODY).encode("utf-8"),
    f"what followed the previous request's body is no head ending within {MAX_HEAD_BYTES} bytes",
)


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request is late to arrive."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    per_address_max: int = 50
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: Open connections per peer address (the event loop's thread only).
    open_per_address: ClassVar[dict[str, int]] = {}

    #: h11's connection: the centre's own (central/request_heads.py).
    conn: ScreenedConnection
    _address: str | None = None

    _deadline: asyncio.TimerHandle | None = None
    #: What the running deadline waits for: "headers", "body" or None.
    _waiting_for: str | None = None
    #: Whether the request being read began with bytes that came with the previous one,
    #: after its body measured by its Content-Length: such a body, longer than it said,
    #: runs on into them. After no body, or a chunked one (whose end is its own), they
    #: are the next request's and nothing else.
    _began_after_body: bool = False
    #: While a read is handed to h11: whether it began inside a request's body measured by
    #: its Content-Length, so that what follows that body in the same read came with it
    #: (the route may have answered already).
    _read_in_body: bool = False
    #: After a refusal's answer: the timer that ends the connection's last reads.
    _lingering: asyncio.TimerHandle | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # h11's connection, holding each head to the centre's rules (central/request_heads.py).
        self.conn = ScreenedConnection(self._refuse, self._overloaded)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else None
        if address is not None and not self._trusted(address):
            count = self.open_per_address.get(address, 0)
            if count >= self.per_address_max:
                if count == self.per_address_max:  # one line per address and burst
                    _log.warning(
                        "an address holds %d open connections, the most allowed: closing more",
                        count,
                    )
                    self.open_per_address[address] = count + 1  # marks it logged; never held
                transport.abort()
                return
            self.open_per_address[address] = count + 1
            self._address = address
        self._track()

    def data_received(self, data: bytes) -> None:
        if self._lingering is not None:
            return  # what came after a refusal's answer: dropped (_close_after_answer)
        conn = self.conn
        in_body = conn.their_state is h11.SEND_BODY
        self._read_in_body = in_body and conn.body_framing is Framing.LENGTH
        try:
            super().data_received(data)
        finally:
            self._read_in_body = False
        self._track()

    def on_response_complete(self) -> None:
        # With both sides done, uvicorn reads what is left in the buffer (bytes that came
        # after the request's body) as the next request, in this call.
        conn = self.conn
        done = conn.our_state is h11.DONE and conn.their_state is h11.DONE
        by_length = conn.body_framing is Framing.LENGTH
        self._began_after_body = done and by_length and bool(conn.trailing_data[0])
        super().on_response_complete()
        self._track()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        if self._lingering is not None:
            self._lingering.cancel()
        if self._address is not None:
            left = self.open_per_address.get(self._address, 1) - 1
            if left >= self.per_address_max:  # the logged mark goes with the first to close
                left = self.per_address_max - 1
            if left > 0:
                self.open_per_address[self._address] = left
            else:
                self.open_per_address.pop(self._address, None)
            self._address = None
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """A request h11 could not read, answered in the centre's error body, then closed.

        Called by uvicorn's own protocol for it (``msg`` is uvicorn's plain-text
        sentence); nothing of the request is repeated, only which part of it could
        not be read. While no head has been read (h11 has us ``IDLE``) the fault is
        in the head, or, when the bytes came with the previous request (waiting when
        its answer completed, or in the read that finished its body), in what
        followed its body; once the head is read (us to ``SEND_RESPONSE``), in the
        body. h11 may find the request broken only in its body, after the app has
        begun or finished its answer (a route that answers without reading the
        body, a stream): a second answer cannot follow on the connection, and h11
        refuses to write one, so the connection is only closed. The warning uvicorn
        logged is the one line. A route still to answer is told its client is gone
        (:meth:`_end_cycle`): the 400 is the one answer.
        """
        state = self.conn.our_state
        if state is h11.SEND_RESPONSE:
            said = BAD_BODY_BODY
        elif state is h11.IDLE:
            after_body = self._began_after_body or self._read_in_body
            said = BAD_AFTER_BODY_BODY if after_body else BAD_HEAD_BODY
        else:
            self.transport.close()
            return
        self._answer(400, b"Bad Request", json.dumps(said).encode("utf-8"))
        if state is h11.SEND_RESPONSE:
            self._end_cycle()

    def _refuse(self, refusal: Refusal) -> None:
        """A request refused by :class:`ScreenedConnection`: its answer, one line logged,
        the connection closed.

        A head is refused before the app saw it: no route has begun, and the previous
        request, if any, is answered already. A chunked body's line or trailer section
        is refused while the body is read: a route still to answer is told its client is
        gone once the refusal is answered, as for a body h11 cannot read
        (:meth:`send_400_response`); a route that has begun or finished its answer keeps
        what went out, and the connection is closed without a second answer (its sending
        side shut, as after an answer, so that the client reads what was sent and no
        reset)."""
        if refusal is TOO_LARGE and (self._began_after_body or self._read_in_body):
            refusal = _TOO_LARGE_AFTER_BODY
        _log.warning("refused a request (%d): %s", refusal.status, refusal.said)
        state = self.conn.our_state
        if state is h11.IDLE or state is h11.SEND_RESPONSE:
            self._answer(refusal.status, refusal.reason, refusal.body, refusal.headers)
        else:  # a body refused after its route's answer began: it ends there
            self._close_after_answer()
        self._end_cycle()  # a route reading the body, or answering; a head has none begun

    def _overloaded(self, _request: h11.Request) -> Refusal | None:
        """uvicorn's test for its 503 (it follows this one, and then finds room)."""
        limit = self.limit_concurrency
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            return OVERLOADED
        return None

    def _answer(
        self,
        status: int,
        reason: bytes,
        body: bytes,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        """Answer ``body`` (the error body, JSON) and close the connection.

        To a ``HEAD`` request the answer is its head alone, with the length the body
        would have (RFC 9110 §9.3.2): h11 refuses to send a body there, and the refusal
        escaped as an error with a traceback in the log, the answer cut off."""
        response = h11.Response(
            status_code=status,
            headers=[
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
                *headers,
            ],
            reason=reason,
        )
        sent = b"" if self.conn.request_method == b"HEAD" else body
        for event in (response, h11.Data(data=sent), h11.EndOfMessage()):
            data = self.conn.send(event)
            if data:
                self.transport.write(data)
        self._close_after_answer()

    def _close_after_answer(self) -> None:
        """Close the connection once its answer is sent, without losing the answer.

        The client may still be sending what came before the answer was decided (the
        rest of a large head, a body). A socket closed with bytes unread is reset by the
        kernel, and the reset may destroy the answer before the client reads it. So the
        sending side is shut once the answer is out (the client reads it, then its end),
        what still arrives is read and dropped, and the connection closes when the
        client closes its side, or after :data:`LINGER_S` at the most.
        """
        self._stop_deadline()
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.flow.resume_reading()
        self._lingering = self.loop.call_later(LINGER_S, self.transport.abort)

    def _end_cycle(self) -> None:
        """The request's route, running or about to, is told its client is gone, as uvicorn
        tells it when a connection is lost: its answer would follow the 400 on a connection
        already answered (h11 refuses it, and the refusal was logged with a traceback), and
        a reader of its body would wait for what is never coming. It now gets
        ``http.disconnect`` and its answer goes nowhere."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()

    def _trusted(self, address: str) -> bool:
        if not self.trusted_proxies:
            return False
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.trusted_proxies)

    def _track(self) -> None:
        """Start, keep or stop the deadline after whatever just happened on the connection."""
        if self.transport.is_closing() or self._lingering is not None:
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


def deadline_protocol(
    header_timeout_s: float,
    body_timeout_s: float,
    per_address_max: int = 50,
    trusted_proxies: tuple[str, ...] = (),
) -> type[DeadlineH11Protocol]:
    """The protocol class to give ``uvicorn.Config(http=…)``, with these limits."""

    class ConfiguredDeadlineProtocol(DeadlineH11Protocol):
        open_per_address: ClassVar[dict[str, int]] = {}

    ConfiguredDeadlineProtocol.header_timeout_s = header_timeout_s
    ConfiguredDeadlineProtocol.body_timeout_s = body_timeout_s
    ConfiguredDeadlineProtocol.per_address_max = per_address_max
    ConfiguredDeadlineProtocol.trusted_proxies = tuple(
        ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies
    )
    return ConfiguredDeadlineProtocol
