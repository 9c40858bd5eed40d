"""The public information screen and the citizen's application status (#7).

Against the real demo central server on 127.0.0.1 and, for the offline
message, against a closed port.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from contract.catalog import Catalog
from contract.wire import ServiceQueue
from kiosk.overlays import PUBLIC_IDLE_S
from kiosk.session.events import Cancel
from kiosk.session.machine import Phase
from testkit.centres import DEMO_CATALOG
from testkit.clocks import ManualClock
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    offline_config,
    running_kiosk,
    visible_strings,
    wait_for_catalog,
    wait_phase,
)
from ui.screens.common import View
from ui.screens.information import (
    ApplicationsScreen,
    InformationScreen,
    queue_line,
    shown_queues,
    updated_text,
)
from ui.window import KioskWindow

CANNOT_CHECK = "Data ini tidak dapat dimuat saat ini"


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot, demo_central: str) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        qtbot.waitUntil(lambda: window.controller.status().online is True, timeout=5000)
        # Online comes before the first catalog on a fresh kiosk: the rows name services
        # from the catalog, so wait for it as a kiosk that has run before would have it.
        wait_for_catalog(qtbot, window.controller)
        yield window


@pytest.fixture
def offline_kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config) as window:
        qtbot.waitUntil(lambda: window.controller.status().online is False, timeout=5000)
        yield window


def rows(screen: InformationScreen | ApplicationsScreen) -> list[str]:
    # Rows added to a shown screen are shown by a queued call (QLayout): let it run.
    QApplication.processEvents()
    return [w.text() for w in screen.host.findChildren(QLabel) if not w.isHidden()]


def loaded(window: KioskWindow) -> bool:
    current = window.overlays.current
    return current is not None and not getattr(current, "loading", True)


def test_information_without_a_card_shows_beds_and_doctors(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    click(qtbot, button_with(kiosk, "Informasi"))
    assert kiosk.stack.currentWidget() is kiosk.overlays.information
    qtbot.waitUntil(lambda: loaded(kiosk), timeout=5000)
    shown = rows(kiosk.overlays.information)
    assert "Tempat tidur tersedia" in shown
    assert "Rawat Inap Umum: 5 dari 12 kosong" in shown
    assert "Dokter bertugas" in shown
    assert "dr. Andi Pratama, Dokter Umum\nDi ruang Poli Umum 1, pukul 07.30 sampai 14.00" in shown
    click(qtbot, button_with(kiosk, "Kembali"))
    assert kiosk.stack.currentWidget() is kiosk.attract
    assert kiosk.controller.session().phase is Phase.IDLE


def test_information_shows_now_serving_per_service(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "Informasi"))
    qtbot.waitUntil(lambda: loaded(kiosk), timeout=5000)
    shown = rows(kiosk.overlays.information)
    assert "Antrean saat ini" in shown
    # The demo centre is shared by the run: the clinic's queue is whatever earlier
    # tests left, said in the tiles' words either way.
    clinic = [r for r in shown if r.startswith("Pendaftaran Poli Umum Puskesmas\n")]
    assert len(clinic) == 1
    words = clinic[0].split("\n", 1)[1]
    assert words == "Belum ada antrean" or re.fullmatch(
        r"(Sedang dilayani: \S+|\d+ orang menunggu)( · .+)*", words
    ), words
    assert not kiosk.overlays.information.notice.isVisible()
    updated = [r for r in shown if r.startswith("Diperbarui ")]
    assert len(updated) == 1 and " pukul " in updated[0]
    assert not any(re.search(r"\d{4}-\d\d|—|menunggu 0|± 0", r) for r in shown), shown


def _view(lang: str) -> View:
    catalog = Catalog.from_json(json.loads(DEMO_CATALOG.read_text()))
    return View(lang=lang, catalog=catalog, office_id="", dispatch=lambda _event: None)


def test_information_says_each_queue_in_the_words_of_the_tiles(qtbot: QtBot) -> None:
    view = _view("id")
    serving = ServiceQueue("izin-usaha-mikro", "A-012", 3, 15)
    assert queue_line(serving, view) == (
        "Izin Usaha Mikro\nSedang dilayani: A-012 · 3 orang menunggu · sekitar 15 menit"
    )
    assert queue_line(ServiceQueue("izin-usaha-mikro", None, 0, 0), view) == (
        "Izin Usaha Mikro\nBelum ada antrean"
    )
    english = queue_line(serving, _view("en"))
    assert english.startswith("Micro business permit\n") and "about 15 minutes" in english


def test_information_leaves_out_the_services_a_built_in_entry_serves(qtbot: QtBot) -> None:
    queues = tuple(
        ServiceQueue(service_id, None, 0, 0)
        for service_id in ("izin-usaha-mikro", "pengaduan-layanan", "status-berkas")
    )
    assert [q.service_id for q in shown_queues(queues, _view("id"))] == ["izin-usaha-mikro"]


def test_information_says_when_it_was_updated_as_people_write_dates(qtbot: QtBot) -> None:
    moment = dt.datetime(2026, 12, 5, 18, 34).astimezone().isoformat()
    assert updated_text(moment, _view("id")) == "Diperbarui 5 Desember 2026 pukul 18.34"
    assert updated_text(moment, _view("en")) == "Updated 5 December 2026 at 18:34"
    assert updated_text("soon", _view("id")) is None


def test_information_from_the_attract_screen_closes_when_left_alone(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    clock = ManualClock()
    kiosk.overlays.clock = clock
    kiosk.overlays.open_information()
    clock.now += PUBLIC_IDLE_S - 1
    kiosk.overlays.touched()  # a touch gives it the full time again
    clock.now += PUBLIC_IDLE_S - 1
    kiosk.overlays.tick()
    assert kiosk.overlays.current is kiosk.overlays.information
    clock.now += 2
    qtbot.waitUntil(lambda: kiosk.overlays.current is None, timeout=5000)
    assert kiosk.stack.currentWidget() is kiosk.attract


def test_a_tap_on_the_information_screen_starts_a_session(kiosk: KioskWindow, qtbot: QtBot) -> None:
    kiosk.overlays.open_information()
    qtbot.waitUntil(lambda: loaded(kiosk), timeout=5000)
    kiosk.controller.dispatch(Cancel())  # nothing to cancel: still over the attract screen
    assert kiosk.overlays.current is kiosk.overlays.information
    reader = kiosk.kiosk.reader
    assert isinstance(reader, SimulatedReader)
    reader.tap(demo_card("budi").applet())
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert kiosk.overlays.current is None
    assert kiosk.stack.currentWidget() is kiosk.screens[Phase.IDENTIFIED]


def test_status_berkas_lists_the_citizens_applications_then_wipes_them(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    click(qtbot, button_with(kiosk, "Status berkas"))
    qtbot.waitUntil(lambda: loaded(kiosk), timeout=5000)
    screen = kiosk.overlays.applications
    shown = rows(screen)
    ready = [r for r in shown if "BRK-DEMO0001" in r]
    assert ready == [
        "Cetak Ulang KTP-el: siap diambil\nAmbil di loket 2.\nNomor berkas: BRK-DEMO0001"
    ]
    assert "Izin Usaha Mikro: sedang diproses\nNomor berkas: BRK-DEMO0002" in shown
    assert not any("BRK-DEMO0003" in r for r in shown), "another citizen's file"

    kiosk.controller.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert kiosk.overlays.current is None
    assert "BRK-DEMO" not in visible_strings(kiosk)


def test_status_berkas_needs_a_verified_card(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "e-KTP"))
    wait_phase(qtbot, kiosk, Phase.PROVING)
    click(qtbot, button_with(kiosk, "Lewati"))  # no date of birth: nobody named
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    click(qtbot, button_with(kiosk, "Status berkas"))
    qtbot.waitUntil(lambda: loaded(kiosk), timeout=5000)
    notice = kiosk.overlays.applications.notice
    assert notice.isVisible() and "kartu warga yang terverifikasi" in notice.text()
    assert "BRK-DEMO" not in visible_strings(kiosk)


def test_offline_information_and_status_say_they_cannot_check(
    offline_kiosk: KioskWindow, qtbot: QtBot
) -> None:
    click(qtbot, button_with(offline_kiosk, "Informasi"))
    qtbot.waitUntil(lambda: loaded(offline_kiosk), timeout=5000)
    assert CANNOT_CHECK in offline_kiosk.overlays.information.notice.text()
    click(qtbot, button_with(offline_kiosk, "Kembali"))

    click(qtbot, button_with(offline_kiosk, "Siti Aminah"))
    wait_phase(qtbot, offline_kiosk, Phase.IDENTIFIED)
    click(qtbot, button_with(offline_kiosk, "Status berkas"))
    qtbot.waitUntil(lambda: loaded(offline_kiosk), timeout=5000)
    assert CANNOT_CHECK in offline_kiosk.overlays.applications.notice.text()
    click(qtbot, button_with(offline_kiosk, "Kembali"))
    assert offline_kiosk.stack.currentWidget() is offline_kiosk.screens[Phase.IDENTIFIED]


def test_information_speaks_english_after_the_switch(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "English"))
    click(qtbot, button_with(kiosk, "Information"))
    qtbot.waitUntil(lambda: loaded(kiosk), timeout=5000)
    shown = rows(kiosk.overlays.information)
    assert "Beds available" in shown and "Rawat Inap Umum: 5 of 12 free" in shown
