"""The outbox of messages: written once per key, claimed by one sender at a time.

A message is written (:func:`enqueue`) in the transaction of what caused it,
with ``INSERT … ON CONFLICT (key) DO NOTHING``: the same key again (a call
recorded twice, a state set again) adds nothing, so each key is at most one
message, whichever process writes it.

Senders in several server processes share the table. A sender *claims* due
rows (:func:`claim`): candidates are read (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two senders skip each other's rows instead of waiting), then
each is taken with a conditional ``UPDATE … WHERE state = 'pending' AND
due_at <= now`` (or an expired claim), which only one transaction can win
on either database. The claim lasts longer than one send's total deadline,
so it never expires while its sender still waits for the gateway; a sender
that died leaves a claim that expires, and its rows are taken again (with
the same idempotency key, which the gateway honours).

The per-number limit is counted when a message is first claimed (not on
retries: they did not reach the phone): a number over its hourly limit has
its message put back until the hour is over. Nothing is dropped: a message
ends ``sent`` or, after its attempts or on a refusal the gateway says is
final, ``dead``, the list staff see (:func:`dead_letters`) and may send again
(:func:`send_again`).

A time-bound message has a lifetime: one past its ``expires_at`` (a booking's
slot has begun; a queue message two hours after it was written), or about a
ticket that moved on more than :data:`MOVED_ON_GRACE` ago ("tinggal N orang
lagi" once the ticket is called or done, "dipanggil" once it is done), is not
sent when its turn to be claimed comes but ends ``expired`` (staff see those
too, :func:`expired`): a message held by the per-number limit or an outage
never tells a citizen an hour late that it is their turn.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, true, update

from central.delivery import bury_used_up, claim_rows, settle, settle_failed
from central.messages.phones import masked
from central.tables import message_consents, message_rates, messages, tickets
from central.upsert import dialect_insert
from contract.shown import shown_code, shown_reference, shown_repr

PENDING, SENDING, SENT, DEAD, EXPIRED = "pending", "sending", "sent", "dead", "expired"
STATES = (PENDING, SENDING, SENT, DEAD, EXPIRED)
#: Queue messages, and the ticket states (central.office.queue's names) after which
#: each is no longer news: "tinggal N orang lagi" once the ticket is called or done,
#: "dipanggil" once it is done.
_MOVED_ON = {
    "ticket.ahead": ("called", "served", "no_show", "void"),
    "ticket.next": ("called", "served", "no_show", "void"),
    "ticket.called": ("served", "no_show", "void"),
}
#: How long after its ticket moved on a queue message may still go: a gateway's usual
#: second of delay is no reason to drop it, an outage's minutes are.
MOVED_ON_GRACE = dt.timedelta(minutes=1)
RATE_WINDOW = dt.timedelta(hours=1)
#: How long a ticket's yes to messages is kept (its day is over by then).
TICKET_CONSENT_KEPT = dt.timedelta(days=2)
#: How long a complaint's yes waits for the complaint's first answer (it goes with it).
COMPLAINT_CONSENT_KEPT = dt.timedelta(days=90)
#: How long a citizen's yes (given with their card) is kept after it was last given.
CITIZEN_CONSENT_KEPT = dt.timedelta(days=365)
#: How long a sent message keeps its full number (for a citizen's question about it).
NUMBER_KEPT = dt.timedelta(days=30)
MAX_ERROR = 200


def shown_key(key: str) -> str:
    """A message's key as an audit line may show it: what it names cut to its start
    (a complaint's reference or a booking's code opens the citizen's page), a
    complaint's reference as :func:`shown_reference` shows it, a booking's code as
    :func:`shown_code` does (three digits, as every other line shows one)."""
    kind, _, rest = key.partition(":")
    subject, _, tail = rest.partition(":")
    if not subject:
        return kind
    if kind == "complaint":
        shown = shown_reference(subject)
    elif kind == "booking":
        shown = shown_code(subject)
    else:  # a ticket's id: its start is its kiosk's tag
        shown = f"{subject[:4]}…"
    return f"{kind}:{shown}:{tail}" if tail else f"{kind}:{shown}"


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, as a provider sends it."""

    id: int
    key: str
    phone: str
    language: str
    template: str
    params: Mapping[str, Any]
    attempts: int
    created_at: dt.datetime

    def __repr__(self) -> str:
        # Neither the number nor the key (a complaint's reference, a booking's code: each
        # opens the citizen's page) reaches a log in full.
        key, to = shown_key(self.key), masked(self.phone)
        return f"Outgoing(key={key!r}, template={self.template!r}, to={to})"


@shown_repr(key=shown_key)
@dataclass(frozen=True)
class DeadLetter:
    id: int
    key: str
    phone_masked: str
    template: str
    language: str
    attempts: int
    created_at: dt.datetime
    last_error: str


def enqueue(
    conn: Connection,
    *,
    key: str,
    office_id: str | None,
    phone: str,
    language: str,
    template: str,
    params: Mapping[str, Any],
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
    ticket_id: str | None = None,
) -> bool:
    """Write a message under ``key``; ``False`` if that key was written before.

    ``expires_at``: not sent after it; ``ticket_id``: a queue message, sent only
    while that ticket is in the state its text speaks of.
    """
    statement = dialect_insert(conn, messages).values(
        key=key[:200],
        office_id=office_id,
        phone=phone,
        language=language,
        template=template,
        params=json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
        state=PENDING,
        attempts=0,
        due_at=now,
        created_at=now,
        expires_at=expires_at,
        ticket_id=ticket_id,
    )
    written = conn.execute(
        statement.on_conflict_do_nothing(index_elements=["key"]).returning(messages.c.id)
    ).first()
    return written is not None


def _due(now: dt.datetime) -> Any:
    return or_(
        and_(messages.c.state == PENDING, messages.c.due_at <= now),
        and_(messages.c.state == SENDING, messages.c.claimed_until < now),
    )


def any_due(conn: Connection, now: dt.datetime) -> bool:
    """Whether a message waits to be claimed (a cheap read before taking the write lock)."""
    return conn.execute(select(messages.c.id).where(_due(now)).limit(1)).first() is not None


def next_due(conn: Connection) -> dt.datetime | None:
    """When the earliest pending message falls due (``None``: nothing pending)."""
    found: dt.datetime | None = conn.execute(
        select(func.min(messages.c.due_at)).where(messages.c.state == PENDING)
    ).scalar_one_or_none()
    return found


def claim(
    conn: Connection,
    worker: str,
    now: dt.datetime,
    *,
    hold: dt.timedelta,
    limit: int,
    per_hour: int,
    max_attempts: int | None = None,
) -> list[Outgoing]:
    """Take up to ``limit`` due messages for ``worker`` until ``now + hold``.

    A message whose attempts are used up (``max_attempts``) is never taken again:
    one whose last claim ran out with no outcome recorded (its sender died, or
    failed on the gateway's answer) becomes a dead letter here instead of being
    sent once more, so nothing goes again and again without end.
    """
    taken: list[Outgoing] = []
    for row in claim_rows(
        conn,
        messages,
        _due(now),
        order_by=(messages.c.due_at, messages.c.id),
        limit=limit,
        values={
            "state": SENDING,
            "claimed_by": worker[:64],
            "claimed_until": now + hold,
            "attempts": messages.c.attempts + 1,
        },
    ):
        message_id = row.id
        gone = _no_longer_true(conn, row, now)
        if gone is not None:
            conn.execute(
                update(messages)
                .where(messages.c.id == message_id)
                .values(
                    state=EXPIRED,
                    phone=masked(row.phone),  # never sent: the number is not needed
                    attempts=row.attempts - 1,
                    claimed_by=None,
                    claimed_until=None,
                    last_error=gone,
                )
            )
            continue
        if bury_used_up(conn, messages, row, max_attempts, dead=DEAD):
            continue
        if row.attempts == 1 and not _begin(conn, row.phone, now, per_hour):
            window = conn.execute(
                select(message_rates.c.window_start).where(message_rates.c.phone == row.phone)
            ).scalar_one()
            conn.execute(
                update(messages)
                .where(messages.c.id == message_id)
                .values(
                    state=PENDING,
                    attempts=0,
                    due_at=window + RATE_WINDOW,
                    claimed_by=None,
                    claimed_until=None,
                    last_error="per-number limit: waits for the next hour",
                )
            )
            continue
        taken.append(
            Outgoing(
                id=row.id,
                key=row.key,
                phone=row.phone,
                language=row.language,
                template=row.template,
                params=json.loads(row.params),
                attempts=row.attempts,
                created_at=row.created_at,
            )
        )
    return taken


def _no_longer_true(conn: Connection, row: Any, now: dt.datetime) -> str | None:
    """Why the message ``row`` would no longer be true if sent now; ``None``: it would."""
    if row.expires_at is not None and row.expires_at <= now:
        return "its time had passed before it could be sent"
    moved_on = _MOVED_ON.get(row.template)
    if row.ticket_id is None or moved_on is None:
        return None
    ticket = conn.execute(
        select(tickets.c.status, tickets.c.called_at, tickets.c.finished_at).where(
            tickets.c.id == row.ticket_id
        )
    ).first()
    if ticket is None:
        return "the ticket was gone before it could be sent"
    if ticket.status not in moved_on:
        return None
    since = ticket.called_at if ticket.status == "called" else ticket.finished_at
    if since is None or since <= now - MOVED_ON_GRACE:
        return f"the ticket was {ticket.status} before it could be sent"
    return None


def _begin(conn: Connection, phone: str, now: dt.datetime, per_hour: int) -> bool:
    """Count one more message begun for ``phone``; ``False`` if its hour is full.

    Conditional updates only, so two senders counting the same number at
    once never both take its last place in the hour.
    """
    conn.execute(
        dialect_insert(conn, message_rates)
        .values(phone=phone, window_start=now, begun=0)
        .on_conflict_do_nothing(index_elements=["phone"])
    )
    renewed = conn.execute(
        update(message_rates)
        .where(message_rates.c.phone == phone, message_rates.c.window_start <= now - RATE_WINDOW)
        .values(window_start=now, begun=1)
    )
    if renewed.rowcount == 1:
        return True
    counted = conn.execute(
        update(message_rates)
        .where(message_rates.c.phone == phone, message_rates.c.begun < per_hour)
        .values(begun=message_rates.c.begun + 1)
    )
    return counted.rowcount == 1


def _mine(message_id: int, worker: str) -> Any:
    return and_(
        messages.c.id == message_id,
        messages.c.state == SENDING,
        messages.c.claimed_by == worker[:64],
    )


def mark_sent(conn: Connection, message_id: int, worker: str, now: dt.datetime) -> bool:
    """The gateway took it; ``False`` if the claim was no longer this worker's.

    ``claimed_by`` stays: which process sent it.
    """
    return settle(
        conn,
        messages,
        _mine(message_id, worker),
        state=SENT,
        sent_at=now,
        claimed_until=None,
        last_error=None,
    )


def mark_retry(
    conn: Connection, message_id: int, worker: str, due: dt.datetime, error: str
) -> bool:
    """Try again at ``due``."""
    mine = _mine(message_id, worker)
    return settle_failed(conn, messages, mine, error[:MAX_ERROR], state=PENDING, due_at=due)


def mark_dead(conn: Connection, message_id: int, worker: str, error: str) -> bool:
    """Never again by itself: the dead-letter list."""
    mine = _mine(message_id, worker)
    return settle_failed(conn, messages, mine, error[:MAX_ERROR], state=DEAD)


def _of_office(office_id: str | None) -> Any:
    """Messages about ``office_id`` (``None``: every office's)."""
    return messages.c.office_id == office_id if office_id is not None else true()


def dead_letters(conn: Connection, office_id: str | None, limit: int = 100) -> list[DeadLetter]:
    """The newest dead messages about ``office_id`` (``None``: all), the number masked."""
    return _dead(conn, office_id, messages.c.state == DEAD, limit)


def expired(conn: Connection, office_id: str | None, limit: int = 50) -> list[DeadLetter]:
    """The newest expired messages about ``office_id`` (``None``: all): never sent again."""
    return _dead(conn, office_id, messages.c.state == EXPIRED, limit)


def _dead(conn: Connection, office_id: str | None, which: Any, limit: int) -> list[DeadLetter]:
    rows = conn.execute(
        select(messages)
        .where(_of_office(office_id), which)
        .order_by(messages.c.id.desc())
        .limit(limit)
    )
    return [
        DeadLetter(
            id=row.id,
            key=row.key,
            phone_masked=masked(row.phone),
            template=row.template,
            language=row.language,
            attempts=row.attempts,
            created_at=row.created_at,
            last_error=row.last_error or "",
        )
        for row in rows
    ]


def dead_letter(conn: Connection, message_id: int, office_id: str | None) -> DeadLetter | None:
    """One dead message about ``office_id`` (``None``: any office), the number masked."""
    found = _dead(conn, office_id, and_(messages.c.state == DEAD, messages.c.id == message_id), 1)
    return found[0] if found else None


def count_dead(conn: Connection, office_id: str | None) -> int:
    return int(
        conn.execute(
            select(func.count()).where(messages.c.state == DEAD, _of_office(office_id))
        ).scalar_one()
    )


def send_again(conn: Connection, message_id: int, office_id: str | None, now: dt.datetime) -> bool:
    """Put a dead message about ``office_id`` (``None``: any office) back in the outbox,
    its key unchanged; ``False`` if there is no such dead message.

    It counts as begun already: the per-number limit is not counted again.
    """
    done = conn.execute(
        update(messages)
        .where(messages.c.id == message_id, messages.c.state == DEAD, _of_office(office_id))
        .values(state=PENDING, attempts=1, due_at=now, last_error=None)
    )
    return done.rowcount == 1


def forget_consent(conn: Connection, subject: str) -> None:
    """Drop a yes that has been used (the message it was for is written)."""
    conn.execute(delete(message_consents).where(message_consents.c.subject == subject))


def forget(conn: Connection, now: dt.datetime) -> int:
    """Drop numbers no longer needed; how many rows changed.

    A ticket's yes goes two days after it was given (the ticket's day is over);
    a complaint's goes with its first answer's message (:func:`forget_consent`),
    or after :data:`COMPLAINT_CONSENT_KEPT` unanswered; a citizen's a year after
    it was last given;
    a sent message keeps only its masked number after :data:`NUMBER_KEPT`;
    a number's count goes once its hour is over.
    """
    changed = 0
    for prefix, kept in (
        ("ticket:%", TICKET_CONSENT_KEPT),
        ("complaint:%", COMPLAINT_CONSENT_KEPT),
        ("citizen:%", CITIZEN_CONSENT_KEPT),
    ):
        changed += conn.execute(
            delete(message_consents).where(
                message_consents.c.subject.like(prefix),
                message_consents.c.created_at < now - kept,
            )
        ).rowcount
    old = list(
        conn.execute(
            select(messages.c.id, messages.c.phone).where(
                messages.c.state == SENT,
                messages.c.sent_at < now - NUMBER_KEPT,
                messages.c.phone.not_like("%*%"),
            )
        )
    )
    for row in old:
        conn.execute(
            update(messages).where(messages.c.id == row.id).values(phone=masked(row.phone))
        )
    changed += len(old)
    changed += conn.execute(
        delete(message_rates).where(message_rates.c.window_start < now - RATE_WINDOW)
    ).rowcount
    return changed
