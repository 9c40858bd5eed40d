"""The registration desk is a role staff give a kiosk, never one a kiosk claims.

Over HTTP on SQLite and PostgreSQL. A hospital's self-service kiosk stands in a public
hall; its token can be read from its disk. Saying ``"desk": true`` in a body gets it
nothing: no name search, no phone or address, no visit recorded as the desk's. A kiosk
enrolled with a code an admin made for a desk (``desk`` in the staff API,
``enrol-code --desk``) is the desk, whatever its bodies say; a re-key code sets the role
anew; each is in the audit log. The migration keeps every kiosk and code, and makes none
of them a desk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from alembic import command
from sqlalchemy import insert, select, text

from central.access import staff
from central.access.audit import utc_now
from central.database import Database, alembic_config, migrate
from central.process import RunningCentral
from central.settings import DEMO_HOSPITAL_ENROLMENT_CODE, DEMO_OFFICE_ID
from central.tables import (
    audit_log,
    citizens,
    enrolment_codes,
    hospital_visits,
    kiosks,
    medical_records,
    offices,
)
from kiosk.cli.main import demo_config, main
from kiosk.client.bearer import authorised, ensure_token
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralAuthError
from kiosk.client.hospital_desk import FindBy, find_patients
from kiosk.config import Config
from testkit.centre_accounts import bearer, enrol, new_staff
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    hospital_desk,
    hospital_kiosk,
    hospital_registration,
    hospital_staff,
    new_hospital_patient,
    new_schedule,
    patient_numbers,
)
from testkit.centre_requests import new_id, results

pytestmark = pytest.mark.timeout(120)

SITI = {"norm": "000123", "born": "1985-03-12", "phone": "081378901234"}


def find(url: str, token: str, by: str, value: str, *, desk: bool) -> requests.Response:
    body = {"by": by, "value": value, "birth_date": SITI["born"]} | ({"desk": True} if desk else {})
    return requests.post(
        f"{url}/api/v1/hospital/patients/find", json=body, headers=bearer(token), timeout=10
    )


def code_for(url: str, staff_token: str, **fields: Any) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/staff/enrolment-codes",
        json={"office_id": HOSPITAL, **fields},
        headers=bearer(staff_token),
        timeout=10,
    )


def enrolled(url: str, code: str) -> dict[str, Any]:
    answer = enrol(url, code)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def audited(db: Database, action: str, subject: str) -> list[str]:
    """The ``detail`` of each audit row of ``action`` about ``subject``, oldest first."""
    with db.read() as conn:
        rows = conn.execute(
            select(audit_log.c.detail)
            .where(audit_log.c.action == action, audit_log.c.subject == subject)
            .order_by(audit_log.c.id)
        )
        return [str(r.detail) for r in rows]


@pytest.fixture(scope="module")
def staff_token(central_server: RunningCentral, operator: Database) -> str:
    return hospital_staff(operator, central_server.url)


def test_a_kiosk_saying_it_is_the_desk_gets_no_name_search_phone_or_address(
    central_server: RunningCentral,
) -> None:
    url = central_server.url
    token = hospital_kiosk(url)[0]  # a self-service kiosk: its token, read off its disk
    by_name = find(url, token, "name", "siti am", desk=True)
    assert by_name.status_code == 403, by_name.text
    detail = by_name.json()["detail"]
    assert "meja pendaftaran" in detail and "registration desk" in detail
    by_norm = find(url, token, "norm", SITI["norm"], desk=True)
    assert by_norm.status_code == 200, by_norm.text
    [siti] = by_norm.json()["patients"]
    assert (siti["norm"], siti["phone"], siti["address"]) == (SITI["norm"], "", "")


def test_the_desk_staff_made_searches_names_and_sees_the_phone_whatever_its_body_says(
    central_server: RunningCentral,
) -> None:
    url = central_server.url
    token = hospital_desk(url)[0]
    for says in (True, False):  # old desks send "desk": true; the centre reads its own row
        by_name = find(url, token, "name", "siti am", desk=says)
        assert by_name.status_code == 200, by_name.text
        [siti] = by_name.json()["patients"]
        assert (siti["norm"], siti["phone"]) == (SITI["norm"], SITI["phone"])


def _registered_source(
    url: str, operator: Database, token: str, staff_token: str, *, says_desk: bool
) -> str:
    """Register a new patient's visit from kiosk ``token``; the visit's ``source``."""
    patient = new_hospital_patient(operator)
    sid = new_schedule(url, staff_token, quota_jkn=2)
    ticket_id = new_id()
    made = allocate(url, token, sid, ticket_id=ticket_id)
    assert made.status_code == 201, made.text
    hospital = {
        "schedule_id": sid,
        "payer": "jkn",
        "norm": patient.norm,
        "nomorkartu": patient.nomorkartu,
        "new_patient": False,
        "jeniskunjungan": 1,
        "nomorreferensi": "0001R0011225V000999",
    }
    item = hospital_registration(
        ticket_id,
        made.json()["display"],
        "online",
        hospital,
        values=patient.values(),
        card_number=None,
    )
    if says_desk:
        item["body"]["desk"] = True
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", done
    with operator.read() as conn:
        source = conn.execute(
            select(hospital_visits.c.source).where(hospital_visits.c.ticket_id == ticket_id)
        ).scalar_one()
    return str(source)


def test_a_visit_is_the_desks_only_when_a_desk_registered_it(
    central_server: RunningCentral, operator: Database, staff_token: str
) -> None:
    url = central_server.url
    kiosk, desk = hospital_kiosk(url)[0], hospital_desk(url)[0]
    assert _registered_source(url, operator, kiosk, staff_token, says_desk=True) == "kiosk"
    assert _registered_source(url, operator, desk, staff_token, says_desk=True) == "desk"
    assert _registered_source(url, operator, desk, staff_token, says_desk=False) == "desk"


def test_an_admin_makes_a_desk_with_its_code_and_a_rekey_code_sets_the_role_anew(
    central_server: RunningCentral, operator: Database, staff_token: str
) -> None:
    url = central_server.url
    made = code_for(url, staff_token, note="Meja pendaftaran 1", desk=True)
    assert made.status_code == 201, made.text
    assert made.json()["desk"] is True
    desk = enrolled(url, made.json()["code"])
    kiosk_id = desk["kiosk_id"]
    assert find(url, desk["token"], "name", "siti am", desk=True).status_code == 200
    listed = requests.get(
        f"{url}/api/v1/staff/kiosks",
        params={"office_id": HOSPITAL},
        headers=bearer(staff_token),
        timeout=10,
    )
    assert listed.status_code == 200, listed.text
    [row] = [k for k in listed.json() if k["kiosk_id"] == kiosk_id]
    assert row["desk"] is True
    assert audited(operator, "kiosk.enrolled", HOSPITAL)[-1] == "registration desk"

    plain = code_for(url, staff_token, kiosk_id=kiosk_id)  # re-keyed, made no desk
    assert plain.status_code == 201, plain.text
    assert plain.json()["desk"] is False
    again = enrolled(url, plain.json()["code"])
    assert again["kiosk_id"] == kiosk_id
    assert find(url, again["token"], "name", "siti am", desk=True).status_code == 403
    assert audited(operator, "enrolment_code.created_rekey", kiosk_id) == [""]

    back = code_for(url, staff_token, kiosk_id=kiosk_id, desk=True)  # a desk again
    assert back.status_code == 201, back.text
    third = enrolled(url, back.json()["code"])
    assert find(url, third["token"], "name", "siti am", desk=True).status_code == 200
    assert audited(operator, "enrolment_code.created_rekey", kiosk_id) == [
        "",
        "registration desk",
    ]
    assert audited(operator, "kiosk.rekeyed", HOSPITAL)[-2:] == ["", "registration desk"]


def test_the_operator_command_makes_a_desk_code(
    central_server: RunningCentral,
    operator: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, db = central_server.url, central_server.db_url

    def server_cli(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        status = main(["server", *args, "--db", db])
        out = capsys.readouterr()
        return status, out.out, out.err

    status, code, said = server_cli("enrol-code", "--office", HOSPITAL, "--desk")
    assert status == 0, said
    assert "registration desk" in said
    desk = enrolled(url, code.strip())
    assert find(url, desk["token"], "name", "siti am", desk=True).status_code == 200
    status, code, said = server_cli("enrol-code", "--office", HOSPITAL)
    assert status == 0, said
    kiosk = enrolled(url, code.strip())
    assert find(url, kiosk["token"], "name", "siti am", desk=True).status_code == 403
    status, listing, said = server_cli("kiosks")
    assert status == 0, said
    lines = {line.split()[0]: line for line in listing.splitlines()}
    assert lines[desk["kiosk_id"]].endswith("(registration desk)")
    assert "registration desk" not in lines[kiosk["kiosk_id"]]
    assert audited(operator, "enrolment_code.created", HOSPITAL)[-2:] == ["registration desk", ""]


def _roles(db: Database) -> tuple[dict[str, bool], dict[str, bool]]:
    with db.read() as conn:
        kiosk_rows = conn.execute(select(kiosks.c.id, kiosks.c.desk)).all()
        code_rows = conn.execute(select(enrolment_codes.c.note, enrolment_codes.c.desk)).all()
    return {r.id: bool(r.desk) for r in kiosk_rows}, {r.note: bool(r.desk) for r in code_rows}


def test_the_migration_keeps_every_kiosk_and_code_and_makes_none_a_desk(db_url: str) -> None:
    db = Database(db_url)
    try:
        config = alembic_config(db)
        command.upgrade(config, "0023_ticket_held_at")
        now = utc_now()
        ids = [str(uuid.uuid4()) for _ in range(2)]
        with db.begin() as conn:  # the release before: no desk column anywhere
            conn.execute(
                insert(offices).values(id="rs-x", name="RS X", city="Pekanbaru", active=True)
            )
            for n, kiosk_id in enumerate(ids):
                conn.execute(
                    text(
                        "INSERT INTO enrolment_codes (code_hash, office_id, created_at, "
                        "reusable, note) VALUES (:h, 'rs-x', :at, false, :note)"
                    ),
                    {"h": f"{n:064d}", "at": now, "note": f"code {n}"},
                )
                conn.execute(
                    text(
                        "INSERT INTO kiosks (id, office_id, name, enrolled_at, kiosk_code) "
                        "VALUES (:id, 'rs-x', :name, :at, :code)"
                    ),
                    {"id": kiosk_id, "name": f"kiosk {n}", "at": now, "code": f"K{n + 1:02d}"},
                )
        migrate(db)
        assert _roles(db) == (
            {ids[0]: False, ids[1]: False},
            {"code 0": False, "code 1": False},
        )
        with db.begin() as conn:  # staff made one of each a desk
            conn.execute(kiosks.update().where(kiosks.c.id == ids[1]).values(desk=True))
            conn.execute(
                enrolment_codes.update().where(enrolment_codes.c.note == "code 1").values(desk=True)
            )
        command.downgrade(config, "0023_ticket_held_at")
        with db.read() as conn:
            kept = conn.execute(text("SELECT id, name FROM kiosks ORDER BY name")).all()
            notes = conn.execute(text("SELECT note FROM enrolment_codes ORDER BY note")).all()
        assert [tuple(r) for r in kept] == [(ids[0], "kiosk 0"), (ids[1], "kiosk 1")]
        assert [r.note for r in notes] == ["code 0", "code 1"]
        migrate(db)
        assert _roles(db) == (
            {ids[0]: False, ids[1]: False},
            {"code 0": False, "code 1": False},
        )
    finally:
        db.dispose()


def _patient_rows(db: Database, nik: str) -> tuple[Any, list[str]]:
    """The citizen row of ``nik`` (None: none) and its No. RMs."""
    with db.read() as conn:
        citizen = conn.execute(select(citizens).where(citizens.c.nik == nik)).first()
        norms = (
            []
            if citizen is None
            else list(
                conn.execute(
                    select(medical_records.c.medical_record_number).where(
                        medical_records.c.citizen_id == citizen.id
                    )
                ).scalars()
            )
        )
    return citizen, norms


def test_only_the_desk_adds_a_patient_or_learns_a_nik_s_no_rm(
    central_server: RunningCentral, operator: Database
) -> None:
    """Adding a patient is the desk's (a clerk checks the person): a self-service kiosk's
    token, read off its disk, neither writes a citizen and a No. RM for any NIK it likes,
    nor fills in an existing patient's phone and address, nor is told a NIK's No. RM with
    no date of birth of the record to match (the NIK's own digits pass the check)."""
    url = central_server.url
    kiosk, desk = hospital_kiosk(url)[0], hospital_desk(url)[0]
    known = new_hospital_patient(operator)  # no phone, no address on record
    nik_born = known.birth_date.isoformat()  # what the NIK's own digits say
    claim = {"nik": known.nik, "name": "Siapa Saja", "birth_date": nik_born, "sex": "L",
             "phone": "081299990000", "address": "Jl. Palsu 1"}  # fmt: skip
    for says in (True, False):
        taken = requests.post(
            f"{url}/api/v1/hospital/patients",
            json=claim | ({"desk": True} if says else {}),
            headers=bearer(kiosk),
            timeout=10,
        )
        assert taken.status_code in (403, 422), taken.text
        assert known.norm not in taken.text
    citizen, norms = _patient_rows(operator, known.nik)
    assert (citizen.phone, citizen.address, norms) == (None, None, [known.norm])

    fresh, fresh_born = patient_numbers()[0], "1990-05-15"
    added = requests.post(
        f"{url}/api/v1/hospital/patients",
        json={"nik": fresh, "name": "Bukan Pasien", "birth_date": fresh_born, "sex": "L"},
        headers=bearer(kiosk),
        timeout=10,
    )
    assert added.status_code == 403, added.text
    assert "meja pendaftaran" in added.json()["detail"]
    assert _patient_rows(operator, fresh) == (None, [])
    by_desk = requests.post(
        f"{url}/api/v1/hospital/patients",
        json={"nik": fresh, "name": "Pasien Meja", "birth_date": fresh_born, "sex": "L"},
        headers=bearer(desk),
        timeout=10,
    )
    assert by_desk.status_code == 201, by_desk.text
    assert _patient_rows(operator, fresh)[1] == [by_desk.json()["norm"]]


def test_an_enrolled_desk_becomes_one_as_the_operations_guide_says(
    central_server: RunningCentral, staff_token: str, tmp_path: Path
) -> None:
    """After the upgrade a desk is no desk until re-keyed. A re-key code put in its
    ``central.enrolment_code`` is not enough: a kiosk whose token still works never
    trades it. Revoking the kiosk then makes its next request enrol with the code
    (docs/operations.md), and it searches names again, with no file touched by hand."""
    url = central_server.url
    config = demo_config(tmp_path, url, DEMO_HOSPITAL_ENROLMENT_CODE, office_id=HOSPITAL)
    client = CentralClient.from_config(config.central)
    assert ensure_token(client, config)
    kiosk_id = client.kiosk_me().kiosk_id

    def by_name(client: CentralClient, config: Config) -> int:
        try:
            found = authorised(
                client,
                config,
                lambda: find_patients(client, FindBy.NAME, "siti am", dt.date(1985, 3, 12)),
            )
        except CentralAuthError as exc:
            assert exc.status is not None
            return exc.status
        assert [p.norm for p in found] == [SITI["norm"]]
        return 200

    assert by_name(client, config) == 403
    made = code_for(url, staff_token, kiosk_id=kiosk_id, desk=True)
    assert made.status_code == 201, made.text
    rekeyed = dataclasses.replace(
        config,
        central=dataclasses.replace(config.central, enrolment_code=made.json()["code"]),
    )
    restarted = CentralClient.from_config(rekeyed.central)  # the code put in, the kiosk restarted
    assert by_name(restarted, rekeyed) == 403  # its token still works: the code lies unused
    revoked = requests.post(
        f"{url}/api/v1/staff/kiosks/{kiosk_id}/revoke", headers=bearer(staff_token), timeout=10
    )
    assert revoked.status_code == 200, revoked.text
    assert by_name(restarted, rekeyed) == 200  # refused, enrolled again with the code: a desk
    assert restarted.kiosk_me().kiosk_id == kiosk_id  # the same kiosk, its code and tickets


def test_only_an_admin_of_the_hospital_makes_its_desk(
    central_server: RunningCentral, operator: Database
) -> None:
    """A staff member who is no admin makes no desk code, not even for their own
    hospital; an admin of another office makes none for the hospital, neither a new
    desk nor a re-key that turns one of the hospital's kiosks into one; nothing is
    written for any refusal."""
    url = central_server.url
    kiosk_id = enrolled(url, DEMO_HOSPITAL_ENROLMENT_CODE)["kiosk_id"]
    with operator.read() as conn:
        before = conn.execute(select(enrolment_codes.c.id)).all()
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=HOSPITAL)
    other_admin = new_staff(operator, url, staff.Role.ADMIN, office_id=DEMO_OFFICE_ID)
    for token in (clerk, other_admin):
        for fields in ({"desk": True}, {"desk": True, "kiosk_id": kiosk_id}):
            refused = code_for(url, token, **fields)
            assert refused.status_code == 403, (fields, refused.text)
    other_office = requests.post(  # the other office's own code naming the hospital's kiosk
        f"{url}/api/v1/staff/enrolment-codes",
        json={"office_id": DEMO_OFFICE_ID, "kiosk_id": kiosk_id, "desk": True},
        headers=bearer(other_admin),
        timeout=10,
    )
    assert other_office.status_code == 404, other_office.text
    with operator.read() as conn:
        assert conn.execute(select(enrolment_codes.c.id)).all() == before
        desk = conn.execute(select(kiosks.c.desk).where(kiosks.c.id == kiosk_id)).scalar_one()
    assert bool(desk) is False
