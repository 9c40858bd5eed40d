"""Pictures of the touchscreen screens of #7 in both orientations and both languages.

Called by :mod:`ui.screenshots` after its own pass, on the same running demo:
the attract screen, the date-of-birth keypad of a UID-only
card, the service grid and detail, the form with the on-screen keyboard, the
idle warning, the confirmation, the consent question and its keypad, the ticket, the information and
application-status screens, the complaint and its reference. Each is saved as
``<screen>-<portrait|landscape>-<id|en>.png`` at 1080×1920 and 1920×1080. A refused
card is among the problem screens (:mod:`ui.screenshots_errors`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from contract.bookings import BookingState, BookingToday, damm_digit
from kiosk.session.events import (
    BookingCodeEntered,
    BookingCodeOpened,
    Cancel,
    ComplaintOpened,
    ComplaintSubmitted,
    Confirmed,
    Finish,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    NotifyNumberWanted,
    ServiceSelected,
)
from kiosk.session.machine import INTERACTIVE, Phase, ticket_settled
from ui.screens.birth_date import BirthDateScreen
from ui.screens.booking_code import BookingCodeScreen
from ui.screens.complaint import ComplaintScreen
from ui.screens.consent import ConsentPhoneScreen
from ui.window import KioskWindow

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
#: ``sync.bookings_interval_s`` for the pictures: the engine fetches the demo's bookings
#: once, then :func:`without_bookings` keeps the cache as each picture needs it.
BOOKINGS_INTERVAL_S = 24 * 3600.0
LANGUAGES = ("id", "en")
Wait = Callable[[Callable[[], bool]], None]


class Camera:
    """Takes one screen in both languages and orientations; brings the demo back to rest."""

    def __init__(
        self, app: QApplication, window: KioskWindow, out: Path, wait: Wait, prefix: str = ""
    ) -> None:
        self.app, self.window, self.out, self.wait, self.prefix = app, window, out, wait, prefix
        self.saved: list[Path] = []

    def settle(self) -> None:
        for _ in range(5):
            self.app.processEvents()
        # A closed list's rows are deleted later: gone now, as the event loop would do.
        self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def shots(self, name: str, prepare: Callable[[], None] = lambda: None) -> None:
        window = self.window
        start = window.view.lang
        for lang in LANGUAGES:
            if window.view.lang != lang:
                window.toggle_language()
            for orientation, (width, height) in SIZES.items():
                self.resize(width, height)
                prepare()
                self.settle()  # what prepare showed is laid out before it is taken
                self.resize(width, height)
                path = self.out / f"{self.prefix}{name}-{orientation}-{lang}.png"
                window.grab().save(str(path))
                self.saved.append(path)
        if window.view.lang != start:
            window.toggle_language()

    def resize(self, width: int, height: int) -> None:
        """The window at ``width`` × ``height``, as a kiosk's screen of that size shows it.

        Turned from portrait to landscape, the window's minimum height is still the one
        its wrapped words had at the portrait width, and the first resize stops there
        (1920 × 1325 for the ticket at "A+"): once laid out at the new width it is asked
        again, until the size holds.
        """
        window = self.window
        for _ in range(4):
            window.resize(width, height)
            self.settle()
            if (window.width(), window.height()) == (width, height):
                return
        raise RuntimeError(
            f"the window does not fit {width} × {height}: {window.width()} × {window.height()}"
        )

    def to_idle(self) -> None:
        controller = self.window.controller
        for _ in range(6):
            phase = controller.session().phase
            if phase is Phase.IDLE:
                return
            controller.dispatch(Cancel() if phase in INTERACTIVE else Finish())
            self.settle()
        self.wait(lambda: controller.session().phase is Phase.IDLE)


def capture_touch(app: QApplication, window: KioskWindow, out: Path, wait: Wait) -> list[Path]:
    controller = window.controller
    camera = Camera(app, window, out, wait)
    saved = camera.saved
    settle, shots, to_idle = camera.settle, camera.shots, camera.to_idle
    size = window.size()

    def phase_is(phase: Phase) -> Callable[[], bool]:
        return lambda: controller.session().phase is phase

    def clock() -> None:  # the date and time, in the language shown (the tick's job)
        window.attract.show_time(controller.now(), window.view.lang)

    to_idle()
    shots("attract", clock)
    reader = window.kiosk.reader
    if not isinstance(reader, SimulatedReader):
        raise RuntimeError("the screenshots need the demo's simulated reader")
    reader.tap(demo_card("ektp").applet())  # a UID alone: the date of birth first
    wait(phase_is(Phase.PROVING))
    keypad = window.screens[Phase.PROVING]
    assert isinstance(keypad, BirthDateScreen)  # noqa: S101
    for digit in "1506":
        keypad.press(digit)
    shots("birth-date")
    to_idle()
    controller.dispatch(BookingCodeOpened())  # "Punya kode janji?" (#16)
    wait(phase_is(Phase.BOOKING_CODE))
    code_pad = window.screens[Phase.BOOKING_CODE]
    assert isinstance(code_pad, BookingCodeScreen)  # noqa: S101

    def type_code() -> None:
        code_pad.entered = ""
        for digit in "482913":
            code_pad.press(digit)

    shots("booking-code", type_code)
    controller.dispatch(BookingCodeEntered("482913070"))  # a slip of the finger
    shots("error-booking-code")
    to_idle()
    overlays = window.overlays

    def loaded() -> bool:
        current = overlays.current
        return current is not None and not getattr(current, "loading", True)

    def information() -> None:  # opened again in each language and size, then closed
        overlays.open_information()
        wait(loaded)
        settle()

    shots("information", information)
    overlays.close()
    reader.tap(demo_card("siti").applet())
    wait(phase_is(Phase.IDENTIFIED))
    shots("services")
    controller.dispatch(ServiceSelected("puskesmas-umum"))
    shots("service-detail")
    controller.dispatch(FormOpened())
    shots("form-keyboard")

    def warn() -> None:
        window.warning.show_countdown(18, window.view)

    shots("idle-warning", warn)
    window.warning.hide()
    controller.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam dua hari"}))
    wait(phase_is(Phase.CONFIRMING))
    shots("confirm")
    controller.dispatch(Confirmed())
    wait(phase_is(Phase.CONSENT))
    shots("consent")
    controller.dispatch(NotifyNumberWanted(controller.session().session))
    wait(phase_is(Phase.CONSENT_PHONE))
    phone = window.screens[Phase.CONSENT_PHONE]
    assert isinstance(phone, ConsentPhoneScreen)  # noqa: S101
    for digit in "0813777":
        phone.press(digit)
    shots("consent-keypad")
    controller.dispatch(NotifyAnswered(controller.session().session, False))
    wait(lambda: ticket_settled(controller.session()))
    shots("ticket")
    to_idle()
    reader.tap(demo_card("siti").applet())
    wait(phase_is(Phase.IDENTIFIED))

    def applications() -> None:
        overlays.open_applications()
        wait(loaded)
        settle()

    shots("status-berkas", applications)
    overlays.close()
    controller.dispatch(ComplaintOpened())
    complaint = window.screens[Phase.COMPLAINT]
    assert isinstance(complaint, ComplaintScreen)  # noqa: S101

    def fill() -> None:
        complaint.categories["antrean"].setChecked(True)
        complaint.text.setPlainText("Antrean di loket 3 sangat lama hari ini.")

    shots("complaint", fill)
    fill()
    controller.dispatch(ComplaintSubmitted("antrean", complaint.text.toPlainText()))
    wait(phase_is(Phase.CONSENT))  # the same question, worded for the complaint
    controller.dispatch(NotifyAnswered(controller.session().session, False))
    wait(phase_is(Phase.COMPLAINT_FILED))
    shots("complaint-filed")
    to_idle()
    # Siti's appointment of today, as the sync engine caches the office's bookings
    now = controller.now()
    body = "48291307"
    window.kiosk.store.save_bookings(
        controller.config.kiosk.office_id,
        now.date(),
        [
            _siti_booking(
                controller.config.kiosk.office_id, now.date(), body + str(damm_digit(body))
            )
        ],
        etag=None,
        now=now,
    )
    reader.tap(demo_card("siti").applet())
    wait(phase_is(Phase.APPOINTMENT))
    shots("appointment")
    to_idle()
    office = controller.config.kiosk.office_id  # the later passes greet Siti with her grid
    window.kiosk.store.save_bookings(office, now.date(), [], etag=None, now=now)
    window.resize(size)
    settle()
    return saved


def without_bookings(window: KioskWindow, wait: Wait) -> None:
    """After the engine's first fetch, no booking of today in the kiosk's cache: the demo
    books Siti and Budi, whose taps would otherwise show their appointment first."""
    store, controller = window.kiosk.store, window.controller
    wait(lambda: store.last_sync("bookings") is not None)
    now = controller.now()
    store.save_bookings(controller.config.kiosk.office_id, now.date(), [], etag=None, now=now)


def _siti_booking(office_id: str, day: dt.date, code: str) -> BookingToday:
    """Siti's booking of today at the demo office (her demo card's NIK and number)."""
    claims = demo_card("siti").claims or {}
    return BookingToday(
        code=code,
        office_id=office_id,
        service_id="ktp-cetak-ulang",
        day=day,
        starts_at=dt.time(10, 30),
        ends_at=dt.time(11, 0),
        state=BookingState.BOOKED,
        nik=str(claims.get("nik")),
        card_number=str(claims.get("card_number")),
        first_name="Siti",
    )
