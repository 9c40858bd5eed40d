"""``GET /metrics``: the centre in Prometheus's text format (docs/central-api.md).

Two kinds of figures:

* counted per request, by :class:`MetricsMiddleware`, around the whole app:
  ``anjungan_http_requests_total{route,method,status}`` and the histogram
  ``anjungan_http_request_duration_seconds{route,method}``. ``route`` is the
  route's path template (``/t/{ticket_id}``), never the path itself, so no
  ticket, booking code or board token becomes a label; a path no route
  matched is ``unmatched``;
* on SQLite, ``anjungan_database_writes_waiting``: writes waiting for their turn
  among the process's writes or for SQLite's lock (central/write_queue.py), kept as
  they move, so a scrape tells it even while the database is busy; and
  ``anjungan_database_writes_refused_total``: writes refused at once because as many
  waited already as a process lets wait (answered 503, ``write queue full``);
* read from the database at each scrape (:class:`DatabaseFigures`): tickets
  waiting per office and service today, stale kiosks, and the message and
  integration outboxes. A database that does not answer within
  :data:`DATABASE_DEADLINE_S` leaves them out: the scrape still answers, with
  the request figures, in time.

With ``--workers N`` every worker counts into its own files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) and a
scrape, whichever worker answers it, sums them all.

Who may read it: a connection whose own peer is loopback or inside one of
``metrics_allow``, and that did not come through a proxy (any
``Forwarded``, ``X-Forwarded-For`` or ``X-Real-IP`` header). Everyone else
gets the answer of a path that does not exist: the proxy's public side
never learns there is anything here.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import ipaddress
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, func, select, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.database import Database
from central.integrations.outbox import DEAD as INTEGRATION_DEAD
from central.integrations.outbox import PENDING as INTEGRATION_PENDING
from central.messages.outbox import PENDING as MESSAGE_PENDING
from central.messages.outbox import SENDING as MESSAGE_SENDING
from central.office.fleet import stale_count
from central.office.numbering import local_day
from central.office.queue import WAITING
from central.readiness import OneAtATime
from central.tables import integration_outbox, messages, services, tickets
from central.workers import MULTIPROCESS_DIR_ENV, folder_lock, written

log = logging.getLogger(__name__)

PATH = "/metrics"
#: A scrape's database questions together may take this long (PostgreSQL cancels them).
STATEMENT_TIMEOUT_MS = 2000
#: The longest a scrape waits for the database figures, connecting included.
DATABASE_DEADLINE_S = 3.0
#: The seconds the latency histogram tells apart (kiosks are served at p95 <= 0.1 s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Headers a proxy adds: a request with any of them is from a client behind one.
_FORWARDED = frozenset({b"forwarded", b"x-forwarded-for", b"x-real-ip"})
_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
#: The path the access log may write for the request being answered (see logged_path).
_LOGGED_PATH: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "anjungan_logged_path", default=None
)
_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
#: What the access log writes for a request no route answered (its path may be anything).
UNROUTED = "[unrouted]"


def logged_path() -> str:
    """The path of the request being answered as the access log may write it: its
    route's template with every path parameter a placeholder (``/t/[ticket_id]``,
    ``/board/[token]/events``), so no ticket, token, complaint reference, booking
    code or NIK reaches the log, whichever route takes one; :data:`UNROUTED` for a
    request no route answered. Set by :class:`MetricsMiddleware` as the answer
    starts, in the request's own context, where uvicorn writes its access line."""
    return _LOGGED_PATH.get() or UNROUTED


def _loggable(route: str) -> str:
    return UNROUTED if route == "unmatched" else _PARAMETER.sub(r"[\1]", route)


#: This process's multiprocess folder; ``None``: its figures are kept in memory.
_multiprocess_folder: str | None = None


def use_multiprocess_mode() -> None:
    """In a worker, before its first metric: count into the folder its parent made.

    prometheus-client chooses how values are kept when it is imported, by
    ``PROMETHEUS_MULTIPROC_DIR``; the parent imported it before it made the
    folder, so a worker chooses again (the library's own ``values.get_value_class``).
    """
    global _multiprocess_folder
    folder = os.environ.get(MULTIPROCESS_DIR_ENV)
    if not folder:
        raise RuntimeError(f"{MULTIPROCESS_DIR_ENV} is not set")
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    _multiprocess_folder = folder


def use_single_process_mode() -> None:
    """Keep this process's figures in memory, whatever the environment says.

    A ``PROMETHEUS_MULTIPROC_DIR`` inherited from the environment belongs to
    someone else (another centre, a shell's leftover, a folder since removed):
    counting into it would mix two centres' figures or fail at every request.
    Only the centre's own parent sets the variable, for its workers."""
    global _multiprocess_folder
    os.environ.pop(MULTIPROCESS_DIR_ENV, None)
    values.ValueClass = values.MutexValue
    _multiprocess_folder = None


class Metrics:
    """The request counters of one app, and how to write every figure for a scrape."""

    def __init__(self, database: Database, zone: Any) -> None:
        if _multiprocess_folder is None:
            use_single_process_mode()  # nobody chose the workers' mode for this process
        self._folder = _multiprocess_folder
        # Not in any registry of their own: each scrape builds one (several apps in one
        # test process must not collide in prometheus-client's global registry).
        self.requests = Counter(
            "anjungan_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ("route", "method", "status"),
            registry=None,
        )
        self.duration = Histogram(
            "anjungan_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template.",
            ("route", "method"),
            buckets=LATENCY_BUCKETS,
            registry=None,
        )
        self.writes_waiting: Gauge | None = None
        self.writes_refused: Counter | None = None
        if database.writes is not None:
            self.writes_refused = Counter(
                "anjungan_database_writes_refused",
                "SQLite: writes refused at once, as many waiting already as may wait.",
                registry=None,
            )
            database.writes.watch_refusals(self.writes_refused.inc)
            self.writes_waiting = Gauge(
                "anjungan_database_writes_waiting",
                "SQLite: writes waiting for their turn or for the database's write lock.",
                registry=None,
                multiprocess_mode="livesum",
            )
            database.writes.watch(self.writes_waiting.set)
        self.database = DatabaseFigures(database, zone)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.duration.labels(route, method).observe(seconds)

    async def database_figures(self) -> list[Metric]:
        """The database's gauges, or none if it did not answer within the deadline."""
        try:
            return await self.database.asked.answer(DATABASE_DEADLINE_S)
        except TimeoutError:
            log.warning(
                "metrics: the database did not answer within %.0f s; its figures are left out",
                DATABASE_DEADLINE_S,
            )
            return []

    def exposition(self, figures: Iterable[Metric] = ()) -> bytes:
        """The request figures and ``figures`` in the text format."""
        registry = CollectorRegistry(auto_describe=False)
        if self._folder is not None:
            registry.register(_WorkersFiles(Path(self._folder)))
        else:
            registry.register(self.requests)
            registry.register(self.duration)
            if self.writes_waiting is not None:
                registry.register(self.writes_waiting)
            if self.writes_refused is not None:
                registry.register(self.writes_refused)
        registry.register(_Fixed(list(figures)))
        if self._folder is None:
            return generate_latest(registry)
        # Not while the parent folds a dead worker's files into the archive.
        with folder_lock(Path(self._folder), exclusive=False):
            return generate_latest(registry)


class _WorkersFiles(Collector):
    """Every worker's figures in ``folder``, summed (prometheus-client's
    ``MultiProcessCollector``), its files still empty left out (:func:`written`)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def collect(self) -> Iterable[Metric]:
        files = [str(path) for path in written(self._folder.glob("*.db"))]
        merged: Iterable[Metric] = multiprocess.MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]
        return merged


class _Fixed(Collector):
    def __init__(self, figures: list[Metric]) -> None:
        self._figures = figures

    def collect(self) -> Iterable[Metric]:
        return self._figures


class DatabaseFigures:
    """The gauges read from the database at each scrape."""

    def __init__(self, database: Database, zone: Any) -> None:
        self._db = database
        self._zone = zone
        #: The question on its own thread, one at a time (see OneAtATime).
        self.asked = OneAtATime(self.collect, "metrics-database")

    def collect(self) -> list[Metric]:
        """Every gauge (blocking); none when the database failed."""
        try:
            with self._db.read() as conn:
                if self._db.dialect == "postgresql":
                    conn.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
                figures = list(self._figures(conn))
        except Exception:
            log.warning("metrics: the database did not answer; its figures are left out")
            return []
        return figures

    def _figures(self, conn: Connection) -> Iterator[Metric]:
        now = dt.datetime.now(dt.UTC)
        waiting = GaugeMetricFamily(
            "anjungan_tickets_waiting",
            "Tickets of today waiting, per office and service.",
            labels=("office", "service"),
        )
        today = local_day(now, self._zone)
        counted = (
            select(services.c.office_id, services.c.id, func.count(tickets.c.id))
            .select_from(
                services.outerjoin(
                    tickets,
                    (tickets.c.service_id == services.c.id)
                    & (tickets.c.office_id == services.c.office_id)
                    & (tickets.c.day == today)
                    & (tickets.c.status == WAITING),
                )
            )
            .group_by(services.c.office_id, services.c.id)
        )
        for office, service, count in conn.execute(counted):
            waiting.add_metric((office, service), count)
        yield waiting
        yield GaugeMetricFamily(
            "anjungan_kiosks_stale",
            "Kiosks with a live token and no heartbeat within the fleet page's limit.",
            value=stale_count(conn, now),
        )
        pending = conn.execute(
            select(func.count()).where(messages.c.state.in_((MESSAGE_PENDING, MESSAGE_SENDING)))
        ).scalar_one()
        yield GaugeMetricFamily(
            "anjungan_message_outbox_pending",
            "Messages to citizens not yet sent (pending or being sent).",
            value=pending,
        )
        by_state = {
            (target, state): count
            for target, state, count in conn.execute(
                select(integration_outbox.c.target, integration_outbox.c.state, func.count())
                .where(integration_outbox.c.state.in_((INTEGRATION_PENDING, INTEGRATION_DEAD)))
                .group_by(integration_outbox.c.target, integration_outbox.c.state)
            )
        }
        targets = sorted({target for target, _ in by_state} | {"bpjs", "satusehat"})
        for state, name, what in (
            (INTEGRATION_PENDING, "pending", "not yet delivered"),
            (INTEGRATION_DEAD, "dead", "given up (staff may send them again)"),
        ):
            family = GaugeMetricFamily(
                f"anjungan_integration_outbox_{name}",
                f"Reports to BPJS and SATUSEHAT {what}, per target.",
                labels=("target",),
            )
            for target in targets:
                family.add_metric((target,), by_state.get((target, state), 0))
            yield family


class MetricsMiddleware:
    """Counts every request, and answers ``GET /metrics`` to those allowed to read it."""

    def __init__(self, app: ASGIApp, metrics: Metrics, allow: Iterable[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.allow = (*_LOOPBACK, *(ipaddress.ip_network(n, strict=False) for n in allow))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        readable = scope["path"] == PATH and scope["method"] in ("GET", "HEAD")

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # The route is known by now; uvicorn logs the line within this send.
                _LOGGED_PATH.set(_loggable(PATH if answered else _route_of(scope)))
            await send(message)

        answered = readable and self.may_read(scope)
        try:
            if answered:
                await self._answer(scope, counting_send)
            else:
                await self.app(scope, receive, counting_send)
        finally:
            route = PATH if answered else _route_of(scope)
            method = scope["method"] if scope["method"] in _METHODS else "other"
            self.metrics.observe(route, method, status, time.perf_counter() - started)

    def may_read(self, scope: Scope) -> bool:
        if any(name in _FORWARDED for name, _ in scope.get("headers", ())):
            return False
        client = scope.get("client")
        if not client:
            return False
        try:
            peer = ipaddress.ip_address(client[0])
        except ValueError:
            return False
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
            peer = peer.ipv4_mapped
        return any(peer in network for network in self.allow)

    async def _answer(self, scope: Scope, send: Send) -> None:
        figures = await self.metrics.database_figures()
        body = await asyncio.to_thread(self.metrics.exposition, figures)
        headers = [
            (b"content-type", CONTENT_TYPE_LATEST.encode("latin-1")),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    if route is None and "app_root_path" in scope:
        # A mounted folder of files (/static) sets no route; it moved root_path on.
        mounted = str(scope.get("root_path", ""))[len(str(scope["app_root_path"])) :]
        if mounted:
            return f"{mounted}/{{path}}"  # the file is its parameter
    return "unmatched"
