"""Counted limits kept in the database: how often a subject may do something that leaks.

Some requests reveal a little each time: a date of birth tried for a
UID-only card (:mod:`central.access.uid_proof`), a card number or NIK looked up
(:mod:`central.access.lookup_budget`). Each such request counts against one or
more *subjects* (``uid:<keyed hash>``, ``kiosk:<id>``,
``lookups:kiosk:<id>``, ...), each with its :class:`Limit`.

A request is checked first (:func:`refused_for`, which locks each subject's
row) and counted after (:func:`count`), in the same transaction, so
requests sent all at once cannot slip past the check. A subject that
reaches its limit is refused until ``locked_until``; each lock is twice as
long as the one before (:meth:`Limit.lock_for`), until :func:`clear`. The
counts live in the table ``uid_proof_limits`` (named after its first use;
one row per subject), so every app process sees the same ones; rows are
locked (``FOR UPDATE``) on PostgreSQL, and SQLite runs one writer at a
time. Each lock is a security event in ``audit_log`` (``Limit.event``), so
staff see a guessing or a sweep.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from central.access.audit import record_event
from central.tables import uid_proof_limits
from central.upsert import dialect_insert


@dataclass(frozen=True)
class Limit:
    """``failures`` counted requests within ``window`` lock the subject for ``lock_for``.

    ``event`` is the audit action of a lock; ``counted`` says in words what
    was counted (for the audit's detail).
    """

    failures: int
    window: dt.timedelta
    first_lock: dt.timedelta
    longest_lock: dt.timedelta
    event: str = "limit_locked"
    counted: str = "requests"

    def __post_init__(self) -> None:
        if self.failures < 1:
            raise ValueError("a limit needs at least one request")

    def lock_for(self, lockouts: int) -> dt.timedelta:
        """The lock after ``lockouts`` earlier ones: doubled each time, up to ``longest_lock``."""
        return min(self.longest_lock, self.first_lock * (1 << min(lockouts, 20)))


@dataclass(frozen=True)
class Subject:
    """One counted thing (its key, at most 80 characters) and its limit.

    ``audit_subject``: what the audit names on a lock (default the key; a
    UID's keyed hash stays in its row).
    """

    key: str
    limit: Limit
    audit_subject: str | None = None


def refused_for(conn: Connection, counted: tuple[Subject, ...], now: dt.datetime) -> int | None:
    """Lock each subject's row; the seconds until all may try again, or ``None`` if all may now.

    Every transaction must pass its subjects in one fixed order (no deadlocks).
    """
    until: dt.datetime | None = None
    for subject in counted:
        locked = _locked_row(conn, subject.key, now).locked_until
        if locked is not None and locked > now and (until is None or locked > until):
            until = locked
    if until is None:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


def locked_for(conn: Connection, subject: Subject, now: dt.datetime) -> int | None:
    """The seconds until ``subject`` may try again, or ``None``; reads only, locks nothing.

    For a check on every page view, where serialising on the row would cost
    more than a request slipping past the check while another counts.
    """
    locked: dt.datetime | None = conn.execute(
        select(uid_proof_limits.c.locked_until).where(uid_proof_limits.c.subject == subject.key)
    ).scalar_one_or_none()
    if locked is None or locked <= now:
        return None
    return max(1, math.ceil((locked - now).total_seconds()))


def count(conn: Connection, counted: tuple[Subject, ...], now: dt.datetime, *, actor: str) -> None:
    """One more request for each subject (rows already locked by :func:`refused_for`)."""
    for subject in counted:
        row = _locked_row(conn, subject.key, now)
        limit = subject.limit
        values: dict[str, object] = {}
        window_start, failures = row.window_start, row.failures
        if row.locked_until is not None:  # a lock that is over: a new window
            window_start, failures, values["locked_until"] = now, 0, None
        elif now - window_start >= limit.window:
            window_start, failures = now, 0
        failures += 1
        values.update(window_start=window_start, failures=failures)
        if failures >= limit.failures:
            lock = limit.lock_for(row.lockouts)
            values.update(
                window_start=now, failures=0, lockouts=row.lockouts + 1, locked_until=now + lock
            )
            record_event(
                conn,
                actor=actor,
                action=limit.event,
                subject=subject.audit_subject or subject.key,
                detail=f"{failures} {limit.counted}; locked for {int(lock.total_seconds())} s",
            )
        conn.execute(
            update(uid_proof_limits).where(uid_proof_limits.c.subject == subject.key).values(values)
        )


def clear(conn: Connection, subject: Subject, now: dt.datetime) -> None:
    """The subject starts afresh (its lock history too)."""
    conn.execute(
        update(uid_proof_limits)
        .where(uid_proof_limits.c.subject == subject.key)
        .values(window_start=now, failures=0, lockouts=0, locked_until=None)
    )


def _locked_row(conn: Connection, key: str, now: dt.datetime) -> _Row:
    conn.execute(
        dialect_insert(conn, uid_proof_limits)
        .values(subject=key, window_start=now, failures=0, lockouts=0, locked_until=None)
        .on_conflict_do_nothing(index_elements=[uid_proof_limits.c.subject])
    )
    row = conn.execute(
        select(uid_proof_limits).where(uid_proof_limits.c.subject == key).with_for_update()
    ).one()
    return _Row(row.window_start, row.failures, row.lockouts, row.locked_until)


@dataclass(frozen=True)
class _Row:
    window_start: dt.datetime
    failures: int
    lockouts: int
    locked_until: dt.datetime | None
