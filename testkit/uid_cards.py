"""Helpers for the PC/SC robustness tests: card logic, pcscd handling, counters.

Kept apart from ``conftest.py`` so the fixtures there stay small. Everything
here acts on the real pcscd that the ``pcscd`` fixture started, through its
process, its configuration directory and its ``--debug`` log.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cardio.card import apdu
from cardio.emulators.vpcd import DEFAULT_ATR, VpcdCard
from cardio.errors import CardServiceUnavailable
from cardio.readers._pcsc_scard import establish, load_scard
from cardio.readers.events import CardPresented, CardRemoved
from cardio.readers.pcsc import PcscReader
from tests.cardio.conftest import VPCD_DRIVER, EventLog, Pcscd, wait_until

UID = bytes.fromhex("04A1B2C3D4E5F6")
#: The ATR the watcher reports: vpcd hands on the virtual card's own bytes.
ATR = DEFAULT_ATR
UID_RESPONSE = UID + b"\x90\x00"

#: INTERNAL AUTHENTICATE with an 8-byte challenge: the step a real card takes
#: longest over (it signs), so the one the slow card takes its time on.
SLOW_COMMAND = bytes.fromhex("00 88 00 00 08 0102030405060708 00")

#: The longest a read may go on once pcscd or the card is gone: the backend's
#: removal grace (0.6 s) plus scheduling slack on a busy two-core machine.
READ_DEADLINE_S = 2.0

T = TypeVar("T")


class UidCard:
    """A UID-only card: answers GET UID, refuses everything else."""

    def execute(self, command: bytes) -> bytes:
        if command[:2] == b"\xff\xca":
            return UID_RESPONSE
        return apdu.status(apdu.SW_INS_NOT_SUPPORTED)


class SlowCard(UidCard):
    """A card that takes up to ``delay_s`` over :data:`SLOW_COMMAND`.

    ``started`` is set once the command has reached the card, so a test knows
    the read is in flight without guessing with sleeps; :meth:`release` ends
    the wait at once (teardown).
    """

    def __init__(self, delay_s: float = 10.0) -> None:
        self.delay_s = delay_s
        self.started = threading.Event()
        self._release = threading.Event()

    def execute(self, command: bytes) -> bytes:
        if command == SLOW_COMMAND:
            self.started.set()
            self._release.wait(self.delay_s)
            return bytes.fromhex("A5A5A5A5 9000")
        return super().execute(command)

    def release(self) -> None:
        self._release.set()


def write_reader_entry(daemon: Pcscd, file_name: str, friendly_name: str, port: int) -> Path:
    """Add a vpcd entry (slots on ``port`` and ``port + 1``) to pcscd's config dir."""
    path = daemon.config_dir / file_name
    path.write_text(
        f'FRIENDLYNAME "{friendly_name}"\n'
        f"DEVICENAME /dev/null:{port}\n"
        f"LIBPATH {VPCD_DRIVER}\n"
        f"CHANNELID {port}\n"
    )
    return path


def start_pcscd(daemon: Pcscd, expect: str | None, timeout_s: float = 10.0) -> None:
    """Start the fixture's pcscd on whatever its config dir now holds.

    Like :meth:`Pcscd.start`, but waits for ``expect`` to be listed rather
    than the fixture's own reader (``None``: for the service to answer), so a
    test can restart pcscd with that reader's entry gone or replaced.
    """
    assert daemon.process is None, "pcscd already started"
    with daemon.log_path.open("ab") as log:
        daemon.process = subprocess.Popen(
            [daemon.executable, "--foreground", "--debug", "--config", str(daemon.config_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    wait_until(
        lambda: service_answers() and (expect is None or expect in daemon.list_readers()),
        timeout_s,
        f"pcscd to start and list {expect!r}",
    )


def service_answers() -> bool:
    """True if a PC/SC context can be established (pcscd is up)."""
    try:
        scard = load_scard()
        context = establish(scard)
    except CardServiceUnavailable:
        return False
    scard.SCardReleaseContext(context)
    return True


def end_pcscd(daemon: Pcscd, how: signal.Signals) -> None:
    """End the fixture's pcscd with ``how`` (SIGTERM: orderly stop; SIGKILL: crash)."""
    process = daemon.process
    assert process is not None, "pcscd is not running"
    process.send_signal(how)
    process.wait(10.0)
    daemon.process = None


def rescan_readers(daemon: Pcscd) -> None:
    """``pcscd --hotplug``: ask the running pcscd to re-read its reader config."""
    subprocess.run([daemon.executable, "--hotplug"], check=True, timeout=10.0, capture_output=True)


def log_text(daemon: Pcscd) -> str:
    return daemon.log_path.read_text(errors="replace")


def commands(log: str) -> Counter[str]:
    """How many of each client command pcscd received, from its ``--debug`` log."""
    return Counter(re.findall(r"Received command: (\w+) from client", log))


@dataclass
class ClientSession:
    """One client connection to pcscd (one PC/SC context), as its log tells it."""

    client: int
    commands: list[str]
    closed: bool = False


def client_sessions(log: str) -> list[ClientSession]:
    """pcscd's ``--debug`` log split per client connection, in order of first sight.

    pcscd numbers clients by socket and reuses the numbers, so a session ends
    at its "Client die". Other programs on this host may use the same pcscd
    (its socket is fixed): pick sessions by what they did, not by count.
    """
    sessions: list[ClientSession] = []
    live: dict[int, ClientSession] = {}
    pattern = re.compile(r"Received command: (\w+) from client (\d+)|Client die: (\d+)")
    for match in pattern.finditer(log):
        command, client, died = match.groups()
        if died is not None:
            ended = live.pop(int(died), None)
            if ended is not None:
                ended.closed = True
            continue
        session = live.get(int(client))
        if session is None:
            session = live[int(client)] = ClientSession(int(client), [])
            sessions.append(session)
        session.commands.append(command)
    return sessions


def card_handles(log: str) -> list[str]:
    """Every card handle pcscd handed out (one per successful SCardConnect)."""
    return re.findall(r"hCard Identity: (\w+)", log)


@dataclass(frozen=True)
class Resources:
    """What a leak would grow, in this process and in pcscd."""

    fds: int
    native_threads: int
    python_threads: int
    pcscd_threads: int
    pcscd_fds: int


def resources(daemon: Pcscd) -> Resources:
    process = daemon.process
    assert process is not None, "pcscd is not running"
    proc = Path(f"/proc/{process.pid}")
    return Resources(
        fds=len(os.listdir("/proc/self/fd")),
        native_threads=len(os.listdir("/proc/self/task")),
        python_threads=threading.active_count(),
        # pcscd runs one thread per client connection (per PC/SC context).
        pcscd_threads=len(os.listdir(proc / "task")),
        pcscd_fds=len(os.listdir(proc / "fd")),
    )


def settled_resources(daemon: Pcscd, timeout_s: float = 3.0) -> Resources:
    """:func:`resources` once two readings 0.2 s apart agree.

    pcscd ends a client's thread a moment after the client has gone, so a
    reading taken right after a PC/SC call may still count it.
    """
    deadline = time.monotonic() + timeout_s
    last = resources(daemon)
    while True:
        time.sleep(0.2)
        now = resources(daemon)
        if now == last or time.monotonic() > deadline:
            return now
        last = now


def run_with_deadline(work: Callable[[], T], timeout_s: float, what: str) -> T:
    """Run ``work`` on a thread; fail with its stack if it is not done in time.

    A deadlock then fails the test with the place it is stuck at, instead of
    hanging the run until the global per-test timeout.
    """
    outcome: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=target, name=f"deadline: {what}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        frame = sys._current_frames().get(worker.ident or -1)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(gone)"
        raise AssertionError(f"{what} not done after {timeout_s} s; stuck at:\n{stack}")
    if errors:
        raise errors[0]
    return outcome[0]


class BackgroundRead:
    """One tap's read on a thread of its own: connect, GET UID, the slow command."""

    def __init__(self, reader: PcscReader, name: str) -> None:
        self._reader = reader
        self._name = name
        self.error: BaseException | None = None
        self.responses: list[bytes] = []
        self.finished_at: float | None = None
        self._thread = threading.Thread(target=self._run, name="background-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._reader.connect(self._name) as conn:
                self.responses.append(conn.transmit(apdu.GET_UID))
                self.responses.append(conn.transmit(SLOW_COMMAND))
        except BaseException as exc:
            self.error = exc
        finally:
            self.finished_at = time.monotonic()

    def join(self, timeout_s: float) -> float:
        """Wait for the read to end; return when it ended (``time.monotonic()``)."""
        self._thread.join(timeout_s)
        if self._thread.is_alive() or self.finished_at is None:
            raise AssertionError(f"the read still runs {timeout_s} s later")
        return self.finished_at


def tap_and_read(reader: PcscReader, events: EventLog, name: str, port: int) -> tuple[int, int]:
    """Present a UID card on ``port``, read it once the event says so, take it away.

    Returns the indexes of the CardPresented and CardRemoved events.
    """
    start = len(events.snapshot())
    with VpcdCard(UidCard(), port=port):
        presented = events.wait_for(CardPresented(name, ATR), after=start)
        with reader.connect(name) as conn:
            assert conn.transmit(apdu.GET_UID) == UID_RESPONSE
    removed = events.wait_for(CardRemoved(name), after=presented)
    return presented, removed
