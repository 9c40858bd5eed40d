"""A text from outside in its box, on a screen with no scroll area of its own: as high
as its lines where the screen has the room; where it has not, the box alone yields,
down to a line it scrolls, and the screen's own lines keep their height."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from testkit.fresh_python import run_python
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


#: Boxes of names in a column under the number, on screens of many sizes, turned
#: sideways once shown: where a box is short of the lines its text takes beside a bar but
#: has room for those it takes at its whole width, Qt's own choice (made at the width its
#: viewport had) kept a bar and hid the last lines behind it. Each box says whether it
#: showed a bar its whole width did not need, and whether its text was whole in its
#: label (a crash would take the test run with it: in a child process).
SHORT_BOX_CHILD = r"""
import random
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from ui.screens.text_box import TextBox
from ui.theme import style_sheet

app = QApplication([])
app.setStyleSheet(style_sheet())
pick = random.Random(1)
for _ in range(60):
    lengths = [pick.choice([3, 5, 8, 12, 20, 30, 45, 60]) for _ in range(pick.randint(1, 30))]
    text = " ".join("".join(pick.choice("abcdefghijklmnopqrstuvwxyzW") for _ in range(n))
                    for n in lengths)
    screen = QWidget()
    column = QVBoxLayout(screen)
    number = QLabel("A-001")
    number.setObjectName("huge")
    number.setWordWrap(True)
    box = TextBox(pick.choice(["subtitle", "counterCall", "requirements"]))
    box.setText(text)
    for widget in (number, box):
        column.addWidget(widget)
    column.addStretch(1)
    wide, high = pick.randint(300, 1100), pick.randint(250, 900)
    said = []
    for size in ((wide, high), (high, wide)):
        screen.resize(*size)
        screen.show()
        for _ in range(20):
            app.processEvents()
        label = box.label
        needless = box.verticalScrollBar().isVisible() and (
            label.heightForWidth(box.width()) <= box.height()
        )
        whole = label.height() >= label.heightForWidth(label.width())
        said.append(("needless-bar" if needless else "-") + ("" if whole else ",cut"))
    print(*said, flush=True)
    screen.close()
"""


def test_a_box_with_room_for_its_lines_at_its_whole_width_shows_no_bar() -> None:
    """Its size hint is the text's height beside a bar; a screen a little short gives it
    less, but enough for its lines at its whole width: it shows them all, with no bar,
    and after the screen is turned sideways too."""
    output = run_python(SHORT_BOX_CHILD, env={"QT_QPA_PLATFORM": "offscreen"}, timeout=240)
    boxes = output.split("\n")[:-1]
    assert len(boxes) == 60
    assert [box for box in boxes if box != "- -"] == [], output
