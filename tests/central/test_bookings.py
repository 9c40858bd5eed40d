"""Appointments on the centre (central/office/bookings.py), on SQLite and PostgreSQL.

A real migrated database with the demo catalog and citizens; the functions
the booking pages, the staff API and the submissions call, called as they do.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, insert, select

from central.access.audit import utc_now
from central.app import create_app
from central.database import Database
from central.office import bookings
from central.office.bookings import Hours, Identity, Policy, Refusal, Refused, ServiceSettings
from central.settings import CentralSettings
from central.tables import audit_log, booking_slots, citizen_lookups, citizens
from central.tables import bookings as bookings_table
from contract.bookings import BookingState, is_valid_code

pytestmark = pytest.mark.timeout(300)
ZONE = ZoneInfo("Asia/Jakarta")
OFFICE = "pku-mpp"
SERVICE = "ktp-cetak-ulang"
KEY = b"k" * 32
SITI = Identity(dt.date(1985, 3, 12), nik="1471015203850001")
BUDI_CARD = Identity(dt.date(1979, 8, 17), card_number="PKU-000002")
RACERS = 200


@pytest.fixture
def demo(db_url: str) -> Iterator[Database]:
    """The demo centre's database, as a start with ``--seed-demo`` leaves it."""
    database = Database(db_url, pool_size=20)
    try:
        create_app(CentralSettings(seed_demo=True), db=database)
        yield database
    finally:
        database.dispose()


@pytest.fixture
def db(demo: Database) -> Database:
    """The demo centre's database without the demo's bookings of today."""
    with demo.begin() as conn:
        conn.execute(delete(bookings_table))
        conn.execute(delete(booking_slots))
    return demo


def _now() -> dt.datetime:
    """Monday 2026-12-07 07:00 in Pekanbaru (the office opens at 08:00)."""
    return dt.datetime(2026, 12, 7, 7, 0, tzinfo=ZONE).astimezone(dt.UTC)


MONDAY = dt.date(2026, 12, 7)


def _open(db: Database, settings: ServiceSettings | None = None) -> None:
    with db.begin() as conn:
        bookings.put_hours(conn, OFFICE, [Hours(d, "08:00", "12:00") for d in range(5)], actor="t")
        bookings.put_settings(
            conn,
            OFFICE,
            SERVICE,
            settings or ServiceSettings(slot_minutes=30, capacity=2, grace_minutes=15),
            actor="t",
            now=_now(),
        )


def _book(
    db: Database, identity: Identity, start: str = "09:00", *, client: str = "10.0.0.1"
) -> bookings.Booking | Refused:
    with db.begin() as conn:
        return bookings.book(
            conn,
            office_id=OFFICE,
            service_id=SERVICE,
            day=MONDAY,
            starts_at=start,
            identity=identity,
            phone=None,
            language="id",
            client=client,
            audit_key=KEY,
            now=_now(),
            zone=ZONE,
        )


def test_slots_follow_hours_holidays_and_the_walk_in_share(db: Database) -> None:
    _open(db, ServiceSettings(slot_minutes=60, capacity=4, walk_in_percent=50))
    with db.begin() as conn:
        found = bookings.slots(conn, OFFICE, SERVICE, MONDAY, now=_now(), zone=ZONE)
        assert [(s.starts_at, s.ends_at, s.capacity) for s in found] == [
            ("08:00", "09:00", 2),
            ("09:00", "10:00", 2),
            ("10:00", "11:00", 2),
            ("11:00", "12:00", 2),
        ]
        saturday = MONDAY + dt.timedelta(days=5)
        assert bookings.slots(conn, OFFICE, SERVICE, saturday, now=_now(), zone=ZONE) == []
        bookings.put_holiday(conn, OFFICE, MONDAY, "Libur", actor="t")
        assert bookings.slots(conn, OFFICE, SERVICE, MONDAY, now=_now(), zone=ZONE) == []
        days = bookings.open_days(conn, OFFICE, SERVICE, now=_now(), zone=ZONE)
        assert MONDAY not in days and MONDAY + dt.timedelta(days=1) in days
        assert saturday not in days
        # A service without settings takes no bookings.
        assert bookings.slots(conn, OFFICE, "kk-perubahan", MONDAY, now=_now(), zone=ZONE) == []


def test_a_booking_by_nik_or_card_number_with_the_right_date_of_birth(db: Database) -> None:
    _open(db)
    siti = _book(db, SITI)
    assert isinstance(siti, bookings.Booking)
    assert is_valid_code(siti.code) and siti.state is BookingState.BOOKED
    assert (siti.starts_at, siti.ends_at, siti.first_name) == ("09:00", "09:30", "Siti")
    budi = _book(db, BUDI_CARD)
    assert isinstance(budi, bookings.Booking) and budi.first_name == "Budi"
    assert _book(db, BUDI_CARD, "10:00") == Refused(Refusal.ALREADY_BOOKED)
    # Two places in the slot: the third citizen finds it full.
    rina = Identity(dt.date(1990, 6, 15), nik="1471055506900003")
    assert _book(db, rina) == Refused(Refusal.FULL)
    with db.read() as conn:
        kinds = Counter(conn.execute(select(citizen_lookups.c.key_kind)).scalars())
        keys = set(conn.execute(select(citizen_lookups.c.key_hash)).scalars())
    assert kinds["booking_nik"] == 2 and kinds["booking_card"] == 2
    assert not any("1471015203850001" in k for k in keys)


def test_a_wrong_date_of_birth_books_nothing_and_is_counted(db: Database) -> None:
    _open(db)
    wrong = Identity(dt.date(1985, 3, 13), nik=SITI.nik)
    for _ in range(bookings.IDENTITY_LIMIT.failures):
        assert _book(db, wrong) == Refused(Refusal.IDENTITY)
    locked = _book(db, SITI)  # even the right date, while the NIK is locked
    assert isinstance(locked, Refused) and locked.reason is Refusal.LOCKED
    assert locked.retry_after_s is not None and locked.retry_after_s > 0
    with db.read() as conn:
        assert conn.execute(select(func.sum(booking_slots.c.booked))).scalar() in (None, 0)
        events = list(conn.execute(select(audit_log.c.action)).scalars())
        refused = conn.execute(
            select(func.count()).where(citizen_lookups.c.key_kind == "booking_refused")
        ).scalar_one()
    assert "booking_identity_locked" in events
    assert refused == 1
    unknown = Identity(dt.date(1985, 3, 12), nik="1471015203859999")
    assert _book(db, unknown, client="10.0.0.2") == Refused(Refusal.IDENTITY)


def test_cancel_and_change_need_the_date_of_birth_and_give_places_back(db: Database) -> None:
    _open(db, ServiceSettings(slot_minutes=30, capacity=1))
    made = _book(db, SITI)
    assert isinstance(made, bookings.Booking)
    with db.begin() as conn:
        wrong = bookings.cancel(
            conn, made.code, dt.date(1985, 3, 11), client="c", audit_key=KEY, now=_now()
        )
        assert wrong == Refused(Refusal.IDENTITY)
        moved = bookings.change(
            conn,
            made.code,
            SITI.birth_date,
            day=MONDAY,
            starts_at="10:00",
            client="c",
            audit_key=KEY,
            now=_now(),
            zone=ZONE,
        )
        assert isinstance(moved, bookings.Booking)
        assert (moved.code, moved.starts_at) == (made.code, "10:00")
        free = {
            s.starts_at: s.free
            for s in bookings.slots(conn, OFFICE, SERVICE, MONDAY, now=_now(), zone=ZONE)
        }
        assert free["09:00"] == 1 and free["10:00"] == 0
        gone = bookings.cancel(
            conn, made.code, SITI.birth_date, client="c", audit_key=KEY, now=_now()
        )
        assert isinstance(gone, bookings.Booking) and gone.state is BookingState.CANCELLED
        again = bookings.cancel(
            conn, made.code, SITI.birth_date, client="c", audit_key=KEY, now=_now()
        )
        assert again == Refused(Refusal.NOT_CHANGEABLE)
        free = {
            s.starts_at: s.free
            for s in bookings.slots(conn, OFFICE, SERVICE, MONDAY, now=_now(), zone=ZONE)
        }
        assert free["10:00"] == 1


def test_no_show_after_the_grace_once_whoever_looks(db: Database) -> None:
    _open(db, ServiceSettings(slot_minutes=30, capacity=2, grace_minutes=15))
    made = _book(db, SITI)
    assert isinstance(made, bookings.Booking)
    slot_end = dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZONE)
    with db.begin() as conn:
        before = bookings.find(conn, made.code, now=slot_end + dt.timedelta(minutes=14))
        assert before is not None and before.state is BookingState.BOOKED
    later = slot_end + dt.timedelta(minutes=15)
    with db.read() as conn:  # a read says so at once, and writes nothing
        due = bookings.find(conn, made.code, now=later)
        assert due is not None and due.state is BookingState.NO_SHOW
        stored = conn.execute(
            select(bookings_table.c.state).where(bookings_table.c.code == made.code)
        ).scalar_one()
        assert stored == "booked"
    # Several processes marking at once: every booking marked once.

    def mark(_: int) -> int:
        with db.begin() as conn:
            return bookings.mark_no_shows(conn, later)

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(mark, range(8))) == 1
    with db.begin() as conn:
        after = bookings.find(conn, made.code, now=later)
    assert after is not None and after.state is BookingState.NO_SHOW


def _citizens(db: Database, count: int) -> list[Identity]:
    """``count`` citizens with valid NIKs, born 1 January 1990 (serials 1000 on)."""
    people = [f"147101010190{1000 + i:04d}" for i in range(count)]
    with db.begin() as conn:
        conn.execute(
            insert(citizens),
            [
                {"nik": nik, "full_name": f"Warga {i}", "updated_at": utc_now()}
                for i, nik in enumerate(people)
            ],
        )
    return [Identity(dt.date(1990, 1, 1), nik=nik) for nik in people]


def test_two_hundred_racers_for_the_last_place_one_wins(db: Database) -> None:
    _open(db, ServiceSettings(slot_minutes=30, capacity=1))
    racers = _citizens(db, RACERS)
    barrier = threading.Barrier(RACERS, timeout=120)

    def race(i: int) -> str:
        barrier.wait()
        for _ in range(50):
            try:
                answer = _book(db, racers[i], client=f"10.1.{i // 250}.{i % 250}")
            except Exception as exc:  # SQLite: a writer that waited too long tries again
                if "locked" not in str(exc):
                    raise
                continue
            return answer.code if isinstance(answer, bookings.Booking) else answer.reason.value
        return "gave up"

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(race, range(RACERS)))
    outcomes = Counter("booked" if is_valid_code(a) else a for a in answers)
    assert outcomes == {"booked": 1, Refusal.FULL.value: RACERS - 1}
    with db.read() as conn:
        assert conn.execute(select(booking_slots.c.booked)).scalars().all() == [1]
        day = bookings.day_bookings(conn, OFFICE, MONDAY, now=_now())
    assert [b.code for b in day] == [a for a in answers if is_valid_code(a)]


def _check_in(db: Database, code: object, at: dt.datetime, ticket: str = "t-1") -> bookings.CheckIn:
    with db.begin() as conn:
        return bookings.check_in(
            conn,
            code,
            office_id=OFFICE,
            service_id=SERVICE,
            day=MONDAY,
            ticket_id=ticket,
            checked_in_at=at.astimezone(dt.UTC),
            now=at.astimezone(dt.UTC),
        )


def test_check_in_places_by_policy(db: Database) -> None:
    _open(db)
    made = _book(db, SITI)
    assert isinstance(made, bookings.Booking)
    early = dt.datetime(2026, 12, 7, 8, 40, tzinfo=ZONE)
    first = _check_in(db, made.code, early)
    assert first.outcome == "checked_in" and first.placement == Policy.HEAD.value
    assert first.priority == bookings.BOOKED_PRIORITY
    assert first.queued_at == made.slot_start  # early: as of the slot's start
    assert _check_in(db, made.code, early, "t-2").outcome == "already_used"
    assert _check_in(db, made.code, early, "t-1").outcome == "checked_in"

    late = _book(db, BUDI_CARD)
    assert isinstance(late, bookings.Booking)
    after_end = dt.datetime(2026, 12, 7, 9, 31, tzinfo=ZONE)
    walk_in = _check_in(db, late.code, after_end, "t-3")
    assert (walk_in.outcome, walk_in.placement, walk_in.priority) == ("checked_in", "walk_in", 0)
    assert _check_in(db, "123456789", early).outcome in ("invalid_code", "unknown_booking")
    assert _check_in(db, 12, early).outcome == "invalid_code"


def test_check_in_of_a_no_show_printed_in_time_is_honoured(db: Database) -> None:
    _open(db, ServiceSettings(slot_minutes=30, capacity=2, grace_minutes=0))
    made = _book(db, SITI)
    assert isinstance(made, bookings.Booking)
    with db.begin() as conn:
        bookings.mark_no_shows(conn, made.slot_end + dt.timedelta(hours=1))
    on_time = dt.datetime(2026, 12, 7, 9, 10, tzinfo=ZONE)
    done = _check_in(db, made.code, on_time)
    assert (done.outcome, done.placement) == ("checked_in", "head")
    assert done.queued_at == on_time.astimezone(dt.UTC)


def test_kiosk_today_lists_every_state_and_audits_the_fetch(db: Database) -> None:
    _open(db)
    made = _book(db, SITI)
    assert isinstance(made, bookings.Booking)
    with db.begin() as conn:
        day, rows = bookings.kiosk_today(conn, "kiosk-1", OFFICE, now=_now(), zone=ZONE)
        detail = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "bookings_today_fetched")
        ).scalar_one()
    assert day == MONDAY
    assert [(r.code, r.nik, r.card_number, r.first_name) for r in rows] == [
        (made.code, SITI.nik, "PKU-000001", "Siti")
    ]
    assert detail == "2026-12-07: 1 bookings"


def test_a_phone_for_messages_is_an_indonesian_mobile_number(db: Database) -> None:
    _open(db)
    for phone in (
        "0812",
        "+6281234567890",
        "0812-3456-7890",
        "1234567890123",
        "0212345678",  # a landline: no SMS, no WhatsApp
        "08001234567",  # a free number
        "08123456789012",  # 14 digits
    ):
        with pytest.raises(ValueError, match="Indonesian mobile"), db.begin() as conn:
            bookings.book(
                conn,
                office_id=OFFICE,
                service_id=SERVICE,
                day=MONDAY,
                starts_at="09:00",
                identity=SITI,
                phone=phone,
                language="id",
                client="c",
                audit_key=KEY,
                now=_now(),
                zone=ZONE,
            )
    with db.begin() as conn:
        made = bookings.book(
            conn,
            office_id=OFFICE,
            service_id=SERVICE,
            day=MONDAY,
            starts_at="09:00",
            identity=SITI,
            phone="081234567890",
            language="en",
            client="c",
            audit_key=KEY,
            now=_now(),
            zone=ZONE,
        )
    assert isinstance(made, bookings.Booking)
    assert (made.phone, made.language) == ("081234567890", "en")


def test_the_demo_books_siti_and_budi_today_once_per_start(demo: Database) -> None:
    now = utc_now()
    today = now.astimezone(ZONE).date()
    with demo.begin() as conn:
        seeded = bookings.day_bookings(conn, OFFICE, today, now=now)
        assert {(b.first_name, b.service_id) for b in seeded} == {
            ("Siti", "ktp-cetak-ulang"),
            ("Budi", "kk-perubahan"),
        }
        siti = next(b for b in seeded if b.first_name == "Siti")
        assert siti.slot_start <= now < siti.slot_end  # her slot is now: tap and check in
        assert bookings.seed_demo(conn, OFFICE, now=now, zone=ZONE) == 0
        assert bookings.hours(conn, OFFICE)  # the booking page has slots to offer
        assert set(bookings.bookable_services(conn, OFFICE)) == {
            "ktp-cetak-ulang",
            "kk-perubahan",
            "izin-usaha-mikro",
        }
