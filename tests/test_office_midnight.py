"""No test runs across the office's midnight: one that starts within its last minute
waits for the new day first (testkit.clocks; the suite's autouse fixture)."""

from __future__ import annotations

import datetime as dt

import pytest

from testkit.centre_bookings import slot_in_its_day
from testkit.clocks import (
    JAKARTA,
    MIDNIGHT_MARGIN_S,
    clear_of_the_offices_midnight,
    seconds_to_the_offices_midnight,
)


@pytest.mark.parametrize(
    ("local", "waited"),
    [
        (dt.time(23, 59, 30), 30.5),  # the day's last minute: wait it out
        (dt.time(23, 59, 0, 1), 60.0 - 0.000001 + 0.5),
        (dt.time(23, 58, 59), 0.0),  # over a minute left: go on
        (dt.time(0, 0, 10), 0.0),  # the new day
        (dt.time(12, 0), 0.0),
    ],
)
def test_a_test_starting_in_the_offices_last_minute_waits_for_the_new_day(
    local: dt.time, waited: float
) -> None:
    now = dt.datetime.combine(dt.date(2026, 12, 6), local, JAKARTA)
    slept: list[float] = []
    assert clear_of_the_offices_midnight(now, slept.append) == pytest.approx(waited)
    assert slept == ([pytest.approx(waited)] if waited else [])


def test_the_offices_midnight_is_jakartas_whatever_zone_now_is_given_in() -> None:
    utc = dt.datetime(2026, 12, 6, 16, 59, 45, tzinfo=dt.UTC)  # 23:59:45 in Jakarta
    assert seconds_to_the_offices_midnight(utc) == 15.0
    assert seconds_to_the_offices_midnight(utc) < MIDNIGHT_MARGIN_S


@pytest.mark.parametrize(
    ("asked", "starts", "ends"),
    [
        (dt.time(23, 50), dt.time(23, 29), dt.time(23, 59)),  # would end at 00:20
        (dt.time(23, 29), dt.time(23, 29), dt.time(23, 59)),  # ends at the day's last minute
        (dt.time(9, 15, 30), dt.time(9, 15, 30), dt.time(9, 45, 30)),
    ],
)
def test_a_booking_the_tests_add_late_in_the_evening_stays_within_its_day(
    asked: dt.time, starts: dt.time, ends: dt.time
) -> None:
    """An office's slots end by 23:59; a test's booking for "now" near midnight did not,
    and a kiosk refused its office's whole day of bookings for it."""
    day = dt.date(2026, 12, 7)
    start, end = slot_in_its_day(dt.datetime.combine(day, asked, JAKARTA), 30)
    assert (start.date(), start.time(), end.date(), end.time()) == (day, starts, day, ends)
    assert start <= dt.datetime.combine(day, asked, JAKARTA) < end  # it still holds the time
