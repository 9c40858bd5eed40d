"""A kiosk's ``visit_cancel`` reaches its own tickets only.

The ticket id a cancel names is printed on the citizen's paper and in its QR code: anyone
holding the paper (another kiosk of the hospital that read it) knows it. So the centre
finds the ticket as it keeps the sending kiosk's tickets (central/hospital/visits.py
``own_ticket``: the kiosk and its ticket id, or the id kept apart when another kiosk had
that id first), and answers any other ticket ``unknown_visit``, word for word what a
ticket id that does not exist is answered: another kiosk's cancel closes no visit, voids
no ticket (a visit made or refused for its patient alike), gives back no place, and
tells nothing of whether the ticket exists. The kiosk that made the ticket still cancels
it. A real centre over HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from central.access.credentials import sha256_hex
from central.office.submissions import claimed_ticket_id
from central.tables import hospital_visits, kiosk_tokens, tickets
from testkit.centre_accounts import DEMO_OFFICE, bearer, enrol, new_kiosk
from testkit.centre_hospital import (
    HOSPITAL,
    doctor_today,
    hospital_kiosk,
    hospital_registration,
    new_hospital_patient,
    new_schedule,
    own_hospital_centre,
    visit_cancel,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_requests import new_id, results
from testkit.centres import BACKENDS
from testkit.row_locks import keys, registration_of

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_hospital_centre(request, tmp_path_factory, "own-cancel")


def registered(c: Centre, token: str, schedule_id: str, values: dict[str, str]) -> str:
    """A JKN ticket numbered online by the kiosk ``token`` and registered for ``values``."""
    return registration_of(c, schedule_id, values, token)


def cancel(c: Centre, token: str, ticket_id: str, office_id: str = HOSPITAL) -> bytes:
    """The kiosk ``token``'s cancel of ``ticket_id`` naming ``office_id``: the raw answer,
    its own key and the ticket id taken out."""
    key = f"cancel-{new_id()}"
    item = visit_cancel(key, ticket_id)
    item["body"]["office_id"] = office_id
    answer = requests.post(
        f"{c.url}/api/v1/submissions",
        json={"items": [item]},
        headers=bearer(token),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.content.replace(key.encode(), b"<key>").replace(ticket_id.encode(), b"<id>")


def state(c: Centre, ticket_id: str) -> tuple[str, str | None]:
    """The ticket's status and its visit's state (None: no visit)."""
    with c.db.read() as conn:
        status = conn.execute(
            select(tickets.c.status).where(tickets.c.id == ticket_id)
        ).scalar_one()
        visit = conn.execute(
            select(hospital_visits.c.state).where(hospital_visits.c.ticket_id == ticket_id)
        ).scalar_one_or_none()
    return status, visit


def test_another_kiosk_of_the_hospital_is_answered_as_for_a_ticket_that_does_not_exist(
    centre: Centre,
) -> None:
    """Another kiosk of the hospital cancels a ticket it did not make (a visit made, a
    patient refused): the answer is the one for a made-up ticket id, byte for byte;
    nothing moves (ticket, visit, the doctor's places left); its own kiosk then cancels it."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    owner, stranger = hospital_kiosk(centre.url)[0], hospital_kiosk(centre.url)[0]
    nothing = cancel(centre, stranger, new_id())
    assert b'"cancel":"unknown_visit"' in nothing, nothing
    for case, values, visit in (
        ("made", keys(known), "registered"),
        ("identity_conflict", keys(other, birth_date="1971-01-01"), None),
    ):
        ticket_id = registered(centre, owner, sid, values)
        before = state(centre, ticket_id)
        assert before == ("waiting", visit), (case, before)
        left = doctor_today(centre.url, owner, sid)["left_jkn"]
        assert cancel(centre, stranger, ticket_id) == nothing, case
        assert state(centre, ticket_id) == before, case
        assert doctor_today(centre.url, owner, sid)["left_jkn"] == left, case
        assert b'"cancel":"cancelled"' in cancel(centre, owner, ticket_id), case
        assert state(centre, ticket_id)[0] == "void", case


def test_a_kiosk_of_another_office_is_answered_as_for_a_ticket_that_does_not_exist(
    centre: Centre,
) -> None:
    """A city hall's kiosk cancelling a hospital ticket: naming the hospital, the item is
    refused (``wrong_office``); naming its own office, ``unknown_visit``. Either way the
    answer is the one for a made-up ticket id, and nothing moves."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    owner = hospital_kiosk(centre.url)[0]
    _, elsewhere = new_kiosk(centre.db, centre.url)
    ticket_id = registered(centre, owner, sid, keys(new_hospital_patient(centre.db)))
    for office_id, said in ((HOSPITAL, b'"error":"wrong_office"'), (DEMO_OFFICE, b"unknown_visit")):
        answer = cancel(centre, elsewhere, ticket_id, office_id)
        assert answer == cancel(centre, elsewhere, new_id(), office_id), answer
        assert said in answer, answer
        assert state(centre, ticket_id) == ("waiting", "registered")


def kiosk_of(c: Centre, token: str) -> str:
    with c.db.read() as conn:
        kiosk_id: str = conn.execute(
            select(kiosk_tokens.c.kiosk_id).where(kiosk_tokens.c.token_hash == sha256_hex(token))
        ).scalar_one()
    return kiosk_id


def test_two_kiosks_that_used_one_ticket_id_each_cancel_their_own(centre: Centre) -> None:
    """A second kiosk registers, offline, a ticket id the first kiosk's ticket has (it
    read the paper, or the ids met): its ticket is kept apart (central/office/
    submissions.py ``claimed_ticket_id``). Its cancel of that id reaches its own ticket
    and visit, never the first kiosk's; the first kiosk's cancel then reaches its own."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    first = hospital_kiosk(centre.url)[0]
    second, second_code = hospital_kiosk(centre.url)
    ticket_id = registered(centre, first, sid, keys(new_hospital_patient(centre.db)))
    offline = hospital_registration(
        ticket_id,
        f"D-{second_code}-301",
        "fallback",
        {"schedule_id": sid, "payer": "jkn"},
        values=keys(new_hospital_patient(centre.db)),
        card_number=None,
    )
    [done] = results(centre.url, second, [offline])
    assert done["status"] == "accepted", done
    apart = claimed_ticket_id(kiosk_of(centre, second), ticket_id)
    assert state(centre, apart) == ("waiting", "registered")
    assert b'"cancel":"cancelled"' in cancel(centre, second, ticket_id)
    assert state(centre, apart) == ("void", "cancelled")
    assert state(centre, ticket_id) == ("waiting", "registered"), "the other kiosk's ticket moved"
    assert b'"cancel":"cancelled"' in cancel(centre, first, ticket_id)
    assert state(centre, ticket_id) == ("void", "cancelled")


def test_a_rekeyed_kiosk_still_cancels_its_own_tickets(centre: Centre) -> None:
    """A kiosk that lost its token is re-keyed (the same kiosk, a new token): its tickets
    are still its own, so its cancel reaches each (a visit made, a patient refused alike);
    the old token is refused."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    old = hospital_kiosk(centre.url)[0]
    made = registered(centre, old, sid, keys(known))
    refused = registered(centre, old, sid, keys(other, birth_date="1971-01-01"))
    assert (state(centre, made), state(centre, refused)) == (
        ("waiting", "registered"),
        ("waiting", None),
    )
    code = requests.post(
        f"{centre.url}/api/v1/staff/enrolment-codes",
        json={"office_id": HOSPITAL, "kiosk_id": kiosk_of(centre, old), "note": "token lost"},
        headers=bearer(centre.staff),
        timeout=30,
    )
    assert code.status_code == 201, code.text
    again = enrol(centre.url, code.json()["code"])
    assert again.status_code == 201, again.text
    token: str = again.json()["token"]
    assert kiosk_of(centre, token) == kiosk_of(centre, old)
    gone = requests.post(
        f"{centre.url}/api/v1/submissions",
        json={"items": [visit_cancel(f"cancel-{new_id()}", made)]},
        headers=bearer(old),
        timeout=30,
    )
    assert gone.status_code == 401, gone.text
    assert state(centre, made) == ("waiting", "registered")
    for ticket_id in (made, refused):
        assert b'"cancel":"cancelled"' in cancel(centre, token, ticket_id), ticket_id
    assert (state(centre, made), state(centre, refused)) == (("void", "cancelled"), ("void", None))
