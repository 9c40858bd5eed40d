"""Today's bookings in the store: sealed, found by HMACs, replaced by day, checked in
with the ticket's own transaction, purged when the day is over."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from contract.bookings import BookingState
from offline_store import BadValue, Store, StoreTampered
from testkit.stored_tickets import NOW, payload
from testkit.todays_bookings import CARD_NUMBER, FIRST_NAME, NIK, OFFICE, booking, with_state

TODAY = NOW.date()
TOMORROW = TODAY + dt.timedelta(days=1)


def test_a_holder_finds_todays_booking_by_nik_or_card_number(store: Store) -> None:
    siti = booking(TODAY)
    other = booking(TODAY, body="11111111", nik="1471011708790002", card_number="PKU-000002")
    assert store.save_bookings(OFFICE, TODAY, [siti, other], etag='"b1"', now=NOW) == 2
    assert store.bookings_of_holder(TODAY, nik=NIK) == [siti]
    assert store.bookings_of_holder(TODAY, card_number=CARD_NUMBER) == [siti]
    assert store.bookings_of_holder(TODAY, nik="1471034711920005") == []
    assert store.bookings_of_holder(TODAY) == []
    assert store.booking_by_code(siti.code, TODAY) == siti
    assert store.booking_by_code(siti.code, TOMORROW) is None
    assert store.bookings_etag(OFFICE, TODAY) == '"b1"'
    assert store.bookings_etag(OFFICE, TOMORROW) is None


def test_a_holders_bookings_come_earliest_first(store: Store) -> None:
    late, early = booking(TODAY, starts="14:00"), booking(TODAY, body="22222222", starts="08:00")
    store.save_bookings(OFFICE, TODAY, [late, early], etag=None, now=NOW)
    assert store.bookings_of_holder(TODAY, nik=NIK) == [early, late]


def test_no_personal_data_or_code_lies_in_the_file_in_clear(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "kiosk.db")
    siti = booking(TODAY)
    store.save_bookings(OFFICE, TODAY, [siti], etag=None, now=NOW)
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.db*"))
    for secret in (NIK, CARD_NUMBER, FIRST_NAME, siti.code):
        assert secret.encode() not in raw


def test_a_sealed_booking_moved_to_another_row_is_refused(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "kiosk.db")
    a, b = booking(TODAY), booking(TODAY, body="33333333")
    store.save_bookings(OFFICE, TODAY, [a, b], etag=None, now=NOW)
    conn = sqlite3.connect(tmp_path / "kiosk.db")
    rows = conn.execute("SELECT code_hash, booking FROM bookings_today").fetchall()
    conn.execute(
        "UPDATE bookings_today SET booking = ? WHERE code_hash = ?", [rows[1][1], rows[0][0]]
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreTampered):
        [store.booking_by_code(x.code, TODAY) for x in (a, b)]
    store.close()


def test_a_new_list_replaces_the_old_and_drops_other_days(store: Store) -> None:
    yesterday = booking(TODAY - dt.timedelta(days=1), body="44444444")
    store.save_bookings(OFFICE, yesterday.day, [yesterday], etag=None, now=NOW)
    kept, dropped = booking(TODAY), booking(TODAY, body="55555555")
    store.save_bookings(OFFICE, TODAY, [kept, dropped], etag=None, now=NOW)
    assert store.booking_by_code(yesterday.code, yesterday.day) is None
    cancelled = with_state(kept, BookingState.CANCELLED)
    store.save_bookings(OFFICE, TODAY, [cancelled], etag=None, now=NOW)
    assert store.booking_by_code(kept.code, TODAY) == cancelled
    assert store.booking_by_code(dropped.code, TODAY) is None


def test_a_list_of_another_office_or_day_is_refused_whole(store: Store) -> None:
    with pytest.raises(BadValue):
        store.save_bookings(OFFICE, TODAY, [booking(TOMORROW)], etag=None, now=NOW)
    with pytest.raises(BadValue):
        store.save_bookings("elsewhere", TODAY, [booking(TODAY)], etag=None, now=NOW)
    assert store.booking_by_code(booking(TODAY).code, TODAY) is None


def test_a_ticket_checks_the_booking_in_and_a_later_list_does_not_undo_it(store: Store) -> None:
    siti = booking(TODAY)
    store.save_bookings(OFFICE, TODAY, [siti], etag=None, now=NOW)
    ticket = store.issue_ticket(
        office_id=OFFICE,
        service_id=siti.service_id,
        prefix="B",
        counter="3",
        payload=payload(booking_code=siti.code),
        now=NOW,
        booking=siti,
    )
    assert store.booking_by_code(siti.code, TODAY) == with_state(siti, BookingState.CHECKED_IN)
    # the centre has not had the registration yet: it still says "booked"
    store.save_bookings(OFFICE, TODAY, [siti], etag=None, now=NOW)
    assert store.bookings_of_holder(TODAY, nik=NIK)[0].state is BookingState.CHECKED_IN
    (item,) = store.pending_batch(10, NOW)
    assert item.key == ticket.id and item.payload["booking_code"] == siti.code


def test_purge_keeps_only_the_day_given(store: Store) -> None:
    siti = booking(TODAY)
    store.save_bookings(OFFICE, TODAY, [siti], etag='"x"', now=NOW)
    assert store.purge_bookings(TODAY) == 0
    assert store.purge_bookings(TOMORROW) == 1
    assert store.booking_by_code(siti.code, TODAY) is None
    assert store.bookings_etag(OFFICE, TODAY) is None


def test_a_check_in_of_a_booking_the_cache_lacked_leaves_its_own_record(store: Store) -> None:
    """Found through the centre (booked since the last fetch): the ticket writes the
    booking, checked in; no later list turns it back to booked or drops it."""
    store.save_bookings(OFFICE, TODAY, [], etag=None, now=NOW)
    answered = booking(TODAY, nik=None, card_number=None, first_name="")  # the centre's answer
    store.issue_ticket(
        office_id=OFFICE,
        service_id=answered.service_id,
        prefix="B",
        counter="3",
        payload=payload(booking_code=answered.code),
        now=NOW,
        booking=answered,
    )
    checked_in = with_state(answered, BookingState.CHECKED_IN)
    assert store.booking_by_code(answered.code, TODAY) == checked_in
    store.save_bookings(OFFICE, TODAY, [], etag=None, now=NOW)  # a list still without it
    assert store.booking_by_code(answered.code, TODAY) == checked_in
    listed = booking(TODAY)  # the same code, now listed (as booked) with its holder
    store.save_bookings(OFFICE, TODAY, [listed], etag=None, now=NOW)
    assert store.booking_by_code(listed.code, TODAY) == with_state(listed, BookingState.CHECKED_IN)
    assert store.bookings_of_holder(TODAY, nik=NIK)[0].state is BookingState.CHECKED_IN
    assert store.purge_bookings(TOMORROW) == 1  # and it goes with its day


def test_a_mobile_jkn_bookings_doctor_and_hours_are_kept(store: Store) -> None:
    mjkn = booking(TODAY, doctor="dr. Andi, Sp.PD", hours="08:00-12:00")
    store.save_bookings(OFFICE, TODAY, [mjkn], etag=None, now=NOW)
    found = store.booking_by_code(mjkn.code, TODAY)
    assert found == mjkn and (found.doctor, found.hours) == ("dr. Andi, Sp.PD", "08:00-12:00")
