"""A wrapping tile grows with the screen up to its cap, and past it when its words need
more: also when the words grow while it stands at its cap (a queue's answer, "A+")."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from testkit.layout_checks import LayoutRequests
from ui.screens.wrapping import wrapping_button

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


def test_a_word_is_what_lies_between_two_places_a_line_may_break() -> None:
    """Qt may break after a slash: the pieces of "Kelahiran/Kematian/…" are the words."""
    pieces = ("Akta ", "Kelahiran/", "Kematian/", "Perkawinan/", "Perceraian")
    joined = wrapping_button("".join(pieces), lambda: None, "t")
    each = [wrapping_button(piece, lambda: None, "t")._widest() for piece in pieces]
    unbroken = wrapping_button("Kelahiran·Kematian·Perkawinan·Perceraian", lambda: None, "t")
    assert joined._widest() == max(each) < unbroken._widest()
