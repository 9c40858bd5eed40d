"""Run a central server as a child process (for ``kiosk demo`` and tests).

:func:`start_central` starts ``python -m central --port 0`` and waits for the
line the server prints once it accepts connections, so the caller gets a
URL that answers. The child's output is drained by two reader threads for
its whole life (a full pipe would otherwise block the server) and the last
lines of its stderr are kept for error messages.

Stop it in a ``finally`` (or use it as a context manager); an exit hook
also stops any server still running when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit

from central.settings import LISTENING_PREFIX

_TAIL_LINES = 40
_READER_JOIN_S = 2.0


class CentralStartError(Exception):
    """The central server did not come up; the message carries its stderr tail."""


class RunningCentral:
    """A central server child process and the URL it listens on."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.url = ""
        self._stderr_tail: deque[str] = deque(maxlen=_TAIL_LINES)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._listening = threading.Event()
        self._stopped = False
        if process.stdout is None or process.stderr is None:
            raise ValueError("the process needs piped stdout and stderr")
        self._readers = [
            _start_reader(
                process.stdout, self._on_stdout, lambda: self._lines.put(None), "central-stdout"
            ),
            _start_reader(process.stderr, self._stderr_tail.append, _nothing, "central-stderr"),
        ]
        atexit.register(self.stop)

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        if port is None:
            raise ValueError("the server has not reported its URL")
        return port

    def stderr_tail(self) -> str:
        """The last lines the server wrote to stderr."""
        return "\n".join(self._stderr_tail)

    def stop(self, timeout_s: float = 5.0) -> int | None:
        """Terminate, wait up to ``timeout_s``, then kill; returns the exit status."""
        if self._stopped:
            return self.process.returncode
        self._stopped = True
        atexit.unregister(self.stop)
        try:
            if self.process.poll() is None:
                self.process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout_s)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for reader in self._readers:
                reader.join(_READER_JOIN_S)
            for pipe in (self.process.stdout, self.process.stderr):
                if pipe is not None:
                    pipe.close()
        return self.process.returncode

    def __enter__(self) -> RunningCentral:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _on_stdout(self, line: str) -> None:
        # Only the lines up to the announcement are of interest; the rest
        # (uvicorn's access log) is read and dropped so the pipe never fills.
        if not self._listening.is_set():
            if line.startswith(LISTENING_PREFIX):
                self._listening.set()
            self._lines.put(line)

    def _wait_until_listening(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            line: str | None = None
            remaining = deadline - time.monotonic()
            if remaining > 0:
                with contextlib.suppress(queue.Empty):
                    line = self._lines.get(timeout=remaining)
            if line is not None and line.startswith(LISTENING_PREFIX):
                self.url = line.removeprefix(LISTENING_PREFIX).strip()
                return
            if line is None:  # stdout closed, or out of time
                timed_out = self.process.poll() is None and time.monotonic() >= deadline
                self.stop()
                if timed_out:
                    reason = f"did not start listening within {timeout_s:g} s"
                else:
                    reason = f"exited with status {self.process.returncode} before listening"
                raise CentralStartError(self._describe(reason))

    def _describe(self, reason: str) -> str:
        tail = self.stderr_tail()
        return f"central server {reason}" + (f"; stderr:\n{tail}" if tail else " (no stderr)")


def start_central(
    *,
    seed_demo: bool = True,
    catalog_path: Path | str | None = None,
    host: str = "127.0.0.1",
    timeout_s: float = 15.0,
) -> RunningCentral:
    """Start a central server on a free port and wait until it accepts connections.

    Raises :class:`CentralStartError` (with the server's stderr tail) when it
    exits early or does not announce itself within ``timeout_s``; the child is
    stopped before the error is raised.
    """
    cmd = [sys.executable, "-m", "central", "--host", host, "--port", "0"]
    if seed_demo:
        cmd.append("--seed-demo")
    if catalog_path is not None:
        cmd += ["--catalog", os.fspath(catalog_path)]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=_child_env(),
    )
    running = RunningCentral(process)
    try:
        running._wait_until_listening(timeout_s)
    except BaseException:
        running.stop()
        raise
    return running


def _nothing() -> None:
    pass


def _child_env() -> dict[str, str]:
    # The child must import the same ``central`` as this process, wherever it runs from.
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _start_reader(
    pipe: IO[str], on_line: Callable[[str], None], on_eof: Callable[[], None], name: str
) -> threading.Thread:
    def pump() -> None:
        try:
            with contextlib.suppress(ValueError, OSError):  # pipe closed under us
                for line in pipe:
                    on_line(line.rstrip("\r\n"))
        finally:
            on_eof()

    thread = threading.Thread(target=pump, name=name, daemon=True)
    thread.start()
    return thread
