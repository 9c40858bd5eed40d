"""The cups backend against a real, private cupsd with the cups-pdf printer.

Faults are real CUPS states: ``cupsdisable``/``cupsreject`` as an operator
does, a backend that reports ``media-empty-error`` and stops the queue as a
printer out of paper does, and one that takes too long over a job.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from printing.errors import OutOfPaper, PrinterOffline, PrinterUnavailable, PrintFault, PrintTimeout
from printing.layouts.paper import Paper
from printing.layouts.ticket import render_ticket_pdf
from printing.printers.cups import CupsPrinter
from printing.samples import SAMPLE_URL, sample_ticket
from testkit import cupsd as private_cupsd
from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.printouts import decode_qr, flowing, page_size_mm, pdf_text


def not_completed(cupsd: PrivateCupsd) -> str:
    return cupsd.tool("lpstat", "-W", "not-completed", "-o").stdout


@pytest.mark.parametrize("paper", list(Paper))
def test_a_ticket_comes_out_of_cups_pdf_at_its_size(
    cupsd: PrivateCupsd, paper: Paper, tmp_path: Path
) -> None:
    pdf = render_ticket_pdf(sample_ticket(), paper)
    printer = CupsPrinter(PDF_QUEUE, server=cupsd.server)

    receipt = printer.print_pdf(pdf, "tiket-A-017")

    assert receipt.backend == "cups" and receipt.job_id.startswith(f"{PDF_QUEUE}-")
    assert receipt.printer_status is not None and receipt.printer_status.ready
    assert not_completed(cupsd) == ""
    [output] = cupsd.wait_for_outputs(1)
    printed = output.read_bytes()
    width, height = page_size_mm(printed)
    expected_width, expected_height = page_size_mm(pdf)
    assert width == pytest.approx(expected_width, abs=0.5)
    assert height == pytest.approx(expected_height, abs=0.5)
    text = flowing(pdf_text(printed))
    assert "A-017" in text and "Pendaftaran Poli Umum Puskesmas" in text
    assert "Antrean di depan Anda: 4" in text
    if paper is not Paper.A4:
        assert decode_qr(printed, tmp_path) == [SAMPLE_URL]


def test_a_disabled_queue_is_refused_and_nothing_is_queued(cupsd: PrivateCupsd) -> None:
    printer = CupsPrinter(PDF_QUEUE, server=cupsd.server)
    cupsd.tool("cupsdisable", "-r", "printer switched off", PDF_QUEUE)

    status = printer.status()
    with pytest.raises(PrinterOffline, match="printer switched off"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    assert (status.ready, status.fault) == (False, PrintFault.OFFLINE)
    assert not_completed(cupsd) == ""  # nothing waits to print when the printer returns

    cupsd.tool("cupsenable", PDF_QUEUE)

    assert printer.status().ready
    printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-018")
    assert len(cupsd.wait_for_outputs(1)) == 1


def test_a_queue_that_rejects_jobs_is_offline(cupsd: PrivateCupsd) -> None:
    cupsd.tool("cupsreject", "-r", "kiosk closed", PDF_QUEUE)

    with pytest.raises(PrinterOffline, match="not accepting"):
        CupsPrinter(PDF_QUEUE, server=cupsd.server).print_pdf(
            render_ticket_pdf(sample_ticket()), "tiket-A-017"
        )


def test_paper_out_is_reported_and_the_job_cancelled(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("Empty", "anjungan-fault:/media-empty-error")
    printer = CupsPrinter("Empty", server=cupsd.server, timeout_s=10)

    assert printer.status().ready  # it only finds out when it tries to print
    with pytest.raises(OutOfPaper, match=r"paper roll empty \[media-empty-error\]"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    assert not_completed(cupsd) == ""  # cancelled: it will not print once paper is in
    after = printer.status()
    assert (after.ready, after.fault) == (False, PrintFault.OUT_OF_PAPER)


def test_a_job_past_its_deadline_is_cancelled_so_it_never_prints_later(
    cupsd: PrivateCupsd,
) -> None:
    cupsd.add_queue("Slow", "anjungan-slow:/60")
    printer = CupsPrinter("Slow", server=cupsd.server, timeout_s=1.5)

    with pytest.raises(PrintTimeout, match=r"Slow-\d+ not finished within 1.5 s"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    assert not_completed(cupsd) == ""
    assert "Slow-" in cupsd.tool("lpstat", "-W", "completed", "-o", "Slow").stdout


def test_an_unknown_queue_is_unavailable(cupsd: PrivateCupsd) -> None:
    printer = CupsPrinter("Nope", server=cupsd.server)

    status = printer.status()
    with pytest.raises(PrinterUnavailable, match="no CUPS queue named 'Nope'"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    assert status.fault is PrintFault.OUTPUT_UNAVAILABLE


def test_the_default_destination_is_asked_for_each_time(cupsd: PrivateCupsd) -> None:
    printer = CupsPrinter("", server=cupsd.server)

    before = printer.status()
    cupsd.tool("lpadmin", "-d", PDF_QUEUE)
    after = printer.status()

    assert before.fault is PrintFault.OUTPUT_UNAVAILABLE and "no default" in before.detail
    assert after.ready and PDF_QUEUE in after.detail


def test_no_scheduler_is_unavailable() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = CupsPrinter("Kiosk", server=f"127.0.0.1:{port}", timeout_s=5)

    status = printer.status()
    with pytest.raises(PrinterUnavailable, match="scheduler is not running"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    assert status.fault is PrintFault.OUTPUT_UNAVAILABLE


def test_bytes_that_are_not_a_pdf_are_refused() -> None:
    with pytest.raises(ValueError, match="not a PDF"):
        CupsPrinter("Kiosk").print_pdf(b"hello", "x")


def test_private_schedulers_run_side_by_side(cupsd: PrivateCupsd) -> None:
    second = private_cupsd.start()
    try:
        pdf = render_ticket_pdf(sample_ticket())
        CupsPrinter(PDF_QUEUE, server=cupsd.server).print_pdf(pdf, "first")
        CupsPrinter(PDF_QUEUE, server=second.server).print_pdf(pdf, "second")

        assert second.server != cupsd.server
        assert len(cupsd.wait_for_outputs(1)) == len(second.wait_for_outputs(1)) == 1
    finally:
        second.stop()
    assert not second.root.exists() and not second.cups_pdf_conf.exists()


def test_a_system_cupsd_makes_the_private_one_stand_aside(
    cupsd: PrivateCupsd, tmp_path: Path
) -> None:
    """A cupsd started from any other configuration counts as the system's."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf, files = private_cupsd._write_configs(tmp_path / "system", port)
    executable = shutil.which("cupsd") or "/usr/sbin/cupsd"
    system = subprocess.Popen(
        [executable, "-f", "-c", str(conf), "-s", str(files)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Popen returns once the child is forked; its name is "cupsd" only after exec.
        comm = Path(f"/proc/{system.pid}/comm")
        deadline = time.monotonic() + 10
        while comm.read_text().strip() != "cupsd" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert private_cupsd.other_cupsd() == str(system.pid)
        with pytest.raises(private_cupsd.Unavailable, match=rf"cupsd \(pid {system.pid}\)"):
            private_cupsd.start()
    finally:
        system.terminate()
        system.wait(10)
    assert private_cupsd.other_cupsd() is None
