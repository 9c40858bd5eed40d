"""The session state machine: every transition, timeout and error edge."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from types import ModuleType

import pytest

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.demo_cards import demo_card
from contract.assurance import Assurance
from contract.catalog import Catalog
from kiosk import config as kiosk_config
from kiosk.session import events
from kiosk.session.machine import IDLE_TIMED, Phase, SessionMachine, SessionState, Timeouts
from kiosk.session.prefill import Source
from testkit.clocks import ManualClock
from testkit.todays_bookings import booking

SITI_CLAIMS = demo_card("siti").claims
assert SITI_CLAIMS is not None
SITI = CardIdentity(
    uid=b"\x04\xa1", citizen=Citizen.from_claims(SITI_CLAIMS), assurance=Assurance.UNVERIFIED
)
UID_ONLY = CardIdentity(uid=b"\x08\xc0", citizen=None, assurance=Assurance.UNVERIFIED)
T = Timeouts()
TICKET = events.IssuedTicket(
    number="A-001", service_id="puskesmas-umum", counter="Loket 1", printed=True
)


def clock_day() -> dt.date:
    return dt.date(2026, 12, 5)


def make(catalog: Catalog, clock: ManualClock, **kw: object) -> SessionMachine:
    return SessionMachine(lambda: catalog, clock, T, **kw)  # type: ignore[arg-type]


def to_identified(m: SessionMachine, identity: CardIdentity = SITI) -> None:
    [effect] = m.handle(events.CardTapped("r0"))
    assert isinstance(effect, events.ReadCard)
    m.handle(events.CardRead(effect.session, identity))
    assert m.state.phase is Phase.IDENTIFIED


def to_form(m: SessionMachine, service: str = "puskesmas-umum") -> None:
    to_identified(m)
    m.handle(events.ServiceSelected(service))
    m.handle(events.FormOpened())
    assert m.state.phase is Phase.FORM


def to_confirming(m: SessionMachine) -> None:
    to_form(m)
    m.handle(events.FormSubmitted({"phone": "081234567890"}))
    assert m.state.phase is Phase.CONFIRMING


def to_issuing(m: SessionMachine) -> events.IssueTicket:
    to_confirming(m)
    assert m.handle(events.Confirmed()) == []
    assert m.state.phase is Phase.CONSENT  # "Kirim pemberitahuan ke …?"
    [effect] = m.handle(events.NotifyAnswered(m.state.session, False))
    assert isinstance(effect, events.IssueTicket) and effect.notify_phone is None
    return effect


def number_kept_without_paper(m: SessionMachine, fault: str) -> events.IssuedTicket:
    """The ticket screen still shows A-001, printed no more, its paper's fate ``fault``."""
    ticket = m.state.ticket
    assert m.state.phase is Phase.TICKET_ISSUED and ticket is not None
    assert (ticket.number, ticket.printing, ticket.printed, ticket.print_fault) == (
        "A-001",
        False,
        False,
        fault,
    )
    return ticket


def test_starts_idle_without_deadline(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    assert m.state.phase is Phase.IDLE
    assert m.seconds_left() is None


def test_tap_starts_reading_and_asks_for_a_read(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    effects = m.handle(events.CardTapped("reader-a"))
    assert effects == [events.ReadCard(session=1, reader="reader-a")]
    assert m.state.phase is Phase.READING


def test_read_identifies_the_citizen(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_identified(m)
    assert m.state.identity is SITI
    assert m.seconds_left() == T.idle


def test_happy_path_to_ticket_and_back_to_idle(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    effect = to_issuing(m)
    assert effect.service_id == "puskesmas-umum"
    assert effect.values["nik"] == "1471015203850001"
    assert effect.values["phone"] == "081234567890"
    assert effect.language == "id"
    assert m.state.phase is Phase.ISSUING
    m.handle(events.TicketReady(effect.session, TICKET))
    assert m.state.phase is Phase.TICKET_ISSUED
    assert m.state.ticket == TICKET
    effects = m.handle(events.Finish())
    assert effects == [events.WipeSession("finished")]
    assert m.state.phase is Phase.DONE
    assert m.state.identity is None and m.state.ticket is None and not m.state.values
    m.handle(events.Finish())
    assert m.state.phase is Phase.IDLE


def test_choosing_a_service_prefills_from_the_card(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_identified(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    assert m.state.phase is Phase.SERVICE_CHOSEN
    values = m.state.values
    assert values["full_name"].value == "Siti Aminah"
    assert values["full_name"].source is Source.CARD and values["full_name"].locked
    assert values["nik"].value == "1471015203850001"
    assert "phone" not in values  # the record is not available here


def test_locked_card_values_cannot_be_overridden(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_form(m)
    m.handle(events.FormSubmitted({"full_name": "Someone Else", "phone": "081234567890"}))
    assert m.state.phase is Phase.CONFIRMING
    assert m.state.values["full_name"].value == "Siti Aminah"
    assert m.state.values["phone"].source is Source.CITIZEN


def test_invalid_form_stays_on_form_with_errors(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_form(m)
    m.handle(events.FormSubmitted({"phone": "12ab"}))
    assert m.state.phase is Phase.FORM
    assert m.state.field_errors == {"phone": "phone_format"}
    m.handle(events.FormSubmitted({"phone": "0812 3456 7890"}))
    assert m.state.phase is Phase.CONFIRMING
    assert m.state.field_errors == {}


def test_uid_only_card_must_type_name_and_nik(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_identified(m, UID_ONLY)
    m.handle(events.ServiceSelected("status-berkas"))
    m.handle(events.FormOpened())
    m.handle(events.FormSubmitted({}))
    assert m.state.field_errors == {"full_name": "required", "nik": "required"}
    m.handle(events.FormSubmitted({"full_name": "Ani", "nik": "147101520385000"}))
    assert m.state.field_errors == {"nik": "nik_format"}
    m.handle(events.FormSubmitted({"nik": "1471015203850001"}))
    assert m.state.phase is Phase.CONFIRMING


def test_unknown_service_is_a_notice_not_a_crash(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_identified(m)
    m.handle(events.ServiceSelected("no-such-service"))
    assert m.state.phase is Phase.IDENTIFIED
    assert m.state.problem == "service_unknown"


def test_service_needing_more_assurance_is_refused(catalog: Catalog, clock: ManualClock) -> None:
    strict = dataclasses.replace(
        catalog,
        services=tuple(
            dataclasses.replace(s, assurance=Assurance.CLONE_PROOF) for s in catalog.services
        ),
    )
    m = make(strict, clock)
    to_identified(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    assert m.state.phase is Phase.IDENTIFIED
    assert m.state.problem == "assurance_too_low"


def test_no_catalog_yet_means_no_service(clock: ManualClock) -> None:
    m = SessionMachine(lambda: None, clock, T)
    to_identified(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    assert m.state.problem == "service_unknown"


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (Phase.SERVICE_CHOSEN, Phase.IDENTIFIED),
        (Phase.FORM, Phase.SERVICE_CHOSEN),
        (Phase.CONFIRMING, Phase.FORM),
    ],
)
def test_back_goes_one_step(
    catalog: Catalog, clock: ManualClock, phase: Phase, expected: Phase
) -> None:
    m = make(catalog, clock)
    to_identified(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    if phase in (Phase.FORM, Phase.CONFIRMING):
        m.handle(events.FormOpened())
    if phase is Phase.CONFIRMING:
        m.handle(events.FormSubmitted({"phone": "081234567890"}))
    assert m.state.phase is phase
    m.handle(events.Back())
    assert m.state.phase is expected


def test_back_does_nothing_while_issuing(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_issuing(m)
    m.handle(events.Back())
    m.handle(events.Cancel())
    assert m.state.phase is Phase.ISSUING


def test_cancel_wipes_and_returns_to_idle(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_form(m)
    assert m.handle(events.Cancel()) == [events.WipeSession("cancelled")]
    assert m.state == SessionState(session=1, problem="cancelled")


# --- timeouts -----------------------------------------------------------------
def test_read_timeout_becomes_an_error(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    [read] = m.handle(events.CardTapped("r0"))
    clock.advance(T.read - 0.01)
    m.handle(events.Tick())
    assert m.state.phase is Phase.READING
    clock.advance(0.02)
    m.handle(events.Tick())
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, "read_timeout")
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI))  # the late answer is dropped
    assert m.state.phase is Phase.ERROR and m.state.identity is None


#: A hospital's phases: tests/kiosk/test_hospital_session.py times each of them out.
HOSPITAL = {Phase.DOCTOR, Phase.PAYER, Phase.PATIENT_NUMBER, Phase.PATIENT_BIRTH}


@pytest.mark.parametrize("phase", sorted(IDLE_TIMED - HOSPITAL))
def test_idle_timeout_in_every_interactive_phase(
    catalog: Catalog, clock: ManualClock, phase: Phase
) -> None:
    m = make(catalog, clock)
    steps: list[Callable[[], object]] = [
        lambda: m.handle(events.ServiceSelected("puskesmas-umum")),
        lambda: m.handle(events.FormOpened()),
        lambda: m.handle(events.FormSubmitted({"phone": "081234567890"})),
    ]
    if phase is Phase.PROVING:  # a UID-only card, asked for the date of birth
        [read] = m.handle(events.CardTapped("r0"))
        assert isinstance(read, events.ReadCard)
        m.handle(events.CardRead(read.session, UID_ONLY, can_prove=True))
    elif phase is Phase.APPOINTMENT:  # a card whose holder has a booking of today
        [read] = m.handle(events.CardTapped("r0"))
        assert isinstance(read, events.ReadCard)
        m.handle(events.CardRead(read.session, SITI, bookings=(booking(clock_day()),)))
    elif phase is Phase.BOOKING_CODE:  # "Punya kode janji?" from the attract screen
        m.handle(events.BookingCodeOpened())
    else:
        to_identified(m)
    if phase is Phase.COMPLAINT:
        steps = [lambda: m.handle(events.ComplaintOpened())]
    for step in steps:
        if m.state.phase is phase:
            break
        step()
    assert m.state.phase is phase
    clock.advance(T.idle - T.idle_warning - 0.5)
    m.handle(events.Tick())
    assert not m.idle_warning()
    clock.advance(1.0)
    m.handle(events.Tick())
    assert m.idle_warning() and m.state.phase is phase
    clock.advance(T.idle_warning)
    effects = m.handle(events.Tick())
    assert effects == [events.WipeSession("idle_timeout")]
    assert m.state.phase is Phase.IDLE and m.state.identity is None


def test_the_warning_comes_at_least_20_s_before_the_timeout(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = SessionMachine(lambda: catalog, clock, Timeouts(idle=60.0, idle_warning=5.0))
    to_identified(m)
    clock.advance(39.5)
    m.handle(events.Tick())
    assert not m.idle_warning()
    clock.advance(1.0)  # 19.5 s left: WCAG 2.2.1 wants 20 s to ask for more
    assert m.idle_warning()


def test_activity_pushes_the_idle_deadline_back(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_identified(m)
    clock.advance(T.idle - 1)
    m.handle(events.UserActivity())
    clock.advance(T.idle - 1)
    m.handle(events.Tick())
    assert m.state.phase is Phase.IDENTIFIED
    clock.advance(2)
    m.handle(events.Tick())
    assert m.state.phase is Phase.IDLE


def test_any_event_after_the_deadline_times_out_first(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_form(m)
    clock.advance(T.idle + 1)
    assert m.handle(events.FormSubmitted({"phone": "081234567890"})) == [
        events.WipeSession("idle_timeout")
    ]
    assert m.state.phase is Phase.IDLE


def test_issuing_timeout_becomes_an_error(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    effect = to_issuing(m)
    clock.advance(T.issuing - 0.5)
    m.handle(events.Tick())
    assert m.state.phase is Phase.ISSUING and not m.idle_warning()
    clock.advance(0.5)
    assert m.handle(events.Tick()) == [events.WipeSession("issue_timeout")]
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, "issue_timeout")
    m.handle(events.TicketReady(effect.session, TICKET))
    assert m.state.phase is Phase.ERROR and m.state.ticket is None


def test_ticket_screen_times_out_to_done_then_idle(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    effect = to_issuing(m)
    m.handle(events.TicketReady(effect.session, TICKET))
    clock.advance(T.ticket_display)
    assert m.handle(events.Tick()) == [events.WipeSession("finished")]
    assert m.state.phase is Phase.DONE
    clock.advance(T.done_display)
    m.handle(events.Tick())
    assert m.state.phase is Phase.IDLE


def test_error_screen_times_out_to_idle(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardReadFailed(read.session, "malformed"))
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, "malformed")
    clock.advance(T.error_display)
    m.handle(events.Tick())
    assert m.state.phase is Phase.IDLE


# --- errors and races -----------------------------------------------------------
def test_issue_failure_is_an_error_and_wipes(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    effect = to_issuing(m)
    assert m.handle(events.IssueFailed(effect.session, "store_failed")) == [
        events.WipeSession("store_failed")
    ]
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, "store_failed")
    assert m.state.identity is None and not m.state.values


def test_tap_on_error_screen_retries(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardReadFailed(read.session, "removed_during_read"))
    [again] = m.handle(events.CardTapped("r0"))
    assert again == events.ReadCard(session=2, reader="r0")
    assert m.state.phase is Phase.READING


def test_tap_during_a_session_is_ignored(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_form(m)
    assert m.handle(events.CardTapped("r0")) == []
    assert m.state.phase is Phase.FORM and m.state.identity is SITI


def test_tap_on_done_screen_starts_next_citizen_wiped(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    effect = to_issuing(m)
    m.handle(events.TicketReady(effect.session, TICKET))
    m.handle(events.Finish())
    assert m.handle(events.CardTapped("r0")) == [events.ReadCard(session=2, reader="r0")]


def test_a_stale_read_from_an_earlier_session_is_dropped(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    [first] = m.handle(events.CardTapped("r0"))
    assert isinstance(first, events.ReadCard)
    m.handle(events.CardReadFailed(first.session, "removed_during_read"))
    [second] = m.handle(events.CardTapped("r0"))
    assert isinstance(second, events.ReadCard)
    m.handle(events.CardRead(first.session, SITI))
    assert m.state.phase is Phase.READING
    m.handle(events.CardRead(second.session, UID_ONLY))
    assert m.state.identity is UID_ONLY


def test_card_left_during_read_waits_for_the_read(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    [read] = m.handle(events.CardTapped("r0"))
    m.handle(events.CardLeft("r0"))  # contactless: the citizen lifts the card at once
    assert m.state.phase is Phase.READING
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI))
    assert m.state.phase is Phase.IDENTIFIED


def test_card_left_ends_the_session_when_configured(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock, end_on_card_removal=True)
    to_form(m)
    assert m.handle(events.CardLeft("r0")) == [events.WipeSession("card_removed")]
    assert m.state.phase is Phase.IDLE


def test_card_left_is_ignored_by_default(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_form(m)
    assert m.handle(events.CardLeft("r0")) == []
    assert m.state.phase is Phase.FORM


def test_listeners_see_each_change_once(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    seen: list[Phase] = []
    m.subscribe(lambda s: seen.append(s.phase))
    to_identified(m)
    m.handle(events.Back())  # no change in IDENTIFIED
    assert seen == [Phase.READING, Phase.IDENTIFIED]


def test_state_repr_hides_personal_data(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_form(m)
    text = repr(m.state) + repr(m.state.identity) + repr(m.state.values)
    assert "Siti" not in text and "1471015203850001" not in text


def test_a_listener_that_fails_never_costs_the_step_its_work(
    catalog: Catalog, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A screen that cannot be shown for a phase: the ticket is still asked for."""
    m = make(catalog, clock)
    shown: list[Phase] = []

    def broken_screen(state: SessionState) -> None:
        raise RuntimeError(f"cannot show {state.phase.value}")

    m.subscribe(broken_screen)
    m.subscribe(lambda state: shown.append(state.phase))  # the listener after it
    effect = to_issuing(m)
    assert isinstance(effect, events.IssueTicket) and m.state.phase is Phase.ISSUING
    assert shown[-1] is Phase.ISSUING, "later listeners still hear of it"
    assert "cannot show issuing" in caplog.text


@pytest.mark.parametrize("module", [events, kiosk_config], ids=lambda m: m.__name__)
def test_every_dataclass_of_the_start_says_what_it_is(module: ModuleType) -> None:
    """A dataclass without a docstring has one made from ``inspect.signature`` when its
    module is imported: some 0.3 ms a class of the kiosk's start, for a text nobody reads."""
    bare = [
        name
        for name, value in vars(module).items()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and value.__module__ == module.__name__
        and (value.__doc__ or "").startswith(f"{name}(")
    ]
    assert bare == []


# --- the number before the paper, the greeting before the record -------------------
PRINTING = dataclasses.replace(TICKET, printed=False, printing=True)


def test_the_ticket_is_shown_while_printing_then_with_the_prints_outcome(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    effect = to_issuing(m)
    m.handle(events.TicketReady(effect.session, PRINTING))
    assert (m.state.phase, m.state.ticket) == (Phase.TICKET_ISSUED, PRINTING)
    deadline = m.state.deadline
    clock.advance(1)
    out_of_paper = dataclasses.replace(TICKET, printed=False, print_fault="out_of_paper")
    m.handle(events.TicketReady(effect.session, out_of_paper))
    assert (m.state.phase, m.state.ticket) == (Phase.TICKET_ISSUED, out_of_paper)
    assert m.state.deadline == deadline, "the ticket's time on screen runs from its number"
    m.handle(events.TicketReady(effect.session, TICKET))  # an outcome is given once
    assert m.state.ticket == out_of_paper


def test_a_failure_after_the_number_was_shown_keeps_the_number(
    catalog: Catalog, clock: ManualClock
) -> None:
    """The ticket is kept and its number shown: a failure recording the print does not
    take it away; the screen says to photograph it, the paper's fate unknown."""
    m = make(catalog, clock)
    effect = to_issuing(m)
    m.handle(events.TicketReady(effect.session, PRINTING))
    assert m.handle(events.IssueFailed(effect.session, "store_failed")) == []
    number_kept_without_paper(m, "store_failed")


def test_a_print_outcome_for_an_ended_session_changes_nothing(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    effect = to_issuing(m)
    m.handle(events.TicketReady(effect.session, PRINTING))
    m.handle(events.Finish())  # not while it prints: its outcome is the session's
    assert (m.state.phase, m.state.ticket) == (Phase.TICKET_ISSUED, PRINTING)
    clock.advance(T.issuing)  # the printer hangs: the number with its notice, then done
    m.handle(events.Tick())
    clock.advance(T.ticket_display)
    m.handle(events.Tick())
    assert m.state.phase is Phase.DONE
    m.handle(events.TicketReady(effect.session, TICKET))
    assert m.state.phase is Phase.DONE and m.state.ticket is None


RECORD = {"phone": "081378901234"}


def _greeted_before_the_record(m: SessionMachine) -> int:
    [effect] = m.handle(events.CardTapped("r0"))
    assert isinstance(effect, events.ReadCard)
    m.handle(events.CardRead(effect.session, SITI, record_to_come=True))
    assert m.state.phase is Phase.IDENTIFIED and m.state.record_pending
    return effect.session


def test_a_service_chosen_before_the_record_came_is_filled_once_it_comes(
    catalog: Catalog, clock: ManualClock
) -> None:
    """The service's page shows nothing the record fills: it opens at once; its form
    waits for the record, and opens pre-filled from it."""
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    assert m.state.phase is Phase.SERVICE_CHOSEN and "phone" not in m.state.values
    m.handle(events.FormOpened())
    assert m.state.phase is Phase.SERVICE_CHOSEN, "the form waits for the record"
    m.handle(events.RecordFound(session, RECORD))
    assert m.state.phase is Phase.FORM and not m.state.record_pending
    assert m.state.values["phone"].source is Source.RECORD
    assert m.state.values["nik"].source is Source.CARD


def test_a_tap_waiting_for_the_record_is_shown_until_it_is_taken_or_left(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    assert not m.state.tap_waiting
    m.handle(events.FormOpened())
    assert m.state.tap_waiting and m.state.phase is Phase.SERVICE_CHOSEN
    m.handle(events.RecordFound(session, RECORD))
    assert m.state.phase is Phase.FORM and not m.state.tap_waiting

    m = make(catalog, clock)
    _greeted_before_the_record(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.FormOpened())
    m.handle(events.Back())  # moved on: the tap is dropped, and so is its notice
    assert m.state.phase is Phase.IDENTIFIED and not m.state.tap_waiting


def test_a_record_coming_before_the_form_is_opened_fills_it(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.RecordFound(session, RECORD))
    assert m.state.phase is Phase.SERVICE_CHOSEN
    assert m.state.values["phone"].value == RECORD["phone"]
    m.handle(events.FormOpened())
    assert m.state.phase is Phase.FORM and m.state.values["phone"].source is Source.RECORD


def test_a_complaint_opened_before_the_record_came_offers_its_number(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    m.handle(events.ComplaintOpened())
    assert m.state.phase is Phase.IDENTIFIED
    m.handle(events.RecordFound(session, RECORD))
    assert m.state.phase is Phase.COMPLAINT
    m.handle(events.ComplaintSubmitted("antrean", "Lama sekali."))
    assert m.state.phase is Phase.CONSENT and m.state.notify_phone == RECORD["phone"]


def test_a_record_with_nothing_waiting_changes_only_the_record(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    assert m.handle(events.RecordFound(session, None)) == []
    assert (m.state.phase, m.state.record, m.state.record_pending) == (
        Phase.IDENTIFIED,
        None,
        False,
    )
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.FormOpened())
    assert m.state.phase is Phase.FORM, "nothing waits once the record's answer is in"
    m.handle(events.RecordFound(session, RECORD))  # a second answer is not taken
    assert m.state.record is None and "phone" not in m.state.values


def test_the_ticket_screen_waits_for_a_print_slower_than_its_time(
    catalog: Catalog, clock: ManualClock
) -> None:
    """A print still going when the ticket's time on screen is up (a slow printer,
    within its job timeout): the screen waits for the outcome, and a notice that then
    comes (no paper: photograph the number) is shown for the ticket's time in full."""
    m = make(catalog, clock)
    effect = to_issuing(m)
    clock.advance(2)
    m.handle(events.TicketReady(effect.session, PRINTING))
    clock.advance(T.ticket_display + 1)
    assert m.handle(events.Tick()) == []
    assert (m.state.phase, m.state.ticket) == (Phase.TICKET_ISSUED, PRINTING)
    clock.advance(2)
    out_of_paper = dataclasses.replace(TICKET, printed=False, print_fault="out_of_paper")
    m.handle(events.TicketReady(effect.session, out_of_paper))
    assert (m.state.phase, m.state.ticket) == (Phase.TICKET_ISSUED, out_of_paper)
    assert m.seconds_left() == T.ticket_display
    clock.advance(T.ticket_display)
    assert m.handle(events.Tick()) == [events.WipeSession("finished")]
    assert m.state.phase is Phase.DONE


def test_a_printer_that_never_answers_leaves_the_number_with_its_notice(
    catalog: Catalog, clock: ManualClock
) -> None:
    """Past the issuing deadline the print's outcome is given up on: the number stays,
    with the "photograph this screen" notice, for the ticket's time; a late outcome
    changes nothing."""
    m = make(catalog, clock)
    effect = to_issuing(m)
    m.handle(events.TicketReady(effect.session, PRINTING))
    clock.advance(T.ticket_display)
    m.handle(events.Tick())
    assert m.state.phase is Phase.TICKET_ISSUED
    clock.advance(T.issuing - T.ticket_display)
    assert m.handle(events.Tick()) == []
    ticket = number_kept_without_paper(m, "issue_timeout")
    assert m.seconds_left() == T.ticket_display
    m.handle(events.TicketReady(effect.session, TICKET))
    assert m.state.ticket == ticket
    clock.advance(T.ticket_display)
    m.handle(events.Tick())
    assert m.state.phase is Phase.DONE


def test_a_tap_that_waited_for_the_record_is_not_taken_once_the_citizen_moved_on(
    catalog: Catalog, clock: ManualClock
) -> None:
    """The "Lanjut" tapped while the record was asked, then "Kembali" and another service:
    the record's answer does not open the other service's form (nobody asked), nor a
    complaint opened and left meanwhile."""
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.FormOpened())  # waits for the record
    assert m.state.phase is Phase.SERVICE_CHOSEN
    m.handle(events.Back())
    m.handle(events.ServiceSelected("status-berkas"))
    assert m.state.phase is Phase.SERVICE_CHOSEN
    m.handle(events.RecordFound(session, RECORD))
    assert m.state.service is not None and m.state.service.id == "status-berkas"
    assert m.state.phase is Phase.SERVICE_CHOSEN, "a form opened that nobody asked for"
    m.handle(events.FormOpened())
    assert m.state.phase is Phase.FORM  # the record is in: a tap now is taken at once


def test_a_complaint_tapped_before_the_record_is_not_opened_after_the_citizen_left_it(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    m.handle(events.ComplaintOpened())  # waits for the record
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.Back())
    assert m.state.phase is Phase.IDENTIFIED
    m.handle(events.RecordFound(session, RECORD))
    assert m.state.phase is Phase.IDENTIFIED


def test_a_record_that_never_comes_does_not_keep_a_tap_waiting(
    catalog: Catalog, clock: ManualClock
) -> None:
    """The worker asking for the record is stuck (past the lookup's own deadline): by
    the read's timeout from the greeting the tap that waited is taken with the card
    alone, and a record that comes after changes nothing the citizen may be typing."""
    m = make(catalog, clock)
    session = _greeted_before_the_record(m)
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.FormOpened())  # waits for the record
    clock.advance(T.read - 0.5)
    m.handle(events.UserActivity())  # the citizen taps again and again meanwhile
    assert m.state.phase is Phase.SERVICE_CHOSEN
    clock.advance(0.5)
    m.handle(events.Tick())
    assert m.state.phase is Phase.FORM and not m.state.record_pending
    assert m.state.record is None and "phone" not in m.state.values
    assert m.state.values["nik"].source is Source.CARD
    m.handle(events.RecordFound(session, RECORD))
    assert m.state.record is None and "phone" not in m.state.values
