"""Composition: wires the reader, the store, the printer and the central
server to the session state machine, and carries out its effects.

No Qt here. Work that may block (card I/O, disk, printer, network) goes to
an :class:`Executor`, which the UI implements on a thread pool and which
hands each result back to the GUI thread; tests use :class:`InlineExecutor`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from cardio.citizen import CardIdentity, Citizen
from cardio.citizen_card import read_identity
from cardio.errors import CardError
from cardio.events import CardPresented, CardRemoved, ReaderEvent
from cardio.nik import NikError, parse_nik
from cardio.reader import Reader
from cardio.trust import TrustStore
from kiosk.catalog import Catalog, CatalogError
from kiosk.central_client import CentralClient
from kiosk.central_errors import CentralAuthError, CentralError
from kiosk.central_token import authorised
from kiosk.config import Config
from kiosk.printer_setup import PrinterHealth, PrinterMonitor, print_setup, print_test_ticket
from kiosk.session import SessionMachine, SessionState, Timeouts
from kiosk.session_events import (
    CardLeft,
    CardRead,
    CardReadFailed,
    CardTapped,
    Effect,
    IssueFailed,
    IssueTicket,
    ReadCard,
    SessionEvent,
    TicketReady,
    WipeSession,
)
from kiosk.ticketing import TicketingError, issue_and_print, print_slip
from offline_store import Store, StoreError
from printing import Printer, SlipDocument
from printing.ticket import Language

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How long a tap may wait for the city's registry to name a UID-only card's holder.
UID_LOOKUP_DEADLINE_S = 1.5


class Executor(Protocol):
    def run_in_background(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """Run ``work`` off the GUI thread; call ``done(result)`` on the GUI thread."""

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread (safe to call from any thread)."""


class InlineExecutor:
    """Runs everything at once on the caller's thread (tests, command line)."""

    def run_in_background(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        done(work())

    def call_soon(self, fn: Callable[[], None]) -> None:
        fn()


def _import_heavy_modules() -> None:
    import cwt  # noqa: F401  (verifying the first card)

    from printing import fonts, layout  # noqa: F401  (reportlab, for the first ticket)

    fonts.document_fonts()  # register the embedded fonts once
    from printing.qr import qr_matrix

    qr_matrix("warm-up")  # reportlab's barcode package, ~0.3 s on first import


def trust_from(config: Config) -> TrustStore:
    """The trust store the configuration names (``card.trust_list``, ``card.revocation_list``).

    No trust list: an empty store (no card is verified). Raises
    :class:`cardio.trust.TrustError` if a named file cannot be used.
    """
    if not config.card.trust_list:
        return TrustStore.empty()
    revocation_list = config.card.revocation_list
    revocations = Path(revocation_list).expanduser() if revocation_list else None
    return TrustStore.load(Path(config.card.trust_list).expanduser(), revocations)


def timeouts_from(config: Config) -> Timeouts:
    s = config.session
    return Timeouts(
        read=s.read_timeout_s,
        idle=s.idle_timeout_s,
        idle_warning=s.idle_warning_s,
        issuing=s.issuing_timeout_s,
        ticket_display=s.ticket_display_s,
        done_display=s.done_display_s,
        error_display=s.error_display_s,
    )


@dataclass(frozen=True)
class CatalogRefresh:
    """What one background catalog fetch found (``catalog`` None: keep the one in use)."""

    online: bool
    catalog: Catalog | None = None
    etag: str | None = None


class KioskController:
    def __init__(
        self,
        config: Config,
        *,
        reader: Reader,
        store: Store,
        printer: Printer,
        central: CentralClient,
        executor: Executor,
        clock: Callable[[], float],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
        trust: TrustStore | None = None,
    ) -> None:
        self.config = config
        self.reader = reader
        self.store = store
        self.printer = printer
        #: Every job and status check goes through it; it keeps the printer's health.
        self.printer_monitor = PrinterMonitor(printer, now)
        self.print_setup = print_setup(config, self.printer_monitor)
        self._health_shown = self.printer_monitor.health
        self.central = central
        self.executor = executor
        #: Issuer keys and revocations every read is verified against; the
        #: sync engine may replace it between taps.
        self.trust = trust if trust is not None else TrustStore.empty()
        self.language = config.kiosk.language
        self.catalog: Catalog | None = None
        self.catalog_etag: str | None = None
        self.online: bool | None = None  # None: not asked yet
        self._now = now
        self._status_listeners: list[Callable[[], None]] = []
        self._catalog_busy = threading.Lock()
        self.machine = SessionMachine(
            lambda: self.catalog,
            clock,
            timeouts_from(config),
            end_on_card_removal=config.session.end_on_card_removal,
            language=lambda: self.language,
        )
        self._load_cached_catalog()

    # -- wiring ------------------------------------------------------------------
    def start(self) -> None:
        self.reader.start(self._on_reader_event)
        self.refresh_catalog()
        self.refresh_printer()

    def warm_up(self) -> None:
        """Load, off the GUI thread, what the first tap and ticket will need.

        The COSE library and reportlab are imported on first use so the
        attract screen comes up fast; call this once it is painted.
        """
        self.executor.run_in_background(_import_heavy_modules, lambda _: None)

    def stop(self) -> None:
        self.reader.stop()

    def subscribe(self, listener: Callable[[SessionState], None]) -> None:
        self.machine.subscribe(listener)

    def subscribe_status(self, listener: Callable[[], None]) -> None:
        """Called on the GUI thread when online state, catalog or printer change."""
        self._status_listeners.append(listener)

    def dispatch(self, event: SessionEvent) -> None:
        """Feed an event to the state machine (GUI thread only) and run its effects."""
        for effect in self.machine.handle(event):
            self._run(effect)

    def _on_reader_event(self, event: ReaderEvent) -> None:
        # Called on the reader's thread: hop to the GUI thread before deciding.
        if isinstance(event, CardPresented):
            self.executor.call_soon(lambda: self.dispatch(CardTapped(event.reader)))
        elif isinstance(event, CardRemoved):
            self.executor.call_soon(lambda: self.dispatch(CardLeft(event.reader)))
        else:
            log.info("reader event: %s", event)
            self.executor.call_soon(self._status_changed)

    # -- effects -----------------------------------------------------------------
    def _run(self, effect: Effect) -> None:
        if isinstance(effect, ReadCard):
            self.executor.run_in_background(lambda: self._read(effect), self.dispatch)
        elif isinstance(effect, IssueTicket):
            self.executor.run_in_background(lambda: self._issue(effect), self._issued)
        elif isinstance(effect, WipeSession):
            log.info("session wiped (%s)", effect.reason)

    def _read(self, effect: ReadCard) -> SessionEvent:
        try:
            trust = self.trust
            with self.reader.connect(effect.reader) as card:
                identity = read_identity(card, trust, now=self._now)
        except CardError as exc:
            log.warning("card read failed: %s (%s)", exc.reason.value, exc.detail)
            return CardReadFailed(effect.session, exc.reason.value)
        except Exception:
            log.exception("card read failed unexpectedly")
            return CardReadFailed(effect.session, "malformed")
        if identity.citizen is None:
            identity = self._holder_from_registry(identity)
        log.info("card read: %r", identity)
        return CardRead(effect.session, identity)

    def _holder_from_registry(self, identity: CardIdentity) -> CardIdentity:
        """A UID-only card (an e-KTP): ask the city's registry whose it is (#3).

        Runs inside the read effect, off the GUI thread, with a short deadline;
        offline, not enrolled, unknown UID or any failure: the UID alone. A
        found holder stays ``unverified`` (a UID can be copied); the date of
        birth and sex come from the NIK.
        """
        if self.online is False or not self.central.token:
            return identity
        try:
            found = self.central.lookup_citizen(
                uid=identity.uid.hex().upper(), deadline_s=UID_LOOKUP_DEADLINE_S
            )
        except CentralError as exc:
            log.warning("card holder lookup failed: %s", exc)
            return identity
        if found is None or found.full_name is None or found.nik is None:
            return identity
        try:
            nik = parse_nik(found.nik)
        except NikError as exc:
            log.error("the registry's record for this card has an unusable NIK: %s", exc)
            return identity
        holder = Citizen(
            card_number=found.card_number or "",
            nik=found.nik,
            full_name=found.full_name,
            date_of_birth=nik.birth_date,
            sex=nik.sex,
        )
        return dataclasses.replace(identity, citizen=holder)

    def _issue(self, effect: IssueTicket) -> tuple[SessionEvent, SlipDocument | None]:
        try:
            issued = issue_and_print(
                effect,
                catalog=self.catalog,
                office_id=self.config.kiosk.office_id,
                store=self.store,
                setup=self.print_setup,
                now=self._now,
            )
        except TicketingError as exc:
            return IssueFailed(effect.session, exc.reason), None
        except StoreError as exc:
            log.error("ticket not stored: %s", exc)
            return IssueFailed(effect.session, exc.reason), None
        except Exception:
            log.exception("ticket issue failed unexpectedly")
            return IssueFailed(effect.session, "issue_failed"), None
        return TicketReady(effect.session, issued.ticket), issued.slip

    def _issued(self, result: tuple[SessionEvent, SlipDocument | None]) -> None:
        event, slip = result
        self._printer_changed()  # first: the ticket screen reads the printer's health
        self.dispatch(event)
        if slip is not None:  # the second job, once the number is on screen
            setup = self.print_setup
            self.executor.run_in_background(
                lambda: print_slip(slip, setup), lambda _: self._printer_changed()
            )

    # -- catalog -----------------------------------------------------------------
    def _load_cached_catalog(self) -> None:
        try:
            cached = self.store.load_catalog()
        except StoreError as exc:
            log.error("cached catalog unreadable: %s", exc)
            return
        if cached is None:
            return
        body, etag = cached
        try:
            self.catalog, self.catalog_etag = Catalog.from_json(body), etag
        except CatalogError as exc:
            log.error("cached catalog rejected: %s", exc)

    def refresh_catalog(self) -> None:
        """Fetch the catalog in the background; keep the cached one on any failure."""
        if not self._catalog_busy.acquire(blocking=False):
            return
        self.executor.run_in_background(self._fetch_catalog, self._catalog_fetched)

    def _fetch_catalog(self) -> CatalogRefresh:
        try:
            etag, central = self.catalog_etag, self.central
            fetched = authorised(central, self.config, lambda: central.fetch_catalog(etag))
        except CentralAuthError as exc:
            log.error("central server refused this kiosk (a new enrolment code is needed): %s", exc)
            return CatalogRefresh(online=False)
        except OSError as exc:
            log.error("central token not saved: %s", exc)
            return CatalogRefresh(online=False)
        except CentralError as exc:
            log.warning("central server unreachable: %s", exc)
            return CatalogRefresh(online=False)
        if fetched.not_modified or fetched.data is None:
            return CatalogRefresh(online=True)
        try:
            catalog = Catalog.from_json(fetched.data)
        except CatalogError as exc:
            log.error("central sent an unusable catalog: %s", exc)
            return CatalogRefresh(online=True)
        try:
            self.store.save_catalog(fetched.data, fetched.etag, catalog.version)
        except StoreError as exc:
            log.error("catalog not cached: %s", exc)
        return CatalogRefresh(online=True, catalog=catalog, etag=fetched.etag)

    def _catalog_fetched(self, result: CatalogRefresh) -> None:
        self._catalog_busy.release()
        self.online = result.online
        if result.catalog is not None:
            self.catalog, self.catalog_etag = result.catalog, result.etag
            log.info("catalog %s in use", result.catalog.version)
        self._status_changed()

    # -- status ------------------------------------------------------------------
    @property
    def printer_health(self) -> PrinterHealth:
        """The printer's state, fault and since when: for the screens and the heartbeat."""
        return self.printer_monitor.health

    def refresh_printer(self) -> None:
        """Ask the printer for its state in the background; a healthy answer clears a fault."""
        monitor = self.printer_monitor
        self.executor.run_in_background(monitor.status, lambda _: self._printer_changed())

    def test_print(self, done: Callable[[bool], None] = lambda _: None) -> None:
        """Print the operator's test ticket; a successful one clears a fault."""
        setup, office = self.print_setup, self._office_name()
        lang: Language = "en" if self.language == "en" else "id"

        def finished(printed: bool) -> None:
            self._printer_changed()
            done(printed)

        self.executor.run_in_background(
            lambda: print_test_ticket(setup, office, lang, self._now()), finished
        )

    def _office_name(self) -> str:
        try:
            return self.catalog.office(self.config.kiosk.office_id).name if self.catalog else ""
        except KeyError:
            return ""

    def _printer_changed(self) -> None:
        health = self.printer_monitor.health
        if health != self._health_shown:
            self._health_shown = health
            self._status_changed()

    def _status_changed(self) -> None:
        for listener in list(self._status_listeners):
            listener()
