"""The one helper that runs work off the GUI thread."""

from __future__ import annotations

import gc
import sys
import threading

from pytestqt.qtbot import QtBot

from ui.tasks import Newest, QtExecutor


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


def test_a_read_asked_again_shows_the_newest_answer_whatever_order_they_come_in(
    qtbot: QtBot,
) -> None:
    """The first read is slow, the second fast: the second's answer stays shown."""
    executor = QtExecutor()
    newest = Newest("places left")
    shown: list[str] = []
    failures: list[Exception] = []
    slow_may_end = threading.Event()

    def slow() -> str:
        slow_may_end.wait(5)
        return "before the cancel"

    executor.run_in_background(slow, *newest.ask(shown.append, failures.append))
    executor.run_in_background(
        lambda: "after the cancel", *newest.ask(shown.append, failures.append)
    )
    qtbot.waitUntil(lambda: shown == ["after the cancel"], timeout=5000)
    slow_may_end.set()
    assert executor.wait_for_done(5000)
    qtbot.wait(50)  # the older answer's delivery, queued on the GUI thread, is handled
    assert shown == ["after the cancel"] and failures == []


def test_an_older_failure_never_hides_a_newer_answer(qtbot: QtBot) -> None:
    newest = Newest("cancels")
    shown: list[str] = []
    failures: list[Exception] = []
    older = newest.ask(shown.append, failures.append)
    newer = newest.ask(shown.append, failures.append)
    newer[0]("answered")
    older[1](RuntimeError("the centre did not answer"))
    older[0]("stale")
    assert shown == ["answered"] and failures == []
    newest.ask(shown.append, failures.append)[1](RuntimeError("now down"))
    assert [str(e) for e in failures] == ["now down"], "the newest failure is handled"
