"""Today's doctors in the kiosk's store: one day's list replaced whole, places taken
here offline counted until the centre's next list, and a row it cannot read refused."""

from __future__ import annotations

import datetime as dt

import pytest

from contract.hospital import Payer
from offline_store import Store, StoreError
from testkit.hospital_kiosk import OFFICE, doctor

DAY = dt.date(2026, 12, 5)
NOW = dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.UTC)
ANI = doctor(quota_jkn=10, left_jkn=2, quota_non_jkn=5, left_non_jkn=5)
RINA = doctor("s-rina", "dr. Rina", starts="13:00", ends="15:00")


def test_the_list_of_a_day_is_replaced_whole(store: Store) -> None:
    assert store.save_doctors(OFFICE, DAY, [RINA, ANI], now=NOW) == 2
    assert store.doctors_today(OFFICE, DAY) == [ANI, RINA]  # earliest first
    assert store.doctors_today(OFFICE, DAY + dt.timedelta(days=1)) == []
    assert store.doctors_today("another-office", DAY) == []
    store.save_doctors(OFFICE, DAY, [RINA], now=NOW)
    assert store.doctors_today(OFFICE, DAY) == [RINA]


def test_places_taken_offline_count_until_the_next_list(store: Store) -> None:
    store.save_doctors(OFFICE, DAY, [ANI], now=NOW)
    # 8 JKN places taken at the centre: the next is the 9th, then the 10th
    assert store.take_doctor_place(OFFICE, DAY, ANI.schedule_id, Payer.JKN) == 9
    assert store.take_doctor_place(OFFICE, DAY, ANI.schedule_id, Payer.JKN) == 10
    assert store.take_doctor_place(OFFICE, DAY, ANI.schedule_id, Payer.JKN) is None  # full
    [ani] = store.doctors_today(OFFICE, DAY)
    assert (ani.left_jkn, ani.left_non_jkn) == (0, 5)
    assert store.take_doctor_place(OFFICE, DAY, ANI.schedule_id, Payer.UMUM) == 11
    assert store.take_doctor_place(OFFICE, DAY, "s-unknown", Payer.UMUM) is None
    store.save_doctors(OFFICE, DAY, [ANI], now=NOW)  # the centre's count replaces ours
    assert store.doctors_today(OFFICE, DAY) == [ANI]


def test_a_repeated_schedule_is_refused_and_nothing_kept(store: Store) -> None:
    store.save_doctors(OFFICE, DAY, [RINA], now=NOW)
    with pytest.raises(StoreError):
        store.save_doctors(OFFICE, DAY, [ANI, ANI], now=NOW)
    assert store.doctors_today(OFFICE, DAY) == [RINA]


def test_a_row_it_cannot_read_is_refused(store: Store) -> None:
    store.save_doctors(OFFICE, DAY, [ANI], now=NOW)
    with store.db.conn:
        store.db.execute("UPDATE doctors_today SET doctor = '{\"schedule_id\": 1}'")
    with pytest.raises(StoreError):
        store.doctors_today(OFFICE, DAY)
