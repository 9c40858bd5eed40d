"""A UID-only card (the demo e-KTP) on the real window: the city's registry names its holder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from cardio.citizen import Assurance
from kiosk.session import Phase
from kiosk.session_events import Cancel, FormOpened, ServiceSelected
from ui.window import KioskWindow

from .kiosk_window import (
    button_with,
    click,
    demo_config,
    offline_config,
    running_kiosk,
    visible_strings,
    wait_phase,
)

RINA = ("Rina", "Wulandari", "1471055506900003")


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central, timeout_s=0.5)
    with running_kiosk(qtbot, config) as window:
        yield window


@pytest.fixture
def offline_kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config) as window:
        yield window


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
