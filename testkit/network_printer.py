"""A loopback stand-in for a network thermal printer (ESC/POS on port 9100)."""

from __future__ import annotations

import socket
import threading

#: How long the stand-in printer waits for more bytes before it closes a connection.
IDLE_S = 5.0


class NetworkPrinter:
    """A TCP listener on 127.0.0.1 standing in for a thermal printer's port 9100.

    Records the bytes of each connection. It answers the real-time status
    requests ``DLE EOT 4`` (paper) and ``DLE EOT 2`` (offline cause) with
    :attr:`paper` and :attr:`cause`, or not at all when they are None, as
    printers without a return channel do.
    """

    def __init__(self) -> None:
        self.paper: bytes | None = b"\x12"  # paper present
        self.cause: bytes | None = b"\x12"  # cover closed
        self.connections: list[bytes] = []
        self._changed = threading.Condition()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = int(self._server.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def device(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            with connection:
                data = self._read(connection)
            with self._changed:
                self.connections.append(data)
                self._changed.notify_all()

    def _read(self, connection: socket.socket) -> bytes:
        connection.settimeout(IDLE_S)
        data = b""
        while not self._stop.is_set():
            try:
                chunk = connection.recv(65536)
            except (TimeoutError, ConnectionError):
                break
            if not chunk:
                break
            data += chunk
            if data.endswith(b"\x10\x04\x04") and self.paper is not None:
                connection.sendall(self.paper)
            elif data.endswith(b"\x10\x04\x02") and self.cause is not None:
                connection.sendall(self.cause)
        return data

    def wait_closed(self, count: int, timeout_s: float = 10.0) -> list[bytes]:
        """The recorded connections, once ``count`` of them have closed (or the time is up)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.connections) >= count, timeout_s)
            return list(self.connections)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()
