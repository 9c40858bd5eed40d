"""The hospital desk (``kiosk run --desk``): a clerk's keyboard-first screen.

Real widgets offscreen, driven by key presses; a real centre over HTTP; the
store's real outbox; tickets printed to a real cups-pdf queue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QStandardItemModel
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

import ui.window
from central.database import Database
from central.settings import (
    DEMO_HOSPITAL_DESK_ENROLMENT_CODE,
    DEMO_HOSPITAL_ENROLMENT_CODE,
    DEMO_HOSPITAL_STAFF_USERNAME,
    DEMO_STAFF_PASSWORD,
)
from contract.hospital import DoctorToday
from kiosk.client.hospital_desk import DeskPatient
from kiosk.config import (
    CentralSection,
    Config,
    KioskSection,
    PrinterSection,
    SessionSection,
    office_clock,
)
from kiosk.session.machine import Phase
from kiosk.tickets.desk import CANCEL_KIND
from offline_store import Store, StoredTicket
from offline_store.models import OutboxState
from printing.layouts.qr import forget_codes, kept_codes
from testkit.centre_accounts import bearer, enrol
from testkit.centre_hospital import (
    allocate,
    doctor_today,
    hospital_kiosk,
    hospital_registration,
    patient_numbers,
    what_the_registration_did,
)
from testkit.centre_hospital import hospital_desk as desk_token
from testkit.centre_requests import results
from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.desk_window import (
    DEMO_CATALOG,
    HOSPITAL,
    field,
    find,
    found,
    key,
    offline_hospital_desk,
    opened,
    poli_dalam_doctor,
    register_typed,
    type_in,
    type_patient,
    view_of,
)
from testkit.kiosk_window import demo_config, every_string, offline_config, running_kiosk
from testkit.printouts import pdf_text
from ui.app import build_window
from ui.desk import DeskView
from ui.window import KioskWindow

SITI = DeskPatient(
    norm="000123",
    nik="1471015203850001",
    nomorkartu="0001234567890",
    name="Siti Aminah",
    birth_date=dt.date(1985, 3, 12),
    sex="P",
    phone="081378901234",
    address="Jl. Sudirman 1",
)
# A doctor with places left in both quotas, as the sync engine cached him for a desk
# that works while the centre is away.
ANDI = poli_dalam_doctor(
    "rsud-dalam-andi-x",
    "dr. Andi Pratama, Sp.PD",
    quota_jkn=30,
    left_jkn=12,
    quota_non_jkn=10,
    left_non_jkn=3,
)


@pytest.fixture
def desk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central, session=SessionSection(desk_idle_timeout_s=900.0))
    with opened(qtbot, config) as window:
        yield window


def store_ticket(window: KioskWindow, service_id: str = "puskesmas-umum") -> StoredTicket:
    """A ticket this kiosk issued today (the store's own write, as an issue makes it)."""
    return window.kiosk.store.issue_ticket(
        office_id="pku-mpp",
        service_id=service_id,
        prefix="A",
        counter="Loket 1",
        payload={"office_id": "pku-mpp", "service_id": service_id, "values": {}},
        now=window.controller.now(),
    )


def test_the_desk_loads_its_store_and_catalog_once_its_view_is_painted(
    tmp_path: Path, qtbot: QtBot, demo_central: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's stack is hidden behind the desk's view: the start waits for the
    view's first paint, not for the fallback meant for a window kept hidden (here so
    long it never comes)."""
    monkeypatch.setattr(ui.window, "FIRST_PAINT_FALLBACK_MS", 600_000)
    with opened(qtbot, demo_config(tmp_path, demo_central)) as window:
        assert window.desk is not None and window.desk.isVisible()
        assert not window.stack.isVisible()
        assert window.controller.status().catalog is not None  # `opened` waited for it


def test_the_desk_is_one_keyboard_screen_of_normal_size_widgets(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    view = view_of(desk)
    assert not desk.stack.isVisible(), "the kiosk's touch screens are not the desk's"
    buttons = [b for b in view.findChildren(QPushButton) if b.isVisible()]
    assert buttons and all(b.focusPolicy() & Qt.FocusPolicy.TabFocus for b in buttons)
    assert max(b.height() for b in buttons) < 60, "no touchscreen-size buttons at a desk"

    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F2)
    assert QApplication.focusWidget() is field(desk, "deskFindValue")
    key(qtbot, desk, Qt.Key.Key_F3)
    assert QApplication.focusWidget() is field(desk, "deskNik")
    key(qtbot, desk, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is field(desk, "deskNomorkartu")
    key(qtbot, desk, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is field(desk, "deskName")


def test_a_key_of_the_wrong_shape_is_refused_with_a_clear_message(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    view = view_of(desk)
    by = desk.findChild(QComboBox, "deskFindBy")
    assert by is not None
    desk.activateWindow()
    by.setCurrentIndex(1)  # NIK
    key(qtbot, desk, Qt.Key.Key_F2)
    type_in(qtbot, "14710152")
    key(qtbot, desk, Qt.Key.Key_Return)
    assert view.message.text() == "NIK harus 16 angka."
    by.setCurrentIndex(3)  # name: with the date of birth
    key(qtbot, desk, Qt.Key.Key_F2)
    type_in(qtbot, "Siti Aminah")
    key(qtbot, desk, Qt.Key.Key_Return)
    assert "tanggal lahir" in view.message.text()


def test_next_patient_wipes_every_widget_that_held_the_patient(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    view = view_of(desk)
    view.show_patient(SITI)
    field(desk, "deskReferral").setText("0301R0011125K000123")
    assert "Siti Aminah" in every_string(desk)
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F9)
    shown = every_string(desk)
    values = (SITI.name, SITI.nik, SITI.nomorkartu, SITI.norm, SITI.phone, "12-03-1985")
    assert [s for s in (*values, SITI.address, "0301R0011125K000123") if s in shown] == []
    assert view.patient is None and QApplication.focusWidget() is field(desk, "deskFindValue")


def test_a_cancel_goes_out_through_the_outbox_as_visit_cancel(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    view = view_of(desk)
    ticket = store_ticket(desk)
    view.refresh()
    qtbot.waitUntil(lambda: ticket.number in view.today.item(0).text(), timeout=5000)
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F8)
    assert QApplication.focusWidget() is field(desk, "deskCancelReason")
    key(qtbot, desk, Qt.Key.Key_Return)
    assert view.message.text() == "Tulis alasan pembatalan."
    type_in(qtbot, "Pasien pulang")
    key(qtbot, desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "menunggu dikirim" in view.message.text(), timeout=5000)

    cancels = [
        item
        for state in OutboxState
        for item in desk.kiosk.store.outbox(state)
        if item.kind == CANCEL_KIND
    ]
    assert [item.key for item in cancels] == [f"cancel-{ticket.id}"]
    if cancels[0].payload:  # {} once the centre took it
        assert cancels[0].payload["ticket_id"] == ticket.id
        assert cancels[0].payload["reason"] == "Pasien pulang"
    key(qtbot, desk, Qt.Key.Key_F8)
    type_in(qtbot, "lagi")
    key(qtbot, desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "sebelumnya" in view.message.text(), timeout=5000)


def test_a_cancel_at_the_desk_is_logged_without_its_ticket_id(
    desk: KioskWindow, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A ticket's id opens its public page (/t/{ticket_id}): the desk's line of a cancel
    names the ticket as the outbox's lines do, by its key's end."""
    view = view_of(desk)
    ticket = store_ticket(desk)
    view.refresh()
    qtbot.waitUntil(lambda: ticket.number in view.today.item(0).text(), timeout=5000)
    desk.activateWindow()
    with caplog.at_level(logging.INFO):
        key(qtbot, desk, Qt.Key.Key_F8)
        type_in(qtbot, "Pasien pulang")
        key(qtbot, desk, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "menunggu dikirim" in view.message.text(), timeout=5000)
    assert "cancelled at the desk" in caplog.text
    assert ticket.id not in caplog.text


@pytest.fixture
def printing_desk(
    tmp_path: Path, qtbot: QtBot, demo_central: str, cupsd: PrivateCupsd
) -> Iterator[tuple[KioskWindow, PrivateCupsd]]:
    base = demo_config(tmp_path, demo_central)
    config = Config(
        kiosk=base.kiosk,
        printer=PrinterSection(
            backend="cups", queue=PDF_QUEUE, cups_server=cupsd.server, job_timeout_s=10.0
        ),
        central=base.central,
        session=base.session,
    )
    with opened(qtbot, config) as window:
        yield window, cupsd


def test_f5_reprints_the_selected_ticket_on_the_pdf_printer(
    printing_desk: tuple[KioskWindow, PrivateCupsd], qtbot: QtBot
) -> None:
    desk, cupsd = printing_desk
    view = view_of(desk)
    ticket = store_ticket(desk)
    view.refresh()
    qtbot.waitUntil(lambda: ticket.number in view.today.item(0).text(), timeout=5000)
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F5)
    [printed] = cupsd.wait_for_outputs(1)
    text = pdf_text(printed.read_bytes())
    assert "CETAK ULANG" in text and ticket.number in text
    qtbot.waitUntil(lambda: "dicetak ulang" in view.message.text(), timeout=5000)


def test_a_ticket_without_paper_is_marked_in_todays_list_until_a_reprint_prints_it(
    printing_desk: tuple[KioskWindow, PrivateCupsd], qtbot: QtBot
) -> None:
    desk, cupsd = printing_desk
    view = view_of(desk)
    ticket = store_ticket(desk)
    desk.kiosk.store.record_print(ticket.id, printed=False, fault="out_of_paper")
    view.refresh()
    qtbot.waitUntil(lambda: ticket.number in view.today.item(0).text(), timeout=5000)
    assert view.today.item(0).text().endswith(" · tanpa kertas (kertas habis)")
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F5)
    cupsd.wait_for_outputs(1)
    qtbot.waitUntil(lambda: "dicetak ulang" in view.message.text(), timeout=5000)
    qtbot.waitUntil(lambda: "tanpa kertas" not in view.today.item(0).text(), timeout=5000)
    assert ticket.number in view.today.item(0).text()


def test_the_kiosk_has_no_desk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        assert window.desk is None and window.stack.isVisible()


# -- at the demo hospital, against the centre's hospital routes ----------------------------
BUDI_NIK, BUDI_BIRTH = "1471011708790002", "17-08-1979"


def _desk_config(tmp_path: Path, demo_central: str, code: str) -> Config:
    """The desk at the demo hospital, enrolling with ``code``."""
    base = demo_config(tmp_path, demo_central)
    return Config(
        kiosk=KioskSection(data_dir=base.kiosk.data_dir, office_id=HOSPITAL),
        printer=base.printer,
        central=CentralSection(url=demo_central, timeout_s=3.0, enrolment_code=code),
        session=base.session,
    )


@pytest.fixture
def hospital_desk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    """The demo hospital's desk, enrolled with the code staff made for a desk."""
    config = _desk_config(tmp_path, demo_central, DEMO_HOSPITAL_DESK_ENROLMENT_CODE)
    with opened(qtbot, config) as window:
        view = view_of(window)
        qtbot.waitUntil(lambda: view.doctor.count() > 0, timeout=10000)  # today's doctors
        yield window


def test_a_desk_enrolled_with_a_kiosk_code_is_told_why_it_finds_no_name(
    tmp_path: Path, qtbot: QtBot, demo_central: str
) -> None:
    """``kiosk run --desk`` on a kiosk staff did not make a desk (the hospital's plain
    code): its name search is refused, and the clerk reads why and what to ask the admin
    for; a number finds the patient without the phone."""
    config = _desk_config(tmp_path, demo_central, DEMO_HOSPITAL_ENROLMENT_CODE)
    with opened(qtbot, config) as window:
        view = view_of(window)
        qtbot.waitUntil(lambda: view.doctor.count() > 0, timeout=10000)
        find(qtbot, window, 3, "siti am", "12-03-1985")
        assert view.message.text().startswith("Server menolak: kiosk ini tidak didaftarkan")
        assert "kode pendaftaran untuk meja" in view.message.text()
        assert view.results.count() == 0
        view = found(qtbot, window, 0, "000123", "12-03-1985")
        assert view.patient is not None and view.patient.phone == ""
        key(qtbot, window, Qt.Key.Key_F9)
        nik = patient_numbers()[0]
        type_patient(qtbot, window, nik, "", "Pasien Baru Meja", "15-05-1990", 1)
        view.save_button.setFocus()
        key(qtbot, window, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: view.message.text() != "Menyimpan…", timeout=5000)
        assert view.message.text().startswith("Server menolak: kiosk ini tidak didaftarkan")
        assert "tidak menambah pasien baru" in view.message.text()


def test_a_revoked_desk_is_not_told_that_staff_never_made_it_one(
    tmp_path: Path, qtbot: QtBot, demo_central: str
) -> None:
    """A desk staff made, then revoked: its token is refused (401), which is no answer
    about its role, so the clerk is not told to ask for a desk code as if it never was."""
    staff = hospital_staff_headers(demo_central)
    made = requests.post(
        f"{demo_central}/api/v1/staff/enrolment-codes",
        json={"office_id": HOSPITAL, "desk": True},
        headers=staff,
        timeout=10,
    )
    assert made.status_code == 201, made.text
    config = _desk_config(tmp_path, demo_central, made.json()["code"])
    with opened(qtbot, config) as window:
        view = view_of(window)
        qtbot.waitUntil(lambda: view.doctor.count() > 0, timeout=10000)
        view = found(qtbot, window, 3, "siti am", "12-03-1985")  # a desk: names found
        token = config.central_token_path.read_text().strip()
        me = requests.get(f"{demo_central}/api/v1/kiosks/me", headers=bearer(token), timeout=10)
        revoked = requests.post(
            f"{demo_central}/api/v1/staff/kiosks/{me.json()['kiosk_id']}/revoke",
            headers=staff,
            timeout=10,
        )
        assert revoked.status_code == 200, revoked.text
        key(qtbot, window, Qt.Key.Key_F9)
        find(qtbot, window, 3, "siti am", "12-03-1985")
        said = view.message.text()
        assert said and "meja pendaftaran" not in said, said


@pytest.mark.parametrize(
    ("by", "value"),
    [(0, "000123"), (1, "1471015203850001"), (2, "0001234567890")],
    ids=["norm", "nik", "nomorkartu"],
)
def test_a_patient_is_found_by_each_number(
    hospital_desk: KioskWindow, qtbot: QtBot, by: int, value: str
) -> None:
    view = found(qtbot, hospital_desk, by, value, "12-03-1985")
    assert field(hospital_desk, "deskNorm").text() == "000123"
    assert field(hospital_desk, "deskName").text() == "Siti Aminah"
    assert field(hospital_desk, "deskNomorkartu").text() == "0001234567890"
    assert QApplication.focusWidget() is view.poli, "on to the visit"


def save_new_patient(qtbot: QtBot, window: KioskWindow, nik: str, name: str, birth: str) -> str:
    """F3, the fields typed with Tab between them, the sex chosen, saved: the No. RM."""
    view = view_of(window)
    window.activateWindow()
    key(qtbot, window, Qt.Key.Key_F3)
    assert QApplication.focusWidget() is field(window, "deskNik")
    for text in (nik, "", name, birth):
        if text:
            type_in(qtbot, text)
        key(qtbot, window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.sex
    key(qtbot, window, Qt.Key.Key_Down)  # Laki-laki
    if nik[6] in "4567":  # a woman's NIK: her day plus 40
        key(qtbot, window, Qt.Key.Key_Down)
    view.save_button.setFocus()
    key(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: field(window, "deskNorm").text() != "", timeout=5000)
    return field(window, "deskNorm").text()


def test_a_name_with_the_date_of_birth_gives_a_list_to_choose_from(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    first = save_new_patient(qtbot, hospital_desk, "1471014506920001", "Wulan Sari", "05-06-1992")
    key(qtbot, hospital_desk, Qt.Key.Key_F9)
    second = save_new_patient(qtbot, hospital_desk, "1471014506920002", "Wulan Sari", "05-06-1992")
    assert first != second
    key(qtbot, hospital_desk, Qt.Key.Key_F9)

    view = find(qtbot, hospital_desk, 3, "wulan sari", "05-06-1992")
    assert view.results.count() == 2 and view.patient is None, "the clerk chooses"
    assert QApplication.focusWidget() is view.results
    rows = [view.results.item(i).text() for i in range(2)]
    assert sorted(r.split(" · ")[0] for r in rows) == sorted([first, second])
    key(qtbot, hospital_desk, Qt.Key.Key_Down)
    key(qtbot, hospital_desk, Qt.Key.Key_Return)
    assert field(hospital_desk, "deskNorm").text() == rows[1].split(" · ")[0]
    assert field(hospital_desk, "deskName").text() == "Wulan Sari"

    find(qtbot, hospital_desk, 3, "wulan sari", "06-06-1992")
    assert view.results.count() == 0 and view.message.text().startswith("Pasien tidak ditemukan")


def test_a_wrong_date_of_birth_finds_no_one(hospital_desk: KioskWindow, qtbot: QtBot) -> None:
    view = find(qtbot, hospital_desk, 1, "1471015203850001", "13-03-1985")
    assert view.message.text() == "Pasien tidak ditemukan. Periksa nomor, nama, atau tanggal lahir."
    assert view.patient is None and field(hospital_desk, "deskName").text() == ""


def test_a_new_patient_gets_a_no_rm(hospital_desk: KioskWindow, qtbot: QtBot) -> None:
    view = view_of(hospital_desk)
    norm = save_new_patient(
        qtbot, hospital_desk, "3171012501900003", "Rahmat Hidayat", "25-01-1990"
    )
    assert len(norm) == 6 and norm.isdigit() and norm not in ("000123", "000124")
    assert view.message.text() == f"Pasien tersimpan dengan No. RM {norm}."
    assert QApplication.focusWidget() is view.poli, "on to the visit"
    key(qtbot, hospital_desk, Qt.Key.Key_F9)
    again = find(qtbot, hospital_desk, 0, norm, "25-01-1990")
    assert again.patient is not None
    assert field(hospital_desk, "deskName").text() == "Rahmat Hidayat"


def test_a_visit_registered_at_the_desk_gets_a_ticket_with_its_quota_place(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    forget_codes()
    view = found(qtbot, hospital_desk, 0, "000123", "12-03-1985")
    assert view.poli.currentData() == "poli-dalam"
    assert (
        "dr. Andi Pratama" in view.doctor.currentText() and "sisa JKN" in view.doctor.currentText()
    )
    register_typed(qtbot, hospital_desk, "0301R0011125K000123")
    qtbot.waitUntil(lambda: view.issued is not None, timeout=10000)
    issued = view.issued
    assert issued is not None and issued.hospital is not None, "numbered online, with its place"
    assert issued.hospital.nomorantrean.startswith("INT")
    assert issued.ticket.number in view.result.text()
    assert f"perkiraan dilayani {issued.hospital.estimated_at:%H:%M}" in view.result.text()
    qtbot.waitUntil(lambda: issued.ticket.number in view.today.item(0).text(), timeout=5000)
    printed = Path(hospital_desk.controller.config.printer.output_dir)
    qtbot.waitUntil(lambda: len(list(printed.glob("*.pdf"))) == 2, timeout=10000)
    texts = [pdf_text(pdf.read_bytes()) for pdf in sorted(printed.glob("*.pdf"))]
    [slip] = [text for text in texts if "BUKTI PENDAFTARAN" in text]
    assert "000123" in slip and "0301R0011125K000123" in slip and "dr. Andi" in slip
    # The desk shows no QR code: its paper's code, the patient's way in to her ticket's
    # page, is encoded for the paper alone and kept nowhere once printed (no session's
    # wipe would forget it: F9 and the idle wipe are the desk's own).
    assert kept_codes() == 0, "her visit's page address is kept"
    pending = [
        item
        for item in hospital_desk.kiosk.store.outbox(OutboxState.PENDING)
        if item.key == issued.ticket_id
    ]
    for registration in pending:  # not yet sent: what it carries
        assert registration.payload["hospital"]["schedule_id"].startswith("rsud-dalam-andi")
        assert registration.payload["hospital"]["nomorreferensi"] == "0301R0011125K000123"
        assert registration.payload["desk"] is True


def delivered(window: KioskWindow, key_: str) -> bool:
    return any(item.key == key_ for item in window.kiosk.store.outbox(OutboxState.DELIVERED))


def test_a_cancelled_visit_gives_its_quota_place_back_at_the_centre(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    view = find(qtbot, hospital_desk, 2, "0001234567891", BUDI_BIRTH)  # Budi, by BPJS number
    assert view.patient is not None and view.payer.currentIndex() == 0, "JKN: he has a card"
    view.visit_kind.setCurrentIndex(2)  # kontrol
    field(hospital_desk, "deskReferral").setFocus()
    type_in(qtbot, "0301R0011125K000124")
    key(qtbot, hospital_desk, Qt.Key.Key_Return)  # Enter in the last field registers too
    qtbot.waitUntil(lambda: view.issued is not None, timeout=10000)
    issued = view.issued
    assert issued is not None
    qtbot.waitUntil(lambda: delivered(hospital_desk, issued.ticket_id), timeout=15000)
    schedule = next(d for d in view.doctors if d.doctor_name.startswith("dr. Andi")).schedule_id

    def left() -> int:
        return next(d.left_jkn for d in view.doctors if d.schedule_id == schedule)

    view.doctors = ()  # only the answer to this refresh may fill it again
    view.refresh()
    qtbot.waitUntil(lambda: view.doctors != () and view.tickets != [], timeout=5000)
    taken = left()
    view.today.setCurrentRow(0)
    assert issued.ticket.number in view.today.item(0).text()
    key(qtbot, hospital_desk, Qt.Key.Key_F8)
    type_in(qtbot, "Pasien batal periksa")
    key(qtbot, hospital_desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: delivered(hospital_desk, f"cancel-{issued.ticket_id}"), timeout=15000)
    view.refresh()
    qtbot.waitUntil(lambda: left() == taken + 1, timeout=5000)
    qtbot.waitUntil(lambda: view.today.item(0).text().endswith(" · dibatalkan"), timeout=5000)


def test_a_refresh_while_the_doctors_are_on_their_way_reads_them_again_after(
    hospital_desk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cancel's refresh during an earlier read: the places are read again after it,
    and the desk ends showing the newer answer, never the older one."""
    view = view_of(hospital_desk)
    [first, *_] = view.doctors
    asked: list[tuple[Callable[[tuple[DoctorToday, ...]], None], Callable[[Exception], None]]]
    asked = []
    monkeypatch.setattr(
        view.controller, "doctors_today", lambda done, failed: asked.append((done, failed))
    )
    view.refresh()
    view.refresh()
    view.refresh()
    assert len(asked) == 1, "one question on its way at a time"
    asked[0][0]((first,))
    assert len(asked) == 2, "asked once more for what changed meanwhile"
    newer = dataclasses.replace(first, left_jkn=first.left_jkn + 1)
    asked[1][0]((newer,))
    assert view.doctors == (newer,)
    assert len(asked) == 2


def test_a_card_tapped_at_the_desk_finds_its_holder(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    view = view_of(hospital_desk)
    [tap] = [tap for text, tap in hospital_desk.kiosk.demo_cards if "Siti Aminah" in text]
    tap()
    qtbot.waitUntil(lambda: view.patient is not None, timeout=10000)
    assert field(hospital_desk, "deskNorm").text() == "000123"
    qtbot.waitUntil(lambda: hospital_desk.controller.session().phase is Phase.IDLE, timeout=5000)
    key(qtbot, hospital_desk, Qt.Key.Key_F9)
    assert "Siti" not in every_string(hospital_desk)


NEW_NAME, NEW_BIRTH = "Tamu Sekali", "15-05-1990"


def new_patient(url: str, desk: str) -> tuple[str, str]:
    """A patient of the demo hospital no other test has registered anywhere (one live
    visit per patient, poli and day: Siti's day at a poli is the first visit's), a man
    born 15 May 1990 named :data:`NEW_NAME`: ``(No. RM, NIK)``."""
    nik, _ = patient_numbers()
    saved = requests.post(
        f"{url}/api/v1/hospital/patients",
        json={"nik": nik, "name": NEW_NAME, "birth_date": "1990-05-15", "sex": "L"},
        headers=bearer(desk),
        timeout=10,
    )
    assert saved.status_code == 201, saved.text
    norm: str = saved.json()["norm"]
    return norm, nik


def hospital_staff_headers(url: str) -> dict[str, str]:
    """The demo hospital's staff, logged in: the headers of their calls."""
    login = requests.post(
        f"{url}/api/v1/staff/login",
        json={"username": DEMO_HOSPITAL_STAFF_USERNAME, "password": DEMO_STAFF_PASSWORD},
        timeout=5,
    )
    return bearer(login.json()["token"])


def listed(qtbot: QtBot, view: DeskView, stem: str) -> DoctorToday:
    """Today's list read again until it has the doctor of the schedules ``stem``."""
    view.refresh()
    qtbot.waitUntil(lambda: any(d.schedule_id.startswith(stem) for d in view.doctors), timeout=5000)
    [doctor] = [d for d in view.doctors if d.schedule_id.startswith(stem)]
    return doctor


def all_day_doctor(
    url: str,
    staff: dict[str, str],
    service_id: str,
    name: str,
    *,
    quota_jkn: int,
    quota_non_jkn: int = 0,
) -> str:
    """A doctor of the demo hospital's ``service_id`` on every weekday, 00:00 to 23:59 (open
    whenever the test runs), with the places given; the stem of their schedule ids."""
    stem = f"desk-{uuid.uuid4().hex[:8]}"
    for weekday in range(1, 8):  # whichever day it is at the office
        put = requests.put(
            f"{url}/api/v1/staff/hospital/{HOSPITAL}/schedules/{stem}-{weekday}",
            json={
                "service_id": service_id,
                "kodedokter": "99999",
                "doctor_name": name,
                "weekday": weekday,
                "starts": "00:00",
                "ends": "23:59",
                "quota_jkn": quota_jkn,
                "quota_non_jkn": quota_non_jkn,
                "minutes_per_patient": 10,
            },
            headers=staff,
            timeout=5,
        )
        assert put.status_code in (200, 201), put.text
    return stem


def test_the_last_place_taken_elsewhere_first_is_told_and_nothing_is_kept(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str
) -> None:
    staff = hospital_staff_headers(demo_central)
    stem = all_day_doctor(demo_central, staff, "poli-gigi", "drg. Satu Tempat", quota_jkn=1)
    view = find(qtbot, hospital_desk, 0, "000123", "12-03-1985")
    doctor = listed(qtbot, view, stem)
    view.poli.setCurrentIndex(view.poli.findData("poli-gigi"))
    view.doctor.setCurrentIndex(view.doctor.findData(doctor.schedule_id))
    assert "sisa JKN 1" in view.doctor.currentText()

    other = enrol(demo_central, DEMO_HOSPITAL_ENROLMENT_CODE).json()["token"]  # another kiosk
    taken = requests.post(
        f"{demo_central}/api/v1/tickets/allocate",
        json={
            "ticket_id": str(uuid.uuid4()),
            "service_id": "poli-gigi",
            "hospital": {"schedule_id": doctor.schedule_id, "payer": "jkn"},
        },
        headers=bearer(other),
        timeout=5,
    )
    assert taken.status_code in (200, 201), taken.text

    register_typed(qtbot, hospital_desk, "0301R0011125K000125")
    qtbot.waitUntil(lambda: view.message.text() != "Mendaftarkan…", timeout=10000)
    assert view.message.text() == "Kuota dokter ini sudah habis. Pilih dokter lain."
    assert view.issued is None
    assert hospital_desk.kiosk.store.tickets_on(hospital_desk.controller.now().date()) == []
    full = view.doctor.findData(doctor.schedule_id)
    qtbot.waitUntil(lambda: "kuota penuh" in view.doctor.itemText(full), timeout=5000)
    assert view.doctor.currentIndex() != full, "a full doctor is never the one chosen"


def test_a_doctor_whose_hours_the_centre_ended_meanwhile_is_told_and_nothing_is_kept(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str
) -> None:
    """The desk's list has the doctor open; the hospital ends today's hours at the centre
    before the clerk registers: ``doctor_closed``, told plainly, no ticket from a lease."""
    staff = hospital_staff_headers(demo_central)
    stem = all_day_doctor(demo_central, staff, "poli-gigi", "drg. Pulang Cepat", quota_jkn=5)
    view = find(qtbot, hospital_desk, 0, "000123", "12-03-1985")
    doctor = listed(qtbot, view, stem)
    view.poli.setCurrentIndex(view.poli.findData("poli-gigi"))
    view.doctor.setCurrentIndex(view.doctor.findData(doctor.schedule_id))
    assert view.doctor.currentData() == doctor.schedule_id
    ended = requests.put(
        f"{demo_central}/api/v1/staff/hospital/{HOSPITAL}/schedules/{doctor.schedule_id}",
        json={
            "service_id": "poli-gigi",
            "kodedokter": "99999",
            "doctor_name": "drg. Pulang Cepat",
            "weekday": int(doctor.schedule_id.rsplit("-", 1)[1]),
            "starts": "00:00",
            "ends": "00:01",
            "quota_jkn": 5,
            "quota_non_jkn": 0,
            "minutes_per_patient": 10,
        },
        headers=staff,
        timeout=5,
    )
    assert ended.status_code == 200, ended.text

    register_typed(qtbot, hospital_desk, "0301R0011125K000126")
    qtbot.waitUntil(lambda: view.message.text() != "Mendaftarkan…", timeout=10000)
    assert view.message.text() == "Praktik dokter ini hari ini sudah selesai. Pilih dokter lain."
    assert view.issued is None
    assert hospital_desk.kiosk.store.tickets_on(hospital_desk.controller.now().date()) == []


def test_a_patient_registered_at_the_poli_today_is_told_and_no_ticket_is_made(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str, demo_central_db: Database
) -> None:
    """A patient with a visit at Poli Penyakit Dalam today (a kiosk registered her); the
    clerk registers her there again: the centre refuses at the allocate
    (``already_registered``), before a number or a place. The desk says so; no ticket is
    stored or printed, and the doctor's places are as they were."""
    staff = hospital_staff_headers(demo_central)
    stem = all_day_doctor(
        demo_central, staff, "poli-dalam", "dr. Sekali Sehari", quota_jkn=5, quota_non_jkn=5
    )
    kiosk = hospital_kiosk(demo_central)[0]
    norm, nik = new_patient(demo_central, desk_token(demo_central)[0])
    schedule_id = f"{stem}-{hospital_desk.controller.now().isoweekday()}"
    made = allocate(demo_central, kiosk, schedule_id)
    assert made.status_code == 201, made.text
    hers = hospital_registration(
        made.json()["ticket_id"],
        made.json()["display"],
        "online",
        {"schedule_id": schedule_id, "payer": "jkn", "norm": norm},
        values={"full_name": NEW_NAME, "nik": nik},
        card_number=None,
    )
    [done] = results(demo_central, kiosk, [hers])
    assert done["status"] == "accepted", done
    did = what_the_registration_did(demo_central_db, made.json()["ticket_id"])
    assert "kodebooking" in did, did  # her visit of today

    view = found(qtbot, hospital_desk, 0, norm, NEW_BIRTH)
    doctor = listed(qtbot, view, stem)
    view.poli.setCurrentIndex(view.poli.findData("poli-dalam"))
    view.doctor.setCurrentIndex(view.doctor.findData(doctor.schedule_id))
    assert view.payer.currentIndex() == 1, "umum: she has no BPJS card"
    register_typed(qtbot, hospital_desk, "")
    qtbot.waitUntil(lambda: view.message.text() != "Mendaftarkan…", timeout=10000)
    assert view.message.text() == (
        "Pasien sudah terdaftar di poli ini hari ini. Tidak ada nomor yang diambil;"
        " periksa kunjungan hari ini."
    )
    assert view.issued is None and view.register_button.isEnabled()
    day = hospital_desk.controller.now().date()
    assert hospital_desk.kiosk.store.tickets_on(day) == []
    assert hospital_desk.kiosk.store.outbox(OutboxState.PENDING) == []
    printed = Path(hospital_desk.controller.config.printer.output_dir)
    assert not list(printed.glob("*.pdf")), "a paper was printed"
    today = doctor_today(demo_central, kiosk, schedule_id)
    assert (today["left_jkn"], today["left_non_jkn"]) == (4, 5), "a place was taken"


def test_the_patient_is_wiped_when_nobody_works_at_the_desk_for_its_idle_time(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    view = view_of(desk)
    now = [1000.0]
    view.clock = lambda: now[0]
    view.touched()
    view.show_patient(SITI)
    now[0] += 899.0
    view.check_idle()
    assert view.patient is not None, "the desk's own timeout: 900 s here"
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_Tab)  # the clerk is there
    now[0] += 899.0
    view.check_idle()
    assert field(desk, "deskName").text() == "Siti Aminah"
    now[0] += 1.0
    view.check_idle()
    assert view.patient is None and "Siti" not in every_string(desk)


def test_offline_a_typed_patient_is_registered_from_the_cached_doctors(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The centre away: today's doctors from the sync engine's cache, a patient typed in
    (no No. RM: a new one), a leased or fallback number, the visit kept for the centre."""
    with offline_hospital_desk(tmp_path, qtbot, [ANDI]) as desk:
        view = view_of(desk)
        type_patient(
            qtbot, desk, "1471015203850001", "0001234567890", "Siti Aminah", "12-03-1985", 0
        )
        register_typed(qtbot, desk, "0301R0011125K000123")
        qtbot.waitUntil(lambda: view.issued is not None, timeout=10000)
        issued = view.issued
        assert issued is not None and issued.hospital is None, "no place from the centre"
        assert "luring" in view.result.text() and issued.ticket.number in view.result.text()
        [registration] = [
            item
            for item in desk.kiosk.store.outbox(OutboxState.PENDING)
            if item.key == issued.ticket_id
        ]
        assert registration.payload["hospital"] == {
            "schedule_id": "rsud-dalam-andi-x",
            "payer": "jkn",
            "norm": "",
            "nomorkartu": "0001234567890",
            "new_patient": True,
            "jeniskunjungan": 1,
            "nomorreferensi": "0301R0011125K000123",
        }
        assert registration.payload["values"]["full_name"] == "Siti Aminah"


def test_the_desk_speaks_english_too(desk: KioskWindow, qtbot: QtBot) -> None:
    view = view_of(desk)
    desk.toggle_language()
    assert view.find_box.title() == "Find a patient (F2)"
    assert view.next_patient_button.text() == "Next patient (F9)"
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F2)
    type_in(qtbot, "12")
    key(qtbot, desk, Qt.Key.Key_Return)
    assert view.message.text() == "Type the date of birth as DD-MM-YYYY, e.g. 12-03-1985."


def test_more_namesakes_than_the_list_holds_are_told(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str
) -> None:
    """Eleven patients share a name and a date of birth: the desk lists ten and says
    there are more, so the clerk narrows the search rather than taking ten for all."""
    token = desk_token(demo_central)[0]  # only the desk adds patients
    for n in range(11):
        made = requests.post(
            f"{demo_central}/api/v1/hospital/patients",
            json={"nik": f"147101050793{n + 1:04d}", "name": f"Raka Kembar {n:02d}",
                  "birth_date": "1993-07-05", "sex": "L"},
            headers=bearer(token),
            timeout=10,
        )  # fmt: skip
        assert made.status_code in (200, 201), made.text
    view = find(qtbot, hospital_desk, 3, "raka kembar", "05-07-1993")
    assert view.results.count() == 10
    assert view.message.text().startswith("Terlalu banyak hasil")


# -- one action of each kind at a time ---------------------------------------------------------
def test_a_visit_asked_for_three_times_at_once_is_registered_once(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str
) -> None:
    """Ctrl+Enter twice then Enter in the referral field, before the first answer:
    one ticket, one quota place."""
    norm, _ = new_patient(demo_central, desk_token(demo_central)[0])
    view = found(qtbot, hospital_desk, 0, norm, NEW_BIRTH)
    day = hospital_desk.controller.now().date()
    before = len(hospital_desk.kiosk.store.tickets_on(day))
    register_typed(qtbot, hospital_desk, "0301R0011125K000123")
    key(qtbot, hospital_desk, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, hospital_desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.issued is not None, timeout=10000)
    assert view.executor.wait_for_done(10000)  # every registration asked for has answered
    QApplication.processEvents()
    assert len(hospital_desk.kiosk.store.tickets_on(day)) - before == 1
    assert view.register_button.isEnabled(), "the next visit may be registered"


def test_enter_cancels_the_registration_f8_named_though_the_list_changed(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    """F8 on the older of two, a new registration lands meanwhile (the list refills,
    newest first): Enter cancels the one F8 named, and it stays the one selected."""
    view = view_of(desk)
    store_ticket(desk)
    older = store_ticket(desk)
    view.refresh()
    qtbot.waitUntil(lambda: len(view.tickets) == 2, timeout=5000)
    chosen = view.tickets[1]
    view.today.setCurrentRow(1)
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F8)
    assert chosen.number in view.message.text()
    type_in(qtbot, "Pasien pulang")
    store_ticket(desk)
    view.refresh()
    qtbot.waitUntil(lambda: len(view.tickets) == 3, timeout=5000)
    assert view.tickets[view.today.currentRow()].id == chosen.id, "selection kept by ticket"
    key(qtbot, desk, Qt.Key.Key_Return)

    def cancels() -> list[str]:
        return [
            item.key
            for state in OutboxState
            for item in desk.kiosk.store.outbox(state)
            if item.kind == CANCEL_KIND
        ]

    qtbot.waitUntil(lambda: cancels() != [], timeout=5000)
    assert cancels() == [f"cancel-{chosen.id}"]
    assert older.id in {t.id for t in view.tickets}


# -- what a wipe leaves ----------------------------------------------------------------------
def test_after_f9_neither_ctrl_z_nor_ctrl_y_brings_any_field_back(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    view = found(qtbot, hospital_desk, 1, "1471015203850001", "12-03-1985")
    field(hospital_desk, "deskPhone").setFocus()
    type_in(qtbot, "9")  # the clerk corrects a field by typing
    field(hospital_desk, "deskCancelReason").setFocus()
    type_in(qtbot, "Siti pulang")
    key(qtbot, hospital_desk, Qt.Key.Key_F9)
    names = [w.objectName() for w in view.findChildren(QLineEdit)]
    assert {"deskFindValue", "deskName", "deskPhone", "deskCancelReason"} <= set(names)
    for name in names:
        widget = field(hospital_desk, name)
        widget.setFocus()
        for undo_or_redo in (Qt.Key.Key_Z, Qt.Key.Key_Y):
            key(qtbot, hospital_desk, undo_or_redo, Qt.KeyboardModifier.ControlModifier)
            assert widget.text() == "", f"{name} came back"
    assert "Siti" not in every_string(hospital_desk)


def test_the_idle_wipe_empties_the_search_and_the_cancel_reason_too(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    view = view_of(desk)
    now = [1000.0]
    view.clock = lambda: now[0]
    view.touched()
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F2)
    type_in(qtbot, "Siti Aminah")
    field(desk, "deskCancelReason").setFocus()
    type_in(qtbot, "Siti Aminah pulang")
    view.touched()
    now[0] += 900.0
    view.check_idle()
    assert field(desk, "deskFindValue").text() == ""
    assert field(desk, "deskCancelReason").text() == ""


def test_f9_empties_the_clipboard_holding_what_the_patient_fields_held(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    clipboard = QApplication.clipboard()
    view = view_of(desk)
    view.show_patient(SITI)
    clipboard.setText(SITI.nik)  # the clerk copied the NIK
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F9)
    assert clipboard.text() == ""
    clipboard.setText("Loket 3")  # not the patient's: left alone
    view.show_patient(SITI)
    key(qtbot, desk, Qt.Key.Key_F9)
    assert clipboard.text() == "Loket 3"


def copy_all(qtbot: QtBot, window: KioskWindow, copied: str) -> None:
    """Ctrl+A, Ctrl+C in the focused field, as the clerk copies it: ``copied`` on the
    clipboard."""
    key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == copied  # the clerk copied it


def copy_then_new_patient(desk: KioskWindow, qtbot: QtBot) -> DeskView:
    """Siti on the desk, her NIK copied from its field (Ctrl+C), then F3: a new patient."""
    view = view_of(desk)
    view.show_patient(SITI)
    desk.activateWindow()
    field(desk, "deskNik").setFocus()
    copy_all(qtbot, desk, SITI.nik)
    key(qtbot, desk, Qt.Key.Key_F3)
    assert field(desk, "deskNik").text() == ""
    return view


def test_f9_empties_the_clipboard_holding_a_patient_the_fields_held_before_f3(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    copy_then_new_patient(desk, qtbot)
    key(qtbot, desk, Qt.Key.Key_F9)
    assert QApplication.clipboard().text() != SITI.nik, "her NIK stays on the clipboard"


def test_the_idle_wipe_empties_the_clipboard_holding_a_patient_the_fields_held_before_f3(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    now = [1000.0]
    view = view_of(desk)
    view.clock = lambda: now[0]
    view.touched()
    copy_then_new_patient(desk, qtbot)
    view.touched()  # the clerk's last key: F3, then nobody
    now[0] += 900.0
    view.check_idle()
    assert QApplication.clipboard().text() != SITI.nik, "her NIK stays on the clipboard"


def test_f9_empties_the_clipboard_holding_a_cancel_reason_its_cancel_emptied(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    """A reason may name the patient (the idle wipe empties it for that): copied from its
    field, then the cancel sent, which empties the field, the copy must not outlive it
    (no F9 or idle wipe would know the clipboard held a patient's words after)."""
    view = view_of(desk)
    ticket = store_ticket(desk)
    view.refresh()
    qtbot.waitUntil(lambda: ticket.number in view.today.item(0).text(), timeout=5000)
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F8)
    type_in(qtbot, "Siti Aminah pulang")
    copy_all(qtbot, desk, "Siti Aminah pulang")
    key(qtbot, desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "menunggu dikirim" in view.message.text(), timeout=5000)
    assert field(desk, "deskCancelReason").text() == ""
    key(qtbot, desk, Qt.Key.Key_F9)
    assert QApplication.clipboard().text() != "Siti Aminah pulang", "her name stays copied"


def test_a_new_search_empties_the_clipboard_holding_what_the_patient_fields_held(
    desk: KioskWindow, qtbot: QtBot
) -> None:
    """Her name copied from its field, then a search for someone else: the search empties
    her fields, and the copy goes with them (no F9 or idle wipe would find it after)."""
    view = view_of(desk)
    view.show_patient(SITI)
    desk.activateWindow()
    field(desk, "deskName").setFocus()
    copy_all(qtbot, desk, SITI.name)
    find(qtbot, desk, 1, "1471010101900001", "01-01-1990")
    assert field(desk, "deskName").text() == ""
    assert QApplication.clipboard().text() != SITI.name, "her name stays on the clipboard"


def test_f9_empties_the_clipboard_holding_a_corrected_field_another_namesake_replaced(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str
) -> None:
    """Her phone corrected and copied, then the other namesake chosen from the list: his
    shown over hers empties her phone from its field as surely as F3 does, and no later
    wipe would know the clipboard holds it (no field, nor any patient found, holds it)."""
    namesakes(demo_central, "Rudi Salin", "1991-02-03", ("1471010302910001", "1471010302910002"))
    view = find(qtbot, hospital_desk, 3, "rudi salin", "03-02-1991")
    assert view.results.count() == 2
    key(qtbot, hospital_desk, Qt.Key.Key_Return)  # the first
    first = view.patient
    assert first is not None
    phone = field(hospital_desk, "deskPhone")
    phone.setFocus()
    key(qtbot, hospital_desk, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_in(qtbot, "081311112222")  # her new number, as she says it
    copy_all(qtbot, hospital_desk, "081311112222")

    view.results.setFocus()
    view.results.setCurrentRow(1)
    key(qtbot, hospital_desk, Qt.Key.Key_Return)  # no: the other one
    assert view.patient is not None and view.patient.nik != first.nik
    assert phone.text() != "081311112222"
    key(qtbot, hospital_desk, Qt.Key.Key_F9)
    assert QApplication.clipboard().text() != "081311112222", "her phone stays copied"


# -- what a visit is checked for before it is registered ----------------------------------------
def test_a_typed_patient_that_cannot_exist_is_never_registered(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    """Letters for a NIK, a date of birth to come, a two-digit year, a NIK of a woman
    born on another day: Ctrl+Enter says so, the cursor goes to the field at fault,
    no ticket is made."""
    view = view_of(hospital_desk)
    day = hospital_desk.controller.now().date()
    cases = [
        ("ABCDEFGHIJKLMNOP", "Huruf Saja", "12-03-1985", 2, "NIK tidak sah", "deskNik"),
        (
            "3171012501900003",
            "Masa Depan",
            "25-01-2090",
            1,
            "Tanggal lahir tidak mungkin",
            "deskBirth",
        ),
        ("3171012501900003", "Dua Digit", "25-01-90", 1, "HH-BB-TTTT", "deskBirth"),
        (SITI.nik, "Orang Lain", "01-01-2000", 2, "tidak sesuai NIK", "deskBirth"),
        (SITI.nik, "Orang Lain", "12-03-1985", 1, "tidak sesuai NIK", "deskSex"),
    ]
    for nik, name, birth, sex, said, at_fault in cases:
        type_patient(qtbot, hospital_desk, nik, "0009876543210", name, birth, sex)
        register_typed(qtbot, hospital_desk)
        assert said in view.message.text(), (name, view.message.text())
        focused = QApplication.focusWidget()
        assert focused is not None and focused.objectName() == at_fault, name
        view.save_patient()  # the new patient's save is checked the same way
        assert said in view.message.text(), (name, view.message.text())
    assert view.executor.wait_for_done(5000)
    assert hospital_desk.kiosk.store.tickets_on(day) == []


def test_a_patient_the_centre_refused_gets_no_visit_until_corrected(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    """A new patient with Siti's BPJS number: the centre refuses the save in its own
    words, shown; Ctrl+Enter then registers nothing until the number is corrected."""
    view = view_of(hospital_desk)
    day = hospital_desk.controller.now().date()
    type_patient(
        qtbot, hospital_desk, "3171012501900004", SITI.nomorkartu, "Rahmat Lain", "25-01-1990", 1
    )
    view.save_button.setFocus()
    key(qtbot, hospital_desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.message.text() != "Menyimpan…", timeout=5000)
    assert view.message.text() == "Nomor kartu BPJS ini milik pasien lain."
    register_typed(qtbot, hospital_desk)
    assert "Nomor kartu BPJS ini milik pasien lain." in view.message.text()
    assert QApplication.focusWidget() is field(hospital_desk, "deskNik")
    assert view.executor.wait_for_done(5000)
    assert hospital_desk.kiosk.store.tickets_on(day) == []

    field(hospital_desk, "deskNomorkartu").setText("0009876543211")  # corrected
    key(qtbot, hospital_desk, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.issued is not None, timeout=10000)


def test_a_doctor_whose_hours_are_over_is_shown_but_never_chosen(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The centre away, two doctors cached this morning: one went home (hours to 00:01),
    one still works. The first is listed as over and cannot be chosen, as on the kiosk's
    screen and as the centre would refuse; the second is the one chosen."""
    gone = poli_dalam_doctor(
        "rsud-dalam-pagi",
        "dr. Pagi Sekali",
        quota_jkn=10,
        left_jkn=10,
        quota_non_jkn=10,
        left_non_jkn=10,
        ends="00:01",
    )
    with offline_hospital_desk(tmp_path, qtbot, [gone, ANDI]) as desk:
        view = view_of(desk)
        over = view.doctor.findData(gone.schedule_id)
        assert view.doctor.itemText(over).endswith(" · praktik sudah selesai")
        model = view.doctor.model()
        assert isinstance(model, QStandardItemModel)
        item = model.item(over)
        assert item is not None and not item.isEnabled()
        assert view.doctor.currentData() == ANDI.schedule_id
        view.doctor.setCurrentIndex(over)  # as a stale selection would
        view.payer.setCurrentIndex(1)  # the list is filled again
        assert view.doctor.currentData() == ANDI.schedule_id


def test_offline_the_desk_takes_its_places_from_the_cache_as_the_kiosk_does(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The centre away, a doctor with one JKN place left in the cache: the visit takes
    it (the ticket has the estimated time, as the kiosk's), the doctor is then shown
    full and a second visit with them is refused (no overbooking from this desk)."""
    last_place = poli_dalam_doctor(
        "rsud-dalam-satu",
        "dr. Satu Tempat",
        quota_jkn=2,
        left_jkn=1,
        quota_non_jkn=0,
        left_non_jkn=0,
    )
    with offline_hospital_desk(tmp_path, qtbot, [last_place]) as desk:
        view = view_of(desk)
        assert "kuota penuh" not in view.doctor.itemText(0)
        type_patient(qtbot, desk, SITI.nik, SITI.nomorkartu, SITI.name, "12-03-1985", 2)
        register_typed(qtbot, desk)
        qtbot.waitUntil(lambda: view.issued is not None, timeout=10000)
        issued = view.issued
        assert issued is not None and issued.hospital is None, "numbered offline"
        assert issued.ticket.estimated_at == "08:10", "the second place: 08:00 + 10 min"
        assert "08:10" in view.result.text()
        qtbot.waitUntil(lambda: "kuota penuh" in view.doctor.itemText(0), timeout=5000)

        key(qtbot, desk, Qt.Key.Key_F9)
        type_patient(qtbot, desk, "1471011708790002", "0001234567891", "Budi", "17-08-1979", 1)
        register_typed(qtbot, desk)
        assert view.message.text() == "Pilih poli dan dokter yang masih punya kuota."
        assert view.executor.wait_for_done(5000)
        assert len(desk.kiosk.store.tickets_on(desk.controller.now().date())) == 1


def test_a_cancel_shows_the_centres_answer_not_a_hope_and_keeps_it(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str
) -> None:
    """A cancel of a ticket served meanwhile: "waiting" until the centre answers, then
    "not cancelled: served", read from the store (a restarted desk shows it too)."""
    staff = hospital_staff_headers(demo_central)
    # the demo's poli-anak doctor works until 14:00: one open whenever the test runs
    stem = all_day_doctor(
        demo_central, staff, "poli-anak", "dr. Sepanjang Hari", quota_jkn=5, quota_non_jkn=5
    )
    view = found(qtbot, hospital_desk, 0, "000123", "12-03-1985")
    view.payer.setCurrentIndex(1)  # umum
    doctor = listed(qtbot, view, stem)
    view.poli.setCurrentIndex(view.poli.findData("poli-anak"))
    view.doctor.setCurrentIndex(view.doctor.findData(doctor.schedule_id))
    assert view.doctor.currentData() == doctor.schedule_id
    key(qtbot, hospital_desk, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.issued is not None, timeout=10000)
    issued = view.issued
    assert issued is not None
    qtbot.waitUntil(lambda: delivered(hospital_desk, issued.ticket_id), timeout=15000)
    while True:  # the poli calls and serves every ticket waiting, this one too
        called = requests.post(
            f"{demo_central}/api/v1/staff/queue/call-next",
            json={"office_id": HOSPITAL, "service_id": "poli-anak", "counter": "Poli Anak"},
            headers=staff,
            timeout=5,
        ).json()["ticket"]
        if called is None:
            break
        requests.post(
            f"{demo_central}/api/v1/staff/tickets/{called['ticket_id']}/served",
            headers=staff,
            timeout=5,
        ).raise_for_status()
    view.refresh()
    qtbot.waitUntil(lambda: issued.ticket.number in view.today.item(0).text(), timeout=5000)
    view.today.setCurrentRow(0)
    key(qtbot, hospital_desk, Qt.Key.Key_F8)
    type_in(qtbot, "salah daftar")
    key(qtbot, hospital_desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "menunggu dikirim" in view.message.text(), timeout=5000)
    qtbot.waitUntil(lambda: delivered(hospital_desk, f"cancel-{issued.ticket_id}"), timeout=15000)
    served = "tidak dibatalkan: sudah dilayani"
    qtbot.waitUntil(lambda: view.today.item(0).text().endswith(served), timeout=5000)

    view.cancels = {}  # what a restarted desk knows: nothing but the store
    view._show(list(view.tickets))
    assert not view.today.item(0).text().endswith(served)
    qtbot.waitUntil(lambda: view.today.item(0).text().endswith(served), timeout=5000)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_doctors_hours_and_both_quotas_are_legible_at_1366x768(
    hospital_desk: KioskWindow, qtbot: QtBot, lang: str
) -> None:
    if lang == "en":
        hospital_desk.toggle_language()
    view = view_of(hospital_desk)
    view.show_patient(SITI)
    hospital_desk.resize(1366, 768)
    qtbot.waitUntil(lambda: hospital_desk.width() == 1366, timeout=5000)
    metrics = QFontMetrics(view.doctor.font())
    for poli in range(view.poli.count()):
        view.poli.setCurrentIndex(poli)
        popup = view.doctor.view()
        for row in range(view.doctor.count()):
            text = view.doctor.itemText(row)
            assert metrics.horizontalAdvance(text) <= popup.minimumWidth(), "the list: in full"
            if not view._open(row):
                continue  # a full doctor (another test's, on this shared centre)
            view.doctor.setCurrentIndex(row)
            QApplication.processEvents()
            doctor = view._chosen_doctor()
            assert doctor is not None
            text = view.doctor.currentText()
            assert metrics.horizontalAdvance(text) <= view.doctor.width() - 30, text
            info = view.doctor_info
            corner = info.mapTo(hospital_desk, info.rect().bottomRight())
            assert info.isVisible() and corner.y() <= hospital_desk.height(), "on screen"
            assert info.height() >= info.heightForWidth(info.width()), "not cut"
            shown = info.text()
            for value in (doctor.starts, doctor.ends, str(doctor.left_jkn)):
                assert value in shown
            assert str(doctor.left_non_jkn) in shown.rsplit("non-JKN", 1)[1]


def test_a_search_that_finds_no_one_leaves_no_patient_to_register(
    hospital_desk: KioskWindow, qtbot: QtBot
) -> None:
    view = found(qtbot, hospital_desk, 0, "000123", "12-03-1985")
    find(qtbot, hospital_desk, 2, "0001234567891", "01-01-1970")  # Budi, a wrong birth date
    assert view.message.text().startswith("Pasien tidak ditemukan")
    assert view.patient is None and "Siti" not in every_string(hospital_desk)
    key(qtbot, hospital_desk, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert view.message.text() == "Cari pasien atau simpan pasien baru dulu."
    assert view.executor.wait_for_done(5000)
    assert hospital_desk.kiosk.store.tickets_on(hospital_desk.controller.now().date()) == []


def test_offline_a_search_says_the_visit_can_still_be_typed_in(
    tmp_path: Path, qtbot: QtBot
) -> None:
    config = offline_config(tmp_path)
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(config.store_path)
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    store.save_catalog(catalog, '"demo"', catalog["version"])
    store.close()
    with opened(qtbot, config) as desk:
        view = view_of(desk)
        desk.activateWindow()
        key(qtbot, desk, Qt.Key.Key_F2)
        type_in(qtbot, "000123")
        key(qtbot, desk, Qt.Key.Key_Return)  # no date of birth yet: the cursor goes there
        assert QApplication.focusWidget() is field(desk, "deskFindBirth")
        type_in(qtbot, "12-03-1985")
        key(qtbot, desk, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: view.message.text() != "Mencari…", timeout=10000)
        assert "tetap bisa didaftarkan: F3" in view.message.text()


# -- answers that come late --------------------------------------------------------------------
class Held:
    """A controller command whose calls are kept, so the test answers them when it says
    (through the real command, against the real centre): a slow centre or a busy pool."""

    def __init__(self, real: Callable[..., None], hold: int = 1) -> None:
        self.real = real
        self.hold = hold
        self.calls: list[tuple[object, ...]] = []

    def __call__(self, *args: object) -> None:
        self.calls.append(args)
        if len(self.calls) > self.hold:
            self.real(*args)

    def answer(self, n: int = 0) -> None:
        self.real(*self.calls[n])


def hold(monkeypatch: pytest.MonkeyPatch, view: DeskView, command: str) -> Held:
    """The desk's controller ``command`` held (:class:`Held`) for this test."""
    held = Held(getattr(view.controller, command))
    monkeypatch.setattr(view.controller, command, held)
    return held


def namesakes(demo_central: str, name: str, birth: str, niks: tuple[str, ...]) -> None:
    token = desk_token(demo_central)[0]  # only the desk adds patients
    for nik in niks:
        made = requests.post(
            f"{demo_central}/api/v1/hospital/patients",
            json={"nik": nik, "name": name, "birth_date": birth, "sex": "L"},
            headers=bearer(token),
            timeout=10,
        )
        assert made.status_code in (200, 201), made.text


def test_a_visit_answered_after_another_patient_was_chosen_is_not_shown_under_them(
    hospital_desk: KioskWindow, qtbot: QtBot, demo_central: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    namesakes(demo_central, "Bayu Kembar", "1994-08-06", ("1471010608940001", "1471010608940002"))
    view = find(qtbot, hospital_desk, 3, "bayu kembar", "06-08-1994")
    assert view.results.count() == 2
    key(qtbot, hospital_desk, Qt.Key.Key_Return)  # the first: X
    x = view.patient
    assert x is not None
    held = hold(monkeypatch, view, "register_visit")
    register_typed(qtbot, hospital_desk, "0301R0011125K000777")  # X's visit, on its way
    assert len(held.calls) == 1

    view.results.setFocus()
    view.results.setCurrentRow(1)
    key(qtbot, hospital_desk, Qt.Key.Key_Return)  # the clerk chooses Y meanwhile
    y = view.patient
    assert y is not None and y.nik != x.nik

    held.answer()  # X's registration reaches the centre and answers now
    assert view.executor.wait_for_done(10000)
    qtbot.waitUntil(lambda: view.register_button.isEnabled(), timeout=10000)
    assert view.patient == y and field(hospital_desk, "deskNik").text() == y.nik
    assert view.issued is None, "X's ticket is never Y's"
    assert view.result.text() == ""
    day = hospital_desk.controller.now().date()
    assert len(hospital_desk.kiosk.store.tickets_on(day)) == 1, "X's visit is registered"


def test_a_patient_saved_after_the_fields_were_corrected_gives_them_no_no_rm(
    hospital_desk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = view_of(hospital_desk)
    held = hold(monkeypatch, view, "register_patient")
    type_patient(qtbot, hospital_desk, "3171012501900007", "", "Rahmat Hidayat", "25-01-1990", 1)
    view.save_button.setFocus()
    key(qtbot, hospital_desk, Qt.Key.Key_Return)
    assert len(held.calls) == 1
    name = field(hospital_desk, "deskName")
    name.setText("Rahmat Hidayat Putra")  # corrected while it is saved

    held.answer()
    qtbot.waitUntil(lambda: view.message.text().startswith("Pasien tersimpan"), timeout=10000)
    assert "isian sudah diubah" in view.message.text()
    assert field(hospital_desk, "deskNorm").text() == "", "the No. RM is the data sent, not these"
    assert view.patient is None


def test_a_search_after_f9_runs_though_the_one_before_has_not_answered(
    hospital_desk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = view_of(hospital_desk)
    held = hold(monkeypatch, view, "find_patients")
    hospital_desk.activateWindow()
    key(qtbot, hospital_desk, Qt.Key.Key_F2)
    type_in(qtbot, "000123")
    key(qtbot, hospital_desk, Qt.Key.Key_Tab)
    type_in(qtbot, "12-03-1985")
    key(qtbot, hospital_desk, Qt.Key.Key_Return)  # Siti's search, on its way
    key(qtbot, hospital_desk, Qt.Key.Key_F9)

    found(qtbot, hospital_desk, 2, "0001234567891", BUDI_BIRTH)  # the next patient: Budi
    assert len(held.calls) == 2, "asked, not silently refused"
    budi = field(hospital_desk, "deskName").text()
    held.answer()  # Siti's answer comes last
    assert view.executor.wait_for_done(10000)
    QApplication.processEvents()
    assert field(hospital_desk, "deskName").text() == budi and "Siti" not in every_string(
        hospital_desk
    )


def test_a_visit_asked_while_one_is_on_its_way_is_refused_with_a_word(
    hospital_desk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = found(qtbot, hospital_desk, 0, "000123", "12-03-1985")
    held = hold(monkeypatch, view, "register_visit")
    register_typed(qtbot, hospital_desk, "0301R0011125K000123")
    key(qtbot, hospital_desk, Qt.Key.Key_F9)
    found(qtbot, hospital_desk, 2, "0001234567891", BUDI_BIRTH)
    register_typed(qtbot, hospital_desk, "0301R0011125K000124")
    assert len(held.calls) == 1
    assert view.message.text() == (
        "Permintaan sebelumnya masih dikirim. Tunggu jawabannya, lalu coba lagi."
    )
    held.answer()
    assert view.executor.wait_for_done(10000)
    qtbot.waitUntil(lambda: view.register_button.isEnabled(), timeout=10000)


def test_a_second_f5_while_the_first_prints_prints_nothing_more(
    desk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = view_of(desk)
    ticket = store_ticket(desk)
    view.refresh()
    qtbot.waitUntil(lambda: ticket.number in view.today.item(0).text(), timeout=5000)
    held = hold(monkeypatch, view, "reprint")
    desk.activateWindow()
    key(qtbot, desk, Qt.Key.Key_F5)
    key(qtbot, desk, Qt.Key.Key_F5)  # the printer is slow: pressed again
    assert len(held.calls) == 1, "one paper, not two"
    assert view.message.text() == (
        "Permintaan sebelumnya masih dikirim. Tunggu jawabannya, lalu coba lagi."
    )
    held.answer()
    qtbot.waitUntil(lambda: "dicetak ulang" in view.message.text(), timeout=5000)
    key(qtbot, desk, Qt.Key.Key_F5)  # answered: a reprint asked now is one
    assert len(held.calls) == 2


def test_a_failed_search_leaves_register_disabled_while_a_visit_is_on_its_way(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with offline_hospital_desk(tmp_path, qtbot, [ANDI]) as desk:
        view = view_of(desk)
        held = hold(monkeypatch, view, "register_visit")
        type_patient(
            qtbot, desk, "1471015203850001", "0001234567890", "Siti Aminah", "12-03-1985", 0
        )
        register_typed(qtbot, desk, "0301R0011125K000123")
        assert len(held.calls) == 1 and not view.register_button.isEnabled()
        find(qtbot, desk, 0, "000123", "12-03-1985")  # the centre is away: the search fails
        assert "F3" in view.message.text()
        assert not view.register_button.isEnabled(), "the visit is still on its way"
        held.answer()
        qtbot.waitUntil(lambda: view.register_button.isEnabled(), timeout=10000)


def test_back_in_service_the_desk_reads_todays_list_again(tmp_path: Path, qtbot: QtBot) -> None:
    config = offline_config(tmp_path)
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(config.store_path)
    issued = store.issue_ticket(
        office_id="pku-mpp",
        service_id="puskesmas-umum",
        prefix="A",
        counter="Loket 1",
        payload={"office_id": "pku-mpp", "service_id": "puskesmas-umum", "values": {}},
        now=office_clock(config)(),
    )
    store.close()
    good = config.store_path.with_name("kept-aside.db")
    config.store_path.rename(good)
    config.store_path.write_bytes(b"half a database, then the power went" * 200)
    deferred = Store.open(config.store_path, deferred=True)
    window = build_window(config, deferred, demo=True, use_pcscd=False, desk=True)
    qtbot.addWidget(window)
    window.show()
    try:
        controller, view = window.controller, view_of(window)
        qtbot.waitUntil(lambda: controller.status().out_of_service, timeout=10_000)
        assert view.executor.wait_for_done(5000)
        QApplication.processEvents()
        assert view.tickets == []
        good.replace(config.store_path)  # the operator puts the good store back
        controller.retry_store()
        qtbot.waitUntil(lambda: not controller.status().out_of_service, timeout=10_000)
        qtbot.waitUntil(lambda: [t.id for t in view.tickets] == [issued.id], timeout=10_000)
        assert issued.number in view.today.item(0).text()
    finally:
        window.shut_down(5000)
        deferred.close()
