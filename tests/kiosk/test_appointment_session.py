"""Appointments in the session machine: a card's booking shown first, one tap to check
in, the code keypad with its check digit and its five tries, and every booking that
cannot be checked in told where the citizen stands."""

from __future__ import annotations

import datetime as dt

import pytest

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.demo_cards import demo_card
from contract.assurance import Assurance
from contract.bookings import BookingState
from contract.catalog import Catalog
from kiosk.errors import SessionProblem
from kiosk.session import events
from kiosk.session.machine import (
    KIOSK_CODE_LIMIT,
    KIOSK_CODE_LOCK_S,
    KIOSK_CODE_WINDOW_S,
    MAX_CODE_ATTEMPTS,
    Phase,
    SessionMachine,
    Timeouts,
)
from kiosk.speech import Line, screen_script
from testkit.clocks import ManualClock
from testkit.todays_bookings import booking, code, with_state

CLAIMS = demo_card("siti").claims
assert CLAIMS is not None
SITI = CardIdentity(
    uid=b"\x04\xa1", citizen=Citizen.from_claims(CLAIMS), assurance=Assurance.SIGNED
)
TODAY = dt.date(2026, 12, 5)
BOOKED = booking(TODAY)
T = Timeouts()


def make(catalog: Catalog, clock: ManualClock) -> SessionMachine:
    return SessionMachine(lambda: catalog, clock, T)


def tap(m: SessionMachine, *bookings: object) -> None:
    [effect] = m.handle(events.CardTapped("r0"))
    assert isinstance(effect, events.ReadCard)
    m.handle(events.CardRead(effect.session, SITI, bookings=tuple(bookings)))  # type: ignore[arg-type]


def test_a_card_with_a_booking_of_today_sees_it_first(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    tap(m, BOOKED)
    assert m.state.phase is Phase.APPOINTMENT and m.state.booking == BOOKED
    assert m.state.personal


def test_one_tap_checks_in_with_the_code_and_the_card_s_values(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    tap(m, BOOKED)
    [effect] = m.handle(events.CheckInChosen())
    assert isinstance(effect, events.IssueTicket)
    assert (effect.service_id, effect.booking_code) == (BOOKED.service_id, BOOKED.code)
    assert BOOKED.code not in repr(effect) and BOOKED.code not in str(effect)  # a bearer secret
    assert effect.identity is SITI and effect.values["nik"] == SITI.citizen.nik  # type: ignore[union-attr]
    assert m.state.phase is Phase.ISSUING


def test_other_services_goes_to_the_grid_and_a_ticket_there_checks_nothing_in(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    tap(m, BOOKED)
    m.handle(events.OtherServices())
    assert m.state.phase is Phase.IDENTIFIED and m.state.problem is None
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.FormOpened())
    m.handle(events.FormSubmitted({"phone": "081234567890", "complaint": "batuk"}))
    assert m.handle(events.Confirmed()) == []  # a walk-in ticket: the question comes first
    assert m.state.phase is Phase.CONSENT
    [effect] = m.handle(events.NotifyAnswered(m.state.session, False))
    assert isinstance(effect, events.IssueTicket) and effect.booking_code is None


def test_a_card_without_bookings_goes_to_the_grid(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    tap(m)
    assert m.state.phase is Phase.IDENTIFIED and m.state.booking is None


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        (BookingState.CHECKED_IN, SessionProblem.BOOKING_USED),
        (BookingState.CANCELLED, SessionProblem.BOOKING_CANCELLED),
        (BookingState.NO_SHOW, SessionProblem.BOOKING_MISSED),
    ],
)
def test_a_card_s_booking_that_cannot_be_used_is_told_above_the_grid(
    catalog: Catalog, clock: ManualClock, state: BookingState, problem: SessionProblem
) -> None:
    m = make(catalog, clock)
    tap(m, with_state(BOOKED, state))
    assert (m.state.phase, m.state.problem) == (Phase.IDENTIFIED, problem)


def test_a_booked_one_comes_before_a_used_one(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    later = booking(TODAY, body="12345678", starts="14:00")
    tap(m, with_state(BOOKED, BookingState.CHECKED_IN), later)
    assert m.state.phase is Phase.APPOINTMENT and m.state.booking == later


def test_a_booking_whose_service_is_gone_is_told(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    tap(m, booking(TODAY, service_id="no-longer-offered"))
    assert (m.state.phase, m.state.problem) == (
        Phase.IDENTIFIED,
        SessionProblem.BOOKING_SERVICE_GONE,
    )


def test_a_booking_whose_service_is_gone_does_not_hide_a_later_good_one(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    gone = booking(TODAY, body="11111111", starts="09:00", service_id="no-longer-offered")
    later = booking(TODAY, body="22222222", starts="11:00")
    tap(m, gone, later)
    assert (m.state.phase, m.state.booking, m.state.problem) == (Phase.APPOINTMENT, later, None)


def test_the_service_of_a_booking_chosen_from_the_grid_checks_that_booking_in(
    catalog: Catalog, clock: ManualClock
) -> None:
    """'Layanan lain', then the very service of a booking of today (the one shown, or
    another of the holder's): the ticket checks that booking in, it is no walk-in."""
    other = booking(TODAY, body="33333333", starts="13:00", service_id="kk-perubahan")
    for chosen, values, booked in [
        (BOOKED.service_id, {"phone": "081234567890", "reason": "Rusak"}, BOOKED),
        ("kk-perubahan", {"phone": "081234567890"}, other),
    ]:
        m = make(catalog, clock)
        tap(m, BOOKED, other)
        m.handle(events.OtherServices())
        m.handle(events.ServiceSelected(chosen))
        m.handle(events.FormOpened())
        m.handle(events.FormSubmitted(values))
        assert m.state.phase is Phase.CONFIRMING, m.state.field_errors
        m.handle(events.Confirmed())
        [effect] = m.handle(events.NotifyAnswered(m.state.session, False))
        assert isinstance(effect, events.IssueTicket)
        assert (effect.service_id, effect.booking_code) == (chosen, booked.code)
        assert "reason" not in effect.values or effect.values["reason"] == "Rusak"


def code_session(m: SessionMachine) -> None:
    m.handle(events.BookingCodeOpened())
    assert m.state.phase is Phase.BOOKING_CODE and m.state.personal


def booked_code_typed(m: SessionMachine) -> events.FindBooking:
    """A code session in which the code of :data:`BOOKED` is typed: its one lookup."""
    code_session(m)
    [find] = m.handle(events.BookingCodeEntered(BOOKED.code))
    assert isinstance(find, events.FindBooking)
    return find


def test_a_typed_code_is_looked_up_and_checked_in_without_a_card(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    find = booked_code_typed(m)
    assert find == events.FindBooking(m.state.session, BOOKED.code, asked=m.state.asked)
    checking = m.state.phase
    m.handle(
        events.BookingFound(find.session, events.BookingLookup.TODAY, BOOKED, asked=find.asked)
    )
    assert (checking, m.state.phase) == (Phase.BOOKING_CHECK, Phase.APPOINTMENT)
    [issue] = m.handle(events.CheckInChosen())
    assert isinstance(issue, events.IssueTicket)
    assert (issue.identity, issue.values, issue.booking_code) == (None, {}, BOOKED.code)


def test_a_wrong_check_digit_asks_nothing_and_five_wrong_codes_send_to_the_counter(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    code_session(m)
    wrong = BOOKED.code[:-1] + str((int(BOOKED.code[-1]) + 1) % 10)
    for _ in range(MAX_CODE_ATTEMPTS - 2):
        assert m.handle(events.BookingCodeEntered(wrong)) == []
        assert m.state.problem is SessionProblem.BOOKING_CODE_INVALID
    assert m.handle(events.BookingCodeEntered("12")) == []  # too short: wrong too
    assert m.state.code_attempts == MAX_CODE_ATTEMPTS - 1
    [find] = m.handle(events.BookingCodeEntered(code("99999999")))
    assert isinstance(find, events.FindBooking)
    effects = m.handle(
        events.BookingFound(find.session, events.BookingLookup.UNKNOWN, asked=find.asked)
    )
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.BOOKING_CODE_LOCKED)
    assert any(isinstance(e, events.WipeSession) for e in effects)


def test_wrong_codes_across_sessions_lock_the_kiosk_s_keypad_for_a_while(
    catalog: Catalog, clock: ManualClock
) -> None:
    """Five a session, but a new session does not start the count again: ten wrong
    codes within ten minutes at one kiosk lock its code keypad for five minutes."""
    m = make(catalog, clock)
    wrong = BOOKED.code[:-1] + str((int(BOOKED.code[-1]) + 1) % 10)
    typed = 0
    for _ in range(2):
        code_session(m)
        for _ in range(MAX_CODE_ATTEMPTS - 1):  # each session stops short of its own lock
            m.handle(events.BookingCodeEntered(wrong))
            typed += 1
        assert m.state.phase is Phase.BOOKING_CODE
        m.handle(events.Cancel())
        clock.advance(60)
    code_session(m)
    while m.state.phase is Phase.BOOKING_CODE:
        m.handle(events.BookingCodeEntered(wrong))
        typed += 1
    assert typed == KIOSK_CODE_LIMIT and m.state.code_attempts < MAX_CODE_ATTEMPTS - 1
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.BOOKING_CODE_LOCKED)
    m.handle(events.Finish())
    m.handle(events.BookingCodeOpened())  # the next citizen: still locked, sent to the desk
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.BOOKING_CODE_LOCKED)
    m.handle(events.Finish())
    clock.advance(KIOSK_CODE_LOCK_S)
    code_session(m)  # the lock is over, and the count starts anew
    m.handle(events.BookingCodeEntered(wrong))
    assert (m.state.phase, m.state.problem) == (
        Phase.BOOKING_CODE,
        SessionProblem.BOOKING_CODE_INVALID,
    )


def test_wrong_codes_spread_over_more_than_the_window_do_not_lock(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    wrong = BOOKED.code[:-1] + str((int(BOOKED.code[-1]) + 1) % 10)
    for _ in range(3 * KIOSK_CODE_LIMIT):
        code_session(m)
        m.handle(events.BookingCodeEntered(wrong))
        assert m.state.problem is SessionProblem.BOOKING_CODE_INVALID
        m.handle(events.Cancel())
        clock.advance(KIOSK_CODE_WINDOW_S / (KIOSK_CODE_LIMIT - 1) + 1)


def test_answers_that_reveal_bookings_elsewhere_count_for_the_kiosk(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    code_session(m)
    for i in range(KIOSK_CODE_LIMIT):
        assert m.state.phase is Phase.BOOKING_CODE
        other = booking(TODAY + dt.timedelta(days=3), body=f"4444{i:04d}")
        [find] = m.handle(events.BookingCodeEntered(other.code))
        assert isinstance(find, events.FindBooking)
        m.handle(
            events.BookingFound(
                find.session, events.BookingLookup.OTHER_DAY, other, asked=find.asked
            )
        )
    assert m.state.code_attempts == 0  # not the citizen's slip
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.BOOKING_CODE_LOCKED)


@pytest.mark.parametrize(
    ("lookup", "problem"),
    [
        (events.BookingLookup.OTHER_DAY, SessionProblem.BOOKING_OTHER_DAY),
        (events.BookingLookup.OTHER_OFFICE, SessionProblem.BOOKING_OTHER_OFFICE),
    ],
)
def test_a_booking_elsewhere_is_told_on_the_keypad_and_not_counted(
    catalog: Catalog, clock: ManualClock, lookup: events.BookingLookup, problem: SessionProblem
) -> None:
    m = make(catalog, clock)
    find = booked_code_typed(m)
    m.handle(events.BookingFound(find.session, lookup, BOOKED, asked=find.asked))
    assert (m.state.phase, m.state.problem, m.state.booking) == (
        Phase.BOOKING_CODE,
        problem,
        BOOKED,
    )
    assert m.state.code_attempts == 0


def test_a_used_code_is_told_on_the_keypad(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    find = booked_code_typed(m)
    used = with_state(BOOKED, BookingState.CHECKED_IN)
    m.handle(events.BookingFound(find.session, events.BookingLookup.TODAY, used, asked=find.asked))
    assert (m.state.phase, m.state.problem) == (Phase.BOOKING_CODE, SessionProblem.BOOKING_USED)


def test_a_slow_lookup_says_it_cannot_check_now(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    find = booked_code_typed(m)
    clock.advance(T.read + 0.1)
    m.handle(events.Tick())
    assert (m.state.phase, m.state.problem) == (
        Phase.BOOKING_CODE,
        SessionProblem.BOOKING_UNAVAILABLE,
    )
    m.handle(
        events.BookingFound(find.session, events.BookingLookup.TODAY, BOOKED, asked=find.asked)
    )  # too late
    assert m.state.phase is Phase.BOOKING_CODE


def test_a_late_answer_to_an_earlier_code_is_never_taken_for_the_next(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    first = booked_code_typed(m)
    clock.advance(T.read + 0.1)
    m.handle(events.Tick())  # the centre is slow: back to the keypad, same session
    other = booking(TODAY, body="55555555", starts="13:00")
    [second] = m.handle(events.BookingCodeEntered(other.code))
    assert isinstance(second, events.FindBooking)
    assert first.session == second.session and first.asked != second.asked

    late = events.BookingFound(first.session, events.BookingLookup.TODAY, BOOKED, asked=first.asked)
    m.handle(late)  # the first code's booking (a name, a NIK) for whoever typed the second
    assert (m.state.phase, m.state.booking) == (Phase.BOOKING_CHECK, None)
    m.handle(
        events.BookingFound(first.session, events.BookingLookup.UNKNOWN, asked=first.asked)
    )  # nor is a late "unknown" counted against the code asked now
    assert (m.state.phase, m.state.code_attempts) == (Phase.BOOKING_CHECK, 0)

    m.handle(
        events.BookingFound(second.session, events.BookingLookup.TODAY, other, asked=second.asked)
    )
    assert (m.state.phase, m.state.booking) == (Phase.APPOINTMENT, other)


def test_back_from_the_keypad_ends_the_session_and_wipes(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    code_session(m)
    effects = m.handle(events.Back())
    assert m.state.phase is Phase.IDLE and not m.state.personal
    assert any(isinstance(e, events.WipeSession) for e in effects)


def test_a_uid_card_proven_by_the_birth_date_sees_its_holder_s_booking(
    catalog: Catalog, clock: ManualClock
) -> None:
    uid_only = CardIdentity(uid=b"\x08\xc0", citizen=None, assurance=Assurance.UNVERIFIED)
    m = make(catalog, clock)
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, uid_only, can_prove=True, bookings=(BOOKED,)))
    assert m.state.phase is Phase.PROVING  # nothing shown before the holder is proven
    [prove] = m.handle(events.BirthDateEntered("12031985"))
    assert isinstance(prove, events.ProveBirthDate)
    proven = CardIdentity(uid=b"\x08\xc0", citizen=SITI.citizen, assurance=Assurance.UNVERIFIED)
    m.handle(
        events.BirthDateChecked(
            prove.session, events.ProofOutcome.MATCHED, proven, None, bookings=(BOOKED,)
        )
    )
    assert (m.state.phase, m.state.booking) == (Phase.APPOINTMENT, BOOKED)


def test_the_appointment_holds_its_service_and_the_grid_does_not(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    tap(m, BOOKED)
    assert m.state.service is not None and m.state.service.id == BOOKED.service_id
    m.handle(events.OtherServices())
    assert m.state.service is None


def test_the_appointment_and_the_keypad_say_what_they_are(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    tap(m, BOOKED)
    said = screen_script(m.state, "id")
    assert said == (  # as the screen shows it: the time and the service, then the day
        Line("appointment_title", personal=True),
        Line("appointment_when", personal=True),
        Line("appointment_hint"),
    )
    m.handle(events.Cancel())
    m.handle(events.BookingCodeOpened())
    assert screen_script(m.state, "en") == (Line("booking_code_title"), Line("booking_code_hint"))
