"""An open-loop HTTP/1.1 load generator on asyncio, for loopback only.

Requests are sent at the times a schedule gives, whether or not earlier ones
have finished (open loop), so a slow server shows up as latency instead of
as fewer requests ("coordinated omission"). A request's latency runs from its
scheduled time to the last byte of its answer: time spent waiting for a free
connection counts, as it would for a kiosk.

A small client of our own instead of a library: it needs keep-alive
connections, ``Content-Length`` and chunked bodies, and nothing else, and it
keeps the generator cheap enough to leave most of the CPU to the server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    #: Seconds after the start of the run.
    at: float
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    #: Statuses that count as success.
    ok: tuple[int, ...] = (200,)


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    #: How late the generator itself sent requests, worst case (its own health).
    worst_send_lag_ms: float = 0.0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


#: Connections idle longer than this are closed instead of reused: the server
#: drops idle keep-alive connections itself (uvicorn after 5 s), and a request
#: sent on one it is dropping would fail for a reason no real client meets
#: (they reconnect in the same way).
MAX_IDLE_S = 3.0
#: How long the end of a run waits for its connections to close.
CLOSE_S = 5.0


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.last_used = 0.0

    async def exchange(self, host: str, request: Request) -> int:
        lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in request.headers]
        if request.body or request.method in {"POST", "PUT", "PATCH"}:
            lines.append(f"Content-Length: {len(request.body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif status not in (204, 304):
            await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            raise ConnectionResetError("server closed the connection")
        return status

    def close(self) -> None:
        self.writer.close()


async def _run(
    host: str,
    port: int,
    schedule: Sequence[Request],
    connections: int,
    timeout_s: float,
    tls: ssl.SSLContext | None,
) -> Outcome:
    outcome = Outcome()
    # Last in, first out: busy connections stay warm, spare ones go idle and close.
    pool: asyncio.LifoQueue[_Connection | None] = asyncio.LifoQueue()
    for _ in range(connections):
        pool.put_nowait(None)  # opened on first use
    loop = asyncio.get_running_loop()
    start = loop.time()
    #: Every connection opened, so all are closed before the loop ends.
    opened: list[asyncio.StreamWriter] = []

    async def one(request: Request) -> None:
        delay = start + request.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        outcome.worst_send_lag_ms = max(
            outcome.worst_send_lag_ms, (loop.time() - start - request.at) * 1000.0
        )
        connection = await pool.get()
        if connection is not None and loop.time() - connection.last_used > MAX_IDLE_S:
            connection.close()
            connection = None
        try:
            if connection is None:
                # The TLS handshake, when any, counts in the request's latency, as a
                # kiosk's first request on a new connection pays it.
                reader, writer = await asyncio.open_connection(host, port)
                opened.append(writer)
                if tls is not None:
                    await writer.start_tls(tls, server_hostname=host)
                connection = _Connection(reader, writer)
            status = await asyncio.wait_for(connection.exchange(host, request), timeout_s)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            # ssl.SSLError is an OSError: a refused certificate is counted like the rest.
            outcome.error(type(exc).__name__)
            if connection is not None:
                connection.close()
            pool.put_nowait(None)
            return
        connection.last_used = loop.time()
        pool.put_nowait(connection)
        if status not in request.ok:
            outcome.error(f"HTTP {status} on {request.method} {request.path.split('?')[0]}")
            return
        outcome.latencies_ms.append((loop.time() - start - request.at) * 1000.0)

    await asyncio.gather(*(one(request) for request in schedule))
    # Closed and waited for: a TLS connection's socket closes only after its shutdown,
    # which would otherwise be left to the garbage collector once the loop is gone.
    for writer in opened:
        writer.close()
    closing = asyncio.gather(*(w.wait_closed() for w in opened), return_exceptions=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(closing, CLOSE_S)
    return outcome


def run_schedule(
    host: str,
    port: int,
    schedule: Sequence[Request],
    *,
    connections: int = 64,
    timeout_s: float = 10.0,
    tls: ssl.SSLContext | None = None,
) -> Outcome:
    """Send every request at its time over at most ``connections`` keep-alive connections
    (``tls``: HTTPS, the context saying which CA to trust).

    From any thread: where one already runs an event loop (a test process whose
    browser is driven through Playwright's sync API runs one on its main thread), the
    schedule runs on an event loop of its own, on a thread of its own.
    """
    if host not in {"127.0.0.1", "::1", "localhost"}:
        raise ValueError("the load generator only targets loopback")

    def run() -> Outcome:
        return asyncio.run(_run(host, port, schedule, connections, timeout_s, tls))

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # none here: the usual case
        return run()
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="http-load") as apart:
        return apart.submit(run).result()
