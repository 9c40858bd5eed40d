"""The service grid and detail: requirements, the queue in words, hours, "Daftar", what a
card cannot use, one entry per purpose, tiles that fill the screen."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from contract.assurance import Assurance
from contract.wire import ServiceQueue
from kiosk.client.info import QueueState
from kiosk.session.machine import Phase
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.screens.services import ServiceDetailScreen, ServicesScreen
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def tile(kiosk: KioskWindow, service_id: str) -> QPushButton:
    return next(
        b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == service_id
    )


def test_detail_shows_requirements_hours_and_the_queue(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    kiosk.controller._sync.online = False  # as if the centre went away: no queue to show
    kiosk.controller._queue.state = None
    click(qtbot, tile(kiosk, "ktp-cetak-ulang"))
    wait_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
    detail = kiosk.screens[Phase.SERVICE_CHOSEN]
    assert isinstance(detail, ServiceDetailScreen)
    assert detail.name.text() == "Cetak Ulang KTP-el"
    assert detail.requirements.text().startswith("• ")
    assert detail.hours.text() == "Jam layanan: Senin–Jumat 08.00–15.00, Sabtu 08.00–12.00"
    assert detail.queue.text() == "Keadaan antrean belum dapat dilihat"  # words, not "—"
    assert detail.progress.text() == "Langkah 1 dari 3"  # still choosing

    # the centre's answer arrives while the detail is up
    kiosk.controller._queue.state = QueueState(
        "pku-mpp", "2026-11-23", (ServiceQueue("ktp-cetak-ulang", "B-012", 4, 15),)
    )
    kiosk.status_changed()
    assert detail.queue.text() == (
        "Sedang dilayani: B-012 · 4 orang menunggu\nPerkiraan waktu tunggu: ± 15 menit"
    )
    kiosk.controller._queue.state = QueueState(  # a wait below zero is no wait to say
        "pku-mpp", "2026-11-23", (ServiceQueue("ktp-cetak-ulang", "B-012", 4, -10),)
    )
    kiosk.status_changed()
    assert detail.queue.text() == "Sedang dilayani: B-012 · 4 orang menunggu"
    kiosk.controller._queue.state = QueueState(
        "pku-mpp", "2026-11-23", (ServiceQueue("ktp-cetak-ulang", "B-012", 4, 15),)
    )
    kiosk.status_changed()
    kiosk.toggle_language()
    assert detail.queue.text().startswith("Now serving: B-012")
    assert detail.hours.text().startswith("Opening hours: Mon–Fri")
    click(qtbot, button_with(kiosk, "Register for this service"))
    wait_phase(qtbot, kiosk, Phase.FORM)


def test_a_service_the_card_cannot_use_says_why_on_its_tile(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    catalog = kiosk.controller.status().catalog
    assert catalog is not None
    services = tuple(
        dataclasses.replace(s, assurance=Assurance.SIGNED) if s.id == "izin-usaha-mikro" else s
        for s in catalog.services
    )
    kiosk.controller._sync.use_catalog(
        dataclasses.replace(catalog, version="signed", services=services)
    )
    click(qtbot, button_with(kiosk, "e-KTP"))  # a UID only: unverified
    wait_phase(qtbot, kiosk, Phase.PROVING)
    click(qtbot, button_with(kiosk, "Lewati"))  # no date of birth: nobody named
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    blocked = tile(kiosk, "izin-usaha-mikro")
    assert blocked.property("blocked") is True
    assert "perlu kartu warga resmi yang ditandatangani kota" in blocked.text()
    assert tile(kiosk, "ktp-cetak-ulang").property("blocked") is False
    click(qtbot, blocked)
    assert kiosk.controller.session().phase is Phase.IDENTIFIED
    assert kiosk.controller.session().problem == "assurance_too_low"


def test_tiles_say_the_queue_in_words(kiosk: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    qtbot.waitUntil(lambda: kiosk.controller.status().queue is not None, timeout=5000)
    said = {
        (None, 0): "Belum ada antrean",
        ("A-012", 3): "Sedang dilayani: A-012 · 3 orang menunggu",
        ("A-012", 0): "Sedang dilayani: A-012 · tidak ada yang menunggu",
        ("   ", 0): "Belum ada antrean",  # a blank number is no number
        (" A-012 ", -3): "Sedang dilayani: A-012 · tidak ada yang menunggu",
        (None, 2): "2 orang menunggu · belum ada yang dilayani",  # the last: said in English
    }
    for (serving, waiting), words in said.items():
        kiosk.controller._queue.state = QueueState(
            "pku-mpp", "2026-11-23", (ServiceQueue("puskesmas-umum", serving, waiting, 5),)
        )
        kiosk.status_changed()
        line = tile(kiosk, "puskesmas-umum").text().splitlines()[-1]
        assert line == words
        assert "—" not in tile(kiosk, "puskesmas-umum").text()
    kiosk.toggle_language()
    assert tile(kiosk, "puskesmas-umum").text().endswith("2 waiting · no one served yet")
    kiosk.controller._queue.state = QueueState(
        "pku-mpp", "2026-11-23", (ServiceQueue("puskesmas-umum", None, 0, 0),)
    )
    kiosk.status_changed()
    assert tile(kiosk, "puskesmas-umum").text().endswith("No one in the queue yet")


def test_tiles_say_nothing_of_a_queue_nobody_reported(kiosk: KioskWindow, qtbot: QtBot) -> None:
    # The centre went away before the tap; the engine is stopped first, so no heartbeat
    # of its finds the centre again (and lets the kiosk ask) while the test looks.
    kiosk.controller._sync.stop()
    QApplication.processEvents()  # its last news, already posted, is taken before...
    kiosk.controller._sync.online = False  # ...the kiosk learns the centre is away
    kiosk.controller._queue.state = None
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert "menunggu" not in tile(kiosk, "puskesmas-umum").text()
    assert tile(kiosk, "puskesmas-umum").text().startswith("Pendaftaran Poli Umum Puskesmas")


def test_one_entry_per_purpose_and_tiles_that_fill_the_screen(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config, width=1080, height=1920) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        click(qtbot, button_with(kiosk, "Siti Aminah"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        screen = kiosk.screens[Phase.IDENTIFIED]
        assert isinstance(screen, ServicesScreen)
        assert screen.progress.text() == "Langkah 1 dari 3"
        shown = {b.property("service_id") for b in kiosk.findChildren(QPushButton)}
        # the catalog's status and complaint queues are not a second door to the same thing
        assert {"status-berkas", "pengaduan-layanan"} & shown == set()
        assert {"puskesmas-umum", "ktp-cetak-ulang"} <= shown
        status, complaint = button_with(kiosk, "Status berkas"), button_with(kiosk, "Sampaikan")
        assert status.objectName() == complaint.objectName() == "tile"  # the services' look
        assert not status.icon().isNull() and not complaint.icon().isNull()
        assert screen.own_heading.isVisible() and screen.own_heading.text() == (
            "Cek berkas dan pengaduan"
        )

        def shown_tiles() -> list[QPushButton]:
            return [b for b in screen.grid_host.findChildren(QPushButton) if b.isVisible()]

        qtbot.waitUntil(lambda: len(shown_tiles()) == 6)  # four services, status, complaint
        tiles = shown_tiles()
        # few services on a tall screen: the tiles share its height, nothing to scroll
        viewport = screen.scroll_area.viewport()
        assert screen.grid_host.height() <= viewport.height()
        assert min(t.height() for t in tiles) > 2 * kiosk.view.touch_px
        lowest = max(t.mapTo(viewport, t.rect().bottomLeft()).y() for t in tiles)
        assert lowest > viewport.height() * 0.9
        # the bottom row, at thumb height, under the grid
        assert screen.cancel.mapTo(kiosk, screen.cancel.rect().topLeft()).y() > (
            kiosk.height() * 0.85
        )
        kiosk.resize(1920, 1080)  # on its side: two columns
        qtbot.waitUntil(lambda: screen._columns == 2 and len(shown_tiles()) == 6)
        tiles = shown_tiles()
        rows = {t.mapTo(screen, t.rect().topLeft()).y() for t in tiles}
        assert len(rows) < len(tiles)


def test_the_queue_is_asked_while_the_card_is_read_not_after_the_greeting(
    kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer can be there for the greeting's first frame: no greeting painted with the
    last citizen's figures and then again. Each later showing of the tiles or the detail
    asks again."""
    controller = kiosk.controller
    asked_in: list[Phase] = []
    ask = controller.refresh_queue

    def refresh_queue() -> None:
        asked_in.append(controller.session().phase)
        ask()

    monkeypatch.setattr(controller, "refresh_queue", refresh_queue)
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    qtbot.waitUntil(lambda: controller.status().queue is not None, timeout=5000)
    assert asked_in == [Phase.READING], "asked once, as the card was read"
    click(qtbot, tile(kiosk, "puskesmas-umum"))
    wait_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
    assert asked_in == [Phase.READING, Phase.SERVICE_CHOSEN]
