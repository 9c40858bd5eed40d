"""Short sound cues: a card was detected, something went well, something went wrong.

The cues are a few sine tones with a short fade, made here with :mod:`wave`
(no downloaded assets) and written once into ``<data_dir>/sounds/`` when the
kiosk has somewhere to play them. They play through Qt Multimedia's
``QSoundEffect``; where that module does not import (PySide6 essentials only,
or no ``libpulse0``) or no audio output exists, the kiosk is silent and says
so once in the log, at info level. ``kiosk.sounds`` turns them off and
``kiosk.sound_volume`` sets their volume (docs/configuration.md).

:class:`SessionSounds` picks the cue from the session states the window
renders (:func:`cue_for`); :class:`Player` plays it and never blocks: Qt
loads and plays the effects on its own.
"""

from __future__ import annotations

import importlib
import io
import logging
import math
import os
import sys
import wave
from array import array
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl

from kiosk.session.machine import Phase, SessionState

log = logging.getLogger(__name__)

RATE = 44100
#: Peak amplitude, as a fraction of full scale (the volume setting scales it again).
PEAK = 0.5
FADE_S = 0.008


class Cue(StrEnum):
    TAP = "tap"  # a card was detected: reading starts
    SUCCESS = "success"  # a ticket issued, a complaint filed
    ERROR = "error"  # a card refused, a problem shown


#: Each cue's tones, played one after the other: (frequency in Hz, seconds).
TONES: dict[Cue, tuple[tuple[float, float], ...]] = {
    Cue.TAP: ((1318.5, 0.06),),  # one short high blip (E6)
    Cue.SUCCESS: ((1046.5, 0.09), (1568.0, 0.16)),  # rising: C6 then G6
    Cue.ERROR: ((440.0, 0.14), (330.0, 0.22)),  # falling and low: A4 then E4
}


def samples(cue: Cue) -> array[int]:
    """The cue as signed 16-bit mono samples at :data:`RATE`; each tone fades in and out."""
    out = array("h")
    fade = int(RATE * FADE_S)
    for frequency, seconds in TONES[cue]:
        n = int(RATE * seconds)
        step = 2.0 * math.pi * frequency / RATE
        for i in range(n):
            envelope = min(1.0, i / fade, (n - 1 - i) / fade)
            out.append(round(32767 * PEAK * envelope * math.sin(step * i)))
    return out


def wav_bytes(cue: Cue) -> bytes:
    """The cue as a complete WAV file (PCM, 16-bit, mono), the same bytes every time."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        data = samples(cue)
        if sys.byteorder == "big":
            data.byteswap()  # WAV samples are little-endian
        wav.writeframes(data.tobytes())
    return buffer.getvalue()


def write_cues(folder: Path) -> dict[Cue, Path]:
    """Write every cue's WAV into ``folder`` (made if needed), unless already there as is."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[Cue, Path] = {}
    for cue in Cue:
        path = folder / f"{cue.value}.wav"
        data = wav_bytes(cue)
        if not path.is_file() or path.read_bytes() != data:
            partial = path.with_suffix(".wav.part")
            partial.write_bytes(data)
            os.replace(partial, path)
        paths[cue] = path
    return paths


# -- which cue ----------------------------------------------------------------

#: Entering these phases plays a cue.
PHASE_CUES: dict[Phase, Cue] = {
    Phase.READING: Cue.TAP,
    Phase.TICKET_ISSUED: Cue.SUCCESS,
    Phase.COMPLAINT_FILED: Cue.SUCCESS,
    Phase.ERROR: Cue.ERROR,
}
#: Phases whose ``problem`` is never shown (why the last session ended).
_SILENT_PROBLEMS = frozenset({Phase.IDLE, Phase.DONE})

#: What the window last rendered, as far as cues care: session, phase, problem.
Shown = tuple[int, Phase, str | None]


def shown(state: SessionState) -> Shown:
    return (state.session, state.phase, state.problem)


def cue_for(before: Shown | None, state: SessionState) -> Cue | None:
    """The cue for rendering ``state`` after ``before``; None when nothing new is shown."""
    now = shown(state)
    if now == before:
        return None  # the same screen again (a language switch, a touch)
    if (before is None or before[:2] != now[:2]) and state.phase in PHASE_CUES:
        return PHASE_CUES[state.phase]
    new_problem = before is None or before[0] != now[0] or before[2] != now[2]
    if state.problem and new_problem and state.phase not in _SILENT_PROBLEMS:
        return Cue.ERROR  # a notice appears, e.g. a service the card cannot open
    return None


# -- playing ------------------------------------------------------------------

_said: set[str] = set()


def _say_once(message: str, *args: object) -> None:
    if message not in _said:
        _said.add(message)
        log.info(message, *args)


@cache
def _multimedia() -> Any | None:
    """The ``PySide6.QtMultimedia`` module, or None where it does not import."""
    try:
        return importlib.import_module("PySide6.QtMultimedia")
    except ImportError as exc:
        _say_once("no Qt Multimedia (%s): the kiosk plays no sounds", exc)
        return None


def forget_audio() -> None:
    """Look for Qt Multimedia again and log its absence again (for tests)."""
    _multimedia.cache_clear()
    _said.clear()


class Player:
    """Plays cues through ``QSoundEffect``; silent until :meth:`load`, and where it cannot.

    ``play`` only asks Qt to start the effect: it never waits for the sound,
    and with no audio it does nothing.
    """

    def __init__(self, folder: Path, *, volume: float = 1.0, parent: QObject | None = None) -> None:
        self.folder = folder
        self.volume = min(max(volume, 0.0), 1.0)
        self._parent = parent
        self._effects: dict[Cue, Any] = {}
        self.loaded = False

    @property
    def audible(self) -> bool:
        """Whether cues reach an audio output."""
        return bool(self._effects)

    def load(self) -> None:
        """Find the audio output and prepare the effects; at most once, never raises."""
        if self.loaded:
            return
        self.loaded = True
        multimedia = _multimedia()
        if multimedia is None:
            return
        device = multimedia.QMediaDevices.defaultAudioOutput()
        if device.isNull():
            _say_once("no audio output: the kiosk plays no sounds")
            return
        try:
            paths = write_cues(self.folder)
        except OSError as exc:
            log.warning("cannot write the sound cues into %s: %s", self.folder, exc.strerror)
            return
        for cue, path in paths.items():
            effect = multimedia.QSoundEffect(device, self._parent)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(self.volume)
            self._effects[cue] = effect
        log.info("sound cues on %s", device.description())

    def play(self, cue: Cue) -> None:
        effect = self._effects.get(cue)
        if effect is None:
            return
        if effect.status() == effect.Status.Error:
            _say_once("the sound cues cannot be played on this output")
            return
        effect.play()


class SessionSounds:
    """The window's sounds: a cue for each screen that needs one, if sounds are on."""

    def __init__(self, player: Player, *, enabled: bool = True) -> None:
        self.player = player
        self.enabled = enabled
        self._shown: Shown | None = None

    def load(self) -> None:
        if self.enabled:
            self.player.load()

    def render(self, state: SessionState) -> None:
        cue = cue_for(self._shown, state)
        self._shown = shown(state)
        if cue is not None and self.enabled:
            self.player.play(cue)
