"""The one helper that runs work off the GUI thread."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from ui.tasks import FreshRead, QtExecutor


def test_results_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    executor = QtExecutor()
    gui = threading.get_ident()
    seen: list[tuple[int, int]] = []
    executor.run_in_background(
        threading.get_ident,
        lambda worker: seen.append((worker, threading.get_ident())),
        lambda exc: None,
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    worker, callback = seen[0]
    assert worker != gui and callback == gui


def test_a_failing_task_does_not_kill_the_pool(qtbot: QtBot) -> None:
    executor = QtExecutor()
    results: list[int] = []

    def boom() -> int:
        raise RuntimeError("worker failed")

    executor.run_in_background(boom, results.append, lambda exc: results.append(-1))
    executor.run_in_background(lambda: 7, results.append, lambda exc: results.append(-1))
    qtbot.waitUntil(lambda: sorted(results) == [-1, 7], timeout=5000)


def test_many_posts_do_not_leak_or_steal_references(qtbot: QtBot) -> None:
    # PySide6 6.12.0 on Python 3.11 lost a reference to True per emit(); a
    # kiosk then aborted with "bool_dealloc" after some hundreds of sessions.
    # Other threads and the garbage collector move the count by some tens, so
    # the test posts many times more than that and allows half of it.
    posts = 1000
    executor = QtExecutor()
    calls: list[int] = []
    gc.collect()
    before = sys.getrefcount(True)
    for i in range(posts):
        executor.call_soon(lambda i=i: calls.append(i))
    qtbot.waitUntil(lambda: len(calls) == posts, timeout=10000)
    assert calls == list(range(posts))
    gc.collect()
    assert sys.getrefcount(True) > before - posts // 2


def test_a_result_after_the_executor_is_gone_is_dropped_quietly(qtbot: QtBot) -> None:
    """A slow answer from the centre may land after the window closed: no error in the
    worker (pytest-qt fails the test on any exception raised there)."""
    from shiboken6 import Shiboken

    executor = QtExecutor()
    release = threading.Event()
    executor.run_in_background(lambda: release.wait(5), lambda _: None, lambda _: None)
    pool = executor._pool
    Shiboken.delete(executor)  # as when the window and its executor are destroyed
    release.set()
    assert pool.waitForDone(5000)


def test_a_read_asked_while_on_its_way_is_asked_once_more_after_and_shows_the_newest(
    qtbot: QtBot,
) -> None:
    """The first read is slow; asked twice meanwhile, it runs once more, after it."""
    executor = QtExecutor()
    state = ["before the cancel"]
    started: list[str] = []
    shown: list[str] = []
    slow_may_end = threading.Event()

    def read() -> str:
        started.append(state[0])
        if len(started) == 1:
            slow_may_end.wait(5)
        return started[-1]

    fresh = FreshRead(
        "places left",
        lambda done, failed: executor.run_in_background(read, done, failed),
        shown.append,
        lambda exc: shown.append(f"failed: {exc}"),
    )
    fresh.ask()
    qtbot.waitUntil(lambda: started == ["before the cancel"], timeout=5000)
    state[0] = "after the cancel"
    fresh.ask()
    fresh.ask()
    assert started == ["before the cancel"], "no second question while one is on its way"
    slow_may_end.set()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    assert shown == ["before the cancel", "after the cancel"], "in the order asked"
    assert started == ["before the cancel", "after the cancel"], "asked once more, not twice"


def test_a_failure_with_a_question_waiting_is_passed_over_for_its_answer() -> None:
    answers: list[tuple[Callable[[str], None], Callable[[Exception], None]]] = []
    shown: list[str] = []
    failures: list[str] = []
    fresh = FreshRead(
        "cancels",
        lambda done, failed: answers.append((done, failed)),
        shown.append,
        lambda exc: failures.append(str(exc)),
    )
    fresh.ask()
    fresh.ask()
    answers[0][1](RuntimeError("the centre did not answer"))
    assert failures == [] and len(answers) == 2, "the waiting question asked instead"
    answers[1][0]("answered")
    assert shown == ["answered"]
    fresh.ask()
    answers[2][1](RuntimeError("now down"))
    assert failures == ["now down"], "the newest question's failure is told"
    fresh.ask()
    assert len(answers) == 4, "a failure ends the question: the next ask starts at once"
