"""Printer settings, the printer's health, and issuing when printing fails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.catalog import Catalog
from kiosk.config import parse_config
from kiosk.errors import ConfigError, TicketingError
from kiosk.session.events import IssuedTicket
from kiosk.tickets.issue import PrintSetup, issue_and_print, reprint_ticket
from kiosk.wiring.printer import PrinterMonitor, printer_from
from offline_store import Store
from printing.errors import OutOfPaper
from printing.printers.cups import CupsPrinter
from printing.printers.escpos import EscposPrinter
from printing.printers.pdf_file import PdfFilePrinter
from testkit.printers import EMPTY, READY, ScriptedPrinter, request

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 22, 9, 40, tzinfo=WIB)


def test_health_follows_jobs_and_status_checks() -> None:
    times = iter(NOW + dt.timedelta(minutes=m) for m in range(10))
    monitor = PrinterMonitor(ScriptedPrinter(READY, OutOfPaper("roll empty"), EMPTY, READY),
                             lambda: next(times))  # fmt: skip
    assert monitor.health.state == "unknown" and monitor.health.ok

    monitor.status()
    with pytest.raises(OutOfPaper):
        monitor.print_pdf(b"%PDF-", "tiket-A-001")
    faulted = monitor.health
    monitor.status()  # still empty: the fault keeps its start time
    still = monitor.health
    monitor.print_pdf(b"%PDF-", "tiket-A-002")  # paper loaded: the job clears it

    assert (faulted.state, faulted.fault, faulted.detail) == ("fault", "out_of_paper", "roll empty")
    assert not faulted.ok
    assert still.since == faulted.since and still.detail == "paper roll empty"
    assert monitor.health.state == "ok" and monitor.health.since != faulted.since


def test_a_job_that_leaves_the_printer_empty_is_a_fault() -> None:
    monitor = PrinterMonitor(ScriptedPrinter(EMPTY), lambda: NOW)

    monitor.print_pdf(b"%PDF-", "tiket-A-001")

    assert (monitor.health.state, monitor.health.fault) == ("fault", "out_of_paper")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "kiosk.db")
    yield opened
    opened.close()


def test_a_printer_fault_keeps_the_ticket_and_skips_the_slip(
    store: Store, catalog: Catalog
) -> None:
    printer = ScriptedPrinter(OutOfPaper("roll empty"))
    setup = PrintSetup(printer, central_url="https://pusat.example/")

    issued = issue_and_print(request(), catalog=catalog, office_id="pku-mpp", store=store,
                             setup=setup, now=lambda: NOW)  # fmt: skip

    ticket = issued.ticket
    assert (ticket.printed, ticket.print_fault, issued.slip) == (False, "out_of_paper", None)
    row = store.ticket(store.outbox()[0].key)
    assert ticket.status_url == f"https://pusat.example/t/{row['id']}"
    assert (row["printed"], row["print_fault"]) == (0, "out_of_paper")


def test_a_printed_ticket_brings_its_slip_with_the_forms_answers(
    store: Store, catalog: Catalog
) -> None:
    setup = PrintSetup(ScriptedPrinter(READY))

    issued = issue_and_print(request(), catalog=catalog, office_id="pku-mpp", store=store,
                             setup=setup, now=lambda: NOW)  # fmt: skip

    assert issued.ticket.printed and issued.ticket.status_url == ""
    slip = issued.slip
    assert slip is not None and slip.number == issued.ticket.number
    assert [(f.label, f.value) for f in slip.fields][3] == ("Nomor HP", "081234567890")


def test_a_layout_bug_does_not_hide_the_number(store: Store, catalog: Catalog) -> None:
    setup = PrintSetup(ScriptedPrinter(READY), paper="letter")  # not a paper we lay out

    issued = issue_and_print(request(), catalog=catalog, office_id="pku-mpp", store=store,
                             setup=setup, now=lambda: NOW)  # fmt: skip

    assert (issued.ticket.printed, issued.ticket.print_fault) == (False, "failed")
    assert issued.ticket.number == "A-001"


def test_a_reprint_of_an_unknown_ticket_is_refused(store: Store, catalog: Catalog) -> None:
    with pytest.raises(TicketingError, match="ticket_unknown"):
        reprint_ticket("no-such-id", store=store, catalog=catalog,
                       setup=PrintSetup(ScriptedPrinter()))  # fmt: skip


def test_each_backend_is_built_from_its_settings(tmp_path: Path) -> None:
    cups = printer_from(parse_config({"printer": {"backend": "cups", "queue": "Loket",
                                                  "cups_server": "127.0.0.1:631",
                                                  "job_timeout_s": 9}}))  # fmt: skip
    escpos = printer_from(parse_config({"printer": {"backend": "escpos", "paper": "58mm",
                                                    "escpos_device": "tcp:10.0.0.9"}}))  # fmt: skip
    pdf = printer_from(parse_config({"printer": {"output_dir": str(tmp_path)}}))

    assert isinstance(cups, CupsPrinter)
    assert (cups.queue, cups.server, cups.timeout_s) == ("Loket", "127.0.0.1:631", 9.0)
    assert isinstance(escpos, EscposPrinter) and escpos.dots == 384
    assert str(escpos.device) == "tcp:10.0.0.9:9100"
    assert isinstance(pdf, PdfFilePrinter) and pdf.folder == tmp_path


@pytest.mark.parametrize(
    ("printer", "key", "problem"),
    [
        ({"backend": "laser"}, "printer.backend", "pdf_file, cups, escpos"),
        ({"paper": "letter"}, "printer.paper", "80mm, 58mm, a4"),
        ({"backend": "escpos"}, "printer.escpos_device", "usb:VID:PID"),
        ({"backend": "escpos", "escpos_device": "usb:1:2", "paper": "a4"}, "printer.paper",
         "80mm or 58mm"),
        ({"job_timeout_s": 30}, "printer.job_timeout_s", "shorter than session.issuing"),
        ({"status_poll_s": 0}, "printer.status_poll_s", "positive"),
    ],
)  # fmt: skip
def test_bad_printer_settings_name_their_key(
    printer: dict[str, object], key: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem) as raised:
        parse_config({"printer": printer})
    assert raised.value.key == key


def test_the_number_is_handed_over_once_kept_before_the_paper_is_printed(
    store: Store, catalog: Catalog, tmp_path: Path
) -> None:
    """The screen shows the number while the ticket prints: it hears of it once the
    ticket and its outbox row are stored, before the PDF is rendered or written."""
    papers = tmp_path / "papers"
    papers.mkdir()
    setup = PrintSetup(PdfFilePrinter(papers), central_url="https://pusat.example/")
    heard: list[tuple[str, bool, bool, list[str], int]] = []

    def numbered(ticket: IssuedTicket) -> None:
        on_paper = sorted(p.name for p in papers.iterdir())
        heard.append(
            (ticket.number, ticket.printing, ticket.printed, on_paper, len(store.outbox()))
        )

    issued = issue_and_print(request(), catalog=catalog, office_id="pku-mpp", store=store,
                             setup=setup, now=lambda: NOW, numbered=numbered)  # fmt: skip

    ticket = issued.ticket
    assert heard == [(ticket.number, True, False, [], 1)]
    assert ticket.printed and not ticket.printing
    assert [p.name for p in papers.iterdir()] == [f"tiket-{ticket.number}.pdf"]
    row = store.ticket(store.outbox()[0].key)
    assert ticket.status_url == f"https://pusat.example/t/{row['id']}"
