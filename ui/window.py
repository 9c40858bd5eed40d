"""The kiosk window: renders the session state, sends the citizen's events."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk.controller import KioskController
from kiosk.session import Phase, SessionState
from kiosk.session_events import Finish, SessionEvent, Tick, UserActivity
from ui.screens.attract import AttractScreen, MessageScreen, ReadingScreen
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.form import ConfirmScreen, FormScreen
from ui.screens.services import ServiceDetailScreen, ServicesScreen
from ui.screens.ticket import IssuingScreen, TicketScreen
from ui.tasks import QtExecutor
from ui.texts import LANGUAGES

TICK_MS = 250
WARM_UP_DELAY_MS = 300


class KioskWindow(QMainWindow):
    def __init__(
        self,
        controller: KioskController,
        executor: QtExecutor,
        demo_cards: list[tuple[str, Callable[[], None]]] | None = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.executor = executor
        self.view = View(
            lang=controller.language,
            catalog=controller.catalog,
            office_id=controller.config.kiosk.office_id,
            dispatch=self.dispatch,
        )
        self.printer_ok = controller.printer_health.ok
        self.stack = QStackedWidget()
        self.attract = AttractScreen(self.toggle_language, demo_cards or [])
        self.screens: dict[Phase, Screen] = {
            Phase.IDLE: self.attract,
            Phase.READING: ReadingScreen(),
            Phase.IDENTIFIED: ServicesScreen(self.view),
            Phase.SERVICE_CHOSEN: ServiceDetailScreen(self.view),
            Phase.FORM: FormScreen(self.view),
            Phase.CONFIRMING: ConfirmScreen(self.view),
            Phase.ISSUING: IssuingScreen(),
            Phase.TICKET_ISSUED: TicketScreen(self.view),
        }
        message = MessageScreen(lambda: self.dispatch(Finish()))
        self.screens[Phase.DONE] = message
        self.screens[Phase.ERROR] = message
        for screen in dict.fromkeys(self.screens.values()):
            self.stack.addWidget(screen)

        self.warning = QFrame()
        self.warning.setObjectName("warning")
        row = QHBoxLayout(self.warning)
        self.warning_text = label()
        self.warning_button = button("", lambda: self.dispatch(UserActivity()), "primary")
        row.addWidget(self.warning_text, 1)
        row.addWidget(self.warning_button)
        self.warning.hide()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.warning)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.setWindowTitle("Anjungan")

        controller.subscribe(self.render)
        controller.subscribe_status(self.status_changed)
        self._last_activity = 0.0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(TICK_MS)
        self.catalog_timer = QTimer(self)
        self.catalog_timer.timeout.connect(controller.refresh_catalog)
        self.catalog_timer.start(60_000)
        # A healthy answer clears a printer fault (and the banner) without a test print.
        self.printer_timer = QTimer(self)
        self.printer_timer.timeout.connect(controller.refresh_printer)
        self.printer_timer.start(int(controller.config.printer.status_poll_s * 1000))
        self.render(controller.machine.state)
        self.status_changed()
        # Once the first screen is up, load what the first tap will need.
        QTimer.singleShot(WARM_UP_DELAY_MS, controller.warm_up)

    # -- events in -----------------------------------------------------------
    def dispatch(self, event: SessionEvent) -> None:
        self.controller.dispatch(event)

    def toggle_language(self) -> None:
        i = LANGUAGES.index(self.view.lang) if self.view.lang in LANGUAGES else 0
        self.controller.language = LANGUAGES[(i + 1) % len(LANGUAGES)]
        self.view.lang = self.controller.language
        self.render(self.controller.machine.state)

    def _tick(self) -> None:
        self.dispatch(Tick())
        self._render_warning()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.KeyPress,
            QEvent.Type.TouchBegin,
        ):
            now = time.monotonic()
            if now - self._last_activity > 1.0:
                self._last_activity = now
                self.dispatch(UserActivity())
        return False

    # -- rendering -----------------------------------------------------------
    def render(self, state: SessionState) -> None:
        self.view.catalog = self.controller.catalog
        self.view.printer_ok = self.printer_ok = self.controller.printer_health.ok
        if state.identity is None and state.ticket is None:
            for screen in dict.fromkeys(self.screens.values()):
                screen.clear()
        screen = self.screens[state.phase]
        screen.render(state, self.view)
        self.stack.setCurrentWidget(screen)
        self._render_warning()

    def _render_warning(self) -> None:
        machine = self.controller.machine
        if machine.idle_warning():
            left = machine.seconds_left() or 0.0
            self.warning_text.setText(self.view.t("still_there", seconds=int(left + 0.999)))
            set_button_text(self.warning_button, self.view.t("continue"))
            self.warning.show()
        else:
            self.warning.hide()

    def status_changed(self) -> None:
        self.view.catalog = self.controller.catalog
        self.view.printer_ok = self.printer_ok = self.controller.printer_health.ok
        self._render_attract_status()
        if self.controller.machine.state.phase is Phase.IDLE:
            self.attract.render(self.controller.machine.state, self.view)

    def _render_attract_status(self) -> None:
        self.attract.set_status(
            self.view, online=self.controller.online, printer_ok=self.printer_ok
        )

    def go_fullscreen(self) -> None:
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        screen = self.screen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()
