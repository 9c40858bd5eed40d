"""Printed slips with personal data leave the kiosk's disk after their retention.

A whole session prints a queue ticket and a registration slip (name, NIK,
phone) with the ``pdf_file`` printer; the controller's start and its printer
status checks purge the slip once ``printer.personal_retention_s`` has passed,
by the kiosk's injected clock. The ticket, which holds no personal data, stays.
"""

from __future__ import annotations

import datetime as dt
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardio.emulators.demo_cards import demo_card, demo_trust_store
from cardio.readers.simulated import SimulatedReader
from contract.catalog import Catalog
from kiosk.cli.main import demo_config
from kiosk.client.client import CentralClient
from kiosk.config import Config, KioskSection, PrinterSection, parse_config
from kiosk.controller import KioskController
from kiosk.executor import InlineExecutor
from kiosk.session.events import (
    Confirmed,
    Finish,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from kiosk.wiring.printer import printer_from
from offline_store import Store
from printing.printers.pdf_file import PERSONAL_LIST, PdfFilePrinter
from testkit.printouts import flowing, pdf_text

WIB = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2026, 11, 22, 9, 40, tzinfo=WIB)
DAY = dt.timedelta(hours=24)


class Now:
    """The kiosk's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.value = START

    def __call__(self) -> dt.datetime:
        return self.value


def controller_for(config: Config, store: Store, now: Now) -> KioskController:
    """The kiosk as ``kiosk run`` builds it, its ``pdf_file`` printer on the test's clock."""
    built = printer_from(config)
    assert isinstance(built, PdfFilePrinter)
    printer = PdfFilePrinter(built.folder, personal_retention=built.personal_retention, clock=now)
    return KioskController(
        config,
        reader=SimulatedReader(),
        store=store,
        printer=printer,
        central=CentralClient("http://127.0.0.1:9", timeout_s=0.2),
        executor=InlineExecutor(),
        clock=time.monotonic,
        now=now,
        trust=demo_trust_store(),
    )


@pytest.fixture
def kiosk(tmp_path: Path, catalog: Catalog) -> Iterator[tuple[KioskController, Now, Path, Config]]:
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(tickets)),
    )
    store = Store.open(config.store_path)
    now = Now()
    controller = controller_for(config, store, now)
    controller._sync.use_catalog(catalog)
    controller.start()
    yield controller, now, tickets, config
    controller.stop()
    store.close()


def register(controller: KioskController, service: str) -> None:
    reader = controller._reader
    assert isinstance(reader, SimulatedReader)
    reader.tap(demo_card("siti").applet())
    reader.remove()
    controller.dispatch(ServiceSelected(service))
    controller.dispatch(FormOpened())
    controller.dispatch(FormSubmitted({"phone": "081234567890"}))
    controller.dispatch(Confirmed())
    controller.dispatch(NotifyAnswered(controller.session().session, False))
    assert controller.session().phase is Phase.TICKET_ISSUED
    controller.dispatch(Finish())


def pdfs(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.pdf"))


def test_the_slip_goes_after_24_hours_and_the_ticket_stays(
    kiosk: tuple[KioskController, Now, Path, Config],
) -> None:
    controller, now, tickets, _ = kiosk
    register(controller, "puskesmas-umum")  # ticket and registration slip
    assert pdfs(tickets) == ["slip-A-001.pdf", "tiket-A-001.pdf"]
    slip = tickets / "slip-A-001.pdf"
    assert "081234567890" in flowing(pdf_text(slip.read_bytes()))
    assert stat.S_IMODE(slip.stat().st_mode) == 0o600
    written = START.astimezone(dt.UTC).isoformat()
    assert (tickets / PERSONAL_LIST).read_text() == f"{written}\tslip-A-001.pdf\n"

    now.value = START + DAY - dt.timedelta(seconds=1)
    controller.refresh_printer()  # the window's status poll
    assert pdfs(tickets) == ["slip-A-001.pdf", "tiket-A-001.pdf"]  # still fresh

    now.value = START + DAY
    controller.refresh_printer()
    assert pdfs(tickets) == ["tiket-A-001.pdf"]  # the slip is gone, the ticket stays
    assert (tickets / PERSONAL_LIST).read_text() == ""


def test_a_fresh_slip_stays_while_an_old_one_goes_at_the_next_start(
    kiosk: tuple[KioskController, Now, Path, Config], catalog: Catalog
) -> None:
    controller, now, tickets, config = kiosk
    register(controller, "puskesmas-umum")
    now.value = START + DAY / 2
    register(controller, "puskesmas-umum")  # A-002, twelve hours younger
    register(controller, "status-berkas")  # a service without a slip
    controller.stop()
    assert pdfs(tickets) == [
        "slip-A-001.pdf",
        "slip-A-002.pdf",
        "tiket-A-001.pdf",
        "tiket-A-002.pdf",
        "tiket-F-001.pdf",
    ]

    now.value = START + DAY + dt.timedelta(hours=1)
    restarted = controller_for(config, controller._store, now)
    restarted.catalog = catalog
    restarted.start()  # the kiosk starts again a day later
    restarted.stop()
    assert pdfs(tickets) == ["slip-A-002.pdf", "tiket-A-001.pdf", "tiket-A-002.pdf",
                             "tiket-F-001.pdf"]  # fmt: skip


def test_the_retention_is_a_setting_and_the_demo_keeps_the_default(tmp_path: Path) -> None:
    assert PrinterSection().personal_retention_s == 86400.0
    demo = demo_config(tmp_path, "http://127.0.0.1:8000", "DEMO")
    assert demo.printer.personal_retention_s == PrinterSection().personal_retention_s
    demo_printer = printer_from(demo)
    assert isinstance(demo_printer, PdfFilePrinter)
    assert demo_printer.personal_retention == DAY
    config = parse_config({"printer": {"output_dir": str(tmp_path), "personal_retention_s": 3600}})
    printer = printer_from(config)
    assert isinstance(printer, PdfFilePrinter)
    assert printer.personal_retention == dt.timedelta(hours=1)
