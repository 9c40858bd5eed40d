"""Waiting with a deadline: a test that would hang fails instead, saying what it waited for."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.01)


def wait_for(event: threading.Event, what: str, seconds: float = 10.0) -> None:
    """Wait for ``event``; fail clearly (naming ``what``) if it does not come."""
    if not event.wait(seconds):
        raise AssertionError(f"{what} did not happen within {seconds} s")


def run_with_deadline(work: Callable[[], T], timeout_s: float, what: str) -> T:
    """Run ``work`` on a thread; fail with its stack if it is not done in time.

    A deadlock then fails the test with the place it is stuck at, instead of
    hanging the run until the global per-test timeout.
    """
    outcome: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=target, name=f"deadline: {what}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        frame = sys._current_frames().get(worker.ident or -1)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(gone)"
        raise AssertionError(f"{what} not done after {timeout_s} s; stuck at:\n{stack}")
    if errors:
        raise errors[0]
    return outcome[0]
