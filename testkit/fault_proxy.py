"""A fault-injecting HTTP proxy on 127.0.0.1, in front of the real central server.

Faults happen on real sockets, between the kiosk's ``requests`` and the
server; nothing in either is patched. The proxy reads each request whole
(head and ``Content-Length`` body), then does what its mode says:

- ``pass``: forward it and relay the answer;
- ``delay``: forward it, and relay the answer ``delay_s`` later;
- ``reset``: forward it (the server acts on it), relay half the answer,
  then reset the connection (``SO_LINGER`` 0): a reset mid-response;
- ``error``: answer ``status`` itself (503 by default, with ``Retry-After``
  if set) without asking the server; :meth:`FaultProxy.burst` does it for
  the next n requests only;
- ``hang``: read the request and never answer;
- ``drip``: forward it, and relay the answer one byte every ``delay_s``
  (never long enough for a socket read to time out; it stops when the
  client hangs up);
- ``bomb``: forward it (the server acts on it), then answer ``200`` with a
  gzip body of about 1 MB that inflates to :data:`BOMB_INFLATED` bytes of
  zeros instead of the server's answer;
- :meth:`FaultProxy.down` closes the listening socket (connections are
  refused, open ones reset) and :meth:`FaultProxy.up` opens it again on the
  same port;
- :meth:`FaultProxy.route` gives one path (a prefix) a mode of its own, so one
  endpoint can fail while the others work.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
MODES = ("pass", "delay", "reset", "error", "hang", "drip", "bomb")
#: What the ``bomb`` mode's body inflates to (1 GiB).
BOMB_INFLATED = 1 << 30
_BOMB_MEMBER = 16 << 20  # gzip members of 16 MiB of zeros each (~16 KB compressed)
_bomb: bytes | None = None


def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to :data:`BOMB_INFLATED` zeros (made once)."""
    global _bomb
    if _bomb is None:  # concatenated gzip members inflate to their concatenation
        member = gzip.compress(bytes(_BOMB_MEMBER), compresslevel=9, mtime=0)
        _bomb = member * (BOMB_INFLATED // _BOMB_MEMBER)
    return _bomb


def _port_socket(port: int) -> socket.socket:
    """A TCP socket bound to ``port`` on the loopback (0: a free one), beside the proxy's
    other sockets on it: the listener and the one that keeps the port while it is down."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError:
        sock.close()
        raise
    return sock


class _Closed(Exception):
    pass


@dataclass
class Seen:
    """One request the proxy handled: method, path, and what it did."""

    method: str
    path: str
    action: str


@dataclass
class FaultProxy:
    target_port: int
    mode: str = "pass"
    delay_s: float = 0.0
    status: int = 503
    retry_after: str | None = None
    seen: list[Seen] = field(default_factory=list)
    #: Path prefix -> mode, before :attr:`mode` (see :meth:`route`).
    routes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._burst = 0
        self._stop = threading.Event()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._holder: socket.socket | None = None  # the port's while down (down())
        self.port = 0
        self._open(0)

    # -- control --------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def set(self, mode: str, *, delay_s: float = 0.0, status: int = 503) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        with self._lock:
            self.mode, self.delay_s, self.status, self._burst = mode, delay_s, status, 0

    def burst(self, n: int, status: int = 503, retry_after: str | None = None) -> None:
        """Answer the next ``n`` requests with ``status`` (then back to the current mode)."""
        with self._lock:
            self._burst, self.status, self.retry_after = n, status, retry_after

    def route(self, path_prefix: str, mode: str | None) -> None:
        """Requests whose path starts with ``path_prefix`` get ``mode`` (None: as the rest)."""
        if mode is not None and mode not in MODES:
            raise ValueError(mode)
        with self._lock:
            if mode is None:
                self.routes.pop(path_prefix, None)
            else:
                self.routes[path_prefix] = mode

    def down(self) -> None:
        """Refuse connections (close the listener) and reset the open ones.

        The port stays the proxy's meanwhile: a socket that does not listen keeps it, so
        no connection made elsewhere takes it as its own port and :meth:`up` gets it back
        (a kiosk's URL names it).
        """
        listener, self._listener = self._listener, None
        if listener is not None:
            if not self._stop.is_set():
                self._holder = _port_socket(self.port)  # beside the listener, before it goes
            with contextlib.suppress(OSError):  # wakes the accept() (close alone does not)
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for conn in list(self._conns):
            _reset(conn)

    def up(self) -> None:
        if self._listener is None:
            self._open(self.port)

    def close(self) -> None:
        self._stop.set()
        self.down()
        self._release()

    def count(self, path_prefix: str, action: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for s in self.seen
                if s.path.startswith(path_prefix) and (action is None or s.action == action)
            )

    # -- the sockets --------------------------------------------------------------------
    def _open(self, port: int) -> None:
        listener = _port_socket(port)
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._release()  # the listener has the port: the holder of down() can go
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _release(self) -> None:
        holder, self._holder = self._holder, None
        if holder is not None:
            holder.close()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed: down() or close()
            self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            reader = _Reader(client)
            while not self._stop.is_set():
                head, body = reader.message(request=True)
                method, path = head.split(b" ", 2)[:2]
                action = self._action(path.decode())
                self._record(method.decode(), path.decode(), action)
                if action == "error":
                    client.sendall(self._error_reply())
                    continue
                if action == "hang":
                    while not self._stop.is_set() and client.fileno() != -1:
                        time.sleep(0.05)
                    return
                if upstream is None:
                    upstream = socket.create_connection((LOOPBACK, self.target_port), timeout=30)
                    upstream_reader = _Reader(upstream)
                upstream.sendall(head + body)
                reply_head, reply_body = upstream_reader.message(
                    request=False, no_body=method == b"HEAD"
                )
                reply = reply_head + reply_body
                if action == "reset":
                    client.sendall(reply[: max(1, len(reply) // 2)])
                    _reset(client)
                    return
                if action == "delay":
                    time.sleep(self.delay_s)
                if action == "drip":
                    for i in range(len(reply)):
                        if self._stop.wait(self.delay_s):
                            return
                        client.sendall(reply[i : i + 1])
                    continue
                if action == "bomb":
                    reply = _bomb_reply()
                client.sendall(reply)
        except (_Closed, OSError):
            pass
        finally:
            self._conns.discard(client)
            with contextlib.suppress(OSError):
                client.close()
            if upstream is not None:
                with contextlib.suppress(OSError):
                    upstream.close()

    def _action(self, path: str) -> str:
        with self._lock:
            routed = next((m for p, m in self.routes.items() if path.startswith(p)), None)
            if routed is not None:
                return routed
            if self._burst > 0:
                self._burst -= 1
                return "error"
            return self.mode

    def _record(self, method: str, path: str, action: str) -> None:
        with self._lock:
            self.seen.append(Seen(method, path, action))

    def _error_reply(self) -> bytes:
        body = b'{"error": "unavailable", "detail": "injected by the test proxy"}'
        lines = [
            f"HTTP/1.1 {self.status} Injected",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
        ]
        if self.retry_after is not None:
            lines.append(f"Retry-After: {self.retry_after}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Reader:
    """Reads whole HTTP/1.1 messages (Content-Length or chunked bodies) off a socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise _Closed
        self.buffer += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._more()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._more()
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line + b"\r\n"

    def message(self, *, request: bool, no_body: bool = False) -> tuple[bytes, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        head += b"\r\n\r\n"
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        status = b"" if request else head.split(b" ", 2)[1]
        if no_body or status in (b"204", b"304") or status.startswith(b"1"):
            return head, b""
        if headers.get(b"transfer-encoding") == b"chunked":
            body = b""
            while True:
                size_line = self._line()
                size = int(size_line.split(b";")[0], 16)
                body += size_line + self._take(size + 2)
                if size == 0:
                    return head, body
        return head, self._take(int(headers.get(b"content-length", b"0")))


def _bomb_reply() -> bytes:
    body = gzip_bomb()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
