"""The central server's HTTP application.

:func:`create_app` builds a FastAPI app from :class:`CentralSettings`. All
the work that can fail on a bad configuration happens here, once, before
anything is served: the files to load are read and checked, the database is
migrated to head, the catalog, trust lists and demo data are published.

Endpoints (every one in docs/central-api.md; the schema at ``/openapi.json``):

* ``GET /health``: liveness and the package version (public);
* ``GET /ready``: the database answers at the schema's head (public);
* ``GET /metrics``: Prometheus figures (loopback and ``--metrics-allow`` only);
* ``POST /api/v1/enrol``: a kiosk trades an enrolment code for a token (public);
* ``GET /api/v1/catalog``, ``/trust``, ``/revocations``: versioned documents
  with ETags (kiosks);
* ``POST /api/v1/citizens/lookup``: a citizen's record, audited (kiosks);
* ``/api/v1/kiosks/me``, ``/tickets/allocate``, ``/leases``, ``/queue``,
  ``/submissions``: the kiosk's queue numbers and outbox (kiosks);
* ``/api/v1/public/tickets/{id}`` and ``/t/{id}``: a ticket's status (public);
* ``/api/v1/staff/...``: login (public), me, logout, enrolment codes and
  kiosk revocation (admins);
* ``/api/v1/wsrs/...``: the endpoints BPJS's Mobile JKN calls, with their own
  token (on only with a ``[bpjs]`` WS RS account, docs/bpjs-wsrs.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from http import HTTPStatus
from importlib import metadata
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central import readiness, web
from central.access.audit import audit_key, utc_now
from central.access.ratelimit import RateLimiter
from central.api import include_routers, wsrs
from central.api.deps import AppContext
from central.database import Database, migrate, migrations_head
from central.documents.catalog import has_catalog, load_catalog
from central.documents.versioned import etag_matches
from central.errors import ApiError, CatalogLoadError, SeedError, WriteQueueTimeout
from central.hospital import demo as hospital_demo
from central.integrations.sender import record_targets, sender_of
from central.late_outage import LateOutage
from central.live import LiveFeed
from central.messages.sender import Sender, policy_of, provider_of
from central.metrics import Metrics, MetricsMiddleware
from central.office.bookings import mark_no_shows
from central.outage import outage_of
from central.seed import load_startup_data, read_startup_files
from central.settings import CentralSettings
from central.voice import Voice
from central.web.problems import problem_page, wants_page
from central.write_queue import most_waiting_for
from central.wsrs.tokens import WsRsAccount
from contract.wire import ErrorCode

__all__ = ["create_app", "etag_matches", "load_catalog", "package_version", "prepare_database"]

log = logging.getLogger(__name__)


def prepare_database(settings: CentralSettings, database: Database) -> None:
    """Migrate ``database`` and publish the start-up files and demo data into it.

    Raises what :func:`create_app` raises. Done once per start: by
    :func:`create_app` itself, or by the parent of ``--workers N`` before it
    starts the workers (which then build theirs with ``prepared=True``).
    """
    startup = read_startup_files(settings)
    _ws_rs_account(settings)
    migrate(database)
    load_startup_data(database, startup)
    with database.read() as conn:
        if not has_catalog(conn):
            raise CatalogLoadError(
                "no catalog configured: give a catalog file (--catalog PATH) "
                "or serve the demo catalog (--seed-demo)"
            )
    audit_key(database, settings.audit_key)  # a stored key is made once, here
    record_targets(database, settings.integrations)


def open_database(settings: CentralSettings) -> Database:
    """The database ``settings`` name, with their pool size and SQLite busy wait: the one
    way a server process opens it, alone or as the supervisor of several."""
    return Database(
        settings.resolved_db_url,
        pool_size=settings.db_pool_size,
        busy_timeout_s=settings.sqlite_busy_timeout_s,
    )


def create_app(
    settings: CentralSettings, *, db: Database | None = None, prepared: bool = False
) -> FastAPI:
    """Build the app on a migrated, loaded database.

    Raises :class:`CatalogLoadError` or :class:`central.errors.SeedError` for a
    bad file, :class:`central.errors.DatabaseError` or SQLAlchemy's
    ``OperationalError`` for an unusable database. ``db`` (tests) overrides
    ``settings.db_url``; the app does not dispose of it. ``prepared``: another
    process has already run :func:`prepare_database` for this start.
    """
    ws_rs = _ws_rs_account(settings)
    database = db or open_database(settings)
    if database.writes is not None:
        # Each write waiting for its turn holds a route's thread: all but the readers'.
        database.writes.most_waiting = most_waiting_for(settings.sqlite_route_threads)
    if not prepared:
        prepare_database(settings, database)
    context = AppContext(
        settings=settings,
        db=database,
        limiter=RateLimiter(settings.rate_per_minute, settings.rate_burst),
        auth_limiter=RateLimiter(settings.auth_rate_per_minute, settings.auth_rate_per_minute),
        audit_key=audit_key(database, settings.audit_key),
        live=LiveFeed(database),
        voice=Voice(settings.voice_dir, settings.resolved_voice_cache),
    )
    context.voice.warm()
    # Every server process sends: claims keep two from sending one message.
    sender = Sender(database, provider_of(settings), policy_of(settings), settings.zone)
    # Which integrations are on was recorded by prepare_database; each process sends.
    integration_sender = sender_of(
        database, settings.integrations, settings.zone, context.audit_key
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if database.writes is not None:
            use_route_threads(settings.sqlite_route_threads, database.writes.most_waiting)
        sender.start()
        integration_sender.start()
        # Reads mark no-shows too; the tick keeps staff's lists and counts current, and
        # closes a lapsed Mobile JKN booking's visit when no request comes for it.
        tick = asyncio.create_task(mark_no_shows_every(database, settings.no_show_tick_s))
        try:
            yield
        finally:
            tick.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await tick
            sender.stop()
            integration_sender.stop()
            context.live.close()

    version = package_version()
    app = FastAPI(
        title="Anjungan central",
        version=version,
        summary="The city's reference server for Anjungan kiosks (docs/central-api.md).",
        # The interactive docs pull scripts from a CDN; the schema stays available.
        docs_url=None,
        redoc_url=None,
        max_body_size=settings.max_body_bytes,
        lifespan=lifespan,
    )
    app.state.central = context
    install_error_handlers(app)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness and the server's version; no credentials needed."""
        return {"status": "ok", "version": version}

    is_ready = readiness.ReadinessCheck(database, migrations_head())

    @app.get("/ready", tags=["meta"], responses={503: {"description": "Not ready"}})
    async def ready() -> JSONResponse:
        """Whether the database answers and its schema is at head; no credentials needed."""
        found = await is_ready()
        if found.ready:
            return JSONResponse({"ready": True})
        return JSONResponse({"ready": False, "reason": found.reason}, 503)

    include_routers(app)
    web.install(app)
    bpjs = settings.integrations.bpjs
    wsrs.install(
        app,
        ws_rs,
        rate_per_minute=bpjs.ws_rs_rate_per_minute if bpjs is not None else 1,
    )
    build_stack = app.build_middleware_stack
    metrics = Metrics(database, settings.zone)
    # The server's body cap answers before any route (TooLargeAnswer); outside it,
    # every request is counted, and /metrics answered to those who may read it.
    # Inside both, an outage after an answer began (a board's stream) ends it whole.
    app.build_middleware_stack = lambda: MetricsMiddleware(  # type: ignore[method-assign]
        TooLargeAnswer(LateOutage(build_stack())), metrics, settings.metrics_allow
    )
    schema = app.openapi

    def openapi() -> dict[str, Any]:
        # The hospital examples name today's demo doctor (one schedule per weekday).
        return hospital_demo.with_todays_examples(schema(), dt.datetime.now(settings.zone))

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _ws_rs_account(settings: CentralSettings) -> WsRsAccount | None:
    """The WS RS account of the integrations file's ``[bpjs]``, or ``None`` (BPJS off)."""
    bpjs = settings.integrations.bpjs
    if bpjs is None:
        return None
    try:
        return WsRsAccount(bpjs.ws_rs_username, bpjs.ws_rs_password)
    except ValueError as exc:
        raise SeedError(f"the integrations file's [bpjs] cannot be used: {exc}") from None


def use_route_threads(threads: int, most_waiting: int | None) -> None:
    """Answer this process's routes on ``threads`` threads (SQLite): more than the
    ``most_waiting`` writes that may wait for their turn, each holding one, so readers
    always find a thread (central/write_queue.py).

    Starlette runs each route that is no coroutine, and each ``run_in_threadpool``, on
    anyio's default thread limiter (40 unless told), one per event loop: called in the
    server's running loop (its lifespan), so it holds in every worker process.
    """
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    log.info(
        "SQLite: routes answered on up to %d threads; at most %s writes wait for the"
        " database at once, one more is answered 503",
        threads,
        most_waiting,
    )


async def mark_no_shows_every(database: Database, every_s: float) -> None:
    """Mark no-shows every ``every_s`` (``--no-show-tick``), the first ``every_s`` after the
    start; any number of processes may do it at once.

    A database busy or away is said once, as a warning, and again when a tick goes
    through (a traceback a tick was logged for as long as it lasted); any other fault
    with its traceback, every time.
    """
    waiting = False
    while True:
        await asyncio.sleep(every_s)
        try:
            await asyncio.to_thread(_mark_no_shows, database)
        except Exception as exc:  # the next tick tries again
            outage = outage_of(exc)
            if outage is None:
                log.exception("marking no-shows failed; trying again in %g s", every_s)
            elif not waiting:
                log.warning(
                    "marking no-shows waits: %s; trying again every %g s", outage.said, every_s
                )
            waiting = outage is not None
        else:
            if waiting:
                log.warning("marking no-shows goes on: the database answers again")
            waiting = False


def _mark_no_shows(database: Database) -> None:
    with database.begin() as conn:
        mark_no_shows(conn, utc_now())


def package_version() -> str:
    try:
        return metadata.version("anjungan")
    except metadata.PackageNotFoundError:
        return "dev"


class TooLargeAnswer:
    """ASGI wrapper around the whole app: the documented answer to a body over the cap.

    The server's body cap (``--max-body``, Starlette's limiter) answers a body it
    counted as it arrived with an error the handlers below turn into the error body;
    but a body *announced* too large by ``Content-Length`` it answers itself, before
    or instead of any route, in plain text ("Content Too Large"). That answer becomes
    what every other 413 is: ``content_too_large`` in the error body on the API,
    BPJS's envelope on the WS RS, the problem page on a page.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def answering_send(message: Message) -> None:
            nonlocal replaced
            if replaced:  # the plain text's body: already answered
                return
            if message["type"] == "http.response.start" and message["status"] == 413:
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/plain"):
                    replaced = True
                    await too_large(Request(scope))(scope, receive, send)
                    return
            await send(message)

        await self.app(scope, receive, answering_send)


def too_large(request: Request) -> Response:
    """The answer to a body over the server's cap, in the shape the path's callers read."""
    if wsrs.is_wsrs(request.url.path):
        return wsrs.routing_error(413, None)
    if wants_page(request):
        return problem_page(request, 413)
    return JSONResponse(error_body(_slug(413), "Content Too Large"), 413)


def error_body(code: str, detail: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail}


def install_error_handlers(app: FastAPI) -> None:
    """Answer :class:`ApiError`, Starlette's HTTP errors (404, 405, 413), FastAPI's
    validation errors (422), a database busy or away (503, :mod:`central.outage`) and
    any other fault (500, ``internal_server_error``, its traceback logged) in the one
    error body; on a page (anything outside the API,
    :func:`central.web.problems.wants_page`) as a page saying what to do.

    Validation errors carry a list in ``detail``: ``loc``, ``msg`` and ``type`` of
    each problem, never the rejected ``input`` (it may be a NIK). A body that stops
    before its end (its sender went away, or sent what could not be read: uvicorn's
    400, :mod:`central.connections`) is nobody's fault of the code: one line, no
    traceback, and nobody left to answer.
    """

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _exc: ClientDisconnect) -> Response:
        route = request.scope.get("route")
        where = getattr(route, "path", None) or "(no route)"  # the template: no ids
        log.info("%s %s: the body did not arrive whole; nothing done", request.method, where)
        return Response(status_code=400)  # to a connection already closed: goes nowhere

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        if wants_page(request):
            return problem_page(request, exc.status, exc.headers)
        return JSONResponse(error_body(exc.code, exc.detail), exc.status, headers=exc.headers)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if wsrs.is_wsrs(request.url.path):  # BPJS reads only its own envelope there
            return wsrs.routing_error(exc.status_code, dict(exc.headers or {}))
        if wants_page(request):
            return problem_page(request, exc.status_code, exc.headers)
        code = _slug(exc.status_code)
        return JSONResponse(
            error_body(code, exc.detail), exc.status_code, headers=dict(exc.headers or {})
        )

    async def _database_error(request: Request, exc: Exception) -> Response:
        # Busy or away: 503, nothing done, ask again (central/outage.py). Any other
        # database error is the code's or the request's: raised on, answered 500.
        outage = outage_of(exc)
        if outage is None:
            raise exc
        route = request.scope.get("route")
        where = getattr(route, "path", None) or "(no route)"  # the template: no ids
        log.warning(
            "%s: %s %s answered 503, Retry-After %d s",
            outage.said,
            request.method,
            where,
            outage.retry_after_s,
        )
        headers = {"Retry-After": str(outage.retry_after_s)}
        if wsrs.is_wsrs(request.url.path):
            return wsrs.routing_error(503, headers)
        if wants_page(request):
            return problem_page(request, 503, headers)
        return JSONResponse(
            error_body(ErrorCode.DATABASE_UNAVAILABLE, outage.detail), 503, headers=headers
        )

    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(WriteQueueTimeout, _database_error)

    @app.exception_handler(Exception)
    async def _internal(request: Request, _exc: Exception) -> Response:
        # The code's own fault (a database error that is no outage among them): Starlette
        # logs its traceback for staff once this answer is sent. The caller gets the one
        # error body (or a page, or BPJS's envelope), never the fault's own text.
        if wsrs.is_wsrs(request.url.path):
            return wsrs.routing_error(500, None)
        if wants_page(request):
            return problem_page(request, 500)
        return JSONResponse(error_body(_slug(500), INTERNAL_DETAIL), 500)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_page(request):
            return problem_page(request, 422)
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(error_body(ErrorCode.INVALID_REQUEST, problems), 422)


#: What a 500 says, for people (the error body's ``detail``): Indonesian, then English.
INTERNAL_DETAIL = (
    "Terjadi gangguan di server pusat; coba lagi nanti. Petugas dapat melihat catatannya. / "
    "Something went wrong on the centre; try again later. Staff can see the log."
)


def _slug(status: int) -> str:
    if status == 413:  # RFC 9110's name; Python 3.11 still says "Request Entity Too Large"
        return "content_too_large"
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_")
    except ValueError:
        return "error"
