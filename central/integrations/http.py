"""One HTTP exchange with an outside service: one total deadline and a cap on the answer.

Every call to BPJS or SATUSEHAT goes through :func:`exchange`. The deadline
covers connecting, sending and reading the whole answer (a watchdog shuts
the socket however slowly the service dribbles); an answer longer than the
cap is refused, never read on. TLS is always verified, against one context
per process and trust configuration (:func:`trust_context`). An answer's JSON
is read with :func:`parse_json` (a nesting limit: garbage, never a crash).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from central.errors import ExchangeError, TooLarge, TooSlow, Unreachable
from contract.shown import shape, shown_repr


#: A service's answer may hold a patient's data (SATUSEHAT's Patient, BPJS's echo).
@shown_repr(body=shape)
@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


#: The deepest nesting an answer may have: BPJS and SATUSEHAT answers are a few levels
#: deep; a deeper one is garbage (and would exhaust the interpreter's recursion).
MAX_DEPTH = 64


def parse_json(raw: bytes | str) -> Any:
    """An answer's JSON; ``ValueError`` if it is not JSON, is not UTF-8 or nests deeper
    than :data:`MAX_DEPTH` (every answer from an outside service is read through this)."""
    try:
        data = json.loads(raw)
    except RecursionError as exc:
        raise ValueError("the JSON nests too deeply") from exc
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ValueError("the JSON nests too deeply")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return data


def check_url(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is ``http(s)://host[:port]/path`` without credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the URL must be http(s)://host/path")
    if "@" in parts.netloc:
        raise ValueError("the URL must not carry a user name or password")


#: The environment variables that move OpenSSL's default trust (read when a context is built).
TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR")
_contexts: dict[tuple[str | None, ...], ssl.SSLContext] = {}
_building = threading.Lock()


def trust_context() -> ssl.SSLContext:
    """The verifying TLS context of every ``https`` exchange: the system's authorities
    (OpenSSL's default paths: on Debian ``/etc/ssl/certs``; :data:`TRUST_VARIABLES` move
    them).

    One per process and trust configuration (the values of :data:`TRUST_VARIABLES`),
    built at the first ``https`` exchange that needs it and shared by every later one:
    loading the system's authorities costs some 0.1 s of CPU, which each call to BPJS
    and SATUSEHAT paid. Another configuration (a CA file named by ``SSL_CERT_FILE``)
    gets a context of its own. A context is shared between threads safely (each
    connection has its own TLS state); the lock keeps two first exchanges from
    building two. The system's store is read when the context is built: a city's
    authority installed in it later is trusted once the centre is restarted.
    """
    key = tuple(os.environ.get(name) for name in TRUST_VARIABLES)
    with _building:
        context = _contexts.get(key)
        if context is None:
            context = _contexts[key] = ssl.create_default_context()
        return context


class _Watch:
    """The sockets of one exchange, shut down when its deadline passes.

    It keeps a duplicate of each socket the moment ``connect`` creates it,
    never ``connection.sock``: http.client drops that (``sock = None``) as
    soon as it reads an answer that will close the connection (HTTP/1.0,
    ``Connection: close``), while the body is still being read from it.
    Shutting down the duplicate wakes every blocked read of the original
    (one connection, two descriptors); the duplicate is closed when the
    exchange ends, so a reused descriptor number is never touched.
    """

    def __init__(self) -> None:
        self.expired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._done = False

    def keep(self, sock: socket.socket) -> socket.socket:
        try:
            duplicate = sock.dup()
        except OSError:
            return sock
        with self._lock:
            if self._done:
                duplicate.close()
                return sock
            self._sockets.append(duplicate)
        if self.expired.is_set():
            self.cut()
        return sock

    def cut(self) -> None:
        self.expired.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        with self._lock:
            self._done = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()


def _watched(connection: http.client.HTTPConnection, watch: _Watch) -> None:
    create = socket.create_connection

    def connect(
        address: tuple[str, int], timeout: float | None = None, source: Any = None
    ) -> socket.socket:
        return watch.keep(create(address, timeout, source))

    connection._create_connection = connect  # type: ignore[attr-defined]


@contextlib.contextmanager
def watched_connection(
    scheme: str, host: str, port: int | None, deadline_s: float
) -> Iterator[tuple[http.client.HTTPConnection, threading.Event]]:
    """A connection to ``host`` whose every socket is shut down ``deadline_s``
    after it opens, and the event set when that happened (every client here
    that holds a total deadline: this module, central/messages/providers.py).
    TLS (``scheme`` ``https``) is always verified (:func:`trust_context`)."""
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=deadline_s, context=trust_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=deadline_s)
    watch = _Watch()
    _watched(connection, watch)
    watchdog = threading.Timer(deadline_s, watch.cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield connection, watch.expired
    finally:
        watchdog.cancel()
        connection.close()
        watch.finish()


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
    watched = watched_connection(parts.scheme, parts.hostname or "", parts.port, deadline_s)
    with watched as (connection, expired):
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
