"""Run the central server: ``python -m central`` (later also ``kiosk server``).

The listening socket is bound here, before uvicorn starts, so ``--port 0``
works: once uvicorn serves on it, one line goes to stdout::

    central listening on http://127.0.0.1:43521

:mod:`central.process` waits for that line to learn the URL.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from central.app import CatalogLoadError, create_app
from central.settings import LISTENING_PREFIX, CentralSettings

#: Exit status when the configuration (e.g. the catalog) is unusable.
EXIT_CONFIG = 2
#: Exit status when the address cannot be bound.
EXIT_BIND = 3


class BindError(Exception):
    """The server cannot listen on the configured address."""


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints its URL once it accepts connections."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self._url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(f"{LISTENING_PREFIX}{self._url}", flush=True)


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

    Raises :class:`CatalogLoadError` for a bad catalog and :class:`BindError`
    when the address cannot be bound, both before anything is served.
    """
    app = create_app(settings)
    sock = bind_socket(settings.host, settings.port)
    try:
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=sock.getsockname()[1],
            log_level="info",
            reload=False,
            # Bound how long a stop waits for open keep-alive connections.
            timeout_graceful_shutdown=5,
        )
        # uvicorn.Config has just set up logging; report through its logger.
        document = app.state.catalog
        logging.getLogger("uvicorn.error").info(
            "Serving catalog %s (ETag %s)", document.version, document.etag
        )
        _AnnouncingServer(config, url_for(sock)).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn re-raises SIGINT after its graceful shutdown; that is a normal stop.
        pass
    finally:
        sock.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="central", description="Run the Anjungan reference central server."
    )
    defaults = CentralSettings()
    parser.add_argument(
        "--host", default=defaults.host, help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=defaults.port,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help="serve the demo catalog unless --catalog is given",
    )
    parser.add_argument("--catalog", type=Path, metavar="PATH", help="catalog JSON file to serve")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = CentralSettings(
        host=args.host, port=args.port, catalog_path=args.catalog, seed_demo=args.seed_demo
    )
    try:
        serve(settings)
    except CatalogLoadError as exc:
        print(f"central: error: {exc}", file=sys.stderr, flush=True)
        return EXIT_CONFIG
    except BindError as exc:
        print(f"central: error: {exc}", file=sys.stderr, flush=True)
        return EXIT_BIND
    return 0


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {port}")
    return port
