"""A private pcscd serving vsmartcard-vpcd readers, for the card tests and benchmarks.

Both start ``pcscd --foreground --config DIR`` where DIR holds one vpcd entry on
free loopback ports. The tests' :class:`Pcscd` runs it with ``--debug`` (they
read its log) and can restart it, kill it or change its readers; the
benchmarks' :func:`start` runs it without ``--debug``, whose logging would slow
every APDU. pcscd's socket path is fixed (``/run/pcscd/pcscd.comm``), so only
one can run per host: if one is already serving, the benchmark is skipped
rather than disturbing it, and the tests are skipped, unless the ``CI``
environment variable is set, in which case they fail, because CI must really
run them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from cardio.errors import CardServiceUnavailable
from cardio.readers.pcsc_scard import establish, load_scard
from testkit.processes import end
from testkit.reader_events import EVENT_DEADLINE_S
from testkit.waits import wait_until

SOCKET = Path("/run/pcscd/pcscd.comm")
PID_FILE = Path("/run/pcscd/pcscd.pid")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
#: vpcd exposes two slots per entry, named "<FRIENDLYNAME> 00 00" and "… 00 01",
#: listening on PORT and PORT + 1; a card inserts itself on its slot's port.
FRIENDLY_NAME = "Anjungan Test VPCD"
READER = f"{FRIENDLY_NAME} 00 00"
SECOND_READER = f"{FRIENDLY_NAME} 00 01"
START_TIMEOUT_S = 10.0
#: The pytest-xdist group of every test that starts a pcscd (tests/conftest.py marks
#: them): with the socket path fixed, one worker runs them one after another.
XDIST_GROUP = "pcscd"


class Unavailable(Exception):
    """pcscd, the vpcd driver or pyscard is missing, or another pcscd is running."""


@dataclass
class PrivatePcscd:
    process: subprocess.Popen[bytes]
    port: int
    reader: str
    log_path: Path
    #: As ``pcscd --version`` says it, e.g. "pcsc-lite version 1.9.9".
    version: str

    def stop(self) -> None:
        end(self.process)


def reader_entry(friendly_name: str, port: int) -> str:
    """A vpcd entry for pcscd's config dir: slots on ``port`` and ``port + 1``."""
    return (
        f'FRIENDLYNAME "{friendly_name}"\n'
        f"DEVICENAME /dev/null:{port}\n"
        f"LIBPATH {VPCD_DRIVER}\n"
        f"CHANNELID {port}\n"
    )


def free_port_pair() -> int:
    """A loopback port P such that P and P + 1 were both free just now."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise Unavailable("no two consecutive free loopback ports")


def serving_pid() -> str | None:
    """The pid of a pcscd already answering on the socket, if any."""
    if not SOCKET.exists():
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(SOCKET))
        except OSError:
            return None  # a stale socket file: a new pcscd replaces it
    try:
        return PID_FILE.read_text(errors="replace").split()[0]
    except (OSError, IndexError):
        return "unknown"


def _readers() -> list[str]:
    import smartcard.scard as scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return []
    try:
        hresult, names = scard.SCardListReaders(context, [])
        return [str(n) for n in names] if hresult == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(context)


def _version(executable: str) -> str:
    try:
        done = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "pcsc-lite (version unknown)"
    first = (done.stdout.strip().splitlines() or ["pcsc-lite (version unknown)"])[0]
    return first.rstrip(".")


def start(workdir: Path) -> PrivatePcscd:
    """Start pcscd with one vpcd entry; raise :class:`Unavailable` with the reason."""
    executable = shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/sbin")
    if executable is None:
        raise Unavailable("pcscd is not installed (Debian package pcscd)")
    if not VPCD_DRIVER.exists():
        raise Unavailable(f"the vpcd driver {VPCD_DRIVER} is missing (package vsmartcard-vpcd)")
    try:
        import smartcard.scard  # noqa: F401
    except ImportError:
        raise Unavailable("pyscard is not installed (the 'pcsc' extra)") from None
    pid = serving_pid()
    if pid is not None:
        raise Unavailable(f"another pcscd (pid {pid}) is serving {SOCKET}; one per host")
    if os.geteuid() != 0 and not os.access(SOCKET.parent, os.W_OK):
        raise Unavailable(f"not root and {SOCKET.parent} is not writable")
    port = free_port_pair()
    config = workdir / "reader.conf.d"
    config.mkdir()
    (config / "vpcd").write_text(reader_entry(FRIENDLY_NAME, port))
    log_path = workdir / "pcscd.log"  # outside the config dir: pcscd parses every file
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [executable, "--foreground", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    daemon = PrivatePcscd(process, port, READER, log_path, _version(executable))
    deadline = time.monotonic() + START_TIMEOUT_S
    while READER not in _readers():
        if process.poll() is not None:  # e.g. another pcscd won the race for the socket
            last = (log_path.read_text(errors="replace").strip().splitlines() or ["?"])[-1]
            raise Unavailable(f"pcscd exited with {process.returncode}: {last}")
        if time.monotonic() > deadline:
            daemon.stop()
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pcscd did not list {READER!r}:\n{tail}")
        time.sleep(0.02)
    return daemon


# The tests' pcscd: with --debug, restartable, skipped where it cannot run.


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason``; fail instead when running in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"PC/SC tests cannot run: {reason} (CI is set, so this is a failure)")
    pytest.skip(f"PC/SC tests skipped: {reason}")


def _scard() -> Any:
    try:
        import smartcard.scard as scard
    except ImportError:
        unavailable("pyscard is not installed")
    return scard


class ReaderNotListed(RuntimeError):
    """pcscd ran but never listed the vpcd reader: its driver did not come up."""


class Pcscd:
    """One pcscd process serving one vpcd reader entry; restartable."""

    def __init__(self, workdir: Path, executable: str, port: int) -> None:
        self.port = port
        self.executable = executable
        self.config_dir = workdir / "reader.conf.d"
        self.log_path = workdir / "pcscd.log"  # outside the config dir: pcscd parses every file
        self.config_dir.mkdir()
        (self.config_dir / "vpcd").write_text(reader_entry(FRIENDLY_NAME, port))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 10.0) -> None:
        self.spawn()
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while READER not in self.list_readers():
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"pcscd exited with {code}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise ReaderNotListed(
                    f"pcscd did not list {READER!r} (vpcd on ports {self.port} and "
                    f"{self.port + 1}):\n{self.log_lines('vpcd', 'IFD', 'rror')}\n"
                    f"...\n{self.log_tail()}"
                )
            time.sleep(0.02)

    def spawn(self) -> None:
        """Start pcscd on whatever the config dir holds, logging to :attr:`log_path`."""
        assert self.process is None, "pcscd already started"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.executable, "--foreground", "--debug", "--config", str(self.config_dir)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self, timeout_s: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is not None:
            end(process, timeout_s)

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

    def log_lines(self, *words: str, most: int = 20) -> str:
        """The first ``most`` lines of the log that hold any of ``words`` (the driver's)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join([x for x in text.splitlines() if any(w in x for w in words)][:most])

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def running_pcscd(workdir: Path) -> Iterator[Pcscd]:
    """A running pcscd with the vpcd reader :data:`READER` listed; stopped afterwards.

    Skips (fails under ``CI``) where pcscd cannot run here.
    """
    executable = shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/sbin")
    if executable is None:
        unavailable("pcscd is not installed (Debian package pcscd)")
    if not VPCD_DRIVER.exists():
        unavailable(f"the vpcd driver {VPCD_DRIVER} is missing (package vsmartcard-vpcd)")
    _scard()
    pid = serving_pid()
    if pid is not None:
        unavailable(
            f"a pcscd (pid {pid}) is already serving {SOCKET}; "
            "only one pcscd can run per host, stop it first"
        )
    if os.geteuid() != 0 and not os.access(SOCKET.parent, os.W_OK):
        unavailable(f"not root and {SOCKET.parent} is not writable for this user")
    daemon = _listing(workdir, executable)
    try:
        yield daemon
    finally:
        daemon.stop()


#: Starts of pcscd, each on a fresh pair of ports, before the fixture gives up: the pair
#: found free can be taken by another process before the vpcd driver binds it.
STARTS = 3


def _listing(workdir: Path, executable: str) -> Pcscd:
    """A pcscd started and listing :data:`READER`, on a fresh port pair if a start's
    reader never came up (each start in a folder of its own)."""
    for attempt in range(1, STARTS):
        daemon = _new(workdir if attempt == 1 else workdir / f"pcscd-{attempt}", executable)
        try:
            daemon.start()
        except ReaderNotListed:
            continue
        return daemon
    daemon = _new(workdir / f"pcscd-{STARTS}", executable)
    daemon.start()
    return daemon


def _new(folder: Path, executable: str) -> Pcscd:
    folder.mkdir(exist_ok=True)
    return Pcscd(folder, executable, free_port_pair())


def write_reader_entry(daemon: Pcscd, file_name: str, friendly_name: str, port: int) -> Path:
    """Add a vpcd entry (slots on ``port`` and ``port + 1``) to pcscd's config dir."""
    path = daemon.config_dir / file_name
    path.write_text(reader_entry(friendly_name, port))
    return path


def start_pcscd(daemon: Pcscd, expect: str | None, timeout_s: float = 10.0) -> None:
    """Start the fixture's pcscd on whatever its config dir now holds.

    Like :meth:`Pcscd.start`, but waits for ``expect`` to be listed rather
    than the fixture's own reader (``None``: for the service to answer), so a
    test can restart pcscd with that reader's entry gone or replaced.
    """
    daemon.spawn()
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
