"""The one contract for work that runs off the GUI thread.

``run_in_background(work, done, failed)``: ``work`` runs off the GUI thread;
then exactly one of ``done(result)`` or ``failed(exc)`` runs on the GUI
thread. A result or a failure always comes back, so whatever a caller holds
while the work runs (a busy flag, a screen waiting for an answer) is always
let go. A callback that raises is logged and never reaches the worker or the
caller; nothing is dropped silently.

The UI implements it on a thread pool (``ui.tasks.QtExecutor``); tests and the
command line use :class:`InlineExecutor`, which runs everything at once on the
caller's thread and behaves the same in every other way. One contract test
(``tests/ui/test_executor_contract.py``) runs against both.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Generic, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
#: What runs on the GUI thread with the work's result, or with what it raised.
Done = Callable[[T], None]
Failed = Callable[[Exception], None]


class Executor(Protocol):
    def run_in_background(self, work: Callable[[], T], done: Done[T], failed: Failed) -> None:
        """Run ``work`` off the GUI thread; then ``done(result)`` or ``failed(exc)`` on it."""

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread (safe to call from any thread)."""


def settle(
    work: Callable[[], T],
    done: Done[T],
    failed: Failed,
) -> Callable[[], None]:
    """Run ``work`` now (off the GUI thread); return what hands its outcome over.

    The returned callable runs on the GUI thread and calls ``done(result)`` or,
    if ``work`` raised, ``failed(exc)`` (the failure is logged here, with its
    traceback). A callback that raises is logged by it too.
    """
    try:
        result = work()
    except Exception as exc:  # a worker must never die silently
        log.error("background task failed: %s", type(exc).__name__, exc_info=exc)
        return partial(_callback, failed, exc, "failed")
    return partial(_callback, done, result, "done")


A = TypeVar("A")


def _callback(fn: Callable[[A], None], arg: A, name: str) -> None:
    try:
        fn(arg)
    except Exception:
        log.exception("a background task's %s callback failed", name)


def call_logged(fn: Callable[[], None]) -> None:
    """Run ``fn``; log what it raises (a GUI callback must not break the loop that runs it)."""
    try:
        fn()
    except Exception:
        log.exception("GUI callback failed")


class InlineExecutor:
    """Runs everything at once on the caller's thread (tests, command line)."""

    def run_in_background(self, work: Callable[[], T], done: Done[T], failed: Failed) -> None:
        settle(work, done, failed)()

    def call_soon(self, fn: Callable[[], None]) -> None:
        call_logged(fn)


class Awaited:
    """Whether anyone still waits for a piece of work's answer, as its worker can ask.

    The GUI thread calls :meth:`drop` once the question is no longer open (the
    session that asked for a ticket timed out, or ended). The worker calls
    :meth:`claim` right before a side effect only the one who asked may see, such
    as printing a citizen's ticket: False means nobody waits, so it must not happen.
    Once claimed, a drop comes too late (the paper is on its way) and says so.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dropped = False
        self._claimed = False

    def claim(self) -> bool:
        """Worker: True, and the side effect may go ahead; False once dropped."""
        with self._lock:
            self._claimed = not self._dropped
            return self._claimed

    def drop(self) -> bool:
        """GUI thread: nobody waits any more. True if the worker had already claimed it."""
        with self._lock:
            self._dropped = True
            return self._claimed


class BusyFlag:
    """At most one run of a task at a time; let go whatever the outcome.

    :meth:`run` starts the work only if none is running and releases the flag
    in ``finally`` after ``done`` or ``failed`` (even one that raises), so one
    failed run never stops the next.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def run(
        self,
        executor: Executor,
        work: Callable[[], T],
        done: Done[T],
        failed: Failed,
    ) -> bool:
        """Start ``work`` unless a run is under way; ``False`` if one was."""
        if not self._lock.acquire(blocking=False):
            return False

        def finish(result: T) -> None:
            try:
                done(result)
            finally:
                self._lock.release()

        def fail(exc: Exception) -> None:
            try:
                failed(exc)
            finally:
                self._lock.release()

        try:
            executor.run_in_background(work, finish, fail)
        except BaseException:
            self._lock.release()
            raise
        return True


class FreshRead(Generic[T]):
    """A read asked again and again (today's doctors, a desk's tickets, the queue's
    figures, the operator's status): one question on its way at a time, and the
    newest state always fetched. GUI thread only: its answers come back there.

    Asked while a question is on its way, it asks once more when that answer has
    come, however often it was asked meanwhile. Answers therefore come in the
    order they were asked, so an older one never lands after a newer one (places
    left as they were before a cancel); a re-ask is never lost; and a store or
    centre slower than the asking never piles up questions on the worker pool.

    ``start(done, failed)`` starts the read; it is called again for each re-ask,
    so it reads its arguments (the tickets listed now) when it is called.
    """

    def __init__(
        self,
        what: str,
        start: Callable[[Done[T], Failed], None],
        done: Done[T],
        failed: Failed,
    ) -> None:
        self._what = what
        self._start = start
        self._done = done
        self._failed = failed
        self._on_its_way = False
        self._again = False

    @property
    def on_its_way(self) -> bool:
        """Whether a question is on its way (or about to be asked again)."""
        return self._on_its_way

    def ask(self) -> None:
        if self._on_its_way:
            self._again = True
            return
        self._on_its_way = True
        self._start(self._answered, self._failed_once)

    def _answered(self, value: T) -> None:
        self._done(value)
        self._next()

    def _failed_once(self, exc: Exception) -> None:
        if self._again:  # a newer question is asked at once: its answer says more
            log.debug("%s not read (%s); asked again", self._what, type(exc).__name__)
        else:
            self._failed(exc)
        self._next()

    def _next(self) -> None:
        self._on_its_way = False
        if self._again:
            self._again = False
            self.ask()
