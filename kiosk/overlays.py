"""The overlays' state machine: screens outside the citizen's session (#7).

No Qt, no I/O. Information, application status, the operator's PIN pad and
panel are not phases of :class:`~kiosk.session.SessionMachine`: each is
opened over one phase of one session (information over the attract screen or
the service grid, status over the service grid, PIN and panel over the
attract screen) and closes as soon as the session moves on (a tap, a
timeout, a wipe), so the screen can clear what it showed. Over the attract
screen, where no session timeout runs, an overlay closes after
:data:`PUBLIC_IDLE_S` (information) or :data:`OPERATOR_IDLE_S` (PIN, panel)
without a touch. While the PIN pad or the panel is up, a tapped card does not
start a session (:attr:`OverlayMachine.takes_card_taps`): it is the
operator's test card, or ignored.

The touchscreen renders :attr:`OverlayMachine.current` and tells the machine
of every session state it renders (:meth:`~OverlayMachine.follow`), of
touches and of the 250 ms tick. Time comes from an injected monotonic clock,
so tests drive every timeout without sleeping.

    closed ──open_information / open_applications / open_pin──▶ open over (phase, session)
      ▲                                          │ the right PIN
      │                                          ▼
      └── session moved on, idle, close ◀── operator panel
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from kiosk.operator.pin import PinGuard, PinOutcome, PinVerdict
from kiosk.session.machine import Phase, SessionState

log = logging.getLogger(__name__)

#: The PIN pad and the operator panel close after this long without a touch.
OPERATOR_IDLE_S = 120.0
#: Information over the attract screen closes after this long without a touch.
PUBLIC_IDLE_S = 60.0


class Overlay(StrEnum):
    INFORMATION = "information"
    APPLICATIONS = "applications"
    PIN = "pin"
    OPERATOR = "operator"


class PinEntry(StrEnum):
    """What a typed PIN leads to before it is checked."""

    #: Not on the PIN pad, or a check already under way.
    IGNORED = "ignored"
    #: Locked out after too many wrong PINs: not checked at all.
    LOCKED = "locked"
    #: Check it (off the GUI thread), then call :meth:`OverlayMachine.pin_checked` with
    #: the pad's opening (:attr:`OverlayMachine.opened` when it was typed).
    CHECK = "check"


class OverlayMachine:
    """Which overlay is open, over which phase of which session, and until when.

    ``pin_hash`` is ``operator.pin_hash`` (empty: no operator panel). ``clock``
    is monotonic seconds; the PIN's lockout runs on it too.
    """

    def __init__(self, pin_hash: str, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._guard = PinGuard(pin_hash, clock)
        #: The overlay shown, or None: the session's own screen is.
        self.current: Overlay | None = None
        #: Counts openings: tells a late answer from the overlay it was asked for.
        self.opened = 0
        #: A PIN is being checked off the GUI thread.
        self.checking_pin = False
        #: The panel's "test read" waits for the next tapped card.
        self.test_read_pending = False
        self._host: tuple[Phase, int] | None = None
        self._idle_s: float | None = None
        self._deadline: float | None = None

    @property
    def takes_card_taps(self) -> bool:
        """While the PIN pad or the panel is up, a tapped card starts no session."""
        return self.current in (Overlay.PIN, Overlay.OPERATOR)

    @property
    def pin_hash(self) -> str:
        return self._guard.pin_hash

    def pin_locked_for(self) -> float:
        """Seconds until the PIN pad takes another try (0: it does now)."""
        return self._guard.locked_for()

    def still(self, overlay: Overlay, opened: int) -> bool:
        """Whether the opening numbered ``opened`` of ``overlay`` is still the one shown."""
        return self.current is overlay and self.opened == opened

    # -- the session, touches and time --------------------------------------------
    def follow(self, state: SessionState) -> None:
        """The session is now ``state``: an overlay opened over another phase or session closes."""
        if self.current is not None and self._host != (state.phase, state.session):
            self.close()

    def tick(self) -> None:
        if self._deadline is not None and self._clock() >= self._deadline:
            log.info("overlay closed after %.0f s without a touch", self._idle_s or 0)
            self.close()

    def touched(self) -> None:
        if self._deadline is not None and self._idle_s is not None:
            self._deadline = self._clock() + self._idle_s

    # -- opening and closing ---------------------------------------------------------
    def open_information(self, state: SessionState) -> int | None:
        """Information over the attract screen or the service grid; the opening's number."""
        if state.phase not in (Phase.IDLE, Phase.IDENTIFIED):
            return None
        # Over the service grid the session's own idle timeout runs.
        return self._open(
            Overlay.INFORMATION, state, PUBLIC_IDLE_S if state.phase is Phase.IDLE else None
        )

    def open_applications(self, state: SessionState) -> int | None:
        """The citizen's applications, over the service grid only; the opening's number."""
        if state.phase is not Phase.IDENTIFIED:
            return None
        return self._open(Overlay.APPLICATIONS, state, None)

    def open_pin(self, state: SessionState) -> bool:
        """The PIN pad, over the attract screen with nothing else open, if a PIN is set."""
        if state.phase is not Phase.IDLE or self.current is not None:
            return False
        if not self._guard.enabled:
            log.info("operator gesture ignored: no operator.pin_hash configured")
            return False
        log.info("operator PIN requested")
        self._open(Overlay.PIN, state, OPERATOR_IDLE_S)
        return True

    def close(self) -> None:
        self.current = None
        self._host = self._deadline = self._idle_s = None
        self.checking_pin = False
        self.test_read_pending = False

    def _open(self, overlay: Overlay, state: SessionState, idle_s: float | None) -> int:
        self.current = overlay
        self._host = (state.phase, state.session)
        self._idle_s = idle_s
        self._deadline = self._clock() + idle_s if idle_s is not None else None
        self.opened += 1
        return self.opened

    # -- the operator ------------------------------------------------------------------
    def enter_pin(self) -> PinEntry:
        if self.checking_pin or self.current is not Overlay.PIN:
            return PinEntry.IGNORED
        if self._guard.locked_for() > 0:
            return PinEntry.LOCKED
        self.checking_pin = True
        return PinEntry.CHECK

    def pin_checked(self, matched: bool, state: SessionState, opened: int) -> PinVerdict | None:
        """The check of a PIN typed on the pad's opening ``opened``; None if that pad was
        closed meanwhile (the try still counts), even if the pad was opened again: a
        PIN typed on an earlier pad never opens the panel, nor says "wrong", on this one.

        The right PIN opens the panel over ``state`` in the pad's place; ``disabled``
        closes the pad.
        """
        verdict = self._guard.record(matched)
        if not self.still(Overlay.PIN, opened):
            return None  # a pad opened since checks its own PIN: its flag stays
        self.checking_pin = False
        if verdict.outcome is PinOutcome.OK:
            self._open(Overlay.OPERATOR, state, OPERATOR_IDLE_S)
        elif verdict.outcome is PinOutcome.DISABLED:
            self.close()
        return verdict

    def pin_check_failed(self, opened: int) -> None:
        """The check itself failed: not counted as a wrong try; the pad it was typed on
        (the opening ``opened``) closes, never one opened since."""
        if self.still(Overlay.PIN, opened):
            self.close()

    def ask_test_read(self) -> None:
        self.test_read_pending = True

    def take_test_tap(self) -> bool:
        """A card tapped while the pad or panel is up: whether it is the asked-for test read."""
        if not self.test_read_pending or self.current is not Overlay.OPERATOR:
            log.info("card tapped while the operator panel is open: ignored")
            return False
        self.test_read_pending = False
        return True
