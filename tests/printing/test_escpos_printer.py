"""The escpos backend: exact bytes from python-escpos, a network printer on loopback.

The byte-level reference is python-escpos's own ``Dummy`` printer; the
network printer is a TCP listener on 127.0.0.1 standing in for port 9100,
which answers (or does not answer) the real-time status requests.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image

from printing import make_printer
from printing.errors import OutOfPaper, PrinterOffline, PrinterUnavailable, PrintFault
from printing.layouts.paper import Paper
from printing.layouts.ticket import render_ticket_pdf
from printing.printers.escpos import (
    EscposDevice,
    EscposPrinter,
    _profile,
    parse_device,
    write_job,
)
from printing.printers.raster import pdf_to_bitmap
from printing.samples import SAMPLE_URL, sample_ticket
from testkit.network_printer import NetworkPrinter
from testkit.printouts import decode_png

INIT = b"\x1b\x40"  # ESC @: initialise
FEED_AND_CUT = b"\x1b\x64\x06" + b"\x1d\x56\x00"  # ESC d 6: feed 6 lines; GS V 0: full cut
PAPER_QUERY = b"\x10\x04\x04"  # DLE EOT 4: paper sensor status
CAUSE_QUERY = b"\x10\x04\x02"  # DLE EOT 2: offline cause (cover)


@pytest.fixture
def network_printer() -> Iterator[NetworkPrinter]:
    printer = NetworkPrinter()
    try:
        yield printer
    finally:
        printer.close()


def dummy_bytes(bitmap: Image.Image, dots: int) -> bytes:
    dummy = Dummy(profile=_profile(dots))
    write_job(dummy, bitmap)
    return bytes(dummy.output)


def test_a_tiny_image_gives_exactly_these_bytes() -> None:
    image = Image.new("1", (16, 3), 1)  # white
    for x in range(16):
        image.putpixel((x, 0), 0)  # row 0: all black
        if x % 2 == 0:
            image.putpixel((x, 1), 0)  # row 1: every other dot

    assert dummy_bytes(image, 16) == (
        INIT
        + b"\x1d\x76\x30\x00"  # GS v 0, normal density
        + b"\x02\x00"  # xL xH: 2 bytes across
        + b"\x03\x00"  # yL yH: 3 rows
        + b"\xff\xff" + b"\xaa\xaa" + b"\x00\x00"  # the rows, MSB first, 1 = black
        + FEED_AND_CUT
    )  # fmt: skip


def test_a_ticket_is_one_raster_image_576_dots_wide_and_cut() -> None:
    bitmap = pdf_to_bitmap(render_ticket_pdf(sample_ticket()), 576)

    job = dummy_bytes(bitmap, 576)

    assert bitmap.width == 576 and bitmap.mode == "1"
    assert job.startswith(INIT + b"\x1d\x76\x30\x00" + (576 // 8).to_bytes(2, "little"))
    assert job.endswith(FEED_AND_CUT)
    # Taller than one GS v 0 fragment (960 rows): python-escpos splits it.
    headers = job.count(b"\x1d\x76\x30\x00\x48\x00")
    assert headers == -(-bitmap.height // 960)
    assert len(job) == len(INIT) + len(FEED_AND_CUT) + headers * 8 + 72 * bitmap.height


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.ROLL_58MM])
def test_the_network_printer_receives_exactly_the_dummy_bytes(
    network_printer: NetworkPrinter, paper: Paper
) -> None:
    dots = {Paper.ROLL_80MM: 576, Paper.ROLL_58MM: 384}[paper]
    pdf = render_ticket_pdf(sample_ticket(), paper)
    printer = EscposPrinter(network_printer.device, dots=dots)

    receipt = printer.print_pdf(pdf, "tiket-A-017")

    [received] = network_printer.wait_closed(1)
    assert received == PAPER_QUERY + CAUSE_QUERY + dummy_bytes(pdf_to_bitmap(pdf, dots), dots)
    assert receipt.job_id == network_printer.device


def test_out_of_paper_stops_the_job_before_any_dot(network_printer: NetworkPrinter) -> None:
    network_printer.paper = b"\x72"  # paper end sensor bits (5, 6) set
    printer = EscposPrinter(network_printer.device)

    status = printer.status()
    with pytest.raises(OutOfPaper, match="paper roll empty"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    assert (status.ready, status.fault) == (False, PrintFault.OUT_OF_PAPER)
    assert network_printer.wait_closed(2)[1] == PAPER_QUERY  # asked, and nothing printed


def test_an_open_cover_stops_the_job(network_printer: NetworkPrinter) -> None:
    network_printer.cause = b"\x16"  # bit 2: cover open
    with pytest.raises(OutOfPaper, match="cover open"):
        EscposPrinter(network_printer.device).print_pdf(
            render_ticket_pdf(sample_ticket()), "tiket-A-017"
        )


def test_paper_near_end_still_prints(network_printer: NetworkPrinter) -> None:
    network_printer.paper = b"\x1e"  # near-end sensor bits (2, 3) set
    status = EscposPrinter(network_printer.device).status()

    assert status.ready and "paper near end" in status.detail


def test_a_printer_that_does_not_answer_is_printed_to(network_printer: NetworkPrinter) -> None:
    network_printer.paper = None
    printer = EscposPrinter(network_printer.device, status_timeout_s=0.3)

    assert printer.status().ready
    printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    received = network_printer.wait_closed(2)[1]
    assert received.startswith(PAPER_QUERY + INIT) and received.endswith(FEED_AND_CUT)


def test_each_job_opens_its_own_connection(network_printer: NetworkPrinter) -> None:
    printer = EscposPrinter(network_printer.device)
    pdf = render_ticket_pdf(sample_ticket())

    printer.print_pdf(pdf, "tiket-A-017")
    printer.print_pdf(pdf, "tiket-A-018")

    assert len(network_printer.wait_closed(2)) == 2


def test_a_printer_switched_off_is_offline() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = EscposPrinter(f"tcp:127.0.0.1:{port}")

    status = printer.status()
    with pytest.raises(PrinterOffline, match="not reachable"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")

    assert status.fault is PrintFault.OFFLINE


def test_a_device_file_receives_the_job(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    pdf = render_ticket_pdf(sample_ticket())

    EscposPrinter(f"file:{device}").print_pdf(pdf, "tiket-A-017")

    # Opened write-only: no status request is sent that could not be answered.
    assert device.read_bytes() == dummy_bytes(pdf_to_bitmap(pdf, 576), 576)


def test_a_missing_device_file_is_unavailable(tmp_path: Path) -> None:
    printer = EscposPrinter(f"file:{tmp_path}/no/such/lp0")

    with pytest.raises(PrinterUnavailable, match="not connected"):
        printer.print_pdf(render_ticket_pdf(sample_ticket()), "tiket-A-017")


def test_usb_without_pyusb_says_what_is_missing() -> None:
    from escpos.printer import Usb

    if Usb.is_usable():
        pytest.skip("pyusb is installed here")
    status = EscposPrinter("usb:04b8:0202").status()

    assert status.fault is PrintFault.OUTPUT_UNAVAILABLE and "pyusb" in status.detail


@pytest.mark.parametrize(
    ("text", "device"),
    [
        ("usb:04b8:0202", EscposDevice("usb", vendor=0x04B8, product=0x0202)),
        ("tcp:192.168.1.50", EscposDevice("tcp", "192.168.1.50", 9100)),
        ("tcp:printer.local:9101", EscposDevice("tcp", "printer.local", 9101)),
        ("serial:/dev/ttyUSB0", EscposDevice("serial", "/dev/ttyUSB0", 9600)),
        ("serial:/dev/ttyS1:115200", EscposDevice("serial", "/dev/ttyS1", 115200)),
        ("file:/dev/usb/lp0", EscposDevice("file", "/dev/usb/lp0")),
    ],
)
def test_device_settings(text: str, device: EscposDevice) -> None:
    assert parse_device(text) == device
    assert parse_device(str(device)) == device


@pytest.mark.parametrize("text", ["", "usb:04b8", "usb:zz:01", "tcp:", "serial:ttyS0", "lp0"])
def test_bad_device_settings_say_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"usb:VID:PID .* tcp:HOST\[:PORT\]"):
        parse_device(text)


def test_make_printer_builds_each_backend(tmp_path: Path) -> None:
    escpos = make_printer("escpos", device="tcp:127.0.0.1:9100", dots=384, timeout_s=5)
    cups = make_printer("cups", queue="Kiosk", server="127.0.0.1:631", timeout_s=5)

    assert isinstance(escpos, EscposPrinter) and escpos.dots == 384
    assert cups.backend == "cups" and "Kiosk" in repr(cups)
    with pytest.raises(ValueError, match="ESC/POS device"):
        make_printer("escpos", device="")
    with pytest.raises(ValueError, match="output folder"):
        make_printer("pdf_file")


@pytest.mark.parametrize(("paper", "dots"), [(Paper.ROLL_80MM, 576), (Paper.ROLL_58MM, 384)])
def test_the_dots_sent_to_the_head_carry_a_readable_qr_code(
    paper: Paper, dots: int, tmp_path: Path
) -> None:
    pdf_to_bitmap(render_ticket_pdf(sample_ticket(), paper), dots).save(tmp_path / "dots.png")

    assert decode_png(tmp_path / "dots.png") == [SAMPLE_URL]
