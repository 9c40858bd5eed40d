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
import logging
import os
import re
import socket
import sys
from collections.abc import Callable, Sequence

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from central import admin_cli
from central.app import create_app
from central.cli_options import (
    EXIT_BIND,
    EXIT_CONFIG,
    EXIT_DATABASE,
    add_server_options,
    settings_from,
)
from central.connections import deadline_protocol
from central.errors import BindError, CatalogLoadError, DatabaseError, SeedError
from central.process import PARENT_PID_ENV
from central.settings import LISTENING_PREFIX, CentralSettings


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints its URL once it accepts connections."""

    def __init__(
        self, config: uvicorn.Config, url: str, on_stop: Callable[[], None] = lambda: None
    ) -> None:
        super().__init__(config)
        self._url = url
        self._on_stop = on_stop
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
        if self.started:
            print(f"{LISTENING_PREFIX}{self._url}", flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # First the live pages (boards' streams, held counter panels) are told to finish,
        # so the grace time below waits only for requests that end by themselves.
        self._on_stop()
        await super().shutdown(sockets=sockets)


#: Paths whose segment is itself a capability (whoever holds it may open the
#: page): a board's token, a complaint's reference, a ticket's id, a booking's code
#: (its page, and the kiosks' question by code; ``/api/v1/bookings/today`` is no code).
_CAPABILITY_PATH = re.compile(
    r"^/(?:(board)|(c)|(t)|(b)|(api/v1/bookings)(?=/(?!today(?:[/?]|$))))/[^/?]+"
)
_PLACEHOLDER = (
    "/board/[token]",
    "/c/[reference]",
    "/t/[ticket]",
    "/b/[code]",
    "/api/v1/bookings/[code]",
)


def redact_path(path: str) -> str:
    """``path`` as the access log may keep it: no query string, no capability in it."""
    path, sep, _ = path.partition("?")
    found = _CAPABILITY_PATH.match(path)
    if found is not None:
        which = next(i for i, group in enumerate(found.groups()) if group)
        path = _PLACEHOLDER[which] + path[found.end() :]
    return path + ("?<hidden>" if sep else "")


class NoQueryStrings(logging.Filter):
    """Keep query strings and capabilities out of uvicorn's access log lines.

    The API takes personal data only in JSON bodies (never logged), but a
    client may still put something in a URL's query; the log keeps the path.
    A board's token (``/board/bd_…``), a complaint's reference (``/c/ADU-…``),
    a ticket's id (``/t/<uuid>``) and a booking's code (``/b/603556635``,
    ``/api/v1/bookings/603556635``) open their pages to whoever reads them,
    so the log writes ``/board/[token]``, ``/c/[reference]``, ``/t/[ticket]``,
    ``/b/[code]`` and ``/api/v1/bookings/[code]`` instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
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


def serve(settings: CentralSettings) -> None:
    """Serve until SIGINT/SIGTERM.

    Raises :class:`BindError`, :class:`CatalogLoadError`, :class:`SeedError`,
    :class:`DatabaseError` or SQLAlchemy's errors before anything is served.
    """
    sock = bind_socket(settings.host, settings.port)
    try:
        app = create_app(settings)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=sock.getsockname()[1],
            log_level="info",
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
        logging.getLogger("uvicorn.error").info(
            "Database %s (%s)", app.state.central.db.engine.url, app.state.central.db.dialect
        )
        live = app.state.central.live
        _AnnouncingServer(config, url_for(sock), on_stop=live.end_followers).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn re-raises SIGINT after its graceful shutdown; that is a normal stop.
        pass
    finally:
        sock.close()


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
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    if getattr(args, "command", None):
        return admin_cli.run(args)
    try:
        settings = settings_from(args)
    except (OSError, ValueError) as exc:
        return _fail(exc, EXIT_CONFIG)
    try:
        serve(settings)
    except (CatalogLoadError, SeedError) as exc:
        return _fail(exc, EXIT_CONFIG)
    except BindError as exc:
        return _fail(exc, EXIT_BIND)
    except (DatabaseError, SQLAlchemyError) as exc:
        return _fail(exc, EXIT_DATABASE)
    return 0


def _fail(exc: Exception, status: int) -> int:
    print(f"central: error: {exc}", file=sys.stderr, flush=True)
    return status
