"""The kiosk window: renders the session state, sends the citizen's events."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from kiosk.overlays import Overlay
from kiosk.session.events import (
    BookingCodeOpened,
    ComplaintOpened,
    Finish,
    PatientSearchOpened,
    SessionEvent,
    Tick,
    UserActivity,
)
from kiosk.session.machine import TAP_STARTS, Phase, SessionState
from kiosk.speech import SpeechMode
from kiosk.startup import warm_up
from kiosk.wiring.kiosk import Kiosk
from ui.first_paint import FirstPaint, NextFrame
from ui.idle_warning import IdleWarning
from ui.lazy_screens import LazyScreens, ScreenStack, onto
from ui.overlays import Overlays
from ui.screens.attract import AttractScreen
from ui.screens.common import Screen, View
from ui.sounds import Player, SessionSounds
from ui.speech import SessionSpeech, TouchSpeaker, Voice
from ui.tap_guard import TapGuard
from ui.tasks import QtExecutor
from ui.texts import LANGUAGES
from ui.theme import min_touch_px, style_sheet
from ui.window_filters import WindowFilters

if TYPE_CHECKING:
    from ui.desk import DeskView

log = logging.getLogger(__name__)

TICK_MS = 250
#: After the store has settled, before the warm-up starts: the screen's own update first.
WARM_UP_DELAY_MS = 100
#: Load the store anyway if the window is not painted by then (kept hidden).
FIRST_PAINT_FALLBACK_MS = 2000
#: A card read still going on this long (ms) after the tap shows the reading screen; a
#: quicker one (a few ms on the kiosk's readers, PC/SC's included) greets the citizen
#: straight from the attract screen, without a flash of the reading screen: one frame
#: between the tap and the greeting, not two. Under the tenth of a second that feels
#: immediate; the tap's cue sounds at once.
READING_SHOWN_AFTER_MS = 100
#: Phases whose screens take nothing from the citizen (no key, no field): the screens
#: wiped when one of them was shown are still wiped when the next one is.
AT_REST = frozenset({Phase.IDLE, Phase.READING})


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
            self._screen_values,  # said as shown
        )
        #: With speech on, a touched tile or navigation button says what it is (and still
        #: does what it does); keys never (``button(..., spoken=False)``).
        self.touch_speaker = TouchSpeaker(self._speak_touched, parent=self)
        #: The screens, the shown one alone in its layout (no hidden one is asked its size).
        self.stack = ScreenStack()
        self.attract = AttractScreen(
            self.toggle_language,
            kiosk.demo_cards,
            on_complaint=lambda: self.dispatch(ComplaintOpened()),
            on_speech=self.toggle_speech if self.speech.switch.has_button else None,
            on_larger_text=self.toggle_larger_text,
            on_booking_code=lambda: self.dispatch(BookingCodeOpened()),
            on_patient_search=lambda: self.dispatch(PatientSearchOpened()),
        )
        #: Each phase's screen, built (and put on the stack) when first shown: only
        #: the attract screen is needed for the first frame (ui/lazy_screens.py).
        self.screens: LazyScreens[Phase, Screen] = LazyScreens(onto(self.stack))
        _put_screens(self.screens, self.attract, self.view, lambda: self.dispatch(Finish()))
        self.screens[Phase.IDLE]  # on the stack, first
        #: The input filters, on this window's QWindow and its popups' (not on the
        #: application, which would ask them about every event of every widget).
        self.input_filters = WindowFilters(self)
        #: A tap delivered twice never answers the screen its first tap opened.
        #: Runs while a card tapped at rest is read and its screen not shown yet.
        self._reading_held = QTimer(self)
        self._reading_held.setSingleShot(True)
        self._reading_held.setInterval(READING_SHOWN_AFTER_MS)
        self._reading_held.timeout.connect(self._show_reading)
        self.tap_guard = TapGuard(self.stack, self, held=self._reading_held.isActive)
        self.input_filters.add(self.tap_guard)
        self.stack.currentChanged.connect(lambda _index: self.tap_guard.screen_changed())

        #: Information, application status, the operator's PIN and panel (#7).
        self.overlays = Overlays(self)
        self.desk: DeskView | None = None
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        if desk:
            from ui.desk import DeskView

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
        self._readied = False
        self._phase_shown: Phase | None = None
        #: The session whose card read asked for the queue, until its greeting is shown.
        self._queue_asked_for: int | None = None
        self._screen_shown: Screen | None = None
        #: The screen a card tap is taken over (the session machine's ``TAP_STARTS``: the
        #: attract, thank-you and error screens, which hold nothing of a citizen and which
        #: a session's end leaves as they are), while it is the one shown with no overlay
        #: over it: the reading screen waits behind it for a quick read.
        self._tap_screen: QWidget | None = None
        #: Every screen wiped since the last state that could put anything of a citizen
        #: on one (see :data:`AT_REST`).
        self._wiped = False
        #: Each new screen's first frame, told to the controller: a worker holds its next
        #: work back for the frame showing what it handed over. Not at the desk, where
        #: the session's screens are not shown.
        self._next_frame: NextFrame | None = None
        if not desk:
            self._next_frame = NextFrame(self)
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
        # Once the first screen is up: the store, the catalog, the sync engine; once
        # the store has settled, what the first tap and ticket will need. At the desk
        # the stack is hidden behind the desk's view: the view's first paint, else
        # the desk waited for the fallback meant for a window kept hidden.
        shown = self.desk if self.desk is not None else self.stack
        FirstPaint(shown, self._first_painted, fallback_ms=FIRST_PAINT_FALLBACK_MS)

    def _first_painted(self) -> None:
        self.controller.subscribe_status(self._once_ready)
        self.controller.load()
        if self.desk is not None:
            self.desk.refresh()  # today's tickets (the store) and doctors (the centre)

    def _once_ready(self) -> None:
        """Once the store's opening has settled (the kiosk ready for a tap, or out of
        service): what the first tap and ticket will need, the cues and the voice, and
        the screens not shown yet, built in the event loop's spare turns. Not sooner:
        a worker importing them would hold the interpreter while the store opens."""
        if self._readied or not self.controller.status().store_settled:
            return
        self._readied = True
        QTimer.singleShot(WARM_UP_DELAY_MS, self, lambda: warm_up(self.executor))
        QTimer.singleShot(WARM_UP_DELAY_MS, self, self.sounds.load)
        QTimer.singleShot(WARM_UP_DELAY_MS, self, self.speech.load)
        self.screens.build_rest(self)

    def _screen_values(self, state: SessionState) -> dict[str, str]:
        from ui.screens.booking_words import screen_values

        return screen_values(state, self.view)

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
        if self.overlays.machine.current in (Overlay.PIN, Overlay.OPERATOR):
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
        self.controller.tell_frames(self._next_frame is not None)
        self.input_filters.adopt()  # the QWindow exists now (a new one after a change of flags)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.controller.tell_frames(False)  # hidden: no frame will come

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
        if not state.personal and not (self._wiped and state.phase in AT_REST):
            # The session ended: wipe every widget (a screen never built holds nothing).
            # Once wiped, a card tapped at rest finds it so: nothing is typed on the
            # attract and reading screens, and a wipe lays out every screen again.
            for screen in self.screens.built():
                screen.clear()
            self._wiped = True
        elif state.personal or state.phase not in AT_REST:
            self._wiped = False
        new_phase = state.phase is not self._phase_shown
        if new_phase:
            self._ask_queue(state)
        self._phase_shown = state.phase
        screen = self.screens[state.phase]
        if self._screen_shown is not None and self._screen_shown is not screen:
            self._screen_shown.left()
        self._screen_shown = screen
        screen.render_state(state, self.view)
        shown = self.overlays.cover(state) or screen
        held = self._hold_reading(state, shown, new_phase)
        if not held:
            self._reading_held.stop()
            self.stack.setCurrentWidget(shown)
            self._tap_screen = shown if state.phase in TAP_STARTS and shown is screen else None
        if new_phase and not held and self._next_frame is not None:
            session, phase = state.session, state.phase
            self._next_frame.watch(shown, lambda: self.controller.painted(session, phase))
        if screen is self.attract:  # the time now, not the one left from before the session
            self.attract.show_time(self.controller.now(), self.view.lang)
        self._render_warning()
        self.sounds.render(state)
        if not held:  # the voice says the screen shown: a held one once it shows, if ever
            self.speech.render(state, self.view.lang)
        if self.attract.speech_on != self.speech.on(state):  # the session ended, or began
            self.attract.speech_on = self.speech.on(state)
            self.touch_speaker.listen(self.attract.speech_on)
            if state.phase is Phase.IDLE:
                self.attract.render_state(state, self.view)

    def _hold_reading(self, state: SessionState, shown: QWidget, new_phase: bool) -> bool:
        """Whether the reading screen ``shown`` waits (:data:`READING_SHOWN_AFTER_MS`):
        a card tapped over the attract, thank-you or error screen, still up with no
        overlay over it. An overlay is cleared as the session that showed it ends, so
        the reading screen replaces it at once, as it replaces a screen of a session."""
        if state.phase is not Phase.READING or shown is not self.screens[Phase.READING]:
            return False
        current = self.stack.currentWidget()
        if new_phase and current is not None and current is self._tap_screen:
            self._reading_held.start()
        return self._reading_held.isActive()

    def _show_reading(self) -> None:
        """The read takes longer than a glance: the reading screen, as rendered."""
        state = self.controller.session()
        if state.phase is not Phase.READING or self.overlays.cover(state) is not None:
            return
        reading = self.screens[Phase.READING]
        self.stack.setCurrentWidget(reading)
        self.speech.render(state, self.view.lang)
        if self._next_frame is not None:
            session = state.session
            self._next_frame.watch(reading, lambda: self.controller.painted(session, Phase.READING))

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


def _put_screens(
    screens: LazyScreens[Phase, Screen],
    attract: AttractScreen,
    view: View,
    finish: Callable[[], None],
) -> None:
    """Every phase's screen into ``screens``, each module imported when its screen is built."""
    screens.put(lambda: attract, Phase.IDLE)

    def reading() -> Screen:
        from ui.screens.attract import ReadingScreen

        return ReadingScreen()

    def services() -> Screen:
        from ui.screens.services import ServicesScreen

        return ServicesScreen(view)

    def service_detail() -> Screen:
        from ui.screens.services import ServiceDetailScreen

        return ServiceDetailScreen(view)

    def form() -> Screen:
        from ui.screens.form import FormScreen

        return FormScreen(view)

    def confirm() -> Screen:
        from ui.screens.form import ConfirmScreen

        return ConfirmScreen(view)

    def consent() -> Screen:
        from ui.screens.consent import ConsentScreen

        return ConsentScreen(view)

    def consent_phone() -> Screen:
        from ui.screens.consent import ConsentPhoneScreen

        return ConsentPhoneScreen(view)

    def issuing() -> Screen:
        from ui.screens.ticket import IssuingScreen

        return IssuingScreen()

    def ticket() -> Screen:
        from ui.screens.ticket import TicketScreen

        return TicketScreen(view)

    def complaint() -> Screen:
        from ui.screens.complaint import ComplaintScreen

        return ComplaintScreen(view)

    def complaint_sending() -> Screen:
        from ui.screens.complaint import ComplaintSendingScreen

        return ComplaintSendingScreen()

    def complaint_filed() -> Screen:
        from ui.screens.complaint import ComplaintFiledScreen

        return ComplaintFiledScreen(view)

    def appointment() -> Screen:
        from ui.screens.appointment import AppointmentScreen

        return AppointmentScreen(view)

    def doctor() -> Screen:
        from ui.screens.hospital import DoctorScreen

        return DoctorScreen(view)

    def payer() -> Screen:
        from ui.screens.hospital import PayerScreen

        return PayerScreen(view)

    def patient_number() -> Screen:
        from ui.screens.hospital import PatientNumberScreen

        return PatientNumberScreen(view)

    def patient_birth() -> Screen:
        from ui.screens.hospital import PatientBirthScreen

        return PatientBirthScreen(view)

    def booking_code() -> Screen:
        from ui.screens.booking_code import BookingCodeScreen

        return BookingCodeScreen(view)

    def birth_date() -> Screen:
        from ui.screens.birth_date import BirthDateScreen

        return BirthDateScreen(view)

    def message() -> Screen:
        from ui.screens.message import MessageScreen

        return MessageScreen(finish)

    screens.put(reading, Phase.READING)
    screens.put(services, Phase.IDENTIFIED)
    screens.put(service_detail, Phase.SERVICE_CHOSEN)
    screens.put(form, Phase.FORM)
    screens.put(confirm, Phase.CONFIRMING)
    screens.put(consent, Phase.CONSENT)
    screens.put(consent_phone, Phase.CONSENT_PHONE)
    screens.put(issuing, Phase.ISSUING)
    screens.put(ticket, Phase.TICKET_ISSUED)
    screens.put(complaint, Phase.COMPLAINT)
    screens.put(complaint_sending, Phase.COMPLAINT_SENDING)
    screens.put(complaint_filed, Phase.COMPLAINT_FILED)
    screens.put(appointment, Phase.APPOINTMENT)
    screens.put(doctor, Phase.DOCTOR)
    screens.put(payer, Phase.PAYER)
    screens.put(patient_number, Phase.PATIENT_NUMBER)
    # One screen for the typing and for the answer awaited after it:
    screens.put(patient_birth, Phase.PATIENT_BIRTH, Phase.PATIENT_CHECK)
    screens.put(booking_code, Phase.BOOKING_CODE, Phase.BOOKING_CHECK)
    screens.put(birth_date, Phase.PROVING, Phase.PROVING_CHECK)
    screens.put(message, Phase.DONE, Phase.ERROR)
