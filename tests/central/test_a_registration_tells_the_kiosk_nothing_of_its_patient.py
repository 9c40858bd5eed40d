"""A poli registration tells the kiosk that sent it nothing of its patient.

What the centre decides of a registration's patient (a visit made with its place;
none, because the patient is at the poli today, a name or date of birth is not the
record's, a NIK cannot exist) tells what it holds of a person. Answered to a kiosk's
token, registration after registration, it would be a patient lookup no budget counts
and no audit sees, which the allocate's refusals are (central/hospital/allocate_lookups.py).
So every answer to a kiosk (the first, a replay, the same key twice in one batch) is
the same, byte for byte, whatever the patient, apart from the ticket's own id and
number; the centre keeps the outcome for staff (``submissions.result``; the counter
page says it: tests/central/web/test_counter_poli_registration.py) and makes the visit
only for the patient it names. A real centre over HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.tables import hospital_visits, tickets
from testkit.centre_accounts import bearer
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    call_up_to,
    doctor_today,
    hospital_kiosk,
    hospital_registration,
    new_hospital_patient,
    new_schedule,
    numbered_online,
    own_hospital_centre,
    poli_registration,
    registered_offline,
    visit_cancel,
    what_the_registration_did,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centres import BACKENDS

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_hospital_centre(request, tmp_path_factory, "tells-nothing")


@dataclass(frozen=True)
class Sent:
    """A registration sent, and the kiosk's answers to it."""

    ticket_id: str
    number: str
    item: dict[str, Any]
    #: The answer to the batch of the registration alone, then to that batch again.
    first: bytes
    replayed: bytes
    #: The answer to one batch holding the registration twice (a ticket of its own).
    twice: bytes

    def shape(self, answer: bytes) -> bytes:
        """``answer`` with this ticket's own id and number taken out."""
        assert self.ticket_id.encode() in answer, answer
        return answer.replace(self.ticket_id.encode(), b"<id>").replace(
            self.number.encode(), b"<number>"
        )


def post(c: Centre, items: list[dict[str, Any]]) -> bytes:
    answer = requests.post(
        f"{c.url}/api/v1/submissions",
        json={"items": items},
        headers=bearer(c.kiosk),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.content


def register(c: Centre, schedule_id: str, values: dict[str, str]) -> Sent:
    """Register a new ticket of the poli with the patient ``values``, send it again, and
    send a second ticket's registration twice in one batch with the same ``values``."""
    answers: list[bytes] = []
    sent: list[tuple[str, str, dict[str, Any]]] = []
    for _ in range(2):
        made = numbered_online(c, schedule_id)
        item = poli_registration(made, schedule_id, values)
        sent.append((made["ticket_id"], made["display"], item))
    ticket_id, number, item = sent[0]
    answers = [post(c, [item]), post(c, [item])]
    other_id, other_number, other = sent[1]
    twice = post(c, [other, other]).replace(other_id.encode(), ticket_id.encode())
    twice = twice.replace(other_number.encode(), number.encode())
    return Sent(ticket_id, number, item, answers[0], answers[1], twice)


def visit_of(c: Centre, ticket_id: str) -> Any:
    with c.db.read() as conn:
        return conn.execute(
            select(hospital_visits).where(hospital_visits.c.ticket_id == ticket_id)
        ).first()


def _registered_each_way(centre: Centre, sid: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A ticket numbered online and registered at the poli of ``sid`` three ways: its visit
    made, and its patient refused for a wrong date of birth and for a NIK that cannot
    exist; each ``(case, its allocate's answer)``, the visit checked made or not."""
    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    for case, values in (
        ("made", known.typed()),
        ("identity_conflict", other.typed(birth_date="1971-01-01")),
        ("invalid_patient", other.typed(nik="9999999999999999")),
    ):
        made = numbered_online(centre, sid)
        ticket_id = made["ticket_id"]
        item = poli_registration(made, sid, values)
        post(centre, [item])
        assert (visit_of(centre, ticket_id) is not None) is (case == "made"), case
        yield case, made


def test_a_visit_made_and_every_patient_refused_are_answered_alike(centre: Centre) -> None:
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    made = register(centre, sid, known.typed())
    refused = {
        "already_registered": register(centre, sid, known.typed()),
        "identity_conflict (date of birth)": register(
            centre, sid, other.typed(birth_date="1971-01-01")
        ),
        "identity_conflict (name)": register(centre, sid, other.typed(full_name="Orang Lain")),
        "invalid_patient": register(centre, sid, other.typed(nik="9999999999999999")),
    }

    # what the centre did, kept for staff: one visit, for the patient named rightly
    assert visit_of(centre, made.ticket_id) is not None
    assert "kodebooking" in what_the_registration_did(centre.db, made.ticket_id)
    for case, sent in refused.items():
        reason = case.split(" ")[0]
        assert visit_of(centre, sent.ticket_id) is None, case
        assert what_the_registration_did(centre.db, sent.ticket_id)["error"] == reason, case

    # what the kiosk was answered: the same, whoever the patient
    first = made.shape(made.first)
    assert b'"status":"accepted"' in first and b"hospital" not in first, first
    replayed = made.shape(made.replayed)
    assert b'"status":"replayed"' in replayed and b"hospital" not in replayed, replayed
    twice = made.shape(made.twice)
    assert b'"status":"accepted"' in twice and b'"status":"replayed"' in twice, twice
    for case, sent in refused.items():
        assert sent.shape(sent.first) == first, case
        assert sent.shape(sent.replayed) == replayed, case
        assert sent.shape(sent.twice) == twice, case


def test_what_is_wrong_before_the_patient_is_looked_at_is_still_answered(
    centre: Centre,
) -> None:
    """A hospital object the centre cannot use, or a schedule not usable today, is the
    same for any patient: the kiosk is told, as before, and no visit is made."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    patient = new_hospital_patient(centre.db)
    for hospital, error in (
        ({"schedule_id": sid, "payer": "nobody"}, "invalid_hospital"),
        ({"schedule_id": "no-such-schedule", "payer": "jkn"}, "unknown_schedule"),
    ):
        made = numbered_online(centre, sid)
        item = hospital_registration(
            made["ticket_id"],
            made["display"],
            "online",
            hospital,
            values=patient.typed(),
            card_number=None,
        )
        for _ in range(2):  # the first answer and its replay
            [done] = requests.post(
                f"{centre.url}/api/v1/submissions",
                json={"items": [item]},
                headers=bearer(centre.kiosk),
                timeout=30,
            ).json()["results"]
            assert done["result"]["hospital"]["error"] == error, done
            assert done["result"]["hospital"]["detail"], done
        assert visit_of(centre, made["ticket_id"]) is None


def test_a_retried_allocate_and_a_cancel_answer_alike_whatever_the_registration_found(
    centre: Centre,
) -> None:
    """The other questions a kiosk may ask of a ticket it registered: its allocate
    retried (the place it took, kept by a visit or given back by a refusal) and its
    cancel (a visit's, or a ticket's whose registration made none). Each is answered
    alike for a visit made and for a patient refused."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    answers: dict[str, tuple[bytes, int, Any]] = {}
    for case, made in _registered_each_way(centre, sid):
        ticket_id = made["ticket_id"]
        retried = allocate(centre.url, centre.kiosk, sid, ticket_id=ticket_id)
        assert retried.status_code == 200, (case, retried.text)
        assert retried.json()["hospital"] == made["hospital"], case
        cancelled = post(centre, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
        with centre.db.read() as conn:
            status = conn.execute(select(tickets.c.status).where(tickets.c.id == ticket_id))
            assert status.scalar_one() == "void", case  # the desk's cancel closed it
        late = allocate(centre.url, centre.kiosk, sid, ticket_id=ticket_id)
        answers[case] = (
            cancelled.replace(ticket_id.encode(), b"<id>"),
            late.status_code,
            late.json(),
        )
    assert answers["made"][0].count(b'"cancel":"cancelled"') == 1, answers["made"]
    assert answers["identity_conflict"] == answers["made"]
    assert answers["invalid_patient"] == answers["made"]


def _call_to_no_show(c: Centre, ticket_id: str) -> None:
    """Call Poli Penyakit Dalam's queue up to ``ticket_id`` (the earlier tickets served)
    and mark its holder as not come: the counter's ``no-show``, as staff do."""
    call_up_to(c, ticket_id, "poli-dalam", "Poli Penyakit Dalam")
    absent = c.staff_post(f"/api/v1/staff/tickets/{ticket_id}/no-show")
    assert absent.status_code == 200, absent.text


def test_a_cancel_after_the_poli_marked_the_ticket_not_come_answers_alike(
    centre: Centre,
) -> None:
    """A poli ticket called and marked not come (``no-show``: a visit's patient did not
    come, its visit is over) and then cancelled by the kiosk is answered alike whether its
    registration made the visit or the centre refused its patient: nobody stands at the
    poli for a registration a kiosk's token made up, and staff mark it so."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    answers: dict[str, bytes] = {}
    for case, made in _registered_each_way(centre, sid):
        ticket_id = made["ticket_id"]
        _call_to_no_show(centre, ticket_id)
        cancelled = post(centre, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
        answers[case] = cancelled.replace(ticket_id.encode(), b"<id>")
    assert answers["identity_conflict"] == answers["made"], answers
    assert answers["invalid_patient"] == answers["made"], answers


def test_another_kiosks_cancel_leaves_a_ticket_as_it_was(centre: Centre) -> None:
    """A kiosk's ``visit_cancel`` names a ticket by its id (printed on its paper, in its QR
    code): the cancel of a ticket another kiosk of the hospital registered, a visit made
    or refused for its patient, closes nothing; the citizen holding it still waits."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    stranger = hospital_kiosk(centre.url)[0]
    for case, values in (
        ("identity_conflict", other.typed(birth_date="1971-01-01")),  # new on this branch
        ("made", known.typed()),
    ):
        made = numbered_online(centre, sid)
        ticket_id = made["ticket_id"]
        post(
            centre,
            [poli_registration(made, sid, values)],
        )
        answer = requests.post(
            f"{centre.url}/api/v1/submissions",
            json={"items": [visit_cancel(f"cancel-{ticket_id}", ticket_id)]},
            headers=bearer(stranger),
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        with centre.db.read() as conn:
            status = conn.execute(select(tickets.c.status).where(tickets.c.id == ticket_id))
            assert status.scalar_one() == "waiting", case


def _every_outcome(c: Centre) -> list[tuple[str, dict[str, str]]]:
    """The patient ``values`` of a registration for each thing the centre may find, in
    order, two new patients: the visit made, the patient already registered today (by
    the registration before), a date of birth not the record's and a NIK that cannot
    exist; each ``(outcome, values)``."""
    known, other = new_hospital_patient(c.db), new_hospital_patient(c.db)
    return [
        ("made", known.typed()),
        ("already_registered", known.typed()),
        ("identity_conflict", other.typed(birth_date="1971-01-01")),
        ("invalid_patient", other.typed(nik="9999999999999999")),
    ]


def test_the_quota_left_after_an_online_registration_says_nothing_of_its_patient(
    centre: Centre,
) -> None:
    """A ticket numbered online holds its doctor's place from its allocate: its
    registration keeps it whatever the centre found of its patient, so ``doctors/today``'s
    ``left_jkn`` moves alike for a visit made and for every refusal (before, a refusal gave
    the place back and the quota left rose again: a patient lookup by a kiosk's token)."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    token = hospital_kiosk(centre.url)[0]  # another kiosk's eyes on the doctor's day
    used: dict[str, int] = {}
    for case, values in _every_outcome(centre):
        before = doctor_today(centre.url, token, sid)["left_jkn"]
        made = numbered_online(centre, sid)
        post(centre, [poli_registration(made, sid, values)])
        assert (visit_of(centre, made["ticket_id"]) is not None) is (case == "made"), case
        did = what_the_registration_did(centre.db, made["ticket_id"])
        assert did.get("error", "made") == case, (case, did)
        used[case] = before - doctor_today(centre.url, token, sid)["left_jkn"]
    assert used["made"] == 1, used
    assert set(used.values()) == {1}, used


def test_the_quota_left_after_an_offline_registration_says_nothing_of_its_patient(
    centre: Centre,
) -> None:
    """A registration of a ticket numbered offline (a fallback number, which a kiosk's
    token may send by the hundred a day, no allocate, no place held) takes its place when
    its visit is made, and so when it is refused for its patient: ``doctors/today``'s
    ``left_jkn`` must not tell a visit made from one refused for its patient. Keeping an
    allocate's place after a refusal would not close this: there is no allocate here."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    token, code = hospital_kiosk(centre.url)
    used: dict[str, int] = {}
    for n, (case, values) in enumerate(_every_outcome(centre), start=1):
        before = doctor_today(centre.url, token, sid)["left_jkn"]
        ticket_id = registered_offline(centre.url, token, f"D-{code}-{700 + n}", sid, values)
        assert (visit_of(centre, ticket_id) is not None) is (case == "made"), case
        did = what_the_registration_did(centre.db, ticket_id)
        assert did.get("error", "made") == case, (case, did)
        used[case] = before - doctor_today(centre.url, token, sid)["left_jkn"]
    assert used["made"] == 1, used
    assert set(used.values()) == {1}, used


def test_the_quota_left_says_nothing_of_its_patient_when_the_allocates_doctor_is_gone(
    centre: Centre,
) -> None:
    """A ticket numbered online holds a place with a doctor whose schedule staff removed
    before its registration arrived, the registration naming another doctor of the poli:
    a visit made is recorded with the doctor asked and takes its place there (the held
    doctor is gone: central/hospital/visits.py ``_record``). A refusal of its patient
    must move that doctor's ``left_jkn`` alike, else a kiosk's token reads the refusal
    off ``doctors/today`` (a kiosk chooses the doctor its registration names)."""
    asked = new_schedule(centre.url, centre.staff, quota_jkn=20)
    token = hospital_kiosk(centre.url)[0]  # another kiosk's eyes on the doctor's day
    used: dict[str, int] = {}
    for case, values in _every_outcome(centre):
        gone = new_schedule(centre.url, centre.staff, quota_jkn=20)
        made = numbered_online(centre, gone)
        removed = requests.delete(
            f"{centre.url}/api/v1/staff/hospital/{HOSPITAL}/schedules/{gone}",
            headers=bearer(centre.staff),
            timeout=30,
        )
        assert removed.status_code == 204, removed.text
        before = doctor_today(centre.url, token, asked)["left_jkn"]
        post(centre, [poli_registration(made, asked, values)])
        did = what_the_registration_did(centre.db, made["ticket_id"])
        assert did.get("error", "made") == case, (case, did)
        used[case] = before - doctor_today(centre.url, token, asked)["left_jkn"]
    assert used["made"] == 1, used
    assert set(used.values()) == {1}, used


def test_a_registration_and_its_cancel_in_one_batch_answer_alike(centre: Centre) -> None:
    """A desk offline keeps a poli registration and then its cancel in its outbox, and
    sends both in one batch when it is back: the cancel is answered alike, and the ticket
    closed, whether the registration made the visit or the centre refused its patient."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    answers: dict[str, bytes] = {}
    for case, values in (
        ("made", known.typed()),
        ("identity_conflict", other.typed(birth_date="1971-01-01")),
        ("invalid_patient", other.typed(nik="9999999999999999")),
    ):
        made = numbered_online(centre, sid)
        ticket_id = made["ticket_id"]
        item = poli_registration(made, sid, values)
        both = post(centre, [item, visit_cancel(f"cancel-{ticket_id}", ticket_id)])
        with centre.db.read() as conn:
            status = conn.execute(select(tickets.c.status).where(tickets.c.id == ticket_id))
            assert status.scalar_one() == "void", case  # the desk's cancel closed it
        answers[case] = both.replace(ticket_id.encode(), b"<id>").replace(
            made["display"].encode(), b"<number>"
        )
    assert answers["made"].count(b'"cancel":"cancelled"') == 1, answers["made"]
    assert answers["identity_conflict"] == answers["made"], answers
    assert answers["invalid_patient"] == answers["made"], answers


def _transfer(c: Centre, ticket_id: str, counter: str, service_id: str) -> None:
    """``counter`` sends its called ticket ``ticket_id`` on to ``service_id``'s queue."""
    sent = c.staff_post(
        f"/api/v1/staff/tickets/{ticket_id}/transfer",
        {"counter": counter, "service_id": service_id},
    )
    assert sent.status_code == 200, sent.text


def _call_and_send_to_the_pharmacy(c: Centre, ticket_id: str) -> None:
    """Call Poli Penyakit Dalam's queue up to ``ticket_id`` (the earlier tickets served):
    the doctor sees its holder, and the poli sends them on to the pharmacy's queue."""
    call_up_to(c, ticket_id, "poli-dalam", "Poli Penyakit Dalam")
    _transfer(c, ticket_id, "Poli Penyakit Dalam", "farmasi")


def test_a_cancel_after_the_poli_sent_the_patient_on_leaves_the_visit_that_happened(
    centre: Centre,
) -> None:
    """Seen by the doctor and sent on to the pharmacy, the patient's visit happened, as a
    no-show there says (the visit stays): the desk's cancel then is ``done`` like a served
    one, and the citizen still waits for their medicine; answered alike whatever the
    registration found of the patient."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    answers: dict[str, bytes] = {}
    for case, made in _registered_each_way(centre, sid):
        ticket_id = made["ticket_id"]
        _call_and_send_to_the_pharmacy(centre, ticket_id)
        cancelled = post(centre, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
        with centre.db.read() as conn:
            row = conn.execute(
                select(tickets.c.status, tickets.c.queue_id).where(tickets.c.id == ticket_id)
            ).one()
        assert tuple(row) == ("waiting", "farmasi"), case
        if case == "made":
            assert visit_of(centre, ticket_id).state != "cancelled"
        answers[case] = cancelled.replace(ticket_id.encode(), b"<id>")
    assert answers["made"].count(b'"cancel":"done"') == 1, answers["made"]
    assert answers["identity_conflict"] == answers["made"], answers
    assert answers["invalid_patient"] == answers["made"], answers


def _sent_back_to_the_poli(c: Centre, ticket_id: str) -> None:
    """Seen by the doctor and sent on to the pharmacy, then sent back from the pharmacy to
    Poli Penyakit Dalam (a prescription to correct): the ticket waits at its poli again."""
    _call_and_send_to_the_pharmacy(c, ticket_id)
    call_up_to(c, ticket_id, "farmasi", "Farmasi")
    _transfer(c, ticket_id, "Farmasi", "poli-dalam")
    with c.db.read() as conn:
        row = conn.execute(
            select(tickets.c.status, tickets.c.queue_id).where(tickets.c.id == ticket_id)
        ).one()
    assert tuple(row) == ("waiting", "poli-dalam")


def test_a_cancel_after_the_pharmacy_sent_the_patient_back_leaves_the_visit_that_happened(
    centre: Centre,
) -> None:
    """A ticket the pharmacy sent back to its poli waits there as before the doctor saw
    its holder, but the doctor did: the desk's cancel is ``done``, the visit stays and the
    doctor's place is not given back; answered alike whatever the registration found."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    answers: dict[str, bytes] = {}
    for case, made in _registered_each_way(centre, sid):
        ticket_id = made["ticket_id"]
        _sent_back_to_the_poli(centre, ticket_id)
        left = doctor_today(centre.url, centre.kiosk, sid)["left_jkn"]
        cancelled = post(centre, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
        with centre.db.read() as conn:
            row = conn.execute(
                select(tickets.c.status, tickets.c.queue_id).where(tickets.c.id == ticket_id)
            ).one()
        assert tuple(row) == ("waiting", "poli-dalam"), case
        assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left, case
        if case == "made":
            assert visit_of(centre, ticket_id).state == "registered"
        answers[case] = cancelled.replace(ticket_id.encode(), b"<id>")
    assert answers["made"].count(b'"cancel":"done"') == 1, answers["made"]
    assert answers["identity_conflict"] == answers["made"], answers
    assert answers["invalid_patient"] == answers["made"], answers


def test_not_come_at_the_poli_after_the_pharmacy_sent_the_patient_back_keeps_the_visit(
    centre: Centre,
) -> None:
    """Sent back from the pharmacy and then not come when the poli called again, the
    patient was still seen by the doctor: the visit stays, its place is not given back, and
    a cancel after it is ``done``, as after a no-show at the pharmacy; alike whatever the
    registration found."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    answers: dict[str, bytes] = {}
    for case, made in _registered_each_way(centre, sid):
        ticket_id = made["ticket_id"]
        _sent_back_to_the_poli(centre, ticket_id)
        left = doctor_today(centre.url, centre.kiosk, sid)["left_jkn"]
        call_up_to(centre, ticket_id, "poli-dalam", "Poli Penyakit Dalam")
        absent = centre.staff_post(f"/api/v1/staff/tickets/{ticket_id}/no-show")
        assert absent.status_code == 200, absent.text
        assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left, case
        if case == "made":
            assert visit_of(centre, ticket_id).state == "registered"
        cancelled = post(centre, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
        if case == "made":
            assert visit_of(centre, ticket_id).state == "registered"
        answers[case] = cancelled.replace(ticket_id.encode(), b"<id>")
    assert answers["made"].count(b'"cancel":"done"') == 1, answers["made"]
    assert answers["identity_conflict"] == answers["made"], answers
    assert answers["invalid_patient"] == answers["made"], answers
