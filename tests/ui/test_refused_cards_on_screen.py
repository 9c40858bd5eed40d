"""Refused demo cards on the real window: a plain message, then "tap your card" again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from cardio.citizen import Assurance
from cardio.errors import Reason
from central.settings import DEMO_ENROLMENT_CODE
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection
from kiosk.session import Phase
from offline_store import Store
from ui.app import build_window
from ui.texts import TEXTS
from ui.window import KioskWindow

from .test_walking_path import button_with, click, visible_strings, wait_phase


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(tickets)),
        central=CentralSection(url=demo_central, enrolment_code=DEMO_ENROLMENT_CODE),
    )
    store = Store.open(config.store_path)
    window = build_window(config, store, demo=True, use_pcscd=False)  # DEMO trust list
    qtbot.addWidget(window)
    window.resize(900, 1200)
    window.show()
    yield window
    window.controller.stop()
    window.executor.wait_for_done(3000)
    store.close()


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Kartu kedaluwarsa", "Kartu sudah kedaluwarsa"),
        ("Salinan kartu Siti", "Kartu diduga hasil salinan. Silakan hubungi petugas."),
        ("Kartu diblokir", "Kartu ini diblokir"),
        ("Kartu palsu", "Kartu tidak dikenali"),
        ("Kartu rusak", "Kartu tidak dapat dibaca"),
    ],
)
def test_a_refused_card_says_why_and_the_kiosk_carries_on(
    kiosk: KioskWindow, qtbot: QtBot, label: str, shown: str
) -> None:
    click(qtbot, button_with(kiosk, label))
    wait_phase(qtbot, kiosk, Phase.ERROR)
    assert shown in visible_strings(kiosk)
    click(qtbot, button_with(kiosk, "Tutup"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    identity = kiosk.controller.machine.state.identity
    assert identity is not None and identity.assurance is Assurance.CLONE_PROOF


def test_every_refusal_reason_has_indonesian_and_english_words() -> None:
    for reason in Reason:
        indonesian, english = TEXTS[f"problem_{reason.value}"]
        assert indonesian and english and indonesian != english
