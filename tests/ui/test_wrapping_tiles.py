"""A wrapping tile grows with the screen up to its cap, and past it when its words need
more: also when the words grow while it stands at its cap (a queue's answer, "A+")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QApplication,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from testkit.fresh_python import run_python
from testkit.layout_checks import LayoutRequests, laid_out_lines
from ui.screens.wrapping import BREAK, WrappingText, wrapping_button

NAME = "Pendaftaran Poli Umum Puskesmas"
BUSY = NAME + "\nSedang dilayani: INT-1234 · 999 orang menunggu"


def test_a_tile_at_its_cap_grows_when_its_words_need_more(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.setFixedSize(600, 900)
    scroll = QScrollArea(window)  # as the service grid: tiles in a resizable scroll area
    scroll.setWidgetResizable(True)
    QVBoxLayout(window).addWidget(scroll)
    host = QWidget()
    scroll.setWidget(host)
    tile = wrapping_button(NAME, lambda: None, "tile")
    tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    QVBoxLayout(host).addWidget(tile)
    window.show()
    qtbot.waitExposed(window)
    cap = tile.heightForWidth(tile.width()) + 40  # the name fits well under it
    tile.set_height_cap(cap)
    qtbot.waitUntil(lambda: tile.height() == cap)  # the screen has room: the tile fills its cap
    width = tile.width()

    tile.setText(BUSY + " dan seterusnya" * 30)  # words that need more than the cap
    needed = tile.heightForWidth(width)
    assert needed > cap
    qtbot.waitUntil(lambda: tile.height() == needed)  # grown past its cap, not cut to it
    assert tile.width() == width
    text = tile.text_label
    assert text.height() >= text.heightForWidth(text.width())  # every line shown


def test_the_same_words_again_ask_for_no_layout_pass(qtbot: QtBot) -> None:
    """The greeting's tiles are worded again on each render (the city record's answer,
    the queue's): words that did not change lay out nothing, as a QPushButton's; new
    words still do, and are shown."""
    host = QWidget()
    qtbot.addWidget(host)
    tile = wrapping_button(NAME, lambda: None, "tile")
    QVBoxLayout(host).addWidget(tile)
    host.show()
    qtbot.waitExposed(host)
    QApplication.processEvents()
    requests = LayoutRequests(host)
    tile.setText(NAME)
    QApplication.processEvents()
    assert requests.count == 0
    assert tile.text() == NAME and tile.text_label.text() == NAME
    tile.setText(BUSY)
    QApplication.processEvents()
    assert requests.count >= 1
    assert tile.text() == BUSY and tile.text_label.text() == BUSY
    assert tile.accessibleName() == BUSY


def test_a_tile_in_a_narrow_place_wraps_its_words_and_does_not_widen_the_window(
    qtbot: QtBot,
) -> None:
    """A tile's minimum width is not its words at the wrap its label prefers (a
    QPushButton's minimum is its size hint): a long text in larger letters wraps more
    in a narrow column, and never makes the window grow."""
    window = QWidget()
    qtbot.addWidget(window)
    font = window.font()
    font.setPixelSize(48)  # "A+" on a dense panel
    window.setFont(font)
    scroll = QScrollArea(window)  # as the screens: tiles in a resizable scroll area
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    QVBoxLayout(window).addWidget(scroll)
    host = QWidget()
    scroll.setWidget(host)
    tile = wrapping_button(BUSY + " dan seterusnya" * 6, lambda: None, "tile")
    QVBoxLayout(host).addWidget(tile)
    narrow = 600
    assert narrow < tile.sizeHint().width()  # far less than the words want on few lines
    window.setFixedSize(narrow, 1900)
    window.show()
    qtbot.waitExposed(window)

    assert host.minimumSizeHint().width() <= scroll.viewport().width()
    assert window.width() == narrow and tile.width() <= scroll.viewport().width()
    text = tile.text_label
    qtbot.waitUntil(lambda: text.height() >= text.heightForWidth(text.width()))  # all lines
    assert text.shown() == tile.text()  # each word fits its line: none is broken inside


def _shown_lines(text: WrappingText) -> list[str]:
    """The lines the tile's label shows at its width, as a word-wrapping QLabel lays out."""
    room = text.contentsRect().width()
    lines = laid_out_lines(text.shown(), text.font(), room)
    assert all(wide <= room + 1 for _, wide in lines), text.shown()
    return [shown for shown, _ in lines]


def test_only_a_word_wider_than_its_line_breaks_inside(qtbot: QtBot) -> None:
    """Words that fit their line wrap whole, where Qt may break a line (after a slash
    too); one wider than the line is broken where its line is full, with nothing shown
    for the break; the tile's name (what the voice and screen readers say) is its text."""
    host = QWidget()
    qtbot.addWidget(host)
    font = host.font()
    font.setPixelSize(40)
    host.setFont(font)
    slashes = "Akta Kelahiran/Kematian/Perkawinan/Perceraian"
    tile = wrapping_button(slashes, lambda: None, "tile")
    column = QVBoxLayout(host)
    column.addWidget(tile)
    column.addStretch(1)  # the tile as high as its lines
    host.setFixedSize(420, 1500)  # narrower than the slashed word, wider than each piece
    host.show()
    qtbot.waitExposed(host)
    text = tile.text_label
    assert isinstance(text, WrappingText)
    qtbot.waitUntil(lambda: text.height() >= text.heightForWidth(text.width()))
    assert QFontMetricsF(text.font()).horizontalAdvance(slashes) > text.contentsRect().width()
    assert text.shown() == slashes and len(_shown_lines(text)) > 1

    email = "pengaduan.kependudukan.kotapekanbaru@disdukcapil.go.id"
    tile.setText(f"Tanya {email}")
    qtbot.waitUntil(lambda: text.height() >= text.heightForWidth(text.width()))
    lines = _shown_lines(text)
    assert len(lines) >= 3 and "".join(lines).replace(BREAK, "") == f"Tanya {email}"
    assert lines[0].startswith("Tanya ")  # a word that fits is not broken
    assert tile.accessibleName() == text.accessibleName() == f"Tanya {email}"
    assert tile.text() == text.text() == f"Tanya {email}"


#: A label with a word some letters short of its line, among short words, in a scroll
#: area that scrolls only up and down: with the bar up (a narrower line) the word breaks
#: and the text takes fewer lines than without it, so a height answered for the text
#: shown at the other width turned the bar off and on again, resizing the label inside
#: the area's event filter until the stack overflowed (a crash, in a child process).
SCROLL_AREA_CHILD = r"""
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QVBoxLayout, QWidget
from ui.screens.wrapping import WrappingText

app = QApplication([])
word = "W" * 40
wide = int(QFontMetricsF(QApplication.font()).horizontalAdvance(word)) + 2
for high in range(120, 190, 6):
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFrameShape(QFrame.Shape.NoFrame)
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    label = WrappingText()
    label.setText(" ".join(["abcdefghij " + word + " klmnopqrst"] * 6))
    column.addWidget(label)
    area.setWidget(holder)
    area.resize(wide, high)
    area.show()
    for _ in range(50):
        app.processEvents()
    whole = label.height() >= label.heightForWidth(label.width())
    print(high, "whole" if whole else "cut", flush=True)
    area.close()
"""


def test_a_label_in_a_scroll_area_settles_where_its_bar_would_come_and_go() -> None:
    output = run_python(SCROLL_AREA_CHILD, env={"QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    said = output.split()
    assert said[1::2] == ["whole"] * 12, output
