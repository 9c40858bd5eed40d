"""Shared fixtures for the card tests: a real pcscd with a vpcd reader.

The ``pcscd`` fixture starts ``pcscd --foreground --config DIR`` where DIR
holds only one vpcd reader entry on a free port, waits until the reader is
listed, and stops the daemon at teardown. pcscd's socket path is fixed
(``/run/pcscd/pcscd.comm``), so only one can run per host: if one is already
running, or pcscd, the vpcd driver or pyscard is missing, the tests are
skipped, unless the ``CI`` environment variable is set, in which case they
fail, because CI must really run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from bench.private_pcscd import SOCKET, free_port_pair, serving_pid
from cardio.card.citizen_card import CitizenCardApplet
from cardio.readers.events import ReaderEvent

PCSCD_SOCKET = SOCKET
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
#: vpcd exposes two slots per entry, named "<FRIENDLYNAME> 00 00" and "… 00 01",
#: listening on PORT and PORT + 1.
FRIENDLY_NAME = "Anjungan Test VPCD"
READER = f"{FRIENDLY_NAME} 00 00"
SECOND_READER = f"{FRIENDLY_NAME} 00 01"

#: Long enough for pcscd's 0.4 s reader polling plus our own poll interval.
EVENT_DEADLINE_S = 5.0


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason``; fail instead when running in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"PC/SC tests cannot run: {reason} (CI is set, so this is a failure)")
    pytest.skip(f"PC/SC tests skipped: {reason}")


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.01)


def _pcscd_running() -> str | None:
    """A description of the pcscd already serving this host, if any."""
    pid = serving_pid()
    return None if pid is None else f"a pcscd (pid {pid}) is already serving {PCSCD_SOCKET}"


def _scard() -> Any:
    try:
        import smartcard.scard as scard
    except ImportError:
        unavailable("pyscard is not installed")
    return scard


class Pcscd:
    """One pcscd process serving one vpcd reader entry; restartable."""

    def __init__(self, workdir: Path, executable: str, port: int) -> None:
        self.port = port
        self.executable = executable
        self.config_dir = workdir / "reader.conf.d"
        self.log_path = workdir / "pcscd.log"  # outside the config dir: pcscd parses every file
        self.config_dir.mkdir()
        (self.config_dir / "vpcd").write_text(
            f'FRIENDLYNAME "{FRIENDLY_NAME}"\n'
            f"DEVICENAME /dev/null:{port}\n"
            f"LIBPATH {VPCD_DRIVER}\n"
            f"CHANNELID {port}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 10.0) -> None:
        assert self.process is None, "pcscd already started"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.executable, "--foreground", "--debug", "--config", str(self.config_dir)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while READER not in self.list_readers():
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"pcscd exited with {code}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"pcscd did not list {READER!r}:\n{self.log_tail()}")
            time.sleep(0.02)

    def stop(self, timeout_s: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout_s)

    def list_readers(self) -> list[str]:
        scard = _scard()
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            return []
        try:
            hresult, names = scard.SCardListReaders(context, [])
            return list(names) if hresult == scard.SCARD_S_SUCCESS else []
        finally:
            scard.SCardReleaseContext(context)

    def card_present(self, reader: str = READER) -> bool:
        scard = _scard()
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            return False
        try:
            hresult, states = scard.SCardGetStatusChange(
                context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
            )
            return hresult == scard.SCARD_S_SUCCESS and bool(
                states[0][1] & scard.SCARD_STATE_PRESENT
            )
        finally:
            scard.SCardReleaseContext(context)

    def wait_card(self, present: bool = True, reader: str = READER) -> None:
        """Wait until pcscd has noticed the card arrive (or leave)."""
        wait_until(
            lambda: self.card_present(reader) is present,
            EVENT_DEADLINE_S,
            f"pcscd to see the card {'arrive' if present else 'leave'}",
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture
def pcscd(tmp_path: Path) -> Iterator[Pcscd]:
    """A running pcscd with the vpcd reader :data:`READER` listed."""
    executable = shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/sbin")
    if executable is None:
        unavailable("pcscd is not installed (Debian package pcscd)")
    if not VPCD_DRIVER.exists():
        unavailable(f"the vpcd driver {VPCD_DRIVER} is missing (package vsmartcard-vpcd)")
    _scard()
    running = _pcscd_running()
    if running is not None:
        unavailable(f"{running}; only one pcscd can run per host, stop it first")
    if os.geteuid() != 0 and not os.access(PCSCD_SOCKET.parent, os.W_OK):
        unavailable(f"not root and {PCSCD_SOCKET.parent} is not writable for this user")
    daemon = Pcscd(tmp_path, executable, free_port_pair())
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


class EventLog:
    """A thread-safe list of reader events with deadline-bound waits."""

    def __init__(self) -> None:
        self.events: list[ReaderEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: ReaderEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def snapshot(self) -> list[ReaderEvent]:
        with self._changed:
            return list(self.events)

    def wait_for(
        self, expected: ReaderEvent, after: int = 0, timeout_s: float = EVENT_DEADLINE_S
    ) -> int:
        """Wait until ``expected`` is emitted at an index >= ``after``; return that index."""

        def position() -> int | None:
            for index in range(after, len(self.events)):
                if self.events[index] == expected:
                    return index
            return None

        with self._changed:
            self._changed.wait_for(lambda: position() is not None, timeout_s)
            index = position()
            if index is None:
                raise AssertionError(f"no {expected!r} within {timeout_s} s; got {self.events!r}")
            return index


@pytest.fixture
def events() -> EventLog:
    return EventLog()


class RecordingApplet:
    """Card logic wrapper that records every command and reset it is given."""

    def __init__(self, inner: CitizenCardApplet) -> None:
        self.inner = inner
        self.commands: list[bytes] = []
        self.resets = 0

    def execute(self, command: bytes) -> bytes:
        self.commands.append(command)
        return self.inner.execute(command)

    def reset(self) -> None:
        self.resets += 1
        self.inner.reset()
