"""Clocks a test moves by hand, so timeouts and days pass without sleeping."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

#: The demo office's time zone (the centre's default ``--timezone``).
JAKARTA = ZoneInfo("Asia/Jakarta")
#: A test that counts leases starts no later than this in its day ...
LATEST_START = dt.time(16, 0)
#: ... by starting this much earlier than the real time (same date, from 16:00).
EVENING_SHIFT = dt.timedelta(hours=8)


class ManualClock:
    """A monotonic clock the test moves: the session's timeouts without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class OfficeClock:
    """The office's ``now``: the real time in Jakarta when made, then moved by the test.

    Starts from the real date so the centre (on the real clock) agrees on the day.
    """

    def __init__(self) -> None:
        self.moment = dt.datetime.now(JAKARTA)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)

    def keep_clear_of_tomorrow(self) -> None:
        """Start earlier the same day if the test runs in the day's last hours.

        From :data:`LATEST_START` a kiosk also leases tomorrow's numbers
        (:data:`kiosk.sync.leases.TOMORROW_WINDOW`), and a test that moves a day on
        would ask for a day the centre does not number yet. A test that counts
        leases calls this before the kiosk does anything, so it passes whatever the
        time it runs; the shift stays well inside the centre's tolerance for a
        kiosk's clock. Not for a test whose kiosk shares the store with a process
        on the real clock.
        """
        if self.moment.time() >= LATEST_START:
            self.moment -= EVENING_SHIFT


#: A test that starts this close to the office's midnight waits for it to pass first.
MIDNIGHT_MARGIN_S = 60.0


def seconds_to_the_offices_midnight(now: dt.datetime | None = None) -> float:
    """Seconds from ``now`` (the real time) to the next midnight in Jakarta."""
    local = (now or dt.datetime.now(JAKARTA)).astimezone(JAKARTA)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), JAKARTA)
    return (midnight - local).total_seconds()


def clear_of_the_offices_midnight(
    now: dt.datetime | None = None, sleep: Callable[[float], None] = time.sleep
) -> float:
    """Wait out the office's midnight when it is under :data:`MIDNIGHT_MARGIN_S` away; the
    seconds waited.

    The centre's queues, numbers and bookings belong to the office's day, and a real
    centre in its own process runs on the real clock: a test that numbered a ticket at
    23:59:59 in Jakarta and called the queue at 00:00:01 found it empty (yesterday's
    tickets are not called today). Tests are short: one that starts with the day's
    last minute still ahead waits it out, at most once a day for each worker.
    """
    left = seconds_to_the_offices_midnight(now)
    if left >= MIDNIGHT_MARGIN_S:
        return 0.0
    sleep(left + 0.5)
    return left + 0.5
