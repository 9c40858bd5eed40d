"""A UID-only card (the demo e-KTP) on the real window: nothing of its holder is shown
until the citizen types the date of birth on the keypad and the centre confirms it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from contract.assurance import Assurance
from kiosk.session.events import Cancel, FormOpened, ServiceSelected
from kiosk.session.machine import Phase, SessionState
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    every_string,
    offline_config,
    running_kiosk,
    visible_strings,
    wait_for_catalog,
    wait_phase,
)
from ui.screens.birth_date import BirthDateScreen
from ui.screens.common import View
from ui.theme import style_sheet
from ui.window import KioskWindow

#: What the city's registry holds of the e-KTP's holder (central/demo_data/citizens.json).
RINA = ("Rina", "Wulandari", "1471055506900003", "RM-2021-017733", "081266667777")


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


@pytest.fixture
def offline_kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config) as window:
        yield window


def keypad(kiosk: KioskWindow) -> BirthDateScreen:
    screen = kiosk.screens[Phase.PROVING]
    assert isinstance(screen, BirthDateScreen)
    return screen


def type_on_keypad(qtbot: QtBot, screen: BirthDateScreen, digits: str) -> None:
    for digit in digits:
        click(qtbot, screen.keys[digit])
    click(qtbot, screen.ok)


def leaked(kiosk: KioskWindow) -> list[str]:
    shown = every_string(kiosk)
    return [s for s in RINA if s in shown]


def test_the_ektp_alone_shows_nothing_of_its_holder(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "e-KTP"))
    wait_phase(qtbot, kiosk, Phase.PROVING)
    assert "Isi formulir otomatis? Ketik tanggal lahir Anda" in visible_strings(kiosk)
    assert leaked(kiosk) == []

    click(qtbot, button_with(kiosk, "Lewati, isi sendiri"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert "Selamat datang" in visible_strings(kiosk)
    kiosk.controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
    kiosk.controller.dispatch(FormOpened())
    name = kiosk.findChild(QLineEdit, "field_full_name")
    assert name is not None and name.text() == "", "filled by hand"
    assert leaked(kiosk) == []


def test_a_wrong_date_then_the_right_one_unlocks_the_pre_fill(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    click(qtbot, button_with(kiosk, "e-KTP"))
    wait_phase(qtbot, kiosk, Phase.PROVING)
    screen = keypad(kiosk)
    type_on_keypad(qtbot, screen, "16061990")  # a day off
    qtbot.waitUntil(lambda: kiosk.controller.session().problem == "birth_date_mismatch")
    wait_phase(qtbot, kiosk, Phase.PROVING)
    assert "Tanggal lahir belum cocok.\nSilakan coba sekali lagi." in visible_strings(kiosk)
    assert leaked(kiosk) == []

    type_on_keypad(qtbot, screen, "15061990")
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert "Selamat datang, Ibu Rina Wulandari" in visible_strings(kiosk)
    identity = kiosk.controller.session().identity
    assert identity is not None and identity.citizen is not None
    assert identity.assurance is Assurance.UNVERIFIED, "a UID can be copied: still unverified"
    kiosk.controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
    kiosk.controller.dispatch(FormOpened())
    name = kiosk.findChild(QLineEdit, "field_full_name")
    assert name is not None and name.text() == "Rina Wulandari"

    kiosk.controller.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert leaked(kiosk) == []
    assert "15 06 1990" not in every_string(kiosk) and screen.entered == ""


def test_offline_the_ektp_is_greeted_without_a_name_at_once(
    offline_kiosk: KioskWindow, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: offline_kiosk.controller.status().online is False, timeout=5000)
    phases: list[Phase] = []
    offline_kiosk.controller.subscribe(lambda state: phases.append(state.phase))
    click(qtbot, button_with(offline_kiosk, "e-KTP"))
    wait_phase(qtbot, offline_kiosk, Phase.IDENTIFIED)
    assert Phase.PROVING not in phases, "no keypad offline: nothing could check the date"
    shown = visible_strings(offline_kiosk)
    assert "Selamat datang" in shown and "Rina" not in shown


def test_digits_typed_but_not_sent_are_wiped_with_the_session(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    click(qtbot, button_with(kiosk, "e-KTP"))
    wait_phase(qtbot, kiosk, Phase.PROVING)
    screen = keypad(kiosk)
    for digit in "150619":
        click(qtbot, screen.keys[digit])
    assert screen.display.text() == "15 06 19__"
    click(qtbot, button_with(kiosk, "Batal"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert screen.entered == "" and "15 06" not in every_string(kiosk)


def test_the_keypad_is_under_the_words_on_a_portrait_screen_and_beside_them_on_a_landscape(
    qtbot: QtBot,
) -> None:
    view = View(lang="id", catalog=None, office_id="", dispatch=lambda _event: None)
    screen = BirthDateScreen(view)
    qtbot.addWidget(screen)
    screen.setStyleSheet(style_sheet())
    screen.render_state(SessionState(phase=Phase.PROVING), view)
    screen.show()

    def where(width: int, height: int) -> tuple[QRect, QRect]:
        screen.resize(width, height)  # shown: the resize event is sent at once
        screen.box.activate()  # and the layout placed now, not at the next event loop
        words = QRect(screen.title.mapTo(screen, QPoint(0, 0)), screen.title.size())
        key = QRect(screen.keys["1"].mapTo(screen, QPoint(0, 0)), screen.keys["1"].size())
        return words, key

    words, key = where(1080, 1920)
    assert key.top() > words.bottom() and words.width() > 2 * key.width()
    words, key = where(1920, 1080)
    assert key.left() > words.right()
