"""SQLite's one writer at a time, queued in this process before a connection is taken.

SQLite lets one transaction write at a time; the others wait for its lock
(``--sqlite-busy-timeout``). Each write used to wait holding a connection of the
process's pool (5, and 10 more on a burst), so 15 writes waiting behind a held lock
took every connection: the boards, the dashboard, ``/ready`` and the logins, which
only read, waited for the pool's own timeout (30 s) and were answered 503.

Here a write takes its turn first, without a connection: :meth:`WriteQueue.turn`
lets one write of the process through at a time, the others wait in the order they
asked (first come, first served: a write that keeps coming back never overtakes one
that waits), and the write whose turn it is takes the one connection kept for writes
(central/database.py), so it never waits for a connection the readers hold, and at
most that one connection of the process ever waits for SQLite's lock. The wait for
the turn and the wait for SQLite's lock together last at most the busy timeout: a
write past it raises :class:`central.errors.WriteQueueTimeout`, an outage
(:mod:`central.outage`), answered ``503 database_unavailable`` as a lock held past
the wait is.

A write waiting for its turn holds a thread: a route's, as the routes that are no
coroutine (nearly all) run on the web stack's threads, anyio's default thread limiter
(40 unless told). Writes waiting behind a lock held long (a backup, a long transaction,
another process's write) took all 40, and the readers, who would find a connection,
found no thread and waited as long. So each server process runs its routes on more
threads (``--sqlite-route-threads``, 160, set in its running event loop:
:func:`central.app.use_route_threads`) than writes may wait: at most
:attr:`WriteQueue.most_waiting` (the threads less :data:`READER_THREADS`), one more is
refused at once (:class:`central.errors.WriteQueueFull`, the same 503, logged as ``the
database is busy (write queue full)`` and counted in ``/metrics``) and holds no thread
the readers need. A burst of a hundred kiosks numbering at once waits milliseconds
each and passes.

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

import collections
import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator

from central.errors import NestedWrite, WriteQueueFull, WriteQueueTimeout

#: Route threads of a server process no waiting write may take: the readers' (a board,
#: a page, ``/ready``, a login), as many as SQLite's pool has connections for them (15)
#: and some more.
READER_THREADS = 20
#: Writes of one process that must all wait their turn, none refused, whatever its route
#: threads: a hundred kiosks numbering at once (docs/operations.md). The fewest route
#: threads a process may answer on are these and the readers'.
BURST_WRITES = 100


def most_waiting_for(route_threads: int) -> int:
    """How many writes may wait at once on a process answering on ``route_threads``."""
    return max(1, route_threads - READER_THREADS)


class Turn:
    """A write's turn: how long it may still wait for SQLite's lock."""

    def __init__(self, queue: WriteQueue, deadline: float | None) -> None:
        self._queue = queue
        #: When the busy timeout is over (``time.monotonic``); ``None``: the turn came at
        #: once, the whole timeout is left.
        self._deadline = deadline
        self._waiting = True

    @property
    def left_s(self) -> float | None:
        """Seconds left of the busy timeout now; ``None``: the whole timeout."""
        return None if self._deadline is None else self._deadline - time.monotonic()

    @property
    def left_ms(self) -> int | None:
        """:attr:`left_s` in whole milliseconds, as SQLite counts its wait (rounded down)."""
        left = self.left_s
        return None if left is None else max(0, math.floor(left * 1000))

    def began(self) -> None:
        """The write holds SQLite's lock now, or gave up on it: it waits no more."""
        if self._waiting:
            self._waiting = False
            self._queue._moved(-1)


class _Waiter:
    """A write waiting for its turn: told by :attr:`called` once the turn is its own."""

    __slots__ = ("called", "thread")

    def __init__(self, thread: int) -> None:
        self.thread = thread
        self.called = threading.Event()


class WriteQueue:
    """This process's writes to one SQLite file, one at a time, first come first served
    (see the module)."""

    def __init__(self, wait_s: float, most_waiting: int | None = None) -> None:
        #: The busy timeout: the longest a write waits for its turn and the lock together.
        self.wait_s = wait_s
        #: The most writes that may wait at once (``None``: any number); one more is
        #: refused at once (:class:`WriteQueueFull`). The server sets it from its threads.
        self.most_waiting = most_waiting
        self._lock = threading.Lock()
        #: The thread whose write holds the turn (``None``: the turn is free). A turn
        #: handed on names its next holder before that thread wakes.
        self._holder: int | None = None
        #: The writes waiting for the turn, in the order they asked.
        self._queue: collections.deque[_Waiter] = collections.deque()
        self._waiting = 0
        self._watchers: list[Callable[[int], None]] = []
        self._refusal_watchers: list[Callable[[], None]] = []

    @property
    def waiting(self) -> int:
        """Writes of this process waiting now: for their turn, or for SQLite's lock."""
        return self._waiting

    def watch(self, watcher: Callable[[int], None]) -> None:
        """Call ``watcher`` with :attr:`waiting` whenever it changes, on the thread of the
        write that changed it, one call at a time: a write that asks for its turn is
        counted (and told) in the same step as it takes its place in the line."""
        with self._lock:
            self._watchers.append(watcher)
            watcher(self._waiting)

    def watch_refusals(self, watcher: Callable[[], None]) -> None:
        """Call ``watcher`` for each write refused because :attr:`most_waiting` wait
        already (on the refused write's thread, one call at a time)."""
        with self._lock:
            self._refusal_watchers.append(watcher)

    def _moved(self, by: int) -> None:
        with self._lock:
            self._count(by)

    def _count(self, by: int) -> None:
        """With the lock held: :attr:`waiting` moved ``by``; the watchers are told."""
        self._waiting += by
        for watcher in self._watchers:
            watcher(self._waiting)

    @contextlib.contextmanager
    def turn(self) -> Iterator[Turn]:
        """Wait for this write's turn; held until the block ends (its transaction done).

        The turns come in the order the writes asked. The block calls
        :meth:`Turn.began` once SQLite's lock is taken; until then (or the block's end)
        the write counts as waiting. Raises :class:`WriteQueueTimeout` when the turn
        does not come within the busy timeout, :class:`WriteQueueFull` at once when
        :attr:`most_waiting` writes wait already, :class:`NestedWrite` when this
        thread's own write holds it.
        """
        asked = time.monotonic()
        me = threading.get_ident()
        waiter = self._ask(me)
        deadline: float | None = None
        if waiter is not None:
            self._wait_for(waiter, asked)
            deadline = asked + self.wait_s
        turn = Turn(self, deadline)
        try:
            yield turn
        finally:
            turn.began()
            self._pass_on()

    def _ask(self, me: int) -> _Waiter | None:
        """Count this write as waiting: the turn at once (``None``), or its place in line."""
        with self._lock:
            if self._holder == me:
                raise NestedWrite(
                    "a write transaction begun inside another of the same thread: on SQLite"
                    " it waits for the one it stands in; end the outer one first"
                )
            if self.most_waiting is not None and self._waiting >= self.most_waiting:
                for watcher in self._refusal_watchers:
                    watcher()
                raise WriteQueueFull(
                    f"{self._waiting} writes of this process wait for SQLite already, the"
                    " most it lets wait (the rest of its route threads are the readers')"
                )
            self._count(+1)
            if self._holder is None:
                self._holder = me
                return None
            waiter = _Waiter(me)
            self._queue.append(waiter)
            return waiter

    def _wait_for(self, waiter: _Waiter, asked: float) -> None:
        """Wait until the turn is ``waiter``'s; out of line if it does not come in time."""
        try:
            called = waiter.called.wait(max(0.0, self.wait_s - (time.monotonic() - asked)))
        except BaseException:  # interrupted: out of line, or the turn it was given passed on
            if not self._leave(waiter):
                self._moved(-1)
                self._pass_on()
            raise
        if not called and self._leave(waiter):
            raise WriteQueueTimeout(
                f"a write waited {self.wait_s:g} s for its turn behind this process's"
                " other writes to SQLite"
            )

    def _leave(self, waiter: _Waiter) -> bool:
        """Take ``waiter`` out of line (``True``), unless the turn is its own already."""
        with self._lock:
            if waiter.called.is_set():  # handed on just as its wait ended
                return False
            self._queue.remove(waiter)
            self._count(-1)
            return True

    def _pass_on(self) -> None:
        """The turn goes to the write that has waited longest, or is free."""
        with self._lock:
            if self._queue:
                waiter = self._queue.popleft()
                self._holder = waiter.thread
                waiter.called.set()
            else:
                self._holder = None
