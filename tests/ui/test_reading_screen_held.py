"""A card read quicker than a glance greets the citizen straight from the attract screen.

The kiosk's readers read a card in a few milliseconds once it is presented (PC/SC's
included, docs/benchmarks.md): the reading screen, shown at once, was painted for
those few milliseconds, then the greeting in a frame of its own (two frames between
the tap and the greeting, the first one only a flash). The window now shows the
reading screen only when the read is still going on after
:data:`ui.window.READING_SHOWN_AFTER_MS`; the tap's cue sounds at once either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import cardio.card.citizen_card
import kiosk.controller
import ui.window
from kiosk.session.events import Cancel
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
from ui.screens.attract import ReadingScreen
from ui.window import KioskWindow


class Paints(QObject):
    """Counts the paint events of one widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture
def read_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The kiosk's card read, held on its worker until the gate is opened."""
    gate = threading.Event()
    real: Callable[..., Any] = cardio.card.citizen_card.read_identity

    def held_read(*args: Any, **kwargs: Any) -> Any:
        gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(kiosk.controller, "read_identity", held_read)
    try:
        yield gate
    finally:
        gate.set()  # a worker still waiting goes on, the kiosk can stop


#: Opens the demo window whose reading screen waits the given ms for a read.
HeldKiosk = Callable[[int], AbstractContextManager[KioskWindow]]


@pytest.fixture
def held(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_central: str, qtbot: QtBot
) -> HeldKiosk:
    """The demo window whose reading screen waits ``hold_ms`` for a read, its catalog in."""

    @contextmanager
    def opened(hold_ms: int) -> Iterator[KioskWindow]:
        monkeypatch.setattr(ui.window, "READING_SHOWN_AFTER_MS", hold_ms)
        with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
            wait_for_catalog(qtbot, window.controller)
            yield window

    return opened


def shown_screens(window: KioskWindow) -> list[QWidget | None]:
    """Every screen the window's stack shows from now on, in order."""
    shown: list[QWidget | None] = []
    stack = window.stack
    stack.currentChanged.connect(lambda _index: shown.append(stack.currentWidget()))
    return shown


def test_a_read_within_the_hold_goes_from_the_attract_screen_to_the_greeting(
    read_gate: threading.Event, held: HeldKiosk, qtbot: QtBot
) -> None:
    with held(60_000) as window:  # any read is quick
        reading = window.screens[Phase.READING]
        painted = Paints(reading)
        shown = shown_screens(window)
        click(qtbot, button_with(window, "Siti Aminah"))
        qtbot.waitUntil(lambda: window.controller.session().phase is Phase.READING)
        qtbot.wait(50)  # frames go by while the card is read
        assert window.stack.currentWidget() is window.attract
        read_gate.set()
        wait_phase(qtbot, window, Phase.IDENTIFIED)
        # Her greeting: the service grid, or first her appointment of today when the
        # kiosk has the demo's bookings by then (wait_phase goes past it to the grid).
        greetings = (window.screens[Phase.APPOINTMENT], window.screens[Phase.IDENTIFIED])
        assert window.stack.currentWidget() is greetings[1]
        assert shown and shown[0] in greetings and reading not in shown  # none between
        assert painted.count == 0


def test_a_read_longer_than_the_hold_shows_the_reading_screen_then_the_greeting(
    read_gate: threading.Event, held: HeldKiosk, qtbot: QtBot
) -> None:
    with held(20) as window:
        reading = window.screens[Phase.READING]
        painted = Paints(reading)
        shown = shown_screens(window)
        click(qtbot, button_with(window, "Siti Aminah"))
        qtbot.waitUntil(lambda: painted.count > 0, timeout=5000)  # the card still read
        assert window.controller.session().phase is Phase.READING
        assert isinstance(reading, ReadingScreen) and reading.title.text()
        read_gate.set()
        wait_phase(qtbot, window, Phase.IDENTIFIED)
        appointment = window.screens[Phase.APPOINTMENT]  # her booking, if the kiosk has it
        assert [s for s in shown if s is not appointment] == [
            reading,
            window.screens[Phase.IDENTIFIED],
        ]


def test_a_press_on_the_attract_screen_while_the_reading_screen_is_held_is_dropped(
    read_gate: threading.Event, held: HeldKiosk, qtbot: QtBot
) -> None:
    """The attract screen still shows while the card is read, but its session has begun:
    its buttons (the language, the voice, the type size) answer nothing meanwhile."""
    with held(60_000) as window:
        language = window.controller.status().language
        click(qtbot, button_with(window, "Siti Aminah"))
        qtbot.waitUntil(lambda: window.controller.session().phase is Phase.READING)
        assert window.stack.currentWidget() is window.attract
        tap(window.attract.language, 1000)  # a finger on the language, as the card is read
        assert window.controller.status().language == language
        read_gate.set()
        wait_phase(qtbot, window, Phase.IDENTIFIED)
        assert window.controller.status().language == language


def test_the_voice_says_the_reading_screen_only_when_it_is_shown(
    read_gate: threading.Event, held: HeldKiosk, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the voice on, a quick read says the greeting and never the reading screen the
    citizen did not see (its words were said, then cut by the greeting's); a read longer
    than the hold says the reading screen when it shows."""
    with held(60_000) as window:
        said: list[str] = []
        window.speech.voice.listeners.append(lambda utterance: said.append(utterance.text))
        reading_words = "Membaca kartu"  # the reading screen's title, said
        for hold_ms, shown in ((60_000, False), (20, True)):
            monkeypatch.setattr(ui.window, "READING_SHOWN_AFTER_MS", hold_ms)
            window._reading_held.setInterval(hold_ms)
            if not window.attract.speech_on:
                window.toggle_speech()
            said.clear()
            read_gate.clear()
            click(qtbot, button_with(window, "Siti Aminah"))
            qtbot.waitUntil(lambda: window.controller.session().phase is Phase.READING)
            if shown:
                qtbot.waitUntil(lambda: any(reading_words in text for text in said), timeout=5000)
            else:
                qtbot.wait(50)
            read_gate.set()
            wait_phase(qtbot, window, Phase.IDENTIFIED)
            before_greeting = 1 if shown else 0
            qtbot.waitUntil(lambda n=before_greeting: len(said) > n, timeout=5000)  # greeting said
            assert [t for t in said if reading_words in t] == said[:before_greeting]
            window.controller.dispatch(Cancel())
            wait_phase(qtbot, window, Phase.IDLE)


def test_a_card_tapped_over_the_error_screen_greets_without_the_reading_screen(
    read_gate: threading.Event, held: HeldKiosk, qtbot: QtBot
) -> None:
    """A card tapped while the last one's error (or the thank-you) is up starts a session
    from there as from the attract screen: a quick read greets its holder straight from
    it, never a flash of the reading screen."""
    with held(60_000) as window:
        read_gate.set()
        click(qtbot, button_with(window, "Kartu kedaluwarsa"))
        wait_phase(qtbot, window, Phase.ERROR)
        error = window.screens[Phase.ERROR]
        assert window.stack.currentWidget() is error
        reading = window.screens[Phase.READING]
        painted = Paints(reading)
        shown = shown_screens(window)
        read_gate.clear()
        # Her demo card, on the attract screen (hidden now): its button taps the card.
        [siti] = [b for b in window.attract.demo_cards if "Siti Aminah" in b.text()]
        siti.click()
        qtbot.waitUntil(lambda: window.controller.session().phase is Phase.READING)
        qtbot.wait(50)  # frames go by while the card is read
        assert window.stack.currentWidget() is error
        read_gate.set()
        wait_phase(qtbot, window, Phase.IDENTIFIED)
        greetings = (window.screens[Phase.APPOINTMENT], window.screens[Phase.IDENTIFIED])
        assert shown and shown[0] in greetings and reading not in shown
        assert painted.count == 0
