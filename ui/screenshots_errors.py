"""Pictures of every way a problem is shown (#15), both orientations and both languages.

Called by :mod:`ui.screenshots` after the touchscreen pictures, on the same
running demo. The error screen is shown for one problem of each kind (its
icon differs: a card refused, expired, blocked, the reader gone, the kiosk
failing, a read to try again), rendered from :data:`ui.problems.PROBLEMS` as
the session would show it; then the notices in place: the date-of-birth
keypad, the ticket that did not print, the complaint without a category, the
information and status lists that cannot be loaded, the operator's wrong PIN,
and the attract screen out of service. Each is saved as
``error-<what>-<portrait|landscape>-<id|en>.png``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from cardio.emulators.demo_cards import demo_card
from cardio.errors import Reason
from cardio.readers.simulated import SimulatedReader
from kiosk.errors import ApplicationsProblem, Problem, SessionProblem
from kiosk.lookups.information import ApplicationsAnswer, Information
from kiosk.session.events import (
    BirthDateEntered,
    ComplaintOpened,
    Confirmed,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase, SessionState, ticket_settled
from ui.screens.complaint import ComplaintScreen
from ui.screenshots_touch import Camera
from ui.window import KioskWindow

#: One problem of each kind on the error screen, by picture name.
ERROR_SCREENS: dict[str, Problem] = {
    "card-expired": Reason.EXPIRED,
    "card-blocked": Reason.REVOKED,
    "card-unreadable": Reason.MALFORMED,
    "card-too-slow": SessionProblem.READ_TIMEOUT,
    "reader-unplugged": Reason.READER_UNAVAILABLE,
    "kiosk-failed": SessionProblem.ISSUE_FAILED,
}
Wait = Callable[[Callable[[], bool]], None]


def capture_errors(app: QApplication, window: KioskWindow, out: Path, wait: Wait) -> list[Path]:
    controller = window.controller
    overlays = window.overlays
    camera = Camera(app, window, out, wait, prefix="error-")
    saved = camera.saved
    settle, shots, to_idle = camera.settle, camera.shots, camera.to_idle
    size = window.size()

    to_idle()
    message = window.screens[Phase.ERROR]
    for name, code in ERROR_SCREENS.items():

        def error_screen(code: Problem = code) -> None:
            message.render_state(SessionState(phase=Phase.ERROR, problem=code), window.view)
            window.stack.setCurrentWidget(message)

        shots(name, error_screen)
    window.render_state(controller.session())

    def out_of_service() -> None:
        window.attract.out_of_service = True
        window.attract.render_state(controller.session(), window.view)

    shots("out-of-service", out_of_service)
    window.attract.out_of_service = False
    window.attract.render_state(controller.session(), window.view)

    def information() -> None:
        overlays.open_information()
        offline = Information(queue=None, health=None, reachable=False)
        overlays.information.show_information(offline, window.view)

    shots("information", information)
    overlays.close()

    def pin() -> None:
        window.stack.setCurrentWidget(overlays.pin)
        overlays.pin.render_state(controller.session(), window.view)
        overlays.pin.warn("pin_wrong", window.view, tries=2)

    shots("pin", pin)
    overlays.pin.clear()
    window.render_state(controller.session())

    reader = window.kiosk.reader
    if not isinstance(reader, SimulatedReader):
        raise RuntimeError("the screenshots need the demo's simulated reader")
    reader.tap(demo_card("ektp").applet())  # a UID alone: the date of birth first
    wait(lambda: controller.session().phase is Phase.PROVING)
    controller.dispatch(BirthDateEntered("31021990"))  # no such date
    shots("birth-date", settle)
    to_idle()

    reader.tap(demo_card("siti").applet())
    wait(lambda: controller.session().phase is Phase.IDENTIFIED)

    def applications() -> None:
        overlays.open_applications()
        unverified = ApplicationsAnswer(problem=ApplicationsProblem.UNVERIFIED)
        overlays.applications.show_answer(unverified, window.view)

    shots("status-berkas", applications)
    overlays.close()
    controller.dispatch(ServiceSelected("puskesmas-umum"))
    controller.dispatch(FormOpened())
    controller.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam dua hari"}))
    controller.dispatch(Confirmed())
    controller.dispatch(NotifyAnswered(controller.session().session, False))
    wait(lambda: ticket_settled(controller.session()))

    def unprinted() -> None:
        state = controller.session()
        if state.ticket is not None:
            ticket = dataclasses.replace(state.ticket, printed=False)
            window.screens[Phase.TICKET_ISSUED].render_state(
                dataclasses.replace(state, ticket=ticket), window.view
            )

    shots("ticket-not-printed", unprinted)
    to_idle()
    controller.dispatch(ComplaintOpened())
    complaint = window.screens[Phase.COMPLAINT]
    assert isinstance(complaint, ComplaintScreen)  # noqa: S101
    shots("complaint", complaint.submit)  # no category chosen: said in place
    to_idle()
    window.resize(size)
    settle()
    return saved
