"""An allocate refused for its patient is a patient lookup: counted and audited.

A refused allocate leaves no ticket and no place, yet its answer tells what the
centre holds of a person: ``identity_conflict`` for a date of birth (or name)
that is not the record's of a NIK, ``already_registered`` for someone with a
visit at the poli today. Uncounted and unaudited, a kiosk's token asked it again
and again and read a NIK's date of birth from the one that was numbered. Now each
refusal is a miss of the kiosk's patient budget (the one a patient find's misses
use) and a ``citizen_lookups`` row per key, hashed as a find hashes it; once the
budget is used up the allocate no longer checks the patient (the registration
does), so it tells nothing more. A real centre over HTTP, SQLite and PostgreSQL.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.access import limits
from central.access.audit import utc_now
from central.access.lookup_budget import LookupBudget
from central.hospital import allocate_lookups
from central.tables import audit_log, citizen_lookups
from contract.hospital import PatientKeys
from testkit.centre_accounts import bearer
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_hospital import (
    Patient,
    allocate,
    hospital_kiosk,
    hospital_registration,
    new_hospital_patient,
    new_schedule,
    own_hospital_centre,
    what_the_registration_did,
)
from testkit.centre_requests import results
from testkit.centres import BACKENDS

pytestmark = pytest.mark.timeout(300)

#: The kiosk's patient misses an hour: small, so the test reaches the lock.
MISSES = 5


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_hospital_centre(
        request, tmp_path_factory, "allocate-lookups", "--lookup-not-found-budget", str(MISSES)
    )


def new_kiosk(c: Centre) -> tuple[str, str]:
    """A hospital kiosk of the test's own (its own budgets): its token and its id."""
    token, _ = hospital_kiosk(c.url)
    me = requests.get(f"{c.url}/api/v1/kiosks/me", headers=bearer(token), timeout=10)
    assert me.status_code == 200, me.text
    return token, str(me.json()["kiosk_id"])


def lookups(c: Centre, kiosk_id: str) -> list[Any]:
    with c.db.read() as conn:
        return list(
            conn.execute(
                select(citizen_lookups.c.key_kind, citizen_lookups.c.key_hash)
                .where(citizen_lookups.c.kiosk_id == kiosk_id)
                .order_by(citizen_lookups.c.id)
            )
        )


def find(c: Centre, kiosk: str, patient: Patient, birth_date: str) -> requests.Response:
    return requests.post(
        f"{c.url}/api/v1/hospital/patients/find",
        json={"by": "nik", "value": patient.nik, "birth_date": birth_date},
        headers=bearer(kiosk),
        timeout=10,
    )


def test_guessing_a_date_of_birth_by_allocates_is_counted_and_then_told_nothing(
    centre: Centre,
) -> None:
    kiosk, kiosk_id = new_kiosk(centre)
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    patient = new_hospital_patient(centre.db)
    wrong = {"nik": patient.nik, "birth_date": "1991-01-01"}
    for _ in range(MISSES - 1):
        said = allocate(centre.url, kiosk, sid, patient=wrong)
        assert (said.status_code, said.json()["error"]) == (409, "identity_conflict"), said.text
    audited = lookups(centre, kiosk_id)
    assert [kind for kind, _ in audited] == ["patient_allocate"] * (MISSES - 1)
    assert all(patient.nik not in key_hash for _, key_hash in audited)
    # the same hash a find by that NIK is audited with: staff see one person asked about
    assert find(centre, kiosk, patient, "1991-01-01").status_code == 404
    [*_, (kind, found_hash)] = lookups(centre, kiosk_id)
    assert kind == "patient" and {h for _, h in audited} == {found_hash}

    # The budget is used up (the find was its last miss): the next allocate is numbered
    # without its patient checked, so the one asking learns nothing of them; the find is
    # refused, and staff see the lock.
    again = allocate(centre.url, kiosk, sid, patient=wrong)
    assert again.status_code == 201, again.text
    assert find(centre, kiosk, patient, patient.birth_date.isoformat()).status_code == 429
    with centre.db.read() as conn:
        locked = conn.execute(
            select(audit_log.c.action).where(audit_log.c.subject == f"kiosk:{kiosk_id}")
        ).scalars()
        assert "lookup_budget_locked" in set(locked)


def test_asking_whether_someone_is_at_a_poli_today_is_audited_by_each_key(
    centre: Centre,
) -> None:
    kiosk, kiosk_id = new_kiosk(centre)
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    patient = new_hospital_patient(centre.db)
    made = allocate(centre.url, kiosk, sid, patient=patient.keys())
    assert made.status_code == 201, made.text
    item = hospital_registration(
        made.json()["ticket_id"],
        made.json()["display"],
        "online",
        {"schedule_id": sid, "payer": "jkn", "norm": patient.norm},
        values=patient.values(),
        card_number=None,
    )
    [done] = results(centre.url, kiosk, [item])
    assert done["status"] == "accepted", done
    assert "kodebooking" in what_the_registration_did(centre.db, made.json()["ticket_id"])
    assert lookups(centre, kiosk_id) == [], "a numbered allocate is no lookup"

    said = allocate(centre.url, kiosk, sid, patient=patient.keys())
    assert (said.status_code, said.json()["error"]) == (409, "already_registered"), said.text
    audited = lookups(centre, kiosk_id)
    # one row for each key it named (NIK, BPJS number, No. RM), none of them in clear
    assert [kind for kind, _ in audited] == ["patient_allocate"] * 3
    assert len({key_hash for _, key_hash in audited}) == 3
    for secret in (patient.nik, patient.nomorkartu, patient.norm):
        assert all(secret not in key_hash for _, key_hash in audited)


def test_allocates_asked_all_at_once_are_answered_no_more_than_the_budget(
    centre: Centre,
) -> None:
    """Each allocate holds the kiosk's budget while its patient is checked and counted:
    asked at once, exactly the budget's misses are refused, then none is checked."""
    kiosk, kiosk_id = new_kiosk(centre)
    sid = new_schedule(centre.url, centre.staff, quota_jkn=50)
    patient = new_hospital_patient(centre.db)
    wrong = {"nik": patient.nik, "birth_date": "1991-01-01"}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: allocate(centre.url, kiosk, sid, patient=wrong), range(4 * MISSES))
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * (3 * MISSES) + [409] * MISSES, [a.text for a in answers]
    assert len(lookups(centre, kiosk_id)) == MISSES


def test_a_refusal_counted_after_the_budget_locked_leaves_it_locked(centre: Centre) -> None:
    """Allocates of one kiosk refused at once: each read the budget open, and the one
    counted after another locked it must not lift the lock (it is audited all the same)."""
    _, kiosk_id = new_kiosk(centre)
    budget = LookupBudget(not_found_per_hour=MISSES)
    keys = PatientKeys(nik="1471021505900001", birth_date="1991-01-01")
    _, misses = budget.patient_subjects(kiosk_id)
    for _ in range(MISSES + 2):
        with centre.db.begin() as conn:
            allocate_lookups.refused(
                conn, keys, kiosk_id=kiosk_id, audit_key=b"k" * 32, budget=budget, now=utc_now()
            )
    with centre.db.read() as conn:
        assert limits.locked_for(conn, misses, utc_now()) is not None, "the lock was lifted"
    assert len(lookups(centre, kiosk_id)) == MISSES + 2
