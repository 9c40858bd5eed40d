"""Renders the overlays (#7): information, application status, the operator's PIN and panel.

What is open, over which phase of which session, and when it closes is decided
by :class:`kiosk.overlays.OverlayMachine`; this module shows its
:attr:`~kiosk.overlays.OverlayMachine.current` screen on the window's stack,
clears a screen as soon as the machine closes it, and runs the fetches and the
PIN check off the GUI thread. It knows the window only as an
:class:`OverlayHost`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from kiosk.controller import KioskController
from kiosk.errors import ApplicationsProblem, PinFormatError
from kiosk.lookups.information import ApplicationsAnswer, Information
from kiosk.operator.pin import PinOutcome, verify_pin
from kiosk.overlays import Overlay, OverlayMachine, PinEntry
from kiosk.session.machine import Phase, SessionState
from ui.gesture import TapGesture
from ui.lazy_screens import LazyScreens, ScreenStack, onto
from ui.screens.attract import AttractScreen
from ui.screens.common import Screen, View, button, set_button_text
from ui.speech import SessionSpeech
from ui.tasks import FreshRead, QtExecutor

if TYPE_CHECKING:
    from kiosk.operator.panel import OperatorStatus
    from ui.screens.information import ApplicationsScreen, InformationScreen
    from ui.screens.operator import OperatorScreen
    from ui.screens.pinpad import PinScreen

log = logging.getLogger(__name__)


class OverlayHost(Protocol):
    """What the overlays need of the window that shows them."""

    controller: KioskController
    #: The one way the screens run work off the GUI thread.
    executor: QtExecutor
    view: View
    #: Where the session's screens are shown; the overlays' screens join them.
    stack: ScreenStack
    attract: AttractScreen
    #: The session's screens, each built when first shown.
    screens: LazyScreens[Phase, Screen]
    #: The kiosk that speaks: the panel says whether it can be heard.
    speech: SessionSpeech

    def render_state(self, state: SessionState) -> None:
        """Show the session's own screen for ``state`` (after an overlay closed)."""

    def operator_exit(self) -> None:
        """The operator panel's exit."""


def _verify(pin: str, pin_hash: str) -> bool:
    try:
        return verify_pin(pin, pin_hash)
    except PinFormatError:
        log.error("operator.pin_hash is unusable")
        return False


class Overlays:
    def __init__(self, host: OverlayHost, clock: Callable[[], float] = time.monotonic) -> None:
        self.host = host
        self.controller = host.controller
        self.view = host.view
        #: Monotonic seconds for the machine, the PIN's lockout and the gesture (tests move it).
        self.clock = clock
        self.machine = OverlayMachine(
            self.controller.config.operator.pin_hash, lambda: self.clock()
        )
        #: The overlays' screens, each built (and put on the stack) when first opened.
        self.screens: LazyScreens[Overlay, Screen] = LazyScreens(onto(host.stack))
        self.screens.put(self._information, Overlay.INFORMATION)
        self.screens.put(self._applications, Overlay.APPLICATIONS)
        self.screens.put(self._pin, Overlay.PIN)
        self.screens.put(self._operator, Overlay.OPERATOR)
        #: The screen shown and the machine's opening it shows.
        self._shown: tuple[Overlay, int] | None = None
        #: The panel's status, asked on every status change: one read on its way at a
        #: time, answers in the order asked, each with the panel's opening it was asked in.
        self._status_read: FreshRead[tuple[int, OperatorStatus]] = FreshRead(
            "the operator's status",
            self._read_status,
            self._show_status,
            lambda exc: log.warning("operator status not read: %s", type(exc).__name__),
        )

        self.info_on_attract = button("", self.open_information)
        self.info_on_attract.setObjectName("information")
        self.info_on_services = button("", self.open_information)
        host.attract.add_entry(self.info_on_attract)
        host.screens.when_built(Phase.IDENTIFIED, self._join_services)
        self.gesture = TapGesture(host.attract.office, self.open_pin, lambda: self.clock())
        self.controller.subscribe_status(self._status_changed)
        self.render_shortcuts()

    def _information(self) -> Screen:
        from ui.screens.information import InformationScreen

        return InformationScreen(self.close)

    def _applications(self) -> Screen:
        from ui.screens.information import ApplicationsScreen

        return ApplicationsScreen(self.close)

    def _pin(self) -> Screen:
        from ui.screens.pinpad import PinScreen

        return PinScreen(self._pin_entered, self.close)

    def _operator(self) -> Screen:
        from ui.screens.operator import OperatorScreen

        host = self.host
        return OperatorScreen(
            on_test_print=self._test_print,
            on_test_read=self._test_read,
            on_reload=self._reload,
            on_exit=host.operator_exit,
            on_close=self.close,
            speech_output=lambda: host.speech.output,
        )

    def _join_services(self, screen: Screen) -> None:
        """The services screen, once built, gets the status tile and the information button."""
        from ui.screens.services import ServicesScreen, own_tile

        services = cast(ServicesScreen, screen)
        # The status at once, as a tile among the services (one door to it: the
        # catalog's own status services are left out of the grid).
        self.status_on_services = own_tile(self.open_applications, "informasi")
        services.add_own_tile(self.status_on_services, "status_berkas", "status_tile_hint")
        services.bottom.addWidget(self.info_on_services)

    @property
    def information(self) -> InformationScreen:
        return cast("InformationScreen", self.screens[Overlay.INFORMATION])

    @property
    def applications(self) -> ApplicationsScreen:
        return cast("ApplicationsScreen", self.screens[Overlay.APPLICATIONS])

    @property
    def pin(self) -> PinScreen:
        return cast("PinScreen", self.screens[Overlay.PIN])

    @property
    def operator(self) -> OperatorScreen:
        return cast("OperatorScreen", self.screens[Overlay.OPERATOR])

    @property
    def current(self) -> Screen | None:
        """The overlay's screen shown, or None."""
        overlay = self.machine.current
        return self.screens[overlay] if overlay is not None else None

    # -- the window's hooks --------------------------------------------------------
    def cover(self, state: SessionState) -> Screen | None:
        """The overlay to show over ``state``, or None (closing one the session left behind)."""
        self.render_shortcuts()
        self.machine.follow(state)
        self._sync(rerender=False)
        screen = self.current
        if screen is not None:
            screen.render_state(state, self.view)
        return screen

    def tick(self) -> None:
        self.machine.tick()
        self._sync()

    def touched(self) -> None:
        self.machine.touched()

    def render_shortcuts(self) -> None:
        set_button_text(self.info_on_attract, self.view.t("information"))
        set_button_text(self.info_on_services, self.view.t("information"))

    def close(self, rerender: bool = True) -> None:
        self.machine.close()
        self._sync(rerender)

    # -- rendering the machine -------------------------------------------------------
    def _sync(self, rerender: bool = True) -> None:
        """Show what the machine has open: clear a screen it closed, show one it opened."""
        overlay = self.machine.current
        shown = (overlay, self.machine.opened) if overlay is not None else None
        if shown == self._shown:
            return
        if self._shown is not None:
            self.screens[self._shown[0]].clear()
        self._shown = shown
        self.controller.divert_taps(self._operator_tap if self.machine.takes_card_taps else None)
        state = self.controller.session()
        if overlay is None:
            if rerender:
                self.host.render_state(state)
            return
        screen = self.screens[overlay]
        screen.clear()
        screen.render_state(state, self.view)
        self.host.stack.setCurrentWidget(screen)

    # -- information and applications ------------------------------------------------
    def open_information(self) -> None:
        opened = self.machine.open_information(self.controller.session())
        if opened is None:
            return
        self._sync()
        self.information.show_information(None, self.view)

        def done(info: Information) -> None:
            if self.machine.still(Overlay.INFORMATION, opened):
                self.information.show_information(info, self.view)

        self.controller.fetch_information(
            done, lambda _: done(Information(queue=None, health=None, reachable=False))
        )

    def open_applications(self) -> None:
        state = self.controller.session()
        opened = self.machine.open_applications(state)
        if opened is None:
            return
        self._sync()
        self.applications.show_answer(None, self.view)

        def done(answer: ApplicationsAnswer) -> None:
            if self.machine.still(Overlay.APPLICATIONS, opened):
                self.applications.show_answer(answer, self.view)

        self.controller.fetch_applications(
            done, lambda _: done(ApplicationsAnswer(problem=ApplicationsProblem.OFFLINE))
        )

    # -- the operator ------------------------------------------------------------------
    def open_pin(self) -> None:
        if not self.machine.open_pin(self.controller.session()):
            return
        self._sync()
        left = self.machine.pin_locked_for()
        if left > 0:
            self.pin.warn("pin_locked", self.view, seconds=int(left + 0.999))

    def _pin_entered(self, pin: str) -> None:
        entry = self.machine.enter_pin()
        if entry is PinEntry.LOCKED:
            left = self.machine.pin_locked_for()
            self.pin.warn("pin_locked", self.view, seconds=int(left + 0.999))
        if entry is not PinEntry.CHECK:
            return
        self.pin.say(self.view.t("pin_checking"))
        pin_hash, opened = self.machine.pin_hash, self.machine.opened
        self.host.executor.run_in_background(
            lambda: _verify(pin, pin_hash),
            lambda matched: self._checked(opened, matched),
            lambda _: self._check_failed(opened),
        )

    def _check_failed(self, opened: int) -> None:
        self.machine.pin_check_failed(opened)
        self._sync()

    def _checked(self, opened: int, matched: bool) -> None:
        verdict = self.machine.pin_checked(matched, self.controller.session(), opened)
        self._sync()
        if verdict is None:
            return
        if verdict.outcome is PinOutcome.OK:
            self._refresh_status()
        elif verdict.outcome is PinOutcome.WRONG:
            self.pin.warn("pin_wrong", self.view, tries=verdict.tries_left)
        elif verdict.outcome is PinOutcome.LOCKED:
            self.pin.warn("pin_locked", self.view, seconds=int(verdict.locked_s + 0.999))

    def _refresh_status(self) -> None:
        self._status_read.ask()

    def _read_status(
        self,
        done: Callable[[tuple[int, OperatorStatus]], None],
        _failed: Callable[[Exception], None],
    ) -> None:
        """One read of the panel's status, tied to the panel's opening it is asked in."""
        opened = self.machine.opened
        status = self.controller.status()
        health, online, sync = status.printer, status.online, status.sync
        version = status.catalog.version if status.catalog else None

        def failed(exc: Exception) -> None:  # the panel names the fault instead of "loading"
            from kiosk.operator.panel import OperatorStatus  # loaded with the panel

            fault = type(exc).__name__
            read = OperatorStatus((), fault, health, None, None, None, fault, online, version, sync)
            done((opened, read))

        self.controller.operator_status(lambda read: done((opened, read)), failed)

    def _show_status(self, answer: tuple[int, OperatorStatus]) -> None:
        opened, status = answer
        if self.machine.still(Overlay.OPERATOR, opened):  # never an earlier panel's
            self.operator.show_status(status, self.view)

    def _status_changed(self) -> None:
        if self.machine.current is Overlay.OPERATOR:
            self._refresh_status()

    def _test_print(self) -> None:
        opened = self.machine.opened

        def done(printed: bool) -> None:
            if self.machine.still(Overlay.OPERATOR, opened):
                self.operator.say(self.view.t("op_printed" if printed else "op_not_printed"))
                self._refresh_status()  # with the read a changed health asked: one more at most

        self.controller.test_print(done)

    def _test_read(self) -> None:
        self.machine.ask_test_read()
        self.operator.say(self.view.t("op_tap_now"))

    def _operator_tap(self, reader_name: str) -> None:
        if not self.machine.take_test_tap():
            return
        opened = self.machine.opened

        def done(result: str) -> None:
            if self.machine.still(Overlay.OPERATOR, opened):
                self.operator.say(self.view.t("op_read_result", result=result))

        self.controller.test_read(reader_name, done, lambda exc: done(type(exc).__name__))

    def _reload(self) -> None:
        log.info("operator reloads the catalog")
        self.operator.say(self.view.t("op_reloading"))
        self.controller.reload_documents()
