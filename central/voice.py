"""The voice clips a board plays: a city's own recordings, else espeak-ng's Indonesian voice.

One WAV file per word, named after the word (the names are
:data:`central.office.speech.VOCABULARY`)::

    <recordings>/            --voice-dir: the city's own, any that exist win
        chime.wav            the ding before each announcement
        nomor_antrean.wav    "nomor antrean"
        silakan_menuju.wav   "silakan menuju"
        loket.wav            "loket"
        nol.wav satu.wav dua.wav … sembilan.wav
        sepuluh.wav sebelas.wav belas.wav puluh.wav ratus.wav seratus.wav
        a.wav b.wav … z.wav  the letters of the ticket prefixes

A clip the city has not recorded is made once into the cache folder
(``--voice-cache``): words with ``espeak-ng -v id -w FILE`` (a Debian
package; each run bounded by :data:`ESPEAK_TIMEOUT_S`), the chime in Python
(two tones, :func:`chime_wav`). Files are written under a temporary name and
renamed, so two server processes sharing the folder never serve half a file.
When espeak-ng is missing, one log line says so and such a clip is not
served (404); the board then skips it and goes on.
"""

from __future__ import annotations

import io
import logging
import math
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from pathlib import Path

from central.office.speech import CHIME, LETTERS, VOCABULARY

log = logging.getLogger(__name__)

ESPEAK_TIMEOUT_S = 10.0
RATE = 22050
#: What espeak-ng is asked to say for each clip that is not a plain word.
_SAY = {
    "nomor_antrean": "nomor antrean",
    "silakan_menuju": "silakan menuju",
    **dict(
        zip(
            LETTERS,
            (
                *("a", "be", "ce", "de", "e", "ef", "ge", "ha", "i", "je", "ka", "el", "em"),
                *("en", "o", "pe", "ki", "er", "es", "te", "u", "fe", "we", "eks", "ye", "zet"),
            ),
            strict=True,
        )
    ),
}


def text_of(name: str) -> str:
    """What the clip ``name`` says."""
    return _SAY.get(name, name)


def chime_wav() -> bytes:
    """A short two-tone chime (E6 then C6, 0.7 s), 16-bit mono WAV."""
    frames = bytearray()
    for freq, seconds in ((1318.5, 0.3), (1046.5, 0.4)):
        count = int(RATE * seconds)
        for i in range(count):
            fade = min(1.0, i / 200, (count - i) / (count * 0.6))
            sample = 0.45 * fade * math.sin(2 * math.pi * freq * i / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()


class Voice:
    """Finds, or makes once, the clip of each word."""

    def __init__(self, recordings: Path | None, cache: Path, espeak: str | None = None) -> None:
        """``espeak``: the program (``None``: found on the PATH; ``""``: none)."""
        self.recordings = recordings
        self.cache = cache
        found = espeak if espeak is not None else shutil.which("espeak-ng")
        self.espeak = found or None
        self._lock = threading.Lock()
        self._warned = False

    def clip(self, name: str) -> Path | None:
        """The WAV of clip ``name``; ``None`` for a name not in the vocabulary or not made."""
        if name not in VOCABULARY:
            return None
        if self.recordings is not None:
            own = self.recordings / f"{name}.wav"
            if own.is_file():
                return own
        cached = self.cache / f"{name}.wav"
        if cached.is_file():
            return cached
        with self._lock:  # one maker at a time; the next finds the file
            if not cached.is_file() and not self._make(name, cached):
                return None
        return cached

    def warm(self) -> threading.Thread:
        """Make every missing clip in the background, so the first call is not the slow one."""

        def run() -> None:
            for name in VOCABULARY:
                self.clip(name)

        thread = threading.Thread(target=run, name="voice-warm", daemon=True)
        thread.start()
        return thread

    def _make(self, name: str, target: Path) -> bool:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{name}-", suffix=".wav", dir=target.parent)
        os.close(fd)
        try:
            if name == CHIME:
                Path(temp).write_bytes(chime_wav())
            elif not self._espeak(text_of(name), temp):
                return False
            os.replace(temp, target)
            return True
        finally:
            Path(temp).unlink(missing_ok=True)

    def _espeak(self, text: str, out: str) -> bool:
        if self.espeak is None:
            if not self._warned:
                self._warned = True
                log.warning(
                    "voice: espeak-ng is not installed, so clips the city has not recorded "
                    "cannot be made (apt install espeak-ng, or put recordings in --voice-dir)"
                )
            return False
        try:
            done = subprocess.run(  # noqa: S603 - a fixed program, arguments from our vocabulary
                [self.espeak, "-v", "id", "-s", "150", "-w", out, text],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=ESPEAK_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("voice: espeak-ng failed on %r: %s", text, exc)
            return False
        if done.returncode != 0 or Path(out).stat().st_size <= 44:
            log.warning("voice: espeak-ng failed on %r: %s", text, done.stderr[-300:])
            return False
        return True

    def __repr__(self) -> str:
        return f"Voice(recordings={self.recordings}, cache={self.cache})"
