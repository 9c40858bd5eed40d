"""Pengaduan on the touchscreen: category, text by the on-screen keyboard, reference."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.session.machine import Phase
from kiosk.tickets.complaints import reference_for
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    every_string,
    offline_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.layout_checks import SIZES, ink_lines, layout_problems, widest_reference
from ui.screens.complaint import ComplaintFiledScreen, ComplaintScreen
from ui.screens.consent import ConsentPhoneScreen
from ui.theme import min_text_px, min_touch_px
from ui.window import KioskWindow

REFERENCE = re.compile(r"ADU-\w{4}-\w{4}-\w{4}")


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def type_on(qtbot: QtBot, screen: ComplaintScreen, text: str) -> None:
    for ch in text:
        if ch.isupper():
            qtbot.mouseClick(screen.keyboard.keys["shift"], Qt.MouseButton.LeftButton)
        key = "space" if ch == " " else ch.lower()
        qtbot.mouseClick(screen.keyboard.keys[key], Qt.MouseButton.LeftButton)


def send_without_notice(qtbot: QtBot, kiosk: KioskWindow) -> ComplaintFiledScreen:
    """Send the complaint on screen, answer "no" to the notice, and its filed screen."""
    click(qtbot, button_with(kiosk, "Kirim pengaduan"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    click(qtbot, button_with(kiosk, "Tidak"))
    wait_phase(qtbot, kiosk, Phase.COMPLAINT_FILED)
    filed = kiosk.screens[Phase.COMPLAINT_FILED]
    assert isinstance(filed, ComplaintFiledScreen)
    return filed


def test_complaint_with_a_card_is_queued_printed_and_wiped(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    click(qtbot, button_with(kiosk, "Sampaikan pengaduan"))
    wait_phase(qtbot, kiosk, Phase.COMPLAINT)
    screen = kiosk.screens[Phase.COMPLAINT]
    assert isinstance(screen, ComplaintScreen)
    assert screen.keyboard.isVisible() and screen.keyboard.target is screen.text
    assert not screen.anonymous.isVisible()  # she has a card: not anonymous

    click(qtbot, button_with(kiosk, "Kirim pengaduan"))  # no category, no text
    assert kiosk.controller.session().phase is Phase.COMPLAINT
    assert screen.error.isVisible() and "Pilih salah satu kategori" in screen.error.text()
    click(qtbot, screen.categories["antrean"])
    click(qtbot, button_with(kiosk, "Kirim pengaduan"))
    assert "Tulis isi pengaduan Anda" in screen.error.text()
    type_on(qtbot, screen, "Antrean lama sekali")
    assert screen.text.toPlainText() == "Antrean lama sekali"
    assert screen.chars.text() == "19 / 2000 karakter"
    click(qtbot, button_with(kiosk, "Kirim pengaduan"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)  # the ticket's question, worded for a complaint
    assert "Pesan singkat saat pengaduan Anda sudah dijawab." in every_string(kiosk)
    click(qtbot, button_with(kiosk, "Kembali"))  # back: her text is still there
    wait_phase(qtbot, kiosk, Phase.COMPLAINT)
    assert screen.text.toPlainText() == "Antrean lama sekali"
    filed = send_without_notice(qtbot, kiosk)
    reference = filed.reference.text()
    assert REFERENCE.fullmatch(reference)
    assert "Silakan ambil bukti pengaduan Anda" in filed.paper.text()
    [pdf] = (tmp_path / "tickets").glob("pengaduan-*.pdf")
    assert reference in PdfReader(pdf).pages[0].extract_text()
    # one outbox row whose key the reference comes from (the sync engine may have sent it)
    store = kiosk.kiosk.store
    items = [i for state in ("pending", "sending", "delivered") for i in store.outbox(state)]
    [item] = [i for i in items if i.kind == "complaint"]
    assert reference_for(item.key) == reference
    if item.state != "delivered":
        assert item.payload["card_number"] == "PKU-000001"
        assert item.payload["text"] == "Antrean lama sekali"
        assert "notify" not in item.payload  # she said no

    click(qtbot, button_with(kiosk, "Selesai"))
    wait_phase(qtbot, kiosk, Phase.DONE)
    left = every_string(kiosk)
    assert [s for s in ("Antrean lama", reference, "Siti", "Aminah") if s in left] == []
    assert not screen.text.document().isUndoAvailable()


def test_anonymous_complaint_from_the_attract_screen(tmp_path: Path, qtbot: QtBot) -> None:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config) as kiosk:
        click(qtbot, button_with(kiosk, "Sampaikan pengaduan"))
        wait_phase(qtbot, kiosk, Phase.COMPLAINT)
        screen = kiosk.screens[Phase.COMPLAINT]
        assert isinstance(screen, ComplaintScreen)
        assert screen.anonymous.isVisible()
        assert "tanpa nama" in screen.anonymous.text()
        click(qtbot, screen.categories["kiosk"])
        type_on(qtbot, screen, "Layar")
        click(qtbot, button_with(kiosk, "Kirim pengaduan"))
        wait_phase(qtbot, kiosk, Phase.CONSENT)
        assert "Kirim pemberitahuan ke HP Anda?" in every_string(kiosk)  # no card, no number
        click(qtbot, button_with(kiosk, "Ya, kirim"))
        wait_phase(qtbot, kiosk, Phase.CONSENT_PHONE)  # anonymous: the keypad
        keypad = kiosk.screens[Phase.CONSENT_PHONE]
        assert isinstance(keypad, ConsentPhoneScreen)
        assert "pemberitahuan pengaduan ini" in keypad.hint.text()
        for digit in "081299990000":
            click(qtbot, keypad.keys[digit])
        click(qtbot, keypad.ok)
        wait_phase(qtbot, kiosk, Phase.COMPLAINT_FILED)  # offline: stored, sent later
        [item] = kiosk.kiosk.store.outbox()
        assert item.kind == "complaint" and item.payload["card_number"] is None
        assert item.payload["category"] == "kiosk" and item.payload["text"] == "Layar"
        assert item.payload["notify"] == {"phone": "081299990000"}

        click(qtbot, button_with(kiosk, "Selesai"))
        wait_phase(qtbot, kiosk, Phase.DONE)
        click(qtbot, button_with(kiosk, "Selesai"))
        wait_phase(qtbot, kiosk, Phase.IDLE)
        click(qtbot, button_with(kiosk, "Sampaikan pengaduan"))
        wait_phase(qtbot, kiosk, Phase.COMPLAINT)
        assert screen.text.toPlainText() == "" and screen.category == ""  # nothing left over
        assert "0812 9999 0000" not in every_string(kiosk) and keypad.entered == ""
        click(qtbot, button_with(kiosk, "Kembali"))
        wait_phase(qtbot, kiosk, Phase.IDLE)


def test_the_widest_reference_is_one_line_within_a_portrait_screen_at_a_plus(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """A reference whose groups begin with a digit cannot break (no line breaks between a
    hyphen and a number): at "A+" on a portrait screen, one in wide letters grew the
    window past the screen. It is painted on one line, smaller where the theme's type does
    not fit (never under the body's size); the window keeps its size."""
    width, height = SIZES["portrait"]
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config, width=width, height=height) as kiosk:
        kiosk.controller.set_larger_text(True)
        click(qtbot, button_with(kiosk, "Sampaikan pengaduan"))
        wait_phase(qtbot, kiosk, Phase.COMPLAINT)
        screen = kiosk.screens[Phase.COMPLAINT]
        assert isinstance(screen, ComplaintScreen)
        click(qtbot, screen.categories["antrean"])
        type_on(qtbot, screen, "Lama")
        filed = send_without_notice(qtbot, kiosk)
        state = kiosk.controller.session()
        assert state.complaint is not None
        wide = widest_reference(filed.reference.font())
        receipt = dataclasses.replace(state.complaint, reference=wide)
        filed.render_state(dataclasses.replace(state, complaint=receipt), kiosk.view)
        QApplication.processEvents()
        assert QLabel.text(filed.reference) == wide  # nothing put between its letters
        assert ink_lines(filed.reference) == 1
        dpi = config.kiosk.screen_dpi
        assert layout_problems(kiosk, min_touch_px(dpi)) == []
        assert kiosk.size().toTuple() == (width, height)
        shown = QFontInfo(filed.reference.shown_font()).pixelSize()
        assert min_text_px(dpi) <= shown < QFontInfo(filed.reference.font()).pixelSize()
