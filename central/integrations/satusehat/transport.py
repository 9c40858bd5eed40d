"""The one place the SATUSEHAT adapter sends HTTP: a total deadline and an answer cap.

A watchdog shuts the socket when the deadline passes, however slowly the server
dribbles its answer; an answer longer than the cap is not read past the cap and
is an error. Neither raises anything but :class:`Unreachable` or
:class:`AnswerTooLarge`, so callers have two things to catch.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit


class TransportError(Exception):
    """Nothing usable came back; the call may be tried again later."""


class Unreachable(TransportError):
    """Refused, reset, or no complete answer within the deadline."""


class AnswerTooLarge(TransportError):
    """The answer went past the size cap."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    retry_after: str | None = None


def exchange(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None,
    deadline_s: float,
    cap: int,
) -> Answer:
    """Send one request and read its whole answer within ``deadline_s`` and ``cap`` bytes."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            host, parts.port, timeout=deadline_s, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=deadline_s)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(deadline_s, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        chunks: list[bytes] = []
        left = cap + 1
        while left > 0 and not expired.is_set():
            chunk = response.read(min(left, 16384))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if expired.is_set():
            raise Unreachable("no complete answer within the deadline")
        data = b"".join(chunks)
        if len(data) > cap:
            raise AnswerTooLarge(f"answer longer than {cap} bytes")
        return Answer(response.status, data, response.getheader("Retry-After"))
    except TransportError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        raise Unreachable(type(exc).__name__) from None
    finally:
        watchdog.cancel()
        connection.close()
