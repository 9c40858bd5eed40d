"""Composition: wires the reader, the store, the printer and the central
server to the session state machine, and carries out its effects.

No Qt here. Work that may block (card I/O, disk, printer, network) goes to
an :class:`Executor`, which the UI implements on a thread pool and which
hands each result back to the GUI thread; tests use :class:`InlineExecutor`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cardio.citizen_card import read_identity
from cardio.errors import CardError
from cardio.events import CardPresented, CardRemoved, ReaderEvent
from cardio.reader import Reader
from cardio.trust import TrustStore
from kiosk.catalog import Catalog, CatalogError
from kiosk.central_client import CentralClient
from kiosk.central_errors import CentralError
from kiosk.config import Config
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
from kiosk.ticketing import TicketingError, issue_and_print
from offline_store import Store, StoreError
from printing import Printer, PrinterStatus

log = logging.getLogger(__name__)
T = TypeVar("T")


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
            self.executor.run_in_background(lambda: self._issue(effect), self.dispatch)
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
        log.info("card read: %r", identity)
        return CardRead(effect.session, identity)

    def _issue(self, effect: IssueTicket) -> SessionEvent:
        try:
            ticket = issue_and_print(
                effect,
                catalog=self.catalog,
                office_id=self.config.kiosk.office_id,
                store=self.store,
                printer=self.printer,
                paper=self.config.printer.paper,
                now=self._now,
            )
        except TicketingError as exc:
            return IssueFailed(effect.session, exc.reason)
        except StoreError as exc:
            log.error("ticket not stored: %s", exc)
            return IssueFailed(effect.session, exc.reason)
        except Exception:
            log.exception("ticket issue failed unexpectedly")
            return IssueFailed(effect.session, "issue_failed")
        return TicketReady(effect.session, ticket)

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

    def _fetch_catalog(self) -> tuple[bool, Catalog | None, str | None, dict[str, Any] | None]:
        try:
            fetched = self.central.fetch_catalog(self.catalog_etag)
        except CentralError as exc:
            log.warning("central server unreachable: %s", exc)
            return False, None, None, None
        if fetched.not_modified or fetched.data is None:
            return True, None, None, None
        try:
            catalog = Catalog.from_json(fetched.data)
        except CatalogError as exc:
            log.error("central sent an unusable catalog: %s", exc)
            return True, None, None, None
        try:
            self.store.save_catalog(fetched.data, fetched.etag, catalog.version)
        except StoreError as exc:
            log.error("catalog not cached: %s", exc)
        return True, catalog, fetched.etag, fetched.data

    def _catalog_fetched(
        self, result: tuple[bool, Catalog | None, str | None, dict[str, Any] | None]
    ) -> None:
        self._catalog_busy.release()
        online, catalog, etag, _ = result
        self.online = online
        if catalog is not None:
            self.catalog, self.catalog_etag = catalog, etag
            log.info("catalog %s in use", catalog.version)
        self._status_changed()

    # -- status ------------------------------------------------------------------
    def printer_status(self) -> PrinterStatus:
        return self.printer.status()

    def _status_changed(self) -> None:
        for listener in list(self._status_listeners):
            listener()
