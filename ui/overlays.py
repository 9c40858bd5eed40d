"""Screens outside the citizen's session (#7): information, application status,
the operator's PIN and panel.

The session machine does not know them: an overlay is opened over one phase of
one session (information over the attract screen or the service grid, status
over the service grid, PIN and panel over the attract screen) and closes by
itself as soon as the session moves on (a tap, a timeout, a wipe), clearing
what it showed. Over the attract screen, where no session timeout runs, an
overlay closes after :data:`PUBLIC_IDLE_S` (information) or
:data:`OPERATOR_IDLE_S` (PIN, panel) without a touch. While the PIN pad or the
panel is up, a tapped card does not start a session (it is the operator's
test card, or ignored).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QPushButton

from kiosk.information import (
    ApplicationsAnswer,
    Information,
    fetch_applications,
    fetch_information,
)
from kiosk.operator.panel import OperatorStatus, operator_status, test_card_read
from kiosk.operator.pin import PinFormatError, PinGuard, verify_pin
from kiosk.session.machine import Phase, SessionState
from ui.gesture import TapGesture
from ui.screens.common import Screen, button, set_button_text
from ui.screens.information import ApplicationsScreen, InformationScreen
from ui.screens.operator import OperatorScreen
from ui.screens.pinpad import PinScreen

if TYPE_CHECKING:
    from ui.window import KioskWindow

log = logging.getLogger(__name__)

OPERATOR_IDLE_S = 120.0
PUBLIC_IDLE_S = 60.0


def _verify(pin: str, pin_hash: str) -> bool:
    try:
        return verify_pin(pin, pin_hash)
    except PinFormatError:
        log.error("operator.pin_hash is unusable")
        return False


class Overlays:
    def __init__(self, window: KioskWindow, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.controller = window.controller
        self.view = window.view
        self.clock = clock
        self.guard = PinGuard(self.controller.config.operator.pin_hash, lambda: self.clock())
        self.information = InformationScreen(self.close)
        self.applications = ApplicationsScreen(self.close)
        self.pin = PinScreen(self._pin_entered, self.close)
        self.operator = OperatorScreen(
            on_test_print=self._test_print,
            on_test_read=self._test_read,
            on_reload=self._reload,
            on_exit=window.operator_exit,
            on_close=self.close,
        )
        for screen in (self.information, self.applications, self.pin, self.operator):
            window.stack.addWidget(screen)
        self.current: Screen | None = None
        self._host: tuple[Phase, int] | None = None
        self._idle_s: float | None = None
        self._deadline: float | None = None
        self._opened = 0  # tells a late answer from the overlay it was asked for
        self._checking_pin = False
        self._test_read_pending = False

        self.info_on_attract = button("", self.open_information)
        self.info_on_attract.setObjectName("information")
        self.info_on_services = button("", self.open_information)
        self.status_on_services = button("", self.open_applications)
        _insert_row(window.attract, self.info_on_attract)
        _insert_row(
            window.screens[Phase.IDENTIFIED], self.status_on_services, self.info_on_services
        )
        self.gesture = TapGesture(window.attract.office, self.open_pin, lambda: self.clock())
        self.controller.subscribe_status(self._status_changed)
        self.render_shortcuts()

    # -- the window's hooks --------------------------------------------------------
    def cover(self, state: SessionState) -> Screen | None:
        """The overlay to show over ``state``, or None (closing one the session left behind)."""
        self.render_shortcuts()
        if self.current is None:
            return None
        if self._host != (state.phase, state.session):
            self.close(rerender=False)
            return None
        self.current.render(state, self.view)
        return self.current

    def tick(self) -> None:
        if self._deadline is not None and self.clock() >= self._deadline:
            log.info("overlay closed after %.0f s without a touch", self._idle_s or 0)
            self.close()

    def touched(self) -> None:
        if self._deadline is not None and self._idle_s is not None:
            self._deadline = self.clock() + self._idle_s

    def render_shortcuts(self) -> None:
        set_button_text(self.info_on_attract, self.view.t("information"))
        set_button_text(self.info_on_services, self.view.t("information"))
        set_button_text(self.status_on_services, self.view.t("status_berkas"))

    # -- opening and closing ---------------------------------------------------------
    def _open(self, screen: Screen, idle_s: float | None) -> int:
        state = self.controller.machine.state
        if self.current is not None:
            self.current.clear()
        self.current = screen
        self._host = (state.phase, state.session)
        self._idle_s = idle_s
        self._deadline = self.clock() + idle_s if idle_s is not None else None
        self._opened += 1
        screen.clear()
        screen.render(state, self.view)
        self.window.stack.setCurrentWidget(screen)
        return self._opened

    def close(self, rerender: bool = True) -> None:
        if self.current is None:
            return
        self.current.clear()
        self.current = None
        self._host = self._deadline = self._idle_s = None
        self._checking_pin = False
        self._test_read_pending = False
        self.controller.divert_taps(None)
        if rerender:
            self.window.render(self.controller.machine.state)

    def _still(self, screen: Screen, opened: int) -> bool:
        return self.current is screen and self._opened == opened

    # -- information and applications ------------------------------------------------
    def open_information(self) -> None:
        phase = self.controller.machine.state.phase
        if phase not in (Phase.IDLE, Phase.IDENTIFIED):
            return
        # Over the service grid the session's own idle timeout runs.
        opened = self._open(self.information, PUBLIC_IDLE_S if phase is Phase.IDLE else None)
        self.information.show_information(None, self.view)
        self.controller.centre.ready()
        central, online = self.controller.centre.client, self.controller.status().online

        def done(info: Information) -> None:
            if self._still(self.information, opened):
                self.information.show_information(info, self.view)

        self.controller.executor.run_in_background(
            lambda: fetch_information(central, online=online),
            done,
            lambda _: done(Information(queue=None, health=None, reachable=False)),
        )

    def open_applications(self) -> None:
        state = self.controller.machine.state
        if state.phase is not Phase.IDENTIFIED:
            return
        opened = self._open(self.applications, None)
        self.applications.show_answer(None, self.view)
        self.controller.centre.ready()
        central, identity = self.controller.centre.client, state.identity
        online = self.controller.status().online

        def done(answer: ApplicationsAnswer) -> None:
            if self._still(self.applications, opened):
                self.applications.show_answer(answer, self.view)

        self.controller.executor.run_in_background(
            lambda: fetch_applications(central, identity, online=online),
            done,
            lambda _: done(ApplicationsAnswer(problem="offline")),
        )

    # -- the operator ------------------------------------------------------------------
    def open_pin(self) -> None:
        if self.controller.machine.state.phase is not Phase.IDLE or self.current is not None:
            return
        if not self.guard.enabled:
            log.info("operator gesture ignored: no operator.pin_hash configured")
            return
        log.info("operator PIN requested")
        self._open(self.pin, OPERATOR_IDLE_S)
        self.controller.divert_taps(self._operator_tap)
        left = self.guard.locked_for()
        if left > 0:
            self.pin.say(self.view.t("pin_locked", seconds=int(left + 0.999)))

    def _pin_entered(self, pin: str) -> None:
        if self._checking_pin or self.current is not self.pin:
            return
        left = self.guard.locked_for()
        if left > 0:
            self.pin.say(self.view.t("pin_locked", seconds=int(left + 0.999)))
            return
        self._checking_pin = True
        self.pin.say(self.view.t("pin_checking"))
        pin_hash = self.guard.pin_hash
        self.controller.executor.run_in_background(
            lambda: _verify(pin, pin_hash), self._checked, self._check_failed
        )

    def _check_failed(self, _exc: Exception) -> None:
        self._checking_pin = False  # not counted as a wrong try
        if self.current is self.pin:
            self.close()

    def _checked(self, matched: bool) -> None:
        self._checking_pin = False
        verdict = self.guard.record(matched)  # counted even if the pad was closed meanwhile
        if self.current is not self.pin:
            return
        if verdict.outcome == "ok":
            self._open(self.operator, OPERATOR_IDLE_S)
            self.controller.divert_taps(self._operator_tap)
            self._refresh_status()
        elif verdict.outcome == "wrong":
            self.pin.say(self.view.t("pin_wrong", tries=verdict.tries_left))
        elif verdict.outcome == "locked":
            self.pin.say(self.view.t("pin_locked", seconds=int(verdict.locked_s + 0.999)))
        else:
            self.close()

    def _refresh_status(self) -> None:
        c = self.controller
        reader, store, now, status = c.reader, c.store, c.now(), c.status()
        health, online, sync = status.printer, status.online, status.sync
        version = status.catalog.version if status.catalog else None

        def done(status: OperatorStatus) -> None:
            if self.current is self.operator:
                self.operator.show_status(status, self.view)

        def failed(exc: Exception) -> None:  # the panel names the fault instead of "loading"
            fault = type(exc).__name__
            done(OperatorStatus((), fault, health, None, None, None, fault, online, version, sync))

        c.executor.run_in_background(
            lambda: operator_status(
                reader=reader,
                store=store,
                printer=health,
                online=online,
                catalog_version=version,
                now=now,
                sync=sync,
            ),
            done,
            failed,
        )

    def _status_changed(self) -> None:
        if self.current is self.operator:
            self._refresh_status()

    def _test_print(self) -> None:
        def done(printed: bool) -> None:
            if self.current is self.operator:
                self.operator.say(self.view.t("op_printed" if printed else "op_not_printed"))
                self._refresh_status()

        self.controller.test_print(done)

    def _test_read(self) -> None:
        self._test_read_pending = True
        self.operator.say(self.view.t("op_tap_now"))

    def _operator_tap(self, reader_name: str) -> None:
        if not self._test_read_pending or self.current is not self.operator:
            log.info("card tapped while the operator panel is open: ignored")
            return
        self._test_read_pending = False
        c = self.controller
        reader, trust, now = c.reader, c.status().trust, c.now

        def done(result: str) -> None:
            if self.current is self.operator:
                self.operator.say(self.view.t("op_read_result", result=result))

        c.executor.run_in_background(
            lambda: test_card_read(reader, reader_name, trust, now),
            done,
            lambda exc: done(type(exc).__name__),
        )

    def _reload(self) -> None:
        log.info("operator reloads the catalog")
        self.operator.say(self.view.t("op_reloading"))
        self.controller.sync.refresh_documents()


def _insert_row(screen: Screen, *buttons: QPushButton) -> None:
    """Put ``buttons`` in a row just above the screen's last row (its own buttons)."""
    row = QHBoxLayout()
    row.setSpacing(24)
    for b in buttons:
        row.addWidget(b)
    screen.box.insertLayout(max(0, screen.box.count() - 1), row)
