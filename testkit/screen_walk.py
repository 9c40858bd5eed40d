"""Walks through every screen of the running demo kiosk, for checks that hold on each.

:func:`visit_every_screen` drives the citizen's flow (the layout, text-size and
accessibility checks share it); :func:`visit_every_problem_screen` shows each
way a problem is shown: the error screen, out of service, the notices in
place, the overlays' failures and the operator's PIN. Each yields a name for
the screen now shown; the caller checks the window, then asks for the next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from kiosk.errors import ApplicationsProblem
from kiosk.lookups.information import ApplicationsAnswer, Information
from kiosk.session.events import (
    Back,
    BirthDateEntered,
    BookingCodeEntered,
    Cancel,
    ComplaintOpened,
    Confirmed,
    Finish,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    NotifyNumberWanted,
    NotifyPhoneEntered,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from testkit.kiosk_window import button_with, cache_booking, click, wait_phase
from testkit.todays_bookings import booking
from ui.screens.complaint import ComplaintScreen
from ui.window import KioskWindow


def open_every_choice(kiosk: KioskWindow) -> int:
    """Open what a choice field opens (a dropdown's popup, a long choice's list); how many."""
    opened = 0
    for combo in kiosk.findChildren(QComboBox):  # none any more; kept to prove the check
        if combo.isVisible():
            combo.showPopup()
            opened += 1
    form = kiosk.screens[Phase.FORM]
    for editor in getattr(form, "editors", {}).values():
        opener = getattr(editor, "opener", None)
        if opener is not None and opener.isVisible():
            opener.click()
            opened += 1
    return opened


def tap_larger_text(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Tap "A+" on the attract screen, as a citizen would before tapping a card."""
    click(qtbot, kiosk.attract.larger_text)  # type: ignore[arg-type]
    assert kiosk.controller.status().larger_text


def visit_every_screen(
    qtbot: QtBot, kiosk: KioskWindow, *, larger_text: bool = False
) -> Iterator[str]:
    """The citizen's flow; with ``larger_text`` each session starts by tapping "A+"."""
    c = kiosk.controller
    if larger_text:
        tap_larger_text(qtbot, kiosk)
    yield "attract"
    click(qtbot, button_with(kiosk, "e-KTP"))
    wait_phase(qtbot, kiosk, Phase.PROVING)
    yield "date of birth keypad"
    c.dispatch(BirthDateEntered("1990"))  # not a date: a message above the keys
    yield "date of birth keypad with a message"
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert not c.status().larger_text  # the session ended: the next citizen's usual size
    if larger_text:
        tap_larger_text(qtbot, kiosk)
    tap_to_services(qtbot, kiosk, "Siti Aminah")
    yield "services"
    c.dispatch(ServiceSelected("ktp-cetak-ulang"))
    c.dispatch(FormOpened())
    open_every_choice(kiosk)  # a dropdown's popup; tiles are shown as they are
    yield "form with a short choice"
    c.dispatch(FormSubmitted({}))
    yield "form with a short choice and messages"
    c.dispatch(Back())
    c.dispatch(Back())
    c.dispatch(ServiceSelected("izin-usaha-mikro"))
    c.dispatch(FormOpened())
    assert open_every_choice(kiosk) == 1
    yield "a long choice's full-screen list"
    c.dispatch(Back())
    c.dispatch(Back())
    c.dispatch(ServiceSelected("puskesmas-umum"))
    queue_answered(qtbot, kiosk)
    yield "service detail"
    c.dispatch(FormOpened())
    assert kiosk.screens[Phase.FORM].keyboard.isVisible()  # type: ignore[attr-defined]
    yield "form with the keyboard"
    c.dispatch(FormSubmitted({"phone": "12"}))  # messages beside the fields
    yield "form with messages"
    kiosk.clock.advance(45.0)  # type: ignore[attr-defined]
    qtbot.waitUntil(kiosk.warning.isVisible, timeout=5000)
    yield "idle warning"
    click(qtbot, kiosk.warning_button)
    c.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam"}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    yield "confirm"
    c.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    yield "consent question"
    c.dispatch(NotifyNumberWanted(c.session().session))
    wait_phase(qtbot, kiosk, Phase.CONSENT_PHONE)
    yield "consent keypad"
    c.dispatch(
        NotifyPhoneEntered(c.session().session, "0212345678")
    )  # a landline: a message above the keys
    yield "consent keypad with a message"
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    yield "ticket"
    click(qtbot, button_with(kiosk, "Selesai"))
    wait_phase(qtbot, kiosk, Phase.DONE)
    yield "thank you"
    click(qtbot, button_with(kiosk, "Selesai"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert not c.status().larger_text  # the session ended: the next citizen's usual size
    if larger_text:
        tap_larger_text(qtbot, kiosk)
    c.dispatch(ComplaintOpened())
    yield "complaint (anonymous)"
    screen = kiosk.screens[Phase.COMPLAINT]
    click(qtbot, screen.categories["lainnya"])  # type: ignore[attr-defined]
    screen.text.setPlainText("Tes")  # type: ignore[attr-defined]
    click(qtbot, button_with(kiosk, "Kirim pengaduan"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    yield "consent question after a complaint"
    click(qtbot, button_with(kiosk, "Tidak"))
    wait_phase(qtbot, kiosk, Phase.COMPLAINT_FILED)
    yield "complaint filed"
    c.dispatch(Finish())
    c.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    if larger_text:
        tap_larger_text(qtbot, kiosk)
    click(qtbot, kiosk.attract.booking_code)  # type: ignore[arg-type]
    wait_phase(qtbot, kiosk, Phase.BOOKING_CODE)
    yield "booking code keypad"
    c.dispatch(BookingCodeEntered("123"))  # too short: a message above the keys
    yield "booking code keypad with a message"
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    if larger_text:
        tap_larger_text(qtbot, kiosk)
    office = c.config.kiosk.office_id
    cache_booking(kiosk, booking(c.now().date(), office_id=office))
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.APPOINTMENT)
    yield "appointment"
    c.dispatch(Cancel())  # back where the walk began
    wait_phase(qtbot, kiosk, Phase.IDLE)


def tap_to_services(qtbot: QtBot, kiosk: KioskWindow, holder: str) -> None:
    """Tap ``holder``'s demo card and reach the service grid (past an appointment of today,
    :func:`testkit.kiosk_window.wait_phase`), its tiles with the queue's answer."""
    click(qtbot, button_with(kiosk, holder))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    queue_answered(qtbot, kiosk)


def queue_answered(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Wait for the centre's answer to the queue question the grid or the detail asked on
    showing: the tiles' and the detail's words change with it, so a check of the screen
    looks at the words it keeps, not at those of the moment before (or during) the answer."""
    queue = kiosk.controller._queue
    # Answered or not (a centre too slow for the question's deadline): words that no
    # longer change. Their longest: tests/ui/test_layout_sizes.py sets those itself.
    qtbot.waitUntil(lambda: not queue.asking, timeout=5000)


def visit_every_problem_screen(
    qtbot: QtBot, kiosk: KioskWindow, *, larger_text: bool = False
) -> Iterator[str]:
    """From the attract screen of the demo (its DEMO trust list), back to it; with
    ``larger_text`` each session starts by tapping "A+", and every screen is in it."""
    c = kiosk.controller
    view = kiosk.view

    def text_size() -> None:  # on the attract screen, before the next session
        if larger_text and not c.status().larger_text:
            tap_larger_text(qtbot, kiosk)

    text_size()
    click(qtbot, button_with(kiosk, "Kartu kedaluwarsa"))
    wait_phase(qtbot, kiosk, Phase.ERROR)
    yield "a refused card"
    click(qtbot, button_with(kiosk, "Tutup"))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    text_size()
    attract = kiosk.attract
    attract.out_of_service = True  # as an unusable store makes it (tests/ui/test_start_order.py)
    attract.render_state(c.session(), view)
    yield "out of service"
    attract.out_of_service = False
    attract.render_state(c.session(), view)

    overlays = kiosk.overlays
    overlays.open_information()
    overlays.information.show_information(
        Information(queue=None, health=None, reachable=False), view
    )
    yield "information that cannot be loaded"
    overlays.close()
    kiosk.stack.setCurrentWidget(overlays.pin)  # the demo has no operator PIN to open it
    overlays.pin.render_state(c.session(), view)
    overlays.pin.warn("pin_wrong", view, tries=2)
    yield "a wrong operator PIN"
    overlays.pin.clear()
    kiosk.render_state(c.session())

    tap_to_services(qtbot, kiosk, "Siti Aminah")
    overlays.open_applications()
    overlays.applications.show_answer(
        ApplicationsAnswer(problem=ApplicationsProblem.UNVERIFIED), view
    )
    yield "applications that cannot be listed"
    overlays.close()
    c.dispatch(ServiceSelected("puskesmas-umum"))
    c.dispatch(FormOpened())
    c.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam"}))
    c.dispatch(Confirmed())
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    state = c.session()
    assert state.ticket is not None
    unprinted = dataclasses.replace(state, ticket=dataclasses.replace(state.ticket, printed=False))
    kiosk.screens[Phase.TICKET_ISSUED].render_state(unprinted, view)
    yield "a ticket that did not print"
    c.dispatch(Finish())
    c.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    text_size()
    c.dispatch(ComplaintOpened())
    complaint = kiosk.screens[Phase.COMPLAINT]
    assert isinstance(complaint, ComplaintScreen)
    click(qtbot, complaint.send)  # no category yet: said in place
    yield "a complaint without a category"
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
