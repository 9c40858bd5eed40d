"""A day of an office's tickets, written straight into the centre's database.

For the dashboard's tests and its benchmark: a day of 20,000 tickets is
written in one transaction (as an operator's import would), where allocating
them one by one over HTTP would take minutes. Each ticket says when it was
issued, called and finished, so a test knows every span the figures are
computed from.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from central.database import Database
from central.tables import tickets

ZONE = ZoneInfo("Asia/Jakarta")  # the server's default --timezone
#: The demo office's queues that print tickets.
DEMO_SERVICES = ("puskesmas-umum", "ktp-cetak-ulang", "kk-perubahan", "izin-usaha-mikro")


@dataclass(frozen=True)
class DayTicket:
    service_id: str
    status: str
    issued_at: dt.datetime
    called_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    #: The queue it stands in now; the service's own unless transferred.
    queue_id: str | None = None


def today() -> dt.date:
    """The city's date now."""
    return dt.datetime.now(ZONE).date()


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """A local time of ``day`` in the city's zone."""
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=ZONE)


def insert_day(
    db: Database, office_id: str, kiosk_id: str, day: dt.date, items: Sequence[DayTicket]
) -> list[str]:
    """Write ``items`` as tickets of ``day``, numbered per service in order; their ids."""
    numbers: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for item in items:
        number = numbers[item.service_id] = numbers.get(item.service_id, 0) + 1
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "office_id": office_id,
                "service_id": item.service_id,
                "queue_id": item.queue_id or item.service_id,
                "day": day,
                "number": number,
                "display": f"T-{number:05d}",
                "number_source": "online",
                "kiosk_id": kiosk_id,
                "status": item.status,
                "counter": "1" if item.called_at else None,
                "issued_at": item.issued_at,
                "recorded_at": item.issued_at,
                "called_at": item.called_at,
                "finished_at": item.finished_at,
            }
        )
    with db.begin() as conn:
        for first in range(0, len(rows), 1000):
            conn.execute(insert(tickets), rows[first : first + 1000])
    return [row["id"] for row in rows]


def busy_day(
    day: dt.date, count: int, seed: int = 14, services: Sequence[str] = DEMO_SERVICES
) -> list[DayTicket]:
    """``count`` tickets over opening hours (07:00–16:00): most served, some no-show,
    the last ones still waiting, a few held or called, a few transferred."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible day, no secret
    items = []
    opening = at(day, 7)
    span_s = 9 * 3600
    for i in range(count):
        service = services[i % len(services)]
        issued = opening + dt.timedelta(seconds=span_s * i / count + rng.uniform(0, 5))
        called = issued + dt.timedelta(seconds=rng.uniform(60, 3600))
        finished = called + dt.timedelta(seconds=rng.uniform(60, 900))
        roll = rng.random()
        if i > count * 0.97:
            items.append(DayTicket(service, "waiting", issued))
        elif roll < 0.8:
            queue = services[(i + 1) % len(services)] if roll < 0.02 else None
            items.append(DayTicket(service, "served", issued, called, finished, queue))
        elif roll < 0.95:
            items.append(DayTicket(service, "no_show", issued, called, finished))
        elif roll < 0.98:
            items.append(DayTicket(service, "held", issued, called))
        else:
            items.append(DayTicket(service, "called", issued, called))
    return items
