"""Hospital desk mode (``kiosk run --desk``): the tap fills the form, staff edit and print (#7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.config import SessionSection
from kiosk.session.events import (
    Confirmed,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    NotifyNumberWanted,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from offline_store import Store
from testkit.kiosk_window import (
    SITI_STRINGS,
    button_with,
    click,
    demo_config,
    running_kiosk,
    visible_strings,
    wait_phase,
)
from ui.app import build_window
from ui.window import KioskWindow


@pytest.fixture
def desk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central, session=SessionSection(desk_idle_timeout_s=900.0))
    store = Store.open(config.store_path)
    window = build_window(config, store, demo=True, use_pcscd=False, desk=True)
    qtbot.addWidget(window)
    window.resize(1400, 1000)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=5000)
        yield window
    finally:
        window.controller.stop()
        window.executor.wait_for_done(3000)
        store.close()


def test_a_tap_fills_the_form_staff_edit_it_and_the_ticket_is_listed(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    assert desk.desk is not None and not desk.locked
    assert desk.controller._machine.timeouts.idle == 900.0, "the desk's own, longer timeout"
    click(qtbot, button_with(desk, "Siti Aminah"))
    wait_phase(qtbot, desk, Phase.IDENTIFIED)
    desk.controller.dispatch(ServiceSelected("puskesmas-umum"))
    desk.controller.dispatch(FormOpened())
    name = desk.findChild(QLineEdit, "field_full_name")
    nik = desk.findChild(QLineEdit, "field_nik")
    phone = desk.findChild(QLineEdit, "field_phone")
    assert name is not None and nik is not None and phone is not None
    assert name.text() == "Siti Aminah" and not name.isReadOnly(), "staff may correct the card"
    name.setText("Siti Aminah Lubis")
    phone.setText("081234567890")
    click(qtbot, button_with(desk, "Lanjut"))
    wait_phase(qtbot, desk, Phase.CONFIRMING)
    assert desk.controller.session().values["full_name"].value == "Siti Aminah Lubis"
    assert desk.controller.session().values["nik"].value == "1471015203850001"

    desk.controller.dispatch(Confirmed())
    desk.controller.dispatch(NotifyAnswered(desk.controller.session().session, False))
    wait_phase(qtbot, desk, Phase.TICKET_ISSUED)
    ticket = desk.controller.session().ticket
    assert ticket is not None
    today = desk.desk.today
    qtbot.waitUntil(lambda: ticket.number in today.item(0).text(), timeout=5000)
    assert "Pendaftaran Poli Umum Puskesmas" in today.item(0).text()

    click(qtbot, button_with(desk, "Pasien berikutnya"))
    assert desk.controller.session().phase is Phase.IDLE
    shown = visible_strings(desk)
    assert [s for s in (*SITI_STRINGS, "Lubis") if s in shown] == []
    assert ticket.number in today.item(0).text(), "today's list stays: it has no personal data"


def test_next_patient_mid_form_wipes_the_session(desk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(desk, "Budi Santoso"))
    wait_phase(qtbot, desk, Phase.IDENTIFIED)
    desk.controller.dispatch(ServiceSelected("puskesmas-umum"))
    desk.controller.dispatch(FormOpened())
    assert "Budi Santoso" in visible_strings(desk)
    click(qtbot, button_with(desk, "Pasien berikutnya"))
    assert desk.controller.session().phase is Phase.IDLE
    assert "Budi" not in visible_strings(desk)


@pytest.mark.parametrize("keypad", [False, True], ids=["question", "keypad"])
def test_next_patient_on_the_consent_question_ends_the_session(
    desk: KioskWindow, qtbot: QtBot, keypad: bool
) -> None:
    click(qtbot, button_with(desk, "Siti Aminah"))
    wait_phase(qtbot, desk, Phase.IDENTIFIED)
    c = desk.controller
    c.dispatch(ServiceSelected("puskesmas-umum"))
    c.dispatch(FormOpened())
    c.dispatch(FormSubmitted({"phone": "081234567890"}))
    c.dispatch(Confirmed())
    wait_phase(qtbot, desk, Phase.CONSENT)
    if keypad:
        c.dispatch(NotifyNumberWanted(c.session().session))
        wait_phase(qtbot, desk, Phase.CONSENT_PHONE)
    click(qtbot, button_with(desk, "Pasien berikutnya"))
    assert c.session().phase is Phase.IDLE, "the patient who left gets no ticket later"
    assert [s for s in (*SITI_STRINGS, "0812 ••••• 890") if s in visible_strings(desk)] == []


def test_the_kiosk_keeps_card_values_locked(
    tmp_path: Path, qtbot: QtBot, demo_central: str
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=5000)
        assert window.desk is None
        click(qtbot, button_with(window, "Siti Aminah"))
        wait_phase(qtbot, window, Phase.IDENTIFIED)
        window.controller.dispatch(ServiceSelected("puskesmas-umum"))
        window.controller.dispatch(FormOpened())
        name = window.findChild(QLineEdit, "field_full_name")
        assert name is not None and name.isReadOnly()
