"""The one range of times and dates the centre takes from a caller: 2000 to 2100.

No kiosk prints a ticket, sends a heartbeat or files an application outside
it, and inside it the centre's arithmetic (UTC conversion, a queue's local
day, a week before a date) can never overflow. Every time or date in a
request model is an :data:`ApiDateTime` or :data:`ApiDate` (a test walks the
OpenAPI schema and posts the extremes to every such field), and
:mod:`central.office.submissions` checks the times inside a batch's bodies with
:func:`in_range`. Out of range: ``422``, never a ``500``. (A date of birth
is the one exception: it is a citizen's past, checked on its own.)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

#: The first instant taken, and the first one no longer taken (UTC).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def in_range(value: dt.datetime) -> bool:
    """Whether an aware ``value`` lies in [EARLIEST, LATEST); never raises on year 1 or 9999."""
    try:
        return EARLIEST <= value.astimezone(dt.UTC) < LATEST
    except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00+14:00 has no UTC
        return False


def _time(value: dt.datetime) -> dt.datetime:
    if not in_range(value):
        raise ValueError("a time with offset from 2000 to 2099 (UTC) is required")
    return value


def _date(value: dt.date) -> dt.date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError("a date from 2000 to 2099 is required")
    return value


#: An ISO 8601 time with an offset, 2000 to 2099 in UTC.
ApiDateTime = Annotated[AwareDatetime, AfterValidator(_time)]
#: An ISO date, 2000 to 2099.
ApiDate = Annotated[dt.date, AfterValidator(_date)]
