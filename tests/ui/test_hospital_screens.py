"""A hospital's poli on the real window, offline: a card tapped, the poli's doctors of
today with their hours and places left (a full one greyed and saying so), JKN, the form
filled from the card, and a ticket with the doctor and the estimated time counted from
the kiosk's cache; the registration waits in the outbox with its ``hospital`` object.
And the patient keypad: a number of the wrong length told in place."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from contract.hospital import Payer
from kiosk.config import Config, SessionSection
from kiosk.errors import SessionProblem
from kiosk.session.events import PatientKey
from kiosk.session.machine import Phase
from offline_store import Store
from testkit.hospital_kiosk import OFFICE, POLI, doctor, poli_catalog_json
from testkit.kiosk_window import button_with, click, offline_config, running_kiosk, wait_phase
from ui.screens.hospital import DoctorScreen, PatientNumberScreen, PayerScreen
from ui.screens.ticket import TicketScreen
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(60)

ANI = doctor(quota_jkn=10, left_jkn=4, quota_non_jkn=5, left_non_jkn=5, minutes=10)
BUDI = doctor("s-budi", "dr. Budi Santoso", left_jkn=0, left_non_jkn=0)


def hospital_config(tmp_path: Path) -> Config:
    config = offline_config(tmp_path)
    return dataclasses.replace(
        config,
        kiosk=dataclasses.replace(config.kiosk, office_id=OFFICE),
        session=SessionSection(ask_notify=False),
    )


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = hospital_config(tmp_path)
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(config.store_path)
    catalog = poli_catalog_json()
    store.save_catalog(catalog, '"poli"', catalog["version"])
    store.set_kiosk_code("K09")
    store.close()
    with running_kiosk(qtbot, config) as window:
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=5000)
        today = window.controller.now()
        window.kiosk.store.save_doctors(OFFICE, today.date(), [ANI, BUDI], now=today)
        yield window


def test_a_jkn_patient_picks_a_doctor_and_gets_a_ticket_with_the_doctor_offline(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    tile = next(b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == POLI)
    click(qtbot, tile)
    wait_phase(qtbot, kiosk, Phase.DOCTOR)
    screen = kiosk.screens[Phase.DOCTOR]
    assert isinstance(screen, DoctorScreen)
    ani, budi = screen.doctors[ANI.schedule_id], screen.doctors[BUDI.schedule_id]
    assert ani.text() == "dr. Ani Wijaya, Sp.PD\nJam praktik 08:00–12:00\nSisa kuota: JKN 4, umum 5"
    assert ani.isEnabled()
    assert "Penuh" in budi.text() and not budi.isEnabled()  # shown, not selectable
    click(qtbot, ani)
    wait_phase(qtbot, kiosk, Phase.PAYER)
    payer = kiosk.screens[Phase.PAYER]
    assert isinstance(payer, PayerScreen)
    assert payer.payers[Payer.JKN].text() == "JKN (BPJS Kesehatan)\nSisa 4 tempat"
    click(qtbot, payer.payers[Payer.JKN])
    wait_phase(qtbot, kiosk, Phase.FORM)
    card = kiosk.findChild(QLineEdit, "field_nomorkartu")
    assert card is not None and card.text() == "0001234567890"  # from the card
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)

    ticket = kiosk.controller.session().ticket
    assert ticket is not None and ticket.printed
    # offline: the place is the cache's 7th (6 JKN places were taken), 10 minutes each
    assert (ticket.doctor_name, ticket.estimated_at) == (ANI.doctor_name, "09:00")
    shown = kiosk.screens[Phase.TICKET_ISSUED]
    assert isinstance(shown, TicketScreen)
    assert shown.doctor.text() == "Dokter: dr. Ani Wijaya, Sp.PD" and shown.doctor.isVisible()
    assert shown.estimated.text() == "Perkiraan dilayani pukul 09:00"
    [pdf] = list((tmp_path / "tickets").glob("tiket-*.pdf"))
    text = " ".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Dokter: dr. Ani Wijaya, Sp.PD" in text and "pukul 09:00" in text
    store = kiosk.kiosk.store
    [item] = store.outbox("pending")
    assert item.payload["hospital"] == {
        "schedule_id": ANI.schedule_id,
        "payer": "jkn",
        "norm": "",
        "nomorkartu": "0001234567890",
        "new_patient": True,
        "jeniskunjungan": 1,
        "nomorreferensi": "",
    }
    # the place taken here counts until the centre's next list
    today = kiosk.controller.now().date()
    [cached] = [d for d in store.doctors_today(OFFICE, today) if d.schedule_id == ANI.schedule_id]
    assert cached.left_jkn == 3


def test_the_patient_keypad_tells_a_short_number_in_place(kiosk: KioskWindow, qtbot: QtBot) -> None:
    search = kiosk.attract.patient_search
    assert search is not None and search.isVisible()  # a hospital office's attract screen
    click(qtbot, search)
    wait_phase(qtbot, kiosk, Phase.PATIENT_NUMBER)
    screen = kiosk.screens[Phase.PATIENT_NUMBER]
    assert isinstance(screen, PatientNumberScreen)
    click(qtbot, screen.kinds[PatientKey.NOMORKARTU])
    for digit in "12345":
        click(qtbot, screen.keys[digit])
    click(qtbot, screen.ok)
    session = kiosk.controller.session()
    assert (session.phase, session.problem) == (
        Phase.PATIENT_NUMBER,
        SessionProblem.PATIENT_NUMBER_INVALID,
    )
    assert "kartu BPJS 13 angka" in screen.notice.text()
