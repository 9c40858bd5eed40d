"""The figures of one office day: what the dashboard, its CSV and the public figures show.

Per office and service, for one local day (the queue's ``day``):

* ``issued``: tickets numbered by the service's sequence (``service_id``),
  void ones excepted (numbers given back unused are no tickets);
* ``served``, ``no_show``, ``waiting``, ``held``, ``called``: tickets in
  that state now, counted in the queue they stand in (``queue_id``: a
  transfer moves a ticket to another queue, and it is served there);
* the wait (``issued_at`` → ``called_at``, every ticket called) and the
  service time (``called_at`` → ``finished_at``, served tickets closed while
  called: :func:`central.office.queue.served_while_called`; one closed straight
  from held was not being served, and has none), as median
  and 90th percentile per queue, interpolated linearly between ranks (as
  ``statistics.quantiles(method="inclusive")``); a span below zero (a kiosk
  clock behind the centre's) counts as zero;
* tickets issued per local hour (``issued_at`` in the city's zone; a kiosk
  clock outside the day counts in its first or last hour).

Per office besides: complaints not yet closed, and applications by state
(both as they stand now, whatever the day).

Counted when asked, in a fixed handful of set-based queries whatever the
number of tickets: the counts and the hours are grouped in SQL, and so are
the percentiles on PostgreSQL (``percentile_cont``); SQLite, which has none,
sends one number per span and they are ordered here (:func:`spreads`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    union_all,
)

from central.office.complaints import State as ComplaintState
from central.office.queue import (
    CALLED,
    DEFAULT_MINUTES_PER_PERSON,
    HELD,
    NO_SHOW,
    SERVED,
    VOID,
    WAITING,
    CatalogFacts,
    estimate,
    served_while_called,
)
from central.tables import citizen_applications, complaints, offices, services, tickets

HOURS = 24
#: The percentiles shown, as (numerator, denominator) of the rank fraction.
MEDIAN, P90 = (5, 10), (9, 10)


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of a set of spans, in seconds (``None``: no span)."""

    median_s: float | None = None
    p90_s: float | None = None
    count: int = 0


@dataclass(frozen=True)
class ServiceDay:
    service_id: str
    name_id: str
    name_en: str
    issued: int = 0
    served: int = 0
    no_show: int = 0
    waiting: int = 0
    held: int = 0
    called: int = 0
    wait: Spread = Spread()
    service_time: Spread = Spread()
    per_hour: tuple[int, ...] = (0,) * HOURS

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_id


@dataclass(frozen=True)
class OfficeDay:
    office_id: str
    name: str
    day: dt.date
    services: tuple[ServiceDay, ...]
    open_complaints: int = 0
    #: Application state → how many are in it now, sorted by state.
    applications: dict[str, int] = field(default_factory=dict)

    @property
    def per_hour(self) -> tuple[int, ...]:
        return tuple(sum(s.per_hour[h] for s in self.services) for h in range(HOURS))

    def total(self, figure: str) -> int:
        return sum(int(getattr(s, figure)) for s in self.services)


def today(zone: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    """The office's local date now."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()


def hour_starts(day: dt.date, zone: ZoneInfo) -> list[dt.datetime]:
    """The instants (UTC) local hours 1..23 of ``day`` begin."""
    return [
        dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)
        for hour in range(1, HOURS)
    ]


def _seconds(conn: Connection, start: Any, end: Any) -> ColumnElement[float]:
    """``end - start`` in seconds, never below zero, on either database."""
    if conn.dialect.name == "sqlite":
        span: ColumnElement[float] = (func.julianday(end) - func.julianday(start)) * 86400.0
        return func.max(span, 0.0)  # two arguments: SQLite's scalar max
    return func.greatest(cast(extract("epoch", end - start), Float), 0.0)


def _hour_of(issued_at: Any, starts: Sequence[dt.datetime]) -> ColumnElement[int]:
    whens = [(issued_at < start, hour) for hour, start in enumerate(starts)]
    return case(*whens, else_=len(starts))


def _where_day(day: dt.date, office_ids: Sequence[str]) -> ColumnElement[bool]:
    return and_(tickets.c.office_id.in_(office_ids), tickets.c.day == day)


def _interpolate(ordered: Sequence[float], fraction: tuple[int, int]) -> float:
    """The percentile at rank ``fraction × (n − 1)`` of ``ordered``, linear between ranks."""
    top, bottom = fraction
    n = len(ordered)
    low, rest = divmod(top * (n - 1), bottom)
    if rest == 0:
        return ordered[low]
    return ordered[low] + (ordered[low + 1] - ordered[low]) * rest / bottom


def spreads(
    conn: Connection, day: dt.date, office_ids: Sequence[str]
) -> dict[tuple[str, str, str], Spread]:
    """``(metric, office, queue)`` → :class:`Spread`; metric ``wait`` or ``service``.

    PostgreSQL computes them itself (``percentile_cont``: the same linear
    rule). SQLite has no percentile: one scan sends each ticket's two spans,
    as numbers computed in SQL, and they are ordered here (a window over the
    day's spans costs SQLite three times as much).
    """
    where = _where_day(day, office_ids)
    wait = _seconds(conn, tickets.c.issued_at, tickets.c.called_at)
    finished = served_while_called()
    service = _seconds(conn, tickets.c.called_at, tickets.c.finished_at)
    called = and_(where, tickets.c.called_at.is_not(None), tickets.c.status != VOID)
    if conn.dialect.name == "postgresql":
        metrics = (("wait", wait, called), ("service", service, and_(called, finished)))
        return _spreads_in_sql(conn, metrics)
    rows = conn.execute(
        select(
            tickets.c.office_id,
            tickets.c.queue_id,
            wait.label("wait"),
            case((finished, service), else_=None).label("service"),
        ).where(called)
    )
    spans: dict[tuple[str, str, str], list[float]] = {}
    for office, queue_id, waited, served in rows:
        spans.setdefault(("wait", office, queue_id), []).append(float(waited))
        if served is not None:
            spans.setdefault(("service", office, queue_id), []).append(float(served))
    result = {}
    for key, values in spans.items():
        values.sort()
        result[key] = Spread(_interpolate(values, MEDIAN), _interpolate(values, P90), len(values))
    return result


def _spreads_in_sql(
    conn: Connection, metrics: Sequence[tuple[str, ColumnElement[float], ColumnElement[bool]]]
) -> dict[tuple[str, str, str], Spread]:
    queries = [
        select(
            literal(metric).label("metric"),
            tickets.c.office_id,
            tickets.c.queue_id,
            func.count().label("n"),
            func.percentile_cont(MEDIAN[0] / MEDIAN[1]).within_group(span).label("median"),
            func.percentile_cont(P90[0] / P90[1]).within_group(span).label("p90"),
        )
        .where(condition)
        .group_by(tickets.c.office_id, tickets.c.queue_id)
        for metric, span, condition in metrics
    ]
    return {
        (str(row.metric), row.office_id, row.queue_id): Spread(
            float(row.median), float(row.p90), int(row.n)
        )
        for row in conn.execute(union_all(*queries))
    }


def _counts(
    conn: Connection, day: dt.date, office_ids: Sequence[str], zone: ZoneInfo
) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str], dict[str, int]]]:
    """Tickets issued per (office, service) and local hour; tickets per (office, queue) and state.

    One grouped scan of the day gives both: a few hundred rows at most.
    """
    hour = _hour_of(tickets.c.issued_at, hour_starts(day, zone)).label("hour")
    group = (tickets.c.office_id, tickets.c.service_id, tickets.c.queue_id, tickets.c.status)
    rows = conn.execute(
        select(*group, hour, func.count().label("n"))
        .where(_where_day(day, office_ids), tickets.c.status != VOID)
        .group_by(*group, hour)
    )
    issued: dict[tuple[str, str], list[int]] = {}
    states: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        n = int(row.n)
        issued.setdefault((row.office_id, row.service_id), [0] * HOURS)[int(row.hour)] += n
        now = states.setdefault((row.office_id, row.queue_id), {})
        now[row.status] = now.get(row.status, 0) + n
    return issued, states


def _office_rows(conn: Connection, office_id: str | None) -> list[tuple[str, str]]:
    query = select(offices.c.id, offices.c.name).order_by(offices.c.name, offices.c.id)
    if office_id is not None:
        query = query.where(offices.c.id == office_id)
    else:
        query = query.where(offices.c.active.is_(True))
    return [(row.id, row.name) for row in conn.execute(query)]


def office_names(conn: Connection, facts: CatalogFacts) -> list[tuple[str, str]]:
    """Every active office as (id, name), the catalog's name where it has one."""
    return [(o, facts.office_names.get(o, name)) for o, name in _office_rows(conn, None)]


def office_exists(conn: Connection, office_id: str) -> bool:
    return conn.execute(select(offices.c.id).where(offices.c.id == office_id)).first() is not None


def _per_office(
    conn: Connection, query: Any, office_ids: Sequence[str]
) -> dict[str, dict[str, int]]:
    per: dict[str, dict[str, int]] = {o: {} for o in office_ids}
    for row in conn.execute(query):
        per[row.office_id][row.key] = int(row.n)
    return per


def office_days(
    conn: Connection,
    facts: CatalogFacts,
    *,
    day: dt.date,
    zone: ZoneInfo,
    office_id: str | None,
    with_spreads: bool = True,
) -> list[OfficeDay]:
    """The figures of ``day`` for one office, or every active office (``office_id`` None)."""
    office_list = _office_rows(conn, office_id)
    ids = [o for o, _ in office_list]
    if not ids:
        return []
    service_rows = conn.execute(
        select(services.c.id, services.c.office_id, services.c.name)
        .where(services.c.office_id.in_(ids), services.c.active.is_(True))
        .order_by(services.c.id)
    ).all()
    hours, states = _counts(conn, day, ids, zone)
    spread = spreads(conn, day, ids) if with_spreads else {}
    complaint_counts = _per_office(
        conn,
        select(complaints.c.office_id, literal("open").label("key"), func.count().label("n"))
        .where(complaints.c.office_id.in_(ids), complaints.c.state != ComplaintState.CLOSED)
        .group_by(complaints.c.office_id),
        ids,
    )
    applications = _per_office(
        conn,
        select(
            citizen_applications.c.office_id,
            citizen_applications.c.state.label("key"),
            func.count().label("n"),
        )
        .where(citizen_applications.c.office_id.in_(ids))
        .group_by(citizen_applications.c.office_id, citizen_applications.c.state),
        ids,
    )
    # Services of each office: the catalog's, and any queue a ticket stands in besides.
    listed: dict[str, dict[str, str]] = {o: {} for o in ids}
    for row in service_rows:
        listed[row.office_id][row.id] = row.name
    for office, service_id in (*hours, *states):
        listed[office].setdefault(service_id, service_id)
    result = []
    for office, name in office_list:
        days = sorted(
            (
                _service_day(sid, fallback, facts, hours, states, spread, office)
                for sid, fallback in listed[office].items()
            ),
            key=lambda s: (s.name_id.lower(), s.service_id),
        )
        result.append(
            OfficeDay(
                office_id=office,
                name=facts.office_names.get(office, name),
                day=day,
                services=tuple(days),
                open_complaints=complaint_counts[office].get("open", 0),
                applications=dict(sorted(applications[office].items())),
            )
        )
    return result


def _service_day(
    service_id: str,
    fallback: str,
    facts: CatalogFacts,
    hours: dict[tuple[str, str], list[int]],
    states: dict[tuple[str, str], dict[str, int]],
    spread: dict[tuple[str, str, str], Spread],
    office: str,
) -> ServiceDay:
    names = facts.service_names.get(service_id, {"id": fallback, "en": fallback})
    per_hour = hours.get((office, service_id), [0] * HOURS)
    now = states.get((office, service_id), {})
    return ServiceDay(
        service_id=service_id,
        name_id=names["id"],
        name_en=names["en"],
        issued=sum(per_hour),
        served=now.get(SERVED, 0),
        no_show=now.get(NO_SHOW, 0),
        waiting=now.get(WAITING, 0),
        held=now.get(HELD, 0),
        called=now.get(CALLED, 0),
        wait=spread.get(("wait", office, service_id), Spread()),
        service_time=spread.get(("service", office, service_id), Spread()),
        per_hour=tuple(per_hour),
    )


def estimated_wait_minutes(service: ServiceDay, facts: CatalogFacts) -> int:
    """The wait a citizen joining the queue now can expect, by the queue's own rule.

    People waiting × minutes per person: the median service time of the day
    if any ticket was served, else the catalog's figure, else the default
    (:mod:`central.office.queue`).
    """
    if service.service_time.median_s is not None:
        per_person = service.service_time.median_s / 60
    else:
        per_person = facts.minutes_per_person.get(service.service_id, DEFAULT_MINUTES_PER_PERSON)
    return estimate(service.waiting, per_person)
