"""How a central server instance is configured.

One frozen object, built by the command line (or a test) and handed to
:func:`central.app.create_app` and :func:`central.server.serve`. New
settings are added here, not read from the environment deep inside the app.

This module stays light (no FastAPI, no SQLAlchemy): :mod:`central.process`
and the kiosk's ``demo`` command import it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from central.integrations.config import Integrations
from central.write_queue import BURST_WRITES, READER_THREADS

if TYPE_CHECKING:
    from central.access.lockout import LockoutPolicy
    from central.access.lookup_budget import LookupBudget

#: What the server prints to stdout, followed by its URL, once it accepts
#: connections (:mod:`central.process` reads it; kept here, away from the
#: web stack, so starting a server does not import FastAPI).
LISTENING_PREFIX = "central listening on "

#: The most worker processes ``--workers`` starts (each holds its own database pool).
MAX_WORKERS = 64

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
#: The demo catalog shipped inside the package (published with ``--seed-demo``).
DEMO_CATALOG_PATH = DEMO_DATA / "catalog.json"
#: Demo citizen records (city registry, card UIDs, medical record numbers).
DEMO_CITIZENS_PATH = DEMO_DATA / "citizens.json"
#: The enrolment code ``--seed-demo`` creates for the demo office. Unlike
#: every other code it can be used again and again and never expires, so the
#: demo and the tests need no extra step; it exists only on a seeded database.
DEMO_ENROLMENT_CODE = "DEMO-PKU-MPP-0001"
DEMO_OFFICE_ID = "pku-mpp"
#: The demo hospital (central/hospital/demo.py) and its reusable enrolment code.
DEMO_HOSPITAL_ID = "rsud-pku"
DEMO_HOSPITAL_ENROLMENT_CODE = "DEMO-RSUD-PKU-0001"
#: The demo hospital's reusable code for its registration desk (``kiosk demo --desk``):
#: a kiosk that trades it is a desk (name search, phone and address; docs/desk.md).
DEMO_HOSPITAL_DESK_ENROLMENT_CODE = "DEMO-RSUD-MEJA-0001"
#: The demo hospital's staff account (an admin of it): the schedules page. Public too.
DEMO_HOSPITAL_STAFF_USERNAME = "petugas-rsud"
#: The demo's staff account (an admin of the demo office) for the office pages;
#: like the demo issuer key, public: never on a real deployment.
DEMO_STAFF_USERNAME = "petugas"
DEMO_STAFF_PASSWORD = "anjungan-demo"  # noqa: S105 - the demo's published password
#: Its hash (``central.access.credentials.hash_password``), published with it: a seeded
#: start stores it for both demo accounts instead of spending the slow hash each time.
DEMO_STAFF_PASSWORD_HASH = (
    "scrypt$15$8$1$Z+VFKWoRkzm8VjvfREJuxg==$xwCbH905Jp3mcJCNe1WExPnWOOhbuSBdX1v12/hgbm4="  # noqa: S105 - published
)
#: The demo office's board token: the demo prints ``/board/<it>`` for a TV (public too).
DEMO_BOARD_TOKEN = "bd_demo-pku-mpp-papan-antrean-0000000000000000"  # noqa: S105 - published


def default_db_url() -> str:
    """``kiosk server`` without ``--db``: a SQLite file in the user's data dir."""
    folder = Path(platformdirs.user_data_dir("anjungan"))
    return f"sqlite:///{folder / 'central.db'}"


#: Why a webhook URL with a user or password is refused (never echoing the URL).
WEBHOOK_USERINFO = (
    "URL webhook tidak boleh memuat nama pengguna atau kata sandi (terlihat di ps dan "
    "log); gateway memeriksa tanda tangan dari --message-webhook-secret-file. / "
    "the webhook URL must not carry a user or password (it shows in ps and logs): the "
    "gateway checks the signature made with --message-webhook-secret-file instead"
)


#: The shortest wait for SQLite's write lock ``--sqlite-busy-timeout`` accepts.
SQLITE_BUSY_MIN_S = 0.1
#: The fewest and the most threads ``--sqlite-route-threads`` accepts: with the fewest,
#: a burst of a hundred kiosks numbering at once still all waits, none refused, and 20
#: threads stay the readers' (central/write_queue.py).
SQLITE_ROUTE_THREADS_MIN = BURST_WRITES + READER_THREADS
SQLITE_ROUTE_THREADS_MAX = 1000

#: The shortest and the longest ``--no-show-tick``. Each tick is one statement in one
#: transaction per server process: a second apart costs little. It cannot be turned off:
#: the tick is what closes a lapsed Mobile JKN booking's visit, gives its place back and
#: tells BPJS (task 99) when no request about that poli comes, so an hour is the longest
#: such a place stays held.
NO_SHOW_TICK_MIN_S = 1.0
NO_SHOW_TICK_MAX_S = 3600.0


def no_show_tick_refused(value: object) -> str:
    """Why ``value`` is no ``--no-show-tick``, in Bahasa Indonesia then English."""
    low, high = f"{NO_SHOW_TICK_MIN_S:g}", f"{NO_SHOW_TICK_MAX_S:g}"
    return (
        f"selang penandaan tidak hadir harus {low} sampai {high} detik, bukan {value!r} / "
        f"the no-show tick must be {low} to {high} seconds, not {value!r}"
    )


@dataclass(frozen=True)
class CentralSettings:
    host: str = "127.0.0.1"
    #: 0 lets the OS pick a free port; the server prints the one it got.
    port: int = 8470
    #: SQLAlchemy URL: ``sqlite:///PATH`` or ``postgresql+psycopg://USER@HOST/DB``.
    #: ``None``: :func:`default_db_url`. Not in the repr: it may carry the password
    #: read from a credential file (central/config_file.py).
    db_url: str | None = field(default=None, repr=False)
    #: Worker processes serving the one listening socket (central/workers.py); 1: this
    #: process serves.
    workers: int = 1
    #: Connections each process's database pool keeps (as many again on a burst).
    #: Not an option: a centre with workers sizes it to what PostgreSQL allows.
    db_pool_size: int = 10
    #: SQLite: how long a write waits for another's write lock before it gives up and the
    #: request answers ``503 database_unavailable`` (PostgreSQL: the role's ``lock_timeout``).
    sqlite_busy_timeout_s: float = 10.0
    #: SQLite: the threads each server process answers its routes on (anyio's default
    #: thread limiter, 40 unless told). All but 20 may hold a write waiting for its turn;
    #: one more is refused at once, so the readers always find a thread
    #: (central/write_queue.py). PostgreSQL keeps the web stack's 40.
    sqlite_route_threads: int = 160
    #: Networks (besides loopback) whose direct connections may read ``/metrics``.
    metrics_allow: tuple[str, ...] = ()
    #: A catalog file to publish at start (a new version if its content changed).
    catalog_path: Path | None = None
    #: Trust and revocation lists (cardio's JSON formats) to import at start.
    trust_list_path: Path | None = None
    revocation_list_path: Path | None = None
    #: Load the demo data: catalog, DEMO trust lists, citizens, the demo code.
    seed_demo: bool = False
    #: Requests larger than this get 413 (submission batches included).
    max_body_bytes: int = 1024 * 1024
    #: Sustained requests per minute per kiosk (and per address for callers
    #: that are not yet authenticated); beyond it, 429 with Retry-After.
    rate_per_minute: int = 600
    #: How many requests a kiosk may send at once above the sustained rate.
    rate_burst: int = 120
    #: Per address, for enrolment, staff login and refused credentials
    #: (burst the same): slows down guessing codes and passwords.
    auth_rate_per_minute: int = 30
    #: How long an enrolment code is valid after it is made.
    enrolment_code_ttl_s: int = 24 * 3600
    #: How long a staff login lasts.
    staff_token_ttl_s: int = 12 * 3600
    #: The key of the keyed hash (HMAC-SHA256) the lookup audit stores
    #: instead of a NIK, card number or UID. ``None``: a key kept in the
    #: database (table ``server_secrets``): fine for the demo, but a stolen
    #: database then reveals which NIKs were looked up, since NIKs are
    #: guessable. Production passes ``--audit-key-file``.
    audit_key: bytes | None = field(default=None, repr=False)
    #: The city's time zone (IANA name): a queue "day" is the office's local
    #: calendar date, so ticket numbers start again at local midnight.
    timezone: str = "Asia/Jakarta"
    # -- number leases: what one kiosk may lease of one queue (office, service, day)
    #: Leases held at once that are not returned, expired or used up; beyond
    #: it, ``409 lease_limit`` (a kiosk keeps one or two).
    lease_max_live: int = 4
    #: Numbers leased in all (used, returned or not); every one pushes later
    #: tickets of the queue further back.
    lease_max_numbers: int = 500
    # -- citizen lookups by card number or NIK, per kiosk and hour (central/access/lookup_budget.py)
    #: All of them: a kiosk serves a citizen every 20 s at the busiest (180 an
    #: hour); beyond it, ``429 too_many_lookups`` and a security event.
    lookup_budget_per_hour: int = 240
    #: Those that find nothing: rare at a real kiosk, many in a sweep.
    lookup_not_found_per_hour: int = 30

    # -- staff login lockout, proxies and slow clients (docs/central-api.md, "Limits") --
    #: Failed staff logins in a row before the username is locked.
    login_lockout_after: int = 5
    #: The first lock; each further failure doubles it, up to the next.
    login_lockout_base_s: int = 30
    login_lockout_max_s: int = 900
    #: Addresses or networks of the reverse proxies whose ``X-Forwarded-For``
    #: and ``X-Forwarded-Proto`` are believed. Empty: none; the client's
    #: address is the connection's peer.
    trusted_proxies: tuple[str, ...] = ()
    #: The address staff, TVs and citizens use, when it is not the one this process
    #: sees (behind a proxy): ``https://antrean.kota.go.id``. Board URLs are made
    #: with it, and forms posted from it pass the CSRF origin check. ``None``: the
    #: request's own address.
    public_url: str | None = None
    #: A connection must send a request's headers within this many seconds of
    #: opening (or of its previous response), and its body within this many
    #: seconds of its headers; else it is closed.
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    #: Open connections beyond which new requests get 503.
    max_connections: int = 1000
    #: Open connections one peer address may hold (trusted proxies exempt);
    #: beyond it a new connection is closed at once. A kiosk uses one or two,
    #: but a city's kiosks may reach the centre through one NAT address: room
    #: for a hundred of them. Never more than half of ``max_connections``
    #: (:attr:`per_address_limit`), so one address never holds every slot.
    max_connections_per_address: int = 250
    #: The public figures (``/stats``) are counted at most once per this many seconds
    #: per process; 0: at every request.
    stats_cache_s: float = 5.0
    #: How often each server process marks the bookings whose slot and grace are over
    #: as no-shows (central/app.py ``mark_no_shows_every``; reads mark them too), between
    #: :data:`NO_SHOW_TICK_MIN_S` and :data:`NO_SHOW_TICK_MAX_S`.
    no_show_tick_s: float = 60.0
    # -- the boards' voice (central/voice.py, docs/office.md) --
    #: The city's own recordings, one WAV per word; ``None``: none.
    voice_dir: Path | None = None
    #: Where clips the city has not recorded are made; ``None``: the user's cache folder.
    voice_cache_dir: Path | None = None
    # -- messages to citizens (central/messages/, docs/messages.md) --
    #: ``log`` (each message a line in the server's log: the demo) or ``webhook``
    #: (the city's SMS/WhatsApp gateway; needs the URL and the secret).
    message_provider: str = "log"
    #: Not in the repr: a gateway's path or query may carry its own token.
    message_webhook_url: str | None = field(default=None, repr=False)
    #: The HMAC key the webhook signs with (read from a file, never the command line).
    message_webhook_secret: bytes | None = field(default=None, repr=False)
    #: "Tinggal N orang lagi" goes when N people or fewer are ahead of a ticket.
    message_ahead: int = 3
    #: Messages one number may get in an hour; more wait for the next hour.
    message_per_number_per_hour: int = 10
    #: Attempts before a message is a dead letter; the waits between them double
    #: from the base up to the longest (a gateway's Retry-After is honoured).
    message_max_attempts: int = 12
    message_retry_base_s: float = 15.0
    message_retry_max_s: float = 3600.0
    #: One send's total deadline (connect, request, answer), and the answer's size cap.
    message_deadline_s: float = 10.0
    message_answer_max_bytes: int = 64 * 1024
    #: How often a sender looks for due messages another process wrote.
    message_poll_s: float = 1.0
    #: How long past one send's deadline a sender's claim on a message still holds.
    message_claim_margin_s: float = 30.0
    # -- BPJS Antrean RS and SATUSEHAT (central/integrations/, docs/bpjs.md) --
    #: From ``--integrations FILE``; both off by default. Not in the repr (their own
    #: reprs hide the secrets, but a repr of the settings need not name them at all).
    integrations: Integrations = field(default_factory=Integrations, repr=False)

    def __post_init__(self) -> None:
        self._check_limits()
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {self.port}")
        if not self.host:
            raise ValueError("host must not be empty")
        self._at_least_one(
            "max_body_bytes", "rate_per_minute", "rate_burst", "auth_rate_per_minute"
        )
        if self.audit_key is not None and len(self.audit_key) < 16:
            raise ValueError("the audit key must be at least 16 bytes")
        self._at_least_one(
            "lease_max_live",
            "lease_max_numbers",
            "lookup_budget_per_hour",
            "lookup_not_found_per_hour",
        )
        self._check_messages()
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None

    @property
    def zone(self) -> ZoneInfo:
        """The city's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def resolved_db_url(self) -> str:
        return self.db_url or default_db_url()

    def resolved_catalog_path(self) -> Path | None:
        """The catalog file to publish at start, or ``None``."""
        if self.catalog_path is not None:
            return self.catalog_path
        if self.seed_demo:
            return DEMO_CATALOG_PATH
        return None

    @property
    def resolved_voice_cache(self) -> Path:
        if self.voice_cache_dir is not None:
            return self.voice_cache_dir
        return Path(platformdirs.user_cache_dir("anjungan")) / "voice"

    @property
    def per_address_limit(self) -> int:
        """The connections one address may hold: the setting, at most half the total."""
        return max(1, min(self.max_connections_per_address, self.max_connections // 2))

    def _at_least_one(self, *names: str) -> None:
        for name in names:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")

    def _check_limits(self) -> None:
        self._at_least_one(
            "login_lockout_after",
            "login_lockout_base_s",
            "max_connections",
            "max_connections_per_address",
        )
        if self.login_lockout_max_s < self.login_lockout_base_s:
            raise ValueError("login_lockout_max_s must be at least login_lockout_base_s")
        if not (self.header_timeout_s > 0 and self.body_timeout_s > 0):
            raise ValueError("the header and body timeouts must be more than 0 s")
        if not SQLITE_BUSY_MIN_S <= self.sqlite_busy_timeout_s <= 600:
            # SQLite counts its wait in whole milliseconds: less than one is no wait at all,
            # and a wait of a few ms answers 503 to writes merely queued behind another.
            raise ValueError(
                f"the SQLite busy timeout must be at least {SQLITE_BUSY_MIN_S} s, at most 600 s"
            )
        if not SQLITE_ROUTE_THREADS_MIN <= self.sqlite_route_threads <= SQLITE_ROUTE_THREADS_MAX:
            raise ValueError(
                f"the SQLite route threads must be between {SQLITE_ROUTE_THREADS_MIN} and"
                f" {SQLITE_ROUTE_THREADS_MAX}, not {self.sqlite_route_threads}"
            )
        if self.public_url is not None:
            parts = urlsplit(self.public_url)
            only_origin = parts.path in ("", "/") and not (parts.query or parts.fragment)
            if parts.scheme not in ("http", "https") or not parts.netloc or not only_origin:
                raise ValueError(
                    f"the public URL must be http(s)://host[:port]: {self.public_url!r}"
                )
        for network in (*self.trusted_proxies, *self.metrics_allow):
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {network!r}") from None
        if not NO_SHOW_TICK_MIN_S <= self.no_show_tick_s <= NO_SHOW_TICK_MAX_S:  # NaN too
            raise ValueError(no_show_tick_refused(self.no_show_tick_s))
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"workers must be between 1 and {MAX_WORKERS}, not {self.workers}")

    def _check_messages(self) -> None:
        if self.message_provider not in ("log", "webhook"):
            raise ValueError(f"unknown message provider {self.message_provider!r}: log or webhook")
        if self.message_provider == "webhook":
            url = urlsplit(self.message_webhook_url or "")
            if url.scheme not in ("http", "https") or not url.netloc:
                raise ValueError("the webhook provider needs an http(s):// URL")
            if "@" in url.netloc:
                raise ValueError(WEBHOOK_USERINFO)
            if self.message_webhook_secret is None or len(self.message_webhook_secret) < 16:
                raise ValueError("the webhook provider needs a secret of at least 16 bytes")
        self._at_least_one(
            "message_ahead",
            "message_per_number_per_hour",
            "message_max_attempts",
            "message_answer_max_bytes",
        )
        if not (
            0 < self.message_retry_base_s <= self.message_retry_max_s
            and 0 < self.message_deadline_s <= 300
            and 0 < self.message_poll_s <= 60
            and 0 < self.message_claim_margin_s <= 3600
        ):
            raise ValueError(
                "message times: 0 < retry base <= longest retry, deadline up to 300 s, "
                "poll up to 60 s, claim margin up to an hour"
            )

    @property
    def lookup_budget(self) -> LookupBudget:
        from central.access.lookup_budget import LookupBudget  # here: keeps this module light

        return LookupBudget(self.lookup_budget_per_hour, self.lookup_not_found_per_hour)

    @property
    def lockout_policy(self) -> LockoutPolicy:
        from central.access.lockout import LockoutPolicy  # here: keeps this module light

        return LockoutPolicy(
            after=self.login_lockout_after,
            base_s=self.login_lockout_base_s,
            max_s=self.login_lockout_max_s,
        )
