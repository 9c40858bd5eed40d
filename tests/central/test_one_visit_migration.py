"""``0019_one_visit_a_day`` on a database already holding duplicate live visits.

A hospital upgrades a centre in which the race of a kiosk and Mobile JKN (or of two
kiosks) left a patient two live visits at one poli on one day. The migration must
build its unique indexes all the same, keep one visit of each patient's day (one
served, else one the patient came for, else the first recorded), close the others as cancelled with
their quota places given back and a Mobile JKN duplicate's booking cancelled, leave
everything else as it was, and come down and up again. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from central.database import Database, alembic_config, migrate
from central.tables import (
    bookings,
    citizens,
    doctor_quota,
    hospital_visits,
    integration_outbox,
    offices,
    quota_takes,
    services,
)

BEFORE = "0018_ticket_fallback_index"
MIGRATION = importlib.import_module("central.migrations.versions.0019_one_visit_a_day")
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 7)
NEXT_DAY = dt.date(2026, 12, 8)


def _visit(conn: Connection, **fields: Any) -> int:
    row: dict[str, Any] = {
        "ticket_id": None,
        "office_id": "rs",
        "service_id": "poli-dalam",
        "schedule_id": "s1",
        "kodepoli": "INT",
        "kodedokter": "31001",
        "doctor_name": "dr. Rahmat",
        "jampraktek": "08:00-14:00",
        "day": DAY,
        "payer": "jkn",
        "citizen_id": None,
        "nik": None,
        "new_patient": False,
        "jeniskunjungan": 1,
        "nomorantrean": "INT-001",
        "angkaantrean": 1,
        "estimated_at": "08:00",
        "source": "kiosk",
        "state": "registered",
        "over_quota": False,
        "created_at": NOW,
        **fields,
    }
    visit_id: int = conn.execute(
        insert(hospital_visits).values(**row).returning(hospital_visits.c.id)
    ).scalar_one()
    if row["state"] != "cancelled":
        key = row["ticket_id"] or f"booking:{row['kodebooking']}"
        conn.execute(
            insert(quota_takes).values(
                ticket_id=key,
                schedule_id=row["schedule_id"],
                day=row["day"],
                payer=row["payer"],
                angka=row["angkaantrean"],
                kodebooking=row["kodebooking"],
                taken_at=NOW,
                released_at=None,
            )
        )
    return visit_id


def _citizen(conn: Connection, nik: str) -> int:
    citizen: int = conn.execute(
        insert(citizens)
        .values(nik=nik, full_name="Pasien", updated_at=NOW)
        .returning(citizens.c.id)
    ).scalar_one()
    return citizen


def _fill(db: Database) -> dict[str, int]:
    """Duplicates of three kinds, and visits that are none; the visits' ids by name."""
    with db.begin() as conn:
        conn.execute(insert(offices).values(id="rs", name="RS", city="Pekanbaru", active=True))
        for poli, kode in (("poli-dalam", "INT"), ("poli-anak", "ANA")):
            conn.execute(
                insert(services).values(
                    id=poli,
                    office_id="rs",
                    category="kesehatan",
                    name=poli,
                    ticket_prefix=kode[0],
                    counter="1",
                    active=True,
                    kodepoli=kode,
                )
            )
        ana, budi, citra = (
            _citizen(conn, "1471015203850001"),
            _citizen(conn, "1471011708790002"),
            _citizen(conn, "1471010101800003"),
        )
        conn.execute(
            insert(bookings).values(
                code="111111111",
                office_id="rs",
                service_id="poli-dalam",
                day=DAY,
                starts_at="08:00",
                ends_at="14:00",
                slot_start=NOW,
                slot_end=NOW,
                no_show_after=NOW + dt.timedelta(hours=8),
                citizen_id=ana,
                language="id",
                state="booked",
                created_at=NOW,
                state_changed_at=NOW,
                changed_by="mjkn",
                source="mjkn",
            )
        )
        ids = {
            # Ana: booked in the app, then registered at a kiosk the same day: she came
            # with the kiosk's ticket, which is kept; the booking and its place go
            "ana_mjkn": _visit(
                conn,
                kodebooking="111111111",
                booking_code="111111111",
                citizen_id=ana,
                nik="1471015203850001",
                source="mjkn",
                state="booked",
            ),
            "ana_kiosk": _visit(
                conn,
                ticket_id="t-ana",
                kodebooking="KB-ANA",
                citizen_id=ana,
                nik="1471015203850001",
                angkaantrean=2,
            ),
            # Ana at another poli and on another day: no duplicate
            "ana_anak": _visit(
                conn,
                ticket_id="t-ana-anak",
                kodebooking="KB-ANA-ANAK",
                citizen_id=ana,
                nik="1471015203850001",
                service_id="poli-anak",
                schedule_id="s2",
            ),
            "ana_tomorrow": _visit(
                conn,
                ticket_id="t-ana-2",
                kodebooking="KB-ANA-2",
                citizen_id=ana,
                nik="1471015203850001",
                day=NEXT_DAY,
            ),
            # a NIK the city does not know, at a kiosk and at the desk: the one served is
            # kept, though recorded second
            "nik_kiosk": _visit(
                conn, ticket_id="t-nik-1", kodebooking="KB-NIK-1", nik="1471012302910004"
            ),
            "nik_desk": _visit(
                conn,
                ticket_id="t-nik-2",
                kodebooking="KB-NIK-2",
                nik="1471012302910004",
                source="desk",
                state="done",
                angkaantrean=3,
            ),
            # Budi once by his record, once by NIK alone: one patient
            "budi_record": _visit(
                conn,
                ticket_id="t-budi-1",
                kodebooking="KB-BUDI-1",
                citizen_id=budi,
                nik="1471011708790002",
            ),
            "budi_nik": _visit(
                conn, ticket_id="t-budi-2", kodebooking="KB-BUDI-2", nik="1471011708790002"
            ),
            # Citra: a visit cancelled before, and her one live visit
            "citra_cancelled": _visit(
                conn,
                ticket_id="t-citra-1",
                kodebooking="KB-CITRA-1",
                citizen_id=citra,
                nik="1471010101800003",
                state="cancelled",
                cancel_reason="Pasien batal",
            ),
            "citra": _visit(
                conn,
                ticket_id="t-citra-2",
                kodebooking="KB-CITRA-2",
                citizen_id=citra,
                nik="1471010101800003",
            ),
        }
        for schedule, day, used in (("s1", DAY, 7), ("s2", DAY, 1), ("s1", NEXT_DAY, 1)):
            conn.execute(
                insert(doctor_quota).values(
                    schedule_id=schedule,
                    day=day,
                    office_id="rs",
                    quota_jkn=10,
                    quota_non_jkn=10,
                    used_jkn=used,
                    used_non_jkn=0,
                    next_angka=used + 1,
                )
            )
    return ids


CLOSED = {"ana_mjkn", "nik_kiosk", "budi_nik"}


def test_duplicates_are_closed_and_the_indexes_hold_the_rule(db_url: str) -> None:
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        ids = _fill(db)
        migrate(db)
        with db.read() as conn:
            visits = {
                name: conn.execute(
                    select(hospital_visits).where(hospital_visits.c.id == visit_id)
                ).one()
                for name, visit_id in ids.items()
            }
            takes = {
                row.ticket_id: row.released_at
                for row in conn.execute(select(quota_takes.c.ticket_id, quota_takes.c.released_at))
            }
            used = {
                (row.schedule_id, row.day): row.used_jkn
                for row in conn.execute(select(doctor_quota))
            }
            booking = conn.execute(
                select(bookings.c.state).where(bookings.c.code == "111111111")
            ).scalar_one()
        for name, visit in visits.items():
            if name in CLOSED:
                assert (visit.state, visit.cancel_reason) == ("cancelled", MIGRATION.REASON), name
                assert visit.cancelled_at is not None, name
            elif name == "citra_cancelled":
                assert (visit.state, visit.cancel_reason) == ("cancelled", "Pasien batal")
            else:
                assert visit.state in ("registered", "done"), name
                assert visit.cancelled_at is None, name
        released = {key for key, at in takes.items() if at is not None}
        assert released == {"booking:111111111", "t-nik-1", "t-budi-2"}
        assert used == {("s1", DAY): 4, ("s2", DAY): 1, ("s1", NEXT_DAY): 1}
        assert booking == "cancelled"
        for who in ({"citizen_id": visits["citra"].citizen_id}, {"nik": "1471012302910004"}):
            with pytest.raises(IntegrityError), db.begin() as conn:
                _visit(conn, ticket_id="t-again", kodebooking="KB-AGAIN", **who)
        with db.begin() as conn:  # a cancelled one never holds the day
            _visit(
                conn,
                ticket_id="t-gone",
                kodebooking="KB-GONE",
                nik="1471012302910004",
                state="cancelled",
            )
        command.downgrade(alembic_config(db), BEFORE)
        migrate(db)
        with db.read() as conn:
            live = conn.execute(
                select(hospital_visits.c.id).where(hospital_visits.c.state != "cancelled")
            ).all()
        assert {row.id for row in live} == {ids[n] for n in ids if n not in CLOSED} - {
            ids["citra_cancelled"]
        }
    finally:
        db.dispose()


def _call(conn: Connection, order_key: str, kind: str, state: str) -> None:
    conn.execute(
        insert(integration_outbox).values(
            target="satusehat" if order_key.startswith("encounter:") else "bpjs",
            kind=kind,
            dedupe_key=f"{order_key}:{kind}",
            order_key=order_key,
            office_id="rs",
            body="{}",
            state=state,
            attempts=0,
            next_attempt_at=NOW,
            claimed_by="centre-1" if state == "pending" else None,
            claimed_until=NOW if state == "pending" else None,
            created_at=NOW,
            sent_at=NOW if state == "sent" else None,
        )
    )


def test_a_closed_duplicates_calls_not_yet_sent_wait_for_staff(db_url: str) -> None:
    """The calls BPJS and SATUSEHAT had not yet been sent of a duplicate the upgrade
    closed went out after it: an ``antrean/add`` and its tasks for a visit that was no
    more. They are held, dead on /office/integrations with the reason; what was sent
    stays sent, and the kept visit's calls go on."""
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        _fill(db)
        with db.begin() as conn:
            _call(conn, "KB-BUDI-2", "add", "sent")  # the closed one: told already
            _call(conn, "KB-BUDI-2", "task-1", "pending")  # ... and not yet
            _call(conn, "encounter:t-budi-2", "encounter", "pending")
            _call(conn, "KB-NIK-1", "add", "dead")  # refused before: stays as it was
            _call(conn, "KB-BUDI-1", "add", "pending")  # the kept visit's
            _call(conn, "encounter:t-budi-1", "encounter", "pending")
        migrate(db)
        with db.read() as conn:
            calls = {
                row.dedupe_key: (row.state, row.last_error, row.claimed_by)
                for row in conn.execute(select(integration_outbox))
            }
        assert calls == {
            "KB-BUDI-2:add": ("sent", None, None),
            "KB-BUDI-2:task-1": ("dead", MIGRATION.HELD, None),
            "encounter:t-budi-2:encounter": ("dead", MIGRATION.HELD, None),
            "KB-NIK-1:add": ("dead", None, None),
            "KB-BUDI-1:add": ("pending", None, "centre-1"),
            "encounter:t-budi-1:encounter": ("pending", None, "centre-1"),
        }
    finally:
        db.dispose()


def test_a_database_without_duplicates_is_left_as_it_was(db_url: str) -> None:
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        with db.begin() as conn:
            conn.execute(insert(offices).values(id="rs", name="RS", city="Pekanbaru", active=True))
            conn.execute(
                insert(services).values(
                    id="poli-dalam",
                    office_id="rs",
                    category="kesehatan",
                    name="Poli Dalam",
                    ticket_prefix="D",
                    counter="1",
                    active=True,
                    kodepoli="INT",
                )
            )
            for n in range(3):
                _visit(
                    conn,
                    ticket_id=f"t-{n}",
                    kodebooking=f"KB-{n}",
                    nik=f"147101230291000{n}",
                )
        migrate(db)
        with db.read() as conn:
            states = conn.execute(select(hospital_visits.c.state)).scalars().all()
            released = conn.execute(
                select(quota_takes.c.released_at).where(quota_takes.c.released_at.is_not(None))
            ).all()
        assert (sorted(states), released) == (["registered"] * 3, [])
    finally:
        db.dispose()
