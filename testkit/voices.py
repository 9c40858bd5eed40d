"""A city's "own recordings" for the tests: every clip of the vocabulary as a short tone.

The boards' tests are about order, queueing and never overlapping, not about
how the words sound: with these 60 ms clips (given as ``--voice-dir``, the
way a city gives its recordings) an announcement plays in under a second
instead of six. The espeak-ng clips have tests of their own
(tests/central/test_voice.py).
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from central.office.speech import VOCABULARY

RATE = 8000
SECONDS = 0.06


def short_recordings(folder: Path) -> Path:
    """``folder`` with one short tone WAV per clip name; returned for ``--voice-dir``."""
    folder.mkdir(parents=True, exist_ok=True)
    count = int(RATE * SECONDS)
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 660 * i / RATE))) for i in range(count)
    )
    for name in VOCABULARY:
        with wave.open(str(folder / f"{name}.wav"), "wb") as clip:
            clip.setnchannels(1)
            clip.setsampwidth(2)
            clip.setframerate(RATE)
            clip.writeframes(frames)
    return folder
