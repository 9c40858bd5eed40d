"""One contract for work off the GUI thread, kept alike by the GUI's executor and
the tests' (``kiosk.executor``): a result or a failure always comes back, a
callback that raises is logged, and a busy flag is let go after a failure."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.executor import BusyFlag, Executor, InlineExecutor
from ui.tasks import QtExecutor

Settle = Callable[[Callable[[], bool]], None]


@pytest.fixture(params=["qt", "inline"])
def executor(request: pytest.FixtureRequest, qtbot: QtBot) -> Iterator[tuple[Executor, Settle]]:
    """An executor, and a wait for what it was given to come back (by a deadline)."""
    if request.param == "inline":

        def settled(cond: Callable[[], bool]) -> None:
            assert cond(), "the inline executor delivers before run_in_background returns"

        yield InlineExecutor(), settled
        return
    qt = QtExecutor()

    def wait(cond: Callable[[], bool]) -> None:
        qtbot.waitUntil(cond, timeout=5000)

    yield qt, wait
    assert qt.wait_for_done(5000)


class Calls:
    def __init__(self) -> None:
        self.done: list[object] = []
        self.failed: list[Exception] = []
        self.threads: list[int] = []

    def on_done(self, value: object) -> None:
        self.threads.append(threading.get_ident())
        self.done.append(value)

    def on_failed(self, exc: Exception) -> None:
        self.threads.append(threading.get_ident())
        self.failed.append(exc)

    @property
    def any(self) -> bool:
        return bool(self.done or self.failed)


def test_a_result_is_delivered_to_done_on_the_callers_thread(
    executor: tuple[Executor, Settle],
) -> None:
    ex, settle = executor
    calls = Calls()
    ex.run_in_background(lambda: 7, calls.on_done, calls.on_failed)
    settle(lambda: calls.any)
    assert (calls.done, calls.failed) == ([7], [])
    assert calls.threads == [threading.get_ident()]


def test_an_exception_is_delivered_to_failed_and_logged(
    executor: tuple[Executor, Settle], caplog: pytest.LogCaptureFixture
) -> None:
    ex, settle = executor
    calls = Calls()
    boom = ValueError("worker failed")

    def work() -> int:
        raise boom

    ex.run_in_background(work, calls.on_done, calls.on_failed)
    settle(lambda: calls.any)
    assert calls.done == [] and calls.failed == [boom]
    assert calls.threads == [threading.get_ident()]
    assert any("background task failed: ValueError" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("which", ["done", "failed"])
def test_a_callback_that_raises_is_logged_not_swallowed_or_raised(
    executor: tuple[Executor, Settle], caplog: pytest.LogCaptureFixture, which: str
) -> None:
    ex, settle = executor
    after: list[int] = []

    def work() -> int:
        if which == "failed":
            raise RuntimeError("work failed")
        return 1

    def callback(_: object) -> None:
        raise RuntimeError("callback failed")

    with caplog.at_level(logging.ERROR):
        ex.run_in_background(work, callback, callback)  # never raises into the caller
        ex.run_in_background(lambda: 2, after.append, lambda exc: None)
        # the two tasks may run on two threads: wait for both, not the second alone
        settle(
            lambda: (
                after == [2]
                and any(f"{which} callback failed" in r.getMessage() for r in caplog.records)
            )
        )
    logged = [r for r in caplog.records if f"{which} callback failed" in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None


def test_a_gui_call_that_raises_is_logged(
    executor: tuple[Executor, Settle], caplog: pytest.LogCaptureFixture
) -> None:
    ex, settle = executor
    after: list[int] = []

    def boom() -> None:
        raise RuntimeError("gui call failed")

    ex.call_soon(boom)
    ex.call_soon(lambda: after.append(1))
    settle(lambda: after == [1])
    assert any("GUI callback failed" in r.getMessage() for r in caplog.records)


def test_a_busy_flag_is_released_after_a_failure_so_the_next_run_happens(
    executor: tuple[Executor, Settle],
) -> None:
    ex, settle = executor
    flag = BusyFlag()
    calls = Calls()

    def failing() -> str:
        raise OSError("centre unreachable")

    assert flag.run(ex, failing, calls.on_done, calls.on_failed)
    settle(lambda: calls.any and not flag.busy)
    assert flag.run(ex, lambda: "fresh", calls.on_done, calls.on_failed)
    settle(lambda: calls.done == ["fresh"] and not flag.busy)
    assert [type(e) for e in calls.failed] == [OSError]


def test_a_busy_flag_is_released_when_the_callback_itself_raises(
    executor: tuple[Executor, Settle],
) -> None:
    ex, settle = executor
    flag = BusyFlag()
    seen: list[str] = []

    def bad_done(_: str) -> None:
        seen.append("called")
        raise KeyError("listener broke")

    assert flag.run(ex, lambda: "x", bad_done, lambda exc: None)
    settle(lambda: seen == ["called"] and not flag.busy)
    assert flag.run(ex, lambda: "y", seen.append, lambda exc: None)
    settle(lambda: seen == ["called", "y"])


def test_a_busy_flag_refuses_a_second_run_while_one_is_under_way(qtbot: QtBot) -> None:
    ex = QtExecutor()
    flag = BusyFlag()
    release = threading.Event()
    got: list[object] = []
    assert flag.run(ex, lambda: release.wait(5), got.append, got.append)
    assert not flag.run(ex, lambda: "second", got.append, got.append)
    release.set()
    qtbot.waitUntil(lambda: got == [True] and not flag.busy, timeout=5000)
    assert ex.wait_for_done(5000)
