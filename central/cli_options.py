"""The command-line options of ``kiosk server``, the settings they make, and its exit codes.

Kept apart from :mod:`central.server` so the operator subcommands can share
``--db`` and the exit codes without importing uvicorn's start-up path.
"""

from __future__ import annotations

import argparse
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from central.integrations.config import Integrations, load
from central.settings import (
    MAX_WORKERS,
    NO_SHOW_TICK_MAX_S,
    NO_SHOW_TICK_MIN_S,
    CentralSettings,
    default_db_url,
    no_show_tick_refused,
)
from contract.logs import add_log_format_option

_N = TypeVar("_N", int, float)

#: Exit status when an operator command is refused (the message says why).
EXIT_REFUSED = 1
#: Exit status when the configuration (e.g. the catalog) is unusable.
EXIT_CONFIG = 2
#: Exit status when the address cannot be bound.
EXIT_BIND = 3
#: Exit status when the database cannot be reached or migrated.
EXIT_DATABASE = 4


def add_db_option(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    """``--db URL``; on subcommands it does not override one given before the subcommand."""
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None if top_level else argparse.SUPPRESS,
        help=(
            "database: sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/NAME "
            f"(default: {default_db_url()})"
        ),
    )


def add_server_options(parser: argparse.ArgumentParser) -> None:
    defaults = CentralSettings()
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="a TOML file of these settings, keys as the long options with _ for - "
        "(docs/configuration.md); options given here win over it",
    )
    add_db_option(parser, top_level=True)
    parser.add_argument(
        "--db-password-file",
        type=Path,
        metavar="PATH",
        help="file holding the PostgreSQL password (default: the systemd credential "
        "db-password, if any; never put it in --db, where ps shows it)",
    )
    parser.add_argument(
        "--workers",
        type=worker_count,
        default=defaults.workers,
        metavar="N",
        help="worker processes serving the one port (default: %(default)s)",
    )
    parser.add_argument(
        "--metrics-allow",
        action="append",
        default=[],
        metavar="NETWORK",
        help="a network whose direct connections may read /metrics, besides loopback; "
        "repeat for several (default: loopback only)",
    )
    add_log_format_option(parser)
    parser.add_argument(
        "--host", default=defaults.host, help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=defaults.port,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help=(
            "load the demo: catalog (unless --catalog), DEMO trust lists, demo citizens "
            "and the reusable enrolment codes DEMO-PKU-MPP-0001, DEMO-RSUD-PKU-0001 and the "
            "demo hospital's registration desk's DEMO-RSUD-MEJA-0001, which searches its "
            "patients by name (never in production)"
        ),
    )
    parser.add_argument(
        "--catalog", type=Path, metavar="PATH", help="publish this catalog JSON file at start"
    )
    parser.add_argument(
        "--trust-list", type=Path, metavar="PATH", help="import this trust list at start"
    )
    parser.add_argument(
        "--revocation-list",
        type=Path,
        metavar="PATH",
        help="import this revocation list at start",
    )
    parser.add_argument(
        "--audit-key-file",
        type=Path,
        metavar="PATH",
        help="file of at least 16 random bytes keying the lookup audit's hashes "
        "(default: a key kept in the database)",
    )
    parser.add_argument(
        "--rate",
        type=positive,
        default=defaults.rate_per_minute,
        metavar="N",
        help="requests per minute per kiosk (default: %(default)s)",
    )
    parser.add_argument(
        "--burst",
        type=positive,
        default=defaults.rate_burst,
        metavar="N",
        help="requests a kiosk may send at once (default: %(default)s)",
    )
    parser.add_argument(
        "--auth-rate",
        type=positive,
        default=defaults.auth_rate_per_minute,
        metavar="N",
        help="enrolments, logins and refused tokens per minute per address (default: %(default)s)",
    )
    parser.add_argument(
        "--max-body",
        type=positive,
        default=defaults.max_body_bytes,
        metavar="BYTES",
        help="largest request body accepted (default: %(default)s)",
    )
    parser.add_argument(
        "--timezone",
        default=defaults.timezone,
        metavar="ZONE",
        help="the city's time zone; a queue day starts at its midnight (default: %(default)s)",
    )
    parser.add_argument(
        "--lease-max-live",
        type=positive,
        default=defaults.lease_max_live,
        metavar="N",
        help="unused number leases one kiosk may hold per queue and day (default: %(default)s)",
    )
    parser.add_argument(
        "--lease-max-numbers",
        type=positive,
        default=defaults.lease_max_numbers,
        metavar="N",
        help="numbers one kiosk may lease per queue and day (default: %(default)s)",
    )
    parser.add_argument(
        "--lookup-budget",
        type=positive,
        default=defaults.lookup_budget_per_hour,
        metavar="N",
        help="card-number/NIK lookups one kiosk may make an hour (default: %(default)s)",
    )
    parser.add_argument(
        "--lookup-not-found-budget",
        type=positive,
        default=defaults.lookup_not_found_per_hour,
        metavar="N",
        help="of those, lookups that find nothing (default: %(default)s)",
    )
    parser.add_argument(
        "--no-show-tick",
        type=no_show_tick,
        default=defaults.no_show_tick_s,
        metavar="SECONDS",
        help="how often each server process marks the bookings whose slot and grace are "
        f"over as no-shows (default: %(default)s; {NO_SHOW_TICK_MIN_S:g} to "
        f"{NO_SHOW_TICK_MAX_S:g}, never off)",
    )
    parser.add_argument(
        "--voice-dir",
        type=Path,
        metavar="DIR",
        help="the city's own voice clips for the boards, one WAV per word "
        "(docs/office.md; default: none, espeak-ng makes them)",
    )
    parser.add_argument(
        "--voice-cache",
        type=Path,
        metavar="DIR",
        help="where clips not recorded by the city are made once "
        "(default: the user's cache folder)",
    )
    add_guard_options(parser, defaults)
    add_message_options(parser, defaults)
    parser.add_argument(
        "--integrations",
        type=Path,
        default=None,
        metavar="FILE",
        help="a TOML file with a [bpjs] and/or [satusehat] section: report hospital visits "
        "to BPJS Antrean RS and SATUSEHAT (docs/bpjs.md; default: both off)",
    )


def add_message_options(parser: argparse.ArgumentParser, defaults: CentralSettings) -> None:
    """The messages to citizens: provider, gateway, limits and retries (docs/messages.md)."""
    parser.add_argument(
        "--message-provider",
        choices=("log", "webhook"),
        default=defaults.message_provider,
        help="how messages go: log (a line in the server's log) or webhook "
        "(the city's SMS/WhatsApp gateway) (default: %(default)s)",
    )
    parser.add_argument(
        "--message-webhook-url",
        default=None,
        metavar="URL",
        help="the gateway's address for the webhook provider",
    )
    parser.add_argument(
        "--message-webhook-secret-file",
        type=Path,
        metavar="PATH",
        help="file holding the webhook's signing secret (at least 16 bytes; "
        "surrounding white space is ignored)",
    )
    parser.add_argument(
        "--message-ahead",
        type=positive,
        default=defaults.message_ahead,
        metavar="N",
        help="send 'tinggal N orang lagi' at this many people ahead (default: %(default)s)",
    )
    parser.add_argument(
        "--message-per-number",
        type=positive,
        default=defaults.message_per_number_per_hour,
        metavar="N",
        help="messages one number may get in an hour; more wait (default: %(default)s)",
    )
    parser.add_argument(
        "--message-attempts",
        type=positive,
        default=defaults.message_max_attempts,
        metavar="N",
        help="attempts before a message is a dead letter (default: %(default)s)",
    )
    parser.add_argument(
        "--message-retry-base",
        type=positive_seconds,
        default=defaults.message_retry_base_s,
        metavar="SECONDS",
        help="the first wait before trying again; it doubles (default: %(default)s)",
    )
    parser.add_argument(
        "--message-retry-max",
        type=positive_seconds,
        default=defaults.message_retry_max_s,
        metavar="SECONDS",
        help="the longest wait between attempts (default: %(default)s)",
    )
    parser.add_argument(
        "--message-deadline",
        type=positive_seconds,
        default=defaults.message_deadline_s,
        metavar="SECONDS",
        help="one send's total deadline (default: %(default)s)",
    )
    parser.add_argument(
        "--message-poll",
        type=positive_seconds,
        default=defaults.message_poll_s,
        metavar="SECONDS",
        help="how often to look for messages other server processes wrote (default: %(default)s)",
    )
    parser.add_argument(
        "--message-claim-margin",
        type=positive_seconds,
        default=defaults.message_claim_margin_s,
        metavar="SECONDS",
        help="how long past one send's deadline a claim on a message holds (default: %(default)s)",
    )


def add_guard_options(parser: argparse.ArgumentParser, defaults: CentralSettings) -> None:
    """Login lockout, trusted proxies and slow clients."""
    parser.add_argument(
        "--login-lockout-after",
        type=positive,
        default=defaults.login_lockout_after,
        metavar="N",
        help="failed staff logins in a row before the username is locked (default: %(default)s)",
    )
    parser.add_argument(
        "--login-lockout-base",
        type=positive,
        default=defaults.login_lockout_base_s,
        metavar="SECONDS",
        help="the first lock; each further failure doubles it (default: %(default)s)",
    )
    parser.add_argument(
        "--login-lockout-max",
        type=positive,
        default=defaults.login_lockout_max_s,
        metavar="SECONDS",
        help="the longest lock (default: %(default)s)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a reverse proxy (IP address or network) whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; repeat for several (default: none)",
    )
    parser.add_argument(
        "--stats-cache",
        type=float,
        default=defaults.stats_cache_s,
        metavar="SECONDS",
        help="count the public figures (/stats) at most once per this many seconds "
        "(default: %(default)s; 0: at every request)",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address staff and TVs use behind a proxy, e.g. https://antrean.kota.go.id: "
        "board URLs use it and forms from it pass the origin check (default: as requested)",
    )
    parser.add_argument(
        "--header-timeout",
        type=positive_seconds,
        default=defaults.header_timeout_s,
        metavar="SECONDS",
        help="close a connection that has not sent a request's headers in time "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--sqlite-busy-timeout",
        type=positive_seconds,
        default=defaults.sqlite_busy_timeout_s,
        metavar="SECONDS",
        help="SQLite: how long a write waits for another's write lock before the request "
        "answers 503 database_unavailable (default: %(default)s)",
    )
    parser.add_argument(
        "--sqlite-route-threads",
        type=positive,
        default=defaults.sqlite_route_threads,
        metavar="N",
        help="SQLite: threads each server process answers requests on; all but 20 may hold "
        "a write waiting for the database, one more is answered 503 database_unavailable "
        "at once (%(default)s by default, 120 to 1000)",
    )
    parser.add_argument(
        "--body-timeout",
        type=positive_seconds,
        default=defaults.body_timeout_s,
        metavar="SECONDS",
        help="close a connection that has not sent a request's body in time (default: %(default)s)",
    )
    parser.add_argument(
        "--max-connections",
        type=positive,
        default=defaults.max_connections,
        metavar="N",
        help="open connections beyond which requests get 503 (default: %(default)s)",
    )
    parser.add_argument(
        "--max-connections-per-address",
        type=positive,
        default=defaults.max_connections_per_address,
        metavar="N",
        help="open connections one client address may hold, at most half of "
        "--max-connections; more are closed at once (trusted proxies exempt; "
        "default: %(default)s)",
    )


def settings_from(args: argparse.Namespace) -> CentralSettings:
    """The settings the options say; ``OSError`` if the audit key file cannot be read."""
    key: bytes | None = None
    if args.audit_key_file is not None:
        key = Path(args.audit_key_file).read_bytes()
        if Path(args.audit_key_file).stat().st_mode & 0o007:
            # As for the database password: with the key, a stolen audit table
            # tells again which NIKs were looked up.
            logging.getLogger(__name__).warning(
                "the audit key file %s can be read by others: chmod o-rwx it",
                args.audit_key_file,
            )
    secret: bytes | None = None
    if args.message_webhook_secret_file is not None:
        path = Path(args.message_webhook_secret_file)
        secret = path.read_bytes().strip()
        if path.stat().st_mode & 0o077:
            logging.getLogger(__name__).warning(
                "the webhook secret file %s can be read by others: chmod 600 it", path
            )
    integrations = load(args.integrations) if args.integrations is not None else Integrations()
    return CentralSettings(
        integrations=integrations,
        host=args.host,
        port=args.port,
        db_url=args.db,
        catalog_path=args.catalog,
        trust_list_path=args.trust_list,
        revocation_list_path=args.revocation_list,
        seed_demo=args.seed_demo,
        rate_per_minute=args.rate,
        rate_burst=args.burst,
        auth_rate_per_minute=args.auth_rate,
        max_body_bytes=args.max_body,
        audit_key=key,
        timezone=args.timezone,
        lease_max_live=args.lease_max_live,
        lease_max_numbers=args.lease_max_numbers,
        lookup_budget_per_hour=args.lookup_budget,
        lookup_not_found_per_hour=args.lookup_not_found_budget,
        no_show_tick_s=args.no_show_tick,
        login_lockout_after=args.login_lockout_after,
        login_lockout_base_s=args.login_lockout_base,
        login_lockout_max_s=args.login_lockout_max,
        trusted_proxies=tuple(args.trusted_proxy),
        workers=args.workers,
        metrics_allow=tuple(args.metrics_allow),
        public_url=args.public_url.rstrip("/") if args.public_url else None,
        stats_cache_s=max(0.0, args.stats_cache),
        header_timeout_s=args.header_timeout,
        body_timeout_s=args.body_timeout,
        sqlite_busy_timeout_s=args.sqlite_busy_timeout,
        sqlite_route_threads=args.sqlite_route_threads,
        max_connections=args.max_connections,
        max_connections_per_address=args.max_connections_per_address,
        voice_dir=args.voice_dir,
        voice_cache_dir=args.voice_cache,
        message_provider=args.message_provider,
        message_webhook_url=args.message_webhook_url,
        message_webhook_secret=secret,
        message_ahead=args.message_ahead,
        message_per_number_per_hour=args.message_per_number,
        message_max_attempts=args.message_attempts,
        message_retry_base_s=args.message_retry_base,
        message_retry_max_s=args.message_retry_max,
        message_deadline_s=args.message_deadline,
        message_poll_s=args.message_poll,
        message_claim_margin_s=args.message_claim_margin,
    )


def _number(value: str, convert: Callable[[str], _N], what: str) -> _N:
    try:
        return convert(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {value!r}") from None


def port_number(value: str) -> int:
    port = _number(value, int, "a port number")
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {port}")
    return port


def positive(value: str) -> int:
    number = _number(value, int, "a whole number")
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def worker_count(value: str) -> int:
    number = positive(value)
    if number > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_WORKERS}, not {number}")
    return number


def positive_seconds(value: str) -> float:
    seconds = _number(value, float, "a number of seconds")
    if not 0 < seconds < 86400:
        raise argparse.ArgumentTypeError(f"must be more than 0 and less than a day, not {value}")
    return seconds


def no_show_tick(value: str) -> float:
    """``--no-show-tick``: seconds, :data:`NO_SHOW_TICK_MIN_S` to :data:`NO_SHOW_TICK_MAX_S`
    (not a number, NaN and infinity refused alike, with the one message)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not NO_SHOW_TICK_MIN_S <= seconds <= NO_SHOW_TICK_MAX_S:
        raise argparse.ArgumentTypeError(no_show_tick_refused(value))
    return seconds
