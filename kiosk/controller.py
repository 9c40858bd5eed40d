"""Composition: wires the reader, the store, the printer and the central
server to the session state machine, and carries out its effects.

No Qt here. Work that may block (card I/O, disk, printer, network) goes to
an :class:`~kiosk.executor.Executor`, which the UI implements on a thread pool
and which hands each result, or failure, back to the GUI thread; tests use
:class:`~kiosk.executor.InlineExecutor`. An effect whose work fails comes back
to the session machine as its failure event, never as a stuck screen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cardio.card.citizen import CardIdentity, Citizen
from cardio.card.citizen_card import read_identity
from cardio.errors import CardError, Reason
from cardio.readers.events import CardPresented, CardRemoved, ReaderEvent
from cardio.readers.reader import Reader
from contract.assurance import Assurance
from contract.catalog import Catalog
from contract.errors import CatalogError, NikError, TrustRollback
from contract.nik import parse_nik
from contract.trust import TrustStore, check_successor
from kiosk.client.bearer import load_token
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralError, CentralUnavailable
from kiosk.client.info import QueueState
from kiosk.config import Config
from kiosk.errors import Failure, TicketingError
from kiosk.executor import BusyFlag, Executor, InlineExecutor
from kiosk.session.events import (
    BirthDateChecked,
    CardLeft,
    CardRead,
    CardReadFailed,
    CardTapped,
    ComplaintFailed,
    ComplaintFiled,
    Effect,
    FileComplaint,
    IssueFailed,
    IssueTicket,
    ProofOutcome,
    ProveBirthDate,
    ReadCard,
    SessionEvent,
    TicketReady,
    WipeSession,
)
from kiosk.session.machine import SessionMachine, SessionState, Timeouts
from kiosk.tickets.complaints import file_complaint
from kiosk.tickets.issue import issue_and_print, print_slip
from kiosk.wiring.printer import PrinterHealth, PrinterMonitor, print_setup, print_test_ticket

if TYPE_CHECKING:
    from kiosk.sync import DeviceHealth, SyncEngine, SyncStatus
from offline_store import Store, StoreError
from printing import Printer, PrinterStatus, SlipDocument
from printing.documents import Language

log = logging.getLogger(__name__)
__all__ = ["Executor", "InlineExecutor", "KioskController"]  # the executors: kiosk.executor


def _import_heavy_modules() -> None:
    import cwt  # noqa: F401  (verifying the first card)

    from printing.layouts import fonts, ticket  # noqa: F401  (reportlab, for the first ticket)

    fonts.document_fonts()  # register the embedded fonts once
    from printing.layouts.qr import qr_matrix

    qr_matrix("warm-up")  # reportlab's barcode package, ~0.3 s on first import


def trust_from(config: Config) -> TrustStore:
    """The trust store the configuration names (``card.trust_list``, ``card.revocation_list``).

    No trust list: an empty store (no card is verified). Raises
    :class:`contract.errors.TrustError` if a named file cannot be used.
    """
    if not config.card.trust_list:
        return TrustStore.empty()
    revocation_list = config.card.revocation_list
    revocations = Path(revocation_list).expanduser() if revocation_list else None
    return TrustStore.load(Path(config.card.trust_list).expanduser(), revocations)


def _holder(full_name: str | None, nik: str | None, card_number: str | None) -> Citizen | None:
    """The registry's holder of a UID-only card (date of birth and sex from the NIK)."""
    if full_name is None or nik is None:
        return None
    try:
        parsed = parse_nik(nik)
    except NikError as exc:
        log.error("the registry's record for this card has an unusable NIK: %s", exc)
        return None
    return Citizen(
        card_number=card_number or "",
        nik=nik,
        full_name=full_name,
        date_of_birth=parsed.birth_date,
        sex=parsed.sex,
    )


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
class StoreLoaded:
    """What the kiosk starts from, out of its store: ``error`` if it cannot be opened."""

    error: str | None = None
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
        desk: bool = False,
    ) -> None:
        self.config = config
        #: Hospital desk mode (#7): staff edit every field; a longer idle timeout.
        self.desk = desk
        #: While set (the operator's test read), a tapped card goes here, not to the session.
        self.tap_listener: Callable[[str], None] | None = None
        self.reader = reader
        self.store = store
        self.printer = printer
        #: Every job and status check goes through it; it keeps the printer's health.
        self.printer_monitor = PrinterMonitor(printer, now)
        self.print_setup = print_setup(config, self.printer_monitor)
        self._health_shown = self.printer_monitor.health
        self.central = central
        self.executor = executor
        #: Issuer keys and revocations every read is verified against; replaced
        #: only by :meth:`install_trust`, never with an older list.
        self.trust = trust if trust is not None else TrustStore.empty()
        self._trust_lock = threading.Lock()
        self.language = config.kiosk.language
        self.catalog: Catalog | None = None
        self.catalog_etag: str | None = None
        self.online: bool | None = None  # None: not asked yet
        #: The office's queues as the centre last told them (service detail: now
        #: serving, estimated wait); None until asked, or offline.
        self.queue: QueueState | None = None
        self._queue_busy = BusyFlag()
        #: The office's time now (its date is the queue's day; the desk's list reads it too).
        self.now = now
        self._status_listeners: list[Callable[[], None]] = []
        #: The sync engine (docs/sync.md), once :meth:`attach_sync` gave one.
        self.sync: SyncEngine | None = None
        self._stopped = False
        #: Why the store cannot be opened, while it cannot: the kiosk could not
        #: keep a ticket, so it is out of service.
        self.store_failure: str | None = None
        self._store_lock = threading.Lock()
        self._store_loaded: StoreLoaded | None = None
        timeouts = timeouts_from(config)
        if desk:
            timeouts = dataclasses.replace(timeouts, idle=config.session.desk_idle_timeout_s)
        self.machine = SessionMachine(
            lambda: self.catalog,
            clock,
            timeouts,
            end_on_card_removal=config.session.end_on_card_removal,
            language=lambda: self.language,
            staff_edits=desk,
        )

    # -- wiring ------------------------------------------------------------------
    def start(self) -> None:
        """Start the reader and watch the printer; :meth:`load` does the rest."""
        self._stopped = False
        self.reader.start(self._on_reader_event)
        self.refresh_printer()

    def load(self) -> None:
        """Open the store, take up its cached catalog and trust list, then start
        the sync engine (the only thing that fetches the catalog and the lists).

        Call it once the first screen is up: opening the store imports
        sqlite-utils and migrates (some 0.3 s), and the sync engine's first
        step imports and verifies much; either would hold the GIL while the
        screen is drawn. A card tapped before it is done waits for the store
        (its read needs the cached revocations). A store that cannot be opened
        sets :attr:`store_failure` and tells the status listeners: the kiosk is
        out of service (taps are ignored) until a later try opens it.
        """
        self.executor.run_in_background(self._load_store, self._store_ready, self._store_broke)

    def _load_store(self) -> StoreLoaded:
        """Open the store and read the kiosk's starting point from it, once (any thread)."""
        with self._store_lock:
            if self._store_loaded is None or self._store_loaded.error is not None:
                self._store_loaded = self._read_store()
            return self._store_loaded

    def _read_store(self) -> StoreLoaded:
        try:
            self.store.ensure_open()
        except StoreError as exc:
            log.error("local store unusable, the kiosk is out of service: %s", exc)
            return StoreLoaded(error=str(exc))
        if self.sync is not None:
            # On this worker, not the GUI thread: a tap in the first instants waits
            # for this load and must meet the cached revocations.
            cached = self.sync.cached_trust(self.trust)
            if cached is not None:
                self.install_trust(cached, "cached")
        try:
            cached_catalog = self.store.load_catalog()
        except StoreError as exc:
            log.error("cached catalog unreadable: %s", exc)
            return StoreLoaded()
        if cached_catalog is None:
            return StoreLoaded()
        body, etag = cached_catalog
        try:
            return StoreLoaded(catalog=Catalog.from_json(body), etag=etag)
        except CatalogError as exc:
            log.error("cached catalog rejected: %s", exc)
            return StoreLoaded()

    def _store_ready(self, loaded: StoreLoaded) -> None:
        if loaded.error is not None:
            self.store_failure = loaded.error
            self._status_changed()
            return
        if self.store_failure is not None:
            log.info("local store usable again: back in service")
            self.store_failure = None
            self._status_changed()
        self._take_cached_catalog(loaded)
        self.start_sync()

    def _store_broke(self, exc: Exception) -> None:
        self._store_ready(StoreLoaded(error=f"{type(exc).__name__}: {exc}"))

    def _take_cached_catalog(self, loaded: StoreLoaded) -> None:
        if self.catalog is None and loaded.catalog is not None:
            self.catalog, self.catalog_etag = loaded.catalog, loaded.etag
            self._status_changed()

    def _card_read(self, event: SessionEvent) -> None:
        # A tap before load() finished opened the store in its read: its cached
        # catalog first, so the greeting does not say "no services".
        loaded = self._store_loaded
        if loaded is not None and loaded.error is None:
            self._take_cached_catalog(loaded)
        self.dispatch(event)

    def start_sync(self) -> None:
        if self.sync is not None and not self._stopped:
            self.sync.start()

    def warm_up(self) -> None:
        """Load, off the GUI thread, what the first tap and ticket will need.

        The COSE library and reportlab are imported on first use so the
        attract screen comes up fast; call this once it is painted.
        """
        self.executor.run_in_background(_import_heavy_modules, lambda _: None, lambda _: None)

    def stop(self) -> None:
        self._stopped = True
        self.reader.stop()
        if self.sync is not None:
            self.sync.stop()

    def attach_sync(self, engine: SyncEngine) -> None:
        """Let ``engine`` number tickets online and bring new catalogs, trust and status.

        Its listeners run on its thread; everything they change is handed to
        the GUI thread. :meth:`load` starts it, :meth:`stop` stops it.
        """
        self.sync = engine
        engine.on_catalog(
            lambda catalog, etag: self.executor.call_soon(lambda: self._synced(catalog, etag))
        )
        engine.on_trust(lambda trust: self.executor.call_soon(lambda: self._trust_synced(trust)))
        engine.subscribe(lambda status: self.executor.call_soon(lambda: self._sync_status(status)))

    def _synced(self, catalog: Catalog, etag: str | None) -> None:
        if etag is not None and etag == self.catalog_etag:
            return  # the cached copy taken at start is this one
        self.catalog, self.catalog_etag = catalog, etag
        log.info("catalog %s in use (from the sync engine)", catalog.version)
        self._status_changed()

    def _trust_synced(self, trust: TrustStore) -> None:
        self.install_trust(trust, "central")

    def install_trust(self, offered: TrustStore, source: str) -> bool:
        """Verify reads against ``offered`` from now on, unless it would go back.

        The one way the trust store is replaced (any thread; under a lock): the
        cached lists at start, the centre's from the sync engine (on the GUI
        thread). A list older than the one held, or as old but different
        (:func:`contract.trust.check_successor`), is refused and logged; an empty
        trust list never replaces one that trusts someone. One reference swap:
        a read in flight finishes with the store it took.
        """
        with self._trust_lock:
            held = self.trust
            try:
                check_successor(held, offered)
            except TrustRollback as exc:
                log.error("%s trust or revocation list refused: %s", source, exc)
                return False
            self.trust = offered
        log.info("%s trust lists in use (%s)", source, offered.describe())
        return True

    def _sync_status(self, status: SyncStatus) -> None:
        online = {"online": True, "offline": False}.get(status.connection)
        if online is not None and online != self.online:
            self.online = online
            self._status_changed()

    def device_health(self) -> DeviceHealth:
        """Reader and printer health for the heartbeat (any thread)."""
        from kiosk.sync import DeviceHealth, PartHealth

        printer = self.printer_monitor.health
        try:
            readers = self.reader.readers()
            reader = PartHealth("ok", "") if readers else PartHealth("fault", Failure.NO_READER)
        except Exception as exc:
            reader = PartHealth("fault", type(exc).__name__)
        return DeviceHealth(reader=reader, printer=PartHealth(printer.state, printer.fault))

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
            self.executor.call_soon(lambda: self._tapped(event.reader))
        elif isinstance(event, CardRemoved):
            self.executor.call_soon(lambda: self.dispatch(CardLeft(event.reader)))
        else:
            log.info("reader event: %s", event)
            self.executor.call_soon(self._status_changed)

    def _tapped(self, reader: str) -> None:
        listener = self.tap_listener
        if listener is not None:
            listener(reader)
        elif self.store_failure is not None:
            log.warning("card tap ignored: out of service, the local store is unusable")
        else:
            self.dispatch(CardTapped(reader))

    # -- effects -----------------------------------------------------------------
    def _run(self, effect: Effect) -> None:
        # A failure of the work itself comes back as the effect's failure event.
        if isinstance(effect, ReadCard):
            self.executor.run_in_background(
                lambda: self._read(effect),
                self._card_read,
                lambda _: self.dispatch(CardReadFailed(effect.session, Reason.MALFORMED)),
            )
        elif isinstance(effect, ProveBirthDate):
            self.executor.run_in_background(
                lambda: self._prove(effect),
                self.dispatch,
                lambda _: self.dispatch(BirthDateChecked(effect.session, ProofOutcome.UNAVAILABLE)),
            )
        elif isinstance(effect, IssueTicket):
            self.executor.run_in_background(
                lambda: self._issue(effect),
                self._issued,
                lambda _: self._issued((IssueFailed(effect.session, Failure.ISSUE_FAILED), None)),
            )
        elif isinstance(effect, FileComplaint):
            self.executor.run_in_background(
                lambda: self._complain(effect),
                self._complained,
                lambda _: self._complained(ComplaintFailed(effect.session, Failure.STORE_FAILED)),
            )
        elif isinstance(effect, WipeSession):
            log.info("session wiped (%s)", effect.reason)

    def _read(self, effect: ReadCard) -> SessionEvent:
        # A tap in the first instants: the cached revocations first.
        if self._load_store().error is not None:
            return CardReadFailed(effect.session, Failure.STORE_FAILED)  # no ticket could be kept
        try:
            trust = self.trust
            with self.reader.connect(effect.reader) as card:
                identity = read_identity(card, trust, now=self.now)
        except CardError as exc:
            log.warning("card read failed: %s (%s)", exc.reason.value, exc.detail)
            return CardReadFailed(effect.session, exc.reason.value)
        except Exception:
            log.exception("card read failed unexpectedly")
            return CardReadFailed(effect.session, Reason.MALFORMED)
        if identity.citizen is None:  # a UID alone proves nothing: the citizen may prove
            log.info("card read: %r", identity)
            return CardRead(effect.session, identity, None, can_prove=self._can_ask_centre())
        if identity.assurance is Assurance.UNVERIFIED:
            # Claims no issuer vouches for (a kiosk that trusts none, an unsigned
            # record) are anyone's to write: they name no one at the registry.
            log.info("card read: %r (unverified: no city record)", identity)
            return CardRead(effect.session, identity, None)
        try:  # a registry that fails in any way never costs the citizen the read
            record = self._city_record(identity.citizen)
        except Exception:
            log.exception("city record lookup failed unexpectedly")
            record = None
        log.info("card read: %r", identity)
        return CardRead(effect.session, identity, record)

    def _can_ask_centre(self) -> bool:
        try:
            return self.online is not False and self.central_ready()
        except Exception:
            log.exception("central token unreadable")
            return False

    def _city_record(self, citizen: Citizen) -> dict[str, str] | None:
        """The city's record of a card's holder: it pre-fills ``record.*`` fields (#7).

        Only for a verified card (signed or clone-proof; :meth:`_read` asks for
        no other, not even of the cache): asked of the centre by
        card number (or NIK) inside the read effect, with a short deadline; a
        found record is cached in the store (sealed, ``store.record_ttl_s``),
        which answers when offline or slow. A UID-only card's holder is never
        cached: offline, nothing could prove the date of birth.
        """
        key = citizen.card_number or citizen.nik
        if not key:
            return None
        if self.online is not False and self.central_ready():
            try:
                deadline = self.config.sync.lookup_deadline_s
                found = (
                    self.central.lookup_citizen(card_number=key, deadline_s=deadline)
                    if citizen.card_number
                    else self.central.lookup_citizen(nik=key, deadline_s=deadline)
                )
            except CentralError as exc:
                log.warning("city record lookup failed: %s", exc)
            else:
                record = dict(found.record) if found is not None else {}
                try:
                    self.store.put_citizen_record(key, record, self.now())
                except StoreError as exc:
                    log.error("city record not cached: %s", exc)
                return record or None
        try:
            cached = self.store.get_citizen_record(key, self.now())
        except StoreError as exc:
            log.error("cached city record unreadable: %s", exc)
            return None
        return {k: str(v) for k, v in cached.items() if isinstance(v, str)} if cached else None

    def _prove(self, effect: ProveBirthDate) -> BirthDateChecked:
        """Whether the typed date of birth is the UID-only card's holder's (#7).

        The centre names the holder and sends the record only then; it counts
        wrong dates per card and per kiosk and answers 429 when either is
        locked. Only its ``too_many_attempts`` (wrong dates for this card or from
        this kiosk) is ``locked``; every other failure (offline, slow, refused,
        the kiosk's lookup budget, the general rate limit, anything unexpected) is
        ``unavailable``: the citizen carries on and fills the form by hand.
        """
        try:
            found = self.central.lookup_citizen(
                uid=effect.uid.hex().upper(),
                birth_date=effect.birth_date,
                deadline_s=self.config.sync.lookup_deadline_s,
            )
        except CentralUnavailable as exc:
            locked = exc.status == 429 and exc.code == "too_many_attempts"
            log.warning("date of birth not checked: %s", exc)
            outcome = ProofOutcome.LOCKED if locked else ProofOutcome.UNAVAILABLE
            return BirthDateChecked(effect.session, outcome)
        except CentralError as exc:
            log.warning("date of birth not checked: %s", exc)
            return BirthDateChecked(effect.session, ProofOutcome.UNAVAILABLE)
        except Exception:
            log.exception("date of birth not checked: unexpected failure")
            return BirthDateChecked(effect.session, ProofOutcome.UNAVAILABLE)
        if found is None:
            return BirthDateChecked(effect.session, ProofOutcome.MISMATCH)
        holder = _holder(found.full_name, found.nik, found.card_number)
        if holder is None:
            return BirthDateChecked(effect.session, ProofOutcome.UNAVAILABLE)
        identity = CardIdentity(effect.uid, holder, Assurance.UNVERIFIED)
        log.info("date of birth matched: the registry's holder unlocked")
        return BirthDateChecked(
            effect.session, ProofOutcome.MATCHED, identity, dict(found.record) or None
        )

    def _issue(self, effect: IssueTicket) -> tuple[SessionEvent, SlipDocument | None]:
        try:
            issued = issue_and_print(
                effect,
                catalog=self.catalog,
                office_id=self.config.kiosk.office_id,
                store=self.store,
                setup=self.print_setup,
                now=self.now,
                allocate=self.sync.allocate if self.sync is not None else None,
            )
        except TicketingError as exc:
            return IssueFailed(effect.session, exc.reason), None
        except StoreError as exc:
            log.error("ticket not stored: %s", exc)
            return IssueFailed(effect.session, exc.reason), None
        except Exception:
            log.exception("ticket issue failed unexpectedly")
            return IssueFailed(effect.session, Failure.ISSUE_FAILED), None
        if self.sync is not None:
            self.sync.wake()  # the new outbox item goes out now, not at the next interval
        return TicketReady(effect.session, issued.ticket), issued.slip

    def _complain(self, effect: FileComplaint) -> SessionEvent:
        try:
            receipt = file_complaint(
                effect,
                office_id=self.config.kiosk.office_id,
                office_name=self._office_name(),
                store=self.store,
                setup=self.print_setup,
                now=self.now,
            )
        except StoreError as exc:
            log.error("complaint not stored: %s", exc)
            return ComplaintFailed(effect.session, exc.reason)
        except Exception:
            log.exception("complaint not stored: unexpected failure")
            return ComplaintFailed(effect.session, Failure.STORE_FAILED)
        return ComplaintFiled(effect.session, receipt)

    def _complained(self, event: SessionEvent) -> None:
        self._printer_changed()
        self.dispatch(event)

    def _issued(self, result: tuple[SessionEvent, SlipDocument | None]) -> None:
        event, slip = result
        self._printer_changed()  # first: the ticket screen reads the printer's health
        self.dispatch(event)
        if slip is not None:  # the second job, once the number is on screen
            setup = self.print_setup
            self.executor.run_in_background(
                lambda: print_slip(slip, setup),
                lambda _: self._printer_changed(),
                lambda _: self._printer_changed(),
            )

    # -- catalog -----------------------------------------------------------------
    def reload_catalog(self) -> None:
        """The operator's reload: the sync engine fetches the catalog and lists now."""
        if self.sync is not None:
            self.sync.refresh_documents()

    def retry_store(self) -> None:
        """Out of service (the store could not be opened): try it again.

        The window's minute timer calls it, so a disk an operator freed brings
        the kiosk back by itself.
        """
        if self.store_failure is not None:
            self.load()

    # -- status ------------------------------------------------------------------
    @property
    def printer_health(self) -> PrinterHealth:
        """The printer's state, fault and since when: for the screens and the heartbeat."""
        return self.printer_monitor.health

    def central_ready(self) -> bool:
        """Whether this kiosk's client holds a token, taking the one on disk if not.

        The sync engine enrols with a client of its own and may be first (its
        catalog then reaches this controller without this client ever asking);
        the token it saved is the kiosk's. Reads a file, never the network.
        """
        if not self.central.token:
            self.central.token = load_token(self.config.central_token_path)
        return bool(self.central.token)

    def refresh_queue(self) -> None:
        """Ask the centre for its queues in the background (never when known offline)."""
        if self.online is False or not self.central_ready():
            return
        central = self.central

        def fetch() -> QueueState | None:
            try:
                return central.queue_state()
            except CentralError as exc:
                log.warning("queue state not fetched: %s", exc)
                return None

        def fetched(state: QueueState | None) -> None:
            self.queue = state
            self._status_changed()

        self._queue_busy.run(self.executor, fetch, fetched, lambda _: fetched(None))

    def refresh_printer(self) -> None:
        """Ask the printer for its state in the background; a healthy answer clears a fault.

        Runs at start and every ``printer.status_poll_s``, so it also deletes the
        kept documents with personal data past ``printer.personal_retention_s``.
        """

        def changed(_: object) -> None:  # a state or a failure: either is news
            self._printer_changed()

        self.executor.run_in_background(self._check_printer, changed, changed)

    def _check_printer(self) -> PrinterStatus:
        """Purge the kept slips past their retention, then ask for the state (any thread)."""
        self.printer_monitor.purge_personal()
        return self.printer_monitor.status()

    def test_print(self, done: Callable[[bool], None] = lambda _: None) -> None:
        """Print the operator's test ticket; a successful one clears a fault."""
        setup, office = self.print_setup, self._office_name()
        lang: Language = "en" if self.language == "en" else "id"

        def finished(printed: bool) -> None:
            self._printer_changed()
            done(printed)

        self.executor.run_in_background(
            lambda: print_test_ticket(setup, office, lang, self.now()),
            finished,
            lambda _: finished(False),
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
