"""SQLite's one writer at a time, queued in this process before a connection is taken.

SQLite lets one transaction write at a time; the others wait for its lock
(``--sqlite-busy-timeout``). Each write used to wait holding a connection of the
process's pool (5, and 10 more on a burst), so 15 writes waiting behind a held lock
took every connection: the boards, the dashboard, ``/ready`` and the logins, which
only read, waited for the pool's own timeout (30 s) and were answered 503.

Here a write takes its turn first, without a connection: :meth:`WriteQueue.turn`
lets one write of the process through at a time and the others wait on a lock, so
at most one pooled connection of the process ever waits for SQLite's lock and the
readers always find theirs. The wait for the turn and the wait for SQLite's lock
together last at most the busy timeout: a write past it raises
:class:`central.errors.WriteQueueTimeout`, an outage (:mod:`central.outage`), answered
``503 database_unavailable`` as a lock held past the wait is.

A write begun inside another of the same thread would wait for that one, which waits
for it to end: :meth:`WriteQueue.turn` refuses it at once (:class:`NestedWrite`, the
code's fault) instead of holding every write of the process for the busy timeout and
answering the outage it is not.

The queue is per process. Several processes on one file (``--workers N``, or an
operator's command) still meet at SQLite's own lock, which each turn's write waits
for within what is left of its busy timeout. PostgreSQL has no queue: its writes
wait only for the rows they touch (central/database.py).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator

from central.errors import NestedWrite, WriteQueueTimeout


class Turn:
    """A write's turn: how long it may still wait for SQLite's lock."""

    def __init__(self, queue: WriteQueue, left_s: float | None) -> None:
        self._queue = queue
        #: Seconds left of the busy timeout once the turn came; ``None``: it came at
        #: once, the whole timeout is left.
        self.left_s = left_s
        self._waiting = True

    @property
    def left_ms(self) -> int | None:
        """:attr:`left_s` in whole milliseconds, as SQLite counts its wait (rounded down)."""
        return None if self.left_s is None else max(0, math.floor(self.left_s * 1000))

    def began(self) -> None:
        """The write holds SQLite's lock now, or gave up on it: it waits no more."""
        if self._waiting:
            self._waiting = False
            self._queue._moved(-1)


class WriteQueue:
    """This process's writes to one SQLite file, one at a time (see the module)."""

    def __init__(self, wait_s: float) -> None:
        #: The busy timeout: the longest a write waits for its turn and the lock together.
        self.wait_s = wait_s
        self._turn = threading.Lock()
        #: The thread whose write holds the turn (``None``: no write does).
        self._holder: int | None = None
        self._counting = threading.Lock()
        self._waiting = 0
        self._watchers: list[Callable[[int], None]] = []

    @property
    def waiting(self) -> int:
        """Writes of this process waiting now: for their turn, or for SQLite's lock."""
        return self._waiting

    def watch(self, watcher: Callable[[int], None]) -> None:
        """Call ``watcher`` with :attr:`waiting` whenever it changes (on the writer's thread)."""
        with self._counting:
            self._watchers.append(watcher)
            watcher(self._waiting)

    def _moved(self, by: int) -> None:
        with self._counting:
            self._waiting += by
            for watcher in self._watchers:
                watcher(self._waiting)

    @contextlib.contextmanager
    def turn(self) -> Iterator[Turn]:
        """Wait for this write's turn; held until the block ends (its transaction done).

        The block calls :meth:`Turn.began` once SQLite's lock is taken; until then (or
        the block's end) the write counts as waiting. Raises :class:`WriteQueueTimeout`
        when the turn does not come within the busy timeout, :class:`NestedWrite` when
        this thread's own write holds it.
        """
        if self._holder == threading.get_ident():
            raise NestedWrite(
                "a write transaction begun inside another of the same thread: on SQLite"
                " it waits for the one it stands in; end the outer one first"
            )
        asked = time.monotonic()
        self._moved(+1)
        turn: Turn | None = None
        try:
            if self._turn.acquire(blocking=False):
                turn = Turn(self, None)
            elif self._turn.acquire(timeout=self.wait_s):
                turn = Turn(self, self.wait_s - (time.monotonic() - asked))
            else:
                raise WriteQueueTimeout(
                    f"a write waited {self.wait_s:g} s for its turn behind this process's"
                    " other writes to SQLite"
                )
            self._holder = threading.get_ident()
            try:
                yield turn
            finally:
                self._holder = None
                self._turn.release()
        finally:
            if turn is None:
                self._moved(-1)
            else:
                turn.began()
