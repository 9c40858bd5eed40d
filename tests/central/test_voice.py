"""The boards' voice clips: made with espeak-ng when the city has not recorded its own."""

from __future__ import annotations

import array
import logging
import wave
from pathlib import Path

import pytest

from central.office.speech import VOCABULARY
from central.voice import Voice, chime_wav


def _sound(path: Path) -> tuple[float, int]:
    """(seconds, loudest sample) of a 16-bit WAV."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / wav.getframerate()
    samples = array.array("h", frames)
    return seconds, max(abs(s) for s in samples)


def test_a_missing_word_is_spoken_by_espeak_ng_into_the_cache(tmp_path: Path) -> None:
    voice = Voice(None, tmp_path / "cache")
    made = voice.clip("seratus")
    assert made == tmp_path / "cache" / "seratus.wav"
    seconds, loudest = _sound(made)
    assert 0.2 < seconds < 3.0
    assert loudest > 1000, "the clip is silence"


def test_the_chime_is_two_tones_made_in_python(tmp_path: Path) -> None:
    (tmp_path / "chime.wav").write_bytes(chime_wav())
    seconds, loudest = _sound(tmp_path / "chime.wav")
    assert 0.5 < seconds < 1.0 and loudest > 10000


def test_the_citys_own_recording_wins(tmp_path: Path) -> None:
    own = tmp_path / "rekaman"
    own.mkdir()
    (own / "loket.wav").write_bytes(chime_wav())
    voice = Voice(own, tmp_path / "cache")
    assert voice.clip("loket") == own / "loket.wav"
    assert voice.clip("tiga") == tmp_path / "cache" / "tiga.wav"


def test_only_words_of_the_vocabulary_are_made(tmp_path: Path) -> None:
    voice = Voice(None, tmp_path / "cache")
    assert voice.clip("../etc/passwd") is None
    assert voice.clip("halo") is None
    assert "halo" not in VOCABULARY
    assert not (tmp_path / "cache").exists()


def test_without_espeak_ng_one_log_line_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    voice = Voice(None, tmp_path / "cache", espeak="")
    with caplog.at_level(logging.WARNING, logger="central.voice"):
        assert voice.clip("dua") is None
        assert voice.clip("tiga") is None
        assert voice.clip("chime") is not None  # made in Python
    lines = [
        r.getMessage() for r in caplog.records if "espeak-ng is not installed" in r.getMessage()
    ]
    assert len(lines) == 1
