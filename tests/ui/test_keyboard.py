"""The on-screen keyboard types into the field it is attached to, through taps only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.keyboard import BACKSPACE, MAX_LENGTH_PROPERTY, SHIFT, SPACE, Mode, OnScreenKeyboard

_HOSTS: list[QWidget] = []  # the test's window stays alive until the test ends


def _host(qtbot: QtBot, *fields: QWidget) -> OnScreenKeyboard:
    host = QWidget()
    _HOSTS.append(host)
    box = QVBoxLayout(host)
    for f in fields:
        box.addWidget(f)
    keyboard = OnScreenKeyboard(57)
    box.addWidget(keyboard)
    host.resize(1000, 900)
    host.show()
    qtbot.addWidget(host, before_close_func=lambda _: _HOSTS.remove(host))
    return keyboard


def tap(qtbot: QtBot, keyboard: OnScreenKeyboard, key: str) -> None:
    pad = keyboard.mode is not Mode.TEXT
    button = (keyboard.pad_keys if pad else keyboard.keys)[key]
    assert button.isVisible(), f"key {key!r} is not on screen"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_letters_shift_space_punctuation_and_backspace(qtbot: QtBot) -> None:
    field = QLineEdit()
    keyboard = _host(qtbot, field)
    assert not keyboard.isVisible()  # nothing attached: no keyboard
    keyboard.attach(field)
    assert keyboard.isVisible()
    for key in (SHIFT, "j", "l", ".", SPACE, SHIFT, "m", "e", "r", "x", BACKSPACE):
        tap(qtbot, keyboard, key)
    assert field.text() == "Jl. Mer"
    assert not keyboard.shifted  # one-shot: back to small letters after one capital
    assert keyboard.keys["q"].text() == "q"


def test_number_pad_for_phone_has_plus_and_for_nik_digits_only(qtbot: QtBot) -> None:
    phone, nik = QLineEdit(), QLineEdit()
    nik.setMaxLength(16)
    keyboard = _host(qtbot, phone, nik)
    keyboard.attach(phone, Mode.PHONE)
    assert keyboard.pages.currentWidget() is keyboard.pad_page
    for key in ("+", "6", "2", "8", "1"):
        tap(qtbot, keyboard, key)
    assert phone.text() == "+6281"

    keyboard.attach(nik, Mode.NUMBER)
    assert not keyboard.pad_keys["+"].isVisible() and not keyboard.pad_keys["-"].isVisible()
    for _ in range(17):  # one more than a NIK holds
        tap(qtbot, keyboard, "1")
    assert nik.text() == "1" * 16
    assert phone.text() == "+6281"  # only the attached field is typed into


def test_date_pad_has_a_dash_and_text_area_honours_its_limit(qtbot: QtBot) -> None:
    date, area = QLineEdit(), QPlainTextEdit()
    area.setProperty(MAX_LENGTH_PROPERTY, 3)
    keyboard = _host(qtbot, date, area)
    keyboard.attach(date, Mode.DATE)
    for key in ("2", "0", "-", "1"):
        tap(qtbot, keyboard, key)
    assert date.text() == "20-1"
    keyboard.attach(area)
    for key in ("a", "b", "c", "d", BACKSPACE):
        tap(qtbot, keyboard, key)
    assert area.toPlainText() == "ab"


def test_read_only_field_and_deleted_field_are_never_typed_into(qtbot: QtBot) -> None:
    locked, gone = QLineEdit("Siti"), QLineEdit()
    locked.setReadOnly(True)
    keyboard = _host(qtbot, locked, gone)
    keyboard.attach(locked)
    assert keyboard.target is None and not keyboard.isVisible()
    keyboard.attach(gone)
    gone.deleteLater()
    qtbot.waitUntil(lambda: keyboard.target is None)
    keyboard.press("a")  # no crash, nothing typed anywhere
    assert locked.text() == "Siti"


def test_keys_are_at_least_the_touch_size(qtbot: QtBot) -> None:
    keyboard = _host(qtbot, field := QLineEdit())
    keyboard.attach(field)
    for button in keyboard.keys.values():
        assert button.width() >= 57 and button.height() >= 57, button.property("key")


def test_keys_are_built_when_the_keyboard_is_first_needed(qtbot: QtBot) -> None:
    field = QLineEdit()
    keyboard = _host(qtbot, field)
    assert keyboard.findChildren(QPushButton) == []  # nothing to build for the attract screen
    keyboard.attach(field, Mode.TEXT)
    assert len(keyboard.findChildren(QPushButton)) == len(keyboard.keys) + len(keyboard.pad_keys)
    tap(qtbot, keyboard, "a")
    assert field.text() == "a"
