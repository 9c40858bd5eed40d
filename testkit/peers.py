"""Peers on 127.0.0.1 that answer the kiosk's client slowly or badly, on real sockets.

:class:`Dripper` sends the first part of its answer at once, then the rest one
byte every ``interval_s`` seconds: the drip never leaves a socket read waiting
long enough for a per-read timeout. Every drip is bounded (it ends by itself)
and :attr:`Dripper.hung_up` says whether the client went away before it ended.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Self

LOOPBACK = "127.0.0.1"


def _listen() -> tuple[socket.socket, int]:
    """A listener on a free loopback port whose ``accept`` wakes every 50 ms (to stop)."""
    listener = socket.create_server((LOOPBACK, 0))
    listener.settimeout(0.05)
    return listener, int(listener.getsockname()[1])


def http_reply(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class _Peer:
    """A loopback listener with one thread taking connections until :meth:`close`."""

    name = "peer"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._listener, self.port = _listen()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._listener.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._take(conn)

    def _take(self, conn: socket.socket) -> None:
        """Answer one connection (on the peer's thread); close it unless kept."""
        raise NotImplementedError


class Dripper(_Peer):
    """Answers each connection with ``first`` at once, then ``drip`` a byte at a time."""

    name = "dripper"

    def __init__(
        self,
        first: bytes,
        drip: bytes,
        *,
        interval_s: float = 0.05,
        read_request: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.first, self.drip, self.interval_s = first, drip, interval_s
        self.read_request = read_request
        self.tls = tls
        self.hung_up = threading.Event()
        self.finished = threading.Event()
        super().__init__()

    def _take(self, conn: socket.socket) -> None:
        with conn:
            self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            if self.tls is not None:
                with self.tls.wrap_socket(conn, server_side=True) as wrapped:
                    self._send(wrapped)
                return
            self._send(conn)
        except OSError:
            self.hung_up.set()

    def _send(self, conn: socket.socket) -> None:
        if self.read_request:
            _read_head(conn)
        conn.sendall(self.first)
        for i in range(len(self.drip)):
            if self._stop.wait(self.interval_s):
                return
            conn.sendall(self.drip[i : i + 1])
        self.finished.set()


def _read_head(conn: socket.socket) -> None:
    """Read one whole request (head and ``Content-Length`` body): closing with unread
    input would send a reset instead of the answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionResetError
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.decode("latin-1").lower().split("\r\n"):
        if line.startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            raise ConnectionResetError
        body += chunk


class RawServer(_Peer):
    """A TCP server on 127.0.0.1 that answers every connection with fixed bytes.

    It reads each whole request first (head and ``Content-Length`` body): closing
    with unread input would send a reset instead of the reply. ``reply=None``
    accepts connections and never answers (nor closes them until :meth:`close`).
    """

    name = "raw-server"

    def __init__(self, reply: bytes | None) -> None:
        self.reply = reply
        self._silent: list[socket.socket] = []
        super().__init__()

    def close(self) -> None:
        super().close()
        for conn in self._silent:
            conn.close()

    def _take(self, conn: socket.socket) -> None:
        if self.reply is None:
            self._silent.append(conn)
            return
        with conn:
            conn.settimeout(2.0)
            try:
                read_request(conn)
                conn.sendall(self.reply)
            except OSError:
                return


def read_request(conn: socket.socket) -> None:
    """Read one request's head and its ``Content-Length`` body (or until the peer stops)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            return
        body += chunk
