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
from typing import Protocol, TypeVar

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
