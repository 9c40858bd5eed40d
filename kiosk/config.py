"""The kiosk's configuration: one TOML file, every key with a default.

Lookup order: ``--config FILE``, then ``$ANJUNGAN_CONFIG``, then
``kiosk.toml`` in the platform's (user's) config dir, then the package's
``/etc/anjungan/kiosk.toml`` (:data:`SYSTEM_PATH`); with none of them, the
embedded defaults. Every key is documented in docs/configuration.md (a test keeps the
two in step). A bad file raises :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from kiosk.errors import ConfigError

ENV_VAR = "ANJUNGAN_CONFIG"
APP_NAME = "anjungan"
#: Where the Debian package puts the configuration (a conffile): found without
#: ``$ANJUNGAN_CONFIG``, which ``sudo -u anjungan`` drops.
SYSTEM_PATH = Path("/etc/anjungan/kiosk.toml")


def _choice(*values: str) -> dict[str, Any]:
    return {"choices": values}


@dataclass(frozen=True)
class KioskSection:
    """``[kiosk]``: the office, its language, the screen and its sounds."""

    office_id: str = "pku-mpp"
    language: str = field(default="id", metadata=_choice("id", "en"))
    fullscreen: bool = False
    #: Empty: the platform's user data dir (``~/.local/share/anjungan``).
    data_dir: str = ""
    #: Dots per inch of the touchscreen: every touch target is at least 15 mm at it.
    screen_dpi: float = 96.0
    #: The office's time zone (IANA name): its local date is the queue's "day".
    timezone: str = "Asia/Jakarta"
    #: Sound cues on a tap, a success and an error (where Qt Multimedia and a speaker exist).
    sounds: bool = True
    #: Their volume, above 0 up to 1.0.
    sound_volume: float = 0.6
    #: Reading the screens aloud (espeak-ng): ``button`` on the attract screen for one
    #: citizen, ``always`` for every citizen, ``off`` never (docs/accessibility.md).
    speech: str = field(default="button", metadata=_choice("off", "button", "always"))
    #: Where the screens send a citizen with a card or kiosk problem, as its sign
    #: names it ("2", "Informasi"): "loket 2". Empty: "loket informasi".
    help_counter: str = ""


@dataclass(frozen=True)
class SessionSection:
    """``[session]``: a citizen's session, its timeouts and what ends it."""

    read_timeout_s: float = 8.0
    idle_timeout_s: float = 60.0
    idle_warning_s: float = 20.0
    issuing_timeout_s: float = 30.0
    ticket_display_s: float = 20.0
    done_display_s: float = 3.0
    error_display_s: float = 8.0
    end_on_card_removal: bool = False
    #: Idle timeout at a hospital registration desk (``kiosk run --desk``): staff work slower.
    desk_idle_timeout_s: float = 600.0
    #: Ask before each ticket whether the citizen wants messages when their turn nears.
    ask_notify: bool = True
    #: Seconds the consent question waits for an answer (from the last touch): then "no".
    consent_timeout_s: float = 30.0


@dataclass(frozen=True)
class CardSection:
    """``[card]``: the reader and the lists its cards are checked against."""

    backend: str = field(default="simulated", metadata=_choice("simulated", "pcsc", "nfc"))
    #: Substring of the reader's name; empty takes any reader (pcsc).
    reader: str = ""
    #: nfcpy device path for the ``nfc`` backend: ``usb``, ``usb:VID:PID``, ``udp:HOST:PORT``.
    nfc_path: str = "usb"
    #: Trust list of issuer keys (JSON); empty: no issuer trusted, every card unverified.
    trust_list: str = ""
    #: Revocation list (JSON); empty: no card revoked.
    revocation_list: str = ""


@dataclass(frozen=True)
class PrinterSection:
    """``[printer]``: where tickets are printed, and for how long personal ones are kept."""

    backend: str = field(default="pdf_file", metadata=_choice("pdf_file", "cups", "escpos"))
    #: Folder the ``pdf_file`` printer writes into; empty: ``<data_dir>/tickets``.
    output_dir: str = ""
    paper: str = field(default="80mm", metadata=_choice("80mm", "58mm", "a4"))
    #: CUPS queue for the ``cups`` backend; empty: CUPS's default destination.
    queue: str = ""
    #: CUPS server (``host:port`` or socket path); empty: the system's CUPS.
    cups_server: str = ""
    #: ``usb:VID:PID``, ``serial:DEVICE[:BAUD]``, ``tcp:HOST[:PORT]`` or ``file:PATH``.
    escpos_device: str = ""
    #: Seconds a print job may take before the citizen is shown the number on screen.
    job_timeout_s: float = 15.0
    #: Seconds between printer status checks (they clear a fault once it is fixed).
    status_poll_s: float = 30.0
    #: Seconds the ``pdf_file`` printer keeps a document with personal data
    #: (registration slips) before deleting it; checked at start and with each status check.
    personal_retention_s: float = 86400.0
    #: Image printed above the office name; empty: none.
    logo: str = ""


@dataclass(frozen=True)
class CentralSection:
    """``[central]``: the central server, its deadlines and the kiosk's enrolment."""

    url: str = "http://127.0.0.1:8470"
    #: Seconds one request may take in all: connecting, TLS, sending, the whole answer.
    timeout_s: float = 3.0
    #: The same for fetching the catalog, the trust list or the revocation list.
    documents_timeout_s: float = 30.0
    #: Extra certificate authorities (a PEM file, or a folder of them made by
    #: ``c_rehash``) trusted besides the system's; empty: the system's alone.
    ca_bundle: str = ""
    #: One-time code from ``kiosk server enrol-code``, traded for a token on first start.
    enrolment_code: str = ""
    #: Where the kiosk keeps its bearer token (mode 0600); empty: ``<data_dir>/central-token``.
    token_file: str = ""


@dataclass(frozen=True)
class StoreSection:
    """``[store]``: the local store's key and how long a citizen's record is kept."""

    #: AES key for personal data in the local store; empty: ``<data_dir>/store.key``.
    key_file: str = ""
    #: Seconds a cached citizen record is kept before it is purged.
    record_ttl_s: float = 86400.0


@dataclass(frozen=True)
class SyncSection:
    """``[sync]``: how often the kiosk talks to the centre, and in what batches."""

    #: Seconds between looks at the outbox and the leases while all is well.
    interval_s: float = 5.0
    #: Seconds between fetches of the catalog, trust list and revocations.
    documents_interval_s: float = 300.0
    #: Seconds between heartbeats.
    heartbeat_interval_s: float = 30.0
    #: Seconds between fetches of today's bookings of the office (with ``If-None-Match``).
    bookings_interval_s: float = 60.0
    #: Outbox items sent in one request (1 to 500).
    batch_size: int = 500
    #: First retry delay after a failure; doubles per failure, with full jitter.
    backoff_base_s: float = 1.0
    #: Longest retry delay.
    backoff_cap_s: float = 300.0
    #: Seconds the centre may take to give a new ticket its number before a lease is used.
    allocate_deadline_s: float = 0.8
    #: Seconds the centre may take to send a citizen's record before the card alone is used.
    lookup_deadline_s: float = 1.5
    #: Numbers asked for in one lease (1 to 500).
    lease_size: int = 20
    #: A new lease is asked for when fewer numbers than this are left.
    lease_low_water: int = 5


@dataclass(frozen=True)
class OperatorSection:
    """``[operator]``: the operator's PIN (its hash)."""

    #: ``scrypt$N$r$p$SALT$HASH`` from ``kiosk operator-pin``; empty: no operator panel.
    pin_hash: str = ""


@dataclass(frozen=True)
class Config:
    """The kiosk's configuration: one section per table of the file, and where it came from."""

    kiosk: KioskSection = field(default_factory=KioskSection)
    session: SessionSection = field(default_factory=SessionSection)
    card: CardSection = field(default_factory=CardSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    central: CentralSection = field(default_factory=CentralSection)
    store: StoreSection = field(default_factory=StoreSection)
    operator: OperatorSection = field(default_factory=OperatorSection)
    sync: SyncSection = field(default_factory=SyncSection)
    #: Where the configuration came from ("" for the embedded defaults).
    source: str = field(default="", compare=False)

    @property
    def data_dir(self) -> Path:
        if self.kiosk.data_dir:
            return Path(self.kiosk.data_dir).expanduser()
        return Path(platformdirs.user_data_dir(APP_NAME))

    @property
    def ticket_dir(self) -> Path:
        if self.printer.output_dir:
            return Path(self.printer.output_dir).expanduser()
        return self.data_dir / "tickets"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    @property
    def central_token_path(self) -> Path:
        if self.central.token_file:
            return Path(self.central.token_file).expanduser()
        return self.data_dir / "central-token"

    @property
    def store_key_path(self) -> Path:
        if self.store.key_file:
            return Path(self.store.key_file).expanduser()
        return self.data_dir / "store.key"


SECTIONS: dict[str, type[Any]] = {
    "kiosk": KioskSection,
    "session": SessionSection,
    "card": CardSection,
    "printer": PrinterSection,
    "central": CentralSection,
    "store": StoreSection,
    "operator": OperatorSection,
    "sync": SyncSection,
}


def office_clock(config: Config) -> Callable[[], dt.datetime]:
    """The time now in the office's time zone (``kiosk.timezone``): its date is the queue's day."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(config.kiosk.timezone)
    return lambda: dt.datetime.now(zone)


def default_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "kiosk.toml"


def find_config(explicit: Path | None, environ: dict[str, str] | None = None) -> Path | None:
    """The file to read, by the lookup order; None means embedded defaults."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR])
    for candidate in (default_path(), SYSTEM_PATH):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    path = find_config(explicit, environ)
    if path is None:
        return Config()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError("(file)", f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("(file)", f"not valid TOML: {exc}", str(path)) from None
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], source: str = "") -> Config:
    sections: dict[str, Any] = {}
    for name, value in data.items():
        cls = SECTIONS.get(name)
        if cls is None:
            raise ConfigError(name, f"unknown section (known: {', '.join(SECTIONS)})", source)
        if not isinstance(value, dict):
            raise ConfigError(name, "must be a table ([section])", source)
        sections[name] = _section(name, cls, value, source)
    config = Config(**sections, source=source)
    _check_together(config, source)
    return config


def _section(name: str, cls: type[Any], values: dict[str, Any], source: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{name}.{key}"
        f = fields.get(key)
        if f is None:
            raise ConfigError(dotted, f"unknown key (known: {', '.join(fields)})", source)
        kwargs[key] = _coerce(dotted, f, value, source)
    return cls(**kwargs)


def _coerce(key: str, f: dataclasses.Field[Any], value: Any, source: str) -> Any:
    default = f.default
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false", source)
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(key, "must be a positive whole number", source)
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(key, "must be a positive number of seconds", source)
        return float(value)
    if not isinstance(value, str):
        raise ConfigError(key, "must be a string", source)
    if "\x00" in value:  # no path, URL or name holds one; the OS refuses it in a path
        raise ConfigError(key, "must not contain a NUL character (\\u0000)", source)
    choices = f.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(key, f"must be one of: {', '.join(choices)}", source)
    return value


#: The consent question's time, seconds: WCAG 2.2.1 gives at least 20 s to act on a
#: time limit with no warning; past 10 minutes the kiosk would stand blocked.
CONSENT_TIMEOUT_S = (20.0, 600.0)


def _check_together(config: Config, source: str) -> None:
    s = config.session
    low, high = CONSENT_TIMEOUT_S
    if not low <= s.consent_timeout_s <= high:
        raise ConfigError(
            "session.consent_timeout_s",
            f"harus {low:g} sampai {high:g} detik / must be {low:g} to {high:g} seconds"
            " (WCAG 2.2.1: at least 20 s to answer)",
            source,
        )
    if s.idle_warning_s >= s.idle_timeout_s:
        raise ConfigError(
            "session.idle_warning_s", "must be shorter than session.idle_timeout_s", source
        )
    if config.kiosk.sound_volume > 1.0:
        raise ConfigError("kiosk.sound_volume", "must be at most 1.0", source)
    url = config.central.url
    if not url.startswith(("http://", "https://")):
        raise ConfigError("central.url", "must start with http:// or https://", source)
    if len(url) > MAX_CENTRAL_URL:
        # Every ticket's status page is this URL and an id, printed and shown as a QR
        # code: a URL the code cannot hold would fail each ticket once it is numbered.
        raise ConfigError(
            "central.url",
            f"terlalu panjang, paling banyak {MAX_CENTRAL_URL} karakter / too long, at most"
            f" {MAX_CENTRAL_URL} characters (the tickets' QR codes carry it)",
            source,
        )
    if config.central.ca_bundle:
        _check_ca_bundle(config.central.ca_bundle, source)
    _check_printer(config, source)
    _check_operator(config, source)
    _check_sync(config, source)


#: The longest ``central.url``: a ticket's status page (the URL, ``/t/`` and the ticket's
#: 36-character id) must stay a QR code a phone reads off an 80 mm ticket.
MAX_CENTRAL_URL = 200


def _check_ca_bundle(path: str, source: str) -> None:
    import ssl

    from kiosk.client.transport import trust_context

    try:
        trust_context(path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            "central.ca_bundle", f"cannot load certificates from {path}: {exc}", source
        ) from None


def _check_sync(config: Config, source: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(config.kiosk.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "kiosk.timezone", "unknown time zone (e.g. Asia/Jakarta)", source
        ) from None
    y = config.sync
    for key in ("batch_size", "lease_size"):
        if getattr(y, key) > 500:
            raise ConfigError(f"sync.{key}", "must be at most 500", source)
    if y.lease_low_water >= y.lease_size:
        raise ConfigError("sync.lease_low_water", "must be smaller than sync.lease_size", source)
    if y.backoff_base_s > y.backoff_cap_s:
        raise ConfigError("sync.backoff_base_s", "must not exceed sync.backoff_cap_s", source)


def _check_operator(config: Config, source: str) -> None:
    if config.session.desk_idle_timeout_s <= config.session.idle_warning_s:
        raise ConfigError(
            "session.desk_idle_timeout_s", "must be longer than session.idle_warning_s", source
        )
    if config.operator.pin_hash:
        from kiosk.errors import PinFormatError
        from kiosk.operator.pin import check_pin_hash

        try:
            check_pin_hash(config.operator.pin_hash)
        except PinFormatError as exc:
            raise ConfigError("operator.pin_hash", str(exc), source) from None


def _check_printer(config: Config, source: str) -> None:
    p = config.printer
    if p.output_dir:
        _check_output_dir(config, source)
    if p.job_timeout_s >= config.session.issuing_timeout_s:
        raise ConfigError(
            "printer.job_timeout_s", "must be shorter than session.issuing_timeout_s", source
        )
    if p.backend != "escpos":
        return
    if p.paper == "a4":
        raise ConfigError("printer.paper", "an ESC/POS printer takes 80mm or 58mm rolls", source)
    from printing.printers.escpos import parse_device  # python-escpos itself stays unloaded

    try:
        parse_device(p.escpos_device)
    except ValueError as exc:
        raise ConfigError("printer.escpos_device", str(exc), source) from None


def _check_output_dir(config: Config, source: str) -> None:
    """The PDF folder is the printer's own: its purge deletes slips there. Never the
    data folder, a folder inside it (but the default ``tickets``), nor the folder of
    the token or the store key."""
    out = config.ticket_dir.resolve()
    data = config.data_dir.resolve()
    kept = {
        data,
        config.central_token_path.resolve().parent,
        config.store_key_path.resolve().parent,
    }
    inside = out != data / "tickets" and out.is_relative_to(data)
    if out in kept or inside:
        raise ConfigError(
            "printer.output_dir",
            f"{out} holds (or is inside) the kiosk's own data: the printer deletes old "
            "slips there; choose a folder of its own",
            source,
        )
