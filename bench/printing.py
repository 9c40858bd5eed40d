"""Benchmarks: rendering tickets, and printing them through a real CUPS.

- **Render**: each layout (80 mm, 58 mm, A4 and the 80 mm registration slip)
  with every field filled in, the QR code included, after one warm-up render
  (fonts registered once per process, as in the kiosk after its warm-up).
  The 80 mm ticket is timed in rounds with its floor, :func:`text_floor`
  (reportlab drawing the same page's text alone), and each round's ratio is
  held to :data:`RATIO_GOAL`.
- **CUPS**: a private cupsd (:mod:`testkit.cupsd`) with the cups-pdf
  queue. The 80 mm ticket handed to :class:`printing.printers.cups.CupsPrinter` until
  the job has completed (queue state before, ``lp``, following the job,
  state after), beside the same PDF given to ``lp`` from a shell that then
  polls ``lpstat`` at the same 50 ms, and ``lp`` alone (submitted).
- **ESC/POS**: the same ticket rasterised for a 576-dot head and sent to a
  loopback TCP listener standing in for a network printer's port 9100.
"""

from __future__ import annotations

import io
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bench.results import Benchmark, Measurement, ms_since
from printing.documents import TicketDocument
from printing.layouts.blocks import Text
from printing.layouts.fonts import EmbeddedFont, document_fonts
from printing.layouts.paper import PAPERS, Paper
from printing.layouts.slip import render_slip_pdf
from printing.layouts.ticket import render_ticket_pdf, ticket_blocks
from printing.printers.cups import CupsPrinter, media_for
from printing.printers.escpos import EscposPrinter
from printing.samples import sample_slip, sample_ticket
from testkit import cupsd

RENDER_TITLE = "Ticket render (reportlab, DejaVu embedded, QR code)"
CUPS_TITLE = "Printing through CUPS (private cupsd, cups-pdf printer)"
RENDERS, QUICK_RENDERS = 100, 10
JOBS, QUICK_JOBS = 20, 3
FLOOR_ROW = "floor: the 80mm ticket's text alone"
RATIO_ROW = "ticket 80mm ÷ floor (goal on the median)"
KEPT_ROW = "the same text, font subsets kept"
#: The issue's goal, a median of 6 ms on a quiet machine, as a ratio of the same-run floor
#: (how it was derived: :data:`RENDER_NOTES`).
RATIO_GOAL = 1.45

RENDER_NOTES = (
    "The goal: the issue asks a median of 6 ms on a quiet machine, where the 80 mm ticket "
    "took 8.3 ms at 8fc1470. At that code the median ratio to this floor was 2.0 in four "
    "runs here (wall clock and CPU time alike), so the floor is about 8.3 / 2.0 = 4.15 ms "
    "quiet, and 6 ms is 6 / 4.15 = 1.45 times the floor.",
    "Where the time went before (cProfile of 200 renders, and the pieces timed alone in "
    "CPU time on this loaded machine, at 8fc1470's code): of 12.7 ms, the QR code's matrix "
    "4.2 ms (reportlab built the symbol nine times, once per mask, and computed the "
    "Reed-Solomon remainder with polynomial objects), the fonts' subsets about 5 ms "
    "(reportlab cut both font programs, listed their widths through its pure-Python number "
    "formatting and compressed them again for every document; the font files themselves "
    "were parsed once per process, as now), the measure-then-draw engine 0.2 ms, the QR's "
    "path and the page's compression the rest.",
    "What changed: the QR symbol is built once and the eight mask trials are XORs of "
    "precomputed bit rows (`printing.layouts.qr`, the same symbol as reportlab's eight "
    "builds choose); the font subsets' objects are made once per process and written out "
    "byte for byte as reportlab writes them (`printing.layouts.fonts.EmbeddedFont`). Same "
    "measurement after: 4.3 ms for the 80 mm ticket (12.7 before), 4.3 ms for the 58 mm "
    "ticket (13.1) and 4.3 ms for the slip (13.1), the floor 5.9 ms (6.5).",
    "Where the time goes now (CPU time, minimum of 300, of 4.5 ms): the QR matrix 1.9 ms "
    "(its eight penalty scores about half, reportlab's bit buffer and data placement the "
    "rest), the page written out 1.3 ms (reportlab's object formatting, zlib, and its "
    "pure-Python ASCII85 filter over the page's stream, which the QR's 288 rectangles "
    "make 6.0 kB instead of 1.5 kB raw), the canvas drawing 0.75 ms (of which the QR's "
    "one path 0.26 ms), the layout engine (wrapping and measuring) 0.15 ms. The text "
    "alone in the kept fonts (the last floor row) is 1.2 ms: what is left above it is "
    "mostly the QR code.",
    "Not cut: ASCII85 (`rl_config.useA85`) is a process-wide reportlab setting that would "
    "move the floor too; the page compression stays (the page's stream shrinks from "
    "6.0 kB to 1.5 kB).",
    "The QR code is drawn as one path in module units; reportlab's `QrCodeWidget` alone "
    "costs ~11 ms.",
    "reportlab runs without its optional C accelerator (`rl_accel`) here.",
    "Since the fifth round of issue #19 each render here encodes its QR code (some 2 ms "
    "of the median): a code is kept only for a kiosk session's own work (encoded ahead "
    "while the centre numbers the ticket, for its screen and its paper) and forgotten "
    "when the session is wiped, where any render used to fill a process-wide cache that "
    "outlived the session (a late slip kept the citizen's page address). The median ratio "
    "went from 0.42× to 0.76×, within the goal. The registration slip, a paper with "
    "personal data, keeps no font subset (one lists the name's letters beyond ASCII), so "
    "its subsets are made for each slip.",
)

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


def text_floor(
    doc: TicketDocument, paper: Paper = Paper.ROLL_80MM, *, plain: bool = True
) -> Callable[[], bytes]:
    """The floor: reportlab drawing the ticket's text lines, placed beforehand, and nothing else.

    The lines, their fonts, sizes and places come from the ticket's own layout,
    worked out once here, outside what is timed. What is timed is the page
    reportlab must write for that text: the same page size, the same canvas
    options and the same DejaVu files embedded, without the QR code, the rules
    or the layout engine (no wrapping, no measuring). ``plain``: the fonts'
    subsets made by reportlab's own ``TTFont`` for this document (the issue's
    floor), else kept from earlier documents as the documents' fonts do
    (:class:`printing.layouts.fonts.EmbeddedFont`).
    """
    spec = PAPERS[paper]
    fonts = document_fonts()
    blocks = ticket_blocks(doc, spec, fonts)
    height = spec.top_margin + sum(b.height for b in blocks) + spec.bottom_margin
    height = max(height, spec.page_height or 0.0)
    lines: list[tuple[str, float, float, float, str, bool]] = []
    top = height - spec.top_margin
    for block in blocks:
        if isinstance(block, Text):
            baseline = top - block.space_before - block.ascent * block.size
            left = block.align == "left"
            x = spec.side_margin + block.indent if left else spec.width / 2
            lines.append((block.font, block.size, x, baseline, block.text, left))
        top -= block.height

    def draw() -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(spec.width, height), invariant=1, pageCompression=1,
                        initialFontName=fonts.regular)  # fmt: skip
        for font, size, x, y, text, left in lines:
            canvas.setFont(font, size)
            if left:
                canvas.drawString(x, y, text)
            else:
                canvas.drawCentredString(x, y, text)
        canvas.showPage()
        if plain:  # the fonts subset and compressed for this document, by reportlab itself
            with mock.patch.object(EmbeddedFont, "addObjects", TTFont.addObjects):
                canvas.save()
        else:
            canvas.save()
        return buffer.getvalue()

    return draw


def _paired(
    floor: Callable[[], object], action: Callable[[], object], count: int
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``count`` rounds of the floor then the action, timed each: a load that comes and
    goes hits both of a round alike, so their ratio holds on a busy machine."""
    floors, actions = [], []
    for _ in range(count):
        start = time.perf_counter()
        floor()
        middle = time.perf_counter()
        action()
        floors.append(ms_since(start, middle))
        actions.append(ms_since(middle, time.perf_counter()))
    return tuple(floors), tuple(actions)


def render(quick: bool, progress: Callable[[str], None]) -> Benchmark:
    count = QUICK_RENDERS if quick else RENDERS

    def ticket(paper: Paper) -> Callable[[], bytes]:
        return lambda: render_ticket_pdf(sample_ticket(), paper)

    how = "`render_*_pdf` of the sample document with every field and its QR code."
    floor = text_floor(sample_ticket())
    kept = text_floor(sample_ticket(), plain=False)
    ticket_80 = ticket(Paper.ROLL_80MM)
    floor(), kept(), ticket_80()  # warm-up: fonts registered, reportlab's modules loaded
    floor_ms, ticket_ms = _paired(floor, ticket_80, count)
    kept_ms = _timed(kept, count)
    ratios = tuple(t / f for t, f in zip(ticket_ms, floor_ms, strict=True))
    progress(f"render ticket 80mm: median {statistics.median(ticket_ms):.1f} ms, "
             f"floor {statistics.median(floor_ms):.1f} ms")  # fmt: skip
    rows = [
        Measurement("ticket 80mm", how, ticket_ms),
        Measurement(FLOOR_ROW, "reportlab's canvas drawing the 80 mm ticket's text lines, "
                    "placed beforehand, in the same fonts on the same page, saved: no QR code, "
                    "no rules, no layout engine.", floor_ms),
        Measurement(RATIO_ROW, "Each round's 80 mm render over the floor of the same round "
                    "(a ratio, not milliseconds).", ratios, goal_ms=RATIO_GOAL, goal_on="median",
                    unit="×"),
        Measurement(KEPT_ROW, "As the floor, in the documents' fonts, whose subsets are made "
                    "once per process: what is left of the text's cost.", kept_ms),
    ]  # fmt: skip
    jobs: list[tuple[str, Callable[[], bytes]]] = [
        (f"ticket {paper.value}", ticket(paper)) for paper in Paper if paper != Paper.ROLL_80MM
    ]
    jobs.append(("registration slip 80mm", lambda: render_slip_pdf(sample_slip())))
    for name, action in jobs:
        action()  # warm-up
        samples = _timed(action, count)
        progress(f"render {name}: median {statistics.median(samples):.1f} ms")
        rows.append(Measurement(name, how, samples))
    return Benchmark(RENDER_TITLE, tuple(rows), RENDER_NOTES)


def render_only(quick: bool, progress: Callable[[str], None] = lambda _: None) -> list[Benchmark]:
    """The render section alone (``python -m bench --only render``)."""
    return [render(quick, progress)]


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
