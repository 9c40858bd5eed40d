"""A booking's messages on a real database (SQLite and PostgreSQL): confirmed when made or
moved with a phone, reminded once on the day before, and nothing without a phone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from central.app import prepare_database
from central.database import Database
from central.messages import triggers
from central.messages.templates import render
from central.office import bookings
from central.office.bookings import Hours, Identity, ServiceSettings
from central.settings import CentralSettings
from central.tables import booking_slots, messages
from central.tables import bookings as bookings_table

ZONE = ZoneInfo("Asia/Jakarta")
OFFICE = "pku-mpp"
SERVICE = "ktp-cetak-ulang"
SITI = Identity(dt.date(1985, 3, 12), nik="1471015203850001")
MONDAY_7 = dt.datetime(2026, 12, 7, 7, 0, tzinfo=ZONE).astimezone(dt.UTC)
WEDNESDAY = dt.date(2026, 12, 9)


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    database = Database(migrated_db_url)
    try:
        prepare_database(CentralSettings(seed_demo=True), database)
        with database.begin() as conn:
            conn.execute(delete(bookings_table))
            conn.execute(delete(booking_slots))
            bookings.put_hours(
                conn, OFFICE, [Hours(d, "08:00", "12:00") for d in range(5)], actor="t"
            )
            bookings.put_settings(
                conn,
                OFFICE,
                SERVICE,
                ServiceSettings(slot_minutes=30, capacity=2, grace_minutes=15),
                actor="t",
                now=MONDAY_7,
            )
        yield database
    finally:
        database.dispose()


def _book(db: Database, phone: str | None, identity: Identity = SITI) -> bookings.Booking:
    with db.begin() as conn:
        made = bookings.book(
            conn,
            office_id=OFFICE,
            service_id=SERVICE,
            day=WEDNESDAY,
            starts_at="09:00",
            identity=identity,
            phone=phone,
            language="id",
            client="10.0.0.1",
            audit_key=b"k" * 32,
            now=MONDAY_7,
            zone=ZONE,
        )
    assert isinstance(made, bookings.Booking), made
    return made


def _messages(db: Database, code: str) -> list[tuple[str, str, str, dict[str, object]]]:
    with db.read() as conn:
        rows = conn.execute(
            select(messages).where(messages.c.key.like(f"booking:{code}:%")).order_by(messages.c.id)
        )
        return [(r.key, r.phone, r.template, json.loads(r.params)) for r in rows]


def test_a_booking_with_a_phone_is_confirmed_and_moved_confirmed_again(db: Database) -> None:
    booking = _book(db, "081378901234")
    ((key, phone, template, params),) = _messages(db, booking.code)
    assert key == f"booking:{booking.code}:confirmed:2026-12-09T09:00"
    assert phone == "6281378901234" and template == "booking.confirmed"
    text = render(template, "id", params)
    code = f"{booking.code[:3]} {booking.code[3:6]} {booking.code[6:]}"
    assert text.startswith(f"Janji {code} untuk ")
    assert "pada 9 Desember 2026 pukul 09.00" in text
    # Nobody verified the number: no name in it, not even the first (a NIK → name oracle).
    assert "first_name" not in params and "Siti" not in text
    assert "Aminah" not in json.dumps(params) and "1471015203850001" not in json.dumps(params)
    with db.begin() as conn:
        moved = bookings.change(
            conn,
            booking.code,
            SITI.birth_date,
            day=WEDNESDAY,
            starts_at="10:00",
            client="10.0.0.1",
            audit_key=b"k" * 32,
            now=MONDAY_7,
            zone=ZONE,
        )
    assert isinstance(moved, bookings.Booking)
    keys = [m[0] for m in _messages(db, booking.code)]
    assert keys[1] == f"booking:{booking.code}:confirmed:2026-12-09T10:00:change-1"
    # Back to the first slot: confirmed again, under a key of its own.
    with db.begin() as conn:
        back = bookings.change(
            conn,
            booking.code,
            SITI.birth_date,
            day=WEDNESDAY,
            starts_at="09:00",
            client="10.0.0.1",
            audit_key=b"k" * 32,
            now=MONDAY_7,
            zone=ZONE,
        )
    assert isinstance(back, bookings.Booking) and back.changes == 2
    sent = _messages(db, booking.code)
    assert [m[0] for m in sent] == [
        *keys,
        f"booking:{booking.code}:confirmed:2026-12-09T09:00:change-2",
    ]
    assert render(sent[-1][2], "id", sent[-1][3]).endswith("Datang 15 menit sebelumnya.")


def test_the_reminder_goes_once_on_the_day_before_from_nine(db: Database) -> None:
    booking = _book(db, "081378901234")
    budi = _book(db, None, Identity(dt.date(1979, 8, 17), card_number="PKU-000002"))

    def remind(local: dt.datetime) -> int:
        with db.begin() as conn:
            return triggers.booking_reminders(conn, local.astimezone(dt.UTC), ZONE)

    tuesday = dt.datetime(2026, 12, 8, 8, 59, tzinfo=ZONE)
    assert remind(tuesday) == 0
    assert remind(tuesday.replace(hour=9, minute=30)) == 1
    assert remind(tuesday.replace(hour=15)) == 0  # once, whoever looks again
    reminder = _messages(db, booking.code)[-1]
    assert reminder[0] == f"booking:{booking.code}:reminder:2026-12-09"
    assert render(reminder[2], "id", reminder[3]).startswith("Pengingat: besok")
    assert _messages(db, budi.code) == []  # no phone, no message


def test_a_booking_made_on_the_day_before_gets_no_reminder(db: Database) -> None:
    with db.begin() as conn:
        conn.execute(delete(messages))
    booking = _book(db, "081378901234")
    tuesday_night = dt.datetime(2026, 12, 8, 20, 0, tzinfo=ZONE)
    with db.begin() as conn:
        conn.execute(
            bookings_table.update()
            .where(bookings_table.c.code == booking.code)
            .values(created_at=tuesday_night.replace(hour=10).astimezone(dt.UTC))
        )
        assert triggers.booking_reminders(conn, tuesday_night.astimezone(dt.UTC), ZONE) == 0
