"""The session state machine: the one place that decides what happens next.

No Qt, no I/O. The UI renders :attr:`SessionMachine.state` and feeds it
:mod:`kiosk.session.events`; :meth:`SessionMachine.handle` returns the
effects (read a card, issue a ticket, wipe personal data) for the shell to
carry out. Time comes from an injected monotonic clock and is checked on
every event, so tests drive every timeout without sleeping.

    idle ──tap──▶ reading ──read──▶ identified ──service──▶ service_chosen
      ▲              │ UID only         ▲   │                 │ lanjut
      │              ▼                  │   │                 │
      │           proving ⇄ proving_check   │                 │
      │              (date of birth; match, skip, give up)    │
      │            error ◀──────────────┼───┼── failures      ▼
      │              │                 back │               form ──submit──▶ confirming
      └── timeouts, cancel, done ◀──────────┘                                  │ confirm
                  done ◀── ticket_issued ◀── issuing ◀── consent ◀──────┘
                                                  (yes, no, other number ⇄ consent_phone;
                                                   no answer in time: no)

    complaint ──send──▶ consent (the same question) ──▶ complaint_sending ──▶ complaint_filed

A hospital's poli (a service with ``poli``, docs/hospital.md) goes through its doctors:

    identified ──poli──▶ doctor ──doctor──▶ payer ──JKN/umum──▶ form ──▶ confirming ──▶ …
                           ▲                                                 issuing
                           └──────────── quota_full (the list counted again) ◀──┘

and a patient without a card is found by number and date of birth:

    idle ──"tanpa kartu"──▶ patient_number ──number──▶ patient_birth ──date──▶ patient_check
                                 ▲ unknown, wrong date                              │ found
                                 └──────────────────────────────────────────────────┤
                                                                              identified
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from cardio.card.citizen import CardIdentity
from contract.assurance import ASSURANCE_ORDER
from contract.bookings import BookingState, BookingToday, is_valid_code, normalise_code
from contract.catalog import Catalog, Service
from contract.hospital import DoctorToday, HospitalRequest, Payer, is_bpjs_number
from kiosk.errors import DOCTOR_REFUSALS, Problem, SessionProblem
from kiosk.session import consent, forms
from kiosk.session.events import (
    Back,
    BirthDateChecked,
    BirthDateEntered,
    BookingCodeEntered,
    BookingCodeOpened,
    BookingFound,
    BookingLookup,
    Cancel,
    CardLeft,
    CardRead,
    CardReadFailed,
    CardTapped,
    CheckInChosen,
    ComplaintFailed,
    ComplaintFiled,
    ComplaintOpened,
    ComplaintReceipt,
    ComplaintSubmitted,
    Confirmed,
    DoctorChosen,
    Effect,
    FileComplaint,
    FindBooking,
    FindPatient,
    Finish,
    FormOpened,
    FormSubmitted,
    IssuedTicket,
    IssueFailed,
    IssueTicket,
    NotifyAnswered,
    NotifyNumberWanted,
    NotifyPhoneEntered,
    NumberRefused,
    OtherServices,
    PatientFound,
    PatientKey,
    PatientNumberEntered,
    PatientSearchOpened,
    PayerChosen,
    ProofOutcome,
    ProofSkipped,
    ProveBirthDate,
    ReadCard,
    RecordFound,
    ServiceSelected,
    SessionEnd,
    SessionEvent,
    TicketReady,
    UserActivity,
    WipeSession,
)
from kiosk.session.prefill import FieldValue, Source, prefill

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class Phase(StrEnum):
    IDLE = "idle"
    READING = "reading"
    IDENTIFIED = "identified"
    #: A UID-only card: the citizen may type their date of birth to unlock the
    #: registry's pre-fill (a UID alone proves nothing), or skip.
    PROVING = "proving"
    #: The centre is checking the typed date.
    PROVING_CHECK = "proving_check"
    SERVICE_CHOSEN = "service_chosen"
    FORM = "form"
    CONFIRMING = "confirming"
    #: "Kirim pemberitahuan ke 0813…?": the one question before the ticket (yes, no).
    CONSENT = "consent"
    #: Typing the number to be told at, on the keypad.
    CONSENT_PHONE = "consent_phone"
    ISSUING = "issuing"
    TICKET_ISSUED = "ticket_issued"
    DONE = "done"
    ERROR = "error"
    #: Writing a complaint (with a card, or anonymously from the attract screen).
    COMPLAINT = "complaint"
    COMPLAINT_SENDING = "complaint_sending"
    #: The complaint is stored: its reference is on screen (and on paper).
    COMPLAINT_FILED = "complaint_filed"
    #: A booking of today for the card's holder (or the code typed): one tap checks in.
    APPOINTMENT = "appointment"
    #: "Punya kode janji?": the citizen types the booking code on the keypad.
    BOOKING_CODE = "booking_code"
    #: The typed code is looked up (the store's cache, else the centre).
    BOOKING_CHECK = "booking_check"
    #: A poli chosen: today's doctors there, with their hours and places left.
    DOCTOR = "doctor"
    #: A doctor chosen: JKN (BPJS) or umum (paying).
    PAYER = "payer"
    #: A patient without a card types their No. RM, BPJS number or NIK.
    PATIENT_NUMBER = "patient_number"
    #: Then their date of birth.
    PATIENT_BIRTH = "patient_birth"
    #: The centre is asked for the patient.
    PATIENT_CHECK = "patient_check"


#: The consent question and its keypad. Their timeout does not end the session, it
#: answers "no" and issues the ticket (the citizen has confirmed): it runs on the consent
#: timeout, with no "still there?" warning.
CONSENTING = frozenset({Phase.CONSENT, Phase.CONSENT_PHONE})
#: Phases a card tap starts a new session from (the last one over, or none).
TAP_STARTS = frozenset({Phase.IDLE, Phase.DONE, Phase.ERROR})
#: Phases where the citizen is expected to act: the one list of them. Here a touch gives
#: more time, a cancel (or the desk's "next patient") ends the session, and so does the
#: card leaving if configured. The idle timeout runs in all but :data:`CONSENTING`.
INTERACTIVE = frozenset(
    {
        Phase.IDENTIFIED,
        Phase.PROVING,
        Phase.SERVICE_CHOSEN,
        Phase.FORM,
        Phase.CONFIRMING,
        Phase.COMPLAINT,
        *CONSENTING,
        Phase.APPOINTMENT,
        Phase.BOOKING_CODE,
        Phase.DOCTOR,
        Phase.PAYER,
        Phase.PATIENT_NUMBER,
        Phase.PATIENT_BIRTH,
    }
)
#: The interactive phases that end on the idle timeout (with its warning first).
IDLE_TIMED = INTERACTIVE - CONSENTING
#: The taps whose next step shows or sends what the city record fills in (the form, a
#: check-in's values, the number a complaint's question offers): while the record is
#: still being asked (:attr:`SessionState.record_pending`), such a tap waits for its
#: answer. A service may be chosen meanwhile: its values are filled again once it comes.
WAITS_FOR_RECORD = (FormOpened, PayerChosen, CheckInChosen, ComplaintOpened)
#: The centre's refusals of the doctor's place: the citizen chooses the doctor again.
DOCTOR_REFUSED = frozenset(DOCTOR_REFUSALS.values())
#: The phases between a service chosen and its form: nothing typed yet, so the values
#: pre-filled there are pre-filled again with a record that comes late.
_BEFORE_THE_FORM = frozenset({Phase.SERVICE_CHOSEN, Phase.DOCTOR, Phase.PAYER})
#: Phases that may show something the citizen typed even without a card.
_PERSONAL_PHASES = frozenset(
    {
        Phase.COMPLAINT,
        Phase.COMPLAINT_SENDING,
        Phase.COMPLAINT_FILED,
        Phase.BOOKING_CODE,
        Phase.BOOKING_CHECK,
        Phase.APPOINTMENT,
        Phase.PATIENT_NUMBER,
        Phase.PATIENT_BIRTH,
        Phase.PATIENT_CHECK,
    }
)
#: Digits each kind of patient number has (a No. RM: up to 10).
PATIENT_DIGITS = {
    PatientKey.NORM: range(1, 11),
    PatientKey.NOMORKARTU: (13,),
    PatientKey.NIK: (16,),
}
#: WCAG 2.2.1: the citizen gets at least 20 s to ask for more time.
MIN_IDLE_WARNING_S = 20.0
#: Wrong dates of birth one session may type before it carries on without pre-fill
#: (the centre limits the card and the kiosk besides: docs/central-api.md).
MAX_PROOF_ATTEMPTS = 3
#: Wrong booking codes one session may type (a wrong check digit, or a code nobody
#: has) before the kiosk sends the citizen to the counter (#16).
MAX_CODE_ATTEMPTS = 5
#: Wrong booking codes this kiosk takes across sessions within :data:`KIOSK_CODE_WINDOW_S`
#: (a new session does not start the count again): one more locks the code keypad for
#: :data:`KIOSK_CODE_LOCK_S`, with the same "ask at the desk" screen. An answer that
#: reveals another day's or office's booking counts too (docs/appointments.md).
KIOSK_CODE_LIMIT = 10
KIOSK_CODE_WINDOW_S = 600.0
KIOSK_CODE_LOCK_S = 300.0
#: Patients not found (an unknown number or a wrong date of birth) one session may
#: ask the centre for before the kiosk sends the patient to the registration counter.
MAX_PATIENT_ATTEMPTS = 5
#: Patients not found at this kiosk across sessions within :data:`KIOSK_PATIENT_WINDOW_S`:
#: one more locks the patient keypad for :data:`KIOSK_PATIENT_LOCK_S`. Each one spends
#: the kiosk's patient-miss budget at the centre (docs/hospital.md), so a prankster
#: at the keypad stops here long before that budget does.
KIOSK_PATIENT_LIMIT = 10
KIOSK_PATIENT_WINDOW_S = 600.0
KIOSK_PATIENT_LOCK_S = 300.0
#: The order in which a card holder's bookings of today are looked at: one to check
#: in first, else the one that explains why there is none.
_BOOKING_ORDER = (
    BookingState.BOOKED,
    BookingState.CHECKED_IN,
    BookingState.CANCELLED,
    BookingState.NO_SHOW,
)
#: Why a booking of today cannot be checked in, by its state.
_BOOKING_PROBLEMS = {
    BookingState.CHECKED_IN: SessionProblem.BOOKING_USED,
    BookingState.CANCELLED: SessionProblem.BOOKING_CANCELLED,
    BookingState.NO_SHOW: SessionProblem.BOOKING_MISSED,
}
#: The years a typed date of birth may fall in (anything else: typed wrong, not counted).
BIRTH_YEARS = range(1900, 2100)


@dataclass(frozen=True)
class Timeouts:
    """Seconds; every one of them is a configuration key under ``[session]``."""

    read: float = 8.0
    idle: float = 60.0
    idle_warning: float = 20.0
    issuing: float = 30.0
    ticket_display: float = 20.0
    done_display: float = 3.0
    error_display: float = 8.0
    #: The consent question (and its keypad, from the last touch) unanswered: a "no".
    consent: float = 30.0

    def at_desk(self, idle: float) -> Timeouts:
        """At a hospital desk (staff beside the patient) every wait on the citizen is at
        least the desk's longer ``idle``: the idle timeout and the consent question's."""
        return dataclasses.replace(self, idle=idle, consent=max(self.consent, idle))


@dataclass(frozen=True)
class SessionState:
    phase: Phase = Phase.IDLE
    session: int = 0
    identity: CardIdentity | None = None
    service: Service | None = None
    values: dict[str, FieldValue] = field(default_factory=dict)
    field_errors: dict[str, str] = field(default_factory=dict)
    ticket: IssuedTicket | None = None
    #: The citizen's city record (pre-fills ``record.*`` fields); personal data.
    record: Mapping[str, str] | None = None
    #: The city record is still being asked of the centre (the greeting did not wait
    #: for it): a tap that needs it waits for its answer (:data:`WAITS_FOR_RECORD`).
    record_pending: bool = False
    #: Until when the city record is waited for (the read's timeout from the greeting):
    #: past it, whatever the worker is stuck on, the card alone is used.
    record_deadline: float | None = None
    #: A tap of this phase waits for the city record (:data:`WAITS_FOR_RECORD`): the
    #: screen says so, rather than seem to ignore it.
    tap_waiting: bool = False
    complaint: ComplaintReceipt | None = None
    #: The complaint written and sent, (category, text), while the consent question is
    #: asked (its answer files it); personal. None in the ticket's question.
    complaint_draft: tuple[str, str] | None = None
    #: The mobile number the consent question offers, or the one typed on its keypad;
    #: personal. Sent only with the citizen's yes (:class:`IssueTicket`'s ``notify_phone``);
    #: once the ticket is asked for, the number sent (None after a no).
    notify_phone: str | None = None
    #: Wrong dates of birth typed in this session (PROVING).
    proof_attempts: int = 0
    #: The booking shown (APPOINTMENT), or the one a notice speaks of; personal data
    #: when it came from today's cache.
    booking: BookingToday | None = None
    #: The card holder's bookings of today at this office (personal): a walk-in ticket
    #: for the service of one still booked checks that booking in.
    bookings: tuple[BookingToday, ...] = ()
    #: Wrong booking codes typed in this session (BOOKING_CODE).
    code_attempts: int = 0
    #: The chosen poli's doctors of today as shown (DOCTOR), the doctor and the payer
    #: chosen (a registration at a poli).
    doctors: tuple[DoctorToday, ...] = ()
    doctor: DoctorToday | None = None
    payer: Payer | None = None
    #: The patient keypad: what kind of number, and the number typed (personal).
    patient_key: PatientKey = PatientKey.NORM
    patient_number: str = field(default="", repr=False)
    #: Patients not found in this session (PATIENT_NUMBER).
    patient_attempts: int = 0
    #: The number of the newest question sent to the centre in this session (a patient
    #: or booking lookup). One that timed out may still answer while the next is
    #: open: only the answer carrying this number is taken, never another's.
    asked: int = 0
    #: What went wrong (ERROR phase), a notice in place, or why the last session
    #: ended (IDLE; never shown). None when there is nothing to say.
    problem: Problem | SessionEnd | None = None
    deadline: float | None = None
    #: While the ticket's paper prints (``ticket.printing``), the latest its outcome is
    #: waited for (the issuing deadline: ``printer.job_timeout_s`` is shorter): the
    #: screen does not leave on the number's time while the outcome, and its notice,
    #: may still come. None once the screen waits on the print alone.
    print_deadline: float | None = None

    def __repr__(self) -> str:  # keep personal data out of logs
        return f"SessionState(phase={self.phase.value}, session={self.session})"

    @property
    def personal(self) -> bool:
        """Whether this state holds (or its screen may show) anything about the citizen."""
        return bool(
            self.identity is not None
            or self.ticket is not None
            or self.values
            or self.record
            or self.complaint is not None
            or self.complaint_draft is not None
            or self.notify_phone is not None
            or self.booking is not None
            or bool(self.bookings)
            or bool(self.patient_number)
            or self.phase in _PERSONAL_PHASES
        )


def ticket_settled(state: SessionState) -> bool:
    """Whether ``state`` shows its ticket with the print's outcome (the number is shown
    as soon as the ticket is kept, while its paper is printed: ``ticket.printing``)."""
    return (
        state.phase is Phase.TICKET_ISSUED
        and state.ticket is not None
        and not state.ticket.printing
    )


class SessionMachine:
    def __init__(
        self,
        catalog: Callable[[], Catalog | None],
        clock: Callable[[], float],
        timeouts: Timeouts | None = None,
        *,
        end_on_card_removal: bool = False,
        language: Callable[[], str] = lambda: "id",
        staff_edits: bool = False,
        ask_notify: bool = True,
        doctors: Callable[[str], tuple[DoctorToday, ...]] = lambda _service_id: (),
    ) -> None:
        self._catalog = catalog
        #: Today's doctors of a poli (the service's id): the store's cache.
        self._doctors = doctors
        #: Ask for consent to messages before each ticket (``session.ask_notify``).
        self._ask_notify = ask_notify
        #: Hospital desk mode: staff may correct every field, even one from the card.
        self._staff_edits = staff_edits
        self._clock = clock
        self.timeouts = timeouts or Timeouts()
        self._end_on_card_removal = end_on_card_removal
        self._language = language
        self.state = SessionState()
        #: The tap (and its session) that came while the city record was still asked.
        self._held: tuple[int, SessionEvent] | None = None
        self._listeners: list[Callable[[SessionState], None]] = []
        #: When this kiosk's last wrong booking codes were typed (its clock), and until
        #: when the code keypad is locked: the kiosk's, not a session's.
        self._wrong_codes: deque[float] = deque()
        self._codes_locked_until = float("-inf")
        #: The same for patients not found on the patient keypad.
        self._wrong_patients: deque[float] = deque()
        self._patients_locked_until = float("-inf")

    def subscribe(self, listener: Callable[[SessionState], None]) -> None:
        self._listeners.append(listener)

    def seconds_left(self) -> float | None:
        """Time left before the current phase times out, if it can."""
        if self.state.deadline is None:
            return None
        return max(0.0, self.state.deadline - self._clock())

    def idle_warning(self) -> bool:
        """True when the citizen should see the "are you still there?" countdown.

        Shown at least :data:`MIN_IDLE_WARNING_S` before the timeout (WCAG 2.2.1),
        whatever ``idle_warning`` says.
        """
        left = self.seconds_left()
        return (
            self.state.phase in IDLE_TIMED
            and left is not None
            and left <= max(self.timeouts.idle_warning, MIN_IDLE_WARNING_S)
        )

    def handle(self, event: SessionEvent) -> list[Effect]:
        before = self.state
        effects = self._record_overdue() or self._timeout() or self._dispatch(event)
        if self._held is not None and self.state.phase is not before.phase:
            # The citizen moved on (back, another service, the session's end) while a
            # tap waited for the city record: it is no longer what they asked for.
            self._held = None
        waiting = self._held is not None and self._held[0] == self.state.session
        if self.state.tap_waiting is not waiting:
            self.state = dataclasses.replace(self.state, tap_waiting=waiting)
        if self.state is not before:
            log.info(
                "session %d: %s -> %s (%s)",
                self.state.session,
                before.phase.value,
                self.state.phase.value,
                type(event).__name__,
            )
            for listener in list(self._listeners):
                try:
                    listener(self.state)
                except Exception:
                    # A screen that cannot show this phase must not cost the citizen
                    # the step's work (the ticket to issue, the session to wipe).
                    log.exception("a listener failed on %s", self.state.phase.value)
        return effects

    # -- transitions ---------------------------------------------------------
    def _dispatch(self, event: SessionEvent) -> list[Effect]:
        s = self.state
        if s.record_pending and isinstance(event, WAITS_FOR_RECORD):
            # The form's pre-fill, a check-in's values, the complaint's offered number
            # come from the record: the tap is taken once the record's answer is in.
            if self._held is None or self._held[0] != s.session:
                log.info(
                    "session %d: %s waits for the city record", s.session, type(event).__name__
                )
                self._held = (s.session, event)
            return []
        match event:
            case CardTapped(reader) if s.phase in TAP_STARTS:
                return self._start_reading(reader)
            case CardRead(session, identity, record, can_prove, bookings, record_to_come) if (
                self._current(session, Phase.READING)
            ):
                proving = can_prove and identity.citizen is None
                self._go(
                    Phase.PROVING if proving else Phase.IDENTIFIED,
                    identity=identity,
                    record=dict(record) if record else None,
                    record_pending=record_to_come and not proving,
                    record_deadline=self._clock() + self.timeouts.read if record_to_come else None,
                    deadline=self._idle_deadline(),
                )
                if not proving:
                    self._greet(bookings)
            case RecordFound(session, record) if session == s.session and s.record_pending:
                found = dict(record) if record else None
                self._go(s.phase, record=found, record_pending=False, record_deadline=None)
                if s.phase in _BEFORE_THE_FORM and s.service is not None and s.identity:
                    filled = prefill(s.service.form, s.identity, found, s.service.id)
                    self._go(s.phase, values=self._editable(filled))
                held, self._held = self._held, None
                if held is not None and held[0] == session:
                    return self._dispatch(held[1])  # the tap that waited for the record
            case CardReadFailed(session, reason) if self._current(session, Phase.READING):
                return self._fail(reason)
            case CardLeft() if s.phase in INTERACTIVE and self._end_on_card_removal:
                return self._end(SessionEnd.CARD_REMOVED)
            case BirthDateEntered(digits) if s.phase is Phase.PROVING:
                return self._prove(digits)
            case BirthDateChecked(session, outcome, identity, record, bookings) if self._current(
                session, Phase.PROVING_CHECK
            ):
                self._proved(outcome, identity, record)
                if self.state.phase is Phase.IDENTIFIED and self.state.problem is None:
                    self._greet(bookings)
            case ProofSkipped() if s.phase is Phase.PROVING:
                self._go(Phase.IDENTIFIED, problem=None, deadline=self._idle_deadline())
            case CheckInChosen() if s.phase is Phase.APPOINTMENT:
                return self._check_in()
            case OtherServices() if s.phase is Phase.APPOINTMENT and s.identity is not None:
                self._go(
                    Phase.IDENTIFIED, service=None, problem=None, deadline=self._idle_deadline()
                )
            case BookingCodeOpened() if s.phase is Phase.IDLE:  # without a card, a new session
                self.state = SessionState(
                    phase=Phase.BOOKING_CODE,
                    session=s.session + 1,
                    deadline=self._idle_deadline(),
                )
                if self._clock() < self._codes_locked_until:  # too many wrong codes here
                    return self._fail(SessionProblem.BOOKING_CODE_LOCKED)
            case BookingCodeEntered(digits) if s.phase is Phase.BOOKING_CODE:
                return self._enter_code(digits)
            case BookingFound(session, lookup, booking, asked=asked) if self._answers(
                session, asked, Phase.BOOKING_CHECK
            ):
                return self._found(lookup, booking)
            case ServiceSelected(service_id) if s.phase is Phase.IDENTIFIED:
                self._choose(service_id)
            case DoctorChosen(schedule_id) if s.phase is Phase.DOCTOR:
                self._choose_doctor(schedule_id)
            case PayerChosen(payer) if s.phase is Phase.PAYER:
                self._choose_payer(payer)
            case PatientSearchOpened() if s.phase is Phase.IDLE:  # without a card
                self.state = SessionState(
                    phase=Phase.PATIENT_NUMBER,
                    session=s.session + 1,
                    deadline=self._idle_deadline(),
                )
                if self._clock() < self._patients_locked_until:  # too many misses here
                    return self._fail(SessionProblem.PATIENT_LOCKED)
            case PatientNumberEntered(key, digits) if s.phase is Phase.PATIENT_NUMBER:
                self._patient_number(key, digits)
            case BirthDateEntered(digits) if s.phase is Phase.PATIENT_BIRTH:
                return self._patient_birth(digits)
            case PatientFound(session, identity, record, problem, asked=asked) if self._answers(
                session, asked, Phase.PATIENT_CHECK
            ):
                return self._patient_found(identity, record, problem)
            case FormOpened() if s.phase is Phase.SERVICE_CHOSEN:
                self._go(Phase.FORM, deadline=self._idle_deadline())
            case FormSubmitted(values) if s.phase is Phase.FORM:
                self._submit(values)
            case Confirmed() if s.phase is Phase.CONFIRMING:
                return self._ask_consent()
            case NotifyAnswered(session, yes) if s.phase in CONSENTING and session == s.session:
                return self._answered(yes)
            case NotifyNumberWanted(session) if self._current(session, Phase.CONSENT):
                self._go(Phase.CONSENT_PHONE, problem=None, deadline=self._consent_deadline())
            case NotifyPhoneEntered(session, digits) if self._current(session, Phase.CONSENT_PHONE):
                return self._typed_number(digits)
            case TicketReady(session, ticket) if self._current(session, Phase.ISSUING):
                deadline = self._clock() + self.timeouts.ticket_display
                # the print is bounded by the issuing deadline, which may be the later one
                printing = max(deadline, s.deadline or deadline) if ticket.printing else None
                self._go(
                    Phase.TICKET_ISSUED, ticket=ticket, deadline=deadline, print_deadline=printing
                )
            case TicketReady(session, ticket) if self._printing(session):
                self._printed(ticket)  # the paper's outcome
            case IssueFailed(session, reason) if self._printing(session):
                # The number is shown and kept; whether the paper came is not known:
                # the screen says to photograph it (as for any ticket not printed).
                shown = _present(s.ticket)
                self._printed(
                    dataclasses.replace(
                        shown, printing=False, printed=False, print_fault=str(reason)
                    )
                )
            case IssueFailed(session, reason) if self._current(session, Phase.ISSUING):
                return self._issue_refused(reason)
            case NumberRefused(session, reason) if (
                s.phase in CONSENTING and session == s.session and s.complaint_draft is None
            ):
                return self._issue_refused(reason)  # her answer would change nothing
            case Back():
                return self._back()
            case Cancel() if s.phase in INTERACTIVE:
                return self._end(SessionEnd.CANCELLED)
            case Finish() if s.phase is Phase.TICKET_ISSUED and not self._printing(s.session):
                # Not while the paper prints: its outcome (a fault's notice, the slip
                # that follows it) is the session's; it comes by the issuing deadline.
                return self._done()
            case Finish() if s.phase in (Phase.DONE, Phase.ERROR):
                return self._end(SessionEnd.FINISHED)
            case UserActivity() if s.phase in CONSENTING:
                self._go(s.phase, deadline=self._consent_deadline())
            case UserActivity() if s.phase in IDLE_TIMED:
                self._go(s.phase, deadline=self._idle_deadline())
            case ComplaintOpened() if s.phase is Phase.IDENTIFIED:
                self._go(Phase.COMPLAINT, problem=None, deadline=self._idle_deadline())
            case ComplaintOpened() if s.phase is Phase.IDLE:  # anonymous, a new session
                self.state = SessionState(
                    phase=Phase.COMPLAINT, session=s.session + 1, deadline=self._idle_deadline()
                )
            case ComplaintSubmitted(category, text) if s.phase is Phase.COMPLAINT:
                return self._file_complaint(category, text)
            case ComplaintFiled(session, receipt) if self._current(
                session, Phase.COMPLAINT_SENDING
            ):
                deadline = self._clock() + self.timeouts.ticket_display
                self._go(Phase.COMPLAINT_FILED, complaint=receipt, deadline=deadline)
            case ComplaintFailed(session, reason) if self._current(
                session, Phase.COMPLAINT_SENDING
            ):
                return self._fail(reason)
            case Finish() if s.phase is Phase.COMPLAINT_FILED:
                return self._done()
            case _:
                log.debug("ignored %s in %s", type(event).__name__, s.phase.value)
        return []

    def _record_overdue(self) -> list[Effect]:
        """The city record still not in by its deadline (a worker stuck past the lookup's
        own deadline, on a store busy with something else): go on with the card alone,
        and take the tap that waited for it, rather than let that tap wait for ever."""
        s = self.state
        if not s.record_pending or s.record_deadline is None or self._clock() < s.record_deadline:
            return []
        log.warning("session %d: the city record did not come in time", s.session)
        return self._dispatch(RecordFound(s.session, None))

    def _timeout(self) -> list[Effect]:
        s = self.state
        if s.deadline is None or self._clock() < s.deadline:
            return []
        if s.phase is Phase.READING:
            return self._fail(SessionProblem.READ_TIMEOUT)
        if s.phase is Phase.BOOKING_CHECK:  # the centre is slow: say so, keep the keypad
            self._go(
                Phase.BOOKING_CODE,
                problem=SessionProblem.BOOKING_UNAVAILABLE,
                deadline=self._idle_deadline(),
            )
            return []
        if s.phase is Phase.PATIENT_CHECK:  # the centre is slow: say so, keep the keypad
            self._go(
                Phase.PATIENT_NUMBER,
                problem=SessionProblem.PATIENT_UNAVAILABLE,
                deadline=self._idle_deadline(),
            )
            return []
        if s.phase is Phase.PROVING_CHECK:  # the centre is slow: carry on without it
            self._go(
                Phase.IDENTIFIED,
                problem=SessionProblem.BIRTH_DATE_UNAVAILABLE,
                deadline=self._idle_deadline(),
            )
            return []
        if s.phase in (Phase.ISSUING, Phase.COMPLAINT_SENDING):
            return self._fail(SessionProblem.ISSUE_TIMEOUT)
        if s.phase is Phase.TICKET_ISSUED and s.ticket is not None and s.ticket.printing:
            return self._print_overdue()
        if s.phase in (Phase.TICKET_ISSUED, Phase.COMPLAINT_FILED):
            return self._done()
        if s.phase in CONSENTING:  # no answer is a no: the ticket (complaint), no messages
            log.info("session %d: consent unanswered, taken as no", s.session)
            return self._consented(None)
        if s.phase in IDLE_TIMED:
            return self._end(SessionEnd.IDLE_TIMEOUT)
        return self._end(SessionEnd.FINISHED)  # DONE, ERROR

    def _start_reading(self, reader: str) -> list[Effect]:
        wipe = self._wipe_if_personal(SessionEnd.NEW_CARD)
        session = self.state.session + 1
        self.state = SessionState(
            phase=Phase.READING,
            session=session,
            deadline=self._clock() + self.timeouts.read,
        )
        return [*wipe, ReadCard(session, reader)]

    def _prove(self, digits: str) -> list[Effect]:
        s = self.state
        born = _birth_date(digits)
        if born is None:  # not a date: typed wrong, not counted, nothing asked
            self._go(
                Phase.PROVING,
                problem=SessionProblem.BIRTH_DATE_INVALID,
                deadline=self._idle_deadline(),
            )
            return []
        identity = _present(s.identity)
        self._go(Phase.PROVING_CHECK, problem=None, deadline=self._clock() + self.timeouts.read)
        return [ProveBirthDate(s.session, identity.uid, born)]

    def _proved(
        self,
        outcome: ProofOutcome,
        identity: CardIdentity | None,
        record: Mapping[str, str] | None,
    ) -> None:
        s = self.state
        if (
            outcome is ProofOutcome.MATCHED
            and identity is not None
            and identity.uid == (_present(s.identity).uid)
        ):
            self._go(
                Phase.IDENTIFIED,
                identity=identity,
                record=dict(record) if record else None,
                problem=None,
                deadline=self._idle_deadline(),
            )
            return
        if outcome is ProofOutcome.MISMATCH:
            attempts = s.proof_attempts + 1
            if attempts < MAX_PROOF_ATTEMPTS:
                self._go(
                    Phase.PROVING,
                    proof_attempts=attempts,
                    problem=SessionProblem.BIRTH_DATE_MISMATCH,
                    deadline=self._idle_deadline(),
                )
                return
            self._go(
                Phase.IDENTIFIED,
                proof_attempts=attempts,
                problem=SessionProblem.BIRTH_DATE_GAVE_UP,
                deadline=self._idle_deadline(),
            )
            return
        problem = (
            SessionProblem.BIRTH_DATE_LOCKED
            if outcome is ProofOutcome.LOCKED
            else SessionProblem.BIRTH_DATE_UNAVAILABLE
        )
        self._go(Phase.IDENTIFIED, problem=problem, deadline=self._idle_deadline())

    # -- appointments ----------------------------------------------------------------
    def _greet(self, bookings: tuple[BookingToday, ...]) -> None:
        """A card's holder identified: their booking of today first, if they have one.

        The first one that can be checked in here (booked, its service still offered)
        is offered, whatever comes before it; only if there is none is the citizen told
        why the first of the others cannot be used.
        """
        self._go(self.state.phase, bookings=bookings)
        usable = next(
            (
                b
                for b in bookings
                if b.state is BookingState.BOOKED and self._booked_service(b) is not None
            ),
            None,
        )
        if usable is not None:
            self._offer(usable)
            return
        for state in _BOOKING_ORDER:
            found = next((b for b in bookings if b.state is state), None)
            if found is not None:
                self._offer(found)
                return

    def _offer(self, booking: BookingToday) -> None:
        """Show ``booking`` to check in; else say why not where the citizen stands."""
        problem = _BOOKING_PROBLEMS.get(booking.state)
        service = self._booked_service(booking)
        if problem is None and service is None:
            problem = SessionProblem.BOOKING_SERVICE_GONE
        if problem is None:
            self._go(
                Phase.APPOINTMENT,
                booking=booking,
                service=service,  # the booked one: what a check-in issues
                problem=None,
                deadline=self._idle_deadline(),
            )
            return
        back = Phase.IDENTIFIED if self.state.identity is not None else Phase.BOOKING_CODE
        self._go(back, booking=booking, problem=problem, deadline=self._idle_deadline())

    def _booked_service(self, booking: BookingToday) -> Service | None:
        catalog = self._catalog()
        try:
            service = catalog.service(booking.service_id) if catalog else None
        except KeyError:
            return None
        return service if service is not None and service.office_id == booking.office_id else None

    def _enter_code(self, digits: str) -> list[Effect]:
        code = normalise_code(digits)
        if code is None or not is_valid_code(code):  # typed wrong: nothing is asked
            return self._wrong_code(SessionProblem.BOOKING_CODE_INVALID)
        asked = self.state.asked + 1
        self._go(
            Phase.BOOKING_CHECK,
            booking=None,
            problem=None,
            asked=asked,
            deadline=self._clock() + self.timeouts.read,
        )
        return [FindBooking(self.state.session, code, asked=asked)]

    def _kiosk_wrong_code(self) -> bool:
        """Count a wrong code (or a revealing answer) for the kiosk; True: now locked."""
        now = self._clock()
        self._wrong_codes.append(now)
        while now - self._wrong_codes[0] >= KIOSK_CODE_WINDOW_S:
            self._wrong_codes.popleft()
        if len(self._wrong_codes) < KIOSK_CODE_LIMIT:
            return False
        self._wrong_codes.clear()
        self._codes_locked_until = now + KIOSK_CODE_LOCK_S
        log.warning(
            "booking code keypad locked for %.0f s: %d wrong codes within %.0f s",
            KIOSK_CODE_LOCK_S,
            KIOSK_CODE_LIMIT,
            KIOSK_CODE_WINDOW_S,
        )
        return True

    def _wrong_code(self, problem: SessionProblem) -> list[Effect]:
        attempts = self.state.code_attempts + 1
        if self._kiosk_wrong_code() or attempts >= MAX_CODE_ATTEMPTS:
            return self._fail(SessionProblem.BOOKING_CODE_LOCKED)
        self._go(
            Phase.BOOKING_CODE,
            booking=None,
            code_attempts=attempts,
            problem=problem,
            deadline=self._idle_deadline(),
        )
        return []

    def _found(self, lookup: BookingLookup, booking: BookingToday | None) -> list[Effect]:
        if lookup is BookingLookup.UNKNOWN or (
            booking is None and lookup is not BookingLookup.UNAVAILABLE
        ):
            return self._wrong_code(SessionProblem.BOOKING_UNKNOWN)
        if lookup is BookingLookup.TODAY and booking is not None:
            self._offer(booking)
            return []
        problem = {
            BookingLookup.OTHER_DAY: SessionProblem.BOOKING_OTHER_DAY,
            BookingLookup.OTHER_OFFICE: SessionProblem.BOOKING_OTHER_OFFICE,
        }.get(lookup, SessionProblem.BOOKING_UNAVAILABLE)
        # An answer about another day's or office's booking tells whoever typed it that
        # the code exists: not a slip the citizen pays for, but it counts for the kiosk.
        if problem is not SessionProblem.BOOKING_UNAVAILABLE and self._kiosk_wrong_code():
            return self._fail(SessionProblem.BOOKING_CODE_LOCKED)
        self._go(
            Phase.BOOKING_CODE, booking=booking, problem=problem, deadline=self._idle_deadline()
        )
        return []

    def _check_in(self) -> list[Effect]:
        s = self.state
        booking = _present(s.booking)
        service = self._booked_service(booking)
        if service is None:  # the catalog changed while the citizen looked
            self._offer(booking)
            return []
        values: dict[str, str] = {}
        if s.identity is not None:
            filled = prefill(service.form, s.identity, s.record, service.id)
            values = {name: v.value for name, v in filled.items()}
        self._go(Phase.ISSUING, service=service, deadline=self._clock() + self.timeouts.issuing)
        return [
            IssueTicket(
                s.session,
                s.identity,
                service.id,
                values,
                self._language(),
                booking=booking,
            )
        ]

    def _choose(self, service_id: str) -> None:
        catalog = self._catalog()
        identity = _present(self.state.identity)
        try:
            service = catalog.service(service_id) if catalog else None
        except KeyError:
            service = None
        if service is None:
            self._go(
                Phase.IDENTIFIED,
                problem=SessionProblem.SERVICE_UNKNOWN,
                deadline=self._idle_deadline(),
            )
            return
        if ASSURANCE_ORDER[identity.assurance] < ASSURANCE_ORDER[service.assurance]:
            self._go(
                Phase.IDENTIFIED,
                problem=SessionProblem.ASSURANCE_TOO_LOW,
                deadline=self._idle_deadline(),
            )
            return
        values = self._editable(prefill(service.form, identity, self.state.record, service.id))
        if is_poli(service) and self._booked_place(service.id) is None:
            # A Mobile JKN booking of this poli holds its doctor's place already: the
            # ticket checks it in (``_issue``) and asks for no second place.
            doctors = self._doctors(service.id)
            self._go(
                Phase.DOCTOR,
                service=service,
                doctors=doctors,
                doctor=None,
                payer=None,
                problem=None if doctors else SessionProblem.NO_DOCTORS,
                values=values,
                field_errors={},
                deadline=self._idle_deadline(),
            )
            return
        self._go(
            Phase.SERVICE_CHOSEN,
            service=service,
            problem=None,
            values=values,
            field_errors={},
            deadline=self._idle_deadline(),
        )

    def _booked_place(self, service_id: str) -> BookingToday | None:
        """A Mobile JKN booking of today at ``service_id`` still to check in: it holds
        its doctor's place (``BookingToday.doctor``), so no doctor is chosen again."""
        return next(
            (
                b
                for b in self.state.bookings
                if b.state is BookingState.BOOKED and b.service_id == service_id and b.doctor
            ),
            None,
        )

    # -- hospital registration ---------------------------------------------------------
    def _choose_doctor(self, schedule_id: str) -> None:
        doctor = next((d for d in self.state.doctors if d.schedule_id == schedule_id), None)
        if doctor is None:  # not on the list shown: nothing happens
            return
        if doctor.closed:  # the hours are over: the list says so
            self._go(
                Phase.DOCTOR, problem=SessionProblem.DOCTOR_CLOSED, deadline=self._idle_deadline()
            )
            return
        if doctor.left_jkn <= 0 and doctor.left_non_jkn <= 0:  # full: the list says so
            self._go(
                Phase.DOCTOR, problem=SessionProblem.QUOTA_FULL, deadline=self._idle_deadline()
            )
            return
        self._go(
            Phase.PAYER, doctor=doctor, payer=None, problem=None, deadline=self._idle_deadline()
        )

    def _choose_payer(self, payer: Payer) -> None:
        doctor = _present(self.state.doctor)
        if doctor.left(payer) <= 0:
            self._go(Phase.PAYER, problem=SessionProblem.QUOTA_FULL, deadline=self._idle_deadline())
            return
        self._go(Phase.FORM, payer=payer, problem=None, deadline=self._idle_deadline())

    def _issue_refused(self, reason: Problem) -> list[Effect]:
        """No ticket (``reason``): a doctor's refusal goes back to the doctors, any other
        ends on the message screen."""
        if reason in DOCTOR_REFUSED and self.state.doctor is not None:
            self._doctor_refused(SessionProblem(reason))
            return []
        return self._fail(reason)

    def _doctor_refused(self, problem: SessionProblem) -> None:
        """No place with the doctor chosen (none left, or their hours are over): back to
        the doctors, counted again, and why."""
        s = self.state
        service = _present(s.service)
        doctors = self._doctors(service.id)
        chosen, payer = _present(s.doctor), _present(s.payer)
        # the cache may not have heard yet: the doctor chosen is full for this payer,
        # closed, or gone, as the centre said
        doctors = tuple(
            d
            for d in (
                _refused(d, problem, payer) if d.schedule_id == chosen.schedule_id else d
                for d in doctors
            )
            if d is not None
        )
        self._go(
            Phase.DOCTOR,
            doctors=doctors,
            doctor=None,
            payer=None,
            notify_phone=None,
            problem=problem,
            deadline=self._idle_deadline(),
        )

    def _hospital_request(self) -> HospitalRequest | None:
        s = self.state
        if s.doctor is None or s.payer is None:
            return None
        values = {name: v.value for name, v in s.values.items()}
        record = s.record or {}
        citizen = s.identity.citizen if s.identity is not None else None
        norm = values.get("norm") or record.get("medical_record_number", "")
        card = values.get("nomorkartu") or (citizen.bpjs_number if citizen else None) or ""
        card = card or record.get("bpjs_number", "")
        return HospitalRequest(
            schedule_id=s.doctor.schedule_id,
            payer=s.payer,
            norm=norm[:32],
            nomorkartu=card if is_bpjs_number(card) else "",
            new_patient=not norm,
        )

    def _patient_number(self, key: PatientKey, digits: str) -> None:
        if not digits.isascii() or not digits.isdigit() or len(digits) not in PATIENT_DIGITS[key]:
            self._go(
                Phase.PATIENT_NUMBER,
                patient_key=key,
                problem=SessionProblem.PATIENT_NUMBER_INVALID,
                deadline=self._idle_deadline(),
            )
            return
        self._go(
            Phase.PATIENT_BIRTH,
            patient_key=key,
            patient_number=digits,
            problem=None,
            deadline=self._idle_deadline(),
        )

    def _patient_birth(self, digits: str) -> list[Effect]:
        born = _birth_date(digits)
        if born is None:
            self._go(
                Phase.PATIENT_BIRTH,
                problem=SessionProblem.BIRTH_DATE_INVALID,
                deadline=self._idle_deadline(),
            )
            return []
        s = self.state
        asked = s.asked + 1
        self._go(
            Phase.PATIENT_CHECK,
            problem=None,
            asked=asked,
            deadline=self._clock() + self.timeouts.read,
        )
        return [FindPatient(s.session, s.patient_key, s.patient_number, born, asked=asked)]

    def _patient_found(
        self,
        identity: CardIdentity | None,
        record: Mapping[str, str] | None,
        problem: Problem | None,
    ) -> list[Effect]:
        if identity is None:
            problem = problem or SessionProblem.PATIENT_UNKNOWN
            attempts = self.state.patient_attempts
            if problem is SessionProblem.PATIENT_UNKNOWN:  # the centre was asked, in vain
                attempts += 1
                if self._kiosk_wrong_patient() or attempts >= MAX_PATIENT_ATTEMPTS:
                    return self._fail(SessionProblem.PATIENT_LOCKED)
            self._go(
                Phase.PATIENT_NUMBER,
                patient_number="",
                patient_attempts=attempts,
                problem=problem,
                deadline=self._idle_deadline(),
            )
            return []
        self._go(
            Phase.IDENTIFIED,
            identity=identity,
            record=dict(record) if record else None,
            patient_number="",
            problem=None,
            deadline=self._idle_deadline(),
        )
        return []

    def _kiosk_wrong_patient(self) -> bool:
        """Count a patient not found for the kiosk; True: the patient keypad is now locked."""
        now = self._clock()
        self._wrong_patients.append(now)
        while now - self._wrong_patients[0] >= KIOSK_PATIENT_WINDOW_S:
            self._wrong_patients.popleft()
        if len(self._wrong_patients) < KIOSK_PATIENT_LIMIT:
            return False
        self._wrong_patients.clear()
        self._patients_locked_until = now + KIOSK_PATIENT_LOCK_S
        log.warning(
            "patient keypad locked for %.0f s: %d patients not found within %.0f s",
            KIOSK_PATIENT_LOCK_S,
            KIOSK_PATIENT_LIMIT,
            KIOSK_PATIENT_WINDOW_S,
        )
        return True

    def _submit(self, typed: Mapping[str, str]) -> None:
        service = _present(self.state.service)
        merged = dict(self.state.values)
        for f in service.form:
            current = merged.get(f.name)
            raw = typed.get(f.name)
            if raw is None or (current is not None and current.locked):
                continue  # a locked value from the card cannot be overridden
            text = forms.clean(raw)
            if current is None or text != current.value:
                merged[f.name] = FieldValue(text, Source.CITIZEN, False)
        errors = forms.validate(service.form, {n: v.value for n, v in merged.items()})
        phase = Phase.FORM if errors else Phase.CONFIRMING
        self._go(phase, values=merged, field_errors=errors, deadline=self._idle_deadline())

    def _ask_consent(self) -> list[Effect]:
        if not self._ask_notify:
            return self._issue(None)
        s = self.state
        values = {name: v.value for name, v in s.values.items()}
        offered = consent.offered_number(_present(s.service).form, values, s.record)
        self._go(
            Phase.CONSENT, notify_phone=offered, problem=None, deadline=self._consent_deadline()
        )
        return []

    def _answered(self, yes: bool) -> list[Effect]:
        s = self.state
        if not yes:
            return self._consented(None)
        if s.phase is Phase.CONSENT_PHONE:
            return []  # the keypad's yes is its OK, with the number typed
        if s.notify_phone is None:  # a yes, and no number known: the keypad
            self._go(Phase.CONSENT_PHONE, problem=None, deadline=self._consent_deadline())
            return []
        return self._consented(s.notify_phone)

    def _typed_number(self, digits: str) -> list[Effect]:
        phone = consent.mobile_number(digits)
        if phone is None:
            self._go(
                Phase.CONSENT_PHONE,
                problem=SessionProblem.PHONE_INVALID,
                deadline=self._consent_deadline(),
            )
            return []
        self._go(Phase.CONSENT_PHONE, notify_phone=phone, problem=None)
        return self._consented(phone)

    def _consented(self, notify_phone: str | None) -> list[Effect]:
        """The question answered (a yes with its number, or None): what it was asked for."""
        draft = self.state.complaint_draft
        if draft is not None:
            return self._send_complaint(*draft, notify_phone=notify_phone)
        return self._issue(notify_phone)

    def ticket_request(self) -> IssueTicket | None:
        """The ticket the question now asked would issue, its answer aside (no phone):
        what the centre may number while the citizen answers (the controller's
        :mod:`kiosk.tickets.ahead`). None unless a ticket's question is being asked."""
        s = self.state
        if s.phase not in CONSENTING or s.complaint_draft is not None or s.service is None:
            return None
        return self._ticket_request(s, None)

    def _issue(self, notify_phone: str | None) -> list[Effect]:
        s = self.state
        self._go(
            Phase.ISSUING,
            notify_phone=notify_phone,  # from here on: the number sent, or None
            problem=None,
            deadline=self._clock() + self.timeouts.issuing,
        )
        return [self._ticket_request(s, notify_phone)]

    def _ticket_request(self, s: SessionState, notify_phone: str | None) -> IssueTicket:
        identity, service = _present(s.identity), _present(s.service)
        values = {name: v.value for name, v in s.values.items()}
        # The service of a booking of today chosen from the grid ("Layanan lain", then
        # the same service): the ticket checks that booking in, never a walk-in that
        # leaves the booking to become a no-show.
        booked = next(
            (
                b
                for b in s.bookings
                if b.state is BookingState.BOOKED and b.service_id == service.id
            ),
            None,
        )
        return IssueTicket(
            s.session,
            identity,
            service.id,
            values,
            self._language(),
            notify_phone=notify_phone,
            booking=booked,
            doctor=s.doctor,
            hospital=self._hospital_request(),
        )

    def _file_complaint(self, category: str, text: str) -> list[Effect]:
        s = self.state
        if not category or not forms.clean(text):
            self._go(
                Phase.COMPLAINT,
                problem=SessionProblem.COMPLAINT_EMPTY,
                deadline=self._idle_deadline(),
            )
            return []
        text = forms.clean(text)
        if not self._ask_notify:
            return self._send_complaint(category, text, notify_phone=None)
        # The ticket's question, before it is sent: only a yes lets the centre tell the
        # citizen when it is answered. The record's phone when a card gave one, else a
        # yes opens the keypad (an anonymous complaint has no record).
        offered = consent.offered_number((), {}, s.record)
        self._go(
            Phase.CONSENT,
            complaint_draft=(category, text),
            notify_phone=offered,
            problem=None,
            deadline=self._consent_deadline(),
        )
        return []

    def _send_complaint(
        self, category: str, text: str, *, notify_phone: str | None
    ) -> list[Effect]:
        s = self.state
        citizen = s.identity.citizen if s.identity else None
        card_number = citizen.card_number if citizen and citizen.card_number else None
        self._go(
            Phase.COMPLAINT_SENDING,
            notify_phone=notify_phone,  # from here on: the number sent, or None
            problem=None,
            deadline=self._clock() + self.timeouts.issuing,
        )
        effect = FileComplaint(
            s.session, category, text, self._language(), card_number, notify_phone=notify_phone
        )
        return [effect]

    def _back(self) -> list[Effect]:
        if self.state.phase in (Phase.BOOKING_CODE, Phase.APPOINTMENT, Phase.PATIENT_NUMBER) and (
            self.state.identity is None
        ):
            return self._end(SessionEnd.CANCELLED)  # no card: back to the attract screen
        if self.state.phase is Phase.APPOINTMENT:
            self._go(Phase.IDENTIFIED, service=None, problem=None, deadline=self._idle_deadline())
            return []
        if self.state.phase is Phase.COMPLAINT:
            if self.state.identity is None:
                return self._end(SessionEnd.CANCELLED)  # anonymous: back to the attract screen
            self._go(Phase.IDENTIFIED, problem=None, deadline=self._idle_deadline())
            return []
        if self.state.phase is Phase.CONSENT_PHONE:
            self._go(Phase.CONSENT, problem=None, deadline=self._consent_deadline())
            return []
        if self.state.phase is Phase.CONSENT and self.state.complaint_draft is not None:
            # back to the complaint, its text still on the screen
            self._go(
                Phase.COMPLAINT,
                complaint_draft=None,
                notify_phone=None,
                problem=None,
                deadline=self._idle_deadline(),
            )
            return []
        if self.state.phase is Phase.PATIENT_BIRTH:
            self._go(
                Phase.PATIENT_NUMBER,
                patient_number="",
                problem=None,
                deadline=self._idle_deadline(),
            )
            return []
        if self.state.phase is Phase.FORM and self.state.doctor is not None:
            self._go(Phase.PAYER, payer=None, problem=None, deadline=self._idle_deadline())
            return []
        if self.state.phase in (Phase.DOCTOR, Phase.PAYER):
            if self.state.phase is Phase.PAYER:
                self._go(
                    Phase.DOCTOR,
                    doctors=self._doctors(_present(self.state.service).id),
                    doctor=None,
                    problem=None,
                    deadline=self._idle_deadline(),
                )
            else:
                self._go(
                    Phase.IDENTIFIED,
                    service=None,
                    doctors=(),
                    values={},
                    problem=None,
                    deadline=self._idle_deadline(),
                )
            return []
        previous = {
            Phase.SERVICE_CHOSEN: Phase.IDENTIFIED,
            Phase.FORM: Phase.SERVICE_CHOSEN,
            Phase.CONFIRMING: Phase.FORM,
            Phase.CONSENT: Phase.CONFIRMING,
        }.get(self.state.phase)
        if previous is not None:
            self._go(previous, problem=None, deadline=self._idle_deadline())
        return []

    def _fail(self, reason: Problem) -> list[Effect]:
        wipe = self._wipe_if_personal(reason)
        self.state = SessionState(
            phase=Phase.ERROR,
            session=self.state.session,
            problem=reason,
            deadline=self._clock() + self.timeouts.error_display,
        )
        return wipe

    def _done(self) -> list[Effect]:
        wipe = self._wipe_if_personal(SessionEnd.FINISHED)
        self.state = SessionState(
            phase=Phase.DONE,
            session=self.state.session,
            deadline=self._clock() + self.timeouts.done_display,
        )
        return wipe

    def _end(self, reason: SessionEnd) -> list[Effect]:
        wipe = self._wipe_if_personal(reason)
        self.state = SessionState(session=self.state.session, problem=reason)
        return wipe or [WipeSession(reason)]

    def _wipe_if_personal(self, reason: SessionEnd | Problem) -> list[Effect]:
        return [WipeSession(reason)] if self.state.personal else []

    # -- helpers -------------------------------------------------------------
    def _editable(self, values: dict[str, FieldValue]) -> dict[str, FieldValue]:
        if not self._staff_edits:
            return values
        return {n: dataclasses.replace(v, locked=False) for n, v in values.items()}

    def _current(self, session: int, phase: Phase) -> bool:
        return self.state.phase is phase and self.state.session == session

    def _answers(self, session: int, asked: int, phase: Phase) -> bool:
        """Whether an answer to question ``asked`` of ``session`` is the one awaited now."""
        return self._current(session, phase) and self.state.asked == asked

    def _idle_deadline(self) -> float:
        return self._clock() + self.timeouts.idle

    def _consent_deadline(self) -> float:
        return self._clock() + self.timeouts.consent

    def _printed(self, ticket: IssuedTicket) -> None:
        """The print's outcome on the ticket shown: its notice stays for the ticket's
        time from its number, or in full if that time ran out while it printed."""
        s = self.state
        waited = s.print_deadline is None  # the number's time ran out meanwhile
        deadline = self._clock() + self.timeouts.ticket_display if waited else s.deadline
        self._go(Phase.TICKET_ISSUED, ticket=ticket, deadline=deadline, print_deadline=None)

    def _print_overdue(self) -> list[Effect]:
        """The ticket's time on screen is up while its paper prints: the screen waits for
        the print's outcome until the issuing deadline; past it (a printer that hangs),
        whether paper came is not known, and the screen says to photograph the number."""
        s, now = self.state, self._clock()
        if s.print_deadline is not None and now < s.print_deadline:
            self._go(s.phase, deadline=s.print_deadline, print_deadline=None)
            return []
        log.warning("session %d: the print's outcome did not come in time", s.session)
        unknown = dataclasses.replace(
            _present(s.ticket),
            printing=False,
            printed=False,
            print_fault=str(SessionProblem.ISSUE_TIMEOUT),
        )
        self._go(s.phase, print_deadline=None)  # its notice gets the ticket's time in full
        self._printed(unknown)
        return []

    def _printing(self, session: int) -> bool:
        """Whether session ``session`` shows its ticket while its paper is being printed."""
        s = self.state
        return (
            self._current(session, Phase.TICKET_ISSUED)
            and s.ticket is not None
            and s.ticket.printing
        )

    def _go(self, phase: Phase, **changes: object) -> None:
        self.state = dataclasses.replace(self.state, phase=phase, **changes)  # type: ignore[arg-type]


def _birth_date(digits: str) -> dt.date | None:
    """``DDMMYYYY`` as a date, or None if it is not one (or not a plausible year of birth)."""
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        return None
    try:
        born = dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None
    return born if born.year in BIRTH_YEARS else None


def is_poli(service: Service) -> bool:
    """Whether ``service`` is a hospital's poli (its doctors and payer are chosen)."""
    return service.poli is not None


def _full_for(doctor: DoctorToday, payer: Payer) -> DoctorToday:
    if payer is Payer.JKN:
        return dataclasses.replace(doctor, left_jkn=0)
    return dataclasses.replace(doctor, left_non_jkn=0)


def _refused(doctor: DoctorToday, problem: SessionProblem, payer: Payer) -> DoctorToday | None:
    """``doctor`` as the centre's refusal ``problem`` left them: closed, full for
    ``payer``, or ``None``: not there today at all."""
    if problem is SessionProblem.DOCTOR_UNAVAILABLE:
        return None
    if problem is SessionProblem.DOCTOR_CLOSED:
        return dataclasses.replace(doctor, closed=True)
    return _full_for(doctor, payer)


def _present(value: _T | None) -> _T:
    """A value the current phase guarantees; its absence is a bug in this module."""
    if value is None:
        raise RuntimeError("session state is inconsistent with its phase")
    return value
