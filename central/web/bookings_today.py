"""The day's bookings per service, as the counter page, the dashboard and the settings show them.

By slot time, code and state only: no name, no NIK, so showing them reads
no personal data and needs no audit row. Reading them writes nothing: a
booking past its slot and grace reads ``no_show`` at once, marked or not
(:func:`central.office.bookings.day_bookings`); the marking itself is
:func:`central.office.bookings.mark_no_shows`, run on each server's tick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection

from central.access.audit import utc_now
from central.api.deps import AppContext
from central.office import bookings, numbering, queue
from contract.bookings import BookingState, format_code
from contract.shown import shown_code, shown_repr

#: The states in the order the tables show their counts.
STATES = tuple(BookingState)


@shown_repr(code=shown_code)
@dataclass(frozen=True)
class Entry:
    time: str
    code: str
    state: str


@dataclass(frozen=True)
class ServiceDay:
    """One service's bookings of the day: counts per state, and each booking."""

    service_id: str
    name: str
    counts: dict[str, int]
    entries: list[Entry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def service_days(
    conn: Connection,
    ctx: AppContext,
    office_id: str,
    lang: str,
    *,
    day: dt.date | None = None,
    service_ids: list[str] | None = None,
) -> list[ServiceDay]:
    """``day``'s (default today's) bookings at ``office_id`` per service (or of ``service_ids``)."""
    now = utc_now()
    day = day or numbering.local_day(now, ctx.settings.zone)
    found = bookings.day_bookings(conn, office_id, day, now=now, service_ids=service_ids)
    facts = queue.catalog_facts(conn, ctx.documents)
    per: dict[str, list[bookings.Booking]] = {}
    for item in found:
        per.setdefault(item.service_id, []).append(item)
    result = []
    for service_id in sorted(per):
        items = per[service_id]
        counts = {state.value: 0 for state in STATES}
        for item in items:
            counts[item.state.value] += 1
        name = (facts.service_names.get(service_id) or {}).get(lang, service_id)
        entries = [
            Entry(f"{b.starts_at}–{b.ends_at}", format_code(b.code), b.state.value) for b in items
        ]
        result.append(ServiceDay(service_id, name, counts, entries))
    return result
