"""The kiosk that speaks: the attract screen's button, and the voice the screens use.

What is said, and when, is decided without Qt (:mod:`kiosk.speech`); the clip is
made by espeak-ng (:mod:`kiosk.espeak`) on the voice's own lane, a
``QtExecutor`` of one thread (never the kiosk's shared pool, which a burst of
taps would otherwise fill), and handed to an :class:`AudioSink`: Qt Multimedia's
``QSoundEffect`` (:class:`QtSink`), or whatever a caller routes the voice to
(:meth:`Voice.route`). Nothing here is loaded or looked for before the first
frame is painted: :meth:`Voice.load` finds espeak-ng and the audio output then.
With no audio output (or no espeak-ng) the kiosk is silent, logs it once and the
operator panel says so.

:attr:`Voice.listeners` is the speaker's boundary: every utterance passes
there as text, heard or not (the tests record what would be spoken).

Only controls that ask to be said are said when touched (:func:`is_spoken`,
set by ``ui.screens.common.button`` and ``set_spoken``): tiles and navigation, never a key of a
keypad or keyboard (a birth date, a form's value, the operator's PIN).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QIcon, QMouseEvent, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication

from kiosk.errors import SpeechError
from kiosk.session.machine import SessionState
from kiosk.speech import (
    Line,
    ProblemLines,
    Said,
    Script,
    SpeechMode,
    SpeechOutput,
    SpeechSwitch,
    Utterance,
    screen_script,
)
from ui.problems import notice_words, problem_notice
from ui.tasks import QtExecutor
from ui.texts import tr
from ui.theme import PRIMARY, WHITE

log = logging.getLogger(__name__)

Listener = Callable[[Utterance], None]


def is_spoken(widget: QObject) -> bool:
    """Whether ``widget`` opted in to be said when touched (``ui.screens.common.set_spoken``)."""
    return widget.property("spoken") is True


class AudioSink(Protocol):
    """Where the voice's clips are heard."""

    def play(self, clip: Path) -> None:
        """Play ``clip`` (cutting whatever plays)."""

    def stop(self) -> None:
        """Stop what plays."""

    def release(self) -> None:
        """Stop and let go of the last clip (the session ended: its files are wiped)."""


class QtSink:
    """Qt Multimedia's ``QSoundEffect``: one, given each clip in turn."""

    def __init__(self, multimedia: Any, device: Any, parent: QObject | None) -> None:
        self.name = str(device.description())
        self._effect = multimedia.QSoundEffect(device, parent)

    def play(self, clip: Path) -> None:
        self._effect.stop()
        self._effect.setSource(QUrl.fromLocalFile(str(clip)))
        self._effect.play()

    def stop(self) -> None:
        self._effect.stop()

    def release(self) -> None:
        self._effect.stop()
        self._effect.setSource(QUrl())


def qt_sink(parent: QObject | None) -> AudioSink | None:
    """The default audio output through Qt Multimedia; None where there is none."""
    try:
        multimedia = importlib.import_module("PySide6.QtMultimedia")
    except ImportError as error:
        # A system library Qt Multimedia links against is missing (libpulse0 ...):
        # the kiosk stays silent, and says why once, here.
        log.warning("speech: no audio output, Qt Multimedia cannot load: %s", error)
        return None
    if not multimedia.QMediaDevices.audioOutputs():
        return None
    return QtSink(multimedia, multimedia.QMediaDevices.defaultAudioOutput(), parent)


#: What a clip's job hands back: the clip, why none was made, or None (skipped: stale).
Made = Path | SpeechError | None


class Voice:
    """Says utterances: a clip made by espeak-ng on the voice's own lane, then played.

    One lane, one thread: a burst of taps makes at most the clip running and the
    last one asked for (a job finds itself stale before it starts espeak-ng and
    does nothing), and the session's wipe runs after any clip still being made.
    Each job carries the session it was asked in: a clip that comes back after a
    newer utterance was asked for, or after its session ended, is never played.
    """

    def __init__(self, folder: Path, *, parent: QObject | None = None) -> None:
        self.folder = folder
        #: The voice's own serial lane (ui/tasks.py's one mechanism, one thread).
        self.lane = QtExecutor(max_threads=1)
        self._parent = parent
        self.listeners: list[Listener] = []
        self.output = SpeechOutput.UNCHECKED
        self.sink: AudioSink | None = None
        self._program: str | None = None
        self._looked_for_program = False
        self._asked = 0
        self._session = 0
        self._failures_logged: set[str] = set()

    def load(self) -> SpeechOutput:
        """Find espeak-ng and the audio output, once; never raises."""
        if self.output is SpeechOutput.UNCHECKED:
            self.route(qt_sink(self._parent))
        return self.output

    def route(self, sink: AudioSink | None) -> SpeechOutput:
        """Send the clips to ``sink`` (None: no audio output, silent); logged when it changes."""
        if not self._looked_for_program:
            from kiosk.espeak import find_program

            self._program = find_program()
            self._looked_for_program = True
        if self.sink is not None and self.sink is not sink:
            self.sink.release()
        self.sink = sink
        before = self.output
        if sink is None:
            self.output = SpeechOutput.NO_OUTPUT
        elif self._program is None:
            self.output = SpeechOutput.NO_ENGINE
        else:
            self.output = SpeechOutput.READY
        if self.output is not before:
            if self.output is SpeechOutput.READY:
                log.info("speech: espeak-ng on %s", getattr(sink, "name", type(sink).__name__))
            elif self.output is SpeechOutput.NO_OUTPUT:
                log.info("speech: no audio output, the kiosk stays silent")
            else:
                log.warning("speech: espeak-ng is not installed, the kiosk stays silent")
        return self.output

    def say(self, utterance: Utterance) -> None:
        for listener in self.listeners:
            listener(utterance)
        self._asked += 1
        self.stop()
        if self.output is not SpeechOutput.READY or self._program is None:
            return
        from kiosk.espeak import clip_path, make_clip

        asked, session, program = self._asked, self._session, self._program
        target = clip_path(
            self.folder, utterance.voice, utterance.text, personal=utterance.personal
        )

        def work() -> Made:
            if asked != self._asked:  # a newer utterance was asked for: never heard
                return None
            try:
                return make_clip(program, utterance.voice, utterance.text, target)
            except SpeechError as exc:  # expected: said once per kind, no traceback
                return exc

        def done(made: Made) -> None:
            if isinstance(made, SpeechError):
                self._failed(made)
            elif made is None or asked != self._asked or session != self._session:
                pass  # stale, or its session ended (the wipe queued behind it deletes it)
            elif self.sink is not None:
                self.sink.play(made)

        self.lane.run_in_background(work, done, self._failed)

    def stop(self) -> None:
        if self.sink is not None:
            self.sink.stop()

    def end_session(self) -> None:
        """The citizen left: nothing of theirs is played any more, their clips are deleted.

        The wipe runs on the lane, after any clip still being made.
        """
        self._asked += 1
        self._session += 1
        if self.sink is not None:
            self.sink.release()
        self.wipe_session()

    def wipe_session(self) -> None:
        """Delete the session clips (and a crash's leftovers) on the lane, off the GUI thread."""
        from kiosk.espeak import wipe_session_clips

        folder = self.folder
        self.lane.run_in_background(lambda: wipe_session_clips(folder), _none, self._failed)

    def shut_down(self, timeout_ms: int = 3000) -> None:
        """The kiosk stops: the session ends, the lane is let finish, and the clips go."""
        from kiosk.espeak import wipe_session_clips

        self._asked += 1
        self._session += 1
        if self.sink is not None:
            self.sink.release()
        self.lane.wait_for_done(timeout_ms)
        wipe_session_clips(self.folder)

    def _failed(self, exc: Exception) -> None:
        reason = exc.reason.value if isinstance(exc, SpeechError) else type(exc).__name__
        if reason not in self._failures_logged:  # once per kind: not a line per screen
            self._failures_logged.add(reason)
            log.warning("speech: no clip made (%s)", reason)


def _none(_: object) -> None:
    return None


def spoken(parts: Script, lang: str, values: Mapping[str, object]) -> tuple[str, bool]:
    """A script as one text in ``lang``, and whether it carries something of this citizen.

    ``values`` fill the texts' placeholders as the screen fills them
    (:func:`ui.screens.booking_words.screen_values`): the words said are the words shown.
    """
    filled = dict(values)

    def t(key: str, **more: object) -> str:
        return tr(key, lang, **{**filled, **more})

    texts: list[str] = []
    personal = False
    for part in parts:
        personal = personal or part.personal
        if isinstance(part, Said):
            texts.append(part.text)
        elif isinstance(part, ProblemLines):
            texts.extend(notice_words(problem_notice(part.code), t, {}))
        else:
            texts.append(t(part.key, **{name: tr(key, lang) for name, key in part.refs.items()}))
    return " ".join(_sentence(text) for text in texts if text.strip()), personal


def _sentence(text: str) -> str:
    text = " ".join(text.replace("…", "").split())
    return text if text.endswith((".", "?", "!")) else text + "."


class SessionSpeech:
    """The window's speech: each new screen said, a touched control said, if this citizen asked."""

    def __init__(
        self,
        voice: Voice,
        mode: SpeechMode,
        values: Callable[[SessionState], Mapping[str, object]],
    ) -> None:
        self.voice = voice
        self.switch = SpeechSwitch(mode)
        #: What the screen of a state fills its texts with (the window's view): said alike.
        self._values = values
        self._said: tuple[int, object, str | None, str] | None = None

    @property
    def output(self) -> SpeechOutput:
        return SpeechOutput.OFF if not self.switch.has_button else self.voice.output

    def load(self) -> None:
        """Look for the engine and the output (if the kiosk may speak); wipe a crash's clips."""
        if self.switch.has_button:
            self.voice.load()
        self.voice.wipe_session()

    def on(self, state: SessionState) -> bool:
        return self.switch.on(state)

    def render(self, state: SessionState, lang: str) -> None:
        if self.switch.rendered(state):  # a session ended: its clips go, the next starts anew
            self.voice.end_session()
        if state.ticket is not None and state.ticket.printing:
            return  # said once the paper's outcome is known: "take it" or "photograph it"
        screen = (state.session, state.phase, state.problem, lang)
        if screen == self._said:
            return
        self._said = screen
        if self.switch.on(state):
            self._say_screen(state, lang)

    def pressed(self, state: SessionState, lang: str, now: float) -> bool:
        """The speech button: on (the screen is said at once) or off; returns which."""
        if self.switch.pressed(state, now):
            self._say_screen(state, lang, first=True)
            return True
        self.voice.stop()
        return False

    def touched(self, text: str, state: SessionState, lang: str) -> None:
        """A control was touched: say what it is (never kept: it may be this citizen's)."""
        words = " ".join(text.replace("&&", "&").split())
        if words and self.switch.on(state):
            self.voice.say(Utterance(words, lang, personal=True))

    def lapsed(self, state: SessionState, now: float, after_s: float) -> bool:
        """Pressed on the attract screen and no card came within ``after_s``: off again."""
        if not self.switch.lapsed(state, now, after_s):
            return False
        self.voice.stop()
        return True

    def _say_screen(self, state: SessionState, lang: str, *, first: bool = False) -> None:
        script = screen_script(state, lang)
        if first:
            script = (Line("speech_on"), *script)
        text, personal = spoken(script, lang, self._values(state))
        if text:
            self.voice.say(Utterance(text, lang, personal=personal))


class TouchSpeaker(QObject):
    """Hears a press on a control that asks to be said (:func:`is_spoken`), and hands it on.

    Installed on the application only while someone hears the kiosk: with speech
    off no filter runs at all. The press still does what it does (a tile still
    opens its service at the first tap: the walk keeps its number of taps). A
    touch Qt delivers twice, as a ``TouchBegin`` and then as the mouse press it
    makes of it, is handed on once.
    """

    def __init__(self, on_press: Callable[[QAbstractButton], None], parent: QObject) -> None:
        super().__init__(parent)
        self.on_press = on_press
        self.listening = False
        self._touched: QObject | None = None

    def listen(self, on: bool) -> None:
        app = QApplication.instance()
        if on is self.listening or app is None:
            return
        self.listening = on
        self._touched = None
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin) or not isinstance(
            watched, QAbstractButton
        ):
            return False  # the window and the parents see the same touch: only the button counts
        if kind is QEvent.Type.TouchBegin:
            self._touched = watched
        else:
            touched, self._touched = self._touched, None
            made_of_touch = (
                isinstance(event, QMouseEvent)
                and event.source() is not Qt.MouseEventSource.MouseEventNotSynthesized
            )
            if made_of_touch and touched is watched:
                return False  # the same touch, already handed on as a TouchBegin
        if watched.isEnabled() and is_spoken(watched):
            self.on_press(watched)
        return False


def speaker_icon(size: int, off: str = PRIMARY, on: str = WHITE) -> QIcon:
    """A loudspeaker with two sound waves, drawn in code: in the button's ink, ``off``
    on the white button and ``on`` on the pressed (blue) one."""
    icon = QIcon()
    icon.addPixmap(_speaker(size, off), QIcon.Mode.Normal, QIcon.State.Off)
    icon.addPixmap(_speaker(size, on), QIcon.Mode.Normal, QIcon.State.On)
    return icon


def _speaker(size: int, color: str) -> QPixmap:
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
    return pixmap
