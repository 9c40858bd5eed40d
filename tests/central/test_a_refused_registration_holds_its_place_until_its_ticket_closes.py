"""A poli registration refused for its patient holds its doctor's place until its ticket closes.

What the centre found of a registration's patient is told to no kiosk, nor by the
doctor's places left (``doctors/today``): its ticket holds its place as a visit does,
whatever was found (tests/central/test_a_registration_tells_the_kiosk_nothing_of_its_patient.py).
The place serves nobody (the desk registers the citizen on a ticket of its own); it is
given back, as a visit's is, when the ticket closes without one: the kiosk's or the
desk's ``visit_cancel`` of its own ticket (which voids it), or staff marking its holder
not come at the poli's counter, which is what they do before the desk registers the
citizen again (else, at a full doctor, the desk is refused ``quota_full``). A ticket
numbered online holds its allocate's place; one numbered offline (a fallback number)
takes one on arrival, beyond the quota when none is left, as a visit made from it does;
a full quota still refuses an allocate. A real centre over HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from central.tables import doctor_quota, quota_takes, tickets
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_hospital import (
    allocate,
    call_up_to,
    doctor_today,
    hospital_desk,
    new_hospital_patient,
    new_schedule,
    numbered_online,
    own_hospital_centre,
    poli_registration,
    registered_offline,
    registered_online,
    visit_cancel,
    what_the_registration_did,
)
from testkit.centre_requests import results, today
from testkit.centres import BACKENDS

pytestmark = pytest.mark.timeout(300)

POLI, POLI_COUNTER = "poli-dalam", "Poli Penyakit Dalam"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_hospital_centre(request, tmp_path_factory, "held-till-closed")


#: A way a poli ticket is numbered and registered: (its kiosk's token, its ticket id).
Registers = Callable[[Centre, str, dict[str, str]], tuple[str, str]]


def online(c: Centre, sid: str, values: dict[str, str]) -> tuple[str, str]:
    """A kiosk's ticket numbered online (its allocate holds a place: as a kiosk older than
    the patient keys numbers it, so the registration alone checks the patient)."""
    return c.kiosk, registered_online(c, sid, values)["ticket_id"]


_fallbacks = iter(range(800, 1000))


def offline(c: Centre, sid: str, values: dict[str, str]) -> tuple[str, str]:
    """An offline desk's ticket (a fallback number, no allocate, no place held) and its
    registration, sent once the desk is back."""
    token, code = hospital_desk(c.url)
    return token, registered_offline(c.url, token, f"D-{code}-{next(_fallbacks)}", sid, values)


def each_way(c: Centre, sid: str) -> Iterator[tuple[str, str, str]]:
    """A poli ticket registered, numbered online and offline, its visit made and its
    patient refused (a date of birth not the record's): each ``(case, token, ticket id)``."""
    ways: dict[str, Registers] = {"online": online, "offline": offline}
    for way, register in ways.items():
        known, other = new_hospital_patient(c.db), new_hospital_patient(c.db)
        for outcome, patient, birth in (
            ("made", known, known.birth_date.isoformat()),
            ("refused", other, "1971-01-01"),
        ):
            values = {"full_name": patient.full_name, "nik": patient.nik, "birth_date": birth}
            token, ticket_id = register(c, sid, values)
            did = what_the_registration_did(c.db, ticket_id)
            assert ("error" in did) is (outcome == "refused"), did
            yield f"{way} {outcome}", token, ticket_id


def left(c: Centre, sid: str) -> int:
    found: int = doctor_today(c.url, c.kiosk, sid)["left_jkn"]
    return found


def place(c: Centre, ticket_id: str) -> Any:
    """The place ``ticket_id`` holds or held (``quota_takes``), or ``None``."""
    with c.db.read() as conn:
        return conn.execute(select(quota_takes).where(quota_takes.c.ticket_id == ticket_id)).first()


def status(c: Centre, ticket_id: str) -> str:
    with c.db.read() as conn:
        found: str = conn.execute(
            select(tickets.c.status).where(tickets.c.id == ticket_id)
        ).scalar_one()
    return found


def test_a_cancel_voids_the_ticket_and_gives_its_held_place_back(centre: Centre) -> None:
    """The kiosk's or the offline desk's ``visit_cancel`` of its own ticket voids it and
    gives its place back: one place more left, for a refused registration as for a visit
    made (before, a refusal had given the place back already, or taken none, and the
    cancel gave back nothing)."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    given_back: dict[str, int] = {}
    for case, token, ticket_id in each_way(centre, sid):
        held = place(centre, ticket_id)
        assert held is not None and held.released_at is None, (case, held)
        before = left(centre, sid)
        [done] = results(centre.url, token, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
        assert done["result"]["cancel"] == "cancelled", (case, done)
        assert status(centre, ticket_id) == "void", case
        assert place(centre, ticket_id).released_at is not None, case
        given_back[case] = left(centre, sid) - before
    assert given_back == dict.fromkeys(given_back, 1), given_back


def finish(c: Centre, ticket_id: str, step: str) -> None:
    """The poli's counter ends the called ticket: ``served`` or ``no-show``."""
    done = c.staff_post(f"/api/v1/staff/tickets/{ticket_id}/{step}")
    assert done.status_code == 200, done.text


def _not_come_then_registered(c: Centre, sid: str, values: dict[str, str]) -> int:
    """A ticket numbered online, called and marked not come before its registration
    arrived (its kiosk offline meanwhile), then registered with ``values``: how much the
    registration moved the quota left (its place checked given back)."""
    ticket = numbered_online(c, sid)
    call_up_to(c, ticket["ticket_id"], POLI, POLI_COUNTER)
    finish(c, ticket["ticket_id"], "no-show")
    before = left(c, sid)
    [done] = results(c.url, c.kiosk, [poli_registration(ticket, sid, values)])
    assert done["status"] == "accepted", done
    assert place(c, ticket["ticket_id"]).released_at is not None, values
    return left(c, sid) - before


def test_a_ticket_not_come_when_called_gives_its_held_place_back(centre: Centre) -> None:
    """The poli calls the ticket and marks its holder not come (``no-show``) before the
    doctor saw them: its place is given back, for a refused registration as for a visit
    made (before, a refused one's place was back already, or never taken). Marked not
    come before its registration arrived, the ticket's place went back then, and the
    registration that comes, refused or not, holds none again: the quota left moves
    alike, by nothing (a visit made is closed as the no-show closed the ticket)."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    given_back: dict[str, int] = {}
    for case, _, ticket_id in each_way(centre, sid):
        call_up_to(centre, ticket_id, POLI, POLI_COUNTER)
        before = left(centre, sid)
        finish(centre, ticket_id, "no-show")
        assert place(centre, ticket_id).released_at is not None, case
        given_back[case] = left(centre, sid) - before
    assert given_back == dict.fromkeys(given_back, 1), given_back

    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    moved = {
        "made": _not_come_then_registered(
            centre, sid, {"nik": known.nik, "birth_date": known.birth_date.isoformat()}
        ),
        "refused": _not_come_then_registered(
            centre, sid, {"nik": other.nik, "birth_date": "1971-01-01"}
        ),
    }
    assert moved == {"made": 0, "refused": 0}, moved


def used(c: Centre, sid: str) -> int:
    with c.db.read() as conn:
        found: int = conn.execute(
            select(doctor_quota.c.used_jkn).where(
                doctor_quota.c.schedule_id == sid, doctor_quota.c.day == today()
            )
        ).scalar_one()
    return found


def test_a_full_quota_still_refuses_an_allocate_and_an_offline_ticket_goes_beyond_it(
    centre: Centre,
) -> None:
    """A doctor's last place taken: an allocate is ``409 quota_full`` with no number used,
    as before; a ticket numbered offline takes its place beyond the quota on arrival, its
    visit made (``over_quota``, for staff to check) or its patient refused alike, so the
    count of places used tells a refusal no more than the quota left does."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=1)
    known, other = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    online(centre, sid, {"nik": known.nik, "birth_date": known.birth_date.isoformat()})
    assert (left(centre, sid), used(centre, sid)) == (0, 1)
    full = allocate(centre.url, centre.kiosk, sid)
    assert (full.status_code, full.json()["error"]) == (409, "quota_full"), full.text
    took: dict[str, int] = {}
    for case, values in (
        ("made", {"nik": other.nik, "birth_date": other.birth_date.isoformat()}),
        ("refused", {"nik": other.nik, "birth_date": "1971-01-01"}),
    ):
        before = used(centre, sid)
        _, ticket_id = offline(centre, sid, values)
        did = what_the_registration_did(centre.db, ticket_id)
        assert did.get("over_quota") is (True if case == "made" else None), (case, did)
        took[case] = used(centre, sid) - before
        assert left(centre, sid) == 0, case
    assert took == {"made": 1, "refused": 1}, took
    again = allocate(centre.url, centre.kiosk, sid)
    assert (again.status_code, again.json()["error"]) == (409, "quota_full"), again.text


def test_staff_mark_a_refused_ticket_not_come_and_the_desk_registers_its_citizen_at_a_full_doctor(
    centre: Centre,
) -> None:
    """The place a refused registration's ticket holds is no one's: the desk registers
    the citizen on a ticket of its own (an allocate with their keys, as it numbers a
    walk-in), which a doctor whose last place that ticket holds refuses, ``409
    quota_full``. What staff do (the counter page's note says it: tests/central/web/
    test_counter_poli_registration.py): call the refused ticket at the poli's counter and
    mark it not come ("Tidak hadir"); its place goes back, and the desk's allocate then
    gets it. Before, the refusal had given its place back at once."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=1)
    patient = new_hospital_patient(centre.db)
    _, ticket_id = online(
        centre,
        sid,
        {"full_name": patient.full_name, "nik": patient.nik, "birth_date": "1971-01-01"},
    )
    did = what_the_registration_did(centre.db, ticket_id)
    assert did.get("error") == "identity_conflict", did
    assert left(centre, sid) == 0  # the refused ticket holds the doctor's last place
    desk, _ = hospital_desk(centre.url)
    full = allocate(centre.url, desk, sid, patient=patient.keys())
    assert (full.status_code, full.json()["error"]) == (409, "quota_full"), full.text

    call_up_to(centre, ticket_id, POLI, POLI_COUNTER)
    finish(centre, ticket_id, "no-show")
    assert status(centre, ticket_id) == "no_show"
    assert left(centre, sid) == 1  # its place given back
    placed = allocate(centre.url, desk, sid, patient=patient.keys())
    assert placed.status_code == 201, placed.text
    assert left(centre, sid) == 0
