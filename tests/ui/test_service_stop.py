"""The service manager's stop (SIGTERM) ends a locked, full-screen kiosk, which refuses
every close request: ``systemctl stop`` and a restart must not wait for the kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from testkit.kiosk_window import closed_port
from testkit.notify_socket import NotifyListener
from testkit.waits import wait_until

ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_ends_the_locked_full_screen_kiosk(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[central]\nurl = "http://127.0.0.1:{closed_port()}"\ntimeout_s = 0.5\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "kiosk.cli.main", "run", "--fullscreen", "--config"]
    with NotifyListener() as listener:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": listener.path}
        child = subprocess.Popen(
            [*command, str(config)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_until(lambda: bool(listener.with_line("READY=1")), 60.0, "READY=1")
            child.send_signal(signal.SIGTERM)
            _, stderr = child.communicate(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert child.returncode == 0, stderr.decode()[-3000:]
    assert b"close request ignored" not in stderr
