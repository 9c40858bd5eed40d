"""Starting and stopping the central server as a child process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from central.database import Database, shipped_head
from central.errors import CentralStartError
from central.process import migrated_template, start_central
from central.settings import DEMO_CATALOG_PATH
from testkit.centre_accounts import bearer, new_kiosk
from testkit.centre_forks import new_interpreters

pytestmark = pytest.mark.timeout(30)


def central_children() -> list[int]:
    """Child processes of this one that run ``-m central`` (Linux /proc)."""
    pids: list[int] = []
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"central" in cmdline:
                pids.append(int(pid))
    return pids


@pytest.fixture
def no_orphans() -> Iterator[None]:
    with new_interpreters():  # its children, as central_children() looks for them
        before = central_children()
        yield
        assert central_children() == before, "a central server was left running"


@pytest.mark.usefixtures("no_orphans")
def test_invalid_catalog_fails_to_start(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text("{not json", encoding="utf-8")
    with pytest.raises(CentralStartError) as caught:
        start_central(catalog_path=catalog, seed_demo=False)
    message = str(caught.value)
    assert "exited with status 2 before listening" in message
    assert f"catalog {catalog}: not valid JSON" in message


@pytest.mark.usefixtures("no_orphans")
def test_custom_catalog_is_served_and_stopped(tmp_path: Path) -> None:
    data = json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))
    data["version"] = "test-1"
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(data), encoding="utf-8")
    with start_central(catalog_path=catalog, seed_demo=False) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        db = Database(server.db_url)
        try:
            _, token = new_kiosk(db, server.url)
        finally:
            db.dispose()
        with requests.Session() as http:
            body = http.get(f"{server.url}/api/v1/catalog", headers=bearer(token), timeout=3)
        assert body.json() == data
        # The fresh database was a copy of an empty one at head: the centre's
        # writes (its catalog, the kiosk) are in the copy alone.
        template = migrated_template()
        assert Path(server.db_url.removeprefix("sqlite:///")) != template
        empty = Database(f"sqlite:///{template}")
        try:
            assert empty.revision() == shipped_head()
            with empty.read() as conn:
                assert conn.execute(text("SELECT count(*) FROM kiosks")).scalar_one() == 0
        finally:
            empty.dispose()
    assert server.process.returncode is not None
    assert server.stop() == server.process.returncode, "stop() is idempotent"
    assert not Path(server.db_url.removeprefix("sqlite:///")).exists(), "temporary database left"


@pytest.mark.usefixtures("no_orphans")
def test_start_deadline_stops_the_child() -> None:
    with pytest.raises(CentralStartError, match=r"did not start listening within 0\.01 s"):
        start_central(timeout_s=0.01)


def test_a_server_outlives_no_parent_that_died_without_stopping_it(tmp_path: Path) -> None:
    """A test run that crashes (a segfault, SIGKILL) must not leave servers behind."""
    script = (
        "import os, sys\n"
        "from central.process import start_central\n"
        "running = start_central()\n"
        "print(running.process.pid, flush=True)\n"
        "os._exit(0)  # dies without stopping it\n"
    )
    parent = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])),
    )
    server_pid = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(server_pid):
        time.sleep(0.1)
    gone = not _alive(server_pid)
    if not gone:
        os.kill(server_pid, signal.SIGKILL)
    assert gone, "the orphaned server kept running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # an exited child of init may linger as a zombie for a moment: not serving
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


_IMPORT_WITHOUT_THE_WEB_STACK = """
import sys
for name in ("fastapi", "starlette", "uvicorn", "sqlalchemy"):
    sys.modules[name] = None  # any import of them now raises ImportError
from central.errors import CentralStartError
from central.process import start_central
print("ok")
"""


def test_a_kiosk_starts_a_centre_without_the_web_stack() -> None:
    # `kiosk demo` imports these on a kiosk-only install, which has no `central` extra
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_WITHOUT_THE_WEB_STACK],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
