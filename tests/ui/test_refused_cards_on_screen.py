"""Refused demo cards on the real window: a plain message, then "tap your card" again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from cardio.errors import Reason
from contract.assurance import Assurance
from kiosk.session.machine import Phase
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    visible_strings,
    wait_phase,
)
from ui.texts import TEXTS, tr
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:  # DEMO trust list
        yield window


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Kartu kedaluwarsa", "Kartu sudah kedaluwarsa"),
        ("Salinan kartu Siti", "Kartu diduga hasil salinan."),
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
    identity = kiosk.controller.session().identity
    assert identity is not None and identity.assurance is Assurance.CLONE_PROOF


def test_every_refusal_reason_has_indonesian_and_english_words() -> None:
    for reason in Reason:
        key = f"problem_{reason.value}"
        assert key in TEXTS, "its own words, not the generic problem text"
        indonesian, english = tr(key, "id"), tr(key, "en")
        assert indonesian and english and indonesian != english
