"""A hospital's poli in the session machine: the doctors of today, JKN or umum, the
pre-filled form, the ticket's hospital request; a doctor found full at the centre;
and a patient without a card found by number and date of birth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.demo_cards import demo_card
from contract.assurance import Assurance
from contract.bookings import BookingState, BookingToday
from contract.hospital import DoctorToday, Payer
from kiosk.errors import SessionProblem
from kiosk.session import events
from kiosk.session.events import PatientKey, SessionEnd
from kiosk.session.machine import IDLE_TIMED, Phase, SessionMachine, Timeouts
from kiosk.speech import Line, screen_script
from testkit.clocks import ManualClock
from testkit.hospital_kiosk import POLI, doctor, poli_catalog

CLAIMS = demo_card("siti").claims
assert CLAIMS is not None
SITI = CardIdentity(
    uid=b"\x04\xa1",
    citizen=Citizen.from_claims({**CLAIMS, "bpjs_number": "0001234567890"}),
    assurance=Assurance.SIGNED,
)
RECORD = {"medical_record_number": "000123", "phone": "081234567890"}
T = Timeouts()
ANI = doctor()
BUDI = doctor("s-budi", "dr. Budi Santoso", left_jkn=0, left_non_jkn=0)
RINA = doctor("s-rina", "dr. Rina", left_jkn=0, left_non_jkn=2, starts="13:00", ends="15:00")


class Doctors:
    """Today's doctors as the store's cache would answer, changeable by a test."""

    def __init__(self, *doctors: DoctorToday) -> None:
        self.doctors = doctors
        self.asked: list[str] = []

    def __call__(self, service_id: str) -> tuple[DoctorToday, ...]:
        self.asked.append(service_id)
        return tuple(d for d in self.doctors if d.service_id == service_id)


def make(clock: ManualClock, doctors: Doctors) -> SessionMachine:
    catalog = poli_catalog()
    return SessionMachine(lambda: catalog, clock, T, doctors=doctors)


def _phase(m: SessionMachine) -> Phase:
    """The phase now (a call: the type checker keeps no narrowing across steps)."""
    return m.state.phase


def tap(m: SessionMachine) -> None:
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI, RECORD))


def to_form(m: SessionMachine, payer: Payer = Payer.JKN) -> None:
    tap(m)
    m.handle(events.ServiceSelected(POLI))
    m.handle(events.DoctorChosen(ANI.schedule_id))
    m.handle(events.PayerChosen(payer))


def to_issuing(m: SessionMachine) -> None:
    """To the form with dr. Ani and JKN, filled, confirmed, no messages: issuing."""
    to_form(m)
    m.handle(events.FormSubmitted({"phone": "081234567890"}))
    m.handle(events.Confirmed())
    m.handle(events.NotifyAnswered(m.state.session, False))


def test_a_poli_shows_its_doctors_of_today_then_the_payer_then_the_filled_form(
    clock: ManualClock,
) -> None:
    m = make(clock, Doctors(ANI, BUDI, RINA, doctor("s-x", service_id="puskesmas-umum")))
    tap(m)
    m.handle(events.ServiceSelected(POLI))
    assert m.state.phase is Phase.DOCTOR and m.state.problem is None
    assert m.state.doctors == (ANI, BUDI, RINA)  # the poli's, not another service's
    m.handle(events.DoctorChosen(ANI.schedule_id))
    assert (m.state.phase, m.state.doctor) == (Phase.PAYER, ANI)
    m.handle(events.PayerChosen(Payer.JKN))
    assert (m.state.phase, m.state.payer) == (Phase.FORM, Payer.JKN)
    values = {name: v.value for name, v in m.state.values.items()}
    assert values["norm"] == "000123"  # from the record
    assert values["nomorkartu"] == "0001234567890"  # from the card
    assert values["nik"] == SITI.citizen.nik  # type: ignore[union-attr]


def test_the_ticket_carries_the_doctor_and_the_hospital_request(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    to_form(m)
    m.handle(events.FormSubmitted({"phone": "081234567890"}))
    assert m.state.phase is Phase.CONFIRMING
    m.handle(events.Confirmed())
    [issue] = m.handle(events.NotifyAnswered(m.state.session, False))
    assert isinstance(issue, events.IssueTicket)
    assert issue.service_id == POLI and issue.doctor == ANI
    request = issue.hospital
    assert request is not None
    assert (request.schedule_id, request.payer) == (ANI.schedule_id, Payer.JKN)
    assert (request.norm, request.nomorkartu, request.new_patient) == (
        "000123",
        "0001234567890",
        False,
    )
    assert "000123" not in repr(issue) and "0001234567890" not in repr(issue)


def test_a_patient_without_a_no_rm_is_a_new_patient(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI, {"phone": "081234567890"}))
    m.handle(events.ServiceSelected(POLI))
    m.handle(events.DoctorChosen(ANI.schedule_id))
    m.handle(events.PayerChosen(Payer.UMUM))
    m.handle(events.FormSubmitted({}))
    m.handle(events.Confirmed())
    [issue] = m.handle(events.NotifyAnswered(m.state.session, False))
    assert isinstance(issue, events.IssueTicket) and issue.hospital is not None
    assert issue.hospital.new_patient and issue.hospital.norm == ""
    assert issue.hospital.payer is Payer.UMUM


def test_a_full_doctor_cannot_be_chosen_nor_a_full_payer(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI, BUDI, RINA))
    tap(m)
    m.handle(events.ServiceSelected(POLI))
    m.handle(events.DoctorChosen(BUDI.schedule_id))
    assert (m.state.phase, m.state.problem) == (Phase.DOCTOR, SessionProblem.QUOTA_FULL)
    m.handle(events.DoctorChosen(RINA.schedule_id))  # places for umum only
    assert m.state.phase is Phase.PAYER
    m.handle(events.PayerChosen(Payer.JKN))
    assert (m.state.phase, m.state.problem) == (Phase.PAYER, SessionProblem.QUOTA_FULL)
    m.handle(events.PayerChosen(Payer.UMUM))
    assert m.state.phase is Phase.FORM


def test_a_poli_with_no_doctor_today_says_so(clock: ManualClock) -> None:
    m = make(clock, Doctors())
    tap(m)
    m.handle(events.ServiceSelected(POLI))
    assert (m.state.phase, m.state.problem) == (Phase.DOCTOR, SessionProblem.NO_DOCTORS)
    m.handle(events.Back())
    assert m.state.phase is Phase.IDENTIFIED and m.state.service is None


def test_quota_full_at_the_centre_goes_back_to_the_doctors_counted_again(
    clock: ManualClock,
) -> None:
    doctors = Doctors(ANI, RINA)
    m = make(clock, doctors)
    to_issuing(m)
    assert m.state.phase is Phase.ISSUING
    doctors.doctors = (doctor(left_jkn=1), RINA)  # the cache not yet told of the last place
    m.handle(events.IssueFailed(m.state.session, SessionProblem.QUOTA_FULL))
    assert (m.state.phase, m.state.problem) == (Phase.DOCTOR, SessionProblem.QUOTA_FULL)
    ani = next(d for d in m.state.doctors if d.schedule_id == ANI.schedule_id)
    assert ani.left_jkn == 0  # the centre's word stands over the cache's
    assert m.state.doctor is None and m.state.payer is None
    assert m.state.identity is SITI  # the citizen chooses again, nothing typed is lost


def test_a_doctor_closed_at_the_centre_goes_back_to_the_doctors_with_them_closed(
    clock: ManualClock,
) -> None:
    doctors = Doctors(ANI, RINA)
    m = make(clock, doctors)
    to_issuing(m)
    assert m.state.phase is Phase.ISSUING
    m.handle(events.IssueFailed(m.state.session, SessionProblem.DOCTOR_CLOSED))
    assert (m.state.phase, m.state.problem) == (Phase.DOCTOR, SessionProblem.DOCTOR_CLOSED)
    ani = next(d for d in m.state.doctors if d.schedule_id == ANI.schedule_id)
    assert ani.closed and ani.left_jkn == ANI.left_jkn  # the centre's word: gone home
    assert m.state.doctor is None and m.state.payer is None
    assert m.state.identity is SITI


def test_a_doctor_the_centre_no_longer_has_today_leaves_the_list(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI, RINA))
    to_issuing(m)
    m.handle(events.IssueFailed(m.state.session, SessionProblem.DOCTOR_UNAVAILABLE))
    assert (m.state.phase, m.state.problem) == (Phase.DOCTOR, SessionProblem.DOCTOR_UNAVAILABLE)
    assert [d.schedule_id for d in m.state.doctors] == [RINA.schedule_id]
    assert m.state.doctor is None and m.state.identity is SITI


@pytest.mark.parametrize(
    "problem",
    [
        SessionProblem.ALREADY_REGISTERED,
        SessionProblem.IDENTITY_CONFLICT,
        SessionProblem.INVALID_PATIENT,
    ],
)
def test_a_patient_the_centre_refused_ends_on_the_message_screen_wiped(
    clock: ManualClock, problem: SessionProblem
) -> None:
    """Choosing another doctor cannot help a patient the centre refused (registered at
    the poli today, keys of different people): the error screen says why and sends them
    to the desk; nothing of theirs is kept."""
    m = make(clock, Doctors(ANI, RINA))
    to_issuing(m)
    effects = m.handle(events.IssueFailed(m.state.session, problem))
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, problem)
    assert any(isinstance(e, events.WipeSession) for e in effects)
    assert m.state.identity is None and m.state.values == {} and m.state.ticket is None


def test_other_issue_failures_still_end_in_the_error_screen(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    to_form(m)
    m.handle(events.FormSubmitted({}))
    m.handle(events.Confirmed())
    m.handle(events.NotifyAnswered(m.state.session, False))
    m.handle(events.IssueFailed(m.state.session, SessionProblem.ISSUE_FAILED))
    assert m.state.phase is Phase.ERROR


def test_back_walks_the_poli_steps_in_reverse(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    to_form(m)
    m.handle(events.Back())
    assert m.state.phase is Phase.PAYER and m.state.payer is None
    m.handle(events.Back())
    assert m.state.phase is Phase.DOCTOR and m.state.doctor is None
    m.handle(events.Back())
    assert m.state.phase is Phase.IDENTIFIED


# --- without a card -------------------------------------------------------------------
def test_a_patient_is_found_by_no_rm_and_date_of_birth(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    m.handle(events.PatientSearchOpened())
    assert m.state.phase is Phase.PATIENT_NUMBER and m.state.personal
    m.handle(events.PatientNumberEntered(PatientKey.NORM, "000123"))
    assert m.state.phase is Phase.PATIENT_BIRTH
    [find] = m.handle(events.BirthDateEntered("12031985"))
    assert isinstance(find, events.FindPatient)
    assert (find.key, find.value, find.birth_date) == (
        PatientKey.NORM,
        "000123",
        dt.date(1985, 3, 12),
    )
    assert "000123" not in repr(find) and "1985" not in repr(find)
    m.handle(events.PatientFound(find.session, SITI, RECORD, asked=find.asked))
    assert (m.state.phase, m.state.identity) == (Phase.IDENTIFIED, SITI)
    assert m.state.patient_number == ""


def test_an_unknown_patient_is_told_and_may_type_again(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    m.handle(events.PatientSearchOpened())
    m.handle(events.PatientNumberEntered(PatientKey.NIK, "1471015003850002"))
    [find] = m.handle(events.BirthDateEntered("12031985"))
    assert isinstance(find, events.FindPatient)
    m.handle(
        events.PatientFound(find.session, problem=SessionProblem.PATIENT_UNKNOWN, asked=find.asked)
    )
    assert (m.state.phase, m.state.problem) == (
        Phase.PATIENT_NUMBER,
        SessionProblem.PATIENT_UNKNOWN,
    )
    assert m.state.identity is None


def _miss(m: SessionMachine, number: str) -> None:
    """Type a No. RM and a date of birth the centre finds no one for."""
    m.handle(events.PatientNumberEntered(PatientKey.NORM, number))
    [find] = m.handle(events.BirthDateEntered("01011990"))
    assert isinstance(find, events.FindPatient)
    m.handle(
        events.PatientFound(find.session, problem=SessionProblem.PATIENT_UNKNOWN, asked=find.asked)
    )


def test_five_patients_not_found_send_the_patient_to_the_counter(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    m.handle(events.PatientSearchOpened())
    for i in range(4):
        _miss(m, f"99990{i}")
        assert (m.state.phase, m.state.patient_attempts) == (Phase.PATIENT_NUMBER, i + 1)
    _miss(m, "999904")
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.PATIENT_LOCKED)
    assert m.state.patient_number == "" and m.state.identity is None


def test_patients_not_found_across_sessions_lock_the_kiosks_patient_keypad(
    clock: ManualClock,
) -> None:
    """A new session does not start the count again: ten misses within ten minutes
    lock the keypad for five, whoever stands at it; then it opens again."""
    m = make(clock, Doctors(ANI))
    for session in range(4):
        m.handle(events.PatientSearchOpened())
        _miss(m, f"9998{session}0")
        _miss(m, f"9998{session}1")
        assert m.state.phase is Phase.PATIENT_NUMBER
        m.handle(events.Cancel())
        assert (m.state.phase, m.state.patient_attempts) == (Phase.IDLE, 0)
    m.handle(events.PatientSearchOpened())
    _miss(m, "999950")
    _miss(m, "999951")  # the kiosk's tenth
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.PATIENT_LOCKED)
    clock.advance(T.error_display + 0.1)
    m.handle(events.Tick())
    assert m.state.phase is Phase.IDLE
    m.handle(events.PatientSearchOpened())
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.PATIENT_LOCKED)
    clock.advance(300.0)
    m.handle(events.Tick())
    m.handle(events.PatientSearchOpened())
    assert (m.state.phase, m.state.problem) == (Phase.PATIENT_NUMBER, None)


def test_a_number_of_the_wrong_length_is_told_before_anything_is_asked(
    clock: ManualClock,
) -> None:
    m = make(clock, Doctors(ANI))
    m.handle(events.PatientSearchOpened())
    assert m.handle(events.PatientNumberEntered(PatientKey.NOMORKARTU, "12345")) == []
    assert (m.state.phase, m.state.problem) == (
        Phase.PATIENT_NUMBER,
        SessionProblem.PATIENT_NUMBER_INVALID,
    )
    m.handle(events.PatientNumberEntered(PatientKey.NOMORKARTU, "0001234567890"))
    assert m.state.phase is Phase.PATIENT_BIRTH
    assert m.handle(events.BirthDateEntered("31021985")) == []  # not a date
    assert m.state.problem is SessionProblem.BIRTH_DATE_INVALID


def test_a_slow_centre_leaves_the_keypad_with_a_notice(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    m.handle(events.PatientSearchOpened())
    m.handle(events.PatientNumberEntered(PatientKey.NORM, "000123"))
    [find] = m.handle(events.BirthDateEntered("12031985"))
    clock.advance(T.read + 0.1)
    m.handle(events.Tick())
    assert (m.state.phase, m.state.problem) == (
        Phase.PATIENT_NUMBER,
        SessionProblem.PATIENT_UNAVAILABLE,
    )
    assert isinstance(find, events.FindPatient)
    m.handle(events.PatientFound(find.session, SITI, RECORD, asked=find.asked))  # too late: dropped
    assert m.state.identity is None


def test_a_late_answer_to_an_earlier_patient_is_never_taken_for_the_next(
    clock: ManualClock,
) -> None:
    m = make(clock, Doctors(ANI))
    m.handle(events.PatientSearchOpened())
    m.handle(events.PatientNumberEntered(PatientKey.NORM, "000123"))
    [first] = m.handle(events.BirthDateEntered("12031985"))
    clock.advance(T.read + 0.1)
    m.handle(events.Tick())  # the centre is slow: back to the keypad, same session
    m.handle(events.PatientNumberEntered(PatientKey.NORM, "000777"))
    [second] = m.handle(events.BirthDateEntered("01011990"))
    assert isinstance(first, events.FindPatient) and isinstance(second, events.FindPatient)
    assert first.session == second.session and first.asked != second.asked

    m.handle(events.PatientFound(first.session, SITI, RECORD, asked=first.asked))
    assert (m.state.phase, m.state.identity) == (Phase.PATIENT_CHECK, None)  # not Siti
    late_miss = events.PatientFound(
        first.session, problem=SessionProblem.PATIENT_UNKNOWN, asked=first.asked
    )
    m.handle(late_miss)  # nor is a late "not found" counted against the number asked now
    assert (m.state.phase, m.state.patient_attempts) == (Phase.PATIENT_CHECK, 0)

    m.handle(events.PatientFound(second.session, SITI, RECORD, asked=second.asked))
    assert (m.state.phase, m.state.identity) == (Phase.IDENTIFIED, SITI)


def _to_doctor(m: SessionMachine) -> None:
    tap(m)
    m.handle(events.ServiceSelected(POLI))


def _to_payer(m: SessionMachine) -> None:
    _to_doctor(m)
    m.handle(events.DoctorChosen(ANI.schedule_id))


def _to_patient_number(m: SessionMachine) -> None:
    m.handle(events.PatientSearchOpened())


def _to_patient_birth(m: SessionMachine) -> None:
    _to_patient_number(m)
    m.handle(events.PatientNumberEntered(PatientKey.NORM, "000123"))


def test_every_hospital_phase_ends_on_the_idle_timeout(clock: ManualClock) -> None:
    reach: dict[Phase, Callable[[SessionMachine], None]] = {
        Phase.DOCTOR: _to_doctor,
        Phase.PAYER: _to_payer,
        Phase.PATIENT_NUMBER: _to_patient_number,
        Phase.PATIENT_BIRTH: _to_patient_birth,
    }
    assert set(reach) <= IDLE_TIMED
    for phase, steps in reach.items():
        m = make(clock, Doctors(ANI))
        steps(m)
        assert m.state.phase is phase
        clock.advance(T.idle + 0.1)
        assert m.handle(events.Tick()) == [events.WipeSession(SessionEnd.IDLE_TIMEOUT)]
        assert m.state.phase is Phase.IDLE and not m.state.personal


def test_the_hospital_screens_are_said_without_the_numbers_typed(clock: ManualClock) -> None:
    m = make(clock, Doctors(ANI))
    _to_payer(m)
    assert [line.key for line in screen_script(m.state, "id") if isinstance(line, Line)] == [
        "payer_title"
    ]
    m = make(clock, Doctors(ANI))
    _to_patient_birth(m)
    said = [line.key for line in screen_script(m.state, "id") if isinstance(line, Line)]
    assert said == ["patient_birth_title", "patient_birth_hint"]
    assert "000123" not in repr(screen_script(m.state, "id"))


def test_a_mobile_jkn_booking_of_the_poli_checks_in_without_a_second_place(
    clock: ManualClock,
) -> None:
    """The booking holds its doctor's place: choosing its poli from the grid asks for
    no doctor, and the ticket carries the booking, not a hospital request."""
    catalog = poli_catalog()
    office_id = catalog.service(POLI).office_id
    booked = BookingToday(
        code="123456782",
        office_id=office_id,
        service_id=POLI,
        day=dt.date(2026, 12, 7),
        starts_at=dt.time(8),
        ends_at=dt.time(12),
        state=BookingState.BOOKED,
        nik=SITI.citizen.nik,  # type: ignore[union-attr]
        card_number=None,
        first_name="Siti",
        doctor="dr. Ani",
        hours="08:00-12:00",
    )
    m = SessionMachine(lambda: catalog, clock, T, doctors=Doctors(ANI))
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI, RECORD, bookings=(booked,)))
    assert _phase(m) is Phase.APPOINTMENT
    m.handle(events.OtherServices())
    m.handle(events.ServiceSelected(POLI))
    assert _phase(m) is Phase.SERVICE_CHOSEN and m.state.doctor is None
    m.handle(events.FormOpened())
    m.handle(events.FormSubmitted({"phone": "081234567890"}))
    m.handle(events.Confirmed())
    [issue] = m.handle(events.NotifyAnswered(m.state.session, False))
    assert isinstance(issue, events.IssueTicket)
    assert issue.booking == booked and issue.hospital is None and issue.doctor is None


def test_a_doctor_whose_hours_are_over_cannot_be_chosen(clock: ManualClock) -> None:
    closed = doctor("s-closed", "dr. Selesai", closed=True)
    m = make(clock, Doctors(ANI, closed))
    tap(m)
    m.handle(events.ServiceSelected(POLI))
    m.handle(events.DoctorChosen(closed.schedule_id))
    phase, problem = m.state.phase, m.state.problem
    assert (phase, problem) == (Phase.DOCTOR, SessionProblem.DOCTOR_CLOSED)
    assert m.state.doctor is None


def test_a_payer_tapped_before_the_record_is_not_taken_for_another_doctor(
    clock: ManualClock,
) -> None:
    """JKN tapped for one doctor while the city record was still asked, then back and
    another doctor: the record's answer leaves the payer to be chosen for that one."""
    other = doctor("s-dewi", "dr. Dewi", left_jkn=3, left_non_jkn=3)
    m = make(clock, Doctors(ANI, other))
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI, record_to_come=True))
    m.handle(events.ServiceSelected(POLI))
    m.handle(events.DoctorChosen(ANI.schedule_id))
    m.handle(events.PayerChosen(Payer.JKN))  # waits for the record
    assert _phase(m) is Phase.PAYER
    m.handle(events.Back())
    m.handle(events.DoctorChosen(other.schedule_id))
    m.handle(events.RecordFound(read.session, RECORD))
    assert (_phase(m), m.state.doctor, m.state.payer) == (Phase.PAYER, other, None)
    m.handle(events.PayerChosen(Payer.UMUM))
    assert (_phase(m), m.state.payer) == (Phase.FORM, Payer.UMUM)
    assert m.state.values["norm"].value == "000123"  # the record's, filled when it came
