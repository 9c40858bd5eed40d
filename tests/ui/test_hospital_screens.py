"""A hospital's poli on the real window, offline: a card tapped, the poli's doctors of
today with their hours and places left (a full one greyed and saying so), JKN, the form
filled from the card, and a ticket with the doctor and the estimated time counted from
the kiosk's cache; the registration waits in the outbox with its ``hospital`` object.
And the patient keypad: a number of the wrong length told in place; and a Mobile JKN
booking greeted with its doctor, who is on the ticket it checks in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from contract.hospital import Payer
from kiosk.errors import SessionProblem
from kiosk.session.events import PatientKey
from kiosk.session.machine import Phase
from testkit.hospital_kiosk import OFFICE, POLI, doctor
from testkit.hospital_window import offline_hospital
from testkit.kiosk_window import button_with, click, undelivered, wait_phase
from testkit.todays_bookings import booking
from ui.screens.appointment import AppointmentScreen
from ui.screens.hospital import DoctorScreen, PatientNumberScreen, PayerScreen
from ui.screens.ticket import TicketScreen
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(60)

ANI = doctor(quota_jkn=10, left_jkn=4, quota_non_jkn=5, left_non_jkn=5, minutes=10)
BUDI = doctor("s-budi", "dr. Budi Santoso", left_jkn=0, left_non_jkn=0)


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    with offline_hospital(qtbot, tmp_path, (ANI, BUDI)) as window:
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
    assert ani.text() == "dr. Ani Wijaya, Sp.PD\nJam praktik 08:00–23:59\nSisa kuota: JKN 4, umum 5"
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
    [item] = undelivered(store)
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


def test_a_mobile_jkn_booking_greets_with_its_doctor_and_prints_it(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    today = kiosk.controller.now()
    mjkn = booking(
        today.date(),
        office_id=OFFICE,
        service_id=POLI,
        doctor="dr. Ani Wijaya, Sp.PD",
        hours="08:00-12:00",
    )
    kiosk.kiosk.store.save_bookings(OFFICE, today.date(), [mjkn], etag=None, now=today)
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.APPOINTMENT)
    shown = kiosk.screens[Phase.APPOINTMENT]
    assert isinstance(shown, AppointmentScreen)
    assert shown.doctor.text() == "Dokter: dr. Ani Wijaya, Sp.PD, jam praktik 08:00-12:00"
    assert shown.doctor.isVisible()
    click(qtbot, shown.check_in)
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    ticket = kiosk.controller.session().ticket
    assert ticket is not None and ticket.doctor_name == "dr. Ani Wijaya, Sp.PD"
    [pdf] = list((tmp_path / "tickets").glob("tiket-*.pdf"))
    text = " ".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Dokter: dr. Ani Wijaya, Sp.PD" in text


def test_a_doctor_whose_hours_are_over_is_greyed_and_says_so(tmp_path: Path, qtbot: QtBot) -> None:
    """The cache was fetched while dr. Rina practised (``closed`` false); her hours
    00:00–00:01 are over by the office's clock now (bar its first minute of the day):
    shown, greyed, *Praktik sudah selesai*."""
    rina = doctor("s-rina", "dr. Rina", starts="00:00", ends="00:01", left_jkn=4)
    with offline_hospital(qtbot, tmp_path, (ANI, rina)) as kiosk:
        click(qtbot, button_with(kiosk, "Siti Aminah"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        tile = next(b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == POLI)
        click(qtbot, tile)
        wait_phase(qtbot, kiosk, Phase.DOCTOR)
        screen = kiosk.screens[Phase.DOCTOR]
        assert isinstance(screen, DoctorScreen)
        row = screen.doctors[rina.schedule_id]
        assert row.text().endswith("Praktik sudah selesai") and not row.isEnabled()
        assert screen.doctors[ANI.schedule_id].isEnabled()
