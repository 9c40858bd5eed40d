"""After a tap, "Status berkas" shows staff's answers to the citizen's complaints, and each
application's note in the screen's language only (#14).

Against a real demo central server on 127.0.0.1 of this module's own: staff
answer a complaint on its database as the office page does, then a citizen
taps their card at the kiosk.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from central.database import Database
from central.office import complaints
from central.process import RunningCentral, start_central
from kiosk.session.machine import Phase
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk
from testkit.centre_requests import complaint, results
from testkit.centres import TEST_SERVER_ARGS
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_phase
from ui.window import KioskWindow

SITI_CARD = "PKU-000001"


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    with start_central(seed_demo=True, extra_args=(*TEST_SERVER_ARGS, "--auth-rate", "1000")) as s:
        yield s


@pytest.fixture(scope="module")
def centre_db(centre: RunningCentral) -> Iterator[Database]:
    db = Database(centre.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot, centre: RunningCentral) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, centre.url)) as window:
        qtbot.waitUntil(lambda: window.controller.status().online is True, timeout=5000)
        yield window


def answered_complaint(db: Database, url: str, card: str, text: str, answer: str) -> str:
    """A complaint filed with ``card`` at a kiosk, then answered by staff: its reference."""
    _, token = new_kiosk(db, url)
    item = complaint(str(uuid.uuid4()), text)
    reference = f"ADU-{uuid.uuid4().hex[:12].upper()}"
    item["body"].update(reference=reference, card_number=card)
    assert results(url, token, [item])[0]["status"] == "accepted"
    with db.begin() as conn:
        complaints.answer(conn, reference, answer, actor="staff:ani", allowed_office=DEMO_OFFICE)
    return reference


def shown_rows(window: KioskWindow) -> list[str]:
    QApplication.processEvents()
    host = window.overlays.applications.host
    return [w.text() for w in host.findChildren(QLabel) if not w.isHidden()]


def open_status(window: KioskWindow, qtbot: QtBot, status_button: str) -> list[str]:
    click(qtbot, button_with(window, "Siti Aminah"))
    wait_phase(qtbot, window, Phase.IDENTIFIED)
    click(qtbot, button_with(window, status_button))
    qtbot.waitUntil(lambda: not window.overlays.applications.loading, timeout=5000)
    return shown_rows(window)


def test_a_complaint_answered_by_staff_appears_at_the_kiosk_after_a_tap(
    kiosk: KioskWindow, qtbot: QtBot, centre: RunningCentral, centre_db: Database
) -> None:
    reference = answered_complaint(
        centre_db, centre.url, SITI_CARD, "AC mati.", "AC lantai 2 sudah diperbaiki."
    )
    rows = open_status(kiosk, qtbot, "Status berkas")
    assert "Jawaban atas pengaduan Anda" in rows
    mine = [r for r in rows if reference in r]
    assert len(mine) == 1 and "AC lantai 2 sudah diperbaiki." in mine[0]
    assert not any("AC mati." in r for r in rows), "the complaint's text is not sent back"


def test_the_note_is_shown_in_the_citizens_language_only(kiosk: KioskWindow, qtbot: QtBot) -> None:
    rows = open_status(kiosk, qtbot, "Status berkas")
    ready = next(r for r in rows if "BRK-DEMO0001" in r)
    assert "Ambil di loket 2." in ready and "Collect" not in ready


def test_the_note_on_an_english_screen_is_the_english_one(kiosk: KioskWindow, qtbot: QtBot) -> None:
    kiosk.toggle_language()
    assert kiosk.controller.status().language == "en"
    rows = open_status(kiosk, qtbot, "Document status")
    ready = next(r for r in rows if "BRK-DEMO0001" in r)
    assert "Collect at counter 2." in ready and "Ambil" not in ready
