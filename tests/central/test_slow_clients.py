"""Slow or stalled clients are dropped: requests must arrive in time.

Real sockets on 127.0.0.1 against a real server whose deadlines are short
(``--header-timeout 1 --body-timeout 1``). Each wait is bounded by
:data:`BOUND_S`, far above the deadline: a connection still open then fails
the test, and nothing asserts how long anything took.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from central.process import RunningCentral, start_central

pytestmark = pytest.mark.timeout(120)

#: How long a test waits for the server to close a connection before failing.
BOUND_S = 20.0
MAX_CONNECTIONS = 30
HALF_HEADERS = b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"
BODY_HEADERS = (
    b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningCentral]:
    args = ("--header-timeout", "1", "--body-timeout", "1")
    with start_central(extra_args=(*args, "--max-connections", str(MAX_CONNECTIONS))) as running:
        yield running


def connect(server: RunningCentral, first: bytes = b"") -> socket.socket:
    host = urlsplit(server.url).hostname or "127.0.0.1"
    sock = socket.create_connection((host, server.port), timeout=5)
    if first:
        sock.sendall(first)
    return sock


def closed_by_server(sock: socket.socket, drip: bool = False) -> bool:
    """Whether the server closes ``sock`` within :data:`BOUND_S` (``drip``: send a byte a tick)."""
    deadline = time.monotonic() + BOUND_S
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            if drip:
                sock.sendall(b" ")
            readable, _, _ = select.select([sock], [], [], min(remaining, 0.1))
            if readable and not sock.recv(4096):
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def test_a_client_that_sends_nothing_is_disconnected(server: RunningCentral) -> None:
    with connect(server) as sock:
        assert closed_by_server(sock), f"still open after {BOUND_S} s"


def test_a_client_that_stalls_in_its_headers_is_disconnected(server: RunningCentral) -> None:
    with connect(server, HALF_HEADERS) as sock:
        assert closed_by_server(sock), f"still open after {BOUND_S} s"


def test_a_client_that_stalls_in_its_next_request_is_disconnected(server: RunningCentral) -> None:
    with connect(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") as sock:
        answer = b""
        while b'"status":"ok"' not in answer:
            chunk = sock.recv(4096)
            assert chunk, "closed before answering"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\nHo")
        assert closed_by_server(sock), f"still open after {BOUND_S} s"


def test_a_client_dripping_a_body_is_dropped(server: RunningCentral) -> None:
    with connect(server, BODY_HEADERS + b'{"code": "') as sock:
        assert closed_by_server(sock, drip=True), f"still open after {BOUND_S} s"


def stalled(server: RunningCentral, count: int) -> list[socket.socket]:
    """``count`` connections, half stalled in their headers and half in their bodies."""
    return [connect(server, HALF_HEADERS if i % 2 else BODY_HEADERS) for i in range(count)]


def test_stalled_clients_do_not_hold_up_a_normal_request(server: RunningCentral) -> None:
    socks = stalled(server, MAX_CONNECTIONS // 2)  # all this address may hold
    try:
        with connect_from(server, "127.0.0.2") as sock:  # another client
            assert (served(sock) or b"").startswith(b"HTTP/1.1 200")
        assert all(closed_by_server(s) for s in socks), f"some still open after {BOUND_S} s"
    finally:
        for sock in socks:
            sock.close()


def test_more_stalled_clients_than_the_cap_are_dropped_and_service_resumes(
    server: RunningCentral,
) -> None:
    socks = stalled(server, MAX_CONNECTIONS + 10)
    try:
        seen = []
        deadline = time.monotonic() + BOUND_S
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.ConnectionError):
                seen.append(requests.get(f"{server.url}/health", timeout=10).status_code)
                if seen[-1] == 200:
                    break
            time.sleep(0.1)
        assert seen and seen[-1] == 200, f"never served within {BOUND_S} s: {seen[-5:]}"
        assert set(seen) <= {200, 503}, "over the cap: 503, nothing else"
        assert all(closed_by_server(s) for s in socks), f"some still open after {BOUND_S} s"
    finally:
        for sock in socks:
            sock.close()


PER_ADDRESS = 5


@pytest.fixture(scope="module")
def capped() -> Iterator[RunningCentral]:
    """Long deadlines (a close within BOUND_S is the cap's, not a timeout's), 5 per address."""
    args = ("--header-timeout", "60", "--body-timeout", "60", "--max-connections", "30")
    extra = (*args, "--max-connections-per-address", str(PER_ADDRESS))
    with start_central(extra_args=extra) as running:
        yield running


def connect_from(server: RunningCentral, source: str) -> socket.socket:
    """A connection from another loopback address (all of 127.0.0.0/8 is this host)."""
    sock = socket.create_connection(
        (urlsplit(server.url).hostname or "127.0.0.1", server.port),
        timeout=5,
        source_address=(source, 0),
    )
    return sock


def served(sock: socket.socket) -> bytes | None:
    """Send ``GET /health`` on ``sock``: the answer, ``b""`` if the server closed without one.

    ``None``: neither an answer nor a close within :data:`BOUND_S`.
    """
    answer = b""
    try:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        deadline = time.monotonic() + BOUND_S
        while b'"status":"ok"' not in answer:
            if time.monotonic() > deadline:
                return None
            readable, _, _ = select.select([sock], [], [], 0.1)
            if readable:
                chunk = sock.recv(4096)
                if not chunk:
                    return answer
                answer += chunk
        return answer
    except (ConnectionResetError, BrokenPipeError):
        return answer


def test_one_address_holds_only_so_many_connections_and_others_are_served(
    capped: RunningCentral,
) -> None:
    hog = [connect_from(capped, "127.0.0.1") for _ in range(PER_ADDRESS)]
    try:
        for sock in hog:  # each held open (a request would be answered)
            sock.sendall(HALF_HEADERS)
        extra = connect_from(capped, "127.0.0.1")
        with extra:
            assert served(extra) == b"", "a connection over the address's cap was not closed"
        # Another address is served meanwhile, as often as it likes.
        for _ in range(PER_ADDRESS + 2):
            with connect_from(capped, "127.0.0.2") as sock:
                assert (served(sock) or b"").startswith(b"HTTP/1.1 200")
        # One of the hog's connections closes: the address may open one again.
        hog.pop().close()
        deadline = time.monotonic() + BOUND_S
        answer: bytes | None = b""
        while not (answer or b"").startswith(b"HTTP/1.1 200") and time.monotonic() < deadline:
            with connect_from(capped, "127.0.0.1") as sock:
                answer = served(sock)
        assert (answer or b"").startswith(b"HTTP/1.1 200"), "the address never got a slot back"
    finally:
        for sock in hog:
            sock.close()
    assert "the most allowed" in capped.output_tail()


def test_one_address_never_holds_every_slot_however_the_caps_are_set() -> None:
    """A total cap below the per-address one must not let one address take it all."""
    extra = ("--header-timeout", "60", "--body-timeout", "60", "--max-connections", "8")
    with start_central(extra_args=extra) as running:
        hog = [connect_from(running, "127.0.0.1") for _ in range(8)]
        try:
            for sock in hog:
                sock.sendall(HALF_HEADERS)
            with connect_from(running, "127.0.0.2") as sock:
                answer = served(sock) or b""
            assert answer.startswith(b"HTTP/1.1 200"), answer[:60]
        finally:
            for sock in hog:
                sock.close()
