"""Centres forked from the suite's fork server (testkit.centre_forks) behave as
``python -m central`` children do: they serve, say why they failed, stop on a signal
with the same status, and none outlives the process that asked for it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from central.errors import CentralStartError
from central.process import RunningCentral, start_central
from testkit.centre_forks import ForkedCentre, ForkServer, new_interpreters

pytestmark = pytest.mark.timeout(120)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _started(server: ForkServer, tmp_path: Path) -> RunningCentral:
    args = ["--host", "127.0.0.1", "--port", "0", "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    centre = RunningCentral(server.start([*args, "--seed-demo"], dict(os.environ)))
    centre._wait_until_listening(60)
    return centre


def test_a_forked_centre_serves_and_stops_as_a_new_interpreter_does() -> None:
    statuses = []
    for forked in (True, False):
        if forked:
            centre = start_central()
        else:
            with new_interpreters():
                centre = start_central()
        try:
            assert isinstance(centre.process, ForkedCentre) is forked
            answer = requests.get(f"{centre.url}/health", timeout=10)
            assert answer.status_code == 200, answer.text
            assert centre.process.poll() is None
        finally:
            statuses.append(centre.stop())
        assert not _alive(centre.process.pid)
    assert statuses[0] == statuses[1] == -signal.SIGTERM  # uvicorn raises it again


def test_a_forked_centre_that_cannot_start_says_why_with_its_exit_status(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text("{not json", encoding="utf-8")
    with pytest.raises(CentralStartError) as caught:
        start_central(catalog_path=catalog, seed_demo=False)
    assert "exited with status 2 before listening" in str(caught.value)
    assert f"catalog {catalog}: not valid JSON" in str(caught.value)


def test_a_killed_forked_centre_reports_the_signal() -> None:
    centre = start_central()  # from the suite's own fork server
    try:
        assert isinstance(centre.process, ForkedCentre)
        centre.process.kill()
        assert centre.process.wait(30) == -signal.SIGKILL
    finally:
        status = centre.stop()
    assert status == -signal.SIGKILL


def test_no_forked_centre_outlives_the_process_that_asked_for_it(tmp_path: Path) -> None:
    server = ForkServer()
    folders = [tmp_path / str(n) for n in range(2)]
    for folder in folders:
        folder.mkdir()
    centres = [_started(server, folder) for folder in folders]
    pids = [centre.process.pid for centre in centres]
    assert all(_alive(pid) for pid in pids)
    server.close()  # as when the test process is gone: its end of the socket closes
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)
    for centre in centres:
        assert centre.process.wait(30) is not None
        centre.stop()
