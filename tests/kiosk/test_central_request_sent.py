"""A call to the centre says when its request is written, before its answer is read: the
ticket's worker starts the work that can wait for the network (the status page's QR
code) only then, so that work never holds the interpreter from the request."""

from __future__ import annotations

import socket
import threading

import pytest

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from testkit.peers import _Peer, http_reply, read_request

pytestmark = pytest.mark.timeout(60)

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
#: How long the peer holds its answer for the client's word that the request is sent.
GATE_S = 5.0
BUSY = http_reply("503 Service Unavailable", b'{"error": "busy"}', "Retry-After: 1")


class GatedPeer(_Peer):
    """Reads each whole request, then answers only once ``gate`` is set (at most
    :data:`GATE_S`): whether it was set before the answer is :attr:`gated`."""

    name = "gated-peer"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.received = threading.Event()
        self.gated: list[bool] = []
        super().__init__()

    def _take(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(GATE_S * 2)
            try:
                read_request(conn)
                self.received.set()
                self.gated.append(self.gate.wait(GATE_S))
                conn.sendall(BUSY)
            except OSError:
                return


def test_sent_is_heard_once_the_request_is_written_before_the_answer_is_read() -> None:
    heard: list[bool] = []
    with GatedPeer() as peer, CentralClient(peer.url, timeout_s=GATE_S * 3, token=TOKEN) as client:

        def sent() -> None:
            heard.append(peer.received.wait(GATE_S))  # the peer has the request
            peer.gate.set()

        with pytest.raises(CentralUnavailable, match="503"):
            client.allocate_ticket("t-1", "s-1", deadline_s=GATE_S * 3, sent=sent)
    assert heard == [True], "heard once, after the whole request reached the centre"
    assert peer.gated == [True], "the answer was read before the request was said sent"


def test_a_request_never_sent_is_never_said_sent() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    heard: list[str] = []  # nothing listens on the port now: the connection is refused
    with (
        CentralClient(f"http://127.0.0.1:{port}", timeout_s=2.0, token=TOKEN) as client,
        pytest.raises(CentralUnavailable),
    ):
        client.allocate_ticket("t-1", "s-1", deadline_s=2.0, sent=lambda: heard.append("x"))
    assert heard == []


def test_a_later_call_on_the_thread_never_hears_an_earlier_calls_sent() -> None:
    """The word is the call's own: a call whose request never left (the centre away)
    leaves nothing for a later call on the same thread to call when its request is
    written, and neither does a call whose request was."""
    heard: list[str] = []
    with socket.create_server(("127.0.0.1", 0)) as taken:
        away = f"http://127.0.0.1:{taken.getsockname()[1]}"
    with (
        CentralClient(away, timeout_s=2.0, token=TOKEN) as client,
        pytest.raises(CentralUnavailable),
    ):
        client.allocate_ticket("t-0", "s-1", deadline_s=2.0, sent=lambda: heard.append("0"))
    with GatedPeer() as peer, CentralClient(peer.url, timeout_s=GATE_S * 3, token=TOKEN) as client:
        peer.gate.set()
        assert client.health() is False  # a 503: its request written, nobody's word said
        with pytest.raises(CentralUnavailable):
            client.allocate_ticket("t-1", "s-1", deadline_s=2.0, sent=lambda: heard.append("1"))
        assert client.health() is False
        with pytest.raises(CentralUnavailable):
            client.allocate_ticket("t-2", "s-1", deadline_s=2.0)
    assert heard == ["1"]
