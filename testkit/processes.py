"""Ending a child process the harness started: politely, then for good, never forever."""

from __future__ import annotations

import subprocess

#: How long a daemon gets to stop after SIGTERM, then again after SIGKILL.
STOP_TIMEOUT_S = 5.0


def end(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], timeout_s: float = STOP_TIMEOUT_S
) -> None:
    """SIGTERM ``process`` and wait; SIGKILL it if it is still there."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout_s)
