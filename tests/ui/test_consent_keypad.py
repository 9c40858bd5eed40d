"""The consent question and its keypad on the real window (offscreen, the demo centre on
loopback): a tap delivered twice answers nothing, a digit too many is refused on the
key, and a number begun and abandoned is gone when the keypad comes back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.errors import SessionProblem
from kiosk.session import consent
from kiosk.session.events import Confirmed, FormOpened, FormSubmitted, ServiceSelected
from kiosk.session.machine import Phase
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    tap,
    wait_for_catalog,
    wait_phase,
)
from ui.screens.consent import ConsentPhoneScreen
from ui.tap_guard import GUARD_MS
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def to_confirming(qtbot: QtBot, kiosk: KioskWindow) -> None:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    c = kiosk.controller
    c.dispatch(ServiceSelected("puskesmas-umum"))
    c.dispatch(FormOpened())
    c.dispatch(FormSubmitted({"phone": "081234567890"}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)


def to_keypad(qtbot: QtBot, kiosk: KioskWindow) -> ConsentPhoneScreen:
    to_confirming(qtbot, kiosk)
    kiosk.controller.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    click(qtbot, button_with(kiosk, "Nomor lain"))
    wait_phase(qtbot, kiosk, Phase.CONSENT_PHONE)
    pad = kiosk.screens[Phase.CONSENT_PHONE]
    assert isinstance(pad, ConsentPhoneScreen)
    return pad


def button_under(kiosk: KioskWindow, spot: QPoint) -> QPushButton:
    widget = kiosk.childAt(spot)
    while widget is not None and not isinstance(widget, QPushButton):
        widget = widget.parentWidget()
    assert isinstance(widget, QPushButton), "a button of the new screen lies under the tap"
    return widget


@pytest.mark.parametrize(
    ("first", "opens"),
    [("Ya, ambil nomor antrean", Phase.CONSENT), ("Nomor lain", Phase.CONSENT_PHONE)],
)
def test_a_tap_delivered_twice_answers_nothing_on_the_next_screen(
    kiosk: KioskWindow, qtbot: QtBot, first: str, opens: Phase
) -> None:
    to_confirming(qtbot, kiosk)
    if opens is Phase.CONSENT_PHONE:
        kiosk.controller.dispatch(Confirmed())
        wait_phase(qtbot, kiosk, Phase.CONSENT)
    pressed = button_with(kiosk, first)
    spot = pressed.mapTo(kiosk, pressed.rect().center())
    t = 10_000_000
    tap(pressed, t)
    wait_phase(qtbot, kiosk, opens)
    under = button_under(kiosk, spot)  # "Nomor lain" / the keypad's "Tidak usah"
    tap(under, t + 120)  # the same touch, delivered again
    qtbot.wait(50)
    state = kiosk.controller.session()
    assert state.phase is opens and state.ticket is None, "the second tap answered nothing"
    tap(under, t + 10 + GUARD_MS + 300)  # a tap the citizen means: it does what it says
    qtbot.waitUntil(lambda: kiosk.controller.session().phase is not opens, timeout=5000)


def test_a_digit_too_many_is_kept_and_the_number_refused(kiosk: KioskWindow, qtbot: QtBot) -> None:
    pad = to_keypad(qtbot, kiosk)
    typo = "0813777755551234"  # 16 digits: its first 13 would make a valid number
    assert consent.MAX_DIGITS == 13  # the numbering plan's longest mobile number
    for digit in typo:
        click(qtbot, pad.keys[digit])
    kept = typo[: consent.MAX_DIGITS + 1]
    assert pad.entered == kept, "the 14th digit is kept, not dropped unseen"
    assert pad.display.text() == consent.grouped(kept)
    assert not any(key.isEnabled() for key in pad.keys.values()), "no digit more: keys grey"
    click(qtbot, pad.ok)
    state = kiosk.controller.session()
    assert (state.phase, state.problem) == (Phase.CONSENT_PHONE, SessionProblem.PHONE_INVALID)
    assert state.notify_phone == "081234567890" and state.ticket is None, "nothing sent"
    click(qtbot, pad.erase)
    assert all(key.isEnabled() for key in pad.keys.values())


def test_a_number_begun_and_abandoned_is_gone_when_the_keypad_comes_back(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    pad = to_keypad(qtbot, kiosk)
    for digit in "0813444":
        click(qtbot, pad.keys[digit])
    assert pad.display.text() == "0813 444"
    click(qtbot, pad.back)
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    assert pad.entered == "" and pad.display.text() == ""
    click(qtbot, button_with(kiosk, "Nomor lain"))
    wait_phase(qtbot, kiosk, Phase.CONSENT_PHONE)
    assert pad.entered == "" and pad.display.text() == ""
