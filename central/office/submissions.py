"""Kiosk submissions: batches of items, each stored once under its idempotency key.

The kiosk sends its outbox at least once; the centre keeps each item by the
kiosk and its ``key`` with the SHA-256 of the body's canonical JSON (keys
sorted, no spaces). The same key of the same kiosk again with the same body
answers the first result (``replayed``); with another body, ``conflict``.
Keys are the kiosk's own: what another kiosk posted under the same key never
touches them. An item that can never succeed (unknown service, a number this
kiosk could not have printed) is ``invalid`` and not stored.

A registration's key is its ticket id, which the ticket's QR code prints, so
anyone holding the paper knows it. A kiosk only ever reaches tickets it made
(numbered online for it, or registered by it). When it registers a ticket id
another kiosk's ticket already has, its ticket is stored all the same, under
an id derived from (kiosk, ticket id) with the kiosk's id kept in
``kiosk_ticket_id``: both tickets are in their queues with the numbers their
papers show, neither overwrites nor swallows the other, and the public page
of that id shows neither (``central.api.public``: "disputed"), since the
centre cannot tell which kiosk printed the paper.

A batch is one transaction and a handful of queries whatever its size (the
existing keys, tickets, leases and taken numbers are read with one ``IN``
query each, the new rows written with one ``executemany`` per table): a
kiosk draining 10,000 items after an outage sends 20 batches. A yes to messages is
kept item by item (a few statements each; a proven card is found as a lookup is,
:func:`_record_consents`). Items are
checked in Python before anything is written, so a bad item never sinks
the others: first that the body can be stored at all (:func:`admissible`:
text encodable as UTF-8 without NUL, finite numbers, a bounded depth and
size, times between 2000 and 2100 after conversion to UTC), then what its
kind needs. Should a write still fail (two batches racing on one number, a
value the database refuses), the batch is redone item by item, each in its
own savepoint, and the failing item alone is ``invalid``: one bad item never
answers the whole batch with a 500 that the kiosk would retry for ever.

What a poli registration's check found of its patient (its ``hospital`` result) is
stored with the item for staff and answered to no kiosk (:func:`for_kiosk`, applied to
every outcome a batch answers): a kiosk's token learns nothing of a person from it.

A registration's ``issued_at`` is the kiosk's clock: it is kept as claimed,
but the queue is called by ``queued_at`` (:data:`central.office.queue.CALL_ORDER`),
a time the centre can defend (:func:`queue_time`). The claim is first
corrected by the kiosk's clock skew as its latest heartbeat measured it,
then bounded: a leased ticket was printed after its lease was granted and
before it reached the centre; a fallback ticket after the kiosk's
enrolment and before it reached the centre. An online ticket keeps the
time its number was allocated, whatever a later registration says. So a
kiosk clock hours off can neither put its offline tickets ahead of
citizens numbered before they could have been printed, nor behind everyone
numbered after they arrived.

A leased ticket stands in the queue of its lease's day; the kiosk takes
the lease of the day its own clock says, which is the date its
``issued_at`` is written with, so that date picks the lease (a kiosk's
leases of today and tomorrow may hold the same numbers). A fallback ticket
stands in the queue of the day its queue time falls on: a slow clock that
stamps a ticket before midnight puts it in yesterday's queue only if no
heartbeat has measured the clock; a ticket printed yesterday and received
today stays in yesterday's queue (its citizen's day at the office is over).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import re
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Dialect,
    Select,
    Table,
    UniqueConstraint,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from central.access.kiosks import KioskPrincipal, kiosk_code_of, said_desk
from central.access.lookup_budget import LookupBudget
from central.documents.versioned import canonical
from central.errors import InvalidItem
from central.hospital import visits
from central.messages import triggers
from central.messages.phones import normalise
from central.office import bookings
from central.office.citizens import KeyKind, Refused, kiosk_find
from central.office.numbering import ServiceInfo, display, local_day, office_services
from central.office.plain_text import visible_text
from central.office.queue import VOID, WAITING
from central.office.sequence import take_numbers
from central.tables import (
    complaints,
    kiosk_heartbeats,
    kiosks,
    leases,
    submissions,
    tickets,
)
from central.times import EARLIEST, LATEST, in_range
from central.upsert import one_of, violated
from contract.assurance import Assurance
from contract.errors import HospitalError
from contract.hospital import HospitalRequest
from contract.shown import shape, shown_key, shown_repr
from contract.ticket_ids import is_foreign, is_kiosk_made
from contract.wire import SubmissionStatus

log = logging.getLogger(__name__)

MAX_ITEMS = 500
#: The largest body of one item, as canonical JSON (a registration is a few KiB).
MAX_ITEM_BYTES = 64 * 1024
#: How deeply a body may nest objects and lists.
MAX_DEPTH = 16
SOURCES = ("online", "lease", "fallback")
#: How far a kiosk's clock may run ahead of the centre's, or behind it at
#: enrolment: a time a kiosk gives (issued, created, checked in) must lie
#: between its enrolment minus this and the centre's receipt plus this.
CLOCK_SKEW = dt.timedelta(hours=12)
# Generous on purpose: a kiosk whose clock drifted must not lose its citizens'
# tickets. Disputes are decided on the centre's own times, not on these.
#: Derives the centre's id of a ticket whose kiosk id another kiosk's ticket has.
CLAIM_NAMESPACE = uuid.UUID("1b7d5f0e-6c1a-4f55-9a53-0d4b7c3e2a91")


def claimed_ticket_id(kiosk_id: str, ticket_id: str) -> str:
    """The centre's id for ``kiosk_id``'s ticket ``ticket_id`` when another kiosk had that id."""
    return str(uuid.uuid5(CLAIM_NAMESPACE, f"{kiosk_id}/{ticket_id}"))


#: A key is a ticket's id (its public page, /t/{id}) or gives a complaint's reference; the
#: body is a citizen's registration: written as the kiosk's lines write them.
@shown_repr(key=shown_key, body=shape)
@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    body: dict[str, Any]

    @cached_property
    def text(self) -> bytes:
        """The body as canonical JSON: made once, then checked for size and hashed."""
        return canonical(self.body)

    @property
    def stored(self) -> str:
        """The body as stored: :attr:`text`, less a card's UID. An older kiosk sends the
        UID of the card read with a registration; nothing at the centre reads it, and kept
        beside her name and NIK it would tie a card anyone near it can read in a second to
        a person. The digest is the whole body's, so a replay is still known as one."""
        if self.body.get("card_uid") is None:
            return self.text.decode("utf-8")
        return canonical({**self.body, "card_uid": None}).decode("utf-8")


@shown_repr(key=shown_key, result=shape)
@dataclass(frozen=True)
class Outcome:
    key: str
    status: SubmissionStatus
    error: str | None = None
    detail: str | None = None
    result: dict[str, Any] | None = None


@shown_repr(result=shape, ticket=shape, notify=shape, booking_code=shape)
@dataclass
class Plan:
    """What an accepted item writes."""

    item: Item
    digest: str
    service_id: str | None
    day: dt.date
    result: dict[str, Any]
    #: "insert" a new ticket, "update" (renumber) an online one, "attach" to one.
    ticket_mode: str | None = None
    #: The ticket was voided (its kiosk believed it never kept it): a citizen holds it.
    revive: bool = False
    ticket: dict[str, Any] = field(default_factory=dict)
    #: (kind, service, day, number or display) this item's ticket takes.
    claims: list[tuple[str, str, dt.date, object]] = field(default_factory=list)
    #: The citizen's yes to messages: (their number as ``62…``, their language,
    #: the people ahead at which "your turn is near" goes).
    notify: tuple[str, str, int] | None = None
    #: A registration's ``booking_code`` (as sent: checked at writing), else ``None``.
    booking_code: object = None
    #: The people ahead at which "your turn is near" goes, for a yes given
    #: when booking (the server's ``notify_ahead``).
    notify_ahead: int = 3
    #: The ticket's queue time as stored before a check-in places it.
    queued_at: dt.datetime | None = None
    #: A registration's ``hospital`` object: the visit to make (central.hospital.visits).
    hospital: HospitalRequest | None = None


class Given(NamedTuple):
    """A time an item gives, read once per batch (:func:`_given`)."""

    #: As given, with the kiosk's offset: stored so, and its date picks a lease.
    at: dt.datetime
    #: The same instant in UTC. The batch's bounds are UTC too, and two times in the
    #: same zone compare field by field; a time in another offset than the bound's is
    #: converted to compare, at every comparison (some 1.4 µs each).
    utc: dt.datetime
    #: The office's local day at that instant.
    day: dt.date


@dataclass(frozen=True)
class Rules:
    """What the server's settings decide about a batch."""

    zone: ZoneInfo
    #: The key of the lookup hashes: who a visit's quota place is held for
    #: (:func:`central.hospital.visits.holder`).
    audit_key: bytes
    #: Fallback numbers one kiosk may register per queue and day (``lease_max_numbers``).
    fallback_max: int = 500
    clock_skew: dt.timedelta = CLOCK_SKEW
    #: A ticket's "N ahead" message goes at this many people ahead (``message_ahead``).
    notify_ahead: int = 3
    #: The kiosk's budget of card-number and NIK lookups (``lookup_budget_per_hour``):
    #: a card resolved to its holder is one (:func:`_record_consents`).
    lookup_budget: LookupBudget | None = None


@dataclass
class Batch:
    """What checking the items needs, read once per batch."""

    kiosk: KioskPrincipal
    kiosk_code: str
    services: dict[str, ServiceInfo]
    #: This kiosk's tickets, by the kiosk's ticket id.
    tickets: dict[str, Any]
    #: Ticket ids another kiosk's ticket already has.
    held: set[str]
    leases: list[Any]
    zone: ZoneInfo
    now: dt.datetime
    #: The earliest and latest time this kiosk may give: see :data:`CLOCK_SKEW`.
    earliest: dt.datetime
    latest: dt.datetime
    #: When the kiosk was enrolled: no ticket of it was printed before.
    enrolled: dt.datetime
    #: The kiosk's clock minus the centre's at its latest heartbeat (zero if none).
    skew: dt.timedelta
    fallback_max: int
    notify_ahead: int
    #: Fallback numbers this kiosk registered, per (service, day): stored and this batch's.
    fallbacks: dict[tuple[str, dt.date], int]
    #: The times given, by their text, as read when loading (each is read once).
    times: dict[str, Given | None] = field(default_factory=dict)
    #: ``now`` in UTC, to compare with the items' times (``now`` is kept as given).
    now_utc: dt.datetime | None = None
    #: What this kiosk's fallback numbers look like, per ticket prefix (made once).
    fallback_patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)


def admissible(body: dict[str, Any], text: Callable[[], bytes] | None = None) -> None:
    """Refuse (:class:`InvalidItem`) a body that cannot be stored as it is, whatever its kind.

    ``text`` gives the body's canonical JSON when the caller keeps it (an
    :class:`Item`'s). Encoding that text to UTF-8 is what finds a text that is
    not valid Unicode (a lone surrogate), for all of the body's texts at once;
    the values are walked (:func:`_walk`) only when the text shows something
    the walk may refuse (:func:`_suspect`), and before that text's own error,
    so every body is refused with the reason it always was.
    """
    try:
        encoded: bytes | None = canonical(body) if text is None else text()
    except Exception:  # told apart below, in the order the checks have
        encoded = None
    if encoded is None or _suspect(encoded):
        _walk(body, 1)
    try:
        size = len(encoded if encoded is not None else canonical(body))
    except UnicodeEncodeError:
        raise InvalidItem("invalid_body", "a text is not valid Unicode") from None
    if size > MAX_ITEM_BYTES:
        raise InvalidItem("invalid_body", f"the body is larger than {MAX_ITEM_BYTES} bytes")


def _suspect(encoded: bytes) -> bool:
    """Whether the body's canonical JSON may hide what :func:`_walk` refuses; if not,
    the walk is not needed (it is a second pass over every value of every item).

    The JSON escapes a NUL in any text, key or value, as ``\\u0000``, writes a number
    that is not finite as ``NaN`` or ``Infinity``, and opens each object or list with
    a bracket: a body nested :data:`MAX_DEPTH` deep has that many. Any of these in
    the text (inside a text too) sends the body through the walk, which decides.
    """
    return (
        b"\\u0000" in encoded
        or b"NaN" in encoded
        or b"Infinity" in encoded
        or encoded.count(b"{") + encoded.count(b"[") >= MAX_DEPTH
    )


def _walk(value: dict[str, Any] | list[Any], depth: int) -> None:
    """Refuse a NUL in a text, a number that is not finite, a value nested deeper than
    :data:`MAX_DEPTH` (the body is level 1, its values level 2)."""
    if value and depth >= MAX_DEPTH:
        raise InvalidItem("invalid_body", f"the body nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and "\x00" in key:
                raise InvalidItem("invalid_body", "a text holds a NUL character")
        values: Iterable[object] = value.values()
    else:
        values = value
    for item in values:
        if isinstance(item, str):
            if "\x00" in item:
                raise InvalidItem("invalid_body", "a text holds a NUL character")
        elif isinstance(item, dict | list):
            _walk(item, depth + 1)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidItem("invalid_body", "a number is not finite")


def submit(
    conn: Connection,
    kiosk: KioskPrincipal,
    items: list[Item],
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    audit_key: bytes,
    fallback_max: int = 500,
    clock_skew: dt.timedelta = CLOCK_SKEW,
    notify_ahead: int = 3,
    lookup_budget: LookupBudget | None = None,
) -> list[Outcome]:
    """Store a batch; one outcome per item, in order (``audit_key``: the server's key of
    lookup hashes, which a visit's quota place is held by; ``lookup_budget``: the kiosk's
    budget of card-number lookups, the default's when ``None``)."""
    rules = Rules(zone, audit_key, fallback_max, clock_skew, notify_ahead, lookup_budget)
    if conn.dialect.name == "postgresql":
        # One kiosk's batches take turns (a retry racing its first attempt).
        lock = int.from_bytes(hashlib.sha256(kiosk.kiosk_id.encode()).digest()[:8], signed=True)
        conn.execute(select(func.pg_advisory_xact_lock(lock)))
    refused: dict[int, Outcome] = {}
    for i, item in enumerate(items):
        try:
            admissible(item.body, lambda: item.text)  # noqa: B023 - called at once
        except InvalidItem as bad:
            refused[i] = Outcome(item.key, SubmissionStatus.INVALID, bad.code, bad.detail)
    stored = _store(conn, kiosk, [x for i, x in enumerate(items) if i not in refused], now, rules)
    done = iter(stored)
    return [refused[i] if i in refused else _for_kiosk(next(done)) for i in range(len(items))]


#: The ``hospital`` errors a kiosk is answered: decided before the patient is looked at
#: (the object unusable, the doctor's schedule not usable today), so the same for anyone.
KIOSK_MAY_SEE = frozenset({"invalid_hospital", "unknown_schedule"})


def for_kiosk(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the kiosk is answered of an item's stored ``result``: nothing of its patient.

    A registration's ``hospital`` result tells what the centre holds of a person (a
    visit made with its place, or why none was: already at the poli today, a name or
    date of birth not the record's, a NIK that cannot exist). Answered to a kiosk's
    token, registration after registration, it would be a patient lookup the kiosk's
    budget never counts and the audit never sees (the allocate's refusals are both:
    :mod:`central.hospital.allocate_lookups`). So it stays in ``submissions.result``
    for staff (the counter page says why no visit was made) and is answered only
    when it is one of :data:`KIOSK_MAY_SEE`; a registration that made its visit and
    one refused for its patient are answered alike. The kiosk never reads it: it
    prints the place its allocate answered, or its own offline.
    """
    if result is None or "hospital" not in result:
        return result
    answered = {name: value for name, value in result.items() if name != "hospital"}
    hospital = result["hospital"]
    if isinstance(hospital, dict) and hospital.get("error") in KIOSK_MAY_SEE:
        answered["hospital"] = {"error": hospital["error"], "detail": hospital.get("detail")}
    return answered


def _for_kiosk(outcome: Outcome) -> Outcome:
    """``outcome`` as the kiosk is answered it (:func:`for_kiosk`): accepted, replayed, or
    the same key twice in one batch alike."""
    return replace(outcome, result=for_kiosk(outcome.result))


def _store(
    conn: Connection, kiosk: KioskPrincipal, items: list[Item], now: dt.datetime, rules: Rules
) -> list[Outcome]:
    try:
        with conn.begin_nested():
            return _process(conn, kiosk, items, now, rules)
    except (IntegrityError, DataError, StatementError) as exc:
        if not _item_fault(exc):
            raise
        log.warning("a batch of %d items hit %s; storing item by item", len(items), _name(exc))
    outcomes: list[Outcome] = []
    for item in items:
        try:
            with conn.begin_nested():
                outcomes += _process(conn, kiosk, [item], now, rules)
        except IntegrityError as exc:
            outcomes.append(_refused(item, exc))
        except (DataError, StatementError) as exc:
            if not _item_fault(exc):
                raise
            log.warning("an item of kind %r refused by the database: %s", item.kind, _name(exc))
            outcomes.append(
                Outcome(
                    item.key,
                    SubmissionStatus.INVALID,
                    "invalid_body",
                    "the database refused this item",
                )
            )
    return outcomes


#: The constraints that keep one number one ticket: a registration they refuse lost a
#: race for its number (``duplicate_number``), as :func:`_drop_taken` refuses it before.
_NUMBER_GUARDS = {
    (c.name, frozenset(f"{tickets.name}.{col.name}" for col in c.columns))
    for c in tickets.constraints
    if isinstance(c, UniqueConstraint) and {"number", "display"} & set(c.columns.keys())
}


def _refused(item: Item, exc: IntegrityError) -> Outcome:
    """The answer to an item the database refused with ``exc``, alone in its savepoint.

    Only a registration can take a number, and only the tickets' number guards say it
    was taken; any other constraint (a complaint's, a check the database holds) refuses
    the item as a body the database will not store (``invalid_body``).
    """
    guard = violated(exc)
    if item.kind == "service_registration" and any(
        guard in (name, columns) for name, columns in _NUMBER_GUARDS
    ):
        return Outcome(
            item.key, SubmissionStatus.INVALID, "duplicate_number", "the number is taken already"
        )
    shown = guard if isinstance(guard, str) else ", ".join(sorted(guard or ())) or "unnamed"
    log.warning("an item of kind %r refused by the database: %s (%s)", item.kind, _name(exc), shown)
    return Outcome(
        item.key, SubmissionStatus.INVALID, "invalid_body", "the database refused this item"
    )


def _item_fault(exc: StatementError) -> bool:
    """Whether the error lies in an item (a constraint, a value), not in the database's state.

    A lost connection, a lock timeout or a full disk is none of the items'
    fault: it stays an error (answered ``503 database_unavailable``,
    :mod:`central.outage`), and the kiosk sends the batch again.
    """
    if isinstance(exc, IntegrityError | DataError):
        return True
    return not isinstance(exc, DBAPIError)  # Python refused a value before sending it


def _name(exc: Exception) -> str:
    cause = exc.orig if isinstance(exc, StatementError) else None
    return type(cause or exc).__name__  # never the values: they may be personal data


def _process(
    conn: Connection, kiosk: KioskPrincipal, items: list[Item], now: dt.datetime, rules: Rules
) -> list[Outcome]:
    digests = [hashlib.sha256(item.text).hexdigest() for item in items]
    keys = list({item.key for item in items})
    stored = {
        row.key: row
        for row in conn.execute(
            select(submissions.c.key, submissions.c.body_sha256, submissions.c.result).where(
                submissions.c.kiosk_id == kiosk.kiosk_id,
                one_of(conn.dialect.name, submissions.c.key, keys),
            )
        )
    }
    outcomes: list[Outcome | None] = [None] * len(items)
    first: dict[str, int] = {}
    fresh: list[int] = []
    for i, item in enumerate(items):
        if item.key in first:
            continue
        first[item.key] = i
        row = stored.get(item.key)
        if row is None:
            fresh.append(i)
        elif row.body_sha256 == digests[i]:
            outcomes[i] = Outcome(
                item.key, SubmissionStatus.REPLAYED, result=json.loads(row.result)
            )
        else:
            outcomes[i] = _conflict(item.key)

    batch = _load(conn, kiosk, [items[i] for i in fresh], now, rules)
    plans: list[tuple[int, Plan]] = []
    for i in fresh:
        try:
            plans.append((i, _check(items[i], digests[i], batch)))
        except InvalidItem as bad:
            outcomes[i] = Outcome(items[i].key, SubmissionStatus.INVALID, bad.code, bad.detail)
        except (ValueError, OverflowError, RecursionError) as exc:
            # A check missed a case: this item is refused, not the batch.
            log.warning("an item of kind %r failed its check: %s", items[i].kind, _name(exc))
            outcomes[i] = Outcome(
                items[i].key, SubmissionStatus.INVALID, "invalid_body", "the body is unusable"
            )
    plans = _drop_taken(conn, plans, outcomes)
    _write(conn, kiosk, [p for _, p in plans], now, rules)
    for i, plan in plans:
        outcomes[i] = Outcome(plan.item.key, SubmissionStatus.ACCEPTED, result=plan.result)

    for i, item in enumerate(items):
        j = first[item.key]
        if i != j:  # the same key twice in one batch
            earlier = outcomes[j]
            assert earlier is not None  # noqa: S101 - every first occurrence has one
            if digests[i] != digests[j]:
                outcomes[i] = _conflict(item.key)
            elif earlier.status == SubmissionStatus.ACCEPTED:
                outcomes[i] = Outcome(item.key, SubmissionStatus.REPLAYED, result=earlier.result)
            else:
                outcomes[i] = earlier
    return [o for o in outcomes if o is not None]


def _conflict(key: str) -> Outcome:
    return Outcome(
        key, SubmissionStatus.CONFLICT, "conflict", "this key was stored with another body"
    )


def _load(
    conn: Connection, kiosk: KioskPrincipal, items: list[Item], now: dt.datetime, rules: Rules
) -> Batch:
    zone = rules.zone
    ticket_ids = [i.key for i in items if i.kind == "service_registration" and is_kiosk_made(i.key)]
    mine: dict[str, Any] = {}
    held: set[str] = set()
    if ticket_ids:
        rows = conn.execute(
            select(tickets).where(
                or_(
                    one_of(conn.dialect.name, tickets.c.id, ticket_ids),
                    one_of(conn.dialect.name, tickets.c.kiosk_ticket_id, ticket_ids),
                )
            )
        )
        for row in rows:
            if row.kiosk_id != kiosk.kiosk_id:
                if row.kiosk_ticket_id is None:
                    held.add(row.id)
            else:
                mine[row.kiosk_ticket_id or row.id] = row
    days: set[dt.date] = set()
    times: dict[str, Given | None] = {}
    for item in items:
        ticket = item.body.get("ticket")
        if item.kind == "service_registration" and isinstance(ticket, dict):
            issued = _cached_time(times, ticket.get("issued_at"), zone)
            if issued is not None:
                days.add(issued.day)
    if days:  # and today: a fallback ticket's queue time is never after its receipt
        days.add(local_day(now, zone))
    kiosk_leases = (
        list(
            conn.execute(
                select(leases).where(
                    leases.c.kiosk_id == kiosk.kiosk_id,
                    leases.c.day >= min(days) - dt.timedelta(days=1),
                    leases.c.day <= max(days) + dt.timedelta(days=1),
                )
            )
        )
        if days
        else []
    )
    fallbacks: dict[tuple[str, dt.date], int] = {}
    if days:
        one = dt.timedelta(days=1)
        counted = conn.execute(fallback_counts(kiosk.kiosk_id, min(days) - one, max(days) + one))
        fallbacks = {(r[0], r[1]): int(r[2]) for r in counted}
    enrolled = conn.execute(
        select(kiosks.c.enrolled_at).where(kiosks.c.id == kiosk.kiosk_id)
    ).scalar_one()
    skew_ms = conn.execute(
        select(kiosk_heartbeats.c.clock_skew_ms).where(
            kiosk_heartbeats.c.kiosk_id == kiosk.kiosk_id
        )
    ).scalar_one_or_none()
    return Batch(
        kiosk=kiosk,
        kiosk_code=kiosk_code_of(conn, kiosk.kiosk_id),
        services=office_services(conn, kiosk.office_id),
        tickets=mine,
        held=held,
        leases=kiosk_leases,
        zone=zone,
        now=now,
        earliest=max(EARLIEST, enrolled - rules.clock_skew),
        latest=min(LATEST, now + rules.clock_skew),
        enrolled=enrolled,
        skew=dt.timedelta(milliseconds=skew_ms or 0),
        fallback_max=rules.fallback_max,
        notify_ahead=rules.notify_ahead,
        fallbacks=fallbacks,
        times=times,
        now_utc=now.astimezone(dt.UTC),
    )


def fallback_counts(kiosk_id: str, first: dt.date, last: dt.date) -> Select[Any]:
    """The fallback numbers ``kiosk_id`` registered per (service, day), ``first`` to ``last``:
    counted from the index on (kiosk, number source, day, service) alone, never from the
    tickets' rows (every batch asks, and a long drain's kiosk has more each batch)."""
    return (
        select(tickets.c.service_id, tickets.c.day, func.count())
        .where(
            tickets.c.kiosk_id == kiosk_id,
            tickets.c.day >= first,
            tickets.c.day <= last,
            tickets.c.number_source == "fallback",
        )
        .group_by(tickets.c.service_id, tickets.c.day)
    )


def _check(item: Item, digest: str, batch: Batch) -> Plan:
    check = CHECKS.get(item.kind)
    if check is None:
        raise InvalidItem("unknown_kind", f"unknown kind {item.kind[:40]!r}")
    if item.body.get("office_id") != batch.kiosk.office_id:
        raise InvalidItem("wrong_office", "office_id is not this kiosk's office")
    return check(item, digest, batch)


def _time_or_none(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None or not in_range(parsed):
            return None
    except (ValueError, OverflowError):
        return None
    return parsed


_UNREAD = Given(EARLIEST, EARLIEST, EARLIEST.date())


def _cached_time(cache: dict[str, Given | None], value: object, zone: ZoneInfo) -> Given | None:
    """:func:`_time_or_none`, each text read once per batch (loading reads each
    registration's ``issued_at``, and its check again), with its instant in UTC and
    its local day in ``zone``: each converted once (:class:`Given`)."""
    if not isinstance(value, str):
        return None
    given = cache.get(value, _UNREAD)
    if given is _UNREAD:
        given = cache[value] = _given(value, zone)
    return given


def _given(value: str, zone: ZoneInfo) -> Given | None:
    """:func:`_time_or_none` of ``value``, its instant in UTC converted once for the range
    check and kept, and its local day in ``zone``."""
    try:
        at = dt.datetime.fromisoformat(value)
        if at.tzinfo is None:
            return None
        utc = at.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # e.g. 0001-01-01T00:00+14:00 has no UTC
        return None
    if not EARLIEST <= utc < LATEST:
        return None
    return Given(at, utc, local_day(utc, zone))


def _time(body: dict[str, Any], name: str, batch: Batch) -> Given:
    """A time the kiosk gives: after its enrolment, not after the centre's now (give or take)."""
    given = _cached_time(batch.times, body.get(name), batch.zone)
    if given is None:
        raise InvalidItem(
            "invalid_body", f"{name}: an ISO 8601 time with offset, 2000 to 2100, is required"
        )
    if not batch.earliest <= given.utc <= batch.latest:
        raise InvalidItem(
            "invalid_time",
            f"{name}: before this kiosk was enrolled, or later than the centre's clock "
            "(beyond the allowed clock skew); check the kiosk's clock",
        )
    return given


def _text(body: dict[str, Any], name: str, longest: int, *, optional: bool = False) -> str | None:
    value = body.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= longest:
        raise InvalidItem(
            "invalid_body", f"{name}: a string of 1 to {longest} characters is required"
        )
    return value


def _registration(item: Item, digest: str, batch: Batch) -> Plan:
    body = item.body
    if not is_kiosk_made(item.key):
        raise InvalidItem(
            "invalid_key",
            "a registration's key is its ticket id (a lower-case UUID of version 8 or 4)",
        )
    if is_foreign(item.key, batch.kiosk_code):
        raise InvalidItem("foreign_ticket_id", "this ticket id names another kiosk")
    service = batch.services.get(str(body.get("service_id")))
    if service is None:
        raise InvalidItem("unknown_service", "no active service with this id at this office")
    ticket = body.get("ticket")
    values = body.get("values", {})
    if not isinstance(ticket, dict) or not isinstance(values, dict):
        raise InvalidItem("invalid_body", "ticket and values must be objects")
    shown = ticket.get("number")
    source = ticket.get("number_source")
    if not isinstance(shown, str) or source not in SOURCES:
        raise InvalidItem("invalid_body", "ticket.number and ticket.number_source are required")
    given = _time(ticket, "issued_at", batch)
    issued = given.at
    existing = batch.tickets.get(item.key)
    plan = Plan(item, digest, service.id, given.day, {})
    plan.booking_code = body.get("booking_code")
    plan.notify_ahead = batch.notify_ahead
    hospital_error = _hospital(plan, body)
    if existing is not None:
        plan.queued_at = existing.queued_at
    plan.ticket["id"] = existing.id if existing is not None else item.key
    plan.notify = _notify(body, batch.notify_ahead)
    status = WAITING
    if existing is not None:
        if existing.service_id != service.id:
            raise InvalidItem("invalid_number", "this ticket id belongs to another ticket")
        # A registration proves the kiosk kept the ticket and a citizen holds its
        # number: a void online ticket (its kiosk thought otherwise) waits again.
        plan.revive = existing.status == VOID and existing.number_source == "online"
        status = WAITING if plan.revive else existing.status
        if existing.display == shown:
            plan.day = existing.day
            plan.ticket_mode = "attach"
            plan.result = {"ticket_id": item.key, "number": shown, "status": status}
            if hospital_error is not None:
                plan.result["hospital"] = hospital_error
            return plan
        if existing.number_source != "online" or source == "online":
            raise InvalidItem("invalid_number", "the ticket exists with another number")
        # The kiosk never got the online answer and printed a lease or fallback
        # number instead: that is the number the citizen holds.
        plan.ticket_mode = "update"
    elif source == "online":
        raise InvalidItem("invalid_number", "this online number was not allocated to this ticket")
    else:
        plan.ticket_mode = "insert"
        if item.key in batch.held:
            # Another kiosk's ticket has this id (it read the QR code, or
            # the reverse): this kiosk's ticket is kept apart, never merged.
            plan.ticket["id"] = claimed_ticket_id(batch.kiosk.kiosk_id, item.key)
            plan.ticket["kiosk_ticket_id"] = item.key
            log.warning("a ticket id registered by two kiosks: kept apart, its page disputed")
    if source == "lease":
        lease = _lease_number(plan, service, shown, given, batch)
        queued, queued_utc = _queue_time(given, batch, lease.created_at)
    else:
        queued, queued_utc = _queue_time(given, batch, batch.enrolled)
        # An online ticket renumbered stays in the queue (and day) it was numbered in.
        if existing is not None:
            plan.day = existing.day
        else:
            plan.day = given.day if queued is issued else local_day(queued_utc, batch.zone)
        _fallback_number(plan, service, shown, batch)
    if existing is None:
        # a renumbered online ticket keeps its allocation's; stored (and sorted by) in UTC
        plan.ticket["queued_at"] = queued_utc
        plan.queued_at = queued
        # its own service's queue, as the column's default would say row by row
        plan.ticket["queue_id"] = service.id
    plan.ticket.update(
        office_id=service.office_id,
        service_id=service.id,
        day=plan.day,
        display=shown,
        number_source=source,
        kiosk_id=batch.kiosk.kiosk_id,
        issued_at=given.utc,  # the instant given, in UTC as the column stores it
    )
    if existing is None or plan.revive:
        plan.ticket["status"] = status
    if plan.revive:
        plan.ticket["finished_at"] = None
    plan.result = {"ticket_id": item.key, "number": shown, "status": status}
    if hospital_error is not None:
        plan.result["hospital"] = hospital_error
    return plan


def _hospital(plan: Plan, body: dict[str, Any]) -> dict[str, str] | None:
    """Read the registration's ``hospital`` object into ``plan``; what is wrong with it, if any.

    A wrong one never refuses the registration: the citizen holds the ticket,
    and staff register the visit at the desk (the result says why).
    """
    if body.get("hospital") is None:
        return None
    try:
        plan.hospital = HospitalRequest.from_json(body["hospital"])
    except HospitalError as exc:
        log.warning("a registration's hospital object is unusable: %s", exc)
        return {"error": "invalid_hospital", "detail": str(exc)}
    return None


def _notify(body: dict[str, Any], ahead: int) -> tuple[str, str, int] | None:
    """The citizen's yes to messages (``"notify": {"phone": "0812…"}``), or ``None``.

    A number the centre cannot use drops the yes, never the item: the
    ticket or the complaint is the citizen's, the message only a courtesy.
    """
    asked = body.get("notify")
    if asked is None:
        return None
    phone = normalise(asked.get("phone")) if isinstance(asked, dict) else None
    if phone is None:
        log.warning("an item's notify is not an Indonesian mobile number: no messages for it")
        return None
    language = body.get("language")
    return phone, language if isinstance(language, str) else "id", ahead


def queue_time(
    issued: dt.datetime, skew: dt.timedelta, earliest: dt.datetime, received: dt.datetime
) -> dt.datetime:
    """Where a ticket printed offline stands in time: ``issued`` by the centre's clock, bounded.

    ``issued`` is the kiosk's clock; ``skew`` (the kiosk's clock minus the
    centre's, from its latest heartbeat) brings it to the centre's. The
    ticket cannot have been printed before ``earliest`` (its lease's grant,
    the kiosk's enrolment) nor after ``received`` (the centre has it now).
    """
    return max(earliest, min(received, issued - skew))


def _queue_time(
    given: Given, batch: Batch, earliest: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """:func:`queue_time` of ``given`` (the very value it gives), and the same instant in
    UTC, compared in UTC: the batch's now and ``earliest`` (an enrolment, a lease's grant,
    read from the database) are UTC, so no comparison converts between zones; a kiosk
    whose clock no heartbeat found off stands at the time it gave, whose local day is
    known already."""
    assert batch.now_utc is not None  # noqa: S101 - set by loading
    shifted = given.utc - batch.skew if batch.skew else given.utc
    if not shifted < batch.now_utc:  # min(received, issued - skew) is received
        if not batch.now_utc > earliest:
            return earliest, earliest
        return batch.now, batch.now_utc
    if not shifted > earliest:
        return earliest, earliest
    return (given.at - batch.skew if batch.skew else given.at), shifted


def _lease_number(plan: Plan, service: ServiceInfo, shown: str, given: Given, batch: Batch) -> Any:
    """Check a leased number; returns the lease it came from."""
    match = re.fullmatch(re.escape(service.ticket_prefix) + r"-(\d{1,9})", shown)
    number = int(match.group(1)) if match else -1
    if number < 1 or display(service.ticket_prefix, number) != shown:
        raise InvalidItem("invalid_number", "not a number of this service's queue")
    day = given.day
    fitting = [
        lease
        for lease in batch.leases
        if lease.service_id == service.id
        and lease.first_number <= number <= lease.last_number
        and (lease.returned_from is None or number < lease.returned_from)
    ]
    if not fitting:
        raise InvalidItem(
            "invalid_number", "the number is in no lease of this kiosk (or was returned)"
        )
    # The kiosk took the number from its lease of the day its clock said: the
    # date the stamp is written with (then the nearest day, for a stamp in
    # another offset than the kiosk's day).
    stamped = given.at.date()
    lease = min(
        fitting,
        key=lambda lease: (lease.day != stamped, abs((lease.day - day).days), lease.day),
    )
    plan.day = lease.day
    plan.ticket.update(number=number, lease_id=lease.id)
    plan.claims.append(("number", service.id, lease.day, number))
    plan.claims.append(("display", service.id, lease.day, shown))
    return lease


def _fallback_number(plan: Plan, service: ServiceInfo, shown: str, batch: Batch) -> None:
    pattern = batch.fallback_patterns.get(service.ticket_prefix)
    if pattern is None:
        pattern = re.compile(re.escape(f"{service.ticket_prefix}-{batch.kiosk_code}-") + r"\d{3,6}")
        batch.fallback_patterns[service.ticket_prefix] = pattern
    if not pattern.fullmatch(shown):
        raise InvalidItem(
            "invalid_number",
            f"a fallback number of this kiosk looks like "
            f"{service.ticket_prefix}-{batch.kiosk_code}-001",
        )
    queue = (service.id, plan.day)
    if batch.fallbacks.get(queue, 0) >= batch.fallback_max:
        raise InvalidItem(
            "fallback_limit",
            f"this kiosk has registered {batch.fallback_max} fallback numbers of this queue "
            "for this day: the most one kiosk may",
        )
    batch.fallbacks[queue] = batch.fallbacks.get(queue, 0) + 1
    plan.ticket.update(number=None, lease_id=None)  # the next number, at writing
    plan.claims.append(("display", service.id, plan.day, shown))


def _complaint(item: Item, digest: str, batch: Batch) -> Plan:
    body = item.body
    reference = _text(body, "reference", 64)
    _text(body, "category", 64)
    _text(body, "text", 2000)
    _text(body, "language", 8)
    _text(body, "card_number", 64, optional=True)
    created = _time(body, "created_at", batch)
    plan = Plan(item, digest, None, created.day, {"reference": reference})
    plan.notify = _notify(body, batch.notify_ahead)
    return plan


def _visit_cancel(item: Item, digest: str, batch: Batch) -> Plan:
    """``visit_cancel``: a desk cancels a hospital visit (it may have been offline)."""
    body = item.body
    ticket_id = _text(body, "ticket_id", 36)
    _text(body, "reason", 200)
    cancelled = _time(body, "cancelled_at", batch)
    return Plan(item, digest, None, cancelled.day, {"ticket_id": ticket_id})


CHECKS: dict[str, Callable[[Item, str, Batch], Plan]] = {
    "service_registration": _registration,
    "complaint": _complaint,
    "visit_cancel": _visit_cancel,
}


def _drop_taken(
    conn: Connection, plans: list[tuple[int, Plan]], outcomes: list[Outcome | None]
) -> list[tuple[int, Plan]]:
    """Refuse items whose number or display another ticket has (stored, or earlier in the batch).

    A ticket's number and its display are each unique per (office, service, day):
    the stored ones are looked up by those two unique indexes, value by value (a
    query on the service and day alone, or with the two lists joined by ``OR``,
    read every ticket of the queue on SQLite, so each batch of a long drain read
    more than the one before).
    """
    taken: set[tuple[str, str, dt.date, object]] = set()
    wanted: dict[tuple[str, str, dt.date], tuple[set[object], set[object]]] = {}
    for _, plan in plans:
        for kind, service_id, day, value in plan.claims:
            numbers, shown = wanted.setdefault(
                (plan.ticket["office_id"], service_id, day), (set(), set())
            )
            (numbers if kind == "number" else shown).add(value)
    read = taken_numbers(wanted, conn.dialect.name)
    if read is not None:
        for row in conn.execute(read):
            taken.add(("number", row.service_id, row.day, row.number))
            taken.add(("display", row.service_id, row.day, row.display))
    kept = []
    for i, plan in plans:
        if any(c in taken for c in plan.claims):
            outcomes[i] = Outcome(
                plan.item.key,
                SubmissionStatus.INVALID,
                "duplicate_number",
                "another ticket has this number",
            )
            continue
        taken.update(plan.claims)
        kept.append((i, plan))
    return kept


def taken_numbers(
    wanted: dict[tuple[str, str, dt.date], tuple[set[object], set[object]]], dialect: str
) -> Select[Any] | CompoundSelect[Any] | None:
    """The stored tickets having one of the numbers or displays ``wanted`` per (office,
    service, day), on the database ``dialect`` names: each list read by its unique index,
    value by value."""
    columns = (tickets.c.service_id, tickets.c.day, tickets.c.number, tickets.c.display)
    reads: list[Select[Any]] = []
    for (office_id, service_id, day), (numbers, shown) in wanted.items():
        queue = (
            tickets.c.office_id == office_id,
            tickets.c.service_id == service_id,
            tickets.c.day == day,
        )
        if numbers:
            reads.append(select(*columns).where(*queue, one_of(dialect, tickets.c.number, numbers)))
        if shown:
            reads.append(select(*columns).where(*queue, one_of(dialect, tickets.c.display, shown)))
    if len(reads) > 1:
        return union_all(*reads)
    return reads[0] if reads else None


def _write(
    conn: Connection, kiosk: KioskPrincipal, plans: list[Plan], now: dt.datetime, rules: Rules
) -> None:
    unnumbered: dict[tuple[str, str, dt.date], list[Plan]] = {}
    for plan in plans:
        if plan.ticket_mode in ("insert", "update") and plan.ticket["number"] is None:
            key = (plan.ticket["office_id"], plan.ticket["service_id"], plan.day)
            unnumbered.setdefault(key, []).append(plan)
    # one order for the queues' counters (each row stays locked to the end of the batch):
    # two kiosks' batches numbering tickets of two services wait for each other, never
    # each holding a counter the other waits for (a deadlock on PostgreSQL)
    for office_id, service_id, day in sorted(unnumbered):
        group = unnumbered[office_id, service_id, day]
        group.sort(key=lambda p: p.ticket.get("queued_at", p.ticket["issued_at"]))
        start = take_numbers(conn, office_id, service_id, day, len(group), now)
        for offset, plan in enumerate(group):
            plan.ticket["number"] = start + offset

    new = [p.ticket for p in plans if p.ticket_mode == "insert"]
    if new:
        _insert_many(
            conn,
            tickets,
            [tuple(map(ticket.get, NEW_TICKET)) for ticket in new],
            NEW_TICKET,
            {"counter": None, "recorded_at": now, "registered_at": now},
        )
    # the registration of a ticket numbered online: the citizen has her number (kept by
    # her kiosk), so a number asked ahead is no longer passed by (queue.callable_at)
    attached = [p.ticket["id"] for p in plans if p.ticket_mode == "attach"]
    if attached:
        conn.execute(
            update(tickets)
            .where(tickets.c.id.in_(attached))
            .values(registered_at=now, at_kiosk_until=None)
        )
    revived = [p.ticket["id"] for p in plans if p.ticket_mode == "attach" and p.revive]
    if revived:
        conn.execute(
            update(tickets)
            .where(tickets.c.id.in_(revived), tickets.c.status == VOID)
            .values(status=WAITING, finished_at=None)
        )
    for plan in plans:
        if plan.ticket_mode == "update":
            values = {k: v for k, v in plan.ticket.items() if k != "id"}
            if "service_id" in values:
                values["queue_id"] = values["service_id"]
            conn.execute(
                update(tickets)
                .where(tickets.c.id == plan.ticket["id"])
                .values(**values, registered_at=now, at_kiosk_until=None)
            )
    # the tickets the batch cancels, held before any booking, visit or doctor's day
    cancelled = [str(p.item.body["ticket_id"]) for p in plans if p.item.kind == "visit_cancel"]
    cancelling = visits.hold_own_tickets(conn, kiosk.kiosk_id, kiosk.office_id, cancelled)
    _record_complaints(conn, kiosk, [p for p in plans if p.item.kind == "complaint"], now)
    _record_consents(conn, kiosk, plans, now, rules)
    _check_in(conn, kiosk, [p for p in plans if p.item.kind == "service_registration"], now)
    # its patients' lapsed Mobile JKN bookings closed (each, then its visit), then every
    # doctor's day held in one order, then their places given back: no booking or visit
    # is locked once a doctor's day is
    lapsed = _close_lapsed_bookings(conn, kiosk, plans, now)
    _hold_doctors_days(conn, kiosk, plans, cancelling, lapsed)
    bookings.give_back_lapsed(conn, lapsed, now)
    _register_visits(conn, kiosk, plans, now, rules.audit_key)
    if plans:
        kiosk_id, office_id = kiosk.kiosk_id, kiosk.office_id
        _insert_many(
            conn,
            submissions,
            [
                (
                    p.item.key,
                    p.item.kind,
                    p.service_id,
                    p.day,
                    p.digest,
                    p.item.stored,
                    json.dumps(p.result),
                )
                for p in plans
            ],
            SUBMISSION,
            {"kiosk_id": kiosk_id, "office_id": office_id, "received_at": now},
        )


def _registering(plans: list[Plan]) -> list[Plan]:
    """The batch's registrations (each names its ticket)."""
    return [
        plan for plan in plans if plan.item.kind == "service_registration" and plan.ticket.get("id")
    ]


def _close_lapsed_bookings(
    conn: Connection, kiosk: KioskPrincipal, plans: list[Plan], now: dt.datetime
) -> list[str]:
    """Close the lapsed Mobile JKN bookings of the patients the batch registers, before
    any doctor's day is held (:func:`central.hospital.visits.close_lapsed_bookings`): the
    codes whose places are to be given back."""
    return visits.close_lapsed_bookings(
        conn,
        kiosk.office_id,
        [
            (plan.service_id, plan.day, plan.hospital, plan.item.body)
            for plan in _registering(plans)
            if plan.hospital is not None and plan.service_id is not None
        ],
        now,
    )


def _hold_doctors_days(
    conn: Connection,
    kiosk: KioskPrincipal,
    plans: list[Plan],
    cancelling: list[str],
    lapsed: list[str],
) -> None:
    """Hold every doctor's day the batch's registrations and cancels, and the lapsed
    bookings ``lapsed`` it closed, may take or give back a place on, in one order, before
    any is (:func:`central.hospital.visits.hold_doctors_days`)."""
    registering = _registering(plans)
    visits.hold_doctors_days(
        conn,
        kiosk.office_id,
        [
            (plan.service_id, plan.day, plan.hospital)
            for plan in registering
            if plan.hospital is not None and plan.service_id is not None
        ],
        [*(plan.ticket["id"] for plan in registering), *cancelling],
        lapsed,
    )


#: A new ticket's columns as its plan gives them (:func:`_write`); the others are the
#: same in every row of a batch (no counter yet; recorded and registered now).
NEW_TICKET = (
    "id",
    "office_id",
    "service_id",
    "day",
    "number",
    "display",
    "number_source",
    "kiosk_id",
    "lease_id",
    "status",
    "issued_at",
    "kiosk_ticket_id",
    "queue_id",
    "queued_at",
)
#: A submission's columns as its plan gives them; kiosk, office and time of receipt
#: are the batch's.
SUBMISSION = ("key", "kind", "service_id", "day", "body_sha256", "body", "result")


@dataclass(frozen=True)
class _Compiled:
    """An ``INSERT`` of some columns, compiled for one database: its text, and the
    order its parameters take (``None``: by name, as PostgreSQL's driver takes them)."""

    sql: str
    order: tuple[str, ...] | None


_Key = tuple[str, tuple[str, ...], tuple[str, ...]]
_COMPILED: weakref.WeakKeyDictionary[Dialect, dict[_Key, _Compiled]] = weakref.WeakKeyDictionary()


def _compiled(
    dialect: Dialect, table: Table, names: tuple[str, ...], unique: tuple[str, ...]
) -> _Compiled:
    """The ``INSERT`` of ``names`` into ``table`` for ``dialect`` (``ON CONFLICT`` of
    ``unique`` ``DO NOTHING`` if given): compiled once per database, then reused (some
    0.7 ms each time, two or three times a batch)."""
    known = _COMPILED.setdefault(dialect, {})
    done = known.get((table.name, names, unique))
    if done is None:
        if unique:
            made = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
            statement: Any = made(table).on_conflict_do_nothing(index_elements=list(unique))
        else:
            statement = insert(table)
        compiled = statement.compile(dialect=dialect, column_keys=list(names))
        if set(compiled.binds) != set(names):  # a column default would add its own
            raise RuntimeError(f"the INSERT into {table.name} binds {sorted(compiled.binds)}")
        order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        done = known[(table.name, names, unique)] = _Compiled(str(compiled), order)
    return done


def _insert_many(
    conn: Connection,
    table: Table,
    rows: list[tuple[Any, ...]],
    names: tuple[str, ...],
    same: dict[str, Any],
    *,
    unique: tuple[str, ...] = (),
) -> None:
    """Insert ``rows`` (the values of ``names``, in that order) into ``table`` with the
    values ``same`` in every row: one ``executemany`` of a statement compiled once. A
    row whose ``unique`` columns a stored row has already is left out, if ``unique``.

    SQLAlchemy would build each row's parameters afresh (a dictionary per row, each
    value looked up by name and converted one by one: a tenth of a batch's work). Here
    each column's values are converted by the column type's own conversion, the very
    one SQLAlchemy applies (``bind_processor``), a column at a time, and a value that is
    the same in every row once; the rows go to the driver as it takes them (a tuple
    in the statement's order; by name on PostgreSQL). The driver's errors come back as
    SQLAlchemy's (``IntegrityError``, ``DataError``), as from ``execute``, and a value
    its column's conversion refuses as ``StatementError``, as SQLAlchemy reports it.
    """
    if not rows:
        return
    dialect = conn.dialect
    everything = (*names, *same)
    statement = _compiled(dialect, table, everything, unique)
    columns: list[Any] = list(zip(*rows, strict=True)) if names else []
    count = len(rows)
    for value in same.values():
        columns.append([value] * count)  # made ready below with the others' column
    for i, name in enumerate(everything):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        try:
            if name in same:  # the same value in every row: converted once
                columns[i] = [process(same[name])] * count
            else:
                columns[i] = list(map(process, columns[i]))
        except Exception as exc:  # as SQLAlchemy reports a value its column refuses
            raise StatementError(
                f"a value of {table.name}.{name} cannot be stored ({type(exc).__name__})",
                statement.sql,
                None,
                exc,
            ) from exc
    if statement.order is None:
        by_name = [dict(zip(everything, row, strict=True)) for row in zip(*columns, strict=True)]
        conn.exec_driver_sql(statement.sql, by_name)
        return
    if statement.order != everything:
        where = [everything.index(name) for name in statement.order]
        columns = [columns[i] for i in where]
    conn.exec_driver_sql(statement.sql, list(zip(*columns, strict=True)))


def _register_visits(
    conn: Connection,
    kiosk: KioskPrincipal,
    plans: list[Plan],
    now: dt.datetime,
    audit_key: bytes,
) -> None:
    """Make each new registration's hospital visit, then cancel what ``visit_cancel`` names.

    After the check-ins: a Mobile JKN booking's visit is bound to its ticket
    there, and is not made twice here. Then a ticket whose registration made
    no visit on the place its allocate took because it asked for none, named no
    usable doctor, or checked a Mobile JKN booking in (which holds its own) gives
    that place back (:func:`central.hospital.visits.settle`). One refused for its
    patient keeps it (taken now if it had none, moved to the doctor asked if the
    allocate's is gone), as a visit made would, till its ticket is cancelled or
    marked no-show: the places left tell a kiosk nothing of the patient.
    """
    for plan in plans:
        if plan.item.kind == "service_registration" and plan.hospital is not None:
            assert plan.service_id is not None  # noqa: S101 - a registration names its service
            plan.result["hospital"] = visits.register(
                conn,
                office_id=kiosk.office_id,
                ticket_id=plan.ticket["id"],
                service_id=plan.service_id,
                day=plan.day,
                request=plan.hospital,
                body=plan.item.body,
                now=now,
                audit_key=audit_key,
                desk=kiosk.desk,
            )
            said_desk(kiosk, plan.item.body.get("desk") is True, "its visit is the kiosk's")
    # a place held by a ticket whose registration made no visit on it: one query
    # finds the batch's tickets that hold one at all (most hold none)
    registering = [
        plan for plan in plans if plan.item.kind == "service_registration" and plan.ticket.get("id")
    ]
    found = {plan.ticket["id"]: plan.result.get("hospital") for plan in registering}
    for ticket_id in visits.holding_places(conn, list(found)):
        visits.settle(conn, ticket_id, now, found[ticket_id])
    # a registration of this batch is not kept as a submission yet: its cancel in the
    # same batch (a desk's outbox) must still know it asked for a visit
    asked = {
        plan.ticket["id"] for plan in registering if plan.item.body.get("hospital") is not None
    }
    for plan in plans:
        if plan.item.kind == "visit_cancel":
            body = plan.item.body
            plan.result["cancel"] = visits.cancel(
                conn,
                kiosk.kiosk_id,
                kiosk.office_id,
                body["ticket_id"],
                body["reason"],
                now,
                asked,
            )


#: The card levels whose number is its holder's: the kiosk checked the record's
#: signature (``signed``) or the card's own key too (``clone_proof``). Only such a card
#: names a citizen (docs/security.md, as a kiosk looks up its holder's record).
_HOLDER_PROVEN = frozenset({Assurance.SIGNED.value, Assurance.CLONE_PROOF.value})
#: ``citizen_lookups.key_kind`` of a card found for the yes of a ticket numbered offline.
OFFLINE_CONSENT = "consent_offline"


def _record_consents(
    conn: Connection, kiosk: KioskPrincipal, plans: list[Plan], now: dt.datetime, rules: Rules
) -> None:
    """Keep each new item's yes to messages (:mod:`central.messages.triggers`).

    A registration's yes is its ticket's. It is its card holder's too (the messages
    about them, "siap diambil", go to that number; the latest yes wins) only when the
    kiosk proved the card (:data:`_HOLDER_PROVEN`): a card number anyone can write on a
    home-made card never takes over a citizen's messages. The card is found as every
    kiosk route finds one (:func:`central.office.citizens.kiosk_find`), audited. A ticket
    numbered online counts against the kiosk's lookup budget (its kiosk looked the card
    up at the read, as a kiosk does, so it counts nothing again), and while the budget is
    locked the yes stays the ticket's: a kiosk's token cannot walk the card numbers
    through its registrations. A ticket numbered offline (a lease's or a fallback
    number) had no lookup at its read: it is audited on its own (:data:`OFFLINE_CONSENT`)
    and not counted, so a kiosk sending the morning it worked offline neither locks
    itself nor drops its citizens' yeses; the numbers a kiosk may use offline bound it.
    """
    for plan in plans:
        if plan.notify is None:
            continue
        phone, language, ahead = plan.notify
        if plan.item.kind == "service_registration":
            triggers.ticket_consent(conn, plan.ticket["id"], phone, language, ahead, now)
            body = plan.item.body
            card, level = body.get("card_number"), body.get("assurance")
            if not isinstance(card, str) or not card.strip():
                continue
            if not isinstance(level, str) or level not in _HOLDER_PROVEN:
                log.info("a yes to messages with an unproven card: kept for its ticket alone")
                continue
            online = body["ticket"].get("number_source") == "online"
            holder = kiosk_find(
                conn,
                KeyKind.CARD_NUMBER,
                card,
                kiosk_id=kiosk.kiosk_id,
                audit_key=rules.audit_key,
                budget=rules.lookup_budget,
                now=now,
                uncounted_as=None if online else OFFLINE_CONSENT,
            )
            if isinstance(holder, Refused):
                log.warning(
                    "a yes to messages kept for its ticket alone: the kiosk's lookups are "
                    "locked for %d s",
                    holder.retry_after_s,
                )
            elif holder is not None:  # a proven card the centre knows: its holder's yes
                triggers.citizen_consent(conn, holder.id, phone, language, now)
        elif plan.item.kind == "complaint":
            triggers.complaint_consent(conn, plan.item.body["reference"], phone, language, now)


def _record_complaints(
    conn: Connection, kiosk: KioskPrincipal, plans: list[Plan], now: dt.datetime
) -> None:
    """Open a complaint for staff to answer (:mod:`central.office.complaints`) per new item.

    A reference already there (another kiosk's, about one in a billion) keeps
    the first complaint; the second stays in ``submissions`` as received. The
    text loses its invisible characters (:func:`visible_text`); the submission
    keeps it as received.
    """
    if not plans:
        return
    _insert_many(
        conn,
        complaints,
        [
            (
                p.item.body["reference"],
                p.item.body["category"],
                visible_text(p.item.body["text"]),
                p.item.body["language"],
                p.item.body.get("card_number"),
                _time_or_none(p.item.body["created_at"]) or now,
            )
            for p in plans
        ],
        ("reference", "category", "text", "language", "card_number", "created_at"),
        {
            "office_id": kiosk.office_id,
            "kiosk_id": kiosk.kiosk_id,
            "received_at": now,
            "state": "open",
        },
        unique=("reference",),
    )


def _check_in(conn: Connection, kiosk: KioskPrincipal, plans: list[Plan], now: dt.datetime) -> None:
    """Check in the booking of each registration that names one, and place its ticket.

    The ticket is stored whatever happens to the booking: a check-in the
    centre cannot honour leaves a plain walk-in, and the result's
    ``booking`` says why (:func:`central.office.bookings.check_in`).
    Runs once per registration: a replay answers the stored result.
    """
    for plan in plans:
        if plan.booking_code is None:  # absent or null: no booking named
            continue
        assert plan.service_id is not None  # noqa: S101 - a registration names its service
        queued = plan.queued_at or plan.ticket.get("queued_at") or now
        done = bookings.check_in(
            conn,
            plan.booking_code,
            office_id=kiosk.office_id,
            service_id=plan.service_id,
            day=plan.day,
            ticket_id=plan.ticket["id"],
            checked_in_at=queued,
            now=now,
        )
        plan.result["booking"] = done.outcome
        if done.outcome != "checked_in":
            log.info("a check-in not honoured (%s): the ticket stays a walk-in", done.outcome)
        elif plan.notify is None and (phone := normalise(done.phone)) is not None:
            # The citizen left this number when booking, to be told: the
            # ticket that checked the booking in is told as if asked at the kiosk.
            triggers.ticket_consent(
                conn, plan.ticket["id"], phone, done.language, plan.notify_ahead, now
            )
        if done.queued_at is not None:
            conn.execute(
                update(tickets)
                .where(tickets.c.id == plan.ticket["id"])
                .values(priority=done.priority, queued_at=done.queued_at)
            )
