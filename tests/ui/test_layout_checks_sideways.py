"""The layout checks see a widget cut at the side of a scroll area that only scrolls up
and down (the kiosk's all do): the citizen scrolls to what lies below its view, never
to what lies beside it. What lies below is not reported, nor what lies beside the view
of an area that does scroll sideways."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from testkit.layout_checks import layout_problems

SIDEWAYS_OFF = Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def _shown(qtbot: QtBot, policy: Qt.ScrollBarPolicy, width: int, height: int) -> QWidget:
    """A 400×300 window filled by a scroll area whose content is ``width``×``height``,
    holding a label at its right edge."""
    window = QWidget()
    qtbot.addWidget(window)
    window.setFixedSize(400, 300)
    scroll = QScrollArea(window)
    scroll.setGeometry(window.rect())
    scroll.setHorizontalScrollBarPolicy(policy)
    content = QWidget()
    content.setFixedSize(width, height)
    edge = QLabel("Pertanggungjawaban", content)
    edge.setObjectName("edge")
    edge.setGeometry(width - 150, 10, 150, 40)
    scroll.setWidget(content)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_widget_beside_a_view_that_does_not_scroll_sideways_is_reported(
    qtbot: QtBot,
) -> None:
    window = _shown(qtbot, SIDEWAYS_OFF, 700, 200)
    problems = layout_problems(window, 1)
    assert any(p.startswith("QLabel(edge) ") and "scroll area" in p for p in problems), problems


def test_below_the_view_or_beside_one_that_scrolls_sideways_is_not(qtbot: QtBot) -> None:
    assert layout_problems(_shown(qtbot, SIDEWAYS_OFF, 300, 900), 1) == []
    sideways = Qt.ScrollBarPolicy.ScrollBarAsNeeded
    assert layout_problems(_shown(qtbot, sideways, 700, 200), 1) == []
