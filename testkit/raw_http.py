"""HTTP/1.1 by hand over a real socket: requests no client library would send, and the
answers exactly as the server wrote them."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

_LENGTH = re.compile(rb"(?im)^content-length: *(\d+)")


@dataclass(frozen=True)
class RawAnswer:
    """One answer: its status line, its headers (names lower-cased) and its body."""

    status_line: str
    headers: dict[str, str]
    body: bytes

    @property
    def status(self) -> int:
        return int(self.status_line.split()[1])


def connect(url: str, timeout_s: float = 10) -> socket.socket:
    """A connection to the server at ``url`` (``http://127.0.0.1:PORT``)."""
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname or "", parts.port or 80), timeout=timeout_s)


def until_closed(sock: socket.socket) -> bytes:
    """Everything ``sock`` receives until the server closes it."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def answer_to(url: str, raw: bytes) -> bytes:
    """What the server sends back to ``raw`` on a connection of its own, up to its close."""
    with connect(url) as sock:
        sock.sendall(raw)
        return until_closed(sock)


def read_answer(sock: socket.socket) -> bytes:
    """One whole answer with a ``Content-Length`` from ``sock`` (the connection stays
    open); its head."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole head: {received[:200]!r}"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = _LENGTH.search(head)
    assert length is not None, head
    while len(body) < int(length.group(1)):
        chunk = sock.recv(65536)
        assert chunk, "closed before a whole body"
        body += chunk
    return head


def split_answers(received: bytes) -> list[RawAnswer]:
    """Each answer with a ``Content-Length`` in ``received``, in order."""
    found = []
    while received:
        head, _, rest = received.partition(b"\r\n\r\n")
        length = _LENGTH.search(head)
        assert length is not None, head
        body, received = rest[: int(length.group(1))], rest[int(length.group(1)) :]
        status_line, *lines = head.decode("ascii").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        found.append(RawAnswer(status_line, headers, body))
    return found
