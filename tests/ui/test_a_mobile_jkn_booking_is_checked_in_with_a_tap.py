"""End to end, with real parts only: Budi Santoso books a doctor in Mobile JKN (the BPJS
stand-in plays the app and calls the centre's WS RS over HTTP: token, then ambil
antrean); at the demo hospital's real kiosk window he taps his card on the simulated
reader, the kiosk greets him with the appointment and its doctor, and one tap checks
him in and prints the ticket. The centre's visit is then ``checked_in`` with that
ticket, and BPJS Antrean RS (the stand-in, verifying every signature) receives tasks
1, 2 and 3 for the booking's code, once each and in order, with no ``antrean/add``:
Mobile JKN made the booking, the hospital only reports its steps.

The stand-ins, the centre and the booking are the demo's own (:func:`testkit.demo.demo_world`,
what ``make demo`` starts). The centre and the kiosk run in a fixed-offset zone where
it is morning now, so the doctor's hours of today are not over whatever the hour.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from central.database import Database
from central.tables import hospital_visits
from contract.bookings import format_code
from kiosk.session.machine import Phase
from offline_store import OutboxState
from testkit.demo import DemoWorld, demo_world
from testkit.hospital_window import hospital_config
from testkit.kiosk_window import button_with, click, running_kiosk, wait_phase
from testkit.waits import wait_until
from ui.screens.appointment import AppointmentScreen

pytestmark = pytest.mark.timeout(120)

WAIT_S = 30.0


@pytest.fixture
def world(tmp_path: Path) -> Iterator[DemoWorld]:
    with demo_world(tmp_path / "demo") as running:
        yield running


def visit(world: DemoWorld, kodebooking: str) -> tuple[str, str | None]:
    db = Database(world.centre.db_url)
    try:
        with db.read() as conn:
            row = conn.execute(
                select(hospital_visits.c.state, hospital_visits.c.ticket_id).where(
                    hospital_visits.c.kodebooking == kodebooking
                )
            ).one()
    finally:
        db.dispose()
    return row.state, row.ticket_id


def test_a_mobile_jkn_booking_made_through_the_ws_rs_is_checked_in_with_a_tap(
    world: DemoWorld, qtbot: QtBot, tmp_path: Path
) -> None:
    booked = world.booking
    assert booked is not None, world.refusal
    code = booked.kodebooking
    assert world.bpjs.knows(code) and world.bpjs.tasks(code) == []
    assert visit(world, code) == ("booked", None)

    (tmp_path / "kiosk").mkdir()
    config = hospital_config(tmp_path / "kiosk", world.centre.url)
    config = dataclasses.replace(
        config, kiosk=dataclasses.replace(config.kiosk, timezone=world.zone.key)
    )
    with running_kiosk(qtbot, config) as window:
        store = window.kiosk.store
        # The kiosk's own sync engine fetches the hospital's bookings of today.
        qtbot.waitUntil(lambda: store.booking_by_code(code, booked.day) is not None, timeout=20000)
        click(qtbot, button_with(window, "Budi Santoso"))
        wait_phase(qtbot, window, Phase.APPOINTMENT)
        screen = window.screens[Phase.APPOINTMENT]
        assert isinstance(screen, AppointmentScreen)
        assert screen.doctor.text() == f"Dokter: {booked.doctor}, jam praktik {booked.hours}"
        assert format_code(code) in screen.code.text(), screen.code.text()
        click(qtbot, screen.check_in)
        wait_phase(qtbot, window, Phase.TICKET_ISSUED)
        ticket = window.controller.session().ticket
        assert ticket is not None and ticket.doctor_name == booked.doctor
        qtbot.waitUntil(lambda: bool(list(Path(config.printer.output_dir).glob("tiket-*.pdf"))))
        qtbot.waitUntil(
            lambda: store.outbox_stats(window.controller.now()).depth == 0, timeout=20000
        )
        (item,) = [
            i for i in store.outbox(OutboxState.DELIVERED) if i.kind == "service_registration"
        ]
    assert visit(world, code) == ("checked_in", item.key)
    wait_until(lambda: world.bpjs.tasks(code) == [1, 2, 3], WAIT_S, "tasks 1, 2, 3 at BPJS")
    assert code not in world.bpjs.added  # Mobile JKN's booking: no antrean/add
    assert world.bpjs.refused == 0  # every call signed as BPJS checks
