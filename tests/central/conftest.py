"""Fixtures for the central server and client tests.

``central_server`` is a real server process on 127.0.0.1 for the whole
session. ``raw_server`` gives tiny TCP peers that misbehave on purpose:
faults are real sockets, nothing is patched.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from central.process import RunningCentral, start_central
from kiosk.central_client import CentralClient

LOOPBACK = "127.0.0.1"


@pytest.fixture(scope="session")
def central_server() -> Iterator[RunningCentral]:
    server = start_central(seed_demo=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(central_server: RunningCentral) -> Iterator[CentralClient]:
    with CentralClient(central_server.url) as c:
        yield c


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


class RawServer:
    """A TCP server on 127.0.0.1 that answers every connection with fixed bytes.

    ``reply=None`` accepts connections and never answers (nor closes them
    until :meth:`close`).
    """

    def __init__(self, reply: bytes | None) -> None:
        self.reply = reply
        self._listener = socket.create_server((LOOPBACK, 0))
        self._listener.settimeout(0.05)
        self._stop = threading.Event()
        self._silent: list[socket.socket] = []
        self.url = f"http://{LOOPBACK}:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._run, name="raw-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()
        for conn in self._silent:
            conn.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            if self.reply is None:
                self._silent.append(conn)
                continue
            with conn:
                conn.settimeout(2.0)
                _read_request_head(conn)
                conn.sendall(self.reply)


def _read_request_head(conn: socket.socket) -> None:
    # Read the whole request first: closing with unread input would send a
    # reset instead of the reply.
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = conn.recv(4096)
        except TimeoutError:
            return
        if not chunk:
            return
        data += chunk


@pytest.fixture
def raw_server() -> Iterator[Callable[[bytes | None], RawServer]]:
    """Start tiny misbehaving servers: ``raw_server(reply_bytes_or_None).url``."""
    servers: list[RawServer] = []

    def start(reply: bytes | None) -> RawServer:
        server = RawServer(reply)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.close()
