"""The appointment on the real window: the code typed on the keypad's keys, a slip of
the finger told in place, five wrong codes sending the citizen to the desk, a code
found in today's cache checked in with one tap and printed, and nothing of the
booking left in any widget once the session ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from contract.bookings import BookingState, BookingToday, format_code
from kiosk.errors import SessionProblem
from kiosk.session.events import Finish
from kiosk.session.machine import MAX_CODE_ATTEMPTS, Phase, SessionState
from kiosk.speech import Utterance
from offline_store import OutboxState
from testkit.kiosk_window import (
    cache_booking,
    click,
    demo_config,
    every_string,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.todays_bookings import booking
from ui.screens.appointment import AppointmentScreen
from ui.screens.booking_code import BookingCodeScreen
from ui.screens.message import MessageScreen
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        # the engine's first fetch of the demo's bookings, which the test then replaces
        qtbot.waitUntil(lambda: window.kiosk.store.last_sync("bookings") is not None, timeout=10000)
        yield window


def keypad(qtbot: QtBot, kiosk: KioskWindow) -> BookingCodeScreen:
    assert kiosk.attract.booking_code is not None
    click(qtbot, kiosk.attract.booking_code)
    wait_phase(qtbot, kiosk, Phase.BOOKING_CODE)
    screen = kiosk.screens[Phase.BOOKING_CODE]
    assert isinstance(screen, BookingCodeScreen)
    return screen


def type_code(qtbot: QtBot, screen: BookingCodeScreen, digits: str) -> None:
    for digit in digits:
        click(qtbot, screen.keys[digit])
    click(qtbot, screen.ok)


def test_a_code_typed_on_the_keys_checks_in_and_prints(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    c = kiosk.controller
    siti = booking(c.now().date(), office_id=c.config.kiosk.office_id)
    cache_booking(kiosk, siti)
    screen = keypad(qtbot, kiosk)
    for digit in siti.code[:4]:
        click(qtbot, screen.keys[digit])
    assert screen.display.text() == f"{format_code(siti.code[:4].ljust(9, '_'))}"
    click(qtbot, screen.erase)
    type_code(qtbot, screen, siti.code[3:])
    wait_phase(qtbot, kiosk, Phase.APPOINTMENT)
    shown = kiosk.screens[Phase.APPOINTMENT]
    assert isinstance(shown, AppointmentScreen)
    assert shown.title.text() == "Anda punya janji pukul 10.30 untuk Cetak Ulang KTP-el"
    assert not shown.other.isVisible() and not shown.greeting.isVisible()  # no card, no name
    assert "Siti" not in every_string(kiosk)  # a code alone names no one
    click(qtbot, shown.check_in)
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    ticket = c.session().ticket
    assert ticket is not None and ticket.printed and ticket.number.startswith("B-")
    assert list((tmp_path / "tickets").glob("tiket-*.pdf"))
    [item] = [i for s in OutboxState for i in kiosk.kiosk.store.outbox(s)]
    # the registration carries the code (its payload is wiped once the centre has it)
    assert item.payload.get("booking_code") == siti.code or (
        item.state is OutboxState.DELIVERED and not item.payload
    )
    checked_in = kiosk.kiosk.store.booking_by_code(siti.code, siti.day)
    assert checked_in is not None and checked_in.state is BookingState.CHECKED_IN
    c.dispatch(Finish())  # the ticket screen's "Selesai"
    c.dispatch(Finish())  # the thank-you screen's
    wait_phase(qtbot, kiosk, Phase.IDLE)
    left = every_string(kiosk)
    assert siti.code not in left.replace(" ", "") and "10.30" not in left


def test_a_slip_is_told_in_place_and_five_wrong_codes_send_to_the_desk(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    screen = keypad(qtbot, kiosk)
    siti = booking(kiosk.controller.now().date())
    slip = siti.code[:-1] + str((int(siti.code[-1]) + 1) % 10)
    type_code(qtbot, screen, slip)
    assert kiosk.controller.session().problem is SessionProblem.BOOKING_CODE_INVALID
    assert screen.notice.isVisible()
    assert "salah ketik" in screen.notice.text() and "Periksa lagi" in screen.notice.text()
    assert screen.display.text() == "___ ___ ___"  # ready for the next try
    for _ in range(MAX_CODE_ATTEMPTS - 1):
        type_code(qtbot, screen, slip)
    wait_phase(qtbot, kiosk, Phase.ERROR)
    error = kiosk.screens[Phase.ERROR]
    assert isinstance(error, MessageScreen)
    assert error.title.text() == "Terlalu banyak kode janji yang salah."
    assert "loket informasi" in error.message.text()


def test_a_booking_elsewhere_is_said_with_its_day_and_office(kiosk: KioskWindow) -> None:
    screen = kiosk.screens[Phase.BOOKING_CODE]
    assert isinstance(screen, BookingCodeScreen)
    later = booking(dt.date(2026, 12, 7), starts="09:00")
    for problem, said in [
        (SessionProblem.BOOKING_OTHER_DAY, "Janji Anda untuk 7 Desember 2026, pukul 09.00"),
        (SessionProblem.BOOKING_OTHER_OFFICE, "Mal Pelayanan Publik Kota Pekanbaru"),
    ]:
        state = SessionState(phase=Phase.BOOKING_CODE, session=1, booking=later, problem=problem)
        screen.render_state(state, kiosk.view)
        assert said in screen.notice.text(), problem
    kiosk.view.lang = "en"
    state = SessionState(
        phase=Phase.BOOKING_CODE,
        session=1,
        booking=later,
        problem=SessionProblem.BOOKING_OTHER_DAY,
    )
    screen.render_state(state, kiosk.view)
    assert "Your appointment is on 7 December 2026 at 09:00, not today." in screen.notice.text()
    kiosk.view.lang = "id"


def test_a_booking_screen_is_said_in_the_words_it_shows(kiosk: KioskWindow) -> None:
    """Aloud, each notice says what happened and what to do with the time, day, office
    and desk filled in as on the screen, and the appointment its time and service."""
    said: list[Utterance] = []
    kiosk.speech.voice.listeners.append(said.append)
    kiosk.view.help_counter = "2"
    today = kiosk.controller.now().date()
    later = booking(dt.date(2026, 12, 7), starts="09:00")
    cases: list[tuple[Phase, SessionProblem | None, BookingToday]] = [
        (Phase.BOOKING_CODE, SessionProblem.BOOKING_OTHER_DAY, later),
        (Phase.BOOKING_CODE, SessionProblem.BOOKING_OTHER_OFFICE, later),
        (Phase.BOOKING_CODE, SessionProblem.BOOKING_USED, booking(today)),
        (Phase.BOOKING_CODE, SessionProblem.BOOKING_CANCELLED, booking(today)),
        (Phase.ERROR, SessionProblem.BOOKING_CODE_LOCKED, booking(today)),
        (Phase.APPOINTMENT, None, booking(today)),
    ]
    catalog = kiosk.view.catalog
    assert catalog is not None
    for session, (phase, problem, shown) in enumerate(cases, start=10):
        state = SessionState(
            phase=phase,
            session=session,
            problem=problem,
            booking=None if phase is Phase.ERROR else shown,
            service=catalog.service(shown.service_id) if phase is Phase.APPOINTMENT else None,
        )
        screen = kiosk.screens[phase]
        screen.render_state(state, kiosk.view)
        said.clear()
        assert kiosk.speech.pressed(state, "id", 0.0)  # the button: this screen said at once
        [utterance] = said
        text = utterance.text
        assert "{" not in text and "}" not in text, text
        if isinstance(screen, BookingCodeScreen):
            words = [screen.notice.happened.text(), screen.notice.todo.text()]
        elif isinstance(screen, MessageScreen):
            words = [screen.title.text(), screen.message.text()]
        else:
            assert isinstance(screen, AppointmentScreen)
            words = [screen.title.text(), screen.when.text()]
            assert "Cetak Ulang KTP-el" in text and "10.30" in text
            assert shown.code not in text.replace(" ", "")  # never the code aloud
        for shown_words in words:
            assert shown_words and shown_words.rstrip(".") in text, (problem, text)
        assert utterance.personal is (phase is not Phase.ERROR), problem
