"""The form on the touchscreen: where each value came from, what is locked, the keyboard,
choices as tiles or a full-screen list, the steps, and the summary card."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.session.events import Back, Cancel, FormOpened, ServiceSelected, UserActivity
from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.kiosk_window import (
    RECORD_DEADLINE_S,
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.keyboard import BACKSPACE, Mode
from ui.screens.choice import ChoiceField
from ui.screens.form import ConfirmScreen, FormScreen
from ui.window import KioskWindow

SITI_RECORD_PHONE = "081378901234"  # central/demo_data/citizens.json


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def kiosk(
    tmp_path: Path, demo_central: str, qtbot: QtBot, clock: ManualClock
) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central, record_deadline_s=RECORD_DEADLINE_S)
    with running_kiosk(qtbot, config, clock=clock) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def open_form(qtbot: QtBot, kiosk: KioskWindow, card: str, service_id: str) -> FormScreen:
    click(qtbot, button_with(kiosk, card))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    tile = next(
        b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == service_id
    )
    click(qtbot, tile)
    wait_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
    click(qtbot, button_with(kiosk, "Daftar layanan ini"))
    wait_phase(qtbot, kiosk, Phase.FORM)
    form = kiosk.screens[Phase.FORM]
    assert isinstance(form, FormScreen)
    return form


def source_of(form: FormScreen, name: str) -> str:
    label = form.sources[name]
    assert isinstance(label, QLabel)
    return label.text()


def shown_in_scroll_area(form: FormScreen, editor: QWidget) -> bool:
    viewport = form.scroll_area.viewport()
    where = QRect(editor.mapTo(viewport, QPoint(0, 0)), editor.size())
    return viewport.rect().contains(where)


def tap_keys(qtbot: QtBot, form: FormScreen, *keys: str) -> None:
    keyboard = form.keyboard
    keys_now = keyboard.pad_keys if keyboard.mode is not Mode.TEXT else keyboard.keys
    for key in keys:
        qtbot.mouseClick(keys_now[key], Qt.MouseButton.LeftButton)


def test_values_say_where_they_came_from_and_card_values_are_locked(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form = open_form(qtbot, kiosk, "Siti Aminah", "puskesmas-umum")
    name, phone = form.editors["full_name"], form.editors["phone"]
    assert isinstance(name, QLineEdit) and isinstance(phone, QLineEdit)
    assert (name.text(), name.isReadOnly(), source_of(form, "full_name")) == (
        "Siti Aminah",
        True,
        "dari kartu",
    )
    assert name.focusPolicy() == Qt.FocusPolicy.NoFocus  # the keyboard never opens on it
    # The city's record fills the phone; the catalog lets the citizen change it.
    assert (phone.text(), phone.isReadOnly(), source_of(form, "phone")) == (
        SITI_RECORD_PHONE,
        False,
        "dari data kota",
    )
    assert source_of(form, "complaint") == ""  # typed by the citizen: no origin shown


def test_keyboard_opens_on_the_first_empty_field_and_a_tap_moves_it(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form = open_form(qtbot, kiosk, "Siti Aminah", "puskesmas-umum")
    complaint = form.editors["complaint"]
    assert isinstance(complaint, QPlainTextEdit)
    assert form.keyboard.isVisible() and form.keyboard.target is complaint
    assert form.keyboard.mode is Mode.TEXT
    tap_keys(qtbot, form, "shift", "d", "e", "m", "a", "m")
    assert complaint.toPlainText() == "Demam"

    phone = form.editors["phone"]
    assert isinstance(phone, QLineEdit)
    click(qtbot, phone)
    assert form.keyboard.target is phone and form.keyboard.mode is Mode.PHONE
    assert form.keyboard.pages.currentWidget() is form.keyboard.pad_page
    tap_keys(qtbot, form, *([BACKSPACE] * 4), "9", "9", "9", "9")
    assert phone.text() == SITI_RECORD_PHONE[:-4] + "9999"

    click(qtbot, form.editors["nik"])  # locked: the keyboard stays where it was
    assert form.keyboard.target is phone


def test_validation_message_beside_the_field_and_typing_survives_a_tap(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form = open_form(qtbot, kiosk, "Budi Santoso", "ktp-cetak-ulang")
    phone = form.editors["phone"]
    assert isinstance(phone, QLineEdit)
    click(qtbot, phone)
    phone.clear()
    tap_keys(qtbot, form, "0", "8", "1")
    kiosk.dispatch(UserActivity())  # a render for a tap elsewhere keeps what is typed
    assert phone.text() == "081"
    click(qtbot, button_with(kiosk, "Lanjut"))
    assert kiosk.controller.session().phase is Phase.FORM
    assert form.errors["phone"].text() == "Nomor HP tidak valid (contoh: 081234567890)"
    assert form.errors["reason"].text() == "Wajib diisi"
    # the message sits in the field's own column, right under it
    assert form.errors["phone"].parentWidget() is phone.parentWidget()
    assert form.keyboard.target is phone  # back on the first field to fix
    tap_keys(qtbot, form, "2", "3", "4", "5", "6", "7", "8")
    assert phone.text() == "0812345678"


def test_the_field_being_typed_is_scrolled_above_the_keyboard_in_landscape(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config, width=1920, height=1080) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        form = open_form(qtbot, kiosk, "Siti Aminah", "puskesmas-umum")
        complaint = form.editors["complaint"]  # the last field: under the fold at first
        assert form.keyboard.target is complaint
        qtbot.waitUntil(lambda: shown_in_scroll_area(form, complaint), timeout=2000)
        click(qtbot, form.editors["phone"])
        qtbot.waitUntil(lambda: shown_in_scroll_area(form, form.editors["phone"]), timeout=2000)


def test_a_short_choice_is_big_tiles_and_its_value_reaches_the_session(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form = open_form(qtbot, kiosk, "Budi Santoso", "ktp-cetak-ulang")
    assert kiosk.findChildren(QComboBox) == []  # no dropdown left on the touchscreen
    reason = form.editors["reason"]
    assert isinstance(reason, ChoiceField) and reason.opener is None
    rusak, hilang = reason.tiles
    assert (rusak.text(), hilang.text()) == ("Rusak", "Hilang")
    assert min(rusak.width(), rusak.height(), hilang.height()) >= kiosk.view.touch_px
    assert reason.value() == "" and not rusak.isChecked()
    click(qtbot, button_with(kiosk, "Lanjut"))  # nothing chosen: the message beside it
    assert form.errors["reason"].text() == "Wajib diisi"
    assert form.errors["reason"].parentWidget() is reason.parentWidget()
    click(qtbot, hilang)
    click(qtbot, rusak)  # like radio buttons: one at a time
    assert (rusak.isChecked(), hilang.isChecked(), reason.value()) == (True, False, "Rusak")
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    assert kiosk.controller.session().values["reason"].value == "Rusak"


def test_a_long_choice_opens_a_full_screen_list(kiosk: KioskWindow, qtbot: QtBot) -> None:
    form = open_form(qtbot, kiosk, "Budi Santoso", "izin-usaha-mikro")
    kind = form.editors["business_kind"]
    assert isinstance(kind, ChoiceField) and kind.tiles == [] and kind.opener is not None
    assert kind.opener.text() == "Ketuk untuk memilih"
    click(qtbot, kind.opener)
    assert form.choice_list.isVisible() and form.choice_list.geometry() == form.rect()
    assert form.choice_list.title.text() == "Jenis usaha"
    rows = form.choice_list.rows
    assert [r.text() for r in rows][:2] == ["Toko dan dagang", "Makanan dan minuman"]
    assert all(r.height() >= kiosk.view.touch_px for r in rows)
    click(qtbot, rows[2])
    assert not form.choice_list.isVisible()
    assert (kind.value(), kind.opener.text()) == ("Jasa", "Jasa")  # shown on the form
    click(qtbot, kind.opener)
    assert [r.isChecked() for r in form.choice_list.rows][2]  # the chosen one is marked
    click(qtbot, form.choice_list.back)  # back without changing it
    assert not form.choice_list.isVisible() and kind.value() == "Jasa"
    form.editors["business_name"].setText("Warung Budi")  # type: ignore[union-attr]
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    assert kiosk.controller.session().values["business_kind"].value == "Jasa"


def test_the_session_ending_with_the_list_open_closes_it_and_leaves_nothing_chosen(
    kiosk: KioskWindow, qtbot: QtBot, clock: ManualClock
) -> None:
    form = open_form(qtbot, kiosk, "Budi Santoso", "izin-usaha-mikro")
    kind = form.editors["business_kind"]
    assert isinstance(kind, ChoiceField) and kind.opener is not None
    click(qtbot, kind.opener)
    click(qtbot, form.choice_list.rows[2])
    click(qtbot, kind.opener)  # open again, her choice marked in it
    kiosk.controller.set_larger_text(True)
    assert form.choice_list.isVisible() and form.choice_list.rows[2].isChecked()
    clock.advance(kiosk.controller._machine.timeouts.idle + 1)  # she walked away
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert form.choice_list.isHidden() and form.choice_list.field is None
    assert form.choice_list.rows == [] and form.choice_list.title.text() == ""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the rows let go
    chosen = [b for b in kiosk.findChildren(QPushButton) if b.isCheckable() and b.isChecked()]
    assert [b.text() for b in chosen if b.property("choice")] == []
    assert not kiosk.controller.status().larger_text and not kiosk.view.larger_text


def test_a_locked_choice_stays_as_it_came_and_the_wipe_clears_a_choice(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form = open_form(qtbot, kiosk, "Budi Santoso", "ktp-cetak-ulang")
    reason = form.editors["reason"]
    assert isinstance(reason, ChoiceField)
    reason.set_value("Hilang", locked=True)  # as a value pre-filled from a card or record
    click(qtbot, reason.tiles[0])
    assert reason.value() == "Hilang" and not reason.tiles[0].isEnabled()
    reason.set_value("", locked=False)
    click(qtbot, reason.tiles[1])
    assert reason.value() == "Hilang"
    assert reason.tiles[1].isChecked()
    kiosk.dispatch(Cancel())  # the session ends: nothing chosen is left anywhere
    wait_phase(qtbot, kiosk, Phase.IDLE)
    # the rows stay built for the next citizen of this form, every one of them empty
    assert reason.value() == "" and not reason.locked
    assert {n: e.text() for n, e in form.editors.items() if isinstance(e, QLineEdit)} == {
        "full_name": "",
        "nik": "",
        "phone": "",
    }
    chosen = [b for b in kiosk.findChildren(QPushButton) if b.isCheckable() and b.isChecked()]
    assert [b.text() for b in chosen if b.property("choice")] == []


def test_steps_and_the_summary_card_say_where_each_value_came_from(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form = open_form(qtbot, kiosk, "Siti Aminah", "puskesmas-umum")
    assert form.progress.text() == "Langkah 2 dari 3"
    tap_keys(qtbot, form, "shift", "d", "e", "m", "a", "m")
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    confirm = kiosk.screens[Phase.CONFIRMING]
    assert isinstance(confirm, ConfirmScreen)
    assert confirm.progress.text() == "Langkah 3 dari 3"
    assert confirm.service.text() == "Pendaftaran Poli Umum Puskesmas"
    assert confirm.card.width() >= kiosk.width() * 0.8  # fills the width
    labels = [w.text() for w in confirm.rows.findChildren(QLabel)]
    rows = list(zip(labels[0::3], labels[1::3], labels[2::3], strict=True))
    assert ("Nama lengkap", "dari kartu", "Siti Aminah") in rows
    assert ("Nomor HP", "dari data kota", SITI_RECORD_PHONE) in rows
    assert ("Keluhan utama", "Anda isi", "Demam") in rows
    # a date as people write it; the session keeps (and submits) the ISO date
    assert ("Tanggal lahir", "dari kartu", "12 Maret 1985") in rows
    assert kiosk.controller.session().values["date_of_birth"].value == "1985-03-12"
    # the action below the card, big, with "Kembali" beside it
    assert confirm.confirm.mapTo(confirm, confirm.confirm.rect().topLeft()).y() > (
        confirm.scroll_area.geometry().bottom()
    )
    assert confirm.confirm.width() > confirm.back.width()
    kiosk.toggle_language()
    assert confirm.progress.text() == "Step 3 of 3"
    assert "12 March 1985" in [w.text() for w in confirm.rows.findChildren(QLabel)]


def test_an_english_screen_shows_the_choices_in_english_and_sends_their_value(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form = open_form(qtbot, kiosk, "Budi Santoso", "ktp-cetak-ulang")
    kiosk.toggle_language()  # the form is built again in English
    reason = form.editors["reason"]
    assert isinstance(reason, ChoiceField)
    damaged, lost = reason.tiles
    assert (damaged.text(), lost.text()) == ("Damaged", "Lost")
    assert lost.accessibleName() == "Lost"  # what a screen reader and the voice say
    click(qtbot, lost)
    click(qtbot, button_with(kiosk, "Next"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    assert kiosk.controller.session().values["reason"].value == "Hilang"  # the value sent
    confirm = kiosk.screens[Phase.CONFIRMING]
    shown = [w.text() for w in confirm.findChildren(QLabel)]
    assert "Lost" in shown and "Hilang" not in shown
    c = kiosk.controller
    c.dispatch(Back())
    c.dispatch(Back())
    c.dispatch(Back())
    c.dispatch(ServiceSelected("izin-usaha-mikro"))
    c.dispatch(FormOpened())
    kind = form.editors["business_kind"]
    assert isinstance(kind, ChoiceField) and kind.opener is not None
    click(qtbot, kind.opener)
    assert [r.text() for r in form.choice_list.rows][:2] == ["Shop and trade", "Food and drink"]
    click(qtbot, form.choice_list.rows[2])
    assert (kind.value(), kind.opener.text()) == ("Jasa", "Services")
