"""The layout checks measure a label's lines in the room QLabel paints them in: inside
its margin and its indent, not its whole contents (a word painted past the indented
side was not reported); and a label that does not wrap too (its line cut at its edge
was not reported)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from testkit.layout_checks import layout_problems

WORD = "Pertanggungjawaban"


def _label(qtbot: QtBot, indent: int, margin: int, *, wrap: bool = True, room: int = 20) -> QWidget:
    """A window holding a label as wide as its word plus ``room`` px, left-aligned."""
    window = QWidget()
    qtbot.addWidget(window)
    label = QLabel(WORD, window)
    label.setObjectName("indented")
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setIndent(indent)
    label.setMargin(margin)
    QVBoxLayout(window).addWidget(label)
    wide = QFontMetrics(label.font()).horizontalAdvance(WORD) + room
    label.setFixedWidth(wide)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_word_past_the_indent_of_its_label_is_reported(qtbot: QtBot) -> None:
    problems = layout_problems(_label(qtbot, indent=60, margin=0), 1)
    assert any(p.startswith("QLabel(indented) ") and WORD in p for p in problems), problems


def test_a_word_past_the_margin_of_its_label_is_reported(qtbot: QtBot) -> None:
    problems = layout_problems(_label(qtbot, indent=0, margin=30), 1)
    assert any(p.startswith("QLabel(indented) ") and WORD in p for p in problems), problems


def test_a_word_inside_its_room_is_not(qtbot: QtBot) -> None:
    assert layout_problems(_label(qtbot, indent=0, margin=0), 1) == []


def test_a_label_that_does_not_wrap_is_reported_where_its_line_runs_past_its_edge(
    qtbot: QtBot,
) -> None:
    """Held narrower than its word (a fixed width, a layout that has no more), a label
    that does not wrap paints the word past its edge, cut: reported as a wrapped one is."""
    problems = layout_problems(_label(qtbot, indent=0, margin=0, wrap=False, room=-40), 1)
    assert any(p.startswith("QLabel(indented) ") and WORD in p for p in problems), problems
    assert layout_problems(_label(qtbot, indent=0, margin=0, wrap=False), 1) == []
