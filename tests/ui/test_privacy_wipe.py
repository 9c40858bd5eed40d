"""Every ending of a session leaves nothing of the citizen in any widget (#7, privacy).

The walk covers the whole widget tree, shown or hidden: labels, fields,
buttons, combo and list items, titles, tooltips and accessible names
(:func:`every_string`), and each text field's undo history. Nothing keeps her in
memory either: no identity, value or state of hers is alive once the session ends.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.readers.simulated import SimulatedReader
from contract.bookings import BookingState
from kiosk.session import consent
from kiosk.session.events import OtherServices
from kiosk.session.machine import Phase, SessionState
from kiosk.session.prefill import FieldValue
from offline_store.errors import StoreFull
from printing.layouts.qr import kept_codes
from testkit.cards import citizen_claims, demo_issued
from testkit.clocks import ManualClock
from testkit.kiosk_window import (
    RECORD_DEADLINE_S,
    SITI_STRINGS,
    button_with,
    cache_booking,
    click,
    demo_config,
    every_string,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
    wrapping_caches,
)
from testkit.todays_bookings import booking
from ui.screens.appointment import AppointmentScreen
from ui.screens.complaint import ComplaintScreen
from ui.screens.consent import ConsentPhoneScreen
from ui.screens.form import ConfirmScreen, FormScreen
from ui.screens.services import ServiceDetailScreen
from ui.screens.wrapping import BREAK, WrappingText
from ui.window import KioskWindow

TYPED_PHONE = "081299990000"
TYPED_TEXT = "batuk kering"
#: The number she types on the consent keypad for messages, as the keypad shows it.
NOTIFY_PHONE = "081377778888"
NOTIFY_SHOWN = "0813 7777 8888"
#: What the card, her city record (central/demo_data/citizens.json) and her typing hold.
PERSONAL = (
    *SITI_STRINGS,
    "1985-03-12",  # date of birth, from the card
    "RM-2019-004211",  # her medical record number in the city's record
    "1471010203110001",  # family card number, in the record
    TYPED_PHONE,
    TYPED_TEXT,
    "0812 ••••• 000",  # the typed phone as the consent question shows it
    "000?",
    NOTIFY_PHONE,
    NOTIFY_SHOWN,
    "7777",
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


#: What earlier tests of the same run left alive (their harness may hold a log record
#: or a failure's traceback): held here, so no id is reused, and not counted.
_EARLIER: list[object] = []


@pytest.fixture
def kiosk(
    tmp_path: Path, demo_central: str, qtbot: QtBot, clock: ManualClock
) -> Iterator[KioskWindow]:
    _EARLIER[:] = _personal_objects()
    # Her city record comes in every test here (its phone fills the form, its number is
    # offered by the consent question, and the wipe must forget it): a bound a loaded
    # machine meets, not the kiosk's 1.5 s, past which the form is one these tests do
    # not describe (its phone empty, the keyboard opened on it).
    config = demo_config(tmp_path, demo_central, record_deadline_s=RECORD_DEADLINE_S)
    with running_kiosk(qtbot, config, clock=clock) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def fill_the_form(qtbot: QtBot, kiosk: KioskWindow) -> FormScreen:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert kiosk.controller.session().record is not None, "her city record did not come"
    tile = next(
        b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == "puskesmas-umum"
    )
    click(qtbot, tile)
    click(qtbot, button_with(kiosk, "Daftar layanan ini"))
    wait_phase(qtbot, kiosk, Phase.FORM)
    form = kiosk.screens[Phase.FORM]
    assert isinstance(form, FormScreen)
    # The record filled the phone: the keyboard opened on the complaint, the one field left.
    assert form.keyboard.target is form.editors["complaint"]
    keys = form.keyboard.keys
    for ch in TYPED_TEXT:
        qtbot.mouseClick(keys["space" if ch == " " else ch], Qt.MouseButton.LeftButton)
    phone = form.editors["phone"]
    assert isinstance(phone, QLineEdit)
    click(qtbot, phone)
    phone.selectAll()
    for ch in TYPED_PHONE:
        qtbot.mouseClick(form.keyboard.pad_keys[ch], Qt.MouseButton.LeftButton)
    shown = every_string(kiosk)
    # the walk does see her data while the session runs (else it proves nothing)
    on_screen = ("Siti Aminah", "1471015203850001", "1985-03-12", TYPED_PHONE, TYPED_TEXT)
    assert [s for s in on_screen if s not in shown] == []
    return form


def assert_wiped(kiosk: KioskWindow) -> None:
    left = every_string(kiosk)
    assert [s for s in PERSONAL if s in left] == []
    for field in kiosk.findChildren(QLineEdit):
        assert not field.isUndoAvailable(), field.objectName()
    for area in kiosk.findChildren(QPlainTextEdit):
        assert not area.document().isUndoAvailable(), area.objectName()
    state = kiosk.controller.session()
    assert not state.personal and state.record is None
    assert alive_of_hers() == []
    assert kept_codes() == 0, "her ticket's page address is kept"


def _personal_objects() -> list[object]:
    gc.collect()
    return [
        o
        for o in gc.get_objects()
        if isinstance(o, CardIdentity | Citizen | FieldValue)
        or (isinstance(o, SessionState) and (o.personal or o.record is not None))
    ]


def alive_of_hers() -> list[str]:
    """What of this test's citizen any object still holds: identities, values, her states."""
    earlier = {id(o) for o in _EARLIER}
    return [type(o).__name__ for o in _personal_objects() if id(o) not in earlier]


def type_another_number(qtbot: QtBot, kiosk: KioskWindow, digits: str) -> None:
    """From the confirmation: the consent question, then "Nomor lain" and its keypad."""
    click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    assert "Kirim pemberitahuan ke 0812 ••••• 000?" in every_string(kiosk)
    click(qtbot, button_with(kiosk, "Nomor lain"))
    wait_phase(qtbot, kiosk, Phase.CONSENT_PHONE)
    keypad = kiosk.screens[Phase.CONSENT_PHONE]
    assert isinstance(keypad, ConsentPhoneScreen)
    for digit in digits:
        click(qtbot, keypad.keys[digit])
    assert consent.grouped(digits) in every_string(kiosk)  # the walk sees what she typed


def test_after_the_ticket(kiosk: KioskWindow, qtbot: QtBot) -> None:
    fill_the_form(qtbot, kiosk)
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    assert TYPED_PHONE in every_string(kiosk)  # the summary shows it
    type_another_number(qtbot, kiosk, NOTIFY_PHONE)
    click(qtbot, button_with(kiosk, "OK"))  # the yes, for the number typed
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    assert kiosk.controller.session().notify_phone == NOTIFY_PHONE
    click(qtbot, button_with(kiosk, "Selesai"))
    wait_phase(qtbot, kiosk, Phase.DONE)
    assert_wiped(kiosk)


def test_after_cancel(kiosk: KioskWindow, qtbot: QtBot) -> None:
    fill_the_form(qtbot, kiosk)
    click(qtbot, button_with(kiosk, "Kembali"))
    click(qtbot, button_with(kiosk, "Kembali"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    click(qtbot, button_with(kiosk, "Batal"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert_wiped(kiosk)


def test_after_the_unanswered_question(
    kiosk: KioskWindow, qtbot: QtBot, clock: ManualClock
) -> None:
    """Half a number typed, then no touch: a no, the ticket, and then nothing left."""
    fill_the_form(qtbot, kiosk)
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    type_another_number(qtbot, kiosk, NOTIFY_PHONE[:8])
    clock.advance(kiosk.controller._machine.timeouts.consent + 1)
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    assert kiosk.controller.session().notify_phone is None
    clock.advance(kiosk.controller._machine.timeouts.ticket_display + 1)
    wait_phase(qtbot, kiosk, Phase.DONE)
    assert_wiped(kiosk)


def test_after_a_complaint_and_its_question(kiosk: KioskWindow, qtbot: QtBot) -> None:
    """Her complaint, a yes with a number typed on the keypad, filed: nothing left."""
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    click(qtbot, button_with(kiosk, "Sampaikan pengaduan"))
    wait_phase(qtbot, kiosk, Phase.COMPLAINT)
    complaint = kiosk.screens[Phase.COMPLAINT]
    assert isinstance(complaint, ComplaintScreen)
    click(qtbot, complaint.categories["antrean"])
    for ch in TYPED_TEXT:
        click(qtbot, complaint.keyboard.keys["space" if ch == " " else ch])
    click(qtbot, button_with(kiosk, "Kirim pengaduan"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    assert kiosk.controller.session().complaint_draft is not None
    click(qtbot, button_with(kiosk, "Nomor lain"))  # her record's phone is offered
    wait_phase(qtbot, kiosk, Phase.CONSENT_PHONE)
    keypad = kiosk.screens[Phase.CONSENT_PHONE]
    assert isinstance(keypad, ConsentPhoneScreen)
    for digit in NOTIFY_PHONE:
        click(qtbot, keypad.keys[digit])
    assert NOTIFY_SHOWN in every_string(kiosk) and TYPED_TEXT in every_string(kiosk)
    click(qtbot, button_with(kiosk, "OK"))
    wait_phase(qtbot, kiosk, Phase.COMPLAINT_FILED)
    assert kiosk.controller.session().notify_phone == NOTIFY_PHONE
    click(qtbot, button_with(kiosk, "Selesai"))
    wait_phase(qtbot, kiosk, Phase.DONE)
    assert_wiped(kiosk)


def test_after_the_idle_timeout(kiosk: KioskWindow, qtbot: QtBot, clock: ManualClock) -> None:
    fill_the_form(qtbot, kiosk)
    clock.advance(kiosk.controller._machine.timeouts.idle + 1)
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert not kiosk.warning.isVisible()
    assert_wiped(kiosk)


def test_after_an_error(
    kiosk: KioskWindow,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fails(*_args: object, **_kw: object) -> None:
        raise StoreFull("no room left on the disk")

    monkeypatch.setattr("kiosk.controller.issue_and_print", fails)
    # The failure's log record would keep its traceback, whose frames hold the ticket's
    # request: pytest keeps every record, where the kiosk's log handlers write and drop it.
    monkeypatch.setattr(logging.getLogger("kiosk.controller"), "disabled", True)
    fill_the_form(qtbot, kiosk)
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    assert alive_of_hers() != []  # the check sees her while the session runs
    click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))
    click(qtbot, button_with(kiosk, "Ya, kirim"))
    wait_phase(qtbot, kiosk, Phase.ERROR)
    assert_wiped(kiosk)


#: Her name as some cards hold it, without a space: one word wider than any line, so
#: the labels that show it paint it with a break between its letters.
UNSPACED = ("SitiAminahNurhayatiKusumawardhani" * 7)[:200]


def test_after_a_name_of_one_long_word(kiosk: KioskWindow, qtbot: QtBot) -> None:
    """The labels that break a word wider than their line (the greeting, her
    appointment's, the summary's value) keep nothing of hers once the session ends:
    not what they were given, not what they paint, not the words they measured."""
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    image = demo_issued(citizen_claims(full_name=UNSPACED), issued=issued)
    cache_booking(kiosk, booking(kiosk.controller.now().date()))  # her appointment first
    reader = kiosk.kiosk.reader
    assert isinstance(reader, SimulatedReader)
    reader.tap(CitizenCardApplet.from_image(image))
    wait_phase(qtbot, kiosk, Phase.APPOINTMENT)
    appointment = kiosk.screens[Phase.APPOINTMENT]
    assert isinstance(appointment, AppointmentScreen)
    assert BREAK in appointment.greeting.label.shown()  # broken inside, as painted
    assert UNSPACED in every_string(kiosk)  # the walk sees it there
    kiosk.controller.dispatch(OtherServices())
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    greeting = kiosk.screens[Phase.IDENTIFIED].greeting  # type: ignore[attr-defined]
    assert isinstance(greeting, WrappingText) and BREAK in greeting.shown()
    assert UNSPACED in "".join(wrapping_caches(greeting))  # and in what it measured
    tile = next(
        b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == "puskesmas-umum"
    )
    click(qtbot, tile)
    click(qtbot, button_with(kiosk, "Daftar layanan ini"))
    wait_phase(qtbot, kiosk, Phase.FORM)
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    summary = kiosk.screens[Phase.CONFIRMING]
    assert isinstance(summary, ConfirmScreen)
    assert BREAK in summary.summary["full_name"].value.shown()
    click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    click(qtbot, button_with(kiosk, "Tidak"))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    click(qtbot, button_with(kiosk, "Selesai"))
    wait_phase(qtbot, kiosk, Phase.DONE)
    left = every_string(kiosk)
    assert UNSPACED[:12] not in left and UNSPACED[-12:] not in left
    assert_wiped(kiosk)


@pytest.mark.parametrize(
    ("state", "told"),
    [
        (BookingState.CANCELLED, "Janji pukul 10.30 sudah dibatalkan."),
        (BookingState.CHECKED_IN, "Anda sudah check-in untuk janji pukul 10.30."),
    ],
)
def test_after_her_booking_was_told_on_the_service_grid(
    kiosk: KioskWindow, qtbot: QtBot, state: BookingState, told: str
) -> None:
    """Her booking of today cannot be used (cancelled, already checked in): the service
    grid says why, with its time. Once she cancels, that notice is gone with the rest."""
    qtbot.waitUntil(lambda: kiosk.kiosk.store.last_sync("bookings") is not None, timeout=10000)
    cache_booking(kiosk, booking(kiosk.controller.now().date(), state=state))
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert told in every_string(kiosk)  # the walk sees it while the session runs
    click(qtbot, button_with(kiosk, "Batal"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    left = every_string(kiosk)
    assert told not in left and "10.30" not in left, "her booking's time is still on a screen"
    assert_wiped(kiosk)


def test_after_she_looked_at_a_service(kiosk: KioskWindow, qtbot: QtBot) -> None:
    """The service she opened (a poli, here) says something of her: once she cancels,
    the detail screen names it no more, as the summary and the ticket forget theirs."""
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    tile = next(
        b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == "puskesmas-umum"
    )
    click(qtbot, tile)
    wait_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
    detail = kiosk.screens[Phase.SERVICE_CHOSEN]
    assert isinstance(detail, ServiceDetailScreen)
    described = "Daftar berobat ke poli umum puskesmas."  # said on the detail alone
    assert described in every_string(kiosk)  # the walk sees it while the session runs
    assert detail.name.text() == "Pendaftaran Poli Umum Puskesmas"
    click(qtbot, button_with(kiosk, "Kembali"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    click(qtbot, button_with(kiosk, "Batal"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert described not in every_string(kiosk), "the service she looked at is still named"
    # the grid's tile names it for everyone; the detail's title, for her alone
    assert (detail.name.text(), detail.scroll_area.accessibleName()) == ("", "")
    assert_wiped(kiosk)
