"""The touchscreen when the centre is unreachable, and when the citizen walks away."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from central.settings import DEMO_ENROLMENT_CODE
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection, SessionSection
from kiosk.session import Phase
from kiosk.session_events import FormOpened, ServiceSelected
from offline_store import Store
from ui.app import build_window
from ui.window import KioskWindow

from .test_walking_path import SITI_STRINGS, button_with, click, visible_strings, wait_phase


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _window(
    tmp_path: Path, qtbot: QtBot, url: str, session: SessionSection
) -> Iterator[KioskWindow]:
    tickets = tmp_path / "tickets"
    tickets.mkdir(exist_ok=True)
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(tickets)),
        central=CentralSection(url=url, timeout_s=0.5, enrolment_code=DEMO_ENROLMENT_CODE),
        session=session,
    )
    store = Store.open(config.store_path)
    window = build_window(config, store, demo=True, use_pcscd=False)
    qtbot.addWidget(window)
    window.resize(900, 1200)
    window.show()
    yield window
    window.controller.stop()
    window.executor.wait_for_done(3000)
    store.close()


@pytest.fixture
def offline_kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    yield from _window(tmp_path, qtbot, f"http://127.0.0.1:{_closed_port()}", SessionSection())


@pytest.fixture
def hasty_kiosk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    session = SessionSection(idle_timeout_s=3.0, idle_warning_s=2.0)
    yield from _window(tmp_path, qtbot, demo_central, session)


def test_unreachable_centre_shows_offline_and_no_services(
    offline_kiosk: KioskWindow, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: offline_kiosk.controller.online is False, timeout=5000)
    badges = [w for w in offline_kiosk.findChildren(QLabel) if w.isVisible()]
    shown = "\n".join(w.text() for w in badges)
    assert "Luring" in shown
    assert "Daftar layanan belum tersedia" in shown
    click(qtbot, button_with(offline_kiosk, "Siti Aminah"))
    wait_phase(qtbot, offline_kiosk, Phase.IDENTIFIED)
    offline_kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
    assert offline_kiosk.controller.machine.state.problem == "service_unknown"
    assert "Layanan ini sedang tidak tersedia" in visible_strings(offline_kiosk)


def test_idle_warning_then_timeout_wipes_every_widget(
    hasty_kiosk: KioskWindow, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: hasty_kiosk.controller.catalog is not None, timeout=5000)
    click(qtbot, button_with(hasty_kiosk, "Siti Aminah"))
    wait_phase(qtbot, hasty_kiosk, Phase.IDENTIFIED)
    hasty_kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
    hasty_kiosk.controller.dispatch(FormOpened())
    phone = hasty_kiosk.findChild(QLineEdit, "field_phone")
    assert phone is not None
    phone.setText("081234567890")
    assert "Siti Aminah" in visible_strings(hasty_kiosk)

    qtbot.waitUntil(lambda: hasty_kiosk.warning.isVisible(), timeout=5000)
    assert "Masih di sana?" in hasty_kiosk.warning_text.text()
    wait_phase(qtbot, hasty_kiosk, Phase.IDLE)
    assert not hasty_kiosk.warning.isVisible()
    shown = visible_strings(hasty_kiosk)
    assert [s for s in SITI_STRINGS if s in shown] == []


def test_continue_on_the_warning_keeps_the_session(hasty_kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(hasty_kiosk, "Budi Santoso"))
    wait_phase(qtbot, hasty_kiosk, Phase.IDENTIFIED)
    qtbot.waitUntil(lambda: hasty_kiosk.warning.isVisible(), timeout=5000)
    continue_button = hasty_kiosk.warning.findChild(QPushButton)
    assert continue_button is not None
    qtbot.mouseClick(continue_button, Qt.MouseButton.LeftButton)
    assert not hasty_kiosk.warning.isVisible()
    assert hasty_kiosk.controller.machine.state.phase is Phase.IDENTIFIED
