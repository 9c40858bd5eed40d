"""Benchmarks: rendering tickets, and printing them through a real CUPS.

- **Render**: each layout (80 mm, 58 mm, A4 and the 80 mm registration slip)
  with every field filled in, the QR code included, after one warm-up render
  (fonts registered and subset tables built once per process, as in the
  kiosk after its warm-up). The issue's goal: 30 ms per ticket.
- **CUPS**: a private cupsd (:mod:`testkit.cupsd`) with the cups-pdf
  queue. The 80 mm ticket handed to :class:`printing.printers.cups.CupsPrinter` until
  the job has completed (queue state before, ``lp``, following the job,
  state after), beside the same PDF given to ``lp`` from a shell that then
  polls ``lpstat`` at the same 50 ms, and ``lp`` alone (submitted).
- **ESC/POS**: the same ticket rasterised for a 576-dot head and sent to a
  loopback TCP listener standing in for a network printer's port 9100.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.results import Benchmark, Measurement, ms_since
from printing.layouts.paper import Paper
from printing.layouts.slip import render_slip_pdf
from printing.layouts.ticket import render_ticket_pdf
from printing.printers.cups import CupsPrinter, media_for
from printing.printers.escpos import EscposPrinter
from printing.samples import sample_slip, sample_ticket
from testkit import cupsd

RENDER_TITLE = "Ticket render (reportlab, DejaVu embedded, QR code)"
CUPS_TITLE = "Printing through CUPS (private cupsd, cups-pdf printer)"
RENDERS, QUICK_RENDERS = 100, 10
JOBS, QUICK_JOBS = 20, 3
RENDER_GOAL_MS = 30.0

SHELL_LP = """lp -h "$1" -d "$2" -o "media=$3" "$4" >"$5" || exit 1
job=$(sed -n 's/^request id is \\([^ ]*\\) .*/\\1/p' "$5")
while lpstat -h "$1" -W not-completed -o "$2" | grep -q "^$job "; do sleep 0.05; done
"""


def _timed(action: Callable[[], object], count: int) -> tuple[float, ...]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        action()
        samples.append(ms_since(start, time.perf_counter()))
    return tuple(samples)


def render(quick: bool, progress: Callable[[str], None]) -> Benchmark:
    count = QUICK_RENDERS if quick else RENDERS

    def ticket(paper: Paper) -> Callable[[], bytes]:
        return lambda: render_ticket_pdf(sample_ticket(), paper)

    jobs: list[tuple[str, Callable[[], bytes], float | None]] = [
        (f"ticket {paper.value}", ticket(paper), RENDER_GOAL_MS) for paper in Paper
    ]
    jobs.append(("registration slip 80mm", lambda: render_slip_pdf(sample_slip()), None))
    rows = []
    for name, action, goal in jobs:
        action()  # warm-up
        samples = _timed(action, count)
        progress(f"render {name}: median {sorted(samples)[len(samples) // 2]:.1f} ms")
        how = "`render_*_pdf` of the sample document with every field and its QR code."
        rows.append(Measurement(name, how, samples, goal_ms=goal))
    notes = (
        "The QR code is reportlab's own encoder with a faster mask choice "
        "(`printing.layouts.qr`), drawn as one path; "
        "reportlab's `QrCodeWidget` alone costs ~11 ms.",
        "reportlab runs without its optional C accelerator (`rl_accel`) here.",
    )
    return Benchmark(RENDER_TITLE, tuple(rows), notes)


class _Sink:
    """A loopback TCP listener that reads and drops what it is sent, and answers
    the paper and cover status requests "paper present, cover closed" at once."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.server.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5.0)
                try:
                    while chunk := connection.recv(65536):
                        if chunk.endswith((b"\x10\x04\x04", b"\x10\x04\x02")):
                            connection.sendall(b"\x12")
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.server.close()


def escpos_row(pdf: bytes, count: int) -> Measurement:
    sink = _Sink()
    try:
        printer = EscposPrinter(f"tcp:127.0.0.1:{sink.port}")
        printer.print_pdf(pdf, "warm-up")  # python-escpos is imported on first use
        samples = _timed(lambda: printer.print_pdf(pdf, "bench"), count)
    finally:
        sink.close()
    how = (
        "`EscposPrinter.print_pdf`: a fresh connection, the paper and cover status asked, "
        "pdftoppm at 203 dpi, the `GS v 0` image and the cut, to a loopback listener."
    )
    return Measurement("ticket PDF → ESC/POS bytes sent (80mm)", how, samples)


def cups(quick: bool, progress: Callable[[str], None]) -> Benchmark:
    count = QUICK_JOBS if quick else JOBS
    pdf = render_ticket_pdf(sample_ticket())
    try:
        daemon = cupsd.start()
    except cupsd.Unavailable as exc:
        progress(f"CUPS skipped: {exc}")
        skipped = (f"CUPS skipped on this machine: {exc}.",)
        return Benchmark(CUPS_TITLE, (escpos_row(pdf, count),), skipped)
    try:
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-print-") as tmp:
            source = Path(tmp) / "ticket.pdf"
            source.write_bytes(pdf)
            printer = CupsPrinter(cupsd.PDF_QUEUE, server=daemon.server, timeout_s=30)
            printer.print_pdf(pdf, "warm-up")
            ours = _timed(lambda: printer.print_pdf(pdf, "bench"), count)
            progress(f"CUPS: print_pdf median {sorted(ours)[len(ours) // 2]:.0f} ms")
            args = [daemon.server, cupsd.PDF_QUEUE, media_for(pdf) or "", str(source)]
            shell = _timed(lambda: _shell_lp(args, Path(tmp) / "lp.out"), count)
            submit = _timed(
                lambda: daemon.tool("lp", "-d", args[1], "-o", f"media={args[2]}", args[3]), count
            )
            # The submitted jobs finish before the daemon stops.
            if not daemon.wait_until_idle(cupsd.PDF_QUEUE, timeout_s=30):
                raise RuntimeError(f"CUPS jobs still unfinished after 30 s:\n{daemon.log_tail()}")
    finally:
        daemon.stop()
    rows = (
        Measurement("ticket PDF → job completed (`CupsPrinter`)", "Queue state, `lp` with the "
                    "PDF on stdin, `lpstat` every 50 ms until the job has left, state after.",
                    ours),
        Measurement("`lp FILE` from a shell → job completed", "`sh -c`: `lp`, then `lpstat` "
                    "every 50 ms until the job has left the not-completed list.", shell),
        Measurement("`lp FILE` alone (job submitted)", "The `lp` command until it has printed "
                    "the request id; the job then runs in cupsd.", submit),
        escpos_row(pdf, count),
    )  # fmt: skip
    notes = (
        "cups-pdf turns each job into a PDF with Ghostscript (PDF → PostScript → PDF), "
        "which is most of a job's time; a thermal printer's driver has its own costs.",
        "The private cupsd listens on 127.0.0.1 only; the kiosk talks to CUPS through "
        "`lp`/`lpstat` (cups-client), so each state check is one short process.",
    )
    return Benchmark(CUPS_TITLE, rows, notes)


def _shell_lp(args: list[str], scratch: Path) -> None:
    subprocess.run(["sh", "-c", SHELL_LP, "sh", *args, str(scratch)], check=True, timeout=60)


def run(quick: bool, progress: Callable[[str], None] = lambda _: None) -> list[Benchmark]:
    return [render(quick, progress), cups(quick, progress)]
