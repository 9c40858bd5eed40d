"""``0014_hospital`` up and down on a populated database, SQLite and PostgreSQL.

A city upgrades a centre holding citizens, their medical records and
services' counters: the migration must only add to tables that rows refer
to, never rebuild them (SQLite's rebuild drops the table, which the foreign
keys forbid), and coming down again keeps every row.
"""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import func, select, text

from central.database import Database, alembic_config, migrate


def test_the_hospital_revision_goes_up_and_down_over_referenced_rows(db_url: str) -> None:
    database = Database(db_url)
    now = dt.datetime.now(dt.UTC)
    try:
        migrate(database, "0013_message_lifetimes")
        with database.begin() as conn:
            conn.execute(
                text("INSERT INTO offices (id, name, city, active) VALUES ('o', 'O', 'C', true)")
            )
            conn.execute(
                text(
                    "INSERT INTO services (id, office_id, category, name, ticket_prefix, counter,"
                    " active) VALUES ('s', 'o', 'kesehatan', 'S', 'A', '1', true)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO citizens (nik, full_name, updated_at) "
                    "VALUES ('1471015203850001', 'Siti Aminah', :now)"
                ),
                {"now": now.replace(tzinfo=None) if db_url.startswith("sqlite") else now},
            )
            citizen = conn.execute(text("SELECT id FROM citizens")).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO medical_records (citizen_id, office_id, medical_record_number)"
                    " VALUES (:c, 'o', '000123')"
                ),
                {"c": citizen},
            )
        migrate(database)
        with database.begin() as conn:
            conn.execute(text("UPDATE citizens SET bpjs_number = '0001234567890'"))
            conn.execute(text("UPDATE services SET kodepoli = 'INT'"))
        command.downgrade(alembic_config(database), "0013_message_lifetimes")
        with database.read() as conn:
            counts = [
                conn.execute(select(func.count()).select_from(text(table))).scalar_one()
                for table in ("citizens", "services", "medical_records")
            ]
        assert counts == [1, 1, 1]
        migrate(database)
        with database.read() as conn:
            assert conn.execute(text("SELECT bpjs_number FROM citizens")).scalar_one() is None
    finally:
        database.dispose()
