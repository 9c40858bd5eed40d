"""Check-in with the centre away: the kiosk checks a card's booking in from its sealed
cache, prints the ticket, says "already checked in" at the next tap, and delivers the
registration with its booking code once the centre is back, exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from central.database import Database
from central.process import RunningCentral
from central.tables import submissions
from contract.bookings import BookingState
from kiosk.errors import SessionProblem
from kiosk.session.events import Finish
from kiosk.session.machine import Phase
from offline_store import OutboxState
from testkit.fault_proxy import FaultProxy
from testkit.kiosk_window import (
    button_with,
    cache_booking,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.sync_kiosk import centre_tickets
from testkit.todays_bookings import booking
from ui.screens.appointment import AppointmentScreen

pytestmark = pytest.mark.timeout(90)


def centre_submissions(db_url: str, key: str) -> list[dict[str, object]]:
    db = Database(db_url)
    try:
        with db.begin() as conn:
            rows = conn.execute(select(submissions).where(submissions.c.key == key)).fetchall()
    finally:
        db.dispose()
    return [json.loads(row.body) for row in rows]


def test_an_offline_check_in_reaches_the_centre_once_with_its_code(
    tmp_path: Path, central: RunningCentral, proxy: FaultProxy, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, proxy.url)
    with running_kiosk(qtbot, config) as window:
        c, store = window.controller, window.kiosk.store
        qtbot.waitUntil(lambda: c.status().online is True, timeout=10000)
        wait_for_catalog(qtbot, c)
        day = c.now().date()
        siti = booking(day, office_id=config.kiosk.office_id)
        # The centre away first: a fetch of the office's bookings (the demo's own, Siti's
        # at the slot of now) on its way when the booking was cached replaced it.
        proxy.down()  # the centre is away from here on
        cache_booking(window, siti)  # as the engine caches the office's bookings

        click(qtbot, button_with(window, "Siti Aminah"))
        wait_phase(qtbot, window, Phase.APPOINTMENT)
        screen = window.screens[Phase.APPOINTMENT]
        assert isinstance(screen, AppointmentScreen)
        assert "10.30" in screen.title.text() and "Cetak Ulang KTP-el" in screen.title.text()
        click(qtbot, screen.check_in)
        wait_phase(qtbot, window, Phase.TICKET_ISSUED)

        # Pending, or claimed by the engine trying the centre right now (it was woken
        # for the new item): not sent either way.
        (item,) = store.outbox(OutboxState.PENDING) + store.outbox(OutboxState.SENDING)
        assert item.payload["booking_code"] == siti.code
        assert item.payload["service_id"] == siti.service_id
        assert item.payload["ticket"]["number_source"] in ("lease", "fallback")
        checked = store.booking_by_code(siti.code, day)
        assert checked is not None and checked.state is BookingState.CHECKED_IN

        c.dispatch(Finish())
        c.dispatch(Finish())
        wait_phase(qtbot, window, Phase.IDLE)
        click(qtbot, button_with(window, "Siti Aminah"))  # the same card again
        wait_phase(qtbot, window, Phase.IDENTIFIED)
        assert c.session().problem is SessionProblem.BOOKING_USED
        c.dispatch(Finish())

        proxy.up()
        window.kiosk.engine.wake_all()
        qtbot.waitUntil(lambda: bool(store.outbox(OutboxState.DELIVERED)), timeout=30000)
        (delivered,) = store.outbox(OutboxState.DELIVERED)
        assert delivered.key == item.key
        # the same registration again (a kiosk that never heard the answer): replayed
        (again,) = window.kiosk.engine.client.submit(
            [{"key": item.key, "kind": item.kind, "body": item.payload}]
        )
        assert again.status == "replayed"

    (kept,) = centre_submissions(central.db_url, item.key)
    assert kept["booking_code"] == siti.code
    assert list(centre_tickets(central.db_url, [item.key])) == [item.key]
