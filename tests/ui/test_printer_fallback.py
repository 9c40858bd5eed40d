"""The touchscreen when the ticket printer fails, on a real CUPS: the number and
its QR code on screen with the photo hint, a banner on the attract screen until
the printer is healthy again, and no promise of paper meanwhile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from contract.catalog import Catalog
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection
from kiosk.session.events import (
    Confirmed,
    Finish,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.kiosk_window import (
    button_with,
    click,
    closed_port,
    running_kiosk,
    visible_strings,
    wait_phase,
)
from testkit.printouts import decode_png
from ui.qr import QrCodeView
from ui.screens.ticket import IssuingScreen
from ui.window import KioskWindow

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "central" / "demo_data" / "catalog.json"
BANNER = "Printer tiket sedang bermasalah"


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot, cupsd: PrivateCupsd) -> Iterator[KioskWindow]:
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(
            backend="cups", queue=PDF_QUEUE, cups_server=cupsd.server, job_timeout_s=10.0
        ),
        central=CentralSection(url=f"http://127.0.0.1:{closed_port()}", timeout_s=0.3),
    )
    with running_kiosk(qtbot, config, height=1400, stop_timeout_ms=5000) as window:
        window.controller._sync.use_catalog(Catalog.from_json(json.loads(DEMO_CATALOG.read_text())))
        window.status_changed()
        qtbot.waitUntil(lambda: window.controller.status().printer.state == "ok", timeout=5000)
        yield window


def banner_shown(window: KioskWindow) -> bool:
    return any(BANNER in w.text() and w.isVisible() for w in window.findChildren(QLabel))


def get_a_ticket(window: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(window, "Siti Aminah"))
    wait_phase(qtbot, window, Phase.IDENTIFIED)
    window.dispatch(ServiceSelected("puskesmas-umum"))
    window.dispatch(FormOpened())
    window.dispatch(FormSubmitted({"phone": "081234567890"}))
    window.dispatch(Confirmed())
    window.dispatch(NotifyAnswered(window.controller.session().session, False))
    wait_phase(qtbot, window, Phase.TICKET_ISSUED)


def test_a_failed_print_shows_number_qr_and_photo_hint_then_a_banner(
    kiosk: KioskWindow, qtbot: QtBot, cupsd: PrivateCupsd, tmp_path: Path
) -> None:
    assert not banner_shown(kiosk)
    cupsd.tool("cupsdisable", "-r", "out of paper", PDF_QUEUE)

    get_a_ticket(kiosk, qtbot)

    ticket = kiosk.controller.session().ticket
    assert ticket is not None and not ticket.printed and ticket.status_url
    shown = visible_strings(kiosk)
    assert ticket.number in shown
    assert "Silakan foto layar ini" in shown and "ambil tiket" not in shown
    qr = kiosk.findChild(QrCodeView)
    assert qr is not None and qr.isVisible()
    qr.grab().save(str(tmp_path / "qr.png"))
    assert decode_png(tmp_path / "qr.png") == [ticket.status_url]

    kiosk.dispatch(Finish())  # the ticket screen's "Selesai"
    click(qtbot, button_with(kiosk, "Selesai"))  # and the thank-you screen's
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert banner_shown(kiosk)
    assert kiosk.controller.status().printer.fault == "offline"
    assert not qr.text  # the session's QR is gone with the session


def test_the_banner_goes_once_a_status_poll_finds_the_printer_well(
    kiosk: KioskWindow, qtbot: QtBot, cupsd: PrivateCupsd
) -> None:
    cupsd.tool("cupsdisable", PDF_QUEUE)
    kiosk.controller.refresh_printer()
    qtbot.waitUntil(lambda: banner_shown(kiosk), timeout=5000)

    cupsd.tool("cupsenable", PDF_QUEUE)
    kiosk.printer_timer.timeout.emit()  # the poll, without waiting printer.status_poll_s

    qtbot.waitUntil(lambda: not banner_shown(kiosk), timeout=5000)
    get_a_ticket(kiosk, qtbot)
    assert "Silakan ambil tiket Anda" in visible_strings(kiosk)


def test_no_paper_is_promised_while_the_printer_is_faulty(kiosk: KioskWindow) -> None:
    issuing = kiosk.screens[Phase.ISSUING]
    assert isinstance(issuing, IssuingScreen)
    state = kiosk.controller.session()

    kiosk.view.printer_ok = False
    issuing.render_state(state, kiosk.view)
    assert issuing.title.text() == "Membuat nomor antrean…"
    kiosk.view.printer_ok = True
    issuing.render_state(state, kiosk.view)
    assert issuing.title.text() == "Membuat tiket…"
