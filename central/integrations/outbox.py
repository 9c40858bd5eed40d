"""The outbox of calls to BPJS and SATUSEHAT: written once per key, sent in order per key.

A call is written (:func:`enqueue`) in the transaction of what caused it (a
visit registered, a counter's call), with ``INSERT … ON CONFLICT
(dedupe_key) DO NOTHING``: the same key again (a call recorded twice, two
processes reacting to one event) adds nothing, so a BPJS task update is
written at most once.

Rows of one ``order_key`` (a BPJS booking code, a SATUSEHAT encounter) go
in the order they were written: a row is due only once every earlier row of
its target and order key is ``sent`` (or ``skipped``). One that failed
holds the rows after it (BPJS refuses task 4 before task 3); a dead one
holds them until staff send it again (:func:`send_again`, with a body made
afresh from what the centre now knows when the caller gives one) or skip it
(:func:`skip`: a call the service will never take, e.g. a booking BPJS got
by another way), which releases the rows behind it (:func:`waiting_behind`
names them for the staff page).

Senders in several server processes share the table and claim as the message
outbox does (:func:`central.delivery.claim_rows`): candidates are read (``FOR
UPDATE SKIP LOCKED`` on PostgreSQL), then each is taken with a conditional
``UPDATE`` that only one transaction can win on either database. The claim
lasts longer than one call's total deadline; a sender that died leaves a claim
that runs out, and its row is taken again. Nothing is dropped: a row ends
``sent``, or ``dead`` (a refusal the service says is final, or its attempts
used up) on the staff's list with the service's own code and message.

Public API (the SATUSEHAT adapter uses it too): :func:`enqueue`,
:func:`claim`, :func:`mark_sent`, :func:`mark_retry`, :func:`mark_dead`,
:func:`result_of`, :func:`failures`, :func:`failure`, :func:`send_again`,
:func:`skip`, :func:`waiting_behind`,
:func:`count_failing`, :func:`set_targets`, :func:`enabled`; the outcomes a
deliverer returns: :class:`Sent`, :class:`RetryLater`, :class:`Refused`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select, true, update

from central.delivery import bury_used_up, claim_rows, settle, settle_failed
from central.tables import integration_outbox as box
from central.tables import integration_targets
from central.upsert import dialect_insert, upsert
from contract.shown import shown_code, shown_key, shown_repr

PENDING, SENT, DEAD, SKIPPED = "pending", "sent", "dead", "skipped"
STATES = (PENDING, SENT, DEAD, SKIPPED)
#: States that no longer hold the rows after them in their order.
_DONE = (SENT, SKIPPED)
BPJS, SATUSEHAT = "bpjs", "satusehat"
TARGETS = (BPJS, SATUSEHAT)
MAX_ERROR = 300
MAX_CODE = 16


# -- what a deliverer answers ---------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    """The service took it; ``result`` (JSON-able) is kept with the row."""

    result: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RetryLater:
    """Down, slow, 5xx, garbage: try again later (``after_s``: the service's wish)."""

    code: str
    error: str
    after_s: float | None = None


@dataclass(frozen=True)
class Refused:
    """The service refused it for good (its own code and message): a dead row."""

    code: str
    error: str


Outcome = Sent | RetryLater | Refused


#: A part of a row's key that is a Mobile JKN booking's code (its ``kodebooking``).
_BOOKING_CODE = re.compile(r"[0-9]{9}")
#: A part that is a ticket's id (``encounter:<id>``, ``satusehat:encounter:<id>:…``).
_TICKET_ID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def shown_row_key(key: str) -> str:
    """A row's dedupe or order key as a ``repr`` may show it: a Mobile JKN booking's
    code in it (``bpjs:add:482913077``: its visit's ``kodebooking``, which opens the
    booking's page) as :func:`contract.shown.shown_code` shows it, a ticket's id by its
    end; a kiosk visit's ``kodebooking`` (a day and a digest) and the words whole."""
    parts = []
    for part in key.split(":"):
        if _BOOKING_CODE.fullmatch(part):
            part = shown_code(part)
        elif _TICKET_ID.fullmatch(part):
            part = shown_key(part)
        parts.append(part)
    return ":".join(parts)


@shown_repr(dedupe_key=shown_row_key, order_key=shown_row_key)
@dataclass(frozen=True)
class Item:
    """A claimed row, as a deliverer sends it."""

    id: int
    target: str
    kind: str
    dedupe_key: str
    order_key: str
    office_id: str | None
    body: Mapping[str, Any] = field(repr=False)  # may carry NIK, card number, phone
    attempts: int
    created_at: dt.datetime
    #: Every claim of the row so far, this one included; never set back by
    #: :func:`send_again` (which starts ``attempts`` afresh). Above 1: an earlier
    #: call may have reached the service with its answer lost.
    tries: int = 1


@shown_repr(dedupe_key=shown_row_key, order_key=shown_row_key)
@dataclass(frozen=True)
class Failure:
    """A row staff see: dead, or pending after at least one failed attempt."""

    id: int
    target: str
    kind: str
    dedupe_key: str
    order_key: str
    office_id: str | None
    state: str
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    last_code: str
    last_error: str


def enqueue(
    conn: Connection,
    *,
    target: str,
    kind: str,
    dedupe_key: str,
    order_key: str,
    body: Mapping[str, Any],
    now: dt.datetime,
    office_id: str | None = None,
    due_at: dt.datetime | None = None,
) -> bool:
    """Write a call under ``dedupe_key``; ``False`` if that key was written before."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    if len(dedupe_key) > 200 or len(order_key) > 200:
        raise ValueError("a key longer than 200 characters")
    statement = dialect_insert(conn, box).values(
        target=target,
        kind=kind[:40],
        dedupe_key=dedupe_key,
        order_key=order_key,
        office_id=office_id,
        body=json.dumps(dict(body), ensure_ascii=False, sort_keys=True),
        state=PENDING,
        attempts=0,
        tries=0,
        next_attempt_at=due_at or now,
        created_at=now,
    )
    written = conn.execute(
        statement.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(box.c.id)
    ).first()
    return written is not None


def _earlier_unsent() -> Any:
    """An earlier row of the same target and order key that is not sent yet."""
    earlier = box.alias("earlier")
    return exists(
        select(earlier.c.id).where(
            earlier.c.target == box.c.target,
            earlier.c.order_key == box.c.order_key,
            earlier.c.id < box.c.id,
            earlier.c.state.not_in(_DONE),
        )
    )


def _due(now: dt.datetime, targets: tuple[str, ...]) -> Any:
    return and_(
        box.c.target.in_(targets),
        box.c.state == PENDING,
        box.c.next_attempt_at <= now,
        or_(box.c.claimed_until.is_(None), box.c.claimed_until < now),
        ~_earlier_unsent(),
    )


def any_due(conn: Connection, now: dt.datetime, targets: tuple[str, ...] = TARGETS) -> bool:
    """Whether a row waits to be claimed (a cheap read before taking the write lock)."""
    return conn.execute(select(box.c.id).where(_due(now, targets)).limit(1)).first() is not None


def claim(
    conn: Connection,
    worker: str,
    now: dt.datetime,
    *,
    hold: dt.timedelta,
    limit: int = 1,
    targets: tuple[str, ...] = TARGETS,
    max_attempts: int | Mapping[str, int] | None = None,
) -> list[Item]:
    """Take up to ``limit`` due rows of ``targets`` for ``worker`` until ``now + hold``.

    A row whose attempts are used up (``max_attempts``) and whose last claim ran
    out with no outcome recorded (its sender died) becomes dead here instead of
    being sent once more. ``max_attempts`` may name each target's own.
    """
    taken: list[Item] = []
    for row in claim_rows(
        conn,
        box,
        _due(now, targets),
        order_by=(box.c.next_attempt_at, box.c.id),
        limit=limit,
        values={
            "claimed_by": worker[:64],
            "claimed_until": now + hold,
            "attempts": box.c.attempts + 1,
            "tries": box.c.tries + 1,
        },
    ):
        most = max_attempts.get(row.target) if isinstance(max_attempts, Mapping) else max_attempts
        if bury_used_up(conn, box, row, most, dead=DEAD, undone={"tries": row.tries - 1}):
            continue
        taken.append(
            Item(
                id=row.id,
                target=row.target,
                kind=row.kind,
                dedupe_key=row.dedupe_key,
                order_key=row.order_key,
                office_id=row.office_id,
                body=json.loads(row.body),
                attempts=row.attempts,
                created_at=row.created_at,
                tries=row.tries,
            )
        )
    return taken


def _mine(row_id: int, worker: str) -> Any:
    return and_(box.c.id == row_id, box.c.state == PENDING, box.c.claimed_by == worker[:64])


def mark_sent(
    conn: Connection,
    row_id: int,
    worker: str,
    now: dt.datetime,
    result: Mapping[str, Any] | None = None,
) -> bool:
    """The service took it; ``False`` if the claim was no longer this worker's."""
    return settle(
        conn,
        box,
        _mine(row_id, worker),
        state=SENT,
        sent_at=now,
        claimed_until=None,
        result=json.dumps(dict(result or {}), ensure_ascii=False, sort_keys=True),
    )


def mark_retry(
    conn: Connection, row_id: int, worker: str, due: dt.datetime, code: str, error: str
) -> bool:
    """Try again at ``due``; the service's code and message kept for staff."""
    return _failed(conn, row_id, worker, code, error, next_attempt_at=due)


def mark_dead(conn: Connection, row_id: int, worker: str, code: str, error: str) -> bool:
    """Never again by itself: the staff's list, with the service's code and message."""
    return _failed(conn, row_id, worker, code, error, state=DEAD)


def _failed(
    conn: Connection, row_id: int, worker: str, code: str, error: str, **values: Any
) -> bool:
    mine = _mine(row_id, worker)
    return settle_failed(conn, box, mine, error[:MAX_ERROR], last_code=code[:MAX_CODE], **values)


def result_of(conn: Connection, dedupe_key: str) -> Mapping[str, Any] | None:
    """What the service answered to the sent row ``dedupe_key`` (``None``: not sent)."""
    found = conn.execute(
        select(box.c.result).where(box.c.dedupe_key == dedupe_key, box.c.state == SENT)
    ).scalar_one_or_none()
    if found is None:
        return None
    loaded: Mapping[str, Any] = json.loads(found)
    return loaded


_LONG_DIGITS = re.compile(r"\d{9,}")


def scrubbed(message: str) -> str:
    """A service's message as a page or a log line shows it: long digit runs (a card
    number or NIK a refusal might quote) cut to their first four digits, a run of nine
    (a Mobile JKN visit's ``kodebooking``, its booking's code) as
    :func:`contract.shown.shown_code` shows a code."""
    return _LONG_DIGITS.sub(
        lambda m: shown_code(m.group(0)) if len(m.group(0)) == 9 else m.group(0)[:4] + "…",
        message,
    )


# -- what staff see ------------------------------------------------------------------
def _of_office(office_id: str | None) -> Any:
    return box.c.office_id == office_id if office_id is not None else true()


def _failing() -> Any:
    return or_(box.c.state == DEAD, and_(box.c.state == PENDING, box.c.last_error.is_not(None)))


def _failure(row: Any) -> Failure:
    return Failure(
        id=row.id,
        target=row.target,
        kind=row.kind,
        dedupe_key=row.dedupe_key,
        order_key=row.order_key,
        office_id=row.office_id,
        state=row.state,
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_code=row.last_code or "",
        last_error=row.last_error or "",
    )


def failures(conn: Connection, office_id: str | None, limit: int = 100) -> list[Failure]:
    """The newest failing rows about ``office_id`` (``None``: all): dead ones, and
    pending ones whose last attempt failed (still retried)."""
    rows = conn.execute(
        select(box).where(_of_office(office_id), _failing()).order_by(box.c.id.desc()).limit(limit)
    )
    return [_failure(row) for row in rows]


def failure(conn: Connection, row_id: int, office_id: str | None) -> Failure | None:
    row = conn.execute(
        select(box).where(box.c.id == row_id, _of_office(office_id), _failing())
    ).first()
    return _failure(row) if row is not None else None


def count_failing(conn: Connection, office_id: str | None) -> int:
    return int(
        conn.execute(select(func.count()).where(_of_office(office_id), _failing())).scalar_one()
    )


def count_pending(conn: Connection, office_id: str | None) -> int:
    return int(
        conn.execute(
            select(func.count()).where(_of_office(office_id), box.c.state == PENDING)
        ).scalar_one()
    )


@shown_repr(order_key=shown_row_key)
@dataclass(frozen=True)
class Held:
    """A row waiting for a target that is off."""

    id: int
    target: str
    kind: str
    order_key: str
    state: str
    created_at: dt.datetime


def held_by_off_targets(conn: Connection, office_id: str | None, limit: int = 100) -> list[Held]:
    """The unsent rows about ``office_id`` (``None``: all) whose target is off: nothing
    sends them until the target is switched on again (a server started with it)."""
    on = select(integration_targets.c.target).where(integration_targets.c.enabled.is_(True))
    rows = conn.execute(
        select(box.c.id, box.c.target, box.c.kind, box.c.order_key, box.c.state, box.c.created_at)
        .where(_of_office(office_id), box.c.state.in_((PENDING, DEAD)), box.c.target.not_in(on))
        .order_by(box.c.id)
        .limit(limit)
    )
    return [Held(r.id, r.target, r.kind, r.order_key, r.state, r.created_at) for r in rows]


def send_again(
    conn: Connection,
    row_id: int,
    office_id: str | None,
    now: dt.datetime,
    body: Mapping[str, Any] | None = None,
) -> bool:
    """Put a dead row about ``office_id`` (``None``: any office) back, due now, its key
    and place in its order unchanged, with a fresh count of attempts and its last
    failure cleared (the audit keeps it; a new failure shows again); a pending row
    that failed is made due now. ``body``: what to send instead of the row's own (made
    afresh from what the centre now knows, e.g. a patient's corrected card number).
    ``False``: no such failing row."""
    values: dict[str, Any] = {
        "state": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_code": None,
        "last_error": None,
    }
    if body is not None:
        values["body"] = json.dumps(dict(body), ensure_ascii=False, sort_keys=True)
    done = conn.execute(
        update(box).where(box.c.id == row_id, _of_office(office_id), _failing()).values(**values)
    )
    return done.rowcount == 1


def skip(conn: Connection, row_id: int, office_id: str | None) -> bool:
    """Never send the dead row ``row_id`` about ``office_id`` (``None``: any office): a
    call the service will never take. It stays in the table (``skipped``, its last
    code and message kept) and no longer holds the rows after it. ``False``: no such
    dead row."""
    done = conn.execute(
        update(box)
        .where(box.c.id == row_id, _of_office(office_id), box.c.state == DEAD)
        .values(state=SKIPPED, claimed_by=None, claimed_until=None)
    )
    return done.rowcount == 1


@shown_repr(dedupe_key=shown_row_key)
@dataclass(frozen=True)
class Waiting:
    """A row held behind a failing one of its order key."""

    id: int
    kind: str
    dedupe_key: str
    state: str


def waiting_behind(conn: Connection, rows: list[Failure]) -> dict[int, list[Waiting]]:
    """For each failing row, the unsent rows written after it in its order (held by it)."""
    found: dict[int, list[Waiting]] = {}
    for failed in rows:
        later = conn.execute(
            select(box.c.id, box.c.kind, box.c.dedupe_key, box.c.state)
            .where(
                box.c.target == failed.target,
                box.c.order_key == failed.order_key,
                box.c.id > failed.id,
                box.c.state.not_in(_DONE),
            )
            .order_by(box.c.id)
            .limit(50)
        )
        found[failed.id] = [Waiting(r.id, r.kind, r.dedupe_key, r.state) for r in later]
    return found


# -- which targets are on --------------------------------------------------------------
def set_targets(conn: Connection, digests: Mapping[str, str | None], now: dt.datetime) -> None:
    """Record which targets this server's configuration switches on (``digest`` of the
    non-secret settings; ``None``: off). Every target not named is off."""
    for target in TARGETS:
        digest = digests.get(target)
        upsert(
            conn,
            integration_targets,
            {"target": target},
            {"enabled": digest is not None, "settings_digest": digest, "updated_at": now},
        )


def enabled(conn: Connection, target: str) -> bool:
    """Whether ``target`` is on (as the last server start recorded)."""
    found = conn.execute(
        select(integration_targets.c.enabled).where(integration_targets.c.target == target)
    ).scalar_one_or_none()
    return bool(found)
