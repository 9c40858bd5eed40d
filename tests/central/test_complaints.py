"""Complaints answered: staff answer, close and reopen; the kiosk asks for a card's answers.

On SQLite and PostgreSQL (``central_server``): complaints arrive as a kiosk
files them (``POST /api/v1/submissions``), staff's steps are
:mod:`central.office.complaints` on the server's database (as the office
pages call them), and the kiosk side is the kiosk's own lookup client
(:func:`kiosk.lookups.information.fetch_applications`) over real HTTP.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests
from sqlalchemy import select

from cardio.card.citizen import CardIdentity, Citizen, Sex
from central.database import Database
from central.errors import InvalidComplaintTransition, NotFound, StaleEdit, Unprocessable
from central.office import complaints
from central.office.complaints import State
from central.process import RunningCentral
from central.tables import audit_log
from contract.assurance import Assurance
from kiosk.client.client import CentralClient
from kiosk.lookups.information import fetch_applications
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_office
from testkit.centre_requests import complaint, results
from testkit.citizen_lookups import SITI_NIK

pytestmark = pytest.mark.timeout(60)

SITI_CARD = "PKU-000001"


def file_complaint(url: str, token: str, card_number: str | None, text: str) -> str:
    """A complaint filed as a kiosk files it; its reference."""
    item = complaint(str(uuid.uuid4()), text)
    reference = f"ADU-{uuid.uuid4().hex[:12].upper()}"
    item["body"].update(reference=reference, card_number=card_number)
    assert results(url, token, [item])[0]["status"] == "accepted"
    return reference


def siti(assurance: Assurance = Assurance.SIGNED) -> CardIdentity:
    citizen = Citizen(
        card_number=SITI_CARD,
        nik=SITI_NIK,
        full_name="Siti Aminah",
        date_of_birth=dt.date(1990, 3, 12),
        sex=Sex.FEMALE,
    )
    return CardIdentity(uid=bytes.fromhex("04AABBCCDD"), citizen=citizen, assurance=assurance)


def test_a_filed_complaint_is_open_until_staff_answer_it(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    reference = file_complaint(central_server.url, token, None, "Antrean terlalu lama.")
    with operator.begin() as conn:
        listed = complaints.for_office(conn, DEMO_OFFICE, state=State.OPEN, reference=reference)
        assert reference in [c.reference for c in listed]
        answered = complaints.answer(
            conn, reference, "  Maaf, loket 3 kini dibuka.\r\n", actor="staff:ani",
            allowed_office=DEMO_OFFICE,
        )  # fmt: skip
    assert answered.state is State.ANSWERED
    assert answered.answer == "Maaf, loket 3 kini dibuka."
    assert answered.answered_by == "staff:ani" and answered.answered_at is not None
    with operator.read() as conn:
        events = conn.execute(
            select(audit_log.c.action, audit_log.c.actor).where(audit_log.c.subject == reference)
        ).all()
    assert ("complaint.answered", "staff:ani") in [tuple(e) for e in events]


def test_the_list_shows_open_complaints_oldest_first_then_the_others_newest_first(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    first = file_complaint(central_server.url, token, None, "satu")
    second = file_complaint(central_server.url, token, None, "dua")
    third = file_complaint(central_server.url, token, None, "tiga")
    with operator.begin() as conn:
        complaints.answer(conn, second, "ok", actor="staff:ani", allowed_office=None)
        total = complaints.count_for_office(conn, DEMO_OFFICE)
        # Page by page: the centre is shared, and other tests file complaints too.
        listed = [
            c
            for start in range(0, total, complaints.PAGE_SIZE)
            for c in complaints.for_office(conn, DEMO_OFFICE, offset=start)
        ]
    order = [c.reference for c in listed]
    assert order.index(first) < order.index(third) < order.index(second)
    assert total == len(listed)
    states = [c.state for c in listed]
    assert states == sorted(states, key=lambda s: s is not State.OPEN)
    opened = [c.created_at for c in listed if c.state is State.OPEN]
    assert opened == sorted(opened), "the open ones oldest first: the overdue ones on top"
    others = [c.created_at for c in listed if c.state is not State.OPEN]
    assert others == sorted(others, reverse=True), "the others newest first"


def test_an_answer_begun_before_a_colleagues_is_refused_and_writes_nothing(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    reference = file_complaint(central_server.url, token, None, "Antrean kacau.")
    with operator.read() as conn:
        shown = complaints.get(conn, reference, allowed_office=DEMO_OFFICE).version
    with operator.begin() as conn:
        first = complaints.answer(
            conn, reference, "Sudah ditata.", actor="staff:ani", allowed_office=DEMO_OFFICE,
            version=shown,
        )  # fmt: skip
    assert first.version != shown
    with pytest.raises(StaleEdit), operator.begin() as conn:
        complaints.answer(
            conn, reference, "Akan ditata.", actor="staff:budi", allowed_office=DEMO_OFFICE,
            version=shown,
        )  # fmt: skip
    with operator.read() as conn:
        kept = complaints.get(conn, reference, allowed_office=DEMO_OFFICE)
    assert (kept.answer, kept.answered_by) == ("Sudah ditata.", "staff:ani")


def test_close_and_reopen_keep_the_answer(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    reference = file_complaint(central_server.url, token, None, "Toilet kotor.")
    with operator.begin() as conn:
        complaints.answer(
            conn, reference, "Sudah dibersihkan.", actor="staff:a", allowed_office=None
        )
        closed = complaints.close(conn, reference, actor="staff:a", allowed_office=None)
        assert closed.state is State.CLOSED and closed.closed_at is not None
        with pytest.raises(InvalidComplaintTransition):
            complaints.answer(conn, reference, "lagi", actor="staff:a", allowed_office=None)
        reopened = complaints.reopen(conn, reference, actor="staff:a", allowed_office=None)
    assert reopened.state is State.ANSWERED and reopened.answer == "Sudah dibersihkan."
    assert reopened.closed_at is None


@pytest.mark.parametrize(
    "text", ["", "   \n ", "x" * (complaints.MAX_ANSWER + 1), "bel \x07 berbunyi"]
)
def test_an_answer_that_is_empty_too_long_or_not_plain_text_is_refused(text: str) -> None:
    with pytest.raises(Unprocessable):
        complaints.clean_answer(text)


def test_another_offices_complaint_answers_as_unknown(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    reference = file_complaint(central_server.url, token, None, "Kursi rusak.")
    elsewhere = new_office(operator)
    with operator.begin() as conn:
        with pytest.raises(NotFound):
            complaints.get(conn, reference, allowed_office=elsewhere)
        with pytest.raises(NotFound):
            complaints.answer(conn, reference, "bukan urusan kami", actor="staff:x",
                              allowed_office=elsewhere)  # fmt: skip
        assert reference not in [c.reference for c in complaints.for_office(conn, elsewhere)]
        assert complaints.get(conn, reference, allowed_office=None).state is State.OPEN


def test_the_kiosk_sees_staff_answers_to_its_citizens_complaints_after_a_tap(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    mine = file_complaint(central_server.url, token, SITI_CARD, "AC mati di lantai 2.")
    unanswered = file_complaint(central_server.url, token, SITI_CARD, "Parkir penuh.")
    someone_elses = file_complaint(central_server.url, token, "PKU-000002", "Antre lama.")
    with operator.begin() as conn:
        for reference in (mine, someone_elses):
            complaints.answer(conn, reference, "AC sudah diperbaiki.", actor="staff:ani",
                              allowed_office=DEMO_OFFICE)  # fmt: skip
    with CentralClient(central_server.url, token=token) as client:
        answer = fetch_applications(client, siti(), online=True)
    assert answer.problem is None
    assert any(a.reference == "BRK-DEMO0001" for a in answer.applications)
    shown = {c.reference: c for c in answer.complaints}
    assert mine in shown and shown[mine].answer == "AC sudah diperbaiki."
    assert unanswered not in shown, "no answer yet: nothing to show"
    assert someone_elses not in shown, "another card's complaint"


def test_the_kiosks_question_never_carries_the_text_or_the_card(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    reference = file_complaint(central_server.url, token, SITI_CARD, "Petugas bernama Rudi kasar.")
    with operator.begin() as conn:
        complaints.answer(conn, reference, "Sudah ditindaklanjuti.", actor="staff:a",
                          allowed_office=None)  # fmt: skip
    response = requests.post(
        f"{central_server.url}/api/v1/citizens/complaints",
        json={"nik": SITI_NIK},
        headers=bearer(token),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    found = [c for c in response.json()["complaints"] if c["reference"] == reference]
    assert found and found[0]["answer"] == "Sudah ditindaklanjuti."
    assert "Rudi" not in response.text and SITI_CARD not in response.text


def test_the_public_page_shows_the_answer_and_nothing_personal(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    reference = file_complaint(central_server.url, token, SITI_CARD, "Petugas bernama Rudi kasar.")
    page = requests.get(f"{central_server.url}/c/{reference}", timeout=5)
    assert page.status_code == 200 and "belum dijawab" in page.text
    with operator.begin() as conn:
        complaints.answer(conn, reference, "Petugas sudah ditegur.", actor="staff:ani",
                          allowed_office=None)  # fmt: skip
    page = requests.get(f"{central_server.url}/c/{reference}", timeout=5)
    assert page.status_code == 200 and "Petugas sudah ditegur." in page.text
    for personal in ("Rudi", SITI_CARD, "staff:ani"):
        assert personal not in page.text
    unknown = requests.get(f"{central_server.url}/c/ADU-0000-0000-0000", timeout=5)
    assert unknown.status_code == 404 and "belum tercatat" in unknown.text
