"""The kiosk tells the service manager it is ready, then feeds its watchdog from the
GUI thread: pings stop while that thread is blocked, as systemd needs to see a hang."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from testkit.kiosk_window import closed_port, offline_config, running_kiosk
from testkit.notify_socket import NotifyListener, ready_then_pings
from ui.service_manager import NOT_PAINTED, ServiceNotifier

ROOT = Path(__file__).resolve().parents[2]
#: A watchdog of 0.2 s: pings every 0.1 s.
WATCHDOG_USEC = "200000"


def test_kiosk_run_says_ready_then_pings_the_watchdog(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[central]\nurl = "http://127.0.0.1:{closed_port()}"\ntimeout_s = 0.5\n'
    )
    with NotifyListener() as listener:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "NOTIFY_SOCKET": listener.path,
            "WATCHDOG_USEC": WATCHDOG_USEC,
        }
        env.pop("WATCHDOG_PID", None)
        child = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli.main", "run", "--config", str(config)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        ready, stderr = ready_then_pings(listener, child, ready_within_s=30.0)
    assert ready.lines == ("READY=1", "STATUS=Melayani / in service")
    assert len(listener.with_line("READY=1")) == 1
    assert (tmp_path / "data" / "kiosk.db").is_file()  # ready came after the store opened
    assert b"Traceback" not in stderr


def ended_with_the_test(request: pytest.FixtureRequest, env: dict[str, str]) -> dict[str, str]:
    """``env`` for a notifier, emptied when the test ends: its listener is gone then, and
    a notifier still subscribed to the test's controller must not tell an absent
    service manager anything in the next test on this worker (a warning in its log)."""
    request.addfinalizer(env.clear)
    return env


def test_an_unusable_store_is_ready_out_of_service(
    qtbot: QtBot, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "kiosk.db").write_bytes(b"half a database, then the power went" * 200)
    with (
        NotifyListener() as listener,
        running_kiosk(qtbot, offline_config(tmp_path), show=False, deferred_store=True) as window,
    ):
        env = ended_with_the_test(request, {"NOTIFY_SOCKET": listener.path})
        notifier = ServiceNotifier(window.controller, window.stack, env=env)
        assert not notifier.ready_sent  # not before the store's opening has settled
        window.show()
        qtbot.waitUntil(lambda: bool(listener.with_line("READY=1")), timeout=10_000)
        assert window.controller.status().store_failure is not None
        assert listener.notices()[0].lines == ("READY=1", "STATUS=Tidak melayani / out of service")
        assert not notifier.watchdog.isActive()  # no WATCHDOG_USEC: no pings
        # The operator moves the broken file aside; the next retry opens a new store.
        (data / "kiosk.db").rename(data / "kiosk.db.broken")
        window.controller.retry_store()
        qtbot.waitUntil(lambda: len(listener.notices()) == 2, timeout=10_000)
        assert listener.notices()[1].lines == ("STATUS=Melayani / in service",)
        assert len(listener.with_line("READY=1")) == 1


def test_ready_waits_for_a_painted_frame_even_once_the_store_is_open(
    qtbot: QtBot, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with (
        NotifyListener() as listener,
        running_kiosk(qtbot, offline_config(tmp_path), show=False, deferred_store=True) as window,
    ):
        env = ended_with_the_test(request, {"NOTIFY_SOCKET": listener.path})
        notifier = ServiceNotifier(window.controller, window.stack, env=env)
        # Hidden, the window opens its store after its fallback time: no frame painted.
        qtbot.waitUntil(lambda: window.controller.status().store_settled, timeout=10_000)
        qtbot.waitUntil(lambda: bool(listener.notices()), timeout=10_000)
        assert listener.with_line("READY=1") == []
        assert [n.lines for n in listener.notices()] == [(f"STATUS={NOT_PAINTED}",)]
        assert not notifier.ready_sent
        window.show()
        qtbot.waitUntil(lambda: bool(listener.with_line("READY=1")), timeout=10_000)
        assert notifier.painted
        assert listener.with_line("READY=1")[0].lines == ("READY=1", "STATUS=Melayani / in service")


def test_a_watchdog_for_another_process_is_said_in_the_log(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"WATCHDOG_USEC": WATCHDOG_USEC, "WATCHDOG_PID": str(os.getpid() + 1)}
    with (
        running_kiosk(qtbot, offline_config(tmp_path)) as window,
        caplog.at_level(logging.WARNING, logger="ui.service_manager"),
    ):
        notifier = ServiceNotifier(window.controller, window.stack, env=env)
    assert not notifier.watchdog.isActive()
    said = [r.getMessage() for r in caplog.records if r.name == "ui.service_manager"]
    assert len(said) == 1 and f"WATCHDOG_PID={os.getpid() + 1} is not this process" in said[0]
    assert "env -u WATCHDOG_PID" in said[0]


def test_pings_stop_while_the_gui_thread_is_blocked_and_resume_after(
    qtbot: QtBot, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with (
        NotifyListener() as listener,
        running_kiosk(qtbot, offline_config(tmp_path)) as window,
    ):
        env = ended_with_the_test(
            request, {"NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": WATCHDOG_USEC}
        )
        ServiceNotifier(window.controller, window.stack, env=env)

        def pings() -> int:
            return len(listener.with_line("WATCHDOG=1"))

        qtbot.waitUntil(lambda: pings() >= 3, timeout=10_000)
        # Block the GUI thread for twenty intervals. A ping sent just before the block
        # may still be on its way to the listener in the first half; none may arrive
        # in the second.
        time.sleep(1.0)
        during_first_half = pings()
        time.sleep(1.0)
        assert pings() == during_first_half
        qtbot.waitUntil(lambda: pings() >= during_first_half + 3, timeout=10_000)
