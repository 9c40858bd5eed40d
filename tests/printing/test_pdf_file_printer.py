"""The pdf_file backend against the real file system.

Faults are produced for real: folders that do not exist, a "folder" that is
a file, a file size limit (RLIMIT_FSIZE) in a child process, and where the
kernel allows it, a tiny or read-only tmpfs in a private mount namespace.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from printing import make_printer
from printing.errors import PrinterUnavailable, PrintFailed, PrintFault
from printing.printers.pdf_file import (
    FUTURE_SLACK,
    PERSONAL_LIST,
    PERSONAL_RETENTION,
    TEMP_GRACE,
    PdfFilePrinter,
    error_for_os_error,
    safe_file_stem,
)

#: Prints one job into argv[1] from the PDF at argv[2] and reports as JSON.
#: With FSIZE_LIMIT set, files larger than that many bytes cannot be written.
#: The least a backend takes as a PDF (only the header is checked).
PDF = b"%PDF-1.4\n%%EOF\n"

CHILD = """
import json, os, resource, signal, sys
from pathlib import Path
from printing.errors import PrinterError
from printing.printers.pdf_file import PdfFilePrinter

if "FSIZE_LIMIT" in os.environ:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(os.environ["FSIZE_LIMIT"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
folder = Path(sys.argv[1])
printer = PdfFilePrinter(folder)
report = {"error": None, "ready": printer.status().ready}
try:
    printer.print_pdf(Path(sys.argv[2]).read_bytes(), "A-017")
except PrinterError as exc:
    report.update(error=type(exc).__name__, reason=exc.reason.value, detail=exc.detail)
report["files"] = sorted(path.name for path in folder.iterdir())
print(json.dumps(report))
"""


def entries(folder: Path) -> list[str]:
    """Every name in ``folder``, hidden temporary files included."""
    return sorted(os.listdir(folder))


def large_pdf(pdf: bytes) -> bytes:
    """``pdf`` followed by a long PDF comment: still a PDF, now ~1 MB."""
    return pdf + b"%" + b"x" * 1_000_000 + b"\n"


def run_child(tmp_path: Path, folder: Path, pdf: bytes, env: dict[str, str]) -> dict[str, Any]:
    source = tmp_path / "job.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(source)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def run_child_on_tmpfs(tmp_path: Path, options: str, pdf: bytes) -> dict[str, Any]:
    """Run CHILD with its folder a fresh tmpfs mounted with ``options``.

    The mount lives in a private mount namespace and vanishes with the child.
    Skips where the kernel does not let this process mount (no CAP_SYS_ADMIN).
    """
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    source = tmp_path / "job.pdf"
    source.write_bytes(pdf)
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    script = 'mount -t tmpfs -o "$1" tmpfs "$2" || exit 77; exec "$3" -c "$4" "$2" "$5"'
    command = [unshare, "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh"]
    result = subprocess.run(
        [*command, options, str(mount_point), sys.executable, CHILD, str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode == 77 or "unshare failed" in result.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_writes_the_pdf_bytes_to_a_file_named_after_the_job(
    tmp_path: Path, ticket_pdf: bytes
) -> None:
    printer = PdfFilePrinter(tmp_path)

    receipt = printer.print_pdf(ticket_pdf, "A-017")

    assert receipt.backend == "pdf_file"
    assert Path(receipt.job_id) == tmp_path / "A-017.pdf"
    assert (tmp_path / "A-017.pdf").read_bytes() == ticket_pdf
    assert entries(tmp_path) == ["A-017.pdf"]


def test_repeated_job_name_never_overwrites(tmp_path: Path, ticket_pdf: bytes) -> None:
    printer = PdfFilePrinter(tmp_path)
    other = ticket_pdf + b"% reprint\n"

    first = printer.print_pdf(ticket_pdf, "A-017")
    second = printer.print_pdf(other, "A-017")
    third = printer.print_pdf(other, "A-017.pdf")

    assert Path(first.job_id).read_bytes() == ticket_pdf
    assert Path(second.job_id).read_bytes() == other
    assert entries(tmp_path) == ["A-017.pdf", "A-017_2.pdf", "A-017_3.pdf"]
    assert Path(third.job_id).name == "A-017_3.pdf"


def test_concurrent_jobs_with_one_name_all_land(tmp_path: Path, ticket_pdf: bytes) -> None:
    printer = PdfFilePrinter(tmp_path)

    with ThreadPoolExecutor(max_workers=8) as pool:
        receipts = list(pool.map(lambda _: printer.print_pdf(ticket_pdf, "B-001"), range(16)))

    assert len({receipt.job_id for receipt in receipts}) == 16
    assert len(entries(tmp_path)) == 16


@pytest.mark.parametrize(
    ("job_name", "stem"),
    [
        ("A-017", "A-017"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "job"),
        ("", "job"),
        (".hidden", "hidden"),
        ("Loket 3 / Poli Gigi", "Loket_3_Poli_Gigi"),
        ("Antrean–Ü.PDF", "Antrean"),
        ("x" * 300, "x" * 100),
    ],
)
def test_job_names_become_safe_file_names(job_name: str, stem: str) -> None:
    assert safe_file_stem(job_name) == stem


def test_hostile_job_name_stays_in_the_folder(tmp_path: Path, ticket_pdf: bytes) -> None:
    folder = tmp_path / "out"
    folder.mkdir()

    receipt = PdfFilePrinter(folder).print_pdf(ticket_pdf, "../escape")

    assert Path(receipt.job_id).parent == folder
    assert entries(tmp_path) == ["out"]


def test_status_is_ready_for_a_writable_folder(tmp_path: Path) -> None:
    status = PdfFilePrinter(tmp_path).status()

    assert status.ready
    assert status.fault is None
    assert str(tmp_path) in status.detail


def test_missing_folder_is_a_printer_fault(tmp_path: Path, ticket_pdf: bytes) -> None:
    folder = tmp_path / "not-there"
    printer = PdfFilePrinter(folder)

    status = printer.status()
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_pdf(ticket_pdf, "A-017")

    assert not status.ready
    assert status.fault is PrintFault.OUTPUT_UNAVAILABLE
    assert str(folder) in status.detail
    assert raised.value.reason is PrintFault.OUTPUT_UNAVAILABLE
    assert str(folder) in raised.value.detail
    assert not folder.exists()


def test_folder_under_a_regular_file_is_a_printer_fault(tmp_path: Path, ticket_pdf: bytes) -> None:
    (tmp_path / "plain-file").write_bytes(b"")
    folder = tmp_path / "plain-file" / "out"
    printer = PdfFilePrinter(folder)

    status = printer.status()
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_pdf(ticket_pdf, "A-017")

    assert not status.ready
    assert status.fault is PrintFault.OUTPUT_UNAVAILABLE
    assert str(folder) in raised.value.detail
    assert entries(tmp_path) == ["plain-file"]


def test_output_path_that_is_a_file_is_a_printer_fault(tmp_path: Path, ticket_pdf: bytes) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"")

    with pytest.raises(PrinterUnavailable, match="not a folder"):
        PdfFilePrinter(target).print_pdf(ticket_pdf, "A-017")
    assert not PdfFilePrinter(target).status().ready


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into mode 0500 folders anyway")
def test_unwritable_folder_is_a_printer_fault(tmp_path: Path, ticket_pdf: bytes) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    printer = PdfFilePrinter(folder)
    try:
        status = printer.status()
        with pytest.raises(PrinterUnavailable) as raised:
            printer.print_pdf(ticket_pdf, "A-017")
    finally:
        folder.chmod(0o700)

    assert not status.ready
    assert str(folder) in raised.value.detail
    assert entries(folder) == []


def test_read_only_file_system_is_a_printer_fault(tmp_path: Path, ticket_pdf: bytes) -> None:
    report = run_child_on_tmpfs(tmp_path, "ro,size=1m", ticket_pdf)

    assert report["ready"] is False
    assert report["error"] == "PrinterUnavailable"
    assert report["reason"] == "output_unavailable"
    assert report["files"] == []


def test_full_disk_fails_the_job_and_leaves_nothing_behind(
    tmp_path: Path, ticket_pdf: bytes
) -> None:
    report = run_child_on_tmpfs(tmp_path, "size=64k", large_pdf(ticket_pdf))

    assert report["ready"] is True
    assert report["error"] == "PrintFailed"
    assert report["reason"] == "failed"
    assert "disk full" in report["detail"]
    assert report["files"] == []


def test_write_failure_midway_leaves_no_temporary_file(tmp_path: Path, ticket_pdf: bytes) -> None:
    folder = tmp_path / "out"
    folder.mkdir()

    report = run_child(tmp_path, folder, large_pdf(ticket_pdf), {"FSIZE_LIMIT": "65536"})

    assert report["error"] == "PrintFailed"
    assert report["reason"] == "failed"
    assert str(folder) in report["detail"]
    assert report["files"] == []
    assert entries(folder) == []


def test_disk_full_errors_say_so() -> None:
    error = error_for_os_error(OSError(errno.ENOSPC, "No space left on device"), Path("/srv/out"))

    assert isinstance(error, PrintFailed)
    assert error.reason is PrintFault.FAILED
    assert "disk full" in error.detail
    assert "/srv/out" in error.detail


def test_rejects_bytes_that_are_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a PDF"):
        PdfFilePrinter(tmp_path).print_pdf(b"hello", "A-017")
    assert entries(tmp_path) == []


def test_make_printer_builds_the_pdf_file_backend(tmp_path: Path) -> None:
    printer = make_printer("pdf_file", output_dir=tmp_path)

    assert isinstance(printer, PdfFilePrinter)
    assert printer.backend == "pdf_file"
    assert printer.folder == tmp_path


def test_make_printer_names_an_unknown_backend(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'laser'.*pdf_file"):
        make_printer("laser", output_dir=tmp_path)


def test_personal_documents_are_listed_and_purged_after_their_retention(tmp_path: Path) -> None:
    start = dt.datetime(2026, 11, 22, 2, 40, tzinfo=dt.UTC)
    clock = [start]
    printer = PdfFilePrinter(tmp_path, personal_retention=dt.timedelta(hours=24),
                             clock=lambda: clock[0])  # fmt: skip
    printer.print_pdf(PDF, "slip-A-001", personal=True)
    printer.print_pdf(PDF, "tiket-A-001")
    printer.print_pdf(PDF, "pengaduan-3f2a9c0b1d7e", personal=False)
    listed = tmp_path / PERSONAL_LIST
    assert listed.read_text() == "2026-11-22T02:40:00+00:00\tslip-A-001.pdf\n"
    assert stat.S_IMODE(listed.stat().st_mode) == 0o600

    clock[0] = start + dt.timedelta(hours=23, minutes=59)
    assert printer.purge_personal() == 0
    clock[0] = start + dt.timedelta(hours=24)
    assert printer.purge_personal() == 1
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "pengaduan-3f2a9c0b1d7e.pdf",
        "tiket-A-001.pdf",
    ]
    assert listed.read_text() == ""
    assert printer.purge_personal() == 0


def test_a_listed_file_already_gone_or_a_bad_line_does_not_stop_the_purge(tmp_path: Path) -> None:
    start = dt.datetime(2026, 11, 22, 2, 40, tzinfo=dt.UTC)
    printer = PdfFilePrinter(tmp_path, clock=lambda: start)
    printer.print_pdf(PDF, "slip-A-001", personal=True)
    printer.print_pdf(PDF, "slip-A-002", personal=True)
    (tmp_path / "slip-A-001.pdf").unlink()
    with (tmp_path / PERSONAL_LIST).open("a") as listed:
        listed.write("yesterday\tslip-A-003.pdf\n../escape\t../outside.pdf\n")
    (tmp_path / "slip-A-003.pdf").write_bytes(PDF)
    assert printer.purge_personal() == 1  # its time unreadable, so it goes now
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["slip-A-002.pdf"]
    written = start.isoformat()
    assert (tmp_path / PERSONAL_LIST).read_text() == f"{written}\tslip-A-002.pdf\n"


def test_a_slip_dated_ahead_of_the_clock_is_purged_once_the_clock_is_right(
    tmp_path: Path,
) -> None:
    right = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    clock = [right + dt.timedelta(days=400)]  # booted without a good clock
    printer = PdfFilePrinter(tmp_path, clock=lambda: clock[0])
    printer.print_pdf(PDF, "slip-A-001", personal=True)
    clock[0] = right + dt.timedelta(minutes=1)  # the clock is set right
    printer.print_pdf(PDF, "slip-A-002", personal=True)
    clock[0] = right + dt.timedelta(minutes=1) - FUTURE_SLACK  # a small step back is believed
    assert printer.purge_personal() == 1
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["slip-A-002.pdf"]
    assert "slip-A-001" not in (tmp_path / PERSONAL_LIST).read_text()
    clock[0] = right + dt.timedelta(hours=24, minutes=1)
    assert printer.purge_personal() == 1
    assert not list(tmp_path.glob("*.pdf"))


#: A child that dies by SIGKILL after writing the slip's temporary file, before the rename.
CRASHING_CHILD = """
import os, signal, sys
from pathlib import Path
import printing.printers.pdf_file as pdf_file

def killed(source, target):
    if str(target).endswith(".pdf"):
        os.kill(os.getpid(), signal.SIGKILL)
    os.rename(source, target)

pdf_file.os.replace = killed
printer = pdf_file.PdfFilePrinter(Path(sys.argv[1]))
printer.print_pdf(sys.argv[2].encode(), "slip-A-001", personal=True)
"""


def test_a_slip_left_in_a_temporary_file_by_a_crash_is_purged(tmp_path: Path) -> None:
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_CHILD, str(tmp_path), PDF.decode()], timeout=60, check=False
    )
    assert crashed.returncode == -9
    (leftover,) = [name for name in entries(tmp_path) if name.endswith(".tmp")]
    assert leftover.startswith(".slip-A-001.")
    assert (tmp_path / leftover).read_bytes() == PDF
    (tmp_path / "notes.tmp").write_bytes(b"not ours")  # other files stay
    (tmp_path / ".hidden").write_bytes(b"not ours")
    made = dt.datetime.fromtimestamp((tmp_path / leftover).stat().st_mtime, dt.UTC)
    clock = [made + TEMP_GRACE - dt.timedelta(seconds=1)]
    printer = PdfFilePrinter(tmp_path, clock=lambda: clock[0])
    assert printer.purge_personal() == 0  # young: it could be another process's write
    assert leftover in entries(tmp_path)
    clock[0] = made + TEMP_GRACE + dt.timedelta(milliseconds=1)  # just past (mtimes have ns)
    assert printer.purge_personal() == 1
    assert entries(tmp_path) == [".hidden", PERSONAL_LIST, "notes.tmp"]


def test_a_temporary_file_stamped_ahead_of_the_clock_is_purged(tmp_path: Path) -> None:
    printer = PdfFilePrinter(tmp_path)
    ahead = tmp_path / ".slip-A-001.abcd_123.tmp"
    ahead.write_bytes(PDF)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    os.utime(ahead, (future.timestamp(), future.timestamp()))
    assert printer.purge_personal() == 1
    assert entries(tmp_path) == []


def test_a_write_in_flight_is_never_purged(tmp_path: Path) -> None:
    """Purges run while jobs are written: every job lands whole, no temporary file stays."""
    printer = PdfFilePrinter(tmp_path, clock=lambda: dt.datetime.now(dt.UTC) + TEMP_GRACE * 2)
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [
            pool.submit(printer.print_pdf, PDF, f"slip-A-{n:03}", personal=True) for n in range(20)
        ]
        purges = [pool.submit(printer.purge_personal) for _ in range(20)]
        for job in jobs:
            assert Path(job.result().job_id).read_bytes() == PDF
        assert all(purge.result() == 0 for purge in purges)
    assert len(list(tmp_path.glob("*.pdf"))) == 20
    assert not [name for name in entries(tmp_path) if name.endswith(".tmp")]


def test_a_tampered_list_never_makes_the_purge_delete_what_the_printer_did_not_write(
    tmp_path: Path,
) -> None:
    # The output folder is the data folder (kiosk/config.py now refuses that) and the
    # list names the store, its key and the token: none of them is a slip.
    kept = ["kiosk.db", "kiosk.db-wal", "store.key", "central-token", "notes.txt", "A-001.PDF"]
    for name in kept:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "real-slip").mkdir()
    (tmp_path / "slip-A-009.pdf").symlink_to(tmp_path / "kiosk.db")
    (tmp_path / "slip-A-001.pdf").write_bytes(PDF)
    listed = [*kept, "real-slip", "slip-A-009.pdf", "slip-A-001.pdf", "../escape.pdf"]
    (tmp_path / PERSONAL_LIST).write_text(
        "".join(f"2001-01-01T00:00:00+00:00\t{name}\n" for name in listed)
    )
    printer = PdfFilePrinter(tmp_path)
    assert printer.purge_personal() == 1  # the printer's own slip, and nothing else
    assert not (tmp_path / "slip-A-001.pdf").exists()
    for name in [*kept, "real-slip", "slip-A-009.pdf"]:
        assert os.path.lexists(tmp_path / name), name
    assert (tmp_path / PERSONAL_LIST).read_text() == ""


@pytest.mark.parametrize("job_name", ["x", "slip A-001 / Budi", "s" * 300, "-._a.b_-", "job.pdf"])
def test_every_name_the_printer_gives_a_slip_is_one_the_purge_takes(
    tmp_path: Path, job_name: str
) -> None:
    start = dt.datetime(2026, 11, 22, 2, 40, tzinfo=dt.UTC)
    clock = [start]
    printer = PdfFilePrinter(tmp_path, clock=lambda: clock[0])
    for _ in range(3):  # the first name, then its copies (`_2`, `_3`)
        printer.print_pdf(PDF, job_name, personal=True)
    assert len(list(tmp_path.glob("*.pdf"))) == 3
    clock[0] = start + PERSONAL_RETENTION
    assert printer.purge_personal() == 3
    assert list(tmp_path.glob("*.pdf")) == []
