"""A city's SMS/WhatsApp gateway as the centre's ``webhook`` provider meets it, on 127.0.0.1.

It checks every POST the way a gateway would: the ``Idempotency-Key``, a
timestamp within five minutes, and the HMAC-SHA256 signature over
``timestamp.key.body`` with the shared secret (computed here with :mod:`hmac`
alone, never with the centre's code). A bad one is answered 401 and
counted in :attr:`Gateway.bad_signatures`.

It keeps each key once: the first accepted POST of a key is a *delivery*
(the SMS a citizen would get); a later POST of the same key answers 200 and
is counted as a duplicate, as real gateways honour idempotency keys.
Every POST is kept in :attr:`Gateway.posts` (key, what was answered, when).

And it misbehaves on demand: :meth:`down` closes the port (connections
refused) until :meth:`up`; :meth:`misbehave` makes the first ``times``
POSTs of every key answer 500, 503, 400, 429 with ``Retry-After`` (or any
``Retry-After`` given as it is, even on a 200), or take
``delay_s`` before answering (the message is accepted, but after the
sender's deadline: its retry must not make a second delivery).

And it holds every POST on demand: after :meth:`hold`, each POST waits unanswered,
its key in :attr:`Gateway.held`, until :meth:`release`; a test sees what the
senders are sending at one moment, whatever the machine's speed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: How old a signed timestamp may be.
TOLERANCE_S = 300
#: The longest a held POST waits for :meth:`Gateway.release` (a bound, never a speed).
HELD_AT_MOST_S = 300.0


@dataclass(frozen=True)
class Post:
    key: str
    status: int
    at: float  # time.time() when it was answered (for Retry-After, the time it was refused)
    sender: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Misbehaviour:
    kind: str  # "500", "503", "400" (a refusal), "429", "slow" or "200" (with retry_after)
    times: int = 1
    retry_after_s: int = 1
    delay_s: float = 0.0
    #: A ``Retry-After`` sent as it is, whatever the answer (a gateway's odd one).
    retry_after: str | None = None


class Gateway:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.lock = threading.Lock()
        self.posts: list[Post] = []
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.bad_signatures = 0
        self.misbehaviour: Misbehaviour | None = None
        self._seen: dict[str, int] = {}
        #: The keys of the POSTs waiting unanswered since :meth:`hold`, in arrival order.
        self.held: list[str] = []
        self._open = threading.Event()
        self._open.set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    def up(self) -> None:
        """Listen (again, on the same port after :meth:`down`)."""
        handler = type("Handler", (_Handler,), {"gateway": self})
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def listening(self) -> bool:
        return self._server is not None

    def down(self) -> None:
        """Stop listening: every connection is refused until :meth:`up`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)

    def close(self) -> None:
        self.release()
        self.down()

    def hold(self) -> None:
        """Keep every POST from now on waiting, unanswered, until :meth:`release`."""
        self._open.clear()

    def release(self) -> None:
        """Answer the held POSTs, and every later one, as usual."""
        self._open.set()

    def held_keys(self) -> list[str]:
        """The keys of the POSTs held now, in arrival order."""
        with self.lock:
            return list(self.held)

    def misbehave(self, kind: str, times: int = 1, **options: Any) -> None:
        self.misbehaviour = Misbehaviour(kind, times, **options)

    def posts_of(self, key: str) -> list[Post]:
        with self.lock:
            return [p for p in self.posts if p.key == key]

    def valid(self, headers: Any, body: bytes) -> bool:
        stamp = headers.get("X-Anjungan-Timestamp") or ""
        given = headers.get("X-Anjungan-Signature") or ""
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE_S:
            return False
        key = headers.get("Idempotency-Key") or ""
        signed = stamp.encode() + b"." + key.encode() + b"." + body
        mac = hmac.new(self.secret, signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(given, f"sha256={mac}")

    def answer(self, headers: Any, body: bytes) -> tuple[int, dict[str, str]]:
        """What to answer a POST: (status, extra headers); records it."""
        key = headers.get("Idempotency-Key") or ""
        sender = headers.get("User-Agent") or ""
        if not key or not self.valid(headers, body):
            with self.lock:
                self.bad_signatures += 1
                self.posts.append(Post(key, 401, time.time(), sender, body, dict(headers)))
            return 401, {}
        if not self._open.is_set():
            with self.lock:
                self.held.append(key)
            try:
                self._open.wait(HELD_AT_MOST_S)
            finally:
                with self.lock:
                    self.held.remove(key)
        with self.lock:
            nth = self._seen.get(key, 0) + 1
            self._seen[key] = nth
        trouble = self.misbehaviour
        extra: dict[str, str] = {}
        status = 200
        if trouble is not None and nth <= trouble.times:
            if trouble.kind in ("500", "503", "400", "200"):
                status = int(trouble.kind)
            elif trouble.kind == "429":
                status = 429
                extra["Retry-After"] = str(trouble.retry_after_s)
            elif trouble.kind == "slow":
                time.sleep(trouble.delay_s)
            if trouble.retry_after is not None:
                extra["Retry-After"] = trouble.retry_after
        with self.lock:
            if status == 200 and key not in self.deliveries:
                self.deliveries[key] = json.loads(body)
            self.posts.append(Post(key, status, time.time(), sender, body, dict(headers)))
        return status, extra


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1 << 20))
        status, extra = self.gateway.answer(self.headers, body)
        reply = json.dumps({"status": "ok" if status == 200 else "error"}).encode()
        try:
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting (the slow case): the message stays accepted

    def log_message(self, format: str, *args: Any) -> None:
        pass
