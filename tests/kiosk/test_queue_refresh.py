"""The queue's figures asked again while a question is on its way: asked once more when
it answers, never dropped; a failed answer keeps the figures the centre last gave."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from contract.wire import ServiceQueue
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from kiosk.client.info import QueueState
from kiosk.executor import Done, Failed, settle
from kiosk.lookups.centre import CentreAccess
from kiosk.lookups.office_queue import QueueRefresh


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HeldPool:
    """A worker pool that runs each question when the test says (a slow centre)."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], None]] = []

    def run_in_background(
        self, work: Callable[[], object], done: Done[object], failed: Failed
    ) -> None:
        self.waiting.append(lambda: settle(work, done, failed)())

    def call_soon(self, fn: Callable[[], None]) -> None:
        fn()


class ScriptedQueues(CentralClient):
    """The centre's client answering the queue question from a script, in order."""

    def __init__(self, answers: list[QueueState | Exception]) -> None:
        super().__init__(f"http://127.0.0.1:{_closed_port()}", timeout_s=0.2)
        self.token = "kiosk-token"  # noqa: S105  (a test token, never sent)
        self.answers = answers

    def queue_state(self, *, deadline_s: float = 2.0) -> QueueState:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def queue(waiting: int) -> QueueState:
    row = ServiceQueue(
        service_id="ktp", now_serving="B-012", waiting=waiting, estimated_wait_minutes=waiting * 5
    )
    return QueueState(office_id="pku-mpp", day="2026-11-23", services=(row,))


def test_a_second_question_on_the_way_of_the_first_is_asked_after_it(tmp_path: Path) -> None:
    pool = HeldPool()
    client = ScriptedQueues([queue(3), queue(5)])
    changes: list[QueueState | None] = []
    refresh = QueueRefresh(
        CentreAccess(client, tmp_path / "token", lambda: True), pool, lambda: None
    )
    refresh._changed = lambda: changes.append(refresh.state)

    refresh.refresh()  # the service grid asks
    refresh.refresh()  # the service's detail asks, the first still on its way
    assert len(pool.waiting) == 1, "one question on its way at a time"
    pool.waiting.pop(0)()
    assert changes == [queue(3)]
    assert len(pool.waiting) == 1, "the detail's question is asked now, not dropped"
    assert refresh.asking
    pool.waiting.pop(0)()
    assert changes == [queue(3), queue(5)] and not refresh.asking


def test_a_failed_answer_keeps_the_figures_last_given(tmp_path: Path) -> None:
    pool = HeldPool()
    client = ScriptedQueues([queue(3), CentralUnavailable("timed out")])
    refresh = QueueRefresh(
        CentreAccess(client, tmp_path / "token", lambda: True), pool, lambda: None
    )
    refresh.refresh()
    pool.waiting.pop(0)()
    refresh.refresh()
    pool.waiting.pop(0)()
    assert refresh.state == queue(3)
