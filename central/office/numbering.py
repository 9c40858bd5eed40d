"""Ticket numbers: online tickets count up from 001, leases come down from the top.

A queue is (office, service, day), ``day`` the office's local calendar date.
Its numbers are one row of ``ticket_counters`` with two ranges
(:mod:`central.office.sequence`): citizens' numbers count up from 001,
leased blocks are taken from 999 down, and when the two meet both go on
above 999 from one sequence. Every number is handed out once:

* online: :func:`allocate`, one number for one ticket id (idempotent);
* a lease: :func:`create_lease`, a block a kiosk may print while offline,
  within :class:`LeaseLimits` per kiosk, queue and day (a runaway kiosk
  must not spend the day's space and bring the meeting forward);
  :func:`return_lease` gives back its unused tail, which is then void;
* a fallback ticket (``A-K07-001``, printed without a lease) takes the next
  number counting up when it reaches the centre
  (:mod:`central.office.submissions`).

Leased numbers not used are nobody's: no ticket row, so never counted as
people waiting nor called. A queue calls by issue time
(:data:`central.office.queue.CALL_ORDER`), so a leased ticket synced late
takes the place its citizen came at, not the place its high number says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from central.access.kiosks import KioskPrincipal, kiosk_code_of
from central.errors import Conflict, LeaseLimit, NotFound, Unprocessable
from central.office.sequence import take_counted, take_lease_block
from central.tables import leases, services, tickets
from contract.ticket_ids import is_foreign
from contract.wire import ErrorCode, Lease

#: The largest block one lease may take.
MAX_LEASE = 500


@dataclass(frozen=True)
class LeaseLimits:
    """What one kiosk may lease of one queue (office, service, day)."""

    #: Leases not returned, not expired and not used up (a kiosk keeps one or two).
    live: int = 4
    #: Numbers leased in all, used, returned or not.
    numbers: int = 500


@dataclass(frozen=True)
class ServiceInfo:
    id: str
    office_id: str
    ticket_prefix: str
    counter: str
    name: str


def local_day(at: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The office's calendar date at the instant ``at``."""
    return at.astimezone(zone).date()


def end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant (UTC) the local ``day`` ends: the next local midnight."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return midnight.astimezone(dt.UTC)


def display(prefix: str, number: int) -> str:
    """What a numbered ticket shows: ``A-017``."""
    return f"{prefix}-{number:03d}"


def office_services(conn: Connection, office_id: str) -> dict[str, ServiceInfo]:
    """The active services of an office, by id."""
    rows = conn.execute(
        select(*_SERVICE_COLUMNS)
        .where(services.c.office_id == office_id, services.c.active.is_(True))
        .order_by(services.c.id)
    )
    return {r.id: _service(r) for r in rows}


def service_info(conn: Connection, service_id: str) -> ServiceInfo:
    """A service, active or not (a ticket's service may have left the catalog since)."""
    return _service(conn.execute(_SERVICE, {"service_id": service_id}).one())


def require_service(conn: Connection, office_id: str, service_id: str) -> ServiceInfo:
    """An active service of ``office_id``, or 404 ``unknown_service``."""
    row = conn.execute(_ACTIVE_SERVICE, {"service_id": service_id, "office_id": office_id}).first()
    if row is None:
        raise NotFound(
            f"no active service {service_id!r} at this office", code=ErrorCode.UNKNOWN_SERVICE
        )
    return _service(row)


_SERVICE_COLUMNS = (
    services.c.id,
    services.c.office_id,
    services.c.ticket_prefix,
    services.c.counter,
    services.c.name,
)


_SERVICE = select(*_SERVICE_COLUMNS).where(services.c.id == bindparam("service_id"))
_ACTIVE_SERVICE = select(*_SERVICE_COLUMNS).where(
    services.c.id == bindparam("service_id"),
    services.c.office_id == bindparam("office_id"),
    services.c.active.is_(True),
)


def _service(row: Any) -> ServiceInfo:
    return ServiceInfo(
        id=str(row.id),
        office_id=str(row.office_id),
        ticket_prefix=str(row.ticket_prefix),
        counter=str(row.counter),
        name=str(row.name),
    )


def find_ticket(conn: Connection, ticket_id: str) -> Row[Any] | None:
    return conn.execute(_FIND_TICKET, {"ticket_id": ticket_id}).first()


@dataclass(frozen=True)
class Allocated:
    """:func:`allocate`'s answer: the ticket's row, whether it is new, and its service."""

    row: Row[Any]
    created: bool
    service: ServiceInfo


def allocate(
    conn: Connection,
    kiosk: KioskPrincipal,
    ticket_id: str,
    service_id: str,
    now: dt.datetime,
    zone: ZoneInfo,
    at_kiosk_until: dt.datetime | None = None,
) -> Allocated:
    """The ticket ``ticket_id`` with the next number of the queue (``created``: new).

    ``at_kiosk_until``: the number is asked ahead, while the citizen is still at the
    kiosk; a new ticket is not called before then unless its registration comes first
    (:func:`central.office.queue.call_next`). The same ticket id again changes nothing:
    a retry never holds a number longer.

    The same ticket id again (same kiosk, same service) is the same ticket:
    a retry after a lost answer must not take a second number. The caller
    runs this again in a new transaction on an ``IntegrityError`` (two
    requests with one id at once on PostgreSQL: the second then finds the first).

    A citizen waits for it, so it asks the database little: the ticket (none yet),
    the service, the queue's counter, and the new row written and read back in one
    ``INSERT … RETURNING``; the kiosk's code comes with its token
    (:attr:`KioskPrincipal.kiosk_code`), and the statements are made once.
    """
    code = kiosk.kiosk_code or kiosk_code_of(conn, kiosk.kiosk_id)
    if is_foreign(ticket_id, code):
        raise Conflict("this ticket id names another kiosk")
    existing = find_ticket(conn, ticket_id)
    if existing is not None:
        if existing.service_id != service_id or existing.kiosk_id != kiosk.kiosk_id:
            raise Conflict("this ticket id was already used for another ticket")
        return Allocated(existing, False, service_info(conn, existing.service_id))
    service = require_service(conn, kiosk.office_id, service_id)
    day = local_day(now, zone)
    number, issued_at = take_counted(conn, service.office_id, service.id, day, 1, now)
    row = conn.execute(
        _INSERT_TICKET,
        {
            "id": ticket_id,
            "office_id": service.office_id,
            "service_id": service.id,
            "day": day,
            "number": number,
            "display": display(service.ticket_prefix, number),
            "number_source": "online",
            "kiosk_id": kiosk.kiosk_id,
            "lease_id": None,
            "status": "waiting",
            "counter": None,
            "issued_at": issued_at,
            "queued_at": issued_at,
            "recorded_at": now,
            "queue_id": service.id,  # the column's default would ask the statement for it
            "at_kiosk_until": at_kiosk_until,
        },
    ).one()
    return Allocated(row, True, service)


#: Made once (each is run for every ticket numbered online).
_FIND_TICKET = select(tickets).where(tickets.c.id == bindparam("ticket_id"))
_INSERT_TICKET = insert(tickets).returning(*tickets.c)


def create_lease(
    conn: Connection,
    kiosk: KioskPrincipal,
    service_id: str,
    day: dt.date,
    size: int,
    now: dt.datetime,
    zone: ZoneInfo,
    limits: LeaseLimits = LeaseLimits(),
) -> Lease:
    """A block of ``size`` numbers of the queue on ``day`` (today or tomorrow) for this kiosk.

    ``409 lease_limit`` (:class:`LeaseLimit`) beyond ``limits``.
    """
    if not 1 <= size <= MAX_LEASE:
        raise Unprocessable(f"size must be between 1 and {MAX_LEASE}", code=ErrorCode.INVALID_SIZE)
    today = local_day(now, zone)
    if day not in (today, today + dt.timedelta(days=1)):
        raise Unprocessable(
            f"a lease is for today ({today}) or tomorrow", code=ErrorCode.INVALID_DAY
        )
    service = require_service(conn, kiosk.office_id, service_id)
    leased, live = _held(conn, kiosk.kiosk_id, service.id, day, now)
    if leased + size > limits.numbers:
        raise LeaseLimit(
            f"this kiosk has leased {leased} numbers of this queue today; "
            f"at most {limits.numbers} per kiosk, queue and day"
        )
    if live >= limits.live:
        raise LeaseLimit(
            f"this kiosk holds {live} unused leases of this queue; "
            f"at most {limits.live} per kiosk, queue and day"
        )
    first = take_lease_block(conn, service.office_id, service.id, day, size, now)
    lease = Lease(
        lease_id=str(uuid.uuid4()),
        office_id=service.office_id,
        service_id=service.id,
        day=day,
        start=first,
        end=first + size - 1,
        expires_at=end_of_day(day, zone),
    )
    conn.execute(
        insert(leases).values(
            id=lease.lease_id,
            kiosk_id=kiosk.kiosk_id,
            office_id=lease.office_id,
            service_id=lease.service_id,
            day=day,
            first_number=lease.start,
            last_number=lease.end,
            created_at=now,
            expires_at=lease.expires_at,
            returned_from=None,
            returned_at=None,
        )
    )
    return lease


def _held(
    conn: Connection, kiosk_id: str, service_id: str, day: dt.date, now: dt.datetime
) -> tuple[int, int]:
    """How many numbers of this queue and day the kiosk has leased, and how many leases are live.

    Live: not returned, not expired, not used up. Requests of one kiosk for
    one queue and day take turns from here to the end of the transaction, so
    parallel ones cannot all pass the limits' check on the same count:
    PostgreSQL takes an advisory lock on them (the lease rows to count may
    not exist yet, so there is no row to lock); SQLite runs one writing
    transaction at a time (``BEGIN IMMEDIATE``) already.
    """
    if conn.dialect.name == "postgresql":
        name = f"lease\x1f{kiosk_id}\x1f{service_id}\x1f{day.isoformat()}"
        lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], signed=True)
        conn.execute(select(func.pg_advisory_xact_lock(lock)))
    used = (
        select(func.count())
        .select_from(tickets)
        .where(tickets.c.lease_id == leases.c.id)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            leases.c.first_number,
            leases.c.last_number,
            leases.c.returned_at,
            leases.c.expires_at,
            used.label("used"),
        ).where(
            leases.c.kiosk_id == kiosk_id,
            leases.c.service_id == service_id,
            leases.c.day == day,
        )
    ).all()
    leased = sum(r.last_number - r.first_number + 1 for r in rows)
    live = sum(
        1
        for r in rows
        if r.returned_at is None
        and r.expires_at > now
        and r.used < r.last_number - r.first_number + 1
    )
    return leased, live


def return_lease(
    conn: Connection, kiosk: KioskPrincipal, lease_id: str, first_unused: int, now: dt.datetime
) -> tuple[int, int] | None:
    """Give back a lease's numbers from ``first_unused`` on; they are void from now.

    Returns the void range, or ``None`` when nothing was left. Idempotent:
    the first return stands and later ones answer the same. Numbers of the
    lease already recorded as tickets are never voided: the range starts
    after the highest of them.
    """
    row = conn.execute(select(leases).where(leases.c.id == lease_id).with_for_update()).first()
    if row is None or row.kiosk_id != kiosk.kiosk_id:
        raise NotFound("no such lease of this kiosk", code=ErrorCode.UNKNOWN_LEASE)
    if row.returned_at is None:
        if not row.first_number <= first_unused <= row.last_number + 1:
            raise Unprocessable(
                f"first_unused must be between {row.first_number} and {row.last_number + 1}",
                code=ErrorCode.INVALID_NUMBER,
            )
        used = conn.execute(
            select(func.max(tickets.c.number)).where(tickets.c.lease_id == lease_id)
        ).scalar_one_or_none()
        start = max(first_unused, int(used) + 1) if used is not None else first_unused
        conn.execute(
            update(leases)
            .where(leases.c.id == lease_id)
            .values(returned_from=start, returned_at=now)
        )
        returned_from: int = start
    else:
        returned_from = int(row.returned_from)
    if returned_from > row.last_number:
        return None
    return returned_from, int(row.last_number)
