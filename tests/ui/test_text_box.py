"""A text from outside in its box, on a screen with no scroll area of its own: as high
as its lines where the screen has the room; where it has not, the box alone yields,
down to a line it scrolls, and the screen's own lines keep their height."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from testkit.layout_checks import layout_problems
from ui.screens.text_box import TextBox
from ui.screens.wrapping import BREAK

#: A service named by one word of 200 letters, and one of 60.
WORD = ("Pertanggungjawaban" * 12)[:200]
SIXTY = WORD[:60]


def _screen(qtbot: QtBot, high: int, word: str) -> tuple[QWidget, QLabel, TextBox, QLabel]:
    """A column as the ticket's: the number, the name in its box, a line of the screen's."""
    screen = QWidget()
    qtbot.addWidget(screen)
    font = screen.font()
    font.setPixelSize(40)  # "A+"
    screen.setFont(font)
    column = QVBoxLayout(screen)
    number = QLabel("A-001")
    number.setWordWrap(True)
    number.setStyleSheet("font-size: 160px;")  # the biggest on the screen, as the ticket's
    box = TextBox()
    box.setText(word)
    take = QLabel("Silakan ambil tiket Anda")
    take.setWordWrap(True)
    for widget in (number, box, take):
        column.addWidget(widget)
    column.addStretch(1)
    screen.setFixedSize(600, high)
    screen.show()
    qtbot.waitExposed(screen)
    for _ in range(3):
        QApplication.processEvents()
    return screen, number, box, take


def test_a_box_shows_every_line_where_its_screen_has_the_room(qtbot: QtBot) -> None:
    screen, _number, box, _take = _screen(qtbot, 1800, WORD)
    label = box.label
    assert label.height() >= label.heightForWidth(label.width())  # every line in the label
    assert box.height() >= label.height()  # and the label in the box: nothing to scroll
    assert not box.verticalScrollBar().isVisible()
    assert label.shown().count(BREAK) > 100  # the word is broken inside, over its lines
    assert layout_problems(screen, 1) == []
    assert box.text() == WORD and box.accessibleName() == WORD


def test_where_the_screen_is_short_the_box_scrolls_and_the_rest_keeps_its_lines(
    qtbot: QtBot,
) -> None:
    screen, number, box, take = _screen(qtbot, 380, SIXTY)
    column = screen.layout()
    assert column is not None and column.heightForWidth(600) > 380  # all would not fit
    assert number.heightForWidth(600) > box.sizeHint().height()  # a layout cuts the biggest
    for line in (number, take):  # the screen's own lines keep their height
        assert line.height() >= line.heightForWidth(line.width()), line.text()
        assert screen.rect().contains(line.geometry())
    assert box.height() >= box.label.fontMetrics().lineSpacing()  # a line of the name at least
    bar = box.verticalScrollBar()
    assert bar.isVisible() and bar.maximum() > 0  # the rest of it a touch away
    label = box.label
    assert label.height() >= label.heightForWidth(label.width())  # scrolled, never cut
    assert layout_problems(screen, 1) == []
    assert screen.size().toTuple() == (600, 380)
