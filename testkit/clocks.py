"""Clocks a test moves by hand, so timeouts and days pass without sleeping."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

#: The demo office's time zone (the centre's default ``--timezone``).
JAKARTA = ZoneInfo("Asia/Jakarta")


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
