"""The overlays' state machine, without Qt: what opens over which phase, and when it closes."""

from __future__ import annotations

import logging

import pytest

from kiosk.operator.pin import FIRST_LOCKOUT_S, MAX_TRIES, hash_pin
from kiosk.overlays import OPERATOR_IDLE_S, PUBLIC_IDLE_S, Overlay, OverlayMachine, PinEntry
from kiosk.session.machine import Phase, SessionState
from testkit.clocks import ManualClock

IDLE = SessionState(Phase.IDLE, session=1)
SERVICES = SessionState(Phase.IDENTIFIED, session=2)
PIN_HASH = hash_pin("482913", n=2**4)  # cheap: the machine never hashes, it counts


@pytest.fixture
def machine(clock: ManualClock) -> OverlayMachine:
    return OverlayMachine(PIN_HASH, clock)


def to_panel(machine: OverlayMachine) -> None:
    assert machine.open_pin(IDLE)
    assert machine.enter_pin() is PinEntry.CHECK
    verdict = machine.pin_checked(True, IDLE, machine.opened)
    assert verdict is not None and verdict.outcome == "ok"
    assert machine.current is Overlay.OPERATOR


@pytest.mark.parametrize(
    ("phase", "information", "applications"),
    [
        (Phase.IDLE, True, False),
        (Phase.IDENTIFIED, True, True),
        (Phase.READING, False, False),
        (Phase.FORM, False, False),
        (Phase.TICKET_ISSUED, False, False),
    ],
)
def test_each_overlay_opens_over_its_phases_only(
    machine: OverlayMachine, phase: Phase, information: bool, applications: bool
) -> None:
    state = SessionState(phase, session=3)
    assert (machine.open_information(state) is not None) is information
    machine.close()
    assert (machine.open_applications(state) is not None) is applications
    machine.close()
    assert machine.open_pin(state) is (phase is Phase.IDLE)


def test_an_overlay_closes_as_soon_as_the_session_moves_on(machine: OverlayMachine) -> None:
    assert machine.open_applications(SERVICES) is not None
    machine.follow(SERVICES)  # a render of the same phase of the same session keeps it
    assert machine.current is Overlay.APPLICATIONS
    machine.follow(SessionState(Phase.SERVICE_CHOSEN, session=2))
    assert machine.current is None


def test_the_same_phase_of_the_next_session_closes_it_too(machine: OverlayMachine) -> None:
    assert machine.open_information(IDLE) is not None
    machine.follow(SessionState(Phase.IDLE, session=IDLE.session + 1))
    assert machine.current is None


def test_information_over_the_attract_screen_closes_when_left_alone(
    machine: OverlayMachine, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    machine.open_information(IDLE)
    clock.advance(PUBLIC_IDLE_S - 1)
    machine.touched()  # a touch gives it the full time again
    clock.advance(PUBLIC_IDLE_S - 1)
    machine.tick()
    assert machine.current is Overlay.INFORMATION
    clock.advance(1)
    machine.tick()
    assert machine.current is None
    assert "overlay closed after 60 s without a touch" in caplog.text


def test_over_the_service_grid_the_sessions_own_timeout_runs(
    machine: OverlayMachine, clock: ManualClock
) -> None:
    machine.open_information(SERVICES)
    clock.advance(10 * PUBLIC_IDLE_S)
    machine.tick()
    assert machine.current is Overlay.INFORMATION


def test_a_late_answer_is_told_from_the_opening_it_was_asked_for(
    machine: OverlayMachine,
) -> None:
    first = machine.open_information(IDLE)
    assert first is not None and machine.still(Overlay.INFORMATION, first)
    machine.close()
    second = machine.open_information(IDLE)
    assert second is not None
    assert not machine.still(Overlay.INFORMATION, first)
    assert machine.still(Overlay.INFORMATION, second)
    assert not machine.still(Overlay.APPLICATIONS, second)


def test_the_pin_pad_needs_a_pin_and_nothing_else_open(clock: ManualClock) -> None:
    assert not OverlayMachine("", clock).open_pin(IDLE), "no operator.pin_hash: no panel"
    machine = OverlayMachine(PIN_HASH, clock)
    machine.open_information(IDLE)
    assert not machine.open_pin(IDLE)
    assert machine.current is Overlay.INFORMATION


def test_the_pad_and_the_panel_take_card_taps_and_close_when_left_alone(
    machine: OverlayMachine, clock: ManualClock
) -> None:
    machine.open_information(IDLE)
    assert not machine.takes_card_taps, "a tap over information starts a session"
    machine.close()
    to_panel(machine)
    assert machine.takes_card_taps
    clock.advance(OPERATOR_IDLE_S)
    machine.tick()
    assert machine.current is None and not machine.takes_card_taps


def test_one_pin_is_checked_at_a_time_and_only_on_the_pad(machine: OverlayMachine) -> None:
    assert machine.enter_pin() is PinEntry.IGNORED, "no pad open"
    machine.open_pin(IDLE)
    assert machine.enter_pin() is PinEntry.CHECK
    assert machine.checking_pin
    assert machine.enter_pin() is PinEntry.IGNORED, "the first is still being checked"


def test_wrong_pins_lock_the_pad_and_the_lockout_runs_on_the_clock(
    machine: OverlayMachine, clock: ManualClock
) -> None:
    machine.open_pin(IDLE)
    for i in range(MAX_TRIES):
        assert machine.enter_pin() is PinEntry.CHECK
        verdict = machine.pin_checked(False, IDLE, machine.opened)
        assert verdict is not None
        assert verdict.outcome == ("locked" if i == MAX_TRIES - 1 else "wrong")
    assert machine.enter_pin() is PinEntry.LOCKED
    assert machine.pin_locked_for() == FIRST_LOCKOUT_S
    assert machine.current is Overlay.PIN
    clock.advance(FIRST_LOCKOUT_S)
    assert machine.enter_pin() is PinEntry.CHECK


def test_a_pin_checked_after_the_pad_closed_still_counts(machine: OverlayMachine) -> None:
    machine.open_pin(IDLE)
    for _ in range(MAX_TRIES):
        machine.enter_pin()
        pad = machine.opened
        machine.follow(SessionState(Phase.READING, session=2))  # a card: the pad closes
        assert machine.pin_checked(False, IDLE, pad) is None, "nothing left to show"
        assert machine.current is None
        machine.open_pin(IDLE)
    assert machine.pin_locked_for() == FIRST_LOCKOUT_S


def test_a_failed_check_closes_the_pad_without_counting(machine: OverlayMachine) -> None:
    machine.open_pin(IDLE)
    machine.enter_pin()
    machine.pin_check_failed(machine.opened)
    assert machine.current is None and not machine.checking_pin
    for _ in range(MAX_TRIES - 1):
        machine.open_pin(IDLE)
        machine.enter_pin()
        verdict = machine.pin_checked(False, IDLE, machine.opened)
        assert verdict is not None and verdict.outcome == "wrong"
    assert machine.pin_locked_for() == 0, "the failed check was no wrong try"


def test_a_verdict_for_a_pad_closed_and_opened_again_is_not_this_pads(
    machine: OverlayMachine,
) -> None:
    machine.open_pin(IDLE)
    machine.enter_pin()
    first = machine.opened
    machine.close()  # the close button, or the pad's idle time
    machine.open_pin(IDLE)
    assert machine.enter_pin() is PinEntry.CHECK  # a second PIN, typed on this pad
    second = machine.opened

    assert machine.pin_checked(True, IDLE, first) is None, "typed on another pad"
    assert machine.current is Overlay.PIN, "no panel without a PIN typed on this pad"
    assert machine.checking_pin, "this pad's own check is still under way"
    assert machine.enter_pin() is PinEntry.IGNORED, "so no third check starts"
    machine.pin_check_failed(first)
    assert machine.current is Overlay.PIN, "an earlier pad's failure closes not this one"

    verdict = machine.pin_checked(False, IDLE, second)
    assert verdict is not None and verdict.outcome == "wrong"
    assert verdict.tries_left == MAX_TRIES - 1, "this pad's try counted"


def test_the_right_pin_opens_the_panel_in_the_pads_place(machine: OverlayMachine) -> None:
    machine.open_pin(IDLE)
    pad = machine.opened
    assert machine.enter_pin() is PinEntry.CHECK
    machine.pin_checked(True, IDLE, machine.opened)
    assert machine.current is Overlay.OPERATOR and machine.opened == pad + 1
    assert not machine.checking_pin
    machine.follow(IDLE)
    assert machine.current is Overlay.OPERATOR


def test_the_test_read_takes_only_the_next_tap_on_the_panel(machine: OverlayMachine) -> None:
    to_panel(machine)
    assert not machine.take_test_tap(), "not asked for: ignored"
    machine.ask_test_read()
    assert machine.take_test_tap()
    assert not machine.take_test_tap(), "one tap per ask"
    machine.ask_test_read()
    machine.close()
    assert not machine.test_read_pending, "closing forgets the ask"
