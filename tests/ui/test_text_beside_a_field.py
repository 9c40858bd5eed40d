"""A caption beside its field (a form's row, the catalog's words): a word that fits
stays whole, a word wider than the caption's room breaks inside it, and the field
keeps its room; the row needs no more than its caption's most and its field."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QFormLayout, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from testkit.layout_checks import layout_problems
from ui.screens.wrapping import BREAK, WrappingText, wrapping_text

SHORT = "Nama lengkap"
LONG_WORD = "Pertanggungjawaban"
SIXTY = "PengesahanAktaKelahiranKematianPerkawinanPerceraianPengakuan"


def _form(qtbot: QtBot, width: int) -> tuple[QWidget, dict[str, WrappingText], list[QLineEdit]]:
    host = QWidget()
    qtbot.addWidget(host)
    font = host.font()
    font.setPixelSize(40)  # "A+"
    host.setFont(font)
    form = QFormLayout(host)
    captions, fields = {}, []
    for words in (SHORT, LONG_WORD, SIXTY):
        caption = wrapping_text(centred=False, beside=True)
        caption.setText(words)
        field = QLineEdit()
        field.setMinimumWidth(200)
        form.addRow(caption, field)
        captions[words] = caption
        fields.append(field)
    host.resize(width, 900)
    host.show()
    qtbot.waitExposed(host)
    for _ in range(3):
        QApplication.processEvents()
    return host, captions, fields


def test_a_caption_beside_its_field_breaks_only_a_word_wider_than_its_room(
    qtbot: QtBot,
) -> None:
    host, captions, fields = _form(qtbot, 800)
    assert layout_problems(host, 1) == []  # every line within its caption, none cut
    assert host.minimumSizeHint().width() <= 800  # the form asks no more than it has
    short = captions[SHORT]
    assert short.shown() == SHORT  # on one line
    assert short.heightForWidth(short.width()) <= short.fontMetrics().lineSpacing() + 2
    assert captions[LONG_WORD].shown() == LONG_WORD  # whole, though its field wants room
    sixty = captions[SIXTY]
    assert BREAK in sixty.shown() and sixty.text() == SIXTY  # broken where its line is full
    assert sixty.accessibleName() == SIXTY
    assert sixty.width() >= captions[LONG_WORD].whole_width()  # a column, not a sliver
    for field in fields:
        assert field.width() >= field.minimumWidth()
