"""Counts per day, office and service, from the queue's tickets and the kiosks' submissions.

Counted when asked (indexed on office and day in both tables), so there is
nothing to keep in step. A row's ``day`` is the office's local date (the
queue's day). Per row:

* ``tickets_issued``: tickets of that queue, online, leased or fallback
  (not void: numbers given back unused are no tickets);
* ``served``, ``no_show``: tickets in those states now;
* ``registrations``: ``service_registration`` submissions;
* ``complaints``: ``complaint`` submissions. A complaint names no service,
  so these are on a row of their own with ``service_id`` ``None``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, case, func, select

from central.tables import submissions, tickets

#: The longest span one request may cover.
MAX_DAYS = 366
REGISTRATION = "service_registration"
COMPLAINT = "complaint"


@dataclass
class Row:
    day: dt.date
    office_id: str
    service_id: str | None
    tickets_issued: int = 0
    served: int = 0
    no_show: int = 0
    registrations: int = 0
    complaints: int = 0


def _sum_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def statistics(
    conn: Connection, *, first: dt.date, last: dt.date, office_id: str | None
) -> list[Row]:
    """Rows from ``first`` to ``last`` (inclusive), sorted by day, office, service."""
    rows: dict[tuple[dt.date, str, str | None], Row] = {}

    def row(day: dt.date, office: str, service: str | None) -> Row:
        key = (day, office, service)
        if key not in rows:
            rows[key] = Row(day, office, service)
        return rows[key]

    ticket_query = (
        select(
            tickets.c.day,
            tickets.c.office_id,
            tickets.c.service_id,
            func.count().label("issued"),
            _sum_if(tickets.c.status == "served").label("served"),
            _sum_if(tickets.c.status == "no_show").label("no_show"),
        )
        .where(tickets.c.day >= first, tickets.c.day <= last, tickets.c.status != "void")
        .group_by(tickets.c.day, tickets.c.office_id, tickets.c.service_id)
    )
    submission_query = (
        select(
            submissions.c.day,
            submissions.c.office_id,
            submissions.c.service_id,
            submissions.c.kind,
            func.count().label("n"),
        )
        .where(
            submissions.c.day >= first,
            submissions.c.day <= last,
            submissions.c.kind.in_((REGISTRATION, COMPLAINT)),
        )
        .group_by(
            submissions.c.day, submissions.c.office_id, submissions.c.service_id, submissions.c.kind
        )
    )
    if office_id is not None:
        ticket_query = ticket_query.where(tickets.c.office_id == office_id)
        submission_query = submission_query.where(submissions.c.office_id == office_id)
    for t in conn.execute(ticket_query):
        r = row(t.day, t.office_id, t.service_id)
        r.tickets_issued, r.served, r.no_show = int(t.issued), int(t.served), int(t.no_show)
    for s in conn.execute(submission_query):
        if s.kind == REGISTRATION:
            row(s.day, s.office_id, s.service_id).registrations += int(s.n)
        else:
            row(s.day, s.office_id, None).complaints += int(s.n)
    return sorted(rows.values(), key=lambda r: (r.day, r.office_id, r.service_id or ""))
