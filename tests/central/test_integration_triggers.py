"""What the triggers write as a hospital visit moves (on a real database): nothing for a
target that is off or a ticket that is no visit; antrean/add with every field and tasks
1-3 at registration; 4-7 through the poli and the pharmacy; 99 and batal at a cancel."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select

from central.database import Database
from central.integrations import outbox, triggers
from central.integrations.bpjs import reference
from central.integrations.bpjs.antrean import AntreanClient
from central.integrations.config import BpjsSettings
from central.tables import (
    call_events,
    doctor_quota,
    doctor_schedules,
    hospital_visits,
    integration_outbox,
    offices,
    services,
)
from testkit.bpjs_standin import ADD_FIELDS, BpjsStandIn, schedules_of

AT = dt.datetime(2026, 12, 5, 1, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 5)


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    database = Database(migrated_db_url)
    try:
        with database.begin() as conn:
            conn.execute(
                insert(offices).values(id="rs", name="RSUD", city="Pekanbaru", active=True)
            )
            for service_id, name, kodepoli in (
                ("poli-dalam", "Poli Penyakit Dalam", "INT"),
                ("farmasi", "Farmasi", None),
            ):
                conn.execute(
                    insert(services).values(
                        id=service_id,
                        office_id="rs",
                        category="kesehatan",
                        name=name,
                        ticket_prefix="A",
                        counter="1",
                        active=True,
                        kodepoli=kodepoli,
                    )
                )
            conn.execute(
                insert(doctor_quota).values(
                    schedule_id="s1",
                    day=DAY,
                    office_id="rs",
                    quota_jkn=30,
                    quota_non_jkn=10,
                    used_jkn=4,
                    used_non_jkn=1,
                    next_angka=6,
                )
            )
        yield database
    finally:
        database.dispose()


def _visit(
    db: Database,
    ticket_id: str,
    source: str = "kiosk",
    payer: str = "jkn",
    nik: str = "1471010101800001",
) -> str:
    """A visit of the patient ``nik`` (one live visit per patient, poli and day: a second
    visit of the day is another patient's)."""
    kodebooking = f"KB{ticket_id}"
    with db.begin() as conn:
        conn.execute(
            insert(hospital_visits).values(
                ticket_id=ticket_id,
                kodebooking=kodebooking,
                office_id="rs",
                service_id="poli-dalam",
                schedule_id="s1",
                kodepoli="INT",
                kodedokter="31001",
                doctor_name="dr. Rahmat Hidayat, Sp.PD",
                jampraktek="08:00-14:00",
                day=DAY,
                payer=payer,
                norm="000123",
                nomorkartu="0001234567890" if payer == "jkn" else None,
                nik=nik,
                phone="081234567890",
                new_patient=False,
                jeniskunjungan=1,
                nomorreferensi="0001R0011226K000001",
                nomorantrean="INT-005",
                angkaantrean=5,
                estimated_at="08:40",
                source=source,
                state="registered",
                over_quota=False,
                created_at=AT,
                cancel_reason="Pasien tidak jadi berobat",
            )
        )
    return kodebooking


def _switch(db: Database, **on: bool) -> None:
    with db.begin() as conn:
        outbox.set_targets(conn, {t: "d" for t, yes in on.items() if yes}, AT)


def _rows(db: Database) -> list[Any]:
    with db.read() as conn:
        return list(conn.execute(select(integration_outbox).order_by(integration_outbox.c.id)))


def _step(db: Database, ticket_id: str, queue: str, kind: str) -> None:
    """A counter's step ``kind`` as central.office.calls.record makes it: its event written
    first, then the triggers called with the ticket as the step left it (``queue``: where
    it stands after the step, the pharmacy's for a transfer there)."""
    with db.begin() as conn:
        conn.execute(
            insert(call_events).values(
                office_id="rs",
                at=AT,
                day=DAY,
                kind=kind,
                ticket_id=ticket_id,
                display="A-005",
                queue_id=queue,
                counter="1",
                actor="staff:a",
            )
        )
        triggers.after_counter_step(conn, {"id": ticket_id, "queue_id": queue}, kind, AT)


def test_nothing_is_kept_for_a_target_that_is_off(db: Database) -> None:
    _visit(db, "t1")
    with db.begin() as conn:
        triggers.visit_registered(conn, "t1", AT)
        triggers.visit_cancelled(conn, "t1", AT)
    _step(db, "t1", "poli-dalam", "call")
    assert _rows(db) == []


def test_a_registration_is_add_then_tasks_1_2_3_with_every_field(db: Database) -> None:
    _switch(db, bpjs=True)
    code = _visit(db, "t1")
    for _ in range(2):  # the registration's arrival seen twice: written once
        with db.begin() as conn:
            triggers.visit_registered(conn, "t1", AT)
    rows = _rows(db)
    assert [r.dedupe_key for r in rows] == [
        f"bpjs:add:{code}",
        f"bpjs:task:{code}:1",
        f"bpjs:task:{code}:2",
        f"bpjs:task:{code}:3",
    ]
    assert {r.order_key for r in rows} == {code} and {r.office_id for r in rows} == {"rs"}
    add = json.loads(rows[0].body)
    assert set(add) - {"estimated_local"} == set(ADD_FIELDS) - {"estimasidilayani"}
    assert add["estimated_local"] == "2026-12-05T08:40"
    assert (add["namapoli"], add["kodedokter"], add["jenispasien"]) == (
        "Poli Penyakit Dalam",
        31001,
        "JKN",
    )
    assert (add["kuotajkn"], add["sisakuotajkn"], add["kuotanonjkn"], add["sisakuotanonjkn"]) == (
        30,
        26,
        10,
        9,
    )
    waktu = int(AT.timestamp() * 1000)
    # One moment for tasks 1, 2 and 3: each written a millisecond after the one before.
    assert [json.loads(r.body)["waktu"] for r in rows[1:]] == [waktu, waktu + 1, waktu + 2]
    assert json.loads(rows[3].body) == {"kodebooking": code, "taskid": 3, "waktu": waktu + 2}


def test_a_mobile_jkn_check_in_is_tasks_only_and_a_paying_patient_non_jkn(db: Database) -> None:
    _switch(db, bpjs=True)
    mjkn = _visit(db, "t1", source="mjkn")
    umum = _visit(db, "t2", payer="umum", nik="1471010101800002")
    with db.begin() as conn:
        triggers.visit_registered(conn, "t1", AT)  # Mobile JKN added it itself
        assert _rows(db) == []
        triggers.visit_checked_in(conn, "t1", AT)
        triggers.visit_registered(conn, "t2", AT)
    keys = [r.dedupe_key for r in _rows(db)]
    assert keys[:3] == [f"bpjs:task:{mjkn}:{n}" for n in (1, 2, 3)]
    (add,) = [json.loads(r.body) for r in _rows(db) if r.kind == "add"]
    assert (add["kodebooking"], add["jenispasien"], add["nomorkartu"]) == (umum, "NON JKN", "")


def test_poli_then_pharmacy_steps_are_tasks_4_to_7_once_each(db: Database) -> None:
    _switch(db, bpjs=True, satusehat=True)
    code = _visit(db, "t1")
    _step(db, "t1", "poli-dalam", "call")
    _step(db, "t1", "poli-dalam", "recall")  # no task
    _step(db, "t1", "poli-dalam", "call")  # called back: still one task 4
    _step(db, "t1", "farmasi", "transfer")  # sent to the pharmacy: waiting there
    _step(db, "t1", "farmasi", "call")
    _step(db, "t1", "farmasi", "served")
    _step(db, "other-ticket", "poli-dalam", "call")  # no visit: nothing
    bpjs = [r.dedupe_key for r in _rows(db) if r.target == "bpjs"]
    assert bpjs == [f"bpjs:task:{code}:{n}" for n in (4, 5, 6, 7)]
    encounter = [json.loads(r.body)["status"] for r in _rows(db) if r.target == "satusehat"]
    assert encounter == ["in-progress", "finished"]
    assert {r.order_key for r in _rows(db) if r.target == "satusehat"} == {"encounter:t1"}


def test_a_cancel_is_task_99_then_batal_and_a_no_show_is_99(db: Database) -> None:
    _switch(db, bpjs=True)
    cancelled = _visit(db, "t1")
    absent = _visit(db, "t2", nik="1471010101800002")
    with db.begin() as conn:
        triggers.visit_cancelled(conn, "t1", AT)
    _step(db, "t2", "poli-dalam", "no_show")
    rows = _rows(db)
    assert [r.dedupe_key for r in rows] == [
        f"bpjs:task:{cancelled}:99",
        f"bpjs:batal:{cancelled}",
        f"bpjs:task:{absent}:99",
    ]
    assert json.loads(rows[1].body) == {
        "kodebooking": cancelled,
        "keterangan": "Pasien tidak jadi berobat",
    }


def test_a_no_show_at_the_pharmacy_after_the_doctor_cancels_nothing(db: Database) -> None:
    """Seen at the poli, then not come to collect the medicine: the visit happened, so
    BPJS is told no 99 after tasks 4-6, nor SATUSEHAT a cancelled Encounter."""
    _switch(db, bpjs=True, satusehat=True)
    code = _visit(db, "t1")
    _step(db, "t1", "poli-dalam", "call")
    _step(db, "t1", "farmasi", "transfer")
    _step(db, "t1", "farmasi", "call")
    _step(db, "t1", "farmasi", "no_show")
    bpjs = [r.dedupe_key for r in _rows(db) if r.target == "bpjs"]
    assert bpjs == [f"bpjs:task:{code}:{n}" for n in (4, 5, 6)]
    encounter = [json.loads(r.body)["status"] for r in _rows(db) if r.target == "satusehat"]
    assert encounter == ["in-progress", "finished"]


def test_a_transfer_within_the_poli_is_no_task_5(db: Database) -> None:
    """Sent to another counter of its poli, the ticket waits there for the doctor still:
    no task 5, nor a finished Encounter, until it is sent on or served."""
    _switch(db, bpjs=True, satusehat=True)
    code = _visit(db, "t1")
    _step(db, "t1", "poli-dalam", "call")
    _step(db, "t1", "poli-dalam", "transfer")  # to another of the poli's counters
    assert [r.dedupe_key for r in _rows(db) if r.target == "bpjs"] == [f"bpjs:task:{code}:4"]
    encounter = [json.loads(r.body)["status"] for r in _rows(db) if r.target == "satusehat"]
    assert encounter == ["in-progress"]


def test_a_no_show_at_the_poli_after_the_pharmacy_sent_the_patient_back_cancels_nothing(
    db: Database,
) -> None:
    """Seen at the poli, sent on to the pharmacy and sent back to the poli, then not come
    when the poli called again: the doctor saw the patient, the visit happened, so BPJS is
    told no 99 nor SATUSEHAT a cancelled Encounter, as for a no-show at the pharmacy."""
    _switch(db, bpjs=True, satusehat=True)
    code = _visit(db, "t1")
    _step(db, "t1", "poli-dalam", "call")
    _step(db, "t1", "farmasi", "transfer")
    _step(db, "t1", "farmasi", "call")
    _step(db, "t1", "poli-dalam", "transfer")  # sent back to the poli
    _step(db, "t1", "poli-dalam", "call")
    _step(db, "t1", "poli-dalam", "no_show")
    bpjs = [r.dedupe_key for r in _rows(db) if r.target == "bpjs"]
    assert bpjs == [f"bpjs:task:{code}:{n}" for n in (4, 5, 6)]
    encounter = [json.loads(r.body)["status"] for r in _rows(db) if r.target == "satusehat"]
    assert encounter == ["in-progress", "finished"]


def test_bpjs_schedules_are_imported_into_the_office_s(db: Database) -> None:
    standin = BpjsStandIn()
    try:
        settings = BpjsSettings(
            antrean_url=standin.url,
            cons_id=standin.cons_id,
            secret_key=standin.secret,
            user_key=standin.user_key,
            ws_rs_username="rs",
            ws_rs_password="sandi",  # noqa: S106 - a test value
        )
        with db.read() as conn:
            polis = sorted(reference.polis_of(conn, "rs"))
        rows, none = reference.fetch(AntreanClient(settings), [*polis, "XYZ"], DAY)
    finally:
        standin.close()
    assert none == ["XYZ: Data tidak ditemukan"]
    rows = [*rows, {**rows[0], "kodepoli": "ANA"}, {**rows[0], "hari": 9}]
    with db.begin() as conn:
        conn.execute(
            insert(doctor_schedules).values(
                id=reference.schedule_id("rs", "INT", 31001, 1),
                office_id="rs",
                service_id="poli-dalam",
                kodedokter="31001",
                doctor_name="lama",
                weekday=1,
                starts="07:00",
                ends="09:00",
                quota_jkn=1,
                quota_non_jkn=7,
                minutes_per_patient=12,
                updated_at=AT,
                updated_by="staff:a",
            )
        )
        done = reference.store(conn, "rs", rows, actor="staff:b", now=AT)
    assert done.written == 7
    assert done.skipped == (
        "ANA: poli tidak ada di katalog kantor ini",
        "INT 31001: jadwal tidak terbaca",
    )
    with db.read() as conn:
        kept = conn.execute(
            select(doctor_schedules).where(
                doctor_schedules.c.id == reference.schedule_id("rs", "INT", 31001, 1)
            )
        ).one()
        count = len(conn.execute(select(doctor_schedules.c.id)).all())
    assert (kept.doctor_name, kept.starts, kept.ends, kept.quota_jkn) == (
        "dr. Rahmat Hidayat, Sp.PD",
        "08:00",
        "14:00",
        30,
    )
    assert (kept.quota_non_jkn, kept.minutes_per_patient, kept.updated_by) == (7, 12, "staff:b")
    assert count == 7


def test_a_doctor_imported_at_two_offices_keeps_a_schedule_at_each(db: Database) -> None:
    # kodedokter is BPJS's, national: a specialist practising at two hospitals of one
    # centre comes in both imports; neither may take over the other office's rows.
    rows = schedules_of("INT")
    with db.begin() as conn:
        other = dict(
            conn.execute(select(services).where(services.c.id == "poli-dalam")).one()._mapping
        )
        second = other["office_id"] + "-2"
        office = dict(
            conn.execute(select(offices).where(offices.c.id == other["office_id"])).one()._mapping
        )
        conn.execute(insert(offices).values(**{**office, "id": second}))
        conn.execute(
            insert(services).values(**{**other, "id": "poli-dalam-2", "office_id": second})
        )
        first = reference.store(conn, other["office_id"], rows, actor="staff:a", now=AT)
        again = reference.store(conn, second, rows, actor="staff:b", now=AT)
    assert first.written == again.written == 7
    with db.read() as conn:
        placed = Counter(
            (r.office_id, r.service_id)
            for r in conn.execute(
                select(doctor_schedules).where(doctor_schedules.c.kodedokter == "31001")
            )
        )
    assert placed == {(other["office_id"], "poli-dalam"): 7, (second, "poli-dalam-2"): 7}
    long_office = "o" * 60
    assert reference.schedule_id(long_office, "INT", 31001, 1) != reference.schedule_id(
        long_office + "x", "INT", 31001, 1
    )
    assert len(reference.schedule_id(long_office, "INT", 31001, 1)) <= 64


def test_a_call_at_the_moment_of_registration_is_still_after_task_3(db: Database) -> None:
    _switch(db, bpjs=True)
    code = _visit(db, "t1")
    with db.begin() as conn:
        triggers.visit_registered(conn, "t1", AT)
    _step(db, "t1", "poli-dalam", "call")  # the same AT
    _step(db, "t1", "poli-dalam", "served")
    tasks = [json.loads(r.body) for r in _rows(db) if r.kind == "task"]
    assert [t["taskid"] for t in tasks] == [1, 2, 3, 4, 5]
    times = [t["waktu"] for t in tasks]
    assert times == sorted(set(times)), "each task strictly after the one before"
    assert all(t["kodebooking"] == code for t in tasks)


def test_a_registration_arriving_after_the_poli_called_gets_the_tasks_it_passed(
    db: Database,
) -> None:
    # An offline kiosk: the ticket was called and served at the poli before its
    # registration reached the centre; the steps found no visit then.
    _switch(db, bpjs=True, satusehat=True)
    called, served = AT - dt.timedelta(minutes=20), AT - dt.timedelta(minutes=5)
    with db.begin() as conn:
        for kind, at in (("call", called), ("served", served)):
            conn.execute(
                insert(call_events).values(
                    office_id="rs",
                    at=at,
                    day=DAY,
                    kind=kind,
                    ticket_id="t1",
                    display="A-005",
                    queue_id="poli-dalam",
                    counter="3",
                    actor="staff:a",
                )
            )
            triggers.after_counter_step(conn, {"id": "t1", "queue_id": "poli-dalam"}, kind, at)
    assert _rows(db) == []  # no visit yet: nothing then
    code = _visit(db, "t1")
    with db.begin() as conn:
        triggers.visit_registered(conn, "t1", AT)
    rows = _rows(db)
    tasks = [json.loads(r.body) for r in rows if r.kind == "task"]
    assert [t["taskid"] for t in tasks] == [1, 2, 3, 4, 5]
    times = [t["waktu"] for t in tasks]
    assert times == sorted(set(times))
    assert next(r.dedupe_key for r in rows if r.target == "bpjs") == f"bpjs:add:{code}"
    encounter = [json.loads(r.body)["status"] for r in rows if r.target == "satusehat"]
    assert encounter == ["arrived", "in-progress", "finished"]
