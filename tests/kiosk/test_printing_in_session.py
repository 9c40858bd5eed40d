"""Tickets through a real CUPS in a whole session: printed, refused, recovered.

The controller runs with the ``cups`` backend against a private cupsd whose
cups-pdf queue writes PDFs into a folder. An operator's ``cupsdisable`` is
the printer fault; ``cupsenable`` and a status poll are the recovery.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardio.emulators.demo_cards import demo_card, demo_trust_store
from cardio.readers.simulated import SimulatedReader
from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection
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
from kiosk.tickets.issue import reprint_ticket
from kiosk.wiring.printer import printer_from
from offline_store import Store
from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.printouts import flowing, pdf_text

WIB = dt.timezone(dt.timedelta(hours=7))
CENTRAL = "https://antrean.example.go.id"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def kiosk(
    tmp_path: Path, cupsd: PrivateCupsd, catalog: Catalog
) -> Iterator[tuple[KioskController, SimulatedReader, list[str]]]:
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path)),
        printer=PrinterSection(
            backend="cups", queue=PDF_QUEUE, cups_server=cupsd.server, job_timeout_s=10.0
        ),
        central=CentralSection(url=CENTRAL),
    )
    store = Store.open(config.store_path)
    reader = SimulatedReader()
    controller = KioskController(
        config,
        reader=reader,
        store=store,
        printer=printer_from(config),
        central=CentralClient(f"http://127.0.0.1:{closed_port()}", timeout_s=0.2),
        executor=InlineExecutor(),
        clock=time.monotonic,
        now=lambda: dt.datetime(2026, 11, 22, 9, 40, tzinfo=WIB),
        trust=demo_trust_store(),
    )
    changes: list[str] = []
    controller.subscribe_status(lambda: changes.append(controller.status().printer.state))
    controller._sync.use_catalog(catalog)
    controller.start()
    yield controller, reader, changes
    controller.stop()
    store.close()


def one_citizen(controller: KioskController, reader: SimulatedReader, service: str) -> None:
    reader.tap(demo_card("siti").applet())
    reader.remove()
    controller.dispatch(ServiceSelected(service))
    controller.dispatch(FormOpened())
    controller.dispatch(FormSubmitted({"phone": "081234567890"}))
    controller.dispatch(Confirmed())
    controller.dispatch(NotifyAnswered(controller.session().session, False))
    assert controller.session().phase is Phase.TICKET_ISSUED


def test_ticket_then_slip_print_and_the_printer_is_healthy(
    kiosk: tuple[KioskController, SimulatedReader, list[str]], cupsd: PrivateCupsd
) -> None:
    controller, reader, _ = kiosk

    one_citizen(controller, reader, "puskesmas-umum")

    ticket = controller.session().ticket
    assert ticket is not None and ticket.printed and ticket.pdf_location.startswith(PDF_QUEUE)
    [row] = [controller._store.ticket(item.key) for item in controller._store.outbox()]
    assert ticket.status_url == f"{CENTRAL}/t/{row['id']}"
    outputs = [flowing(pdf_text(p.read_bytes())) for p in cupsd.wait_for_outputs(2)]
    [printed_ticket] = [t for t in outputs if "Nomor Antrean" in t]
    [slip] = [t for t in outputs if "BUKTI PENDAFTARAN" in t]
    assert "A-001" in printed_ticket and "Kartu BPJS Kesehatan (jika ada)" in printed_ticket
    assert "Siti Aminah" in slip and "081234567890" in slip and "A-001" in slip
    assert controller.status().printer.state == "ok"


def test_a_service_without_a_slip_prints_one_job(
    kiosk: tuple[KioskController, SimulatedReader, list[str]], cupsd: PrivateCupsd
) -> None:
    controller, reader, _ = kiosk

    one_citizen(controller, reader, "status-berkas")

    assert len(cupsd.wait_for_outputs(1)) == 1
    assert cupsd.wait_for_outputs(2, timeout_s=1.0) == cupsd.pdf_outputs()[:1]


def test_a_disabled_printer_falls_back_to_the_screen_and_recovers(
    kiosk: tuple[KioskController, SimulatedReader, list[str]], cupsd: PrivateCupsd
) -> None:
    controller, reader, changes = kiosk
    assert controller.status().printer.state == "ok"
    cupsd.tool("cupsdisable", "-r", "paper cover opened", PDF_QUEUE)

    one_citizen(controller, reader, "puskesmas-umum")

    ticket = controller.session().ticket
    assert ticket is not None and not ticket.printed and ticket.print_fault == "offline"
    assert ticket.number == "A-001" and ticket.status_url.startswith(f"{CENTRAL}/t/")
    health = controller.status().printer
    assert (health.state, health.fault) == ("fault", "offline")
    assert "paper cover opened" in health.detail and health.since is not None
    assert changes[-1] == "fault"
    [item] = controller._store.outbox()  # the ticket exists, printed or not
    row = controller._store.ticket(item.key)
    assert (row["number"], row["printed"], row["print_fault"]) == ("A-001", 0, "offline")
    assert cupsd.tool("lpstat", "-W", "not-completed", "-o").stdout == ""

    controller.dispatch(Finish())
    cupsd.tool("cupsenable", PDF_QUEUE)
    controller.refresh_printer()  # the window's status poll

    assert controller.status().printer.state == "ok" and changes[-1] == "ok"
    assert cupsd.wait_for_outputs(1, timeout_s=1.0) == []  # nothing printed behind our back

    assert controller.status().catalog is not None
    again = reprint_ticket(
        item.key,
        store=controller._store,
        catalog=controller.status().catalog,
        setup=controller._printers.setup,
    )

    assert again.printed and again.number == "A-001"
    [reprinted] = cupsd.wait_for_outputs(1)
    assert "CETAK ULANG" in pdf_text(reprinted.read_bytes())
    assert controller._store.ticket(item.key)["printed"] == 1


def test_a_test_print_clears_a_fault(
    kiosk: tuple[KioskController, SimulatedReader, list[str]], cupsd: PrivateCupsd
) -> None:
    controller, _, changes = kiosk
    cupsd.tool("cupsdisable", PDF_QUEUE)
    controller.refresh_printer()
    assert controller.status().printer.state == "fault"
    cupsd.tool("cupsenable", PDF_QUEUE)
    results: list[bool] = []

    controller.test_print(results.append)

    assert results == [True] and controller.status().printer.state == "ok"
    assert changes[-2:] == ["fault", "ok"]
    [test_page] = cupsd.wait_for_outputs(1)
    assert "TEST" in pdf_text(test_page.read_bytes())
