"""What a poli's ticket asks of the centre when it is issued (kiosk/tickets/issue.py).

A Mobile JKN booking checked in holds its doctor's place at the centre: the ticket
that checks it in asks for no place of its own, or one patient would use two of the
doctor's JKN places (and the allocate would be refused when the booking held the
last one). A walk-in at a poli asks for its doctor's place with the number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.demo_cards import demo_card
from contract.assurance import Assurance
from contract.bookings import BookingState, BookingToday
from contract.hospital import DoctorToday, HospitalRequest, PatientKeys, Payer, PlaceRequest
from kiosk.client.errors import CentralRefused
from kiosk.errors import SessionProblem, TicketingError
from kiosk.session.events import IssueTicket
from kiosk.tickets.issue import Allocate, Printed, PrintSetup, issue_and_print
from offline_store import Store
from testkit.hospital_kiosk import OFFICE, POLI, doctor, poli_catalog
from testkit.printers import READY, ScriptedPrinter, identity

NOW = dt.datetime(2026, 12, 7, 9, 40, tzinfo=dt.timezone(dt.timedelta(hours=7)))
ANI = doctor()
BOOKED = BookingToday(
    code="123456782",
    office_id=OFFICE,
    service_id=POLI,
    day=NOW.date(),
    starts_at=dt.time(8),
    ends_at=dt.time(12),
    state=BookingState.BOOKED,
    nik=None,
    card_number=None,
    first_name="Siti",
    doctor="dr. Booked",
    hours="08:00-12:00",
)


def siti() -> CardIdentity:
    """Siti's signed demo card: its number is a key of the registration."""
    claims = demo_card("siti").claims
    assert claims is not None
    return CardIdentity(
        uid=b"\x04\xa1", citizen=Citizen.from_claims(claims), assurance=Assurance.SIGNED
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "kiosk.db")
    opened.set_kiosk_code("K07")
    yield opened
    opened.close()


def _unanswered_allocate() -> tuple[list[Mapping[str, str] | None], Allocate]:
    """An allocate the centre never answers (the kiosk numbers the ticket itself), and the
    places it was asked for."""
    asked: list[Mapping[str, str] | None] = []

    def allocate(
        _ticket_id: str,
        _service_id: str,
        _day: dt.date,
        place: Mapping[str, str] | None,
        /,
        *,
        sent: Callable[[], None] | None = None,
    ) -> None:
        asked.append(place)

    return asked, allocate


def _issue(store: Store, booking: BookingToday | None) -> list[Mapping[str, str] | None]:
    asked, allocate = _unanswered_allocate()
    assert _walk_in(store, ANI, allocate, booking=booking).ticket.number
    return asked


def test_a_walk_in_at_a_poli_asks_for_its_doctors_place(store: Store) -> None:
    asked = _issue(store, None)
    assert asked == [{"schedule_id": ANI.schedule_id, "payer": "jkn", "norm": "000123"}]
    [item] = store.outbox()
    assert item.payload["hospital"]["schedule_id"] == ANI.schedule_id


def test_the_place_names_the_patient_by_the_keys_the_registration_carries(store: Store) -> None:
    """The allocate carries what the centre's check of the patient reads in the
    registration (its No. RM, BPJS number, NIK, name, date of birth, card), so the centre
    refuses there, before a number is used, a patient it would refuse at the registration."""
    asked, allocate = _unanswered_allocate()
    values = {"full_name": "Siti Aminah", "nik": "1471015203850001", "date_of_birth": "1985-03-12"}
    hospital = HospitalRequest(
        schedule_id=ANI.schedule_id, payer=Payer.JKN, norm="000123", nomorkartu="0001234567890"
    )
    request = IssueTicket(1, siti(), POLI, values, "id", doctor=ANI, hospital=hospital)
    issue_and_print(
        request,
        catalog=poli_catalog(),
        office_id=OFFICE,
        store=store,
        setup=PrintSetup(ScriptedPrinter(READY)),
        now=lambda: NOW,
        allocate=allocate,
    )
    [item] = store.outbox()
    assert asked == [
        {
            "schedule_id": ANI.schedule_id,
            "payer": "jkn",
            "norm": "000123",
            "nomorkartu": "0001234567890",
            "nik": "1471015203850001",
            "card_number": item.payload["card_number"],
            "full_name": "Siti Aminah",
            "birth_date": "1985-03-12",
        }
    ]
    assert item.payload["card_number"], "a verified card's number is a key"
    registration = PatientKeys.of_registration(
        HospitalRequest.from_json(item.payload["hospital"]), item.payload
    )
    assert PlaceRequest.from_json(asked[0]).patient == registration


def test_a_mobile_jkn_check_in_asks_for_no_second_place(store: Store) -> None:
    asked = _issue(store, BOOKED)
    assert asked == [None], "the booking holds the place: the ticket asks for none"
    [item] = store.outbox()
    assert item.payload["booking_code"] == BOOKED.code
    assert "hospital" not in item.payload


def _walk_in(
    store: Store, chosen: DoctorToday, allocate: Allocate, booking: BookingToday | None = None
) -> Printed:
    """A JKN ticket at the poli with ``chosen``, as the kiosk issues one."""
    request = IssueTicket(
        1,
        identity(),
        POLI,
        {"phone": "081234567890"},
        "id",
        booking=booking,
        doctor=chosen,
        hospital=HospitalRequest(schedule_id=chosen.schedule_id, payer=Payer.JKN, norm="000123"),
    )
    return issue_and_print(
        request,
        catalog=poli_catalog(),
        office_id=OFFICE,
        store=store,
        setup=PrintSetup(ScriptedPrinter(READY)),
        now=lambda: NOW,
        allocate=allocate,
    )


def _offline(
    _ticket_id: str,
    _service_id: str,
    _day: dt.date,
    _place: Mapping[str, str] | None,
    /,
    *,
    sent: Callable[[], None] | None = None,
) -> None:
    return None  # the centre is away: the kiosk would number it itself


def test_offline_a_doctor_whose_hours_ended_since_the_list_was_read_gets_no_ticket(
    store: Store,
) -> None:
    """The list was read at 09:00 with dr. Ani open until 09:30; the citizen confirms at
    09:40 with the centre away: refused as the centre would, nothing stored, no place
    taken from the cache."""
    early = doctor(ends="09:30", left_jkn=4)
    store.save_doctors(OFFICE, NOW.date(), [early], now=NOW - dt.timedelta(minutes=40))
    with pytest.raises(TicketingError) as refused:
        _walk_in(store, early, _offline)
    assert refused.value.reason is SessionProblem.DOCTOR_CLOSED
    assert store.tickets_count() == 0 and store.outbox() == []
    [cached] = store.doctors_today(OFFICE, NOW.date())
    assert cached.left_jkn == 4


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("quota_full", SessionProblem.QUOTA_FULL),
        ("doctor_closed", SessionProblem.DOCTOR_CLOSED),
        ("unknown_schedule", SessionProblem.DOCTOR_UNAVAILABLE),
        # the patient refused before the number (docs/hospital.md): sent to the desk
        ("already_registered", SessionProblem.ALREADY_REGISTERED),
        ("identity_conflict", SessionProblem.IDENTITY_CONFLICT),
        ("invalid_patient", SessionProblem.INVALID_PATIENT),
    ],
)
def test_the_centres_refusal_of_the_doctors_place_is_told_and_nothing_is_stored(
    store: Store, code: str, problem: SessionProblem
) -> None:
    def refusing(
        _ticket_id: str,
        _service_id: str,
        _day: dt.date,
        _place: Mapping[str, str] | None,
        /,
        *,
        sent: Callable[[], None] | None = None,
    ) -> None:
        raise CentralRefused("409", status=409, code=code)

    with pytest.raises(TicketingError) as refused:
        _walk_in(store, ANI, refusing)
    assert refused.value.reason is problem
    assert store.tickets_count() == 0 and store.outbox() == []
