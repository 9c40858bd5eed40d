"""One HTTP exchange with an outside service: one total deadline and a cap on the answer.

Every call to BPJS or SATUSEHAT goes through :func:`exchange`. The deadline
covers connecting, sending and reading the whole answer (a watchdog shuts
the socket however slowly the service dribbles); an answer longer than the
cap is refused, never read on. TLS is always verified.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


class ExchangeError(Exception):
    """The service could not be reached, was too slow, or answered too much."""


class TooSlow(ExchangeError):
    pass


class TooLarge(ExchangeError):
    pass


class Unreachable(ExchangeError):
    pass


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


def check_url(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is ``http(s)://host[:port]/path`` without credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the URL must be http(s)://host/path")
    if "@" in parts.netloc:
        raise ValueError("the URL must not carry a user name or password")


def exchange(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None = None,
    deadline_s: float,
    max_bytes: int,
) -> Answer:
    """Send one request; the answer, read within ``deadline_s`` and ``max_bytes``."""
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname or "",
            parts.port,
            timeout=deadline_s,
            context=ssl.create_default_context(),
        )
    else:
        connection = http.client.HTTPConnection(
            parts.hostname or "", parts.port, timeout=deadline_s
        )
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
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=dict(headers))
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while not expired.is_set():
            chunk = response.read(8192)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"the answer is longer than {max_bytes} bytes")
            chunks.append(chunk)
        if expired.is_set():
            raise TooSlow(f"no whole answer within {deadline_s:g} s")
        return Answer(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=b"".join(chunks),
        )
    except ExchangeError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise TooSlow(f"no whole answer within {deadline_s:g} s") from exc
        raise Unreachable(f"unreachable ({type(exc).__name__})") from exc
    finally:
        watchdog.cancel()
        connection.close()
