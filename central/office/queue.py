"""The state of a queue: who is being served, how many wait, how long it takes; the counter's calls.

A ticket goes ``waiting`` → ``called`` (call-next, at a counter) →
``served`` or ``no_show``; a called ticket may also be set aside (``held``,
tunda) and called back, or transferred back to ``waiting`` in another queue
or for another counter (:mod:`central.office.steps`). ``void`` marks a
ticket that will never be called (:func:`void_online`: an online number its
kiosk never kept), unless its registration arrives after all
(:mod:`central.office.submissions`).

A ticket stands in the queue ``queue_id`` (its own service's at first; a
transfer moves it) and keeps its ``service_id``, the service whose sequence
gave its number. Every figure here is per queue: waiting, people ahead, now
serving. A queue calls its tickets by :data:`CALL_ORDER`: the highest
``priority`` first (a transferred ticket has waited already: priority 1),
then the order they joined the queue in (``queued_at``), then their
``number``. Time, not the number: leased numbers come from the top of the
day's space (:mod:`central.office.sequence`), so a ticket printed offline
at 09:00 as ``A-990`` and synced at 09:30 is called before ``A-012``
issued online at 09:10. The time is one the centre can defend, never the
bare ``issued_at`` of a kiosk's clock (:mod:`central.office.submissions`
bounds it by the lease and the receipt). Online numbers are issued in the
order of their numbers, so a day without offline tickets is called 001,
002, 003 as before. Numbers
without a ticket (void lease numbers, leased numbers not yet used or
synced) are simply not there to be called or counted.
A waiting ticket with a ``counter`` was sent to that counter (a transfer)
and only that counter calls it.

A number asked ahead (an allocate with ``hold_s``: the kiosk asks once the citizen
confirms her summary, while she answers one more question on its screen) is waiting at
once, and counted as such, but no counter calls it before ``at_kiosk_until``
(:func:`callable_at`): she has not seen her number yet. Its registration (the kiosk
sends it once the ticket is stored, :mod:`central.office.submissions`) or a void clears
the time; a kiosk that never sends one (it lost power at the question) leaves the number
uncallable no longer than :data:`AT_KIOSK_MAX_S`, after which it is called as any other
(and its kiosk's sweep voids it, ``void_online``).

The estimated wait is people ahead × minutes per person, the minutes being
the median of today's service durations for that service (called → served:
:func:`served_while_called`), else the catalog's ``minutes_per_person`` for the
service if it has one, else :data:`DEFAULT_MINUTES_PER_PERSON`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)

from central.access.kiosks import KioskPrincipal
from central.documents.catalog import build_catalog, catalog_marker
from central.documents.versioned import DocumentCache
from central.errors import Conflict, NotFound
from central.office.counters import require_offered, waiting_for
from central.office.numbering import require_service
from central.tables import UtcDateTime, tickets
from contract.wire import ErrorCode

DEFAULT_MINUTES_PER_PERSON = 5.0
WAITING, CALLED, SERVED, NO_SHOW, VOID = "waiting", "called", "served", "no_show", "void"
HELD = "held"
#: The states of a ticket still in the office's hands (on the counter page).
OPEN = (WAITING, CALLED, HELD)
#: The order a queue (or a counter serving several) calls its waiting tickets in.
CALL_ORDER = (tickets.c.priority.desc(), tickets.c.queued_at.asc(), tickets.c.number.asc())
TicketRow = Row[tuple[Any, ...]]
#: The longest a number asked ahead is passed by while its registration has not come.
AT_KIOSK_MAX_S = 120
#: The largest ``hold_s`` an allocate may name (held :data:`AT_KIOSK_MAX_S` at most).
AT_KIOSK_LIMIT_S = 3600


def callable_at(now: dt.datetime) -> ColumnElement[bool]:
    """The tickets a counter may call at ``now``: none still at the kiosk (asked ahead, no
    registration yet, its time not over)."""
    return or_(tickets.c.at_kiosk_until.is_(None), tickets.c.at_kiosk_until <= now)


def at_kiosk(ticket: TicketRow, now: dt.datetime) -> bool:
    """Whether ``ticket`` is waiting but not callable yet at ``now`` (:func:`callable_at`)."""
    until: dt.datetime | None = ticket.at_kiosk_until
    return ticket.status == WAITING and until is not None and until > now


def served_while_called() -> ColumnElement[bool]:
    """The served tickets that have a service time (``called_at`` → ``finished_at``): closed
    while called, not straight from ``held``.

    A call back calls a held ticket again (``called_at`` is then the call back's time), so a
    ticket held and called back counts the service after its last call. One closed from
    ``held`` (at a counter a new catalog dropped, :func:`central.office.steps.close`) was
    not being served when closed, and nobody knows how long it was served before its hold:
    from its last call it sat held, so it has no service time. Its ``held_at`` says so: a
    hold sets it, and only a call (a call back, a call of the next ticket) or a transfer
    clears it, so a ticket served with it set was closed straight from held. A column of
    the ticket, read with the ticket: no look-up of its events for every served ticket of
    the day. A ticket never held (or a service time a kiosk's figures or a test wrote
    straight) counts as before.
    """
    return and_(
        tickets.c.status == SERVED, tickets.c.finished_at.is_not(None), tickets.c.held_at.is_(None)
    )


@dataclass(frozen=True)
class CatalogFacts:
    """What the queue needs from the newest catalog: names in both languages, minutes per person."""

    service_names: dict[str, dict[str, str]] = field(default_factory=dict)
    office_names: dict[str, str] = field(default_factory=dict)
    minutes_per_person: dict[str, float] = field(default_factory=dict)


_facts_lock = threading.Lock()
_facts: dict[str, CatalogFacts] = {}


def catalog_facts(conn: Connection, documents: DocumentCache) -> CatalogFacts:
    """The facts of the catalog being served (parsed once per catalog version)."""
    document = documents.get("catalog", conn, catalog_marker, build_catalog)
    if document is None:
        return CatalogFacts()
    with _facts_lock:
        cached = _facts.get(document.etag)
    if cached is not None:
        return cached
    data = json.loads(document.body)
    facts = CatalogFacts(
        service_names={
            s["id"]: {"id": s["name"]["id"], "en": s["name"].get("en") or s["name"]["id"]}
            for s in data.get("services", [])
        },
        office_names={o["id"]: o["name"] for o in data.get("offices", [])},
        minutes_per_person={
            s["id"]: float(s["minutes_per_person"])
            for s in data.get("services", [])
            if isinstance(s.get("minutes_per_person"), int | float) and s["minutes_per_person"] > 0
        },
    )
    with _facts_lock:
        _facts.clear()
        _facts[document.etag] = facts
    return facts


def median_minutes(
    durations: Iterable[tuple[dt.datetime | None, dt.datetime | None]],
) -> float | None:
    spans = [(end - start).total_seconds() / 60 for start, end in durations if start and end]
    return statistics.median(spans) if spans else None


def minutes_per_person(
    conn: Connection, service_ids: list[str], day: dt.date, facts: CatalogFacts
) -> dict[str, float]:
    """Minutes per person for each queue of ``service_ids`` on ``day`` (served there)."""
    rows = conn.execute(
        select(tickets.c.queue_id, tickets.c.called_at, tickets.c.finished_at).where(
            tickets.c.queue_id.in_(service_ids),
            tickets.c.day == day,
            served_while_called(),
        )
    ).all()
    per: dict[str, list[tuple[dt.datetime | None, dt.datetime | None]]] = {}
    for row in rows:
        per.setdefault(row.queue_id, []).append((row.called_at, row.finished_at))
    result = {}
    for service_id in service_ids:
        median = median_minutes(per.get(service_id, []))
        if median is None:
            median = facts.minutes_per_person.get(service_id, DEFAULT_MINUTES_PER_PERSON)
        result[service_id] = median
    return result


def estimate(people: int, per_person: float) -> int:
    return math.ceil(people * per_person)


def now_serving(conn: Connection, queue_id: str, day: dt.date) -> str | None:
    """The ticket called last in the queue (it may be served by now), or ``None``."""
    display: str | None = conn.execute(_called_last(queue_id, day)).scalar_one_or_none()
    return display


def _called_last(queue_id: Any, day: Any) -> Select[Any]:
    """The display of the ticket called last in ``queue_id`` on ``day`` (values or binds)."""
    return (
        select(tickets.c.display)
        .where(
            tickets.c.queue_id == queue_id,
            tickets.c.day == day,
            tickets.c.called_at.is_not(None),
        )
        .order_by(tickets.c.called_at.desc(), tickets.c.number.desc())
        .limit(1)
    )


def people_ahead(conn: Connection, ticket: TicketRow) -> int:
    """Waiting tickets of the same queue called before it (0 once called)."""
    if ticket.status != WAITING:
        return 0
    return int(
        conn.execute(
            select(func.count()).where(
                tickets.c.queue_id == ticket.queue_id,
                tickets.c.day == ticket.day,
                tickets.c.status == WAITING,
                or_(
                    tickets.c.priority > ticket.priority,
                    and_(
                        tickets.c.priority == ticket.priority,
                        tickets.c.queued_at < ticket.queued_at,
                    ),
                    and_(
                        tickets.c.priority == ticket.priority,
                        tickets.c.queued_at == ticket.queued_at,
                        tickets.c.number < ticket.number,
                    ),
                ),
            )
        ).scalar_one()
    )


@dataclass(frozen=True)
class Place:
    """Where a ticket stands in its queue."""

    people_ahead: int
    estimated_wait_minutes: int
    now_serving: str | None


def place(conn: Connection, ticket: TicketRow, facts: CatalogFacts) -> Place:
    """The people ahead of ``ticket``, their estimated wait and the ticket called last.

    Two statements, each made once: the people ahead and the ticket called last in one
    (:func:`people_ahead` and :func:`now_serving` as one query), then today's service
    durations for the minutes per person (as :func:`minutes_per_person` of one queue).
    A citizen at a kiosk waits for it with the number.
    """
    found = conn.execute(
        _PLACE,
        {
            "queue_id": ticket.queue_id,
            "day": ticket.day,
            "priority": ticket.priority,
            "queued_at": ticket.queued_at,
            "number": ticket.number,
        },
    ).one()
    ahead = int(found.ahead) if ticket.status == WAITING else 0
    spans = conn.execute(_SERVED, {"queue_id": ticket.queue_id, "day": ticket.day}).all()
    median = median_minutes((row.called_at, row.finished_at) for row in spans)
    if median is None:
        median = facts.minutes_per_person.get(ticket.queue_id, DEFAULT_MINUTES_PER_PERSON)
    return Place(
        people_ahead=ahead,
        estimated_wait_minutes=estimate(ahead, median),
        now_serving=found.now_serving,
    )


def _place_statements() -> tuple[Select[Any], Select[Any]]:
    queue_id = bindparam("queue_id", type_=String)
    day = bindparam("day", type_=Date)
    priority = bindparam("priority", type_=Integer)
    queued_at = bindparam("queued_at", type_=UtcDateTime)
    number = bindparam("number", type_=Integer)
    ahead = (
        select(func.count())
        .where(
            tickets.c.queue_id == queue_id,
            tickets.c.day == day,
            tickets.c.status == WAITING,
            or_(
                tickets.c.priority > priority,
                and_(tickets.c.priority == priority, tickets.c.queued_at < queued_at),
                and_(
                    tickets.c.priority == priority,
                    tickets.c.queued_at == queued_at,
                    tickets.c.number < number,
                ),
            ),
        )
        .scalar_subquery()
    )
    serving = _called_last(queue_id, day).scalar_subquery()
    served = select(tickets.c.called_at, tickets.c.finished_at).where(
        tickets.c.queue_id == queue_id, tickets.c.day == day, served_while_called()
    )
    return select(ahead.label("ahead"), serving.label("now_serving")), served


_PLACE, _SERVED = _place_statements()


@dataclass(frozen=True)
class ServiceState:
    service_id: str
    now_serving: str | None
    waiting: int
    estimated_wait_minutes: int


def office_state(
    conn: Connection, service_ids: list[str], day: dt.date, facts: CatalogFacts
) -> list[ServiceState]:
    """The state of each queue of ``service_ids`` on ``day`` (three queries in all)."""
    waiting: dict[str, int] = {
        row.queue_id: int(row.n)
        for row in conn.execute(
            select(tickets.c.queue_id, func.count().label("n"))
            .where(
                tickets.c.queue_id.in_(service_ids),
                tickets.c.day == day,
                tickets.c.status == WAITING,
            )
            .group_by(tickets.c.queue_id)
        )
    }
    called: dict[str, tuple[dt.datetime, int, str]] = {}
    for row in conn.execute(
        select(tickets.c.queue_id, tickets.c.called_at, tickets.c.number, tickets.c.display).where(
            tickets.c.queue_id.in_(service_ids),
            tickets.c.day == day,
            tickets.c.called_at.is_not(None),
        )
    ):
        key = (row.called_at, row.number, row.display)
        if row.queue_id not in called or key > called[row.queue_id]:
            called[row.queue_id] = key
    minutes = minutes_per_person(conn, service_ids, day, facts)
    return [
        ServiceState(
            service_id=sid,
            now_serving=called[sid][2] if sid in called else None,
            waiting=int(waiting.get(sid, 0)),
            estimated_wait_minutes=estimate(int(waiting.get(sid, 0)), minutes[sid]),
        )
        for sid in service_ids
    ]


def open_tickets(conn: Connection, service_ids: list[str], day: dt.date) -> list[TicketRow]:
    """Waiting, called and held tickets of the queues, queue by queue in call order."""
    return list(
        conn.execute(
            select(tickets)
            .where(
                tickets.c.queue_id.in_(service_ids),
                tickets.c.day == day,
                tickets.c.status.in_(OPEN),
            )
            .order_by(tickets.c.queue_id, *CALL_ORDER)
        )
    )


def call_next(
    conn: Connection,
    office_id: str,
    service_id: str | Sequence[str],
    counter: str,
    day: dt.date,
    now: dt.datetime,
) -> TicketRow | None:
    """Call the next waiting ticket of the queues ``service_id`` to ``counter``; ``None`` if none.

    By :data:`CALL_ORDER`, one queue or several: the highest priority, then
    the ticket queued first (so no queue starves, and a ticket printed
    offline is not put behind everyone issued online since: the citizen
    who came first is called first), then the lowest number. Tickets
    sent to this counter by a transfer are called with them, whatever their
    queue; tickets sent to another counter are not, unless the office no
    longer has it (:func:`central.office.counters.waiting_for`). A ticket whose
    citizen is still at the kiosk (:func:`callable_at`) is passed by: the next one
    is called, and it is called in its turn once its registration has come.

    Two counters calling at once get two different tickets: PostgreSQL skips
    the row the other holds (``FOR UPDATE SKIP LOCKED``), SQLite serialises
    the transactions; the ``status = 'waiting'`` condition of the update is the guard.

    ``counter`` must be one the office has
    (:func:`central.office.counters.require_offered`: else 422
    ``unknown_counter``), and each queue one of its active services (404),
    checked before any ticket is touched.
    """
    queue_ids = [service_id] if isinstance(service_id, str) else list(service_id)
    for queue_id in queue_ids:
        require_service(conn, office_id, queue_id)
    require_offered(conn, office_id, counter)
    mine = waiting_for(conn, office_id, queue_ids, counter)
    for _ in range(5):
        candidate = conn.execute(
            select(tickets.c.id)
            .where(
                tickets.c.office_id == office_id,
                tickets.c.day == day,
                tickets.c.status == WAITING,
                mine,
                callable_at(now),
            )
            .order_by(*CALL_ORDER)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if candidate is None:
            return None
        done = conn.execute(
            update(tickets)
            .where(tickets.c.id == candidate, tickets.c.status == WAITING)
            .values(status=CALLED, counter=counter, called_at=now, held_at=None)
        )
        if done.rowcount == 1:
            return conn.execute(select(tickets).where(tickets.c.id == candidate)).one()
    return None


def void_online(
    conn: Connection, kiosk: KioskPrincipal, ticket_id: str, now: dt.datetime
) -> TicketRow:
    """Void an online ticket its kiosk never kept: it stops waiting and is never called.

    Only this kiosk's ``waiting`` online ticket that no registration reached
    (``registered_at`` is null) may be voided; anything else is 409 and
    stays as it is. Idempotent: a void ticket answers as it is. Another
    kiosk's ticket is 404 ``unknown_ticket``, as an unknown one.
    """
    row = conn.execute(select(tickets).where(tickets.c.id == ticket_id).with_for_update()).first()
    if row is None or row.kiosk_id != kiosk.kiosk_id:
        raise NotFound("no such ticket of this kiosk", code=ErrorCode.UNKNOWN_TICKET)
    if row.status == VOID:
        return row
    if row.number_source != "online":
        raise Conflict(f"the ticket's number is a {row.number_source} number, not an online one")
    if row.registered_at is not None:
        raise Conflict("a registration for this ticket has reached the centre")
    if row.status != WAITING:
        raise Conflict(f"the ticket is {row.status}, not waiting")
    conn.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.status == WAITING)
        .values(status=VOID, finished_at=now, at_kiosk_until=None)
    )
    return conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
