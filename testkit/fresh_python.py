"""Run a few lines in a fresh interpreter: what a new process loads, or does, alone.

Tests of what is imported (or not) by a start must not see the test process's own
modules; this runs ``code`` with the project's root as the working folder, under a
deadline, and hands back its standard output once it has exited cleanly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(
    code: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> str:
    """The standard output of ``python -c code args...``; fails the test, with the
    child's standard error, if it exits with anything but 0. ``env`` adds to (or
    replaces in) this process's environment."""
    ran = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=None if env is None else {**os.environ, **env},
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout
