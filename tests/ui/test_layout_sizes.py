"""Every screen, portrait 1080×1920 and landscape 1920×1080, at the usual type and in
the "A+" larger-text mode: touch targets of at least 15 mm at the configured DPI,
nothing clipped off the window, every text at least the body size (titles their
level), and every painted text with WCAG 2.2 AA contrast."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontMetrics, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.session.events import (
    FormOpened,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_phase
from testkit.legibility import contrast_problems, text_size_problems
from testkit.screen_walk import visit_every_problem_screen, visit_every_screen
from ui.theme import LARGER_TEXT, TypeScale, min_text_px, min_touch_px
from ui.window import KioskWindow

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QScrollBar)


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and widget is not parent:
            return not isinstance(widget, QScrollBar)
        parent = parent.parentWidget()
    return False


def shown_windows(window: KioskWindow) -> list[QWidget]:
    """The window and every other top-level widget shown: a popup or a list is its own window."""
    others = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]
    return [window, *others]


def _item_problems(view: QAbstractItemView, name: str, touch_px: int) -> list[str]:
    """A list's rows are painted, not widgets: each row shown must be finger-sized."""
    model = view.model()
    if model is None:
        return []
    problems = []
    for row in range(model.rowCount()):
        height = view.visualRect(model.index(row, 0)).height()
        if 0 < height < touch_px:  # a hidden row has no height
            text = model.data(model.index(row, 0))
            problems.append(f"{name} row {text!r} is {height} px high, under {touch_px}")
    return problems


def layout_problems(window: KioskWindow, touch_px: int) -> list[str]:
    """What is too small to touch or lies (partly) outside its window, on everything shown:
    the window's widgets and those of any other window shown (a dropdown's popup)."""
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()
    problems = []
    for top in shown_windows(window):
        frame = top.rect()
        for w in [top, *top.findChildren(QWidget)]:
            if not w.isVisible() or w.property("demo"):
                continue
            name = f"{type(w).__name__}({w.objectName() or w.property('key') or ''})"
            if isinstance(w, INTERACTIVE) and min(w.width(), w.height()) < touch_px:
                problems.append(f"{name} is {w.width()}×{w.height()} px, under {touch_px}")
            if isinstance(w, QAbstractItemView):
                problems += _item_problems(w, name, touch_px)
            if isinstance(w, QAbstractButton):
                problems += _button_text_problems(w, name)
            if isinstance(w, QLabel) and w.wordWrap() and w.text():
                needed = w.heightForWidth(w.width())
                if needed > w.height() + 2:  # in a scroll area too: its tile is too short
                    problems.append(f"{name} {w.text()[:30]!r} cut: {w.height()} of {needed} px")
                problems += _word_problems(w, name)
            if _in_scroll_area(w) or w is top:
                continue  # the citizen scrolls to it
            where = QRect(w.mapTo(top, QPoint(0, 0)), w.size())
            if not frame.contains(where):
                problems.append(f"{name} at {where.getRect()} leaves the window {frame.getRect()}")
    return problems


def _word_problems(label: QLabel, name: str) -> list[str]:
    """A wrapped label breaks lines where Qt may (between words, after a hyphen), never
    inside a word: each line laid out at the label's width must fit it."""
    room = label.contentsRect().width()
    problems = []
    for paragraph in label.text().split("\n"):
        layout = QTextLayout(paragraph, label.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(room)
            if line.naturalTextWidth() > room + 1:
                shown = paragraph[line.textStart() : line.textStart() + line.textLength()]
                problems.append(f"{name} {shown[:30]!r} is wider than its {room} px")
        layout.endLayout()
    return problems


def _button_text_problems(button: QAbstractButton, name: str) -> list[str]:
    """A button paints its own text on one line per line break and never wraps it: each
    line (and the icon beside it) must fit inside its border and padding. A wrapping
    tile paints none (``QAbstractButton.text`` is then empty): its label is measured."""
    text = QAbstractButton.text(button).replace("&&", "&")
    if not text:
        return []
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = text
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    metrics = QFontMetrics(button.font())
    lines = text.split("\n")
    icon = button.iconSize().width() if not button.icon().isNull() else 0
    wide = max(metrics.horizontalAdvance(line) for line in lines) + icon
    high = len(lines) * metrics.lineSpacing()
    if wide > room.width() or high > room.height() + 2:
        return [f"{name} {text[:30]!r} needs {wide}×{high} px, has {room.width()}×{room.height()}"]
    return []


@pytest.fixture(params=sorted(SIZES))
def orientation(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["usual", "larger"])
def text_size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def kiosk(
    tmp_path: Path, demo_central: str, qtbot: QtBot, orientation: str
) -> Iterator[KioskWindow]:
    width, height = SIZES[orientation]
    clock = ManualClock()
    with running_kiosk(
        qtbot, demo_config(tmp_path, demo_central), width=width, height=height, clock=clock
    ) as window:
        window.clock = clock  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=5000)
        yield window


def test_every_screen_fits_readable_with_finger_sized_targets(
    kiosk: KioskWindow, qtbot: QtBot, orientation: str, text_size: str
) -> None:
    dpi = kiosk.controller.config.kiosk.screen_dpi
    touch_px = min_touch_px(dpi)
    assert touch_px == 57  # 15 mm at the default 96 dpi
    assert min_text_px(dpi) == 27  # 7 mm at the default 96 dpi
    larger = text_size == "larger"
    scale = TypeScale.at(dpi, LARGER_TEXT if larger else 1.0)
    size = SIZES[orientation]
    seen = []
    for screen in visit_every_screen(qtbot, kiosk, larger_text=larger):
        assert (kiosk.width(), kiosk.height()) == size, f"{screen}: the window had to grow"
        assert layout_problems(kiosk, touch_px) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        if not larger:  # the same colours at either size: painted once is enough
            assert contrast_problems(kiosk) == [], screen
        seen.append(screen)
    assert len(seen) == 16


def test_every_problem_screen_fits_readable_in_the_larger_text_mode(
    kiosk: KioskWindow, qtbot: QtBot, orientation: str
) -> None:
    """The error screens in "A+", both orientations (at the usual size the accessibility
    walk shows them, tests/ui/test_accessible_names.py)."""
    dpi = kiosk.controller.config.kiosk.screen_dpi
    scale = TypeScale.at(dpi, LARGER_TEXT)
    size = SIZES[orientation]
    seen = []
    for screen in visit_every_problem_screen(qtbot, kiosk, larger_text=True):
        assert kiosk.controller.status().larger_text, screen
        assert (kiosk.width(), kiosk.height()) == size, f"{screen}: the window had to grow"
        assert layout_problems(kiosk, min_touch_px(dpi)) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        seen.append(screen)
    assert len(seen) == 7


def test_a_denser_screen_gets_bigger_targets(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, demo_central)
    dense = dataclasses.replace(
        config, kiosk=dataclasses.replace(config.kiosk, screen_dpi=141.0)
    )  # a 15.6" full-HD panel
    with running_kiosk(qtbot, dense, width=1080, height=1920) as kiosk:
        qtbot.waitUntil(lambda: kiosk.controller.status().catalog is not None, timeout=5000)
        touch_px = min_touch_px(141.0)
        assert touch_px == 84
        click(qtbot, button_with(kiosk, "Siti Aminah"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
        kiosk.controller.dispatch(FormOpened())
        assert layout_problems(kiosk, touch_px) == []
        assert layout_problems(kiosk, 2 * touch_px) != []  # the check does bite
        assert text_size_problems(kiosk, TypeScale.at(141.0)) == []  # 39 px body: 7 mm
        assert text_size_problems(kiosk, TypeScale.at(141.0, 1.2)) != []
        key = kiosk.screens[Phase.FORM].keyboard.keys["q"]  # type: ignore[attr-defined]
        assert key.height() >= 84
