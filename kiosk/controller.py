"""Runs the session machine's effects: each effect's work goes to the executor,
and its result, or its failure event, comes back to the machine.

No Qt here. Work that may block (card I/O, disk, printer, network) goes to
an :class:`~kiosk.executor.Executor`, which the UI implements on a thread pool
and which hands each result, or failure, back to the GUI thread; tests use
:class:`~kiosk.executor.InlineExecutor`. An effect whose work fails comes back
to the session machine as its failure event, never as a stuck screen.

The other jobs of the running kiosk are parts it holds, each in its own module:
the store's start-up (:mod:`kiosk.startup`), the sync engine's link
(:mod:`kiosk.wiring.sync`), the trust store (:mod:`kiosk.wiring.trust`), the
registry's lookups (:mod:`kiosk.lookups.registry`), the queue's figures
(:mod:`kiosk.lookups.office_queue`) and the printer's health
(:mod:`kiosk.printer_refresh`). The screens read them as one snapshot,
:meth:`KioskController.status` (:mod:`kiosk.status`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from cardio.card.citizen_card import read_identity
from cardio.errors import CardError, Reason
from cardio.readers.events import CardPresented, CardRemoved, ReaderEvent
from cardio.readers.reader import Reader
from contract.assurance import Assurance
from contract.trust import TrustStore
from kiosk.client.client import CentralClient
from kiosk.config import Config
from kiosk.errors import SessionProblem, TicketingError
from kiosk.executor import Executor
from kiosk.lookups.centre import CentreAccess
from kiosk.lookups.office_queue import QueueRefresh
from kiosk.lookups.registry import Registry
from kiosk.printer_refresh import PrinterRefresh
from kiosk.session import events
from kiosk.session.machine import SessionMachine, SessionState
from kiosk.startup import StoreStartup
from kiosk.status import KioskStatus, kiosk_status
from kiosk.sync import DeviceHealth, SyncEngine
from kiosk.tickets.complaints import file_complaint
from kiosk.tickets.issue import issue_and_print, print_slip
from kiosk.wiring.from_config import timeouts_from
from kiosk.wiring.sync import SyncLink, device_health
from kiosk.wiring.trust import TrustKeeper
from offline_store import Store, StoreError, StoreReason
from printing import Printer, SlipDocument
from printing.documents import Language

log = logging.getLogger(__name__)


def _import_heavy_modules() -> None:
    import cwt  # noqa: F401  (verifying the first card)

    from printing.layouts import fonts, ticket  # noqa: F401  (reportlab, for the first ticket)

    fonts.document_fonts()  # register the embedded fonts once
    from printing.layouts.qr import qr_matrix

    qr_matrix("warm-up")  # reportlab's barcode package, ~0.3 s on first import


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
        self.reader = reader
        self.store = store
        self.executor = executor
        #: The office's time now (its date is the queue's day; the desk's list reads it too).
        self.now = now
        self._status_listeners: list[Callable[[], None]] = []
        #: While set (the operator's test read), a tapped card goes there, not to the session.
        self._tap_listener: Callable[[str], None] | None = None
        self._language = config.kiosk.language
        #: Issuer keys and revocations every read is verified against.
        self.trust = TrustKeeper(trust)
        self.sync = SyncLink(executor, self.trust, self._status_changed)
        self.centre = CentreAccess(central, config.central_token_path, lambda: self.sync.online)
        self.registry = Registry(
            self.centre, store, deadline_s=config.sync.lookup_deadline_s, now=now
        )
        self.queue = QueueRefresh(self.centre, executor, self._status_changed)
        self.printers = PrinterRefresh(config, printer, executor, self._status_changed, now)
        self.startup = StoreStartup(store, self.sync, executor, self._status_changed)
        self.machine = SessionMachine(
            lambda: self.sync.catalog,
            clock,
            timeouts_from(config, desk=desk),
            end_on_card_removal=config.session.end_on_card_removal,
            language=lambda: self._language,
            staff_edits=desk,
        )

    # -- the kiosk's life ----------------------------------------------------------
    def start(self) -> None:
        """Start the reader and watch the printer; :meth:`load` does the rest."""
        self.sync.resume()
        self.reader.start(self._on_reader_event)
        self.printers.refresh()

    def load(self) -> None:
        """Open the store, take up its cached catalog and trust list, then start
        the sync engine (the only thing that fetches the catalog and the lists).

        Call it once the first screen is up (:mod:`kiosk.startup`). A card
        tapped before it is done waits for the store (its read needs the cached
        revocations); a store that cannot be opened puts the kiosk out of service.
        """
        self.startup.load()

    def warm_up(self) -> None:
        """Load, off the GUI thread, what the first tap and ticket will need.

        The COSE library and reportlab are imported on first use so the
        attract screen comes up fast; call this once it is painted.
        """
        self.executor.run_in_background(_import_heavy_modules, lambda _: None, lambda _: None)

    def stop(self) -> None:
        self.reader.stop()
        self.sync.stop()

    def attach_sync(self, engine: SyncEngine) -> None:
        """Let ``engine`` number tickets online and bring new catalogs, trust and status.

        :meth:`load` starts it, :meth:`stop` stops it.
        """
        self.sync.attach(engine)

    def device_health(self) -> DeviceHealth:
        """Reader and printer health for the heartbeat (any thread)."""
        return device_health(self.reader, self.printers.health)

    # -- what the screens read and do --------------------------------------------------
    def status(self) -> KioskStatus:
        """The kiosk's status now, as one immutable snapshot."""
        return kiosk_status(
            startup=self.startup,
            printer=self.printers,
            sync=self.sync,
            queue=self.queue,
            trust=self.trust,
            language=self._language,
        )

    def subscribe(self, listener: Callable[[SessionState], None]) -> None:
        self.machine.subscribe(listener)

    def subscribe_status(self, listener: Callable[[], None]) -> None:
        """Called on the GUI thread when a figure of :meth:`status` changes."""
        self._status_listeners.append(listener)

    def set_language(self, language: str) -> None:
        """The language the screens, the session and the test ticket speak from now on."""
        self._language = language

    def divert_taps(self, listener: Callable[[str], None] | None) -> None:
        """Send tapped cards to ``listener`` (the operator's test read); None: to the session."""
        self._tap_listener = listener

    def test_print(self, done: Callable[[bool], None] = lambda _: None) -> None:
        """Print the operator's test ticket; a successful one clears a fault."""
        lang: Language = "en" if self._language == "en" else "id"
        self.printers.test_print(self._office_name(), lang, self.now, done)

    def dispatch(self, event: events.SessionEvent) -> None:
        """Feed an event to the state machine (GUI thread only) and run its effects."""
        for effect in self.machine.handle(event):
            self._run(effect)

    # -- the reader --------------------------------------------------------------------
    def _on_reader_event(self, event: ReaderEvent) -> None:
        # Called on the reader's thread: hop to the GUI thread before deciding.
        if isinstance(event, CardPresented):
            self.executor.call_soon(lambda: self._tapped(event.reader))
        elif isinstance(event, CardRemoved):
            self.executor.call_soon(lambda: self.dispatch(events.CardLeft(event.reader)))
        else:
            log.info("reader event: %s", event)
            self.executor.call_soon(self._status_changed)

    def _tapped(self, reader: str) -> None:
        listener = self._tap_listener
        if listener is not None:
            listener(reader)
        elif self.startup.failure is not None:
            log.warning("card tap ignored: out of service, the local store is unusable")
        else:
            self.dispatch(events.CardTapped(reader))

    # -- effects -----------------------------------------------------------------
    def _run(self, effect: events.Effect) -> None:
        # A failure of the work itself comes back as the effect's failure event.
        if isinstance(effect, events.ReadCard):
            self.executor.run_in_background(
                lambda: self._read(effect),
                self._card_read,
                lambda _: self.dispatch(events.CardReadFailed(effect.session, Reason.MALFORMED)),
            )
        elif isinstance(effect, events.ProveBirthDate):
            self.executor.run_in_background(
                lambda: self.registry.prove(effect),
                self.dispatch,
                lambda _: self.dispatch(
                    events.BirthDateChecked(effect.session, events.ProofOutcome.UNAVAILABLE)
                ),
            )
        elif isinstance(effect, events.IssueTicket):
            self.executor.run_in_background(
                lambda: self._issue(effect),
                self._issued,
                lambda _: self._issued(
                    (events.IssueFailed(effect.session, SessionProblem.ISSUE_FAILED), None)
                ),
            )
        elif isinstance(effect, events.FileComplaint):
            self.executor.run_in_background(
                lambda: self._complain(effect),
                self._complained,
                lambda _: self._complained(
                    events.ComplaintFailed(effect.session, StoreReason.STORE_FAILED)
                ),
            )
        elif isinstance(effect, events.WipeSession):
            log.info("session wiped (%s)", effect.reason)

    def _read(self, effect: events.ReadCard) -> events.SessionEvent:
        # A tap in the first instants: the cached revocations first.
        if self.startup.open().error is not None:  # no ticket could be kept
            return events.CardReadFailed(effect.session, StoreReason.STORE_FAILED)
        try:
            trust = self.trust.current
            with self.reader.connect(effect.reader) as card:
                identity = read_identity(card, trust, now=self.now)
        except CardError as exc:
            log.warning("card read failed: %s (%s)", exc.reason.value, exc.detail)
            return events.CardReadFailed(effect.session, exc.reason)
        except Exception:
            log.exception("card read failed unexpectedly")
            return events.CardReadFailed(effect.session, Reason.MALFORMED)
        if identity.citizen is None:  # a UID alone proves nothing: the citizen may prove
            log.info("card read: %r", identity)
            return events.CardRead(
                effect.session, identity, None, can_prove=self.registry.can_prove()
            )
        if identity.assurance is Assurance.UNVERIFIED:
            # Claims no issuer vouches for (a kiosk that trusts none, an unsigned
            # record) are anyone's to write: they name no one at the registry.
            log.info("card read: %r (unverified: no city record)", identity)
            return events.CardRead(effect.session, identity, None)
        try:  # a registry that fails in any way never costs the citizen the read
            record = self.registry.record_of(identity.citizen)
        except Exception:
            log.exception("city record lookup failed unexpectedly")
            record = None
        log.info("card read: %r", identity)
        return events.CardRead(effect.session, identity, record)

    def _card_read(self, event: events.SessionEvent) -> None:
        # A tap before load() finished opened the store in its read: its cached
        # catalog first, so the greeting does not say "no services".
        self.startup.catch_up()
        self.dispatch(event)

    def _issue(self, effect: events.IssueTicket) -> tuple[events.SessionEvent, SlipDocument | None]:
        engine = self.sync.engine
        try:
            issued = issue_and_print(
                effect,
                catalog=self.sync.catalog,
                office_id=self.config.kiosk.office_id,
                store=self.store,
                setup=self.printers.setup,
                now=self.now,
                allocate=engine.allocate if engine is not None else None,
            )
        except TicketingError as exc:
            return events.IssueFailed(effect.session, exc.reason), None
        except StoreError as exc:
            log.error("ticket not stored: %s", exc)
            return events.IssueFailed(effect.session, exc.reason), None
        except Exception:
            log.exception("ticket issue failed unexpectedly")
            return events.IssueFailed(effect.session, SessionProblem.ISSUE_FAILED), None
        if engine is not None:
            engine.wake()  # the new outbox item goes out now, not at the next interval
        return events.TicketReady(effect.session, issued.ticket), issued.slip

    def _issued(self, result: tuple[events.SessionEvent, SlipDocument | None]) -> None:
        event, slip = result
        self.printers.noticed()  # first: the ticket screen reads the printer's health
        self.dispatch(event)
        if slip is not None:  # the second job, once the number is on screen
            setup = self.printers.setup
            self.executor.run_in_background(
                lambda: print_slip(slip, setup),
                lambda _: self.printers.noticed(),
                lambda _: self.printers.noticed(),
            )

    def _complain(self, effect: events.FileComplaint) -> events.SessionEvent:
        try:
            receipt = file_complaint(
                effect,
                office_id=self.config.kiosk.office_id,
                office_name=self._office_name(),
                store=self.store,
                setup=self.printers.setup,
                now=self.now,
            )
        except StoreError as exc:
            log.error("complaint not stored: %s", exc)
            return events.ComplaintFailed(effect.session, exc.reason)
        except Exception:
            log.exception("complaint not stored: unexpected failure")
            return events.ComplaintFailed(effect.session, StoreReason.STORE_FAILED)
        return events.ComplaintFiled(effect.session, receipt)

    def _complained(self, event: events.SessionEvent) -> None:
        self.printers.noticed()
        self.dispatch(event)

    def _office_name(self) -> str:
        catalog = self.sync.catalog
        try:
            return catalog.office(self.config.kiosk.office_id).name if catalog else ""
        except KeyError:
            return ""

    def _status_changed(self) -> None:
        for listener in list(self._status_listeners):
            listener()
