"""The kiosk's input filters (the activity filter and the tap guard) sit on its windows'
own ``QWindow``: a change of screen asks them about no widget's show, hide or paint,
and input on every top-level window the kiosk shows still counts as activity.

Real windows offscreen; input delivered to a ``QWindow`` as the platform delivers it.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QMenu, QWidget
from pytestqt.qtbot import QtBot

from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.desk_window import field, key, opened, view_of
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    offline_config,
    running_kiosk,
    wait_phase,
)
from ui.window import KioskWindow

Call = tuple[QObject, QEvent.Type]
#: What every widget gets on a change of screen, and no input filter needs to see.
NOT_INPUT = {
    QEvent.Type.Show,
    QEvent.Type.Hide,
    QEvent.Type.ShowToParent,
    QEvent.Type.HideToParent,
    QEvent.Type.Polish,
    QEvent.Type.PolishRequest,
    QEvent.Type.LayoutRequest,
    QEvent.Type.Move,
    QEvent.Type.StyleChange,
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot, clock: ManualClock) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, offline_config(tmp_path), clock=clock) as window:
        window.watch_activity()  # as `kiosk run` does
        yield window


def counting(monkeypatch: pytest.MonkeyPatch, *filters: QObject) -> list[Call]:
    """Every call Qt makes to the ``eventFilter`` of ``filters`` from now on."""
    calls: list[Call] = []
    for event_filter in filters:
        own = type(event_filter).eventFilter

        def count(self: QObject, watched: QObject, event: QEvent, own: object = own) -> bool:
            calls.append((watched, event.type()))
            return bool(own(self, watched, event))  # type: ignore[operator]

        monkeypatch.setattr(event_filter, "eventFilter", types.MethodType(count, event_filter))
    return calls


def handle(widget: QWidget) -> QWindow:
    window = widget.windowHandle()
    assert window is not None, "shown"
    return window


def test_a_change_of_screen_asks_the_input_filters_about_no_widget(
    kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting(monkeypatch, kiosk, kiosk.tap_guard)
    click(qtbot, button_with(kiosk, "Siti Aminah"))  # the card: reading, then the services
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    qtbot.wait(100)  # the frames of the new screens painted
    asked_about_widgets = [(type(w).__name__, kind.name) for w, kind in calls if w.isWidgetType()]
    assert asked_about_widgets == [], "no widget's event passes through the Python filters"
    assert not {kind for _, kind in calls} & NOT_INPUT
    # The same filters still see the input: a press, to the window, as the screen sends it.
    calls.clear()
    QTest.mouseClick(handle(kiosk), Qt.MouseButton.RightButton, pos=QPoint(5, 5))
    presses = [w for w, kind in calls if kind is QEvent.Type.MouseButtonPress]
    assert presses == [handle(kiosk), handle(kiosk)], "the activity filter, then the tap guard"


def _press_on_window(kiosk: KioskWindow, qtbot: QtBot) -> None:
    QTest.mouseClick(handle(kiosk), Qt.MouseButton.RightButton, pos=QPoint(5, 5))


def _key_on_window(kiosk: KioskWindow, qtbot: QtBot) -> None:
    QTest.keyClick(handle(kiosk), Qt.Key.Key_Shift)


def _press_on_a_dialog(kiosk: KioskWindow, qtbot: QtBot) -> None:
    dialog = QDialog(kiosk)
    dialog.resize(200, 100)
    with qtbot.waitExposed(dialog):
        dialog.show()
    QTest.mouseClick(handle(dialog), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    dialog.close()


def _key_in_a_menu(kiosk: KioskWindow, qtbot: QtBot) -> None:
    menu = QMenu(kiosk)
    menu.addAction("a")
    with qtbot.waitExposed(menu):
        menu.popup(kiosk.mapToGlobal(QPoint(20, 20)))
    QTest.keyClick(handle(menu), Qt.Key.Key_Down)
    menu.close()


@pytest.mark.parametrize(
    "touch", [_press_on_window, _key_on_window, _press_on_a_dialog, _key_in_a_menu]
)
def test_input_on_every_top_level_window_is_activity(
    kiosk: KioskWindow, qtbot: QtBot, clock: ManualClock, touch: object
) -> None:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    before = kiosk.controller.session().deadline
    assert before is not None
    clock.advance(10.0)
    touch(kiosk, qtbot)  # type: ignore[operator]
    assert kiosk.controller.session().deadline == before + 10.0, "the full idle time again"


def test_a_key_in_a_desk_combo_box_list_keeps_the_patient(
    tmp_path: Path, qtbot: QtBot, demo_central: str
) -> None:
    config = demo_config(tmp_path, demo_central)
    with opened(qtbot, config) as desk:
        view = view_of(desk)
        now = [1000.0]
        view.clock = lambda: now[0]
        view.touched()
        desk.activateWindow()
        field(desk, "deskName").setFocus()
        for letter in (Qt.Key.Key_S, Qt.Key.Key_I):
            key(qtbot, desk, letter)
        assert view.holds_patient()
        limit = desk.controller.config.session.desk_idle_timeout_s
        now[0] += limit - 1.0
        combo = view.find_by
        assert combo.count() > 1
        popup = combo.view().window()
        with qtbot.waitExposed(popup):
            combo.showPopup()
        QTest.keyClick(handle(popup), Qt.Key.Key_Down)  # the clerk, in the combo box's list
        combo.hidePopup()
        now[0] += 1.0
        view.check_idle()
        assert field(desk, "deskName").text() == "si", "a key in the list is the clerk's activity"
