"""A tap that must wait for the city record (asked as the card was read; the greeting
did not wait for it) says so on the screen, rather than seem to be ignored, and is
taken once the record's answer is in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytestqt.qtbot import QtBot

from kiosk.client.client import LOOKUP_PATH
from kiosk.session.events import OtherServices, ServiceSelected
from kiosk.session.machine import Phase
from testkit.fault_proxy import FaultProxy
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_for_catalog
from ui.screens.services import ServiceDetailScreen
from ui.window import KioskWindow


@pytest.fixture
def slow_record(demo_central: str) -> Iterator[FaultProxy]:
    """The demo centre behind a proxy whose city record lookups hang until the kiosk's
    own deadline; the rest passes."""
    proxy = FaultProxy(urlsplit(demo_central).port or 80)
    proxy.route(LOOKUP_PATH, "hang")
    try:
        yield proxy
    finally:
        proxy.close()


def greeted_before_the_record(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Siti's card tapped; her services shown while her record is still being asked."""
    c = kiosk.controller
    wait_for_catalog(qtbot, c)
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    shown = (Phase.IDENTIFIED, Phase.APPOINTMENT)
    qtbot.waitUntil(lambda: c.session().phase in shown, timeout=5000)
    if c.session().phase is Phase.APPOINTMENT:  # the demo books her for today
        c.dispatch(OtherServices())
    assert c.session().phase is Phase.IDENTIFIED and c.session().record_pending


def in_phase(qtbot: QtBot, kiosk: KioskWindow, phase: Phase) -> None:
    """Wait for ``phase``: past the record lookup's own deadline, at worst."""
    qtbot.waitUntil(lambda: kiosk.controller.session().phase is phase, timeout=15_000)


def test_the_form_tapped_before_the_record_came_says_it_is_loading_then_opens(
    slow_record: FaultProxy, qtbot: QtBot, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, slow_record.url)) as kiosk:
        greeted_before_the_record(qtbot, kiosk)
        kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
        in_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
        detail = kiosk.screens[Phase.SERVICE_CHOSEN]
        assert isinstance(detail, ServiceDetailScreen)
        click(qtbot, detail.next)
        session = kiosk.controller.session()
        assert session.phase is Phase.SERVICE_CHOSEN and session.tap_waiting
        assert detail.next.text() == "Memuat data Anda…" and not detail.next.isEnabled()
        in_phase(qtbot, kiosk, Phase.FORM)
        assert not kiosk.controller.session().tap_waiting
        assert slow_record.count(LOOKUP_PATH) >= 1


def test_a_complaint_tapped_before_the_record_came_shows_a_notice_while_it_waits(
    slow_record: FaultProxy, qtbot: QtBot, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, slow_record.url)) as kiosk:
        greeted_before_the_record(qtbot, kiosk)
        services = kiosk.screens[Phase.IDENTIFIED]
        click(qtbot, services.complaint)  # type: ignore[attr-defined]
        assert kiosk.controller.session().tap_waiting
        shown = services.notice.text()  # type: ignore[attr-defined]
        assert "Data Anda sedang diambil dari kota." in shown
        in_phase(qtbot, kiosk, Phase.COMPLAINT)
