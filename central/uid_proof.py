"""How many dates of birth a UID-only card may be tried with: limits kept in the database.

A UID proves nothing (it can be read and copied in a second), so the city
names a UID's holder only to a kiosk that also gives the holder's date of
birth (:func:`central.citizens.lookup`). Dates of birth are few (some 36,500
in a century), so attempts are limited twice:

* **per UID** (:data:`UID_LIMIT`): a copied card cannot be tried through
  every date, from any number of kiosks;
* **per kiosk** (:data:`KIOSK_LIMIT`): a kiosk (or a stolen token) cannot
  try many cards.

Every attempt with a date counts first, in the same transaction, and a
match then clears its UID's count (never the kiosk's), so attempts sent
all at once cannot slip past the check. A subject that reaches its limit
is refused, right date or not, until ``locked_until``; each lock is twice
as long as the one before (:meth:`Limit.lock_for`), until a match. The
counts live in ``uid_proof_limits`` (one row per subject), so every app
process sees the same ones; rows are locked (``FOR UPDATE``) on PostgreSQL,
and SQLite runs one writer at a time. Known and unknown UIDs are counted
alike: the answers never tell whether a UID is registered.

A lock is also a way to deny one citizen the pre-filled form for a while
(five wrong dates with a copy of their UID): they fill it by hand, as on a
kiosk that is offline. Each lock is a security event in ``audit_log``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from central.audit import record_event
from central.tables import uid_proof_limits
from central.upsert import dialect_insert


@dataclass(frozen=True)
class Limit:
    """``failures`` wrong dates within ``window`` lock the subject for ``lock_for``."""

    failures: int
    window: dt.timedelta
    first_lock: dt.timedelta
    longest_lock: dt.timedelta

    def lock_for(self, lockouts: int) -> dt.timedelta:
        """The lock after ``lockouts`` earlier ones: doubled each time, up to ``longest_lock``."""
        return min(self.longest_lock, self.first_lock * (1 << min(lockouts, 20)))


#: Five wrong dates a day per UID; then an hour, two, four, ... up to a week.
UID_LIMIT = Limit(5, dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(days=7))
#: Twenty wrong dates an hour per kiosk; then 15 minutes, 30, ... up to a day.
KIOSK_LIMIT = Limit(20, dt.timedelta(hours=1), dt.timedelta(minutes=15), dt.timedelta(days=1))


@dataclass(frozen=True)
class Subject:
    """One counted thing: ``uid:<keyed hash>`` or ``kiosk:<id>``, and its limit."""

    key: str
    limit: Limit


def subjects(uid_hash: str, kiosk_id: str) -> tuple[Subject, Subject]:
    """The UID first, then the kiosk: every transaction locks rows in this order."""
    return Subject(f"uid:{uid_hash}", UID_LIMIT), Subject(f"kiosk:{kiosk_id}", KIOSK_LIMIT)


def refused_for(conn: Connection, counted: tuple[Subject, ...], now: dt.datetime) -> int | None:
    """Lock each subject's row; the seconds until all may try again, or ``None`` if all may now."""
    until: dt.datetime | None = None
    for subject in counted:
        locked = _locked_row(conn, subject.key, now).locked_until
        if locked is not None and locked > now and (until is None or locked > until):
            until = locked
    if until is None:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


def count_failure(
    conn: Connection, counted: tuple[Subject, ...], now: dt.datetime, *, actor: str
) -> None:
    """One more wrong date for each subject (rows already locked by :func:`refused_for`)."""
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
            kind = subject.key.partition(":")[0]
            record_event(
                conn,
                actor=actor,
                action="uid_proof_locked",
                subject=kind if kind == "uid" else subject.key,  # a UID's hash stays in its row
                detail=f"{failures} wrong dates of birth; locked for {int(lock.total_seconds())} s",
            )
        conn.execute(
            update(uid_proof_limits).where(uid_proof_limits.c.subject == subject.key).values(values)
        )


def clear(conn: Connection, subject: Subject, now: dt.datetime) -> None:
    """A match: the subject starts afresh (its lock history too)."""
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
