"""The kiosk window: renders the session state, sends the citizen's events."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.session.events import (
    BookingCodeOpened,
    ComplaintOpened,
    Finish,
    PatientSearchOpened,
    SessionEvent,
    Tick,
    UserActivity,
)
from kiosk.session.machine import Phase, SessionState
from kiosk.speech import SpeechMode
from kiosk.startup import warm_up
from kiosk.wiring.kiosk import Kiosk
from ui.desk import DeskView
from ui.first_paint import FirstPaint
from ui.idle_warning import IdleWarning
from ui.overlays import Overlays
from ui.screens.appointment import AppointmentScreen
from ui.screens.attract import AttractScreen, ReadingScreen
from ui.screens.birth_date import BirthDateScreen
from ui.screens.booking_code import BookingCodeScreen
from ui.screens.booking_words import screen_values
from ui.screens.common import Screen, View
from ui.screens.complaint import ComplaintFiledScreen, ComplaintScreen, ComplaintSendingScreen
from ui.screens.consent import ConsentPhoneScreen, ConsentScreen
from ui.screens.form import ConfirmScreen, FormScreen
from ui.screens.hospital import DoctorScreen, PatientBirthScreen, PatientNumberScreen, PayerScreen
from ui.screens.message import MessageScreen
from ui.screens.services import ServiceDetailScreen, ServicesScreen
from ui.screens.ticket import IssuingScreen, TicketScreen
from ui.sounds import Player, SessionSounds
from ui.speech import SessionSpeech, TouchSpeaker, Voice
from ui.tap_guard import TapGuard
from ui.tasks import QtExecutor
from ui.texts import LANGUAGES
from ui.theme import min_touch_px, style_sheet
from ui.window_filters import WindowFilters

log = logging.getLogger(__name__)

TICK_MS = 250
WARM_UP_DELAY_MS = 300
#: Load the store anyway if the window is not painted by then (kept hidden).
FIRST_PAINT_FALLBACK_MS = 2000


class KioskWindow(QMainWindow):
    def __init__(
        self,
        kiosk: Kiosk,
        executor: QtExecutor,
        *,
        desk: bool = False,
    ) -> None:
        super().__init__()
        #: Kiosk mode (full screen): the window ignores every close but the operator's exit.
        self.locked = False
        self._exit_allowed = False
        #: What the operator panel's exit calls after closing the window (the app's quit).
        self.exit_requested: Callable[[], None] = lambda: None
        #: The kiosk shown: the screens use its controller's front door only.
        self.kiosk = kiosk
        self.controller = controller = kiosk.controller
        self.executor = executor
        status = controller.status()
        self.view = View(
            lang=status.language,
            catalog=status.catalog,
            office_id=controller.config.kiosk.office_id,
            dispatch=self.dispatch,
            touch_px=min_touch_px(controller.config.kiosk.screen_dpi),
            help_counter=controller.config.kiosk.help_counter,
        )
        # On the window, not only the app: every screen gets the sizes of its dpi.
        self._larger_text: bool | None = None
        self._apply_text_size(status.larger_text)
        self.printer_ok = status.printer_ok
        #: The kiosk that speaks (kiosk.speech): nothing looked for before the first paint.
        self.speech = SessionSpeech(
            Voice(controller.config.data_dir / "speech", parent=self),  # on its own lane
            SpeechMode(controller.config.kiosk.speech),
            lambda state: screen_values(state, self.view),  # said as shown
        )
        #: With speech on, a touched tile or navigation button says what it is (and still
        #: does what it does); keys never (``button(..., spoken=False)``).
        self.touch_speaker = TouchSpeaker(self._speak_touched, parent=self)
        self.stack = QStackedWidget()
        self.attract = AttractScreen(
            self.toggle_language,
            kiosk.demo_cards,
            on_complaint=lambda: self.dispatch(ComplaintOpened()),
            on_speech=self.toggle_speech if self.speech.switch.has_button else None,
            on_larger_text=self.toggle_larger_text,
            on_booking_code=lambda: self.dispatch(BookingCodeOpened()),
            on_patient_search=lambda: self.dispatch(PatientSearchOpened()),
        )
        self.screens: dict[Phase, Screen] = {
            Phase.IDLE: self.attract,
            Phase.READING: ReadingScreen(),
            Phase.IDENTIFIED: ServicesScreen(self.view),
            Phase.SERVICE_CHOSEN: ServiceDetailScreen(self.view),
            Phase.FORM: FormScreen(self.view),
            Phase.CONFIRMING: ConfirmScreen(self.view),
            Phase.CONSENT: ConsentScreen(self.view),
            Phase.CONSENT_PHONE: ConsentPhoneScreen(self.view),
            Phase.ISSUING: IssuingScreen(),
            Phase.TICKET_ISSUED: TicketScreen(self.view),
            Phase.COMPLAINT: ComplaintScreen(self.view),
            Phase.COMPLAINT_SENDING: ComplaintSendingScreen(),
            Phase.COMPLAINT_FILED: ComplaintFiledScreen(self.view),
            Phase.APPOINTMENT: AppointmentScreen(self.view),
            Phase.DOCTOR: DoctorScreen(self.view),
            Phase.PAYER: PayerScreen(self.view),
            Phase.PATIENT_NUMBER: PatientNumberScreen(self.view),
        }
        patient_birth = PatientBirthScreen(self.view)  # typing, then the centre's answer
        self.screens[Phase.PATIENT_BIRTH] = patient_birth
        self.screens[Phase.PATIENT_CHECK] = patient_birth
        booking_code = BookingCodeScreen(self.view)  # typing, then the lookup
        self.screens[Phase.BOOKING_CODE] = booking_code
        self.screens[Phase.BOOKING_CHECK] = booking_code
        proving = BirthDateScreen(self.view)  # typing, then the centre's check
        self.screens[Phase.PROVING] = proving
        self.screens[Phase.PROVING_CHECK] = proving
        message = MessageScreen(lambda: self.dispatch(Finish()))
        self.screens[Phase.DONE] = message
        self.screens[Phase.ERROR] = message
        for screen in dict.fromkeys(self.screens.values()):
            self.stack.addWidget(screen)
        #: The input filters, on this window's QWindow and its popups' (not on the
        #: application, which would ask them about every event of every widget).
        self.input_filters = WindowFilters(self)
        #: A tap delivered twice never answers the screen its first tap opened.
        self.tap_guard = TapGuard(self.stack, self)
        self.input_filters.add(self.tap_guard)
        self.stack.currentChanged.connect(lambda _index: self.tap_guard.screen_changed())

        #: Information, application status, the operator's PIN and panel (#7).
        self.overlays = Overlays(self)
        self.desk: DeskView | None = None
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        if desk:
            # The clerk's keyboard-first screen; a tapped card's session runs behind
            # it, unseen, and hands the holder to the desk (ui/desk.py).
            self.desk = DeskView(controller, executor, self.view)
            layout.addWidget(self.desk, 1)
            layout.addWidget(self.stack)
            self.stack.hide()
        else:
            layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.setWindowTitle("Anjungan")
        #: "Still there?" over the whole window, with the countdown (WCAG 2.2.1).
        self.warning = IdleWarning(self, lambda: self.dispatch(UserActivity()))
        self.warning_text, self.warning_button = self.warning.text, self.warning.button
        self._phase_shown: Phase | None = None
        #: The session whose card read asked for the queue, until its greeting is shown.
        self._queue_asked_for: int | None = None
        self._screen_shown: Screen | None = None
        #: A cue on a tap, a success, an error; found and loaded after the first paint.
        section = controller.config.kiosk
        self.sounds = SessionSounds(
            Player(controller.config.data_dir / "sounds", volume=section.sound_volume, parent=self),
            enabled=section.sounds,
        )

        controller.subscribe(self.render_state)
        controller.subscribe_status(self.status_changed)
        self._last_activity = 0.0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(TICK_MS)
        # Out of service, the store is tried again every minute (the catalog and
        # the lists come from the sync engine alone).
        self.store_timer = QTimer(self)
        self.store_timer.timeout.connect(controller.retry_store)
        self.store_timer.start(60_000)
        # A healthy answer clears a printer fault (and the banner) without a test print.
        self.printer_timer = QTimer(self)
        self.printer_timer.timeout.connect(controller.refresh_printer)
        self.printer_timer.start(int(controller.config.printer.status_poll_s * 1000))
        self.render_state(controller.session())
        self.status_changed()
        # Once the first screen is up: the store, the catalog, the sync engine,
        # then what the first tap and ticket will need.
        FirstPaint(self.stack, self._first_painted, fallback_ms=FIRST_PAINT_FALLBACK_MS)

    def _first_painted(self) -> None:
        self.controller.load()
        if self.desk is not None:
            self.desk.refresh()  # today's tickets (the store) and doctors (the centre)
        QTimer.singleShot(WARM_UP_DELAY_MS, self, lambda: warm_up(self.executor))
        QTimer.singleShot(WARM_UP_DELAY_MS, self, self.sounds.load)
        QTimer.singleShot(WARM_UP_DELAY_MS, self, self.speech.load)

    # -- events in -----------------------------------------------------------
    def dispatch(self, event: SessionEvent) -> None:
        self.controller.dispatch(event)

    def toggle_language(self) -> None:
        i = LANGUAGES.index(self.view.lang) if self.view.lang in LANGUAGES else 0
        self.controller.set_language(LANGUAGES[(i + 1) % len(LANGUAGES)])
        self.view.lang = self.controller.status().language
        self.render_state(self.controller.session())
        if self.desk is not None:
            self.desk.render_panel()

    def toggle_speech(self) -> None:
        """The attract screen's button: read this citizen's screens aloud, or stop."""
        self.speech.load()  # pressed before the warm-up: look for the engine now
        state = self.controller.session()
        self.attract.speech_on = self.speech.pressed(state, self.view.lang, self.overlays.clock())
        self.touch_speaker.listen(self.attract.speech_on)
        self.attract.render_state(state, self.view)

    def _speak_touched(self, control: QAbstractButton) -> None:
        if self.overlays.current in (self.overlays.pin, self.overlays.operator):
            return  # the operator's: never said aloud, whatever a control asks
        state = self.controller.session()
        text = control.accessibleName() or control.text()
        self.speech.touched(text, state, self.view.lang)

    def toggle_larger_text(self) -> None:
        """The "A+" button: the whole flow's type 1.5 times, until the session ends."""
        self.controller.set_larger_text(not self.controller.status().larger_text)

    def _apply_text_size(self, larger: bool) -> None:
        """Restyle every screen at the type scale of ``larger`` (once per change)."""
        self.view.larger_text = larger
        if larger == self._larger_text:
            return
        self._larger_text = larger
        self.setStyleSheet(style_sheet(self.controller.config.kiosk.screen_dpi, larger=larger))

    def _tick(self) -> None:
        if self.stack.currentWidget() is self.attract:
            self.attract.show_time(self.controller.now(), self.view.lang)
        self._lapse_speech()
        self.dispatch(Tick())
        self.overlays.tick()
        self._render_warning()

    def _lapse_speech(self) -> None:
        """Speech asked for on the attract screen and no card in its idle time: off again."""
        state = self.controller.session()
        after_s = self.controller.config.session.idle_timeout_s
        if self.speech.lapsed(state, self.overlays.clock(), after_s):
            self.attract.speech_on = self.speech.on(state)
            self.touch_speaker.listen(self.attract.speech_on)
            self.attract.render_state(state, self.view)

    def watch_activity(self) -> None:
        """Count every touch, click and key in this window and the windows shown from
        it (a combo box's list, a dialog) as the citizen's or the clerk's activity:
        :meth:`eventFilter` on their ``QWindow``, asked before the tap guard."""
        self.input_filters.add(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.input_filters.adopt()  # the QWindow exists now (a new one after a change of flags)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.KeyPress,
            QEvent.Type.TouchBegin,
        ):
            self.overlays.touched()
            if self.desk is not None:
                self.desk.touched()
            now = time.monotonic()
            if now - self._last_activity > 1.0:
                self._last_activity = now
                self.dispatch(UserActivity())
        return False

    # -- rendering -----------------------------------------------------------
    def render_state(self, state: SessionState) -> None:
        status = self.controller.status()
        self.view.catalog = status.catalog
        self.view.printer_ok = self.printer_ok = status.printer_ok
        self.view.queue = status.queue
        if not state.personal:  # the session ended: wipe every widget
            for screen in dict.fromkeys(self.screens.values()):
                screen.clear()
        if state.phase is not self._phase_shown:
            self._ask_queue(state)
        self._phase_shown = state.phase
        screen = self.screens[state.phase]
        if self._screen_shown is not None and self._screen_shown is not screen:
            self._screen_shown.left()
        self._screen_shown = screen
        screen.render_state(state, self.view)
        self.stack.setCurrentWidget(self.overlays.cover(state) or screen)
        if screen is self.attract:  # the time now, not the one left from before the session
            self.attract.show_time(self.controller.now(), self.view.lang)
        self._render_warning()
        self.sounds.render(state)
        self.speech.render(state, self.view.lang)
        if self.attract.speech_on != self.speech.on(state):  # the session ended, or began
            self.attract.speech_on = self.speech.on(state)
            self.touch_speaker.listen(self.attract.speech_on)
            if state.phase is Phase.IDLE:
                self.attract.render_state(state, self.view)

    def _ask_queue(self, state: SessionState) -> None:
        """Now serving and the wait, for the tiles and the detail: asked as the card is
        read, so the answer is there for the greeting's first frame (not painted with the
        last citizen's figures, then again), and on each later showing of either screen."""
        if state.phase is Phase.READING:
            self._queue_asked_for = state.session
            self.controller.refresh_queue()
        elif state.phase in (Phase.IDENTIFIED, Phase.SERVICE_CHOSEN):
            if state.phase is Phase.IDENTIFIED and self._queue_asked_for == state.session:
                self._queue_asked_for = None  # the greeting: asked while the card was read
                return
            self.controller.refresh_queue()

    def _render_warning(self) -> None:
        left = self.controller.idle_countdown()
        if left is not None:
            self.warning.show_countdown(int(left + 0.999), self.view)
        else:
            self.warning.hide()

    def status_changed(self) -> None:
        status = self.controller.status()
        self._apply_text_size(status.larger_text)
        self.attract.out_of_service = status.out_of_service
        self.view.catalog = status.catalog
        self.view.printer_ok = self.printer_ok = status.printer_ok
        self._render_attract_status()
        if self.desk is not None:
            self.desk.catalog_changed()
        state = self.controller.session()
        if state.phase is Phase.IDLE:
            self.attract.render_state(state, self.view)
        elif state.phase in (Phase.IDENTIFIED, Phase.SERVICE_CHOSEN):  # the queue's answer
            self.view.queue = status.queue
            self.screens[state.phase].render_state(state, self.view)

    def _render_attract_status(self) -> None:
        self.attract.set_status(
            self.view, online=self.controller.status().online, printer_ok=self.printer_ok
        )

    def go_fullscreen(self) -> None:
        """Kiosk mode: frameless, on top, the whole screen, and locked (see :meth:`closeEvent`)."""
        self.locked = True
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        screen = self.screen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    def shut_down(self, timeout_ms: int = 3000) -> None:
        """Stop the kiosk (reader, sync engine), wait for its workers, close the window.

        The caller closes the store afterwards: nothing writes to it any more.
        """
        self.controller.stop()
        self.executor.wait_for_done(timeout_ms)
        self.speech.voice.shut_down(timeout_ms)  # this citizen's clips go with the kiosk
        self._exit_allowed = True  # the program is ending: not a close request to refuse
        self.input_filters.stop()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Alt+F4, the compositor's close, a stray close(): none ends a locked kiosk.
        if self.locked and not self._exit_allowed:
            log.warning("close request ignored: the kiosk is locked (operator panel to exit)")
            event.ignore()
            return
        event.accept()

    def operator_exit(self) -> None:
        """The operator panel's exit: the one way to close a locked kiosk."""
        log.info("operator exits the kiosk")
        self.overlays.close(rerender=False)
        self._exit_allowed = True
        self.close()
        self.exit_requested()
