"""Appointments on the centre (central/office/bookings.py), on SQLite and PostgreSQL.

A real migrated database with the demo catalog and citizens; the functions
the booking pages, the staff API and the submissions call, called as they do.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from central.access.audit import utc_now
from central.app import prepare_database
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
def demo(migrated_db_url: str) -> Iterator[Database]:
    """The demo centre's database, as a start with ``--seed-demo`` leaves it."""
    database = Database(migrated_db_url, pool_size=20)
    try:
        prepare_database(CentralSettings(seed_demo=True), database)
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
    # Switching to the card number does not give the same citizen more tries.
    budi_nik = Identity(dt.date(1979, 8, 18), nik="1471011708790002")
    budi_card = Identity(dt.date(1979, 8, 18), card_number="PKU-000002")
    for i in range(3):
        assert _book(db, budi_nik, client=f"10.3.0.{i}") == Refused(Refusal.IDENTITY)
    for i in range(2):
        assert _book(db, budi_card, client=f"10.3.1.{i}") == Refused(Refusal.IDENTITY)
    locked = _book(db, BUDI_CARD, client="10.3.2.1")
    assert isinstance(locked, Refused) and locked.reason is Refusal.LOCKED
    unknown = Identity(dt.date(1985, 3, 12), nik="1471015203859999")
    assert _book(db, unknown, client="10.0.0.2") == Refused(Refusal.IDENTITY)


def test_wrong_dates_on_a_bookings_page_lock_that_code_never_its_holder(db: Database) -> None:
    """Whoever has a code cannot lock its holder out of booking with wrong dates."""
    _open(db, ServiceSettings(slot_minutes=30, capacity=4))
    made = _book(db, SITI)
    assert isinstance(made, bookings.Booking)

    def cancel(born: dt.date, client: str) -> bookings.Booking | Refused:
        with db.begin() as conn:
            return bookings.cancel(conn, made.code, born, client=client, audit_key=KEY, now=_now())

    wrong = dt.date(1985, 3, 11)
    for i in range(bookings.HOLDER_LIMIT.failures):
        assert cancel(wrong, f"10.4.0.{i}") == Refused(Refusal.IDENTITY)
    locked = cancel(SITI.birth_date, "10.4.1.1")  # that code's change and cancel wait
    assert isinstance(locked, Refused) and locked.reason is Refusal.LOCKED
    assert locked.retry_after_s is not None
    assert locked.retry_after_s <= bookings.HOLDER_LIMIT.longest_lock.total_seconds()
    # The holder still books: their NIK counted nothing.
    other = dt.datetime(2026, 12, 8, 7, 0, tzinfo=ZONE).astimezone(dt.UTC)
    with db.begin() as conn:
        again = bookings.book(
            conn, office_id=OFFICE, service_id=SERVICE, day=MONDAY + dt.timedelta(days=1),
            starts_at="09:00", identity=SITI, phone=None, language="id", client="10.4.2.1",
            audit_key=KEY, now=other, zone=ZONE,
        )  # fmt: skip
    assert isinstance(again, bookings.Booking)
    with db.read() as conn:
        events = set(conn.execute(select(audit_log.c.action)).scalars())
        kinds = Counter(conn.execute(select(citizen_lookups.c.key_kind)).scalars())
    assert "booking_code_locked" in events and "booking_identity_locked" not in events
    assert kinds["booking_holder"] == bookings.HOLDER_LIMIT.failures
    # The lock is short and does not grow.
    later = _now() + bookings.HOLDER_LIMIT.longest_lock + dt.timedelta(seconds=1)
    with db.begin() as conn:
        for _ in range(bookings.HOLDER_LIMIT.failures):
            bookings.cancel(conn, made.code, wrong, client="10.4.3.1", audit_key=KEY, now=later)
        second = bookings.cancel(
            conn, made.code, SITI.birth_date, client="10.4.3.1", audit_key=KEY, now=later
        )
    assert isinstance(second, Refused) and second.retry_after_s is not None
    assert second.retry_after_s <= bookings.HOLDER_LIMIT.longest_lock.total_seconds()


def test_one_address_with_many_citizens_is_not_locked_by_one_of_them(db: Database) -> None:
    """A carrier's NAT: twenty wrong pairs from one address lock nobody else out."""
    _open(db, ServiceSettings(slot_minutes=30, capacity=4))
    nat = "10.5.0.1"
    strangers = [f"14710101019{n:05d}" for n in range(bookings.ADDRESS_LIMIT.failures)]
    for nik in strangers[:20]:
        assert _book(db, Identity(dt.date(1990, 1, 1), nik=nik), client=nat) == Refused(
            Refusal.IDENTITY
        )
    assert isinstance(_book(db, SITI, client=nat), bookings.Booking)
    for nik in strangers[20:]:
        _book(db, Identity(dt.date(1990, 1, 1), nik=nik), client=nat)
    locked = _book(db, BUDI_CARD, client=nat)
    assert isinstance(locked, Refused) and locked.reason is Refusal.LOCKED
    assert locked.retry_after_s is not None
    assert locked.retry_after_s <= bookings.ADDRESS_LIMIT.longest_lock.total_seconds()
    assert bookings.ADDRESS_LIMIT.first_lock == bookings.ADDRESS_LIMIT.longest_lock


def test_the_full_date_of_birth_is_compared_with_the_record(db: Database) -> None:
    """Not the NIK's two-digit year: 2079 or 1879 for a NIK of 1979 books nothing."""
    _open(db, ServiceSettings(slot_minutes=30, capacity=4))
    for year in (2079, 1879):
        wrong = Identity(dt.date(year, 8, 17), nik="1471011708790002")
        assert _book(db, wrong, client=f"10.9.0.{year % 100}") == Refused(Refusal.IDENTITY)
        by_card = Identity(dt.date(year, 8, 17), card_number="PKU-000002")
        assert _book(db, by_card, client=f"10.9.1.{year % 100}") == Refused(Refusal.IDENTITY)
    with db.read() as conn:
        seeded = dict(conn.execute(select(citizens.c.nik, citizens.c.birth_date)).all())
    assert seeded["1471015203850001"] == dt.date(1985, 3, 12)
    assert seeded["1471011708790002"] == dt.date(1979, 8, 17)
    assert seeded["1471055506900003"] == dt.date(1990, 6, 15)
    assert isinstance(_book(db, BUDI_CARD, client="10.9.2.1"), bookings.Booking)
    # The record's date wins over the NIK's: a record that says the 13th refuses the 12th.
    with db.begin() as conn:
        conn.execute(
            citizens.update()
            .where(citizens.c.nik == SITI.nik)
            .values(birth_date=dt.date(1985, 3, 13))
        )
    assert _book(db, SITI, client="10.9.3.1") == Refused(Refusal.IDENTITY)
    assert isinstance(
        _book(db, Identity(dt.date(1985, 3, 13), nik=SITI.nik), client="10.9.3.2"),
        bookings.Booking,
    )
    # A record without a date: the NIK's, its century resolved (the latest not to come).
    (warga,) = _citizens(db, 1)
    for year in (2090, 1890):
        other = Identity(dt.date(year, 1, 1), nik=warga.nik)
        assert _book(db, other, client=f"10.9.4.{year % 100}") == Refused(Refusal.IDENTITY)
    assert isinstance(_book(db, warga, client="10.9.4.1"), bookings.Booking)


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


def test_one_citizen_one_live_booking_of_a_service_a_day_however_it_races(db: Database) -> None:
    """By NIK and by card number at once, or a change onto a booked day: one stays."""
    _open(db, ServiceSettings(slot_minutes=30, capacity=50))
    ways = [SITI, Identity(SITI.birth_date, card_number="PKU-000001")]
    starts = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]
    racers = 24
    barrier = threading.Barrier(racers, timeout=120)

    def race(i: int) -> str:
        barrier.wait()
        for _ in range(50):
            try:
                answer = _book(db, ways[i % 2], starts[i % len(starts)], client=f"10.6.0.{i}")
            except Exception as exc:  # SQLite: a writer that waited too long tries again
                if "locked" not in str(exc):
                    raise
                continue
            return "booked" if isinstance(answer, bookings.Booking) else answer.reason.value
        return "gave up"

    with ThreadPoolExecutor(racers) as pool:
        outcomes = Counter(pool.map(race, range(racers)))
    assert outcomes == {"booked": 1, Refusal.ALREADY_BOOKED.value: racers - 1}
    with db.read() as conn:
        assert conn.execute(select(func.sum(booking_slots.c.booked))).scalar_one() == 1
        (row,) = conn.execute(select(bookings_table)).all()
    # The database itself refuses a second live one, whoever writes it.
    copy = {k: v for k, v in row._mapping.items() if k not in ("id", "code")}
    with pytest.raises(IntegrityError), db.begin() as conn:
        conn.execute(insert(bookings_table).values(**copy, code="000000000"))
    # A change onto a day the citizen has a booking of the service already: refused.
    tuesday = MONDAY + dt.timedelta(days=1)
    with db.begin() as conn:
        other = bookings.book(
            conn, office_id=OFFICE, service_id=SERVICE, day=tuesday, starts_at="09:00",
            identity=SITI, phone=None, language="id", client="10.6.1.1", audit_key=KEY,
            now=_now(), zone=ZONE,
        )  # fmt: skip
        assert isinstance(other, bookings.Booking)
        moved = bookings.change(
            conn, other.code, SITI.birth_date, day=MONDAY, starts_at="11:00",
            client="10.6.1.1", audit_key=KEY, now=_now(), zone=ZONE,
        )  # fmt: skip
        assert moved == Refused(Refusal.ALREADY_BOOKED)
        free = {
            s.starts_at: s.free
            for s in bookings.slots(conn, OFFICE, SERVICE, MONDAY, now=_now(), zone=ZONE)
        }
    assert free["11:00"] == 50


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
    # Early: ahead of walk-ins at once (docs/appointments.md says so), and among booked
    # tickets as of the slot's start, which is still to come.
    assert first.queued_at == made.slot_start > early
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


def test_a_mobile_jkn_check_in_without_its_visit_logs_no_booking_code(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A Mobile JKN booking whose visit is no longer there to check in (closed as a
    no-show, say) is said in the log: never with its code, which opens the booking's
    page (``/b/{code}``: see it, move it, cancel it), as the access log never writes one."""
    slot_start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZONE).astimezone(dt.UTC)
    with db.begin() as conn:
        siti = conn.execute(select(citizens.c.id).where(citizens.c.nik == SITI.nik)).scalar_one()
        code = bookings.book_mjkn(
            conn,
            office_id=OFFICE,
            service_id=SERVICE,
            day=MONDAY,
            starts_at="09:00",
            ends_at="09:30",
            slot_start=slot_start,
            slot_end=slot_start + dt.timedelta(minutes=30),
            no_show_after=slot_start + dt.timedelta(minutes=45),
            citizen_id=siti,
            now=_now(),
        )
    assert code is not None
    with caplog.at_level(logging.DEBUG, logger="central"):
        done = _check_in(db, code, dt.datetime(2026, 12, 7, 8, 50, tzinfo=ZONE))
    assert done.outcome == "checked_in"
    said = [r.getMessage() for r in caplog.records if r.name.startswith("central")]
    assert [line for line in said if "no visit" in line]  # the line this is about
    assert [line for line in said if code in line] == []


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


def test_the_demos_bookings_take_the_services_places_not_four(db: Database) -> None:
    """Budi's demo slot (kk-perubahan: two places) must not offer a third."""
    monday_0910 = dt.datetime(2026, 12, 7, 9, 10, tzinfo=ZONE).astimezone(dt.UTC)
    with db.begin() as conn:
        conn.execute(delete(citizen_lookups))
        assert bookings.seed_demo(conn, OFFICE, now=monday_0910, zone=ZONE) == 2
        settings = bookings.get_settings(conn, OFFICE, "kk-perubahan")
        assert settings is not None and settings.bookable == 2
        row = conn.execute(
            select(booking_slots).where(booking_slots.c.service_id == "kk-perubahan")
        ).one()
    assert (row.starts_at, row.capacity, row.booked) == ("10:00", 2, 1)
    answers = []
    for i, who in enumerate(_citizens(db, 2)):
        with db.begin() as conn:
            answer = bookings.book(
                conn, office_id=OFFICE, service_id="kk-perubahan", day=MONDAY,
                starts_at="10:00", identity=who, phone=None, language="id",
                client=f"10.7.0.{i}", audit_key=KEY, now=monday_0910, zone=ZONE,
            )  # fmt: skip
        answers.append(answer if isinstance(answer, Refused) else "booked")
    assert answers == ["booked", Refused(Refusal.FULL)]


@pytest.mark.parametrize("local", ["23:10", "23:31", "23:58"])
def test_the_demos_bookings_late_in_the_evening_end_before_midnight(
    db: Database, local: str
) -> None:
    """A demo centre started late in the evening books its slots of today: none ends at
    midnight, written "00:00", before it starts (every kiosk refused the day's answer)."""
    hour, minute = map(int, local.split(":"))
    now = dt.datetime(2026, 12, 7, hour, minute, tzinfo=ZONE).astimezone(dt.UTC)
    with db.begin() as conn:
        conn.execute(delete(citizen_lookups))
        assert bookings.seed_demo(conn, OFFICE, now=now, zone=ZONE) == 2
        seeded = bookings.day_bookings(conn, OFFICE, MONDAY, now=now)
    assert len(seeded) == 2
    midnight = dt.datetime(2026, 12, 8, tzinfo=ZONE)
    for booking in seeded:
        assert booking.starts_at < booking.ends_at, (booking.starts_at, booking.ends_at)
        assert booking.slot_start < booking.slot_end <= midnight
        assert f"{booking.slot_end.astimezone(ZONE):%H:%M}" == booking.ends_at
    siti = next(b for b in seeded if b.first_name == "Siti")
    assert siti.slot_start <= now < siti.slot_end  # her slot is still now


def test_each_reason_a_time_cannot_be_booked_is_told_apart(db: Database) -> None:
    _open(db, ServiceSettings(slot_minutes=30, capacity=2))
    tuesday, sunday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=6)
    with db.begin() as conn:
        bookings.put_holiday(conn, OFFICE, tuesday, "Libur", actor="t")

    def why(day: dt.date, start: str, now: dt.datetime | None = None) -> object:
        with db.begin() as conn:
            answer = bookings.book(
                conn, office_id=OFFICE, service_id=SERVICE, day=day, starts_at=start,
                identity=SITI, phone=None, language="id", client="10.10.0.1", audit_key=KEY,
                now=now or _now(), zone=ZONE,
            )  # fmt: skip
        return answer.reason if isinstance(answer, Refused) else "booked"

    assert why(MONDAY - dt.timedelta(days=1), "09:00") is Refusal.DAY_PAST
    assert why(MONDAY + dt.timedelta(days=bookings.DAYS_AHEAD), "09:00") is Refusal.TOO_FAR
    assert why(tuesday, "09:00") is Refusal.HOLIDAY
    assert why(sunday, "09:00") is Refusal.CLOSED_DAY
    assert why(MONDAY, "13:00") is Refusal.NO_SLOT  # after closing
    assert why(MONDAY, "09:10") is Refusal.NO_SLOT  # off the grid
    at_0910 = dt.datetime(2026, 12, 7, 9, 10, tzinfo=ZONE).astimezone(dt.UTC)
    assert why(MONDAY, "09:00", at_0910) is Refusal.SLOT_STARTED
    assert why(MONDAY, "09:30", at_0910) == "booked"
    # No place for bookings at all: the page offers no day of the service.
    _open(db, ServiceSettings(slot_minutes=30, capacity=0))
    with db.read() as conn:
        assert bookings.open_days(conn, OFFICE, SERVICE, now=_now(), zone=ZONE) == []
    _open(db, ServiceSettings(slot_minutes=30, capacity=1, walk_in_percent=100))
    with db.read() as conn:
        assert bookings.open_days(conn, OFFICE, SERVICE, now=_now(), zone=ZONE) == []
