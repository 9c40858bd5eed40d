"""``--workers N``: one parent, N worker processes on its socket, READY=1 to systemd."""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path

import pytest

from central.process import RunningCentral, start_central
from testkit.centre_accounts import enrol
from testkit.centres import SHARED_START_S
from testkit.notify_socket import NotifyListener
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(150)
#: A centre of this test's own; a loaded machine may take a while to start one.
start = functools.partial(start_central, timeout_s=SHARED_START_S)


def workers_of(centre: RunningCentral) -> set[int]:
    pids: set[int] = set()
    for task in Path(f"/proc/{centre.process.pid}/task").glob("*/children"):
        pids.update(int(pid) for pid in task.read_text().split())
    return pids


def running(pid: int) -> bool:
    """Whether ``pid`` still runs (an exited orphan waiting for init to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_ready_is_told_once_every_worker_accepts() -> None:
    with (
        NotifyListener() as listener,
        start(
            extra_args=["--workers", "3"],
            env={"NOTIFY_SOCKET": listener.path},
        ) as c,
    ):
        wait_until(lambda: bool(listener.with_line("READY=1")), 10, "READY=1")
        assert len(workers_of(c)) == 3
        # The parent told it (NotifyAccess=main), once.
        assert len(listener.with_line("READY=1")) == 1
        c.stop()
        wait_until(lambda: bool(listener.with_line("STOPPING=1")), 10, "STOPPING=1")


def test_one_process_tells_ready_too() -> None:
    with (
        NotifyListener() as listener,
        start(env={"NOTIFY_SOCKET": listener.path}) as c,
    ):
        wait_until(lambda: bool(listener.with_line("READY=1")), 10, "READY=1")
        assert workers_of(c) == set()


def test_a_killed_worker_is_started_again() -> None:
    with start(extra_args=["--workers", "2"]) as centre:
        first = workers_of(centre)
        assert len(first) == 2
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: len(workers_of(centre)) == 2 and victim not in workers_of(centre),
            20,
            "a new worker in the killed one's place",
        )
        assert enrol(centre.url, "DEMO-PKU-MPP-0001").status_code == 201
        assert f"worker {victim} stopped (status 137)" in centre.output_tail()


def test_sigterm_stops_every_worker() -> None:
    centre = start(extra_args=["--workers", "3"])
    try:
        workers = workers_of(centre)
        assert len(workers) == 3
    finally:
        status = centre.stop(timeout_s=20)
    assert status == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists()


def test_workers_stop_when_their_parent_is_killed() -> None:
    centre = start(extra_args=["--workers", "2"])
    try:
        workers = workers_of(centre)
        assert len(workers) == 2
        centre.process.kill()  # no chance to stop them itself
        centre.process.wait(10)
        wait_until(
            lambda: not any(running(pid) for pid in workers),
            30,
            "the orphaned workers to stop by themselves",
        )
    finally:
        centre.stop()


def test_a_stop_of_the_whole_group_is_no_crash() -> None:
    """systemd's KillMode=control-group signals the parent and every worker at once:
    workers that end then are stopping, not crashed, and none is started again."""
    centre = start(extra_args=["--workers", "3"])
    try:
        workers = workers_of(centre)
        assert len(workers) == 3
        for pid in [centre.process.pid, *workers]:
            os.kill(pid, signal.SIGTERM)
        assert centre.process.wait(30) == 0
    finally:
        centre.stop()
    said = centre.output_tail()
    assert "starting another" not in said
    assert "stopped (status" not in said
