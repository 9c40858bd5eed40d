"""The touchscreen when the centre is unreachable, and when the citizen walks away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.config import SessionSection
from kiosk.session.events import FormOpened, ServiceSelected, Tick
from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.kiosk_window import (
    SITI_STRINGS,
    button_with,
    click,
    demo_config,
    offline_config,
    running_kiosk,
    visible_strings,
    wait_for_catalog,
    wait_phase,
)
from ui.window import KioskWindow


@pytest.fixture
def offline_kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config) as window:
        yield window


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def hasty_kiosk(
    tmp_path: Path, qtbot: QtBot, demo_central: str, clock: ManualClock
) -> Iterator[KioskWindow]:
    # A warning configured shorter than WCAG's 20 s still comes 20 s before the end.
    session = SessionSection(idle_timeout_s=60.0, idle_warning_s=5.0)
    config = demo_config(tmp_path, demo_central, session=session)
    with running_kiosk(qtbot, config, clock=clock) as window:
        yield window


def test_unreachable_centre_shows_offline_and_no_services(
    offline_kiosk: KioskWindow, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: offline_kiosk.controller.status().online is False, timeout=5000)
    badges = [w for w in offline_kiosk.findChildren(QLabel) if w.isVisible()]
    shown = "\n".join(w.text() for w in badges)
    assert "Luring" in shown
    assert "Daftar layanan belum tersedia" in shown
    click(qtbot, button_with(offline_kiosk, "Siti Aminah"))
    wait_phase(qtbot, offline_kiosk, Phase.IDENTIFIED)
    offline_kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
    assert offline_kiosk.controller.session().problem == "service_unknown"
    assert "Layanan ini sedang tidak tersedia" in visible_strings(offline_kiosk)


def test_idle_warning_then_timeout_wipes_every_widget(
    hasty_kiosk: KioskWindow, qtbot: QtBot, clock: ManualClock
) -> None:
    wait_for_catalog(qtbot, hasty_kiosk.controller)
    click(qtbot, button_with(hasty_kiosk, "Siti Aminah"))
    wait_phase(qtbot, hasty_kiosk, Phase.IDENTIFIED)
    hasty_kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
    hasty_kiosk.controller.dispatch(FormOpened())
    phone = hasty_kiosk.findChild(QLineEdit, "field_phone")
    assert phone is not None
    phone.setText("081234567890")
    assert "Siti Aminah" in visible_strings(hasty_kiosk)

    clock.advance(39.0)  # 21 s left: no warning yet
    hasty_kiosk.dispatch(Tick())
    hasty_kiosk._render_warning()
    assert not hasty_kiosk.warning.isVisible()
    clock.advance(1.0)  # 20 s left
    qtbot.waitUntil(lambda: hasty_kiosk.warning.isVisible(), timeout=5000)
    assert hasty_kiosk.warning.title.text() == "Masih di sana?"
    assert hasty_kiosk.warning.countdown.text() == "20"
    assert "Sesi berakhir dalam 20 detik" in hasty_kiosk.warning_text.text()
    # over the whole window, and on top of the form
    assert hasty_kiosk.warning.geometry() == hasty_kiosk.rect()
    clock.advance(12.5)
    qtbot.waitUntil(lambda: hasty_kiosk.warning.countdown.text() == "8", timeout=5000)
    clock.advance(8.0)
    wait_phase(qtbot, hasty_kiosk, Phase.IDLE)
    assert not hasty_kiosk.warning.isVisible()
    shown = visible_strings(hasty_kiosk)
    assert [s for s in SITI_STRINGS if s in shown] == []


def test_continue_on_the_warning_keeps_the_session(
    hasty_kiosk: KioskWindow, qtbot: QtBot, clock: ManualClock
) -> None:
    click(qtbot, button_with(hasty_kiosk, "Budi Santoso"))
    wait_phase(qtbot, hasty_kiosk, Phase.IDENTIFIED)
    clock.advance(55.0)
    qtbot.waitUntil(lambda: hasty_kiosk.warning.isVisible(), timeout=5000)
    continue_button = hasty_kiosk.warning.findChild(QPushButton, "continue")
    assert continue_button is not None and continue_button.text() == "Lanjutkan"
    assert continue_button.height() >= 120  # the one big thing to press
    qtbot.mouseClick(continue_button, Qt.MouseButton.LeftButton)
    assert not hasty_kiosk.warning.isVisible()
    assert hasty_kiosk.controller.session().deadline == clock() + 60.0  # the full time again
    clock.advance(39.0)
    hasty_kiosk.dispatch(Tick())
    assert hasty_kiosk.controller.session().phase is Phase.IDENTIFIED
    assert hasty_kiosk.controller.idle_countdown() is None


def test_the_warning_speaks_english_too(
    hasty_kiosk: KioskWindow, qtbot: QtBot, clock: ManualClock
) -> None:
    click(qtbot, button_with(hasty_kiosk, "English"))
    click(qtbot, button_with(hasty_kiosk, "Budi Santoso"))
    wait_phase(qtbot, hasty_kiosk, Phase.IDENTIFIED)
    clock.advance(50.0)
    qtbot.waitUntil(lambda: hasty_kiosk.warning.isVisible(), timeout=5000)
    assert hasty_kiosk.warning.title.text() == "Still there?"
    assert hasty_kiosk.warning_button.text() == "Continue"


def test_larger_text_asked_for_at_rest_lapses_when_no_card_comes(
    tmp_path: Path, qtbot: QtBot, clock: ManualClock
) -> None:
    with running_kiosk(qtbot, offline_config(tmp_path), clock=clock) as kiosk:
        switch = kiosk.attract.larger_text
        assert switch is not None
        c = kiosk.controller
        click(qtbot, switch)
        assert c.status().larger_text and switch.isChecked()
        clock.advance(c.config.session.idle_timeout_s - 1)
        c.dispatch(Tick())
        assert c.status().larger_text  # still in time for the card
        clock.advance(1)
        c.dispatch(Tick())
        assert not c.status().larger_text  # the next one to come starts at the usual size
        qtbot.waitUntil(lambda: not switch.isChecked(), timeout=5000)
        assert not kiosk.view.larger_text
