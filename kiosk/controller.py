"""Runs the session machine's effects: each effect's work goes to the executor,
and its result, or its failure event, comes back to the machine.

No Qt here. Work that may block (card I/O, disk, printer, network) goes to
an :class:`~kiosk.executor.Executor`, which the UI implements on a thread pool
and which hands each result, or failure, back to the GUI thread; tests use
:class:`~kiosk.executor.InlineExecutor`. An effect whose work fails comes back
to the session machine as its failure event, never as a stuck screen.

The other jobs of the running kiosk are parts it holds, privately, each in its
own module:
the store's start-up (:mod:`kiosk.startup`), the sync engine's link
(:mod:`kiosk.wiring.sync_link`), the trust store (:mod:`kiosk.wiring.trust`), the
registry's lookups (:mod:`kiosk.lookups.registry`), the queue's figures
(:mod:`kiosk.lookups.office_queue`) and the printer's health
(:mod:`kiosk.printer_refresh`). The screens read them as one snapshot,
:meth:`KioskController.status` (:mod:`kiosk.status`), and act through its named
commands; :mod:`kiosk.wiring.kiosk` builds it from the configuration.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from cardio.card.citizen_card import read_identity
from cardio.errors import CardError, Reason
from cardio.readers.events import CardPresented, CardRemoved, ReaderEvent
from cardio.readers.reader import Reader
from contract.assurance import Assurance
from contract.catalog import Catalog
from contract.hospital import DoctorToday
from contract.trust import TrustStore
from kiosk.client import hospital_desk
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralError, CentralRefused
from kiosk.client.hospital_desk import DeskPatient, FindBy
from kiosk.config import Config
from kiosk.errors import (
    DOCTOR_REFUSALS,
    PLACE_REFUSALS,
    SessionProblem,
    TicketingError,
    TicketingReason,
)
from kiosk.executor import Awaited, Executor
from kiosk.lookups.bookings import Bookings
from kiosk.lookups.centre import CentreAccess
from kiosk.lookups.information import (
    ApplicationsAnswer,
    Information,
    fetch_applications,
    fetch_information,
)
from kiosk.lookups.office_queue import QueueRefresh
from kiosk.lookups.patients import Patients
from kiosk.lookups.registry import Registry
from kiosk.printer_refresh import PrinterRefresh
from kiosk.session import events
from kiosk.session.events import IssuedTicket
from kiosk.session.machine import Phase, SessionMachine, SessionState
from kiosk.startup import StoreStartup
from kiosk.status import KioskStatus, kiosk_status
from kiosk.sync import DeviceHealth, SyncEngine
from kiosk.tickets.ahead import AskedNumber, NumberAhead, hold_seconds
from kiosk.tickets.complaints import file_complaint
from kiosk.tickets.issue import issue_and_print, print_slip, reprint_ticket
from kiosk.wiring.from_config import timeouts_from
from kiosk.wiring.sync_link import SyncLink, device_health
from kiosk.wiring.trust import TrustKeeper
from offline_store import Store, StoreError, StoreReason
from offline_store.models import StoredTicket
from printing import Printer, SlipDocument
from printing.documents import Language

if TYPE_CHECKING:
    # The operator's panel and the hospital desk: loaded by the command that first
    # needs them (on the GUI thread, where their screens load them too), never on the
    # way to a kiosk ready for a tap (tests/ui/test_lazy_start.py).
    from kiosk.operator.panel import OperatorStatus
    from kiosk.tickets.desk import CancelState, DeskIssued, DeskVisit

log = logging.getLogger(__name__)

#: The longest a worker holds its next work back for the screen showing what it handed
#: over (the ticket's number) to be painted (:meth:`KioskController.painted`):
#: a frame some 5-50 ms away, unless the machine is struggling.
SHOWN_WAIT_S = 1.0


class KioskController:
    """The running kiosk: the session machine, the effects it asks for, and the
    parts those effects use (all private).

    What the screens may use is its front door, and nothing else (a test holds
    ``ui/`` to it): :meth:`session` and :meth:`status` to read, :meth:`dispatch`
    for the citizen's events, and the named commands below, each of which runs
    its work on the executor and answers on the GUI thread.
    """

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
        self._config = config
        self._reader = reader
        self._store = store
        self._executor = executor
        #: The office's time now (its date is the queue's day; the desk's list reads it too).
        self._now = now
        self._status_listeners: list[Callable[[], None]] = []
        #: Tickets and complaints asked for and not yet answered (see _drop_unawaited).
        self._awaited: list[_Awaiting] = []
        #: Whether a window says when each new screen is painted (:meth:`painted`); the
        #: workers waiting for such a frame, and the thread that paints (this one).
        self._frames_told = False
        self._shown: list[_Shown] = []
        self._gui_thread = threading.get_ident()
        # The session's own: a tapped card goes to the operator's test read while
        # one is asked for, and the session speaks the language the citizen chose.
        self._tap_listener: Callable[[str], None] | None = None
        self._language = config.kiosk.language
        #: The "A+" larger text, asked for on the attract screen; off once back there,
        #: or when no card came in the idle time after it was turned on at rest.
        self._larger_text = False
        self._larger_text_since: float | None = None
        self._clock = clock
        #: Issuer keys and revocations every read is verified against.
        self._trust = TrustKeeper(trust)
        self._sync = SyncLink(executor, self._trust, self._status_changed)
        self._centre = CentreAccess(central, config.central_token_path, lambda: self._sync.online)
        self._registry = Registry(
            self._centre, store, deadline_s=config.sync.lookup_deadline_s, now=now
        )
        self._bookings = Bookings(
            self._centre,
            store,
            office_id=config.kiosk.office_id,
            deadline_s=config.sync.lookup_deadline_s,
            now=now,
        )
        self._patients = Patients(self._centre, deadline_s=config.sync.lookup_deadline_s)
        self._queue = QueueRefresh(self._centre, executor, self._status_changed)
        self._printers = PrinterRefresh(config, printer, executor, self._status_changed, now)
        self._startup = StoreStartup(store, self._sync, executor, self._status_changed)
        #: The number of the ticket whose question about messages is asked, asked ahead
        #: (the desk issues at its confirmation, with no question: never).
        self._ahead = NumberAhead(
            executor,
            lambda: None if desk else self._sync.engine,
            office_id=config.kiosk.office_id,
            kiosk_code=store.kiosk_code,
            now=now,
            encode=self._keep_code,
            refused=self._number_refused,
            hold_s=hold_seconds(config.session),
        )
        self._machine = SessionMachine(
            lambda: self._sync.catalog,
            clock,
            timeouts_from(config, desk=desk),
            end_on_card_removal=config.session.end_on_card_removal,
            language=lambda: self._language,
            staff_edits=desk,  # hospital desk mode (#7): staff edit every field
            ask_notify=config.session.ask_notify,
            doctors=self._doctors_of,
        )

    # -- the kiosk's life (its assembly and start-up call these) -----------------------
    def start(self) -> None:
        """Start the reader and watch the printer; :meth:`load` does the rest."""
        self._sync.resume()
        self._reader.start(self._on_reader_event)
        self._printers.refresh()

    def load(self) -> None:
        """Open the store, take up its cached catalog and trust list, then start
        the sync engine (the only thing that fetches the catalog and the lists).

        Call it once the first screen is up (:mod:`kiosk.startup`). A card
        tapped before it is done waits for the store (its read needs the cached
        revocations); a store that cannot be opened puts the kiosk out of service.
        """
        self._startup.load()

    def stop(self) -> None:
        self._ahead.close()
        self._reader.stop()
        self._sync.stop()

    def attach_sync(self, engine: SyncEngine) -> None:
        """Let ``engine`` number tickets online and bring new catalogs, trust and status.

        :meth:`load` starts it, :meth:`stop` stops it.
        """
        self._sync.attach(engine)

    def device_health(self) -> DeviceHealth:
        """Reader and printer health for the heartbeat (any thread)."""
        return device_health(self._reader, self._printers.health)

    def catalog(self) -> Catalog | None:
        """The catalog in use (any thread): the sync engine keeps it in its cache."""
        return self._sync.catalog

    def trust(self) -> TrustStore:
        """The trust store card reads are verified against now (any thread)."""
        return self._trust.current

    # -- what the screens read -----------------------------------------------------------
    @property
    def config(self) -> Config:
        """The kiosk's configuration (read only: it is frozen)."""
        return self._config

    def session(self) -> SessionState:
        """The session's state now (GUI thread)."""
        return self._machine.state

    def status(self) -> KioskStatus:
        """The kiosk's status now, as one immutable snapshot."""
        return kiosk_status(
            startup=self._startup,
            printer=self._printers,
            sync=self._sync,
            queue=self._queue,
            trust=self._trust,
            language=self._language,
            larger_text=self._larger_text,
        )

    def idle_countdown(self) -> float | None:
        """Seconds left before an idle session ends, while the "still there?" warning
        is due; None otherwise."""
        if not self._machine.idle_warning():
            return None
        return self._machine.seconds_left() or 0.0

    def now(self) -> dt.datetime:
        """The office's time now."""
        return self._now()

    def subscribe(self, listener: Callable[[SessionState], None]) -> None:
        self._machine.subscribe(listener)

    def subscribe_status(self, listener: Callable[[], None]) -> None:
        """Called on the GUI thread when a figure of :meth:`status` changes."""
        self._status_listeners.append(listener)

    # -- what the screens do -------------------------------------------------------------
    def dispatch(self, event: events.SessionEvent) -> None:
        """Feed an event to the state machine (GUI thread only) and run its effects."""
        was_idle = self._machine.state.phase is Phase.IDLE
        for effect in self._machine.handle(event):
            self._run(effect)
        self._ahead.follow(self._machine.state, self._machine.ticket_request)
        if self._awaited:
            self._drop_unawaited()
        if self._shown:  # a worker waiting for a frame of a session that is over
            self._open_shown(lambda shown: shown.session != self._machine.state.session)
        if not was_idle and self._machine.state.phase is Phase.IDLE:
            self.set_larger_text(False)  # back at the start: the next citizen's usual size
        elif isinstance(event, events.Tick) and self._larger_text_lapsed():
            self.set_larger_text(False)  # asked for at rest, and nobody came

    def set_language(self, language: str) -> None:
        """The language the screens, the session and the test ticket speak from now on."""
        self._language = language

    def set_larger_text(self, on: bool) -> None:
        """The "A+" mode, for this citizen only: off again once the kiosk is back at rest."""
        if on != self._larger_text:
            self._larger_text = on
            self._larger_text_since = self._clock() if on else None
            self._status_changed()

    def _larger_text_lapsed(self) -> bool:
        """On at rest for the idle time with no card: the one who asked has gone."""
        return (
            self._larger_text_since is not None
            and self._machine.state.phase is Phase.IDLE
            and self._clock() - self._larger_text_since >= self._machine.timeouts.idle
        )

    def divert_taps(self, listener: Callable[[str], None] | None) -> None:
        """Send tapped cards to ``listener`` (the operator's test read); None: to the session."""
        self._tap_listener = listener

    def tell_frames(self, on: bool) -> None:
        """Whether the window says when each new screen's first frame is painted
        (:meth:`painted`): while it is shown. Hidden, no worker waits for its frames."""
        self._frames_told = on
        if not on:
            self._open_shown(lambda _shown: True)

    def painted(self, session: int, phase: Phase) -> None:
        """GUI thread: the first frame of ``phase``'s screen in ``session`` is finished.

        A worker that handed the screen something to show (the ticket's number) holds
        its next work back until then, so that work (the paper rendered) does not hold
        the interpreter while Qt lays out and paints the screen the citizen waits for.
        (Not the card's worker asking the city record after the greeting: a form opened
        at once waits for that record, and would wait that frame longer.)
        """
        state = self._machine.state
        if session != state.session or phase is not state.phase:
            return  # a late word of a screen already left: not the frame anyone waits for
        self._open_shown(lambda shown: shown.session != session or shown.asked_in is not phase)

    def _open_shown(self, done: Callable[[_Shown], bool]) -> None:
        still = []
        for shown in self._shown:
            if done(shown):
                shown.frame.set()
            else:
                still.append(shown)
        self._shown = still

    def _awaiting_frame(self, session: int, asked_in: Phase) -> _Shown | None:
        """GUI thread: what a worker of ``session`` asked in ``asked_in`` waits on before its
        next work, until a frame of another phase is painted; None with no window telling."""
        if not self._frames_told:
            return None
        shown = _Shown(session, asked_in)
        self._shown.append(shown)
        return shown

    def _after_frame(self, shown: _Shown | None) -> None:
        """Worker: wait (at most :data:`SHOWN_WAIT_S`) for the frame ``shown`` waits on.
        Never on the painting thread itself (an inline executor), which would wait for
        its own paint."""
        if shown is not None and threading.get_ident() != self._gui_thread:
            shown.frame.wait(SHOWN_WAIT_S)

    def retry_store(self) -> None:
        """Out of service: try to open the store again (the window's minute timer)."""
        self._startup.retry()

    def refresh_printer(self) -> None:
        """Ask the printer for its state; a healthy answer clears a fault (the poll)."""
        self._printers.refresh()

    def refresh_queue(self) -> None:
        """Ask the centre for now serving and the wait; :meth:`status` gets the answer."""
        self._queue.refresh()

    def reload_documents(self) -> None:
        """The operator's reload: the sync engine fetches the catalog and the lists now."""
        self._sync.refresh_documents()

    def test_print(self, done: Callable[[bool], None] = lambda _: None) -> None:
        """Print the operator's test ticket; a successful one clears a fault."""
        lang: Language = "en" if self._language == "en" else "id"
        office = self._sync.office_name(self._config.kiosk.office_id)
        self._printers.test_print(office, lang, self._now, done)

    def fetch_information(
        self, done: Callable[[Information], None], failed: Callable[[Exception], None]
    ) -> None:
        """The information screen's queue and, for health offices, beds and doctors."""
        centre, online = self._centre, self._sync.online

        def fetch() -> Information:
            centre.ready()  # the token on disk, if the engine enrolled first
            return fetch_information(centre.client, online=online)

        self._executor.run_in_background(fetch, done, failed)

    def fetch_applications(
        self, done: Callable[[ApplicationsAnswer], None], failed: Callable[[Exception], None]
    ) -> None:
        """The applications of the session's citizen, by a verified card."""
        centre, online, identity = self._centre, self._sync.online, self._machine.state.identity

        def fetch() -> ApplicationsAnswer:
            centre.ready()
            return fetch_applications(centre.client, identity, online=online)

        self._executor.run_in_background(fetch, done, failed)

    def tickets_today(
        self, done: Callable[[list[StoredTicket]], None], failed: Callable[[Exception], None]
    ) -> None:
        """The tickets this kiosk issued today, newest first (the desk's list)."""
        from kiosk.operator.panel import tickets_today

        store, day = self._store, self._now().date()
        self._executor.run_in_background(lambda: tickets_today(store, day), done, failed)

    # -- the hospital desk (``kiosk run --desk``) -----------------------------------------
    def cancel_states(
        self,
        ticket_ids: list[str],
        done: Callable[[dict[str, CancelState]], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Where each cancel the desk asked for stands (waiting, or the centre's answer)."""
        from kiosk.tickets.desk import cancel_states

        store = self._store
        self._executor.run_in_background(lambda: cancel_states(store, ticket_ids), done, failed)

    def find_patients(
        self,
        by: FindBy,
        value: str,
        birth_date: dt.date,
        done: Callable[[tuple[DeskPatient, ...]], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """The office's patients by No. RM, NIK, BPJS number, or name; each with the
        date of birth (a wrong one finds no one).

        The centre audits it as a lookup and counts it in the kiosk's budget.
        """
        centre, deadline = self._centre, self._config.sync.lookup_deadline_s

        def find() -> tuple[DeskPatient, ...]:
            centre.ready()
            return hospital_desk.find_patients(
                centre.client, by, value, birth_date, deadline_s=deadline
            )

        self._executor.run_in_background(find, done, failed)

    def register_patient(
        self, patient: DeskPatient, done: Callable[[str], None], failed: Callable[[Exception], None]
    ) -> None:
        """A new patient of the office: ``done`` gets their No. RM."""
        centre, deadline = self._centre, self._config.sync.lookup_deadline_s

        def register() -> str:
            centre.ready()
            return hospital_desk.register_patient(centre.client, patient, deadline_s=deadline)

        self._executor.run_in_background(register, done, failed)

    def doctors_today(
        self,
        done: Callable[[tuple[DoctorToday, ...]], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Today's doctors of the office with the quota left now; offline, the sync
        engine's cache of them (the places this kiosk took since deducted)."""
        centre, store, office, day = (
            self._centre,
            self._store,
            self._config.kiosk.office_id,
            self._now().date(),
        )

        now = self._now

        def fetch() -> tuple[DoctorToday, ...]:
            try:
                centre.ready()
                found = hospital_desk.doctors_today(centre.client)
            except CentralError as exc:
                log.info("today's doctors from the cache: the centre did not answer (%s)", exc)
                found = tuple(store.doctors_today(office, day))
            at = now()
            return tuple(_closing(d, at) for d in found)

        self._executor.run_in_background(fetch, done, failed)

    def register_visit(
        self,
        visit: DeskVisit,
        done: Callable[[DeskIssued], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Issue the visit's ticket (stored, then printed), then print its slip."""
        from kiosk.tickets.desk import register_visit

        engine, setup = self._sync.engine, self._printers.setup

        def register() -> DeskIssued:
            issued = register_visit(
                visit,
                catalog=self._sync.catalog,
                office_id=self._config.kiosk.office_id,
                store=self._store,
                setup=setup,
                now=self._now,
                allocate=engine.allocate if engine is not None else None,
            )
            if engine is not None:
                engine.wake()  # the registration goes out now
            if issued.ticket.printed:
                print_slip(issued.slip, setup)
            return issued

        def registered(issued: DeskIssued) -> None:
            self._printers.noticed()
            done(issued)

        self._executor.run_in_background(register, registered, failed)

    def reprint(
        self,
        ticket_id: str,
        slip: SlipDocument | None,
        done: Callable[[IssuedTicket], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Print a ticket of today's list again ("CETAK ULANG"), and ``slip`` if given."""
        from kiosk.tickets.desk import reprint_slip

        store, setup, catalog, lang = (
            self._store,
            self._printers.setup,
            self._sync.catalog,
            self._language,
        )

        def reprint() -> IssuedTicket:
            if catalog is None:
                raise TicketingError(TicketingReason.NO_CATALOG)
            ticket = reprint_ticket(
                ticket_id, store=store, catalog=catalog, setup=setup, language=lang
            )
            if slip is not None and ticket.printed:
                reprint_slip(slip, setup)
            return ticket

        def reprinted(ticket: IssuedTicket) -> None:
            self._printers.noticed()
            done(ticket)

        self._executor.run_in_background(reprint, reprinted, failed)

    def cancel_visit(
        self,
        ticket_id: str,
        reason: str,
        done: Callable[[bool], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Queue the visit's cancel for the centre (works offline); False: queued before."""
        from kiosk.tickets.desk import cancel_visit

        store, now, engine = self._store, self._now(), self._sync.engine
        office_id = self._config.kiosk.office_id

        def cancel() -> bool:
            queued = cancel_visit(ticket_id, reason, office_id=office_id, store=store, now=now)
            if engine is not None:
                engine.wake()
            return queued

        self._executor.run_in_background(cancel, done, failed)

    def operator_status(
        self, done: Callable[[OperatorStatus], None], failed: Callable[[Exception], None]
    ) -> None:
        """The operator panel's snapshot: readers, printer, outbox, sync."""
        from kiosk.operator.panel import operator_status

        reader, store, now, status = self._reader, self._store, self._now(), self.status()
        version = status.catalog.version if status.catalog else None
        self._executor.run_in_background(
            lambda: operator_status(
                reader=reader,
                store=store,
                printer=status.printer,
                online=status.online,
                catalog_version=version,
                now=now,
                sync=status.sync,
            ),
            done,
            failed,
        )

    def test_read(
        self, reader_name: str, done: Callable[[str], None], failed: Callable[[Exception], None]
    ) -> None:
        """The operator's test read of the card on ``reader_name``: its assurance, or why not."""
        from kiosk.operator.panel import test_card_read

        reader, trust, now = self._reader, self._trust.current, self._now
        self._executor.run_in_background(
            lambda: test_card_read(reader, reader_name, trust, now), done, failed
        )

    # -- the reader --------------------------------------------------------------------
    def _on_reader_event(self, event: ReaderEvent) -> None:
        # Called on the reader's thread: hop to the GUI thread before deciding.
        if isinstance(event, CardPresented):
            self._executor.call_soon(lambda: self._tapped(event.reader))
        elif isinstance(event, CardRemoved):
            self._executor.call_soon(lambda: self.dispatch(events.CardLeft(event.reader)))
        else:
            log.info("reader event: %s", event)
            self._executor.call_soon(self._status_changed)

    def _tapped(self, reader: str) -> None:
        listener = self._tap_listener
        if listener is not None:
            listener(reader)
        elif self._startup.failure is not None:
            log.warning("card tap ignored: out of service, the local store is unusable")
        else:
            self.dispatch(events.CardTapped(reader))

    # -- effects -----------------------------------------------------------------
    def _run(self, effect: events.Effect) -> None:
        # A failure of the work itself comes back as the effect's failure event.
        if isinstance(effect, events.ReadCard):
            self._executor.run_in_background(
                lambda: self._read(effect),
                self._card_read,
                lambda _: self._read_failed(effect.session),
            )
        elif isinstance(effect, events.ProveBirthDate):
            self._executor.run_in_background(
                lambda: self._prove(effect),
                self.dispatch,
                lambda _: self.dispatch(
                    events.BirthDateChecked(effect.session, events.ProofOutcome.UNAVAILABLE)
                ),
            )
        elif isinstance(effect, events.FindBooking):
            self._executor.run_in_background(
                lambda: self._bookings.find(effect),
                self.dispatch,
                lambda _: self.dispatch(
                    events.BookingFound(
                        effect.session, events.BookingLookup.UNAVAILABLE, asked=effect.asked
                    )
                ),
            )
        elif isinstance(effect, events.FindPatient):
            self._executor.run_in_background(
                lambda: self._patients.find(effect),
                self.dispatch,
                lambda _: self.dispatch(
                    events.PatientFound(
                        effect.session,
                        problem=SessionProblem.PATIENT_UNAVAILABLE,
                        asked=effect.asked,
                    )
                ),
            )
        elif isinstance(effect, events.IssueTicket):
            # The ticket is shown once numbered, its paper printed meanwhile: still awaited.
            issuing = self._awaiting(effect.session, Phase.ISSUING, Phase.TICKET_ISSUED)
            shown = self._awaiting_frame(effect.session, Phase.ISSUING)
            ahead = self._ahead.take(effect.session)
            self._executor.run_in_background(
                lambda: self._issue(effect, issuing.claim, shown, ahead),
                lambda result: self._issued(issuing, result),
                lambda _: self._issued(
                    issuing,
                    (events.IssueFailed(effect.session, SessionProblem.ISSUE_FAILED), None),
                ),
            )
        elif isinstance(effect, events.FileComplaint):
            sending = self._awaiting(effect.session, Phase.COMPLAINT_SENDING)
            self._executor.run_in_background(
                lambda: self._complain(effect, sending.claim),
                lambda event: self._complained(sending, event),
                lambda _: self._complained(
                    sending, events.ComplaintFailed(effect.session, StoreReason.STORE_FAILED)
                ),
            )
        elif isinstance(effect, events.WipeSession):
            _forget_qr_codes()
            log.info("session wiped (%s)", effect.reason)

    def _read(self, effect: events.ReadCard) -> events.SessionEvent:
        # A tap in the first instants: the cached revocations first.
        if self._startup.open().error is not None:  # no ticket could be kept
            return events.CardReadFailed(effect.session, StoreReason.STORE_FAILED)
        try:
            trust = self._trust.current
            with self._reader.connect(effect.reader) as card:
                identity = read_identity(card, trust, now=self._now)
        except CardError as exc:
            log.warning("card read failed: %s (%s)", exc.reason.value, exc.detail)
            return events.CardReadFailed(effect.session, exc.reason)
        except Exception:
            log.exception("card read failed unexpectedly")
            return events.CardReadFailed(effect.session, Reason.MALFORMED)
        if identity.citizen is None:  # a UID alone proves nothing: the citizen may prove
            log.info("card read: %r", identity)
            return events.CardRead(
                effect.session, identity, None, can_prove=self._registry.can_prove()
            )
        if identity.assurance is Assurance.UNVERIFIED:
            # Claims no issuer vouches for (a kiosk that trusts none, an unsigned
            # record) are anyone's to write: they name no one at the registry.
            log.info("card read: %r (unverified: no city record)", identity)
            return events.CardRead(effect.session, identity, None)
        log.info("card read: %r", identity)
        bookings = self._bookings.of_holder(identity.citizen)
        # The greeting does not wait for the centre: the read goes to the screen now, the
        # city record follows from this worker (a tap that needs it waits for it).
        read = events.CardRead(
            effect.session, identity, None, bookings=bookings, record_to_come=True
        )
        self._executor.call_soon(lambda: self._card_read(read))
        try:  # a registry that fails in any way never costs the citizen the read
            record = self._registry.record_of(identity.citizen)
        except Exception:
            log.exception("city record lookup failed unexpectedly")
            record = None
        return events.RecordFound(effect.session, record)

    def _read_failed(self, session: int) -> None:
        """The read's work raised: before its card was read, the read failed; after, its
        record is not coming (the tap waiting for it goes on without)."""
        self.dispatch(events.CardReadFailed(session, Reason.MALFORMED))
        self.dispatch(events.RecordFound(session, None))

    def _prove(self, effect: events.ProveBirthDate) -> events.BirthDateChecked:
        checked = self._registry.prove(effect)
        if checked.identity is None:
            return checked
        bookings = self._bookings.of_holder(checked.identity.citizen)
        return dataclasses.replace(checked, bookings=bookings)

    def _doctors_of(self, service_id: str) -> tuple[DoctorToday, ...]:
        """Today's doctors of the poli ``service_id`` from the store's cache (GUI thread:
        one small indexed read)."""
        now = self._now()  # the office's clock (``kiosk.timezone``), as the centre's
        try:
            doctors = self._store.doctors_today(self._config.kiosk.office_id, now.date())
        except StoreError as exc:
            log.error("today's doctors not read: %s", exc)
            return ()
        return tuple(_closing(d, now) for d in doctors if d.service_id == service_id)

    def _card_read(self, event: events.SessionEvent) -> None:
        # A tap before load() finished opened the store in its read: its cached
        # catalog first, so the greeting does not say "no services".
        self._startup.catch_up()
        self.dispatch(event)

    # -- answers nobody waits for -------------------------------------------------
    def _awaiting(self, session: int, phase: Phase, *also: Phase) -> _Awaiting:
        """Work asked for in ``session`` while in ``phase``, awaited until it answers or the
        session leaves that phase and ``also`` (its deadline passed, or it ended)."""
        awaiting = _Awaiting(session, frozenset((phase, *also)), phase, Awaited())
        self._awaited.append(awaiting)
        return awaiting

    def _drop_unawaited(self) -> None:
        """Work whose session left the phase that asked for it: nobody waits for its
        answer, so its worker prints nothing (a ticket or receipt printed for a session
        that is over comes out in front of the next citizen)."""
        state, still = self._machine.state, []
        for awaiting in self._awaited:
            if state.session == awaiting.session and state.phase in awaiting.phases:
                still.append(awaiting)
            elif awaiting.awaited.drop():
                log.warning(
                    "session %d left %s while its paper was printing",
                    awaiting.session,
                    awaiting.phase.value,
                )
            else:
                log.warning(
                    "session %d left %s before its answer came: nothing will be printed for it",
                    awaiting.session,
                    awaiting.phase.value,
                )
        self._awaited = still

    def _answered(self, awaiting: _Awaiting) -> None:
        if awaiting in self._awaited:
            self._awaited.remove(awaiting)
        else:
            # Its session was wiped while the work ran: what the worker drew since (a
            # ticket's or receipt's QR code, its page address) must not outlive it.
            _forget_qr_codes()

    def _issue(
        self,
        effect: events.IssueTicket,
        wanted: Callable[[], bool],
        shown: _Shown | None,
        ahead: AskedNumber | None,
    ) -> tuple[events.SessionEvent, SlipDocument | None]:
        engine = self._sync.engine
        try:
            issued = issue_and_print(
                effect,
                catalog=self._sync.catalog,
                office_id=self._config.kiosk.office_id,
                store=self._store,
                setup=self._printers.setup,
                now=self._now,
                allocate=engine.allocate if engine is not None else None,
                wanted=wanted,
                numbered=lambda ticket: self._numbered(effect.session, ticket, shown),
                ahead=ahead,
            )
        except TicketingError as exc:
            if exc.reason in DOCTOR_REFUSALS.values() and engine is not None:
                engine.doctors_now()  # the citizen chooses again from a list counted anew
            return events.IssueFailed(effect.session, exc.reason), None
        except StoreError as exc:
            log.error("ticket not stored: %s", exc)
            return events.IssueFailed(effect.session, exc.reason), None
        except Exception:
            log.exception("ticket issue failed unexpectedly")
            return events.IssueFailed(effect.session, SessionProblem.ISSUE_FAILED), None
        finally:
            if ahead is not None:
                ahead.unused()  # failed before it took the number asked: voided
        if engine is not None:
            engine.wake()  # the new outbox item goes out now, not at the next interval
        return events.TicketReady(effect.session, issued.ticket), issued.slip

    def _keep_code(self, ticket_id: str) -> None:
        """Worker: the QR code of ``ticket_id``'s status page made and kept (the ticket's
        screen and paper find it made; the session's wipe forgets it)."""
        status_url = self._printers.setup.status_url(ticket_id)
        if status_url:
            from printing.layouts.qr import keep_code

            keep_code(status_url)

    def _number_refused(self, session: int, refusal: CentralRefused) -> None:
        """GUI thread: the centre refused the number asked ahead (no place with the
        doctor, the patient registered already): told now, at the question."""
        log.info("no place with the doctor chosen (%s): no ticket", refusal.code)
        reason = PLACE_REFUSALS.get(refusal.code or "", SessionProblem.QUOTA_FULL)
        self.dispatch(events.NumberRefused(session, reason))

    def _numbered(self, session: int, ticket: IssuedTicket, shown: _Shown | None) -> None:
        """The worker, once the ticket is stored: its number to the screen now, and once
        that frame is painted the paper rendered and printed (the QR code encoded here,
        for both)."""
        if ticket.status_url:
            from printing.layouts.qr import keep_code

            keep_code(ticket.status_url)
        self._executor.call_soon(lambda: self.dispatch(events.TicketReady(session, ticket)))
        self._after_frame(shown)

    def _issued(
        self, awaiting: _Awaiting, result: tuple[events.SessionEvent, SlipDocument | None]
    ) -> None:
        event, slip = result
        self._answered(awaiting)
        self._printers.noticed()  # first: the ticket screen reads the printer's health
        self.dispatch(event)
        if slip is None:
            return
        state = self._machine.state
        if state.session != awaiting.session or state.phase is not Phase.TICKET_ISSUED:
            # The session ended while its ticket printed: the slip's name, NIK and phone
            # would come out for whoever stands at the printer now.
            log.warning("ticket %s answered after its session ended: slip not printed", slip.number)
            return
        setup = self._printers.setup  # the second job, once the number is on screen
        self._executor.run_in_background(
            lambda: print_slip(slip, setup),
            lambda _: self._printers.noticed(),
            lambda _: self._printers.noticed(),
        )

    def _complain(
        self, effect: events.FileComplaint, wanted: Callable[[], bool]
    ) -> events.SessionEvent:
        try:
            receipt = file_complaint(
                effect,
                office_id=self._config.kiosk.office_id,
                office_name=self._sync.office_name(self._config.kiosk.office_id),
                store=self._store,
                setup=self._printers.setup,
                now=self._now,
                wanted=wanted,
            )
        except StoreError as exc:
            log.error("complaint not stored: %s", exc)
            return events.ComplaintFailed(effect.session, exc.reason)
        except Exception:
            log.exception("complaint not stored: unexpected failure")
            return events.ComplaintFailed(effect.session, StoreReason.STORE_FAILED)
        return events.ComplaintFiled(effect.session, receipt)

    def _complained(self, awaiting: _Awaiting, event: events.SessionEvent) -> None:
        self._answered(awaiting)
        self._printers.noticed()
        self.dispatch(event)

    def _status_changed(self) -> None:
        for listener in list(self._status_listeners):
            listener()


@dataclasses.dataclass(frozen=True, eq=False)
class _Awaiting:
    """Work a session asked for (a ticket, a complaint) and still waits for."""

    session: int
    #: The phases in which the session still waits for the work.
    phases: frozenset[Phase]
    #: The phase that asked for it.
    phase: Phase
    awaited: Awaited

    def claim(self) -> bool:
        """The worker, before it prints: True while the session still waits."""
        return self.awaited.claim()


@dataclasses.dataclass(frozen=True, eq=False)
class _Shown:
    """A worker of ``session`` waiting for the first frame of a screen after ``asked_in``."""

    session: int
    #: The phase the work was asked in: a frame of any other phase (or session) is awaited.
    asked_in: Phase
    frame: threading.Event = dataclasses.field(default_factory=threading.Event)


def _closing(doctor: DoctorToday, now: dt.datetime) -> DoctorToday:
    """``doctor`` marked ``closed`` once their hours are over at ``now`` (the office's
    clock): the cache was fetched earlier, the hours end while it is kept."""
    if doctor.closed or not doctor.closed_at(now.time()):
        return doctor
    return dataclasses.replace(doctor, closed=True)


def _forget_qr_codes() -> None:
    """Drop the QR codes kept to draw a ticket's code once for paper and screen: its
    page address is the citizen's way in. Not loaded yet, nothing is kept."""
    qr = sys.modules.get("printing.layouts.qr")
    if qr is not None:
        qr.forget_codes()
