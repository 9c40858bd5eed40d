"""A private pcscd serving one vsmartcard-vpcd reader, for the card benchmarks.

Started as the card tests' fixture starts it (``pcscd --foreground --config
DIR`` with DIR holding one vpcd entry on free loopback ports), but without
``--debug``, whose logging would slow every APDU. pcscd's socket path is fixed,
so only one can run per host: if one is already serving, the benchmark is
skipped rather than disturbing it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SOCKET = Path("/run/pcscd/pcscd.comm")
PID_FILE = Path("/run/pcscd/pcscd.pid")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
FRIENDLY_NAME = "Anjungan Bench VPCD"
#: The first of the entry's two slots; a card inserts itself on the entry's port.
READER = f"{FRIENDLY_NAME} 00 00"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


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
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_S)


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
    (config / "vpcd").write_text(
        f'FRIENDLYNAME "{FRIENDLY_NAME}"\n'
        f"DEVICENAME /dev/null:{port}\n"
        f"LIBPATH {VPCD_DRIVER}\n"
        f"CHANNELID {port}\n"
    )
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
