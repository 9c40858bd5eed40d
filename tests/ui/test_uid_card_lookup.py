"""A UID-only card (the demo e-KTP) on the real window: the city's registry names its holder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from cardio.citizen import Assurance
from central.settings import DEMO_ENROLMENT_CODE
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection
from kiosk.session import Phase
from kiosk.session_events import Cancel, FormOpened, ServiceSelected
from offline_store import Store
from ui.app import build_window
from ui.window import KioskWindow

from .test_offline_and_idle import _closed_port
from .test_walking_path import button_with, click, visible_strings, wait_phase

RINA = ("Rina", "Wulandari", "1471055506900003")


def _kiosk(tmp_path: Path, qtbot: QtBot, url: str) -> Iterator[KioskWindow]:
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(tickets)),
        central=CentralSection(url=url, timeout_s=0.5, enrolment_code=DEMO_ENROLMENT_CODE),
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
def kiosk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    yield from _kiosk(tmp_path, qtbot, demo_central)


@pytest.fixture
def offline_kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    yield from _kiosk(tmp_path, qtbot, f"http://127.0.0.1:{_closed_port()}")


def test_the_ektp_holder_is_greeted_by_name_from_the_city_record(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    qtbot.waitUntil(lambda: kiosk.controller.catalog is not None, timeout=5000)
    assert (tmp_path / "data" / "central-token").stat().st_mode & 0o777 == 0o600
    click(qtbot, button_with(kiosk, "e-KTP"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert "Selamat datang, Ibu Rina Wulandari" in visible_strings(kiosk)

    identity = kiosk.controller.machine.state.identity
    assert identity is not None and identity.citizen is not None
    assert identity.uid == bytes.fromhex("08C0FFEE")
    assert identity.assurance is Assurance.UNVERIFIED, "a UID can be copied: still unverified"
    assert identity.citizen.nik == RINA[2]
    assert identity.citizen.date_of_birth.isoformat() == "1990-06-15"  # from the NIK

    kiosk.controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
    kiosk.controller.dispatch(FormOpened())
    name = kiosk.findChild(QLineEdit, "field_full_name")
    assert name is not None and name.text() == "Rina Wulandari"

    kiosk.controller.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    shown = visible_strings(kiosk)
    assert [s for s in RINA if s in shown] == []


def test_offline_the_ektp_is_greeted_without_a_name_at_once(
    offline_kiosk: KioskWindow, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: offline_kiosk.controller.online is False, timeout=5000)
    started = time.monotonic()
    click(qtbot, button_with(offline_kiosk, "e-KTP"))
    wait_phase(qtbot, offline_kiosk, Phase.IDENTIFIED)
    assert time.monotonic() - started < 1.0, "no registry lookup while offline"
    shown = visible_strings(offline_kiosk)
    assert "Selamat datang" in shown and "Rina" not in shown
