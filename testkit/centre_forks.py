"""Centres forked from one process that has already imported the server.

Every centre a test starts runs ``central.server.main``. Started as ``python -m
central``, each one first imports the server (FastAPI's routes and their models,
SQLAlchemy, the pages): some 1.7 s of CPU, the larger part of a start, paid by some
hundreds of centres a suite run. The server's own ``--workers N`` forks its workers
from a process that has imported it; this does the same for a test's centres.

One fork server per test process (:func:`launch`): ``python -m testkit.centre_forks``,
which imports the server once and then, asked over a socket, forks a child that sets
the request's arguments, environment and standard streams and runs
``central.server.main``. The test gets a :class:`ForkedCentre`, which answers as the
``subprocess.Popen`` of ``python -m central`` would (pid, pipes, poll, wait, signals),
so :class:`central.process.RunningCentral` drives it unchanged.

What differs from an exec'd centre, and so is left to ``python -m central``
(:func:`central.process.start_central` forks only when nothing of that matters):
``/proc/PID/cmdline`` names the fork server, and a module that reads the environment
when it is imported has read the fork server's. A centre given environment of its
own (``env``) is started as ``python -m central``.

The fork server's children watch it as their parent; it stops them when the test
process that started it is gone (its socket closes), and exits.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import queue
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from central.process import use_launcher

__all__ = ["ForkServer", "ForkedCentre", "launch", "new_interpreters"]

#: The largest message either side sends: a request's arguments and environment.
_MESSAGE_BYTES = 1 << 20
#: How long the fork server may take to import the server, on a loaded machine.
_READY_S = 120.0
#: How long a fork may take to be answered.
_FORK_S = 30.0
#: How long the fork server gives its children to stop once its test process is gone.
_STOP_S = 5.0
_PARENT_PID_ENV = "ANJUNGAN_CENTRAL_PARENT_PID"  # central.process.PARENT_PID_ENV
#: What every centre imports before it serves: the server and its app, what uvicorn
#: loads as it starts, and PostgreSQL's driver (loaded with its engine).
_PRELOADED = (
    "central.server",
    "central.app",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.h11_impl",
    "psycopg",
)


def _send(sock: socket.socket, message: Mapping[str, Any], fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.sendall(data)


# ---------------------------------------------------------------- the fork server


def _serve(control: socket.socket) -> int:
    """Import the server, then fork a centre for each request until ``control`` closes."""
    for name in _PRELOADED:
        with contextlib.suppress(ImportError):  # psycopg: only where PostgreSQL is
            importlib.import_module(name)
    if threading.active_count() != 1:  # a fork copies one thread: no lock may be held
        print("centre_forks: the server's imports started threads", file=sys.stderr)
        return 1
    gc.collect()
    gc.freeze()  # the imports stay shared with every child, untouched by its collector

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: set[int] = set()
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    _send(control, {"op": "ready"})
    try:
        while True:
            for key, _ in selector.select():
                if key.fileobj is wake_read:
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_read, 4096)
                    _reap(control, children)
                    continue
                data, fds, _, _ = socket.recv_fds(control, _MESSAGE_BYTES, 3)
                if not data:
                    return 0  # the test process is gone, or done
                request = json.loads(data)
                if request["op"] == "start":
                    pid = os.fork()
                    if pid == 0:
                        selector.close()
                        _child(request, fds, control, (wake_read, wake_write))
                    for fd in fds:
                        os.close(fd)
                    children.add(pid)
                    _send(control, {"op": "started", "pid": pid})
                elif request["op"] == "signal" and request["pid"] in children:
                    # Only a child not yet reaped: its pid cannot be another's yet.
                    os.kill(request["pid"], request["signal"])
    finally:
        _stop_children(children)


def _reap(control: socket.socket, children: set[int]) -> None:
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        children.discard(pid)
        code = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(OSError):
            _send(control, {"op": "exited", "pid": pid, "code": code})


def _stop_children(children: set[int]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_S
    while children and time.monotonic() < deadline:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid:
            children.discard(pid)
        else:
            time.sleep(0.05)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _child(
    request: Mapping[str, Any], fds: list[int], control: socket.socket, wake: tuple[int, int]
) -> None:
    """In the forked child: become ``python -m central ARGS`` as the request says; never returns."""
    code = 1
    try:
        control.close()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in wake:
            os.close(fd)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        # The centre stops once its parent is gone: its parent is this fork server.
        os.environ[_PARENT_PID_ENV] = str(os.getppid())
        time.tzset()
        os.chdir(request["cwd"])
        import random

        random.seed()  # not the fork server's sequence, shared by every child
        sys.argv = [sys.argv[0], *request["args"]]
        from central.server import main

        code = main(request["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


# ---------------------------------------------------------------- the test's side


class ForkedCentre:
    """A centre the fork server forked, driven as ``subprocess.Popen`` drives a child."""

    def __init__(self, server: ForkServer, pid: int, stdout: IO[str], stderr: IO[str]) -> None:
        self.args = ["python", "-m", "central"]
        self.pid = pid
        self.stdout: IO[str] | None = stdout
        self.stderr: IO[str] | None = stderr
        self.returncode: int | None = None
        self._server = server
        self._exited = threading.Event()

    def _exit(self, code: int) -> None:
        self.returncode = code
        self._exited.set()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            self._server.signal(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """The test process's end of one fork server (started by the first :meth:`start`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._started: queue.Queue[int | None] = queue.Queue()
        self._centres: dict[int, ForkedCentre] = {}
        self._early: dict[int, int] = {}  # exits read before their start was answered
        self._exits = threading.Lock()

    def start(self, args: Sequence[str], env: Mapping[str, str]) -> ForkedCentre:
        """Fork ``python -m central ARGS`` with ``env`` (the whole environment)."""
        with self._lock:
            sock = self._sock or self._open()
            out_read, out_write = os.pipe()
            err_read, err_write = os.pipe()
            stdin = os.open(os.devnull, os.O_RDONLY)
            try:
                request = {"op": "start", "args": list(args), "env": dict(env), "cwd": os.getcwd()}
                _send(sock, request, [stdin, out_write, err_write])
            finally:
                for fd in (stdin, out_write, err_write):
                    os.close(fd)
            try:
                pid = self._started.get(timeout=_FORK_S)
            except queue.Empty:
                pid = None
            if pid is None:
                os.close(out_read)
                os.close(err_read)
                raise OSError("the centres' fork server did not answer")
            centre = ForkedCentre(
                self,
                pid,
                open(out_read, encoding="utf-8", errors="replace"),  # noqa: SIM115
                open(err_read, encoding="utf-8", errors="replace"),  # noqa: SIM115
            )
            with self._exits:
                self._centres[pid] = centre
                if pid in self._early:
                    centre._exit(self._early.pop(pid))
            return centre

    def signal(self, pid: int, sig: int) -> None:
        with contextlib.suppress(OSError):
            if self._sock is not None:
                _send(self._sock, {"op": "signal", "pid": pid, "signal": int(sig)})

    def close(self) -> None:
        """Close the socket: the fork server stops its centres and exits."""
        sock, process = self._sock, self._process
        self._sock = None
        if sock is not None:
            sock.close()
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(_STOP_S + 5)
            if process.poll() is None:
                process.kill()
                process.wait()

    def _open(self) -> socket.socket:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "testkit.centre_forks", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        finally:
            theirs.close()
        ours.settimeout(_READY_S)
        try:
            ready = json.loads(ours.recv(_MESSAGE_BYTES) or b"{}")
        except TimeoutError:
            ready = {}
        if ready.get("op") != "ready":
            ours.close()
            raise OSError("the centres' fork server did not start")
        ours.settimeout(None)
        self._sock = ours
        threading.Thread(target=self._read, args=(ours,), name="centre-forks", daemon=True).start()
        import atexit

        atexit.register(self.close)
        return ours

    def _read(self, sock: socket.socket) -> None:
        try:
            while True:
                data = sock.recv(_MESSAGE_BYTES)
                if not data:
                    break
                message = json.loads(data)
                if message["op"] == "started":
                    self._started.put(message["pid"])
                elif message["op"] == "exited":
                    with self._exits:
                        centre = self._centres.pop(message["pid"], None)
                        if centre is None:
                            self._early[message["pid"]] = message["code"]
                    if centre is not None:
                        centre._exit(message["code"])
        except OSError:
            pass
        finally:  # the fork server is gone, and its centres with it
            self._started.put(None)
            with self._exits:
                gone, self._centres = list(self._centres.values()), {}
            for centre in gone:
                centre._exit(-signal.SIGKILL)


_server = ForkServer()


@contextlib.contextmanager
def new_interpreters() -> Iterator[None]:
    """Within it, this process's centres are ``python -m central`` children of its own:
    for tests that look for them among its children or read their command line."""
    before = use_launcher(None)
    try:
        yield
    finally:
        use_launcher(before)


def launch(args: Sequence[str], env: Mapping[str, str]) -> ForkedCentre:
    """Start a centre forked from this process's fork server (started on first use)."""
    return _server.start(args, env)


if __name__ == "__main__":
    sys.exit(_serve(socket.socket(fileno=int(sys.argv[1]))))
