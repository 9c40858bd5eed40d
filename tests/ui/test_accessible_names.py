"""Every control and every picture that means something has a name in the Qt
accessibility tree, so a screen reader could say and drive it: on every screen
of the flow and every problem screen. The names are the screen's own texts
(ui/texts.py, translated like every other); the keyboard's symbol keys are
checked in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QScrollBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.session.events import Finish
from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.kiosk_window import demo_config, running_kiosk, wait_for_catalog, wait_phase
from testkit.screen_walk import visit_every_problem_screen, visit_every_screen
from ui.keyboard import SPOKEN_NAMES
from ui.qr import QrCodeView
from ui.screens.attract import TapPicture
from ui.screens.message import ProblemIcon
from ui.window import KioskWindow

#: What a citizen touches, types in or scrolls (a text field is a scroll area too).
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractScrollArea)
#: Painted pictures that carry meaning.
PICTURES = (TapPicture, ProblemIcon, QrCodeView)


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid()
    return interface.text(QAccessible.Text.Name)


def unnamed(window: KioskWindow) -> list[str]:
    """Each visible control or picture whose accessible name has no word in it
    (empty, or a bare symbol such as ⌫ or ⇧ that a screen reader cannot say)."""
    app = QApplication.instance()
    assert app is not None
    app.processEvents()
    found = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or isinstance(w, QScrollBar):  # a bar is part of its area
            continue
        if not isinstance(w, CONTROLS + PICTURES):
            continue
        name = accessible_name(w)
        if not any(ch.isalnum() for ch in name):
            what = w.objectName() or w.property("key") or getattr(w, "text", lambda: "")()
            found.append(f"{type(w).__name__}({what!r}) is named {name!r}")
    return found


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    clock = ManualClock()
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config, width=1080, height=1920, clock=clock) as window:
        window.clock = clock  # type: ignore[attr-defined]
        wait_for_catalog(qtbot, window.controller)
        yield window


def test_every_control_and_picture_on_every_screen_has_a_spoken_name(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    seen = []
    for screen in visit_every_screen(qtbot, kiosk):
        assert unnamed(kiosk) == [], screen
        seen.append(screen)
    kiosk.dispatch(Finish())
    kiosk.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    for screen in visit_every_problem_screen(qtbot, kiosk):
        assert unnamed(kiosk) == [], screen
        seen.append(screen)
    assert len(seen) == 23 + 7


def test_the_keyboards_symbol_keys_are_named_in_the_screens_language(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    keyboard = kiosk.screens[Phase.COMPLAINT].keyboard  # type: ignore[attr-defined]
    keys = {**keyboard.keys, **keyboard.pad_keys}
    named = {key: accessible_name(keys[key]) for key in SPOKEN_NAMES}
    assert named["backspace"] == "hapus" and named["space"] == "spasi"
    assert named["shift"] == "huruf besar"
    keyboard.set_language("en")
    assert accessible_name(keys["backspace"]) == "delete"
    assert accessible_name(keys["shift"]) == "capital letter"
    assert accessible_name(keys["q"]) == "q"  # a letter says itself
