"""The kiosk that speaks: the attract screen's button, and the voice the screens use.

What is said, and when, is decided without Qt (:mod:`kiosk.speech`); the clip is
made by espeak-ng (:mod:`kiosk.espeak`) on the executor, never on the GUI
thread, and played by Qt Multimedia's ``QSoundEffect``. Nothing here is loaded
or looked for before the first frame is painted: :meth:`Voice.load` finds
espeak-ng and the audio output then. With no audio output (or no espeak-ng)
the kiosk is silent, logs it once and the operator panel says so.

:attr:`Voice.listeners` is the speaker's boundary: every utterance passes
there as text, heard or not (the tests record what would be spoken).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication

from kiosk.errors import SpeechError
from kiosk.executor import Executor
from kiosk.session.machine import SessionState
from kiosk.speech import (
    Line,
    Said,
    SpeechMode,
    SpeechOutput,
    SpeechSwitch,
    Utterance,
    screen_script,
)
from ui.texts import tr

log = logging.getLogger(__name__)

Listener = Callable[[Utterance], None]


class Voice:
    """Says utterances: a clip made once by espeak-ng off the GUI thread, then played.

    A new utterance cuts the one playing; a clip that comes back after a newer
    utterance was asked for is not played.
    """

    def __init__(self, folder: Path, executor: Executor, *, parent: QObject | None = None) -> None:
        self.folder = folder
        self.executor = executor
        self._parent = parent
        self.listeners: list[Listener] = []
        self.output = SpeechOutput.UNCHECKED
        self._program: str | None = None
        self._device: Any = None
        self._multimedia: Any = None
        self._effect: Any = None
        self._asked = 0
        self._failures_logged: set[str] = set()

    def load(self) -> SpeechOutput:
        """Find espeak-ng and the audio output, once; never raises."""
        if self.output is not SpeechOutput.UNCHECKED:
            return self.output
        from kiosk.espeak import find_program

        self._program = find_program()
        self.output = self._find_output()
        if self.output is SpeechOutput.READY:
            log.info("speech: espeak-ng on %s", self._device.description())
        elif self.output is SpeechOutput.NO_OUTPUT:
            log.info("speech: no audio output, the kiosk stays silent")
        else:
            log.warning("speech: espeak-ng is not installed, the kiosk stays silent")
        return self.output

    def _find_output(self) -> SpeechOutput:
        try:
            multimedia = importlib.import_module("PySide6.QtMultimedia")
        except ImportError:
            return SpeechOutput.NO_OUTPUT
        if not multimedia.QMediaDevices.audioOutputs():
            return SpeechOutput.NO_OUTPUT
        if self._program is None:
            return SpeechOutput.NO_ENGINE
        self._multimedia = multimedia
        self._device = multimedia.QMediaDevices.defaultAudioOutput()
        return SpeechOutput.READY

    def say(self, utterance: Utterance) -> None:
        for listener in self.listeners:
            listener(utterance)
        self._asked += 1
        self.stop()
        if self.output is not SpeechOutput.READY or self._program is None:
            return
        from kiosk.espeak import clip_path, make_clip

        asked, program = self._asked, self._program
        target = clip_path(
            self.folder, utterance.voice, utterance.text, personal=utterance.personal
        )
        self.executor.run_in_background(
            lambda: make_clip(program, utterance.voice, utterance.text, target),
            lambda clip: self._play(clip) if asked == self._asked else None,
            self._failed,
        )

    def stop(self) -> None:
        if self._effect is not None:
            self._effect.stop()
            self._effect = None

    def wipe_session(self) -> None:
        """Delete this citizen's clips (off the GUI thread)."""
        from kiosk.espeak import wipe_session_clips

        folder = self.folder
        self.executor.run_in_background(lambda: wipe_session_clips(folder), _none, self._failed)

    def _play(self, clip: Path) -> None:
        effect = self._multimedia.QSoundEffect(self._device, self._parent)
        effect.setSource(QUrl.fromLocalFile(str(clip)))
        effect.play()
        self._effect = effect

    def _failed(self, exc: Exception) -> None:
        reason = exc.reason.value if isinstance(exc, SpeechError) else type(exc).__name__
        if reason not in self._failures_logged:  # once per kind: not a line per screen
            self._failures_logged.add(reason)
            log.warning("speech: no clip made (%s)", reason)


def _none(_: object) -> None:
    return None


def spoken(parts: tuple[Line | Said, ...], lang: str) -> tuple[str, bool]:
    """A script as one text in ``lang``, and whether it carries something of this citizen."""
    texts: list[str] = []
    personal = False
    for part in parts:
        if isinstance(part, Said):
            texts.append(part.text)
            personal = personal or part.personal
        else:
            refs = {name: tr(key, lang) for name, key in part.refs.items()}
            texts.append(tr(part.key, lang, **refs))
    return " ".join(_sentence(t) for t in texts if t.strip()), personal


def _sentence(text: str) -> str:
    text = " ".join(text.replace("…", "").split())
    return text if text.endswith((".", "?", "!")) else text + "."


class SessionSpeech:
    """The window's speech: each new screen said, a touched control said, if this citizen asked."""

    def __init__(self, voice: Voice, mode: SpeechMode) -> None:
        self.voice = voice
        self.switch = SpeechSwitch(mode)
        self._said: tuple[int, object, str | None, str] | None = None

    @property
    def output(self) -> SpeechOutput:
        return SpeechOutput.OFF if not self.switch.has_button else self.voice.output

    def load(self) -> None:
        if self.switch.has_button:
            self.voice.load()

    def on(self, state: SessionState) -> bool:
        return self.switch.on(state)

    def render(self, state: SessionState, lang: str) -> None:
        if self.switch.rendered(state):  # a session ended: its clips go, the next starts anew
            self.voice.stop()
            self.voice.wipe_session()
        screen = (state.session, state.phase, state.problem, lang)
        if screen == self._said:
            return
        self._said = screen
        if self.switch.on(state):
            self._say_screen(state, lang)

    def pressed(self, state: SessionState, lang: str) -> bool:
        """The speech button: on (the screen is said at once) or off; returns which."""
        if self.switch.pressed(state):
            self._say_screen(state, lang, first=True)
            return True
        self.voice.stop()
        return False

    def touched(self, text: str, state: SessionState, lang: str) -> None:
        """A control was touched: say what it is (never kept: it may be this citizen's)."""
        words = " ".join(text.replace("&&", "&").split())
        if words and self.switch.on(state):
            self.voice.say(Utterance(words, lang, personal=True))

    def _say_screen(self, state: SessionState, lang: str, *, first: bool = False) -> None:
        script = screen_script(state, lang)
        if first:
            script = (Line("speech_on"), *script)
        text, personal = spoken(script, lang)
        if text:
            self.voice.say(Utterance(text, lang, personal=personal))


class TouchSpeaker(QObject):
    """Hears every press on a button of the application while listening, and hands it on.

    Installed on the application only while someone hears the kiosk: with speech
    off no filter runs at all. The press still does what it does (a tile still
    opens its service at the first tap: the walk keeps its number of taps).
    """

    def __init__(self, on_press: Callable[[QAbstractButton], None], parent: QObject) -> None:
        super().__init__(parent)
        self.on_press = on_press
        self.listening = False

    def listen(self, on: bool) -> None:
        app = QApplication.instance()
        if on is self.listening or app is None:
            return
        self.listening = on
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
            and isinstance(watched, QAbstractButton)
            and watched.isEnabled()
        ):
            self.on_press(watched)
        return False


def speaker_icon(size: int, color: str = "#ffffff") -> QIcon:
    """A loudspeaker with two sound waves, drawn in code."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 100.0, size / 100.0)
    ink = QColor(color)
    body = QPainterPath()
    body.moveTo(10, 38)
    body.lineTo(30, 38)
    body.lineTo(52, 18)
    body.lineTo(52, 82)
    body.lineTo(30, 62)
    body.lineTo(10, 62)
    body.closeSubpath()
    p.fillPath(body, ink)
    pen = QPen(ink, 7)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for radius in (14.0, 28.0):
        p.drawArc(
            QRectF(QPointF(52 - radius, 50 - radius), QPointF(52 + radius, 50 + radius)),
            -50 * 16,
            100 * 16,
        )
    p.end()
    return QIcon(pixmap)
