"""One citizen from a simulated tap to a printed ticket, through the real window."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.session.machine import Phase
from testkit.kiosk_window import (
    SITI_STRINGS,
    button_with,
    click,
    demo_config,
    running_kiosk,
    visible_strings,
    wait_for_catalog,
    wait_phase,
)
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def test_tap_service_form_ticket_prints_a_pdf(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path, demo_central: str
) -> None:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert "Selamat datang, Ibu Siti Aminah" in visible_strings(kiosk)

    tile = next(
        b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == "puskesmas-umum"
    )
    click(qtbot, tile)
    wait_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
    click(qtbot, button_with(kiosk, "Daftar layanan ini"))
    wait_phase(qtbot, kiosk, Phase.FORM)

    name = kiosk.findChild(QLineEdit, "field_full_name")
    nik = kiosk.findChild(QLineEdit, "field_nik")
    phone = kiosk.findChild(QLineEdit, "field_phone")
    assert name is not None and nik is not None and phone is not None
    assert (name.text(), name.isReadOnly()) == ("Siti Aminah", True)
    assert (nik.text(), nik.isReadOnly()) == ("1471015203850001", True)
    # from her city record, and she may change it
    assert phone.text() == "081378901234" and not phone.isReadOnly()
    phone.clear()

    click(qtbot, button_with(kiosk, "Lanjut"))  # phone missing: stays, says why
    assert kiosk.controller.session().phase is Phase.FORM
    assert "Wajib diisi" in visible_strings(kiosk)
    qtbot.keyClicks(phone, "081234567890")
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))
    # one question before the ticket, the number she just typed shown masked; she says yes
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    question = [w.text() for w in kiosk.screens[Phase.CONSENT].findChildren(QLabel)]
    assert "Kirim pemberitahuan ke 0812 ••••• 890?" in question
    assert not any("081234567890" in text for text in question)
    store = kiosk.kiosk.store
    assert [i for state in ("pending", "sending", "delivered") for i in store.outbox(state)] == []
    click(qtbot, button_with(kiosk, "Ya, kirim"))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)

    ticket = kiosk.controller.session().ticket
    assert ticket is not None and ticket.printed
    # online the centre numbers it (the shared demo centre counts on across tests)
    # 001 up online; past 999 where a day's numbers met the kiosks' leased blocks.
    assert re.fullmatch(r"A-\d{3,}", ticket.number)
    pdfs = list((tmp_path / "tickets").glob("tiket-*.pdf"))
    assert len(pdfs) == 1
    # The puskesmas asks for the registration slip: a second job once the number is shown.
    qtbot.waitUntil(lambda: any((tmp_path / "tickets").glob("slip-*.pdf")), timeout=5000)
    text = "".join(page.extract_text() for page in PdfReader(pdfs[0]).pages)
    assert ticket.number in text
    assert "Pendaftaran Poli Umum Puskesmas" in " ".join(text.split())

    # the ticket and its outbox row were stored together, and the sync engine
    # delivers it: the centre's status page knows the number (the payload, with
    # the phone she typed, is wiped from the kiosk once delivered)
    [item] = [i for state in ("pending", "sending", "delivered") for i in store.outbox(state)]
    assert store.ticket(item.key)["number"] == ticket.number
    qtbot.waitUntil(lambda: store.outbox_stats(kiosk.controller.now()).depth == 0, timeout=10000)
    # the centre took it, her yes to messages and all (what the body carries:
    # tests/kiosk/test_notify_consent.py, tests/sync/test_notify_delivery.py)
    [delivered] = store.outbox("delivered")
    assert delivered.key == item.key and store.outbox("dead") == []
    answer = requests.get(f"{demo_central}/api/v1/public/tickets/{item.key}", timeout=5)
    assert answer.status_code == 200
    assert (answer.json()["number"], answer.json()["status"]) == (ticket.number, "waiting")
    assert "081234567890" not in answer.text

    click(qtbot, button_with(kiosk, "Selesai"))
    wait_phase(qtbot, kiosk, Phase.DONE)
    shown = visible_strings(kiosk)
    leaked = [s for s in SITI_STRINGS if s in shown]
    assert leaked == [], "personal data left on screen after the session"


def test_broken_demo_card_shows_a_message_and_recovers(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "Kartu rusak"))
    wait_phase(qtbot, kiosk, Phase.ERROR)
    assert "Kartu tidak dapat dibaca" in visible_strings(kiosk)
    click(qtbot, button_with(kiosk, "Tutup"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert "Selamat datang, Bapak Budi Santoso" in visible_strings(kiosk)


def test_missing_printer_folder_still_gives_the_number(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    (tmp_path / "tickets").rmdir()
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    tile = next(
        b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == "kk-perubahan"
    )
    click(qtbot, tile)
    click(qtbot, button_with(kiosk, "Daftar layanan ini"))
    click(qtbot, button_with(kiosk, "Lanjut"))
    click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)  # Budi's record phone, masked
    assert "Kirim pemberitahuan ke 0852 ••••• 234?" in visible_strings(kiosk)
    click(qtbot, button_with(kiosk, "Tidak"))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    ticket = kiosk.controller.session().ticket
    assert ticket is not None and not ticket.printed
    assert ticket.print_fault == "output_unavailable"
    shown = visible_strings(kiosk)
    assert ticket.number in shown and "foto layar ini" in shown
    store = kiosk.kiosk.store
    [item] = [i for state in ("pending", "sending", "delivered") for i in store.outbox(state)]
    row = store.ticket(item.key)
    assert (row["printed"], row["print_fault"]) == (0, "output_unavailable")


def test_language_switch_to_english(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "English"))
    assert "Tap your card" in visible_strings(kiosk)
    click(qtbot, button_with(kiosk, "Bahasa Indonesia"))
    assert "Tempelkan kartu Anda" in visible_strings(kiosk)


def test_catalog_is_cached_for_offline_use(kiosk: KioskWindow) -> None:
    cached = kiosk.kiosk.store.load_catalog()
    assert cached is not None
    body, etag = cached
    assert etag and body["version"] == json.loads(json.dumps(body))["version"]
    assert kiosk.controller.status().online is True
