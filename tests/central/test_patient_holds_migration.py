"""``0021_patient_holds`` on a centre already holding quota places.

A hospital upgrades while places are held: some with their visits, some whose
registration is still to come, some given back. Each stays as it was, held for nobody
(the migration has no audit key to hash a NIK with, and the keys an allocate named were
never stored). From then on the database refuses a second place held for one patient
at one poli on one day, and a place given back, of another poli or of another day
refuses nothing; the revision comes down and goes up again. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from central.database import Database, alembic_config, migrate
from central.tables import quota_takes

BEFORE = "0020_satusehat_patients"
NOW = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 8)
SITI = "a" * 64  # a patient's nik_hash (its form: 64 hex digits)


def _take(conn: Connection, key: str, **fields: Any) -> None:
    """A place under ``key`` (only the columns named are written: any revision's table)."""
    row = {
        "ticket_id": key,
        "schedule_id": "s1",
        "day": DAY,
        "payer": "jkn",
        "angka": 1,
        "kodebooking": f"KB-{key}",
        "taken_at": NOW,
        **fields,
    }
    conn.execute(insert(quota_takes).values(**row))


def test_places_held_before_hold_nobody_and_the_index_holds_one_a_patient(db_url: str) -> None:
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        with db.begin() as conn:
            _take(conn, "before-1", released_at=None)
            _take(conn, "before-2", released_at=None)
            _take(conn, "before-given-back", released_at=NOW)
        migrate(db)
        with db.read() as conn:
            before = {
                row.ticket_id: (row.released_at is not None, row.service_id, row.nik_hash)
                for row in conn.execute(select(quota_takes))
            }
        assert before == {
            "before-1": (False, None, None),
            "before-2": (False, None, None),
            "before-given-back": (True, None, None),
        }

        held = {"service_id": "poli-dalam", "nik_hash": SITI}
        with db.begin() as conn:
            _take(conn, "siti", **held)
        with pytest.raises(IntegrityError), db.begin() as conn:
            _take(conn, "siti-again", **held)
        with db.begin() as conn:  # none of these is a second place of Siti's day there
            _take(conn, "siti-given-back", **held, released_at=NOW)
            _take(conn, "siti-anak", service_id="poli-anak", nik_hash=SITI)
            _take(conn, "siti-tomorrow", **held, day=DAY + dt.timedelta(days=1))
            _take(conn, "nobody-1", service_id="poli-dalam", nik_hash=None)
            _take(conn, "nobody-2", service_id="poli-dalam", nik_hash=None)
            conn.execute(  # given back: her day at the poli is free again
                update(quota_takes).where(quota_takes.c.ticket_id == "siti").values(released_at=NOW)
            )
            _take(conn, "siti-later", **held)
        with pytest.raises(IntegrityError), db.begin() as conn:  # taken again: held twice
            conn.execute(
                update(quota_takes)
                .where(quota_takes.c.ticket_id == "siti")
                .values(released_at=None)
            )

        command.downgrade(alembic_config(db), BEFORE)
        with db.read() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("quota_takes")}
            kept = set(conn.execute(select(quota_takes.c.ticket_id)).scalars())
        assert {"service_id", "nik_hash"}.isdisjoint(columns)
        assert {"before-1", "siti", "siti-later", "nobody-2"} <= kept
        migrate(db)
        with db.read() as conn:
            again = conn.execute(select(quota_takes.c.nik_hash).distinct()).scalars().all()
        assert again == [None], "coming down and up again, the places hold nobody"
    finally:
        db.dispose()
