"""Staff login lockout: failed passwords in a row lock a username for a growing, capped time.

The per-address limit (``--auth-rate``) slows one guesser; this holds
however many addresses the guesses come from. After ``after`` failures in a
row a username is locked for ``base_s``, and each further failure (tried
once the lock has run out) doubles it, up to ``max_s``. While locked, every
attempt is refused (429 ``login_locked`` with ``Retry-After``) without
checking the password, and does not lengthen the lock. A successful login
forgets the failures; so does a quiet ``forget_s``.

So an attacker gets ``after`` guesses, then one per ``max_s`` at most, and
cannot lock anyone out for longer than ``max_s`` per guess. Locks start are
audited (``staff.login_locked``).

**Several app processes.** The state is a row per username in the database
(``staff_login_failures``), read with ``SELECT … FOR UPDATE`` in the login's
transaction, so processes sharing the database share the count, and
concurrent attempts on one username take turns instead of each slipping
past the count. Usernames that do not exist are counted alike, so a lock
does not tell which accounts exist.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection, delete, or_, select, update

from central.access.audit import record_event
from central.tables import staff_login_failures
from central.upsert import dialect_insert


@dataclass(frozen=True)
class LockoutPolicy:
    #: Failures in a row before the first lock.
    after: int = 5
    #: The first lock; each further failure doubles it.
    base_s: int = 30
    #: The longest lock.
    max_s: int = 900
    #: Failures older than this are forgotten.
    forget_s: int = 24 * 3600

    def __post_init__(self) -> None:
        if self.after < 1 or self.base_s < 1 or self.forget_s < 1:
            raise ValueError("lockout: after, base_s and forget_s must be at least 1")
        if self.max_s < self.base_s:
            raise ValueError("lockout: max_s must be at least base_s")

    def delay_s(self, failures: int) -> int:
        """How long ``failures`` failures in a row lock the username (0: not yet)."""
        if failures < self.after:
            return 0
        doublings = min(failures - self.after, 32)
        return min(self.max_s, self.base_s * (1 << doublings))


def locked_for_s(conn: Connection, username: str, now: dt.datetime) -> int | None:
    """Seconds until ``username`` may try again (``None``: now).

    Takes the username's row lock for the rest of the transaction, so
    concurrent attempts on one username (in any process) wait their turn.
    """
    conn.execute(
        dialect_insert(conn, staff_login_failures)
        .values(username=username, failures=0, last_failed_at=now, locked_until=None)
        .on_conflict_do_nothing(index_elements=[staff_login_failures.c.username])
    )
    row = conn.execute(
        select(staff_login_failures.c.locked_until)
        .where(staff_login_failures.c.username == username)
        .with_for_update()
    ).one()
    until: dt.datetime | None = row.locked_until
    if until is None or until <= now:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


def record_failure(conn: Connection, username: str, now: dt.datetime, policy: LockoutPolicy) -> int:
    """Count a wrong password for ``username``; returns the lock it starts (0: none)."""
    forget_before = now - dt.timedelta(seconds=policy.forget_s)
    last = conn.execute(
        select(staff_login_failures.c.failures, staff_login_failures.c.last_failed_at).where(
            staff_login_failures.c.username == username
        )
    ).one()
    failures = (0 if last.last_failed_at < forget_before else last.failures) + 1
    delay = policy.delay_s(failures)
    conn.execute(
        update(staff_login_failures)
        .where(staff_login_failures.c.username == username)
        .values(
            failures=failures,
            last_failed_at=now,
            locked_until=now + dt.timedelta(seconds=delay) if delay else None,
        )
    )
    if delay:
        record_event(
            conn,
            actor="anonymous",
            action="staff.login_locked",
            subject=username,
            detail=f"{failures} failed logins in a row; locked for {delay} s",
        )
    # Forgotten rows go, so guessed usernames do not pile up.
    conn.execute(
        delete(staff_login_failures).where(
            staff_login_failures.c.last_failed_at < forget_before,
            or_(
                staff_login_failures.c.locked_until.is_(None),
                staff_login_failures.c.locked_until < now,
            ),
        )
    )
    return delay


def record_success(conn: Connection, username: str) -> None:
    """A right password: the failures are forgotten."""
    conn.execute(delete(staff_login_failures).where(staff_login_failures.c.username == username))
