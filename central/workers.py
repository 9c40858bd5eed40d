"""Several worker processes serving one listening socket (``--workers N``).

The parent process (systemd's main PID) has bound the socket and migrated
the database once. :class:`Supervisor` then forks N workers; each builds
the app and serves the inherited socket (the kernel hands each new
connection to one of them), and writes one byte to a pipe once it accepts.
When all N have, the parent prints the listening line and tells systemd
``READY=1``. Workers are forked, not started with a new command line: the
settings, the database password among them, never appear in ``ps``.

A worker that dies is started again (after a pause that doubles while
workers keep dying young, so a broken database does not make a fork loop);
SIGTERM or SIGINT stops every worker within the grace time, then kills
what is left. A worker that cannot start at all before the centre is ready
stops the whole centre with the worker's exit status.

The parent never starts a thread or an event loop, so forking stays safe.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from contract.systemd import notify

log = logging.getLogger("central.workers")

#: A worker's body: given the pipe's write end, serve until stopped; return its exit status.
WorkerBody = Callable[[int], int]

#: Where prometheus-client's multiprocess mode keeps each worker's metrics files.
MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Longest wait for every worker to accept at start.
START_DEADLINE_S = 120.0
#: How long the parent waits for workers to finish after SIGTERM before it kills them.
STOP_GRACE_S = 10.0
#: Pauses before starting a dead worker again: the first, and the longest.
RESTART_PAUSE_S = 0.5
RESTART_PAUSE_MAX_S = 10.0
#: A worker that lived this long was healthy: the pause starts again from the first.
HEALTHY_AFTER_S = 30.0
_POLL_S = 0.2


@dataclass
class _Worker:
    pid: int
    started: float


@dataclass
class Supervisor:
    """Run ``count`` workers of ``body`` until SIGTERM/SIGINT; see the module's docstring."""

    count: int
    body: WorkerBody
    #: Called once every worker accepts (prints the listening line).
    on_ready: Callable[[], None]
    #: Stop when this process is no longer our parent (the test or demo that started us).
    watch_parent: int | None = None
    #: The folder the workers' metrics files go to (made and removed by the caller).
    metrics_dir: Path | None = None
    _workers: dict[int, _Worker] = field(default_factory=dict)
    _stopping: bool = False
    _pause_s: float = RESTART_PAUSE_S
    _parent_pid: int = field(default_factory=os.getpid)

    def run(self) -> int:
        """Serve; the exit status: 0 after a stop, a worker's status if none could start."""
        read_end, write_end = os.pipe()
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            status = self._start(read_end, write_end)
            if status is None:
                self.on_ready()
                notify("READY=1")
                self._supervise(read_end, write_end)
                status = 0
            return status
        finally:
            notify("STOPPING=1")
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            os.close(read_end)
            os.close(write_end)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _start(self, read_end: int, write_end: int) -> int | None:
        """Start the workers and wait until each accepts; a dead one's status, or ``None``."""
        for _ in range(self.count):
            self._fork(read_end, write_end)
        ready = 0
        deadline = time.monotonic() + START_DEADLINE_S
        while ready < self.count:
            if self._stopping:
                return 0
            if time.monotonic() > deadline:
                log.error("the workers did not start within %.0f s", START_DEADLINE_S)
                return 1
            ready += _read_tokens(read_end, _POLL_S)
            for pid, status, _ in self._reap():
                log.error("worker %d stopped before it served (status %d)", pid, status)
                return status or 1
        return None

    def _supervise(self, read_end: int, write_end: int) -> None:
        due: float | None = None  # when to start the workers that are missing
        while not self._stopping:
            _read_tokens(read_end, _POLL_S)  # restarted workers say they accept: nothing to do
            if self._stopping:
                # A stop came while waiting (systemd signals the whole group at once):
                # workers that ended meanwhile are stopping, not crashed; _stop_all reaps.
                break
            now = time.monotonic()
            for pid, status, lived in self._reap():
                self._mark_dead(pid)
                if lived >= HEALTHY_AFTER_S:
                    self._pause_s = RESTART_PAUSE_S
                log.warning(
                    "worker %d stopped (status %d) after %.0f s: starting another in %.1f s",
                    pid, status, lived, self._pause_s,
                )  # fmt: skip
                if due is None:
                    due = now + self._pause_s
                    self._pause_s = min(self._pause_s * 2, RESTART_PAUSE_MAX_S)
            if due is not None and now >= due:
                due = None
                while len(self._workers) < self.count and not self._stopping:
                    self._fork(read_end, write_end)
            if self.watch_parent is not None and os.getppid() != self.watch_parent:
                log.warning("the process that started this server is gone: stopping")
                self._stopping = True

    def _fork(self, read_end: int, write_end: int) -> None:
        # Held back across the fork: a stop signal reaches either the parent's handler
        # or, once it is reset, the worker's own default (never the parent's copy).
        stops = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            pid = os.fork()
        finally:
            if os.getpid() == self._parent_pid:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
        if pid == 0:  # the worker
            status = 70  # EX_SOFTWARE, if the body raises past its own handlers
            try:
                for sig in stops:
                    signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
                os.close(read_end)
                status = self.body(write_end)
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(status)
        self._workers[pid] = _Worker(pid, time.monotonic())

    def _reap(self) -> list[tuple[int, int, float]]:
        """The workers that have ended since the last call: pid, exit status, seconds lived."""
        ended = []
        while True:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            worker = self._workers.pop(pid, None)
            lived = time.monotonic() - worker.started if worker is not None else 0.0
            ended.append((pid, _exit_status(wait_status), lived))
        return ended

    def _mark_dead(self, pid: int) -> None:
        if self.metrics_dir is not None:
            archive_dead_worker(self.metrics_dir, pid)

    def _stop_all(self) -> None:
        self._stopping = True
        for pid in list(self._workers):
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while self._workers and time.monotonic() < deadline:
            self._reap()
            if self._workers:
                time.sleep(_POLL_S / 4)
        for pid in list(self._workers):
            log.warning("worker %d did not stop in %.0f s: killed", pid, STOP_GRACE_S)
            _signal(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self._workers.clear()


def _read_tokens(fd: int, timeout_s: float) -> int:
    """Wait up to ``timeout_s`` for the workers' bytes; how many arrived."""
    readable, _, _ = select.select([fd], [], [], timeout_s)
    if not readable:
        return 0
    return len(os.read(fd, 64))


def _exit_status(wait_status: int) -> int:
    code = os.waitstatus_to_exitcode(wait_status)
    return code if code >= 0 else 128 - code  # killed by a signal: as a shell says it


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except OSError as exc:
        if exc.errno != errno.ESRCH:
            raise


#: The folders of the workers' metrics files: this prefix, the parent's pid, a dash.
_FOLDER_PREFIX = "anjungan-metrics-"
#: Held shared while a scrape reads the folder, exclusive while a dead worker's
#: files are folded into the archive (no scrape sees them twice, or not at all).
_LOCK_FILE = "lock"


def metrics_folder() -> Path:
    """A fresh folder for the workers' metrics files, in systemd's runtime or state
    folder when it gives one, else the temporary folder; the caller removes it.

    Folders left by a centre that was killed (its parent's pid, in the name, no
    longer runs) are removed first: a crash loop must not fill the disk."""
    base = os.environ.get("RUNTIME_DIRECTORY") or os.environ.get("STATE_DIRECTORY") or None
    if base is not None:
        base = base.split(":")[0]  # several folders: the first
    parent = Path(base or tempfile.gettempdir())
    for old in parent.glob(f"{_FOLDER_PREFIX}*-*"):
        owner = old.name[len(_FOLDER_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not _runs(int(owner)) and old.is_dir():
            log.info("removing the metrics folder %s of a centre that is gone", old)
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_FOLDER_PREFIX}{os.getpid()}-", dir=parent))


def _runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@contextlib.contextmanager
def folder_lock(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """The metrics folder's lock (see :data:`_LOCK_FILE`)."""
    fd = os.open(folder / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def written(files: Iterable[Path]) -> list[Path]:
    """``files`` less those still empty. prometheus-client makes a worker's file and
    only then sizes it: read in between, its missing header failed the whole scrape
    (a 500), and for good if the worker was killed in between (prometheus/client_python
    #1199). An empty file has nothing counted in it."""
    kept = []
    for path in files:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size > 0:
                kept.append(path)
    return kept


def archive_dead_worker(folder: Path, pid: int) -> None:
    """Fold a dead worker's counters and histograms into the folder's archive files.

    Its counts stay in every later scrape (a counter never goes back), and its
    two files (64 KiB each) are removed: workers that keep dying do not make
    the folder grow. A file the worker died before sizing is empty: nothing to
    fold, removed (read, it raised in the supervisor). prometheus-client's own
    ``mark_process_dead`` only removes live gauges' files; it is called too."""
    from prometheus_client import multiprocess  # only a centre with workers needs it
    from prometheus_client.mmap_dict import MmapedDict

    with folder_lock(folder, exclusive=True):
        for kind in ("counter", "histogram"):
            dead = folder / f"{kind}_{pid}.db"
            if not dead.exists():
                continue
            if not written([dead]):
                dead.unlink()
                continue
            archive = MmapedDict(str(folder / f"{kind}_archive.db"))  # type: ignore[no-untyped-call]
            try:
                for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(dead)):  # type: ignore[no-untyped-call]
                    before, _ = archive.read_value(key)  # type: ignore[no-untyped-call]
                    archive.write_value(key, before + value, timestamp)  # type: ignore[no-untyped-call]
            finally:
                archive.close()  # type: ignore[no-untyped-call]
            dead.unlink()
        multiprocess.mark_process_dead(pid, str(folder))  # type: ignore[no-untyped-call]


def remove_metrics_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
