"""What the centre's two outboxes share: claiming a due row, and waiting to try again.

The message outbox (central/messages/) and the integrations' outbox
(central/integrations/) keep different rows and rules for when a row is due,
but claim and retry the same way, here once:

* :func:`claim_rows`: senders in several server processes share a table.
  Candidates are read (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
  senders skip each other's rows instead of waiting; SQLite has one writer and
  ignores it), then each is taken with a conditional ``UPDATE … WHERE id = ?
  AND <due>``, which only one transaction can win on either database.
* :func:`bury_used_up`: a row claimed again after its attempts were used up
  (its last claim ran out with no outcome recorded: its sender died) becomes
  dead instead of being sent once more, so nothing goes again without end.
* :func:`settle`: an outcome is recorded only while the claim is still the
  sender's own.
* :class:`RetryPolicy`: a claim holds for the send's deadline plus a margin;
  a failed attempt waits twice as long as the one before (jittered), or the
  far side's own wish if longer, within a cap.
* :class:`Courier`: the thread that sends, one due row at a time, each claimed
  right before its send (a claim on a batch would run out for the batch's
  last rows while the first ones still waited for an answer).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Connection, Row, Table, select, update

from central.access.audit import utc_now
from central.database import Database
from central.outage import outage_of

#: The most rows one round sends before it looks at the stop (and its other chores) again.
BATCH = 20


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a sender tries (each outbox sets its own defaults)."""

    max_attempts: int = 12
    retry_base_s: float = 15.0
    retry_max_s: float = 3600.0
    deadline_s: float = 10.0
    poll_s: float = 1.0
    claim_margin_s: float = 30.0

    @property
    def hold(self) -> dt.timedelta:
        """How long a claim holds: the send's deadline and the margin."""
        return dt.timedelta(seconds=self.deadline_s + self.claim_margin_s)

    def backoff(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed attempt (jittered ±20 %)."""
        wait = min(self.retry_max_s, self.retry_base_s * 2.0 ** min(attempts - 1, 30))
        return wait * random.uniform(0.8, 1.2)  # noqa: S311 - spreading retries, not a secret

    def wait(self, attempts: int, wish_s: float | None, longest_wish_s: float) -> float:
        """The wait after the ``attempts``-th failed attempt when the far side asked for
        ``wish_s``: its wish may lengthen the wait (up to ``longest_wish_s``), never
        shorten it: a gateway that throttles with "Retry-After: 0" would otherwise see
        every attempt spent within a second."""
        wait = self.backoff(attempts)
        if wish_s is not None:
            wait = max(wait, min(wish_s, longest_wish_s))
        return wait


def worker_name() -> str:
    """This sender's name in ``claimed_by``: the host, the process, and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_rows(
    conn: Connection,
    table: Table,
    due: Any,
    *,
    order_by: tuple[Column[Any], ...],
    limit: int,
    values: Mapping[str, Any],
) -> Iterator[Row[Any]]:
    """Take up to ``limit`` rows of ``table`` that ``due`` (a condition) matches, in
    ``order_by``'s order, setting ``values``; yield each row taken, as it is now.

    A candidate another sender took between the read and the update is passed over.
    Each row is yielded before the next is taken, so the caller's checks on it run
    in the order they did when each outbox claimed alone.
    """
    candidates = list(
        conn.execute(
            select(table.c.id)
            .where(due)
            .order_by(*order_by)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    for row_id in candidates:
        won = conn.execute(update(table).where(table.c.id == row_id, due).values(**values))
        if won.rowcount != 1:  # another sender took it between the read and the update
            continue
        yield conn.execute(select(table).where(table.c.id == row_id)).one()


def bury_used_up(
    conn: Connection,
    table: Table,
    row: Row[Any],
    most: int | None,
    *,
    dead: str,
    undone: Mapping[str, Any] | None = None,
) -> bool:
    """Whether the just claimed ``row`` had its ``most`` attempts used up already; if so
    it is made ``dead`` with this claim undone (``attempts`` and ``undone`` set back)."""
    if most is None or row.attempts <= most:
        return False
    conn.execute(
        update(table)
        .where(table.c.id == row.id)
        .values(
            state=dead,
            attempts=row.attempts - 1,
            claimed_by=None,
            claimed_until=None,
            last_error=f"{most} attempts used up; the last one ended with no answer recorded",
            **(undone or {}),
        )
    )
    return True


def settle(conn: Connection, table: Table, mine: Any, **values: Any) -> bool:
    """Record what became of a claimed row, only while ``mine`` (the claim is still this
    sender's) holds; ``False``: it had passed to another sender, nothing is written."""
    return conn.execute(update(table).where(mine).values(**values)).rowcount == 1


def settle_failed(conn: Connection, table: Table, mine: Any, error: str, **values: Any) -> bool:
    """:func:`settle` a failed attempt: the claim released, ``error`` kept for staff."""
    return settle(
        conn, table, mine, claimed_by=None, claimed_until=None, last_error=error, **values
    )


_Item = TypeVar("_Item")


class Courier(Generic[_Item]):
    """A thread that sends an outbox's due rows, one claim at a time.

    A subclass says whether anything is due (:meth:`any_due`, a cheap read),
    claims one row (:meth:`claim_one`, in a write transaction), and sends it and
    records the outcome (:meth:`deliver`); :meth:`chores` runs before each round.
    """

    #: The thread's name, and what the log calls the sender.
    thread_name = "outbox-sender"
    title = "outbox sender"

    def __init__(self, db: Database, poll_s: float) -> None:
        self._db = db
        self._poll_s = poll_s
        self.worker = worker_name()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Why the database failed the last round ("busy", "away"), until one goes through.
        self._outage: str | None = None

    def any_due(self, conn: Connection, now: dt.datetime) -> bool:
        raise NotImplementedError

    def claim_one(self, conn: Connection, now: dt.datetime) -> _Item | None:
        raise NotImplementedError

    def deliver(self, item: _Item) -> None:
        raise NotImplementedError

    def chores(self) -> None:
        """Work done before each round (nothing unless a subclass has some)."""

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.chores()
                handled = self.run_once()
            except Exception as exc:  # the database away for a moment: try again later
                self._failed_round(exc)
                handled = 0
            else:
                self._round_done()
            if handled:
                continue
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def _failed_round(self, exc: Exception) -> None:
        """A round that failed: a database busy or away is said once, as a warning, until
        a round goes through again (a round a second would write a traceback a second for
        as long as it lasts); any other fault with its traceback, every time."""
        log = logging.getLogger(type(self).__module__)
        outage = outage_of(exc)
        if outage is None:
            log.exception("the %s failed a round; it goes on", self.title)
        elif self._outage is None:
            log.warning("the %s waits: %s; it tries again every round", self.title, outage.said)
        self._outage = None if outage is None else outage.reason

    def _round_done(self) -> None:
        if self._outage is not None:
            logging.getLogger(type(self).__module__).warning(
                "the %s goes on: the database answers again", self.title
            )
            self._outage = None

    def run_once(self) -> int:
        """Send up to :data:`BATCH` due rows, each claimed right before its send; how
        many were claimed."""
        handled = 0
        for _ in range(BATCH):
            if self._stop.is_set():
                break
            now = utc_now()
            with self._db.read() as conn:
                if not self.any_due(conn, now):
                    break
            with self._db.begin() as conn:
                # One at a time: its claim outlasts its own send, whatever the ones
                # before it took. Its time is read once the write lock is this
                # transaction's: a wait for it (up to SQLite's busy timeout) would
                # otherwise be taken off the claim, and the send could outlast it.
                claimed = self.claim_one(conn, utc_now())
            if claimed is None:
                # Due rows that were another's (or held back by the outbox's own rules).
                continue
            handled += 1
            self.deliver(claimed)
        return handled
