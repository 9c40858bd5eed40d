"""Run a central server as a child process (for ``kiosk demo`` and tests).

:func:`start_central` starts ``python -m central --port 0`` and waits for the
line the server prints once it accepts connections, so the caller gets a
URL that answers. The child's output is drained by two reader threads for
its whole life (a full pipe would otherwise block the server) and the last
lines of each are kept (:meth:`RunningCentral.output_tail`, for error
messages and for tests that check what the server logged).

Without a ``db_url`` the server gets a fresh SQLite file in a temporary
folder, removed when it stops: every demo and test run starts clean. The
file is a copy of an empty database this process migrated once (the
migrations' schema and nothing else), so a start does not run the
migrations again; a server given a database of its own migrates it.

Stop it in a ``finally`` (or use it as a context manager); an exit hook
also stops any server still running when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import urlsplit

from central.errors import CentralStartError
from central.settings import LISTENING_PREFIX

_TAIL_LINES = 40
_OUTPUT_LINES = 2000
_READER_JOIN_S = 2.0


#: Set by :func:`start_central` to its own pid: a server it started (for a test, a
#: benchmark or the demo) stops once that process is gone, even if it died without
#: stopping the server (a crash, SIGKILL). ``central.server`` watches it.
PARENT_PID_ENV = "ANJUNGAN_CENTRAL_PARENT_PID"


class ChildProcess(Protocol):
    """What :class:`RunningCentral` asks of its server's process: ``subprocess.Popen``'s
    own, or a launcher's that answers alike."""

    pid: int
    returncode: int | None
    stdout: IO[str] | None
    stderr: IO[str] | None

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...
    def send_signal(self, sig: int) -> None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...


#: Starts ``python -m central ARGS`` with the whole environment given, its stdin
#: empty and its stdout and stderr piped as text.
Launcher = Callable[[Sequence[str], Mapping[str, str]], ChildProcess]
_launcher: Launcher | None = None

_template_lock = threading.Lock()
_template: Path | None = None


def migrated_template() -> Path:
    """An empty SQLite database at the migrations' head, made once per process."""
    global _template
    with _template_lock:
        if _template is None:
            from central.database import Database, migrate

            folder = Path(tempfile.mkdtemp(prefix="anjungan-central-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "central.db"
            database = Database(f"sqlite:///{path}")
            try:
                migrate(database)
            finally:
                database.dispose()  # the last connection closed: the WAL is in the file
            _template = path
        return _template


def fresh_database(folder: Path) -> str:
    """The URL of a copy of :func:`migrated_template` in ``folder``."""
    template = migrated_template()
    path = folder / template.name
    for suffix in ("", "-wal"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    return f"sqlite:///{path}"


class RunningCentral:
    """A central server child process and the URL it listens on."""

    def __init__(
        self, process: ChildProcess, db_url: str = "", temp_dir: str | None = None
    ) -> None:
        self.process = process
        self.url = ""
        #: The database the server uses (tests may open it too).
        self.db_url = db_url
        self._temp_dir = temp_dir
        self._stderr_tail: deque[str] = deque(maxlen=_TAIL_LINES)
        self._stdout_tail: deque[str] = deque(maxlen=_OUTPUT_LINES)
        self._stderr_all: deque[str] = deque(maxlen=_OUTPUT_LINES)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._listening = threading.Event()
        self._stopped = False
        if process.stdout is None or process.stderr is None:
            raise ValueError("the process needs piped stdout and stderr")
        self._readers = [
            _start_reader(
                process.stdout, self._on_stdout, lambda: self._lines.put(None), "central-stdout"
            ),
            _start_reader(process.stderr, self._on_stderr, _nothing, "central-stderr"),
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

    def output_tail(self) -> str:
        """The last lines of stdout and stderr (the access log and the rest)."""
        return "\n".join([*self._stdout_tail, *self._stderr_all])

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
            if self._temp_dir is not None:
                shutil.rmtree(self._temp_dir, ignore_errors=True)
        return self.process.returncode

    def __enter__(self) -> RunningCentral:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _on_stderr(self, line: str) -> None:
        self._stderr_tail.append(line)
        self._stderr_all.append(line)

    def _on_stdout(self, line: str) -> None:
        # The lines up to the announcement are waited for; the rest (uvicorn's
        # access log) is kept in a bounded tail so the pipe never fills.
        self._stdout_tail.append(line)
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
    db_url: str | None = None,
    host: str = "127.0.0.1",
    extra_args: Sequence[str] = (),
    # Migrating a fresh database and seeding it takes a second on a quiet machine;
    # the margin is for a loaded one (a test run on every core), where 15 s was seen
    # to be too little. A child that fails says so at once, whatever this is.
    timeout_s: float = 45.0,
    env: Mapping[str, str] | None = None,
) -> RunningCentral:
    """Start a central server on a free port and wait until it accepts connections.

    ``db_url`` ``None``: a fresh SQLite file (see the module's docstring), removed at
    stop. ``extra_args`` are more ``kiosk server`` options (``--rate 5``,
    ``--max-body 1000``); ``env`` adds to the child's environment
    (``NOTIFY_SOCKET``, ``CREDENTIALS_DIRECTORY``).
    Raises :class:`CentralStartError` (with the server's stderr tail) when it
    exits early or does not announce itself within ``timeout_s``; the child is
    stopped before the error is raised.
    """
    temp_dir = None
    if db_url is None:
        temp_dir = tempfile.mkdtemp(prefix="anjungan-central-")
        try:
            db_url = fresh_database(Path(temp_dir))
        except BaseException:
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise
    args = ["--host", host, "--port", "0", "--db", db_url]
    if seed_demo:
        args.append("--seed-demo")
    if catalog_path is not None:
        args += ["--catalog", os.fspath(catalog_path)]
    args += list(extra_args)
    # Forked only when nothing read at import could differ: no environment of its own.
    launch = _launcher if _launcher is not None and not env else _exec
    try:
        process = launch(args, _child_env(env or {}))
    except BaseException:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    running = RunningCentral(process, db_url, temp_dir)
    try:
        running._wait_until_listening(timeout_s)
    except BaseException:
        running.stop()
        raise
    return running


def _exec(args: Sequence[str], env: Mapping[str, str]) -> ChildProcess:
    """``python -m central ARGS``: a new interpreter, as a deployment starts one."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "central", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=dict(env),
    )


def use_launcher(launcher: Launcher | None) -> Launcher | None:
    """Start this process's centres with ``launcher`` (``None``: ``python -m central``);
    the one used before.

    For the test suite, which starts some hundreds of centres: a launcher that forks
    them from a process that imported the server once saves each one the imports
    (testkit.centre_forks). A centre given ``env`` of its own is always a new
    interpreter.
    """
    global _launcher
    before, _launcher = _launcher, launcher
    return before


def _nothing() -> None:
    pass


def _child_env(extra: Mapping[str, str]) -> dict[str, str]:
    # The child must import the same ``central`` as this process, wherever it runs from.
    env = {**os.environ, **extra}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env[PARENT_PID_ENV] = str(os.getpid())  # the server stops if we die without stopping it
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
