"""The sockets under :mod:`kiosk.client.client`: a deadline per call, a cap per answer,
the system's certificate authorities.

:meth:`CentralClient._send <kiosk.client.client.CentralClient._send>` stays the one
place that sends; it uses the three guards here, so every call has all three.

**A total deadline per call.** ``requests``' ``timeout=(connect, read)`` bounds each
socket operation, not the call: a centre that sent one byte every half second held a
1.5 s lookup and a 0.8 s number allocation for 33 s. Reading with ``stream=True`` and
shrinking the socket timeout before each read does not help either: the TLS handshake
runs inside ``wrap_socket`` and urllib3 (http.client) reads the status line and the
headers itself, one ``readline`` at a time, so a drip there never reaches the caller.
Only something outside the reading thread can bound all of it. Each call therefore
opens a :class:`Watch` (:func:`deadline`); the connections it makes or reuses register
their socket with it (:class:`_WatchedHTTPConnection`), and one reaper thread for the
whole process shuts those sockets down (``shutdown(SHUT_RDWR)``) when the call's
deadline passes. That wakes whatever read or write was blocked — connect, TLS
handshake, request, status line, headers, body — and the call ends with
:class:`~kiosk.client.errors.CentralUnavailable` "timed out after N s". The reaper
holds a duplicate of each descriptor (``socket.fromfd``), closed when the call ends,
so it can never shut down a socket the call no longer owns whose number was reused.
One reaper rather than a ``threading.Timer`` per call: no thread started per request
(the outbox drain sends thousands), and it exits when no call has been watched for a
minute. The per-read timeout stays as well (set to the whole deadline). Name
resolution is the one step it cannot cut short (``getaddrinfo`` blocks in C): use an
address or a name ``/etc/hosts`` resolves where that matters.

**A cap per answer.** The body is read with ``stream=True`` in chunks of
:data:`CHUNK` bytes with ``decode_content=True``, so gzip and deflate are inflated a
chunk at a time (urllib3 2.6 and later inflate at most the amount asked for per
read), and reading stops once :data:`ANSWER_CAPS` for the call's kind is passed: a
1 MB gzip body that inflates to 1 GiB costs the kiosk one cap of memory, not 5 GB. A
``Content-Length`` above the cap is refused before any body is read.

**The system's trust.** ``requests`` trusts certifi's list alone, so a city's own
certificate authority installed in the system store was ignored. The client verifies
against OpenSSL's default paths instead (``ssl.create_default_context()``: on Debian
``/etc/ssl/certs``, kept by ``update-ca-certificates``; ``SSL_CERT_FILE`` and
``SSL_CERT_DIR`` move them), plus ``central.ca_bundle`` if set. The stdlib context
rather than the ``truststore`` package: the kiosk runs on Linux, where truststore
too ends in OpenSSL's default paths, so it would add a dependency and no trust. The
session ignores the environment (``trust_env`` off): no ``REQUESTS_CA_BUNDLE``, no
``HTTPS_PROXY``, no ``.netrc``; the kiosk talks to ``central.url`` and nothing else.
The context is built at a session's first ``https`` connection: loading the system's
authorities takes some 0.1 s of CPU, which a centre on plain HTTP never needs.
"""

from __future__ import annotations

import contextlib
import os.path
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, Literal

import requests
import urllib3.connection
import urllib3.connectionpool
from requests.adapters import HTTPAdapter

from kiosk.client.errors import AnswerTooLarge, TrustUnusable

if TYPE_CHECKING:
    from requests.adapters import _HostParams, _PoolKwargs
    from urllib3.poolmanager import PoolManager

__all__ = [
    "ANSWER_CAPS",
    "AnswerKind",
    "Watch",
    "deadline",
    "new_session",
    "read_capped",
    "trust_context",
]

KIB: Final = 1024
MIB: Final = 1024 * KIB

#: What kind of answer a call expects, for its size cap.
AnswerKind = Literal["document", "bookings", "list", "small"]

#: The most bytes an answer may hold once inflated, by kind. Documents: a revocation
#: list of a million card numbers is about 14 MiB. Bookings: today's 5000 bookings
#: of an office at most, some 2 MiB at the longest names. Lists: 500 submission results,
#: a citizen's applications, beds and doctors, the queue. Small: everything else
#: (enrolment, a lookup, an allocation, a lease, a heartbeat, health, error bodies).
ANSWER_CAPS: Final[dict[AnswerKind, int]] = {
    "document": 16 * MIB,
    "bookings": 4 * MIB,
    "list": 1 * MIB,
    "small": 64 * KIB,
}

#: Bytes asked for per read of a body (after inflating).
CHUNK: Final = 16 * KIB

#: Seconds the reaper waits idle before its thread ends (the next call starts another).
_REAPER_IDLE_S: Final = 60.0


# -- the deadline --------------------------------------------------------------------------
class Watch:
    """One call's deadline and the sockets it has used (duplicates, for the reaper)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.due = time.monotonic() + seconds
        #: Set (by the reaper) once the deadline passed and the sockets were shut down.
        self.expired = False
        self.done = False
        self.sockets: list[socket.socket] = []

    def cut(self) -> None:
        """Shut the call's sockets down: any blocked read or write returns at once."""
        self.expired = True
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Reaper:
    """One thread for the process that cuts the calls whose deadline has passed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watches: set[Watch] = set()
        self._thread: threading.Thread | None = None

    def start(self, seconds: float) -> Watch:
        watch = Watch(seconds)
        with self._cond:
            self._watches.add(watch)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="central-deadlines", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return watch

    def add(self, watch: Watch, sock: socket.socket) -> None:
        """Watch ``sock`` for ``watch``'s call (cut at once if its time is already up)."""
        try:
            duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:
            return  # closed already: nothing left to wake
        with self._cond:
            if watch.done:
                duplicate.close()
                return
            watch.sockets.append(duplicate)
            if watch.expired:
                watch.cut()

    def finish(self, watch: Watch) -> None:
        with self._cond:
            self._watches.discard(watch)
            watch.done = True
            sockets, watch.sockets = watch.sockets, []
        for sock in sockets:
            sock.close()  # a duplicate: the connection itself stays open for reuse

    def _run(self) -> None:
        with self._cond:
            idle_since = time.monotonic()
            while True:
                now = time.monotonic()
                for watch in [w for w in self._watches if w.due <= now]:
                    self._watches.discard(watch)
                    watch.cut()
                if self._watches:
                    idle_since = now
                    self._cond.wait(min(w.due for w in self._watches) - now)
                elif now - idle_since >= _REAPER_IDLE_S:
                    self._thread = None
                    return
                else:
                    self._cond.wait(_REAPER_IDLE_S)


_REAPER = _Reaper()
_current = threading.local()


@contextlib.contextmanager
def deadline(seconds: float, sent: Callable[[], None] | None = None) -> Iterator[Watch]:
    """Bound everything the calling thread sends and reads inside to ``seconds`` in total.

    ``sent`` is called once, on the calling thread, as soon as the first request made
    inside is written whole to its socket, before its answer is read: work that can
    wait for the network (while the other side answers) starts then, not before, so
    it never holds the interpreter from the thread sending the request.
    """
    watch = _REAPER.start(seconds)
    _current.watch = watch
    _current.sent = sent
    try:
        yield watch
    finally:
        _current.watch = None
        _current.sent = None
        _REAPER.finish(watch)


def _watch_socket(sock: socket.socket | None) -> None:
    watch: Watch | None = getattr(_current, "watch", None)
    if watch is not None and sock is not None:
        _REAPER.add(watch, sock)


def _request_written() -> None:
    """The request is on the wire: the calling thread's ``sent`` hears it, once."""
    sent: Callable[[], None] | None = getattr(_current, "sent", None)
    if sent is not None:
        _current.sent = None
        sent()


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """An HTTP connection whose socket the calling thread's :class:`Watch` can cut."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch_socket(sock)  # before the TLS handshake, which happens on this socket
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_socket(self.sock)  # a kept-alive connection, reused by this call
        super().request(*args, **kwargs)  # the request line, headers and body, written
        _request_written()


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch_socket(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_socket(self.sock)
        super().request(*args, **kwargs)
        _request_written()


class _WatchedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


# -- trust -------------------------------------------------------------------------------
def trust_context(ca_bundle: str = "") -> ssl.SSLContext:
    """A verifying TLS context: the system's authorities, plus ``ca_bundle`` (file or folder).

    Raises :class:`OSError` or :class:`ssl.SSLError` if ``ca_bundle`` cannot be loaded.
    """
    context = ssl.create_default_context()  # OpenSSL's default paths (SSL_CERT_FILE/DIR)
    if ca_bundle:
        path = os.path.expanduser(ca_bundle)
        if os.path.isdir(path):
            context.load_verify_locations(capath=path)
        else:
            context.load_verify_locations(cafile=path)
    return context


class _CentralAdapter(HTTPAdapter):
    """Watched connections, and TLS verified against :func:`trust_context` alone.

    The context is built at the first ``https`` connection, not with the session:
    loading the system's authorities costs some 0.1 s of CPU, which a kiosk whose
    centre is on plain HTTP (the demo, a loopback centre) never needs. A bundle that
    cannot be loaded fails each ``https`` request (:class:`TrustUnusable`); the
    configuration's check refuses it before any (kiosk/config.py).
    """

    def __init__(self, ca_bundle: str) -> None:
        self._ca_bundle = ca_bundle
        self._context: ssl.SSLContext | None = None
        self._building = threading.Lock()
        super().__init__(max_retries=0)

    def _trust(self) -> ssl.SSLContext:
        with self._building:
            if self._context is None:
                try:
                    self._context = trust_context(self._ca_bundle)
                except (OSError, ssl.SSLError) as exc:
                    raise TrustUnusable(str(exc)) from exc
            return self._context

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        manager: PoolManager = self.poolmanager
        manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def build_connection_pool_key_attributes(
        self,
        request: requests.PreparedRequest,
        verify: bool | str,
        cert: tuple[str, str] | str | None = None,
    ) -> tuple[_HostParams, _PoolKwargs]:
        host, pool = super().build_connection_pool_key_attributes(request, verify, cert)
        if host["scheme"] == "https":  # one context per session: one pool per host
            pool["ssl_context"] = self._trust()
        return host, pool

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # requests would add certifi's list to the context here (and turn checking
        # off for verify=False): the context's own trust is the whole of it.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


def new_session(ca_bundle: str = "") -> requests.Session:
    """A session whose every connection is watched and verified by :func:`trust_context`
    (built at its first ``https`` connection)."""
    session = requests.Session()
    session.trust_env = False
    adapter = _CentralAdapter(ca_bundle)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# -- the cap -------------------------------------------------------------------------------
def read_capped(response: requests.Response, cap: int) -> bytes:
    """The body of a ``stream=True`` response, inflated; :class:`AnswerTooLarge` past ``cap``."""
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > cap):
        raise AnswerTooLarge(cap)
    body = bytearray()
    for chunk in response.iter_content(CHUNK):
        body += chunk
        if len(body) > cap:
            raise AnswerTooLarge(cap)
    return bytes(body)
