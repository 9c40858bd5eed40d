"""A private CUPS scheduler with a cups-pdf queue, for the printing tests and benchmark.

Everything lives in one folder of its own under the system's temporary
directory: ``cupsd.conf`` and ``cups-files.conf`` (ServerRoot, spool, cache,
state and logs), a socket, and the PDFs cups-pdf writes. The folder is
world-traversable because CUPS runs its filters as the unprivileged ``lp``
user, and is removed on :meth:`PrivateCupsd.stop`.

cupsd listens on ``127.0.0.1:PORT`` (a free port) and on that socket only,
and is started with ``cupsd -f -c FILE -s FILE``; clients reach it with
``-h 127.0.0.1:PORT``. Its ServerBin is a folder of links to Debian's
``/usr/lib/cups`` plus two test backends: ``anjungan-fault:/REASON`` reports
the printer-state-reason REASON (e.g. ``media-empty-error``) and stops the
queue, as a printer out of paper does; ``anjungan-slow:/SECONDS`` takes that
long over each job.

cups-pdf reads its settings from ``/etc/cups`` and nowhere else. It reads
``cups-pdf-NAME.conf`` for a queue whose device is ``cups-pdf:/NAME``, so the
private queue gets a file of its own (its ``Out``, ``Spool`` and ``Log`` in
the folder) and the system's ``cups-pdf.conf`` is never touched. That file
is removed on :meth:`PrivateCupsd.stop`; one left by a killed run is removed
by the next start.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit.processes import end

CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd")
SERVER_BIN = Path("/usr/lib/cups")
CUPS_PDF_CONF_DIR = Path("/etc/cups")
CONF_PREFIX = "cups-pdf-anjungan_"
PDF_QUEUE = "AnjunganPDF"
#: Every private cupsd's folder name starts with this.
ROOT_PREFIX = "anjungan-cupsd-"
START_TIMEOUT_S = 10.0

FAULT_BACKEND = """#!/bin/sh
# Test backend: report the printer-state-reason named in the device URI, then
# stop the queue (exit 4, CUPS_BACKEND_STOP) as a printer out of paper does.
[ $# -eq 0 ] && { echo 'direct anjungan-fault "Unknown" "Anjungan fault injector"'; exit 0; }
reason="${DEVICE_URI#anjungan-fault:/}"
echo "STATE: +$reason" >&2
echo "ERROR: injected fault $reason" >&2
exit 4
"""
SLOW_BACKEND = """#!/bin/sh
# Test backend: take the seconds named in the device URI over each job.
[ $# -eq 0 ] && { echo 'direct anjungan-slow "Unknown" "Anjungan slow printer"'; exit 0; }
cat > /dev/null
sleep "${DEVICE_URI#anjungan-slow:/}"
exit 0
"""


class Unavailable(Exception):
    """CUPS or cups-pdf is missing, this is not root, or another cupsd is running."""


@dataclass
class PrivateCupsd:
    process: subprocess.Popen[bytes]
    root: Path
    port: int
    #: Where cups-pdf writes the PDF printer's output.
    out_dir: Path
    #: The per-queue cups-pdf settings file in /etc/cups (removed on stop).
    cups_pdf_conf: Path

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    def tool(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a CUPS client tool (``lpadmin``, ``cupsdisable``…) against this cupsd."""
        command = [args[0], "-h", self.server, *args[1:]]
        env = {**os.environ, "LC_ALL": "C"}
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
        return done

    def add_queue(self, name: str, device: str, *, ppd: Path | None = None) -> None:
        """A queue to ``device``: with ``ppd``, through CUPS's filters; else raw."""
        model = ["-P", str(ppd)] if ppd is not None else ["-m", "raw"]
        self.tool("lpadmin", "-p", name, "-v", device, *model, "-E")

    def pdf_outputs(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.pdf"))

    def wait_for_outputs(self, count: int, timeout_s: float = 15.0) -> list[Path]:
        """The PDFs cups-pdf wrote, once there are ``count`` complete ones."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [p for p in self.pdf_outputs() if p.read_bytes().rstrip().endswith(b"%%EOF")]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def wait_until_idle(self, queue: str, timeout_s: float = 15.0) -> bool:
        """Whether every job of ``queue`` has left the not-completed list within ``timeout_s``.

        Counting output files cannot say this: cups-pdf names a file after its job's
        title, so jobs of one title leave one file.
        """
        deadline = time.monotonic() + timeout_s
        while self.tool("lpstat", "-W", "not-completed", "-o", queue, check=False).stdout.strip():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def log_tail(self, chars: int = 3000) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        try:
            end(self.process)
        finally:
            self.cups_pdf_conf.unlink(missing_ok=True)
            shutil.rmtree(self.root, ignore_errors=True)


def other_cupsd() -> str | None:
    """The pid of a cupsd that is not one of these private ones (the system's), if any.

    Private cupsds (this module's, from any process) use their own ports and
    sockets and run side by side; they are told apart by their config path.
    """
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "cupsd":
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if state != "Z" and ROOT_PREFIX.encode() not in command:  # a zombie serves nothing
            return entry.name
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _remove_stale_confs() -> None:
    """Settings files of runs that were killed before they could clean up."""
    for conf in CUPS_PDF_CONF_DIR.glob(f"{CONF_PREFIX}*.conf"):
        pid = conf.stem.removeprefix(CONF_PREFIX).split("_")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            conf.unlink(missing_ok=True)


def _server_bin(root: Path) -> Path:
    """Links to Debian's ServerBin, plus the test backends."""
    server_bin = root / "serverbin"
    backends = server_bin / "backend"
    backends.mkdir(parents=True)
    for entry in SERVER_BIN.iterdir():
        if entry.name != "backend":
            (server_bin / entry.name).symlink_to(entry)
    for entry in (SERVER_BIN / "backend").iterdir():
        (backends / entry.name).symlink_to(entry)
    for name, script in (("anjungan-fault", FAULT_BACKEND), ("anjungan-slow", SLOW_BACKEND)):
        path = backends / name
        path.write_text(script)
        path.chmod(0o700)  # run as root, like cups-pdf
    return server_bin


def _write_configs(root: Path, port: int) -> tuple[Path, Path]:
    for name in ("etc", "spool/tmp", "cache", "state", "log", "out", "cups-pdf-spool"):
        (root / name).mkdir(parents=True, exist_ok=True)
    server_bin = _server_bin(root)
    cupsd_conf = root / "etc" / "cupsd.conf"
    cupsd_conf.write_text(
        "LogLevel info\n"
        f"Listen 127.0.0.1:{port}\n"
        f"Listen {root / 'cups.sock'}\n"
        "Browsing No\nWebInterface No\nDefaultAuthType None\nErrorPolicy stop-printer\n"
        "<Location />\n  Order allow,deny\n  Allow from 127.0.0.1\n  Allow from @LOCAL\n"
        "</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    files_conf = root / "etc" / "cups-files.conf"
    files_conf.write_text(
        f"ServerRoot {root / 'etc'}\nServerBin {server_bin}\n"
        f"RequestRoot {root / 'spool'}\nTempDir {root / 'spool' / 'tmp'}\n"
        f"CacheDir {root / 'cache'}\nStateDir {root / 'state'}\n"
        f"ErrorLog {root / 'log' / 'error_log'}\nAccessLog {root / 'log' / 'access_log'}\n"
        f"PageLog {root / 'log' / 'page_log'}\nPrintcap {root / 'state' / 'printcap'}\n"
        "SystemGroup root\n"
    )
    return cupsd_conf, files_conf


def start() -> PrivateCupsd:
    """Start cupsd in a folder of its own with the cups-pdf queue :data:`PDF_QUEUE`.

    Raises :class:`Unavailable` with the reason when this machine cannot.
    """
    executable = shutil.which("cupsd") or shutil.which("cupsd", path="/usr/sbin:/sbin")
    if executable is None or shutil.which("lpadmin") is None:
        raise Unavailable("CUPS is not installed (Debian packages cups, cups-client)")
    if not CUPS_PDF_BACKEND.exists() or not CUPS_PDF_PPD.exists():
        raise Unavailable("cups-pdf is not installed (Debian package printer-driver-cups-pdf)")
    if os.geteuid() != 0:
        raise Unavailable("not root: cups-pdf runs as root and reads its settings from /etc/cups")
    pid = other_cupsd()
    if pid is not None:
        raise Unavailable(f"the system's cupsd (pid {pid}) is running; stop it first")
    _remove_stale_confs()
    root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
    root.chmod(0o755)  # the filters run as lp and must reach ServerBin and the spool
    port = _free_port()
    cupsd_conf, files_conf = _write_configs(root, port)
    instance = f"anjungan_{os.getpid()}_{secrets.token_hex(3)}"
    conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{instance}.conf"
    conf.write_text(
        f"Out {root / 'out'}\nSpool {root / 'cups-pdf-spool'}\nLog {root / 'log'}\n"
        "Grp root\nLogType 3\n"
    )
    with (root / "log" / "cupsd.out").open("wb") as log:
        process = subprocess.Popen(
            [executable, "-f", "-c", str(cupsd_conf), "-s", str(files_conf)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    daemon = PrivateCupsd(process, root, port, root / "out", conf)
    deadline = time.monotonic() + START_TIMEOUT_S
    while "scheduler is running" not in daemon.tool("lpstat", "-r", check=False).stdout:
        if process.poll() is not None or time.monotonic() > deadline:
            daemon.stop()
            raise RuntimeError(f"cupsd did not start:\n{daemon.log_tail()}")
        time.sleep(0.05)
    try:
        daemon.add_queue(PDF_QUEUE, f"cups-pdf:/{instance}", ppd=CUPS_PDF_PPD)
    except RuntimeError:
        daemon.stop()
        raise
    return daemon


def running_cupsd() -> Iterator[PrivateCupsd]:
    """Start a private cupsd for a test; skip where it cannot run (fail under ``CI``)."""
    try:
        daemon = start()
    except Unavailable as exc:
        message = f"CUPS tests skipped: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield daemon
    finally:
        daemon.stop()
