"""Every call to the centre has one deadline for all of it: a drip never holds the kiosk.

Each peer drips its answer for many times the client's deadline, then completes
it: a client that bounded only each socket read would wait for the whole drip
and get an answer. These tests pass only if the client gave up first ("timed
out after N s", and the peer saw it hang up before the drip was over).
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from testkit.peers import Dripper
from testkit.todays_bookings import code
from testkit.waits import wait_for

pytestmark = pytest.mark.timeout(60)

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
DEADLINE = 0.4  # seconds: the client's deadline in these tests
INTERVAL = 0.05  # seconds between the dripped bytes: far under any per-read timeout
BODY = b'{"found": false, "padding": "' + b"x" * 100 + b'"}'
BOOKING_CODE = code("48291307")
HEAD = f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n\r\n".encode()


def _calls() -> dict[str, Callable[[CentralClient], object]]:
    return {
        "catalog": lambda c: c.fetch_catalog(),
        "lookup": lambda c: c.lookup_citizen(card_number="PKU-000001", deadline_s=DEADLINE),
        "allocate": lambda c: c.allocate_ticket("t-1", "s-1", deadline_s=DEADLINE),
        "enrol": lambda c: c.enrol("CODE"),
        "heartbeat": lambda c: c.heartbeat({}),
        "bookings_today": lambda c: c.bookings_today(),
        "booking": lambda c: c.booking(BOOKING_CODE, deadline_s=DEADLINE),
    }


@pytest.mark.parametrize("where", ["status-line", "headers", "body"])
@pytest.mark.parametrize("call", sorted(_calls()))
def test_a_dripping_answer_times_out_at_the_deadline(where: str, call: str) -> None:
    answer = HEAD + BODY
    split = {"status-line": 4, "headers": 20, "body": len(HEAD) + 2}[where]
    with (
        Dripper(answer[:split], answer[split:], interval_s=INTERVAL) as peer,
        CentralClient(peer.url, timeout_s=DEADLINE, token=TOKEN) as client,
    ):
        with pytest.raises(CentralUnavailable, match=f"timed out after {DEADLINE:g} s"):
            _calls()[call](client)
        wait_for(peer.hung_up, "the client hanging up mid-drip")
        assert not peer.finished.is_set()


def test_health_never_raises_and_gives_up_on_a_drip() -> None:
    with (
        Dripper(HEAD[:10], HEAD[10:] + BODY, interval_s=INTERVAL) as peer,
        CentralClient(peer.url, timeout_s=DEADLINE) as client,
    ):
        assert client.health() is False
        wait_for(peer.hung_up, "the client hanging up mid-drip")
        assert not peer.finished.is_set()


def test_a_dripping_tls_handshake_times_out_at_the_deadline() -> None:
    # A TLS record header announcing a 300-byte handshake message, then its bytes
    # one by one: the handshake (inside wrap_socket) never sees a read time out.
    record = b"\x16\x03\x03\x01\x2c"
    with Dripper(record, bytes(300), interval_s=INTERVAL, read_request=False) as peer:
        url = f"https://127.0.0.1:{peer.port}"
        with (
            CentralClient(url, timeout_s=DEADLINE) as client,
            pytest.raises(CentralUnavailable, match=f"timed out after {DEADLINE:g} s"),
        ):
            client.fetch_catalog()
        wait_for(peer.hung_up, "the client hanging up mid-handshake")
        assert not peer.finished.is_set()


def test_a_kept_alive_connection_is_watched_too() -> None:
    # The first answer is quick and keeps the connection; the second drips on it.
    quick = HEAD.replace(b"Connection: close", b"Connection: keep-alive") + BODY
    with (
        _KeepAlive(quick, HEAD + BODY) as peer,
        CentralClient(peer.url, timeout_s=DEADLINE, token=TOKEN) as client,
    ):
        assert client.lookup_citizen(card_number="PKU-1", deadline_s=DEADLINE) is None
        with pytest.raises(CentralUnavailable, match="timed out after"):
            client.lookup_citizen(card_number="PKU-1", deadline_s=DEADLINE)
        wait_for(peer.hung_up, "the client hanging up mid-drip")
        assert peer.count == 1, "the second call did not reuse the connection"


class _KeepAlive(Dripper):
    """One connection: ``first`` answers the first request whole, ``drip`` the second."""

    count = 0

    def _answer(self, conn: socket.socket) -> None:
        self.count += 1
        conn.settimeout(5.0)
        try:
            _read_one(conn)
            conn.sendall(self.first)
            _read_one(conn)
            for i in range(len(self.drip)):
                if self._stop.wait(self.interval_s):
                    return
                conn.sendall(self.drip[i : i + 1])
            self.finished.set()
        except OSError:
            self.hung_up.set()


def _read_one(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(1)
        if not chunk:
            raise ConnectionResetError
        data += chunk
    head = data.decode("latin-1").lower()
    length = 0
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    while length > 0:
        length -= len(conn.recv(length))
