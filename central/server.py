"""Run the central server: ``kiosk server`` (or ``python -m central``).

``kiosk server [--db URL] [--host H] [--port P] [--seed-demo] …`` serves;
the operator subcommands (``migrate``, ``enrol-code``, ``kiosks``,
``revoke-kiosk``, ``add-staff``) are in :mod:`central.admin_cli`.

The listening socket is bound here, first (a busy port fails before the
database is touched), so ``--port 0`` works: once uvicorn serves on it, one
line goes to stdout::

    central listening on http://127.0.0.1:43521

:mod:`central.process` waits for that line to learn the URL.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from central import admin_cli
from central.cli_options import (
    EXIT_BIND,
    EXIT_CONFIG,
    EXIT_DATABASE,
    add_server_options,
    settings_from,
)
from central.config_file import apply_config_file, apply_credentials
from central.connections import deadline_protocol
from central.database import connection_budget, shown_url
from central.errors import BindError, CatalogLoadError, DatabaseError, SeedError
from central.metrics import logged_path, use_multiprocess_mode, use_single_process_mode
from central.process import PARENT_PID_ENV
from central.settings import LISTENING_PREFIX, CentralSettings
from central.workers import (
    MULTIPROCESS_DIR_ENV,
    Supervisor,
    metrics_folder,
    remove_metrics_folder,
)
from contract.logs import configure_logging, configured_format
from contract.systemd import notify

if TYPE_CHECKING:
    from fastapi import FastAPI

#: The layout of a plain log line (uvicorn's own).
_PLAIN = "%(levelname)s:     %(name)s: %(message)s"


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints its URL once it accepts connections."""

    def __init__(
        self,
        config: uvicorn.Config,
        url: str,
        on_stop: Callable[[], None] = lambda: None,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self._url = url
        self._on_stop = on_stop
        #: ``None``: this process is the centre: it prints the URL and tells systemd.
        self._on_started = on_started
        parent = os.environ.get(PARENT_PID_ENV, "")
        self._parent_pid = int(parent) if parent.isdigit() else None

    async def on_tick(self, counter: int) -> bool:
        if (
            self._parent_pid is not None
            and counter % 10 == 0  # once a second
            and os.getppid() != self._parent_pid
        ):
            logging.getLogger("uvicorn.error").warning(
                "the process that started this server is gone: stopping"
            )
            self.should_exit = True
        return await super().on_tick(counter)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.started:
            return
        if self._on_started is not None:
            self._on_started()
        else:
            print(f"{LISTENING_PREFIX}{self._url}", flush=True)
            notify("READY=1")

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # First the live pages (boards' streams, held counter panels) are told to finish,
        # so the grace time below waits only for requests that end by themselves.
        if self._on_started is None:
            notify("STOPPING=1")
        self._on_stop()
        await super().shutdown(sockets=sockets)


class NoQueryStrings(logging.Filter):
    """Keep query strings and capabilities out of uvicorn's access log lines.

    The API takes personal data only in JSON bodies (never logged), but a
    client may still put something in a URL's query: the log writes
    ``?<hidden>``. A path segment may itself be a capability (a board's
    token, a complaint's reference, a ticket's id, a booking's code open their
    pages to whoever reads them), so the log writes the route's template with
    every parameter a placeholder (:func:`central.metrics.logged_path`):
    ``/board/[token]``, ``/t/[ticket_id]``, ``/api/v1/public/tickets/[ticket_id]``,
    and ``[unrouted]`` for a path no route answered.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            query = "?<hidden>" if "?" in args[2] else ""
            record.args = (*args[:2], logged_path() + query, *args[3:])
        return True


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        # The explicit protocol matters: asyncio only sets TCP_NODELAY on accepted
        # connections whose socket says IPPROTO_TCP; with 0, every keep-alive
        # request waits ~40 ms on delayed ACKs.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except OSError as exc:
        raise BindError(f"cannot listen on {host}:{port} ({exc})") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise BindError(f"cannot listen on {host}:{port} ({exc})") from exc
    return sock


def url_for(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(settings: CentralSettings, log_format: str = "plain") -> int:
    """Serve until SIGINT/SIGTERM; the exit status (a worker's, if none could start).

    Raises :class:`BindError`, :class:`CatalogLoadError`, :class:`SeedError`,
    :class:`DatabaseError` or SQLAlchemy's errors before anything is served.
    ``log_format``: ``plain`` keeps uvicorn's own log lines, ``journal`` and
    ``json`` send them through the root logger (:mod:`contract.logs`).
    """
    sock = bind_socket(settings.host, settings.port)
    # The app (its routes, pages and models) is imported once the settings are read
    # and the port is bound: a start refused before that never loads it.
    from central.app import create_app

    try:
        if settings.workers > 1:
            return _serve_workers(settings, sock, log_format)
        use_single_process_mode()
        app = create_app(settings)
        _log_database(app)
        _serve_app(app, settings, sock, log_format)
    except KeyboardInterrupt:
        # uvicorn re-raises SIGINT after its graceful shutdown; that is a normal stop.
        pass
    finally:
        sock.close()
    return 0


def _serve_app(
    app: FastAPI,
    settings: CentralSettings,
    sock: socket.socket,
    log_format: str,
    on_started: Callable[[], None] | None = None,
) -> None:
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=sock.getsockname()[1],
        log_level="info",
        # plain: uvicorn's own lines; else through the root logger's handler.
        log_config=uvicorn.config.LOGGING_CONFIG if log_format == "plain" else None,
        reload=False,
        # Bound how long a stop waits for open keep-alive connections.
        timeout_graceful_shutdown=5,
        # Requests must arrive in time, and one address holds only so many
        # connections (central.connections); beyond max_connections open
        # connections, requests get 503.
        http=deadline_protocol(
            settings.header_timeout_s,
            settings.body_timeout_s,
            settings.per_address_limit,
            settings.trusted_proxies,
        ),
        limit_concurrency=settings.max_connections,
        # X-Forwarded-For/-Proto only from the configured proxies: from anyone
        # else they would let a client choose the address its limits count.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
    )
    # uvicorn.Config has just set up logging; filter and report through it.
    logging.getLogger("uvicorn.access").addFilter(NoQueryStrings())
    live = app.state.central.live
    server = _AnnouncingServer(
        config, url_for(sock), on_stop=live.end_followers, on_started=on_started
    )
    freeze_start()
    server.run(sockets=[sock])


def freeze_start() -> None:
    """Keep what the start made (the modules, the app and its routes, ~150,000 objects,
    all living as long as the server) out of the collector's later passes: each full
    collection walked them all, twice in a drain of 10,000 kiosk items, for about a
    tenth of the centre's time. The collector still runs on what requests make."""
    gc.collect()
    gc.freeze()


def _log_database(app: FastAPI) -> None:
    db = app.state.central.db
    logging.getLogger("uvicorn.error").info(
        "Database %s (%s)", shown_url(db.engine.url), db.dialect
    )


def _serve_workers(settings: CentralSettings, sock: socket.socket, log_format: str) -> int:
    """Migrate once here, then let :class:`Supervisor` run the workers on ``sock``."""
    from central.app import open_database, prepare_database

    database = open_database(settings)
    try:
        prepare_database(settings, database)
        logging.getLogger("uvicorn.error").info(
            "Database %s (%s), %d workers",
            shown_url(database.engine.url),
            database.dialect,
            settings.workers,
        )
        settings = sized_pools(settings, connection_budget(database))
    finally:
        database.dispose()  # the workers make their own engines: none crosses the fork
    url = url_for(sock)
    parent = os.environ.get(PARENT_PID_ENV, "")
    folder = metrics_folder()
    os.environ[MULTIPROCESS_DIR_ENV] = str(folder)
    try:
        supervisor = Supervisor(
            count=settings.workers,
            body=lambda ready: _worker(settings, sock, log_format, ready),
            on_ready=lambda: print(f"{LISTENING_PREFIX}{url}", flush=True),
            watch_parent=int(parent) if parent.isdigit() else None,
            metrics_dir=folder,
        )
        return supervisor.run()
    finally:
        os.environ.pop(MULTIPROCESS_DIR_ENV, None)
        remove_metrics_folder(folder)


def sized_pools(settings: CentralSettings, budget: int | None) -> CentralSettings:
    """``settings`` with each worker's pool no larger than PostgreSQL allows.

    A worker may hold its pool, as many again on a burst, and one listening
    connection (central/live.py); N workers of the default pool need 21 N
    connections. Beyond the server's ``max_connections`` (or the database's or
    the role's limit) requests would fail with connection errors; a smaller pool
    makes them wait for a connection instead.
    """
    if budget is None:
        return settings
    per_worker = budget // settings.workers
    pool = min(settings.db_pool_size, (per_worker - 1) // 2)
    if pool >= settings.db_pool_size:
        return settings
    log = logging.getLogger("uvicorn.error")
    if pool < 1:
        log.error(
            "PostgreSQL allows this centre %d more connections, fewer than %d workers need "
            "(3 each at least): requests will fail; raise max_connections or lower workers",
            budget, settings.workers,
        )  # fmt: skip
        pool = 1
    else:
        log.warning(
            "PostgreSQL allows this centre %d more connections: each of %d workers keeps a "
            "pool of %d (up to %d on a burst) instead of %d; raise max_connections for more",
            budget, settings.workers, pool, 2 * pool, settings.db_pool_size,
        )  # fmt: skip
    return dataclasses.replace(settings, db_pool_size=pool)


def _worker(settings: CentralSettings, sock: socket.socket, log_format: str, ready: int) -> int:
    """One worker process: build the app (the database is prepared) and serve ``sock``."""
    # A worker stops when its parent, the supervisor, is gone (_AnnouncingServer.on_tick).
    os.environ[PARENT_PID_ENV] = str(os.getppid())
    use_multiprocess_mode()  # before the app makes its metrics
    from central.app import create_app

    try:
        app = create_app(settings, prepared=True)

        def started() -> None:
            os.write(ready, b"+")

        _serve_app(app, settings, sock, log_format, on_started=started)
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # the worker's own end: its status tells the supervisor why
        return _fail(exc, exit_status_for(exc))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk server",
        description=(
            "Without a COMMAND: run the Anjungan reference central server (API: "
            "docs/central-api.md). With one: an operator command on the database."
        ),
    )
    add_server_options(parser)
    admin_cli.add_subcommands(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        try:
            apply_config_file(parser, args, arguments)
        finally:
            # The file's log_format if it was read, else the command line's: a bad
            # file is reported in the format the service manager expects too.
            chosen = configure_logging(args.log_format, plain=_PLAIN)
        apply_credentials(args)
    except ValueError as exc:
        return _fail(exc, EXIT_CONFIG)
    if getattr(args, "command", None):
        return admin_cli.run(args)
    try:
        settings = settings_from(args)
    except (OSError, ValueError) as exc:
        return _fail(exc, EXIT_CONFIG)
    try:
        return serve(settings, chosen)
    except (CatalogLoadError, SeedError, BindError, DatabaseError, SQLAlchemyError) as exc:
        return _fail(exc, exit_status_for(exc))


def exit_status_for(exc: Exception) -> int:
    """The exit status that says why the centre could not start."""
    if isinstance(exc, BindError):
        return EXIT_BIND
    if isinstance(exc, DatabaseError | SQLAlchemyError):
        return EXIT_DATABASE
    if isinstance(exc, CatalogLoadError | SeedError | ValueError | OSError):
        return EXIT_CONFIG
    return 1


def _fail(exc: Exception, status: int) -> int:
    """Say why the centre stops: one record in the chosen log format (journal: at
    priority 3, its lines kept together; json: one object), one line when plain."""
    if configured_format() in ("journal", "json"):
        logging.getLogger("central").error("error: %s", exc)
    else:
        print(f"central: error: {exc}", file=sys.stderr, flush=True)
    return status
