"""A wrapping tile grows with the screen up to its cap, and past it when its words need
more: also when the words grow while it stands at its cap (a queue's answer, "A+")."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from testkit.layout_checks import LayoutRequests
from ui.screens.wrapping import wrapping_button
from ui.theme import style_sheet

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
    """A tile's minimum width is its longest word, not its words at the wrap its label
    prefers (a QPushButton's minimum is its size hint): a long text in larger letters
    wraps more in a narrow column, and never makes the window grow."""
    window = QWidget()
    qtbot.addWidget(window)
    font = window.font()
    font.setPixelSize(48)  # "A+" on a dense panel
    window.setFont(font)
    scroll = QScrollArea(window)  # as the screens: tiles in a resizable scroll area
    scroll.setWidgetResizable(True)
    QVBoxLayout(window).addWidget(scroll)
    host = QWidget()
    scroll.setWidget(host)
    tile = wrapping_button(BUSY + " dan seterusnya" * 6, lambda: None, "tile")
    QVBoxLayout(host).addWidget(tile)
    narrow = tile._widest() + 120  # the longest word and the scroll area's frame and bar
    assert narrow < tile.sizeHint().width()  # far less than the words want on few lines
    window.setFixedSize(narrow, 1900)
    window.show()
    qtbot.waitExposed(window)

    assert tile.minimumSizeHint().width() <= tile._widest()
    assert host.minimumSizeHint().width() <= scroll.viewport().width()
    assert window.width() == narrow and tile.width() <= scroll.viewport().width()
    text = tile.text_label
    qtbot.waitUntil(lambda: text.height() >= text.heightForWidth(text.width()))  # all lines


LONG_WORD = "Laporan Pertanggungjawaban Keuangan Desa"


def test_the_themes_touch_size_does_not_let_a_column_squeeze_a_tile_below_its_word(
    qtbot: QtBot,
) -> None:
    """The theme gives every push button an explicit minimum width (the touch size), and a
    layout takes an explicit minimum over the hint: the tile holds its own at its longest
    word, after the theme is applied and again when it changes ("A+")."""
    window = QWidget()
    qtbot.addWidget(window)
    window.setStyleSheet(style_sheet(96.0, larger=True))
    tile = wrapping_button(LONG_WORD, lambda: None, "tile")
    row = QHBoxLayout(window)
    row.addWidget(tile, 1)
    row.addWidget(QWidget(), 3)  # a wide neighbour that takes what the tile gives up
    window.show()
    qtbot.waitExposed(window)
    word = tile._widest()
    assert tile.minimumWidth() >= word
    window.resize(word // 2, 600)  # far narrower than the word
    qtbot.waitUntil(lambda: window.width() >= word)  # the window is held at its minimum
    assert tile.width() >= word
    window.setStyleSheet(style_sheet(96.0))  # out of "A+": smaller words, a new minimum
    qtbot.waitUntil(lambda: tile._widest() < word)
    assert tile.minimumWidth() == max(tile._word_width(), tile.minimumHeight())


def test_a_word_is_what_lies_between_two_places_a_line_may_break() -> None:
    """Qt may break after a slash: the pieces of "Kelahiran/Kematian/…" are the words."""
    pieces = ("Akta ", "Kelahiran/", "Kematian/", "Perkawinan/", "Perceraian")
    joined = wrapping_button("".join(pieces), lambda: None, "t")
    each = [wrapping_button(piece, lambda: None, "t")._widest() for piece in pieces]
    unbroken = wrapping_button("Kelahiran·Kematian·Perkawinan·Perceraian", lambda: None, "t")
    assert joined._widest() == max(each) < unbroken._widest()
