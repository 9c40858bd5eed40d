"""A kept-alive connection the centre's side closes just as a request goes out (the
proxy's idle timeout meeting the kiosk's next call) costs nothing when the centre
answers that request made twice as made once: it is asked once more, on a new
connection, within the same deadline. A call that would do twice what it does once
(an enrolment, a new lease) is not asked again.

The peer here is real sockets on 127.0.0.1: it answers a first request and keeps the
connection, then reads the next request on it and closes without a word, as nginx
does with a connection it has just found idle too long."""

from __future__ import annotations

import datetime as dt
import json
import logging
import select
import socket
import threading
from collections.abc import Callable

import pytest

from contract.bookings import damm_digit
from contract.ticket_ids import new_ticket_id
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from testkit.peers import RawServer, _Peer, http_reply, read_request

pytestmark = pytest.mark.timeout(60)

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
DEADLINE_S = 5.0
ALLOCATED = {
    "ticket_id": "t-1",
    "service_id": "s-1",
    "day": "2026-12-07",
    "number": 7,
    "display": "A-007",
}
DAY = dt.date(2026, 12, 7)
LEASED = {
    "lease_id": "l-1",
    "office_id": "o-1",
    "service_id": "s-1",
    "day": "2026-12-07",
    "start": 980,
    "end": 999,
    "expires_at": "2026-12-07T23:59:00+07:00",
}


def _reply(body: object) -> bytes:
    data = json.dumps(body).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}"
    return (head + "\r\n\r\n").encode() + data  # no "Connection: close": kept alive


class ClosingPeer(_Peer):
    """The first connection: its first request answered with ``body`` and the connection
    kept, its next request read and the connection closed unanswered. Every later
    connection: each request answered with ``body`` (with ``later_answer``), else
    closed unanswered too. :attr:`requests` and :attr:`connections` count them."""

    name = "closing-peer"

    def __init__(self, body: object, *, later_answer: bool = True) -> None:
        self.body = body
        self.later_answer = later_answer
        self.requests = 0
        self.connections = 0
        self._lock = threading.Lock()
        super().__init__()

    def _take(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(DEADLINE_S)
            self.connections += 1
            first = self.connections == 1
            try:
                for n in range(100):
                    if not self._next_request(conn):
                        return  # the client closed it, or the test is over
                    read_request(conn)
                    with self._lock:
                        self.requests += 1
                    if (first and n == 1) or (not first and not self.later_answer):
                        return  # closed as it finds the request: never answered
                    conn.sendall(_reply(self.body))
            except OSError:
                return

    def _next_request(self, conn: socket.socket) -> bool:
        """Wait for the client's next request on a kept connection, until it closes the
        connection or the peer is closed (it may keep its idle connection open)."""
        while not self._stop.is_set():
            ready, _, _ = select.select([conn], [], [], 0.05)
            if ready:
                return bool(conn.recv(1, socket.MSG_PEEK))
        return False


def test_a_number_asked_on_a_connection_closed_under_it_is_asked_once_more() -> None:
    heard: list[str] = []
    with ClosingPeer(ALLOCATED) as peer, CentralClient(peer.url, token=TOKEN) as client:
        assert client.allocate_ticket("t-1", "s-1", deadline_s=DEADLINE_S).number == 7
        allocation = client.allocate_ticket(
            "t-1", "s-1", deadline_s=DEADLINE_S, sent=lambda: heard.append("sent")
        )
    assert allocation.display == "A-007"
    assert peer.requests == 3 and peer.connections == 2  # asked once more, on a new one
    assert heard == ["sent"], "its request written twice, the word said once"


def test_a_health_check_on_a_connection_closed_under_it_is_asked_once_more() -> None:
    with ClosingPeer({"status": "ok"}) as peer, CentralClient(peer.url, token=TOKEN) as client:
        assert client.health() and client.health()
    assert peer.requests == 3


def test_a_new_lease_on_a_connection_closed_under_it_is_not_asked_again() -> None:
    """The centre would lease a second block for the same request: the kiosk's sync
    engine asks again at its next run, knowing the first may or may not have been made."""
    with ClosingPeer(LEASED) as peer, CentralClient(peer.url, token=TOKEN) as client:
        client.request_lease("s-1", DAY, 20)
        with pytest.raises(CentralUnavailable, match="cannot reach"):
            client.request_lease("s-1", DAY, 20)
    assert peer.requests == 2 and peer.connections == 1


def test_it_is_asked_once_more_only_once() -> None:
    """Closed under it again on the new connection: the call fails as the centre away."""
    with (
        ClosingPeer(ALLOCATED, later_answer=False) as peer,
        CentralClient(peer.url, token=TOKEN) as client,
    ):
        client.allocate_ticket("t-1", "s-1", deadline_s=DEADLINE_S)
        with pytest.raises(CentralUnavailable, match="cannot reach"):
            client.allocate_ticket("t-1", "s-1", deadline_s=DEADLINE_S)
    assert peer.requests == 3 and peer.connections == 2


BOOKING_CODE = "48291350" + str(damm_digit("48291350"))
TICKET_ID = "3f2a9c1e-77b0-8d41-9a6e-0c5d2b7f1e83"


@pytest.mark.parametrize(
    ("secret", "call", "shown"),
    [
        pytest.param(
            BOOKING_CODE,
            lambda c: c.booking(BOOKING_CODE, deadline_s=DEADLINE_S),
            "/api/v1/bookings/482…",
            id="booking-code",
        ),
        pytest.param(
            TICKET_ID,
            lambda c: c.void_ticket(TICKET_ID),
            "/api/v1/tickets/…0c5d2b7f1e83/void",
            id="ticket-id",
        ),
    ],
)
def test_a_call_asked_once_more_names_a_secret_of_its_path_cut(
    secret: str,
    call: Callable[[CentralClient], object],
    shown: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A booking's code opens its page, a ticket's id its public page: the line that says
    the call is asked again, and the error of its failing again, show them cut."""
    with (
        caplog.at_level(logging.INFO),
        ClosingPeer({"status": "ok"}, later_answer=False) as peer,
        CentralClient(peer.url, token=TOKEN) as client,
    ):
        assert client.health()
        with pytest.raises(CentralUnavailable, match="cannot reach") as caught:
            call(client)
    assert peer.requests == 3  # asked once more: the line below was written
    assert f"{shown}: connection closed before any answer" in caplog.text
    assert shown in str(caught.value)
    assert secret not in caplog.text
    assert secret not in str(caught.value)


def test_the_voids_of_two_of_one_kiosks_tickets_are_told_apart_in_their_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A kiosk's ticket ids all start with its kiosk's tag (contract/ticket_ids.py): cut to
    their start, every void the kiosk asks for would be written alike, and an operator
    could not tell from the log which ticket's void failed. Cut as they may be, two
    tickets' voids are written apart, and neither whole."""
    first, second = new_ticket_id("PKU-K01"), new_ticket_id("PKU-K01")
    busy = http_reply("503 Service Unavailable", b'{"error": "busy"}')
    written: list[str] = []
    with (
        caplog.at_level(logging.DEBUG),
        RawServer(busy) as peer,
        CentralClient(peer.url, token=TOKEN) as client,
    ):
        for ticket_id in (first, second):
            with pytest.raises(CentralUnavailable, match="503") as caught:
                client.void_ticket(ticket_id)
            written.append(str(caught.value))
    assert written[0] != written[1], written
    for ticket_id in (first, second):
        assert ticket_id not in caplog.text and ticket_id not in " ".join(written)
