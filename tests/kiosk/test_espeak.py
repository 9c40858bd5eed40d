"""The kiosk's voice: the real espeak-ng makes clips with sound in them; a bad one is bounded.

The sound is measured by sox (``sox FILE -n stat``): the clip lasts and its RMS
amplitude is well above silence. The misbehaving engines are real executables
on a temporary PATH: one that never ends, one that floods its output.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.errors import SpeechError, SpeechReason
from kiosk.espeak import MAX_CHARS, clip_path, find_program, make_clip, wipe_session_clips
from kiosk.session.events import IssuedTicket
from kiosk.speech import ticket_phrase

#: Debian's espeak-ng and sox, from the Makefile's APT_SPEECH.
ESPEAK = find_program()


def _stat(path: Path) -> dict[str, float]:
    done = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, timeout=30, check=True
    )
    found = re.findall(r"^(.+?):\s+(-?[\d.]+)\s*$", done.stderr, re.MULTILINE)
    return {name.strip(): float(value) for name, value in found}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_ticket_end_is_a_clip_with_sound_in_it(tmp_path: Path, lang: str) -> None:
    assert ESPEAK is not None and shutil.which("sox") is not None, "make system-deps"
    ticket = IssuedTicket(number="B-021", service_id="ktp", counter="3", printed=True)
    text = ticket_phrase(ticket, lang)
    target = clip_path(tmp_path, lang, text, personal=True)
    made = make_clip(ESPEAK, lang, text, target)
    stat = _stat(made)
    assert stat["Length (seconds)"] > 1.0
    assert stat["RMS     amplitude"] > 0.01  # silence is 0; espeak-ng speaks near 0.09


def test_a_screen_clip_is_named_by_a_hash_and_a_citizens_by_chance(tmp_path: Path) -> None:
    text = "Nomor antrean Anda, B, dua puluh satu"
    personal = clip_path(tmp_path, "id", text, personal=True)
    kept = clip_path(tmp_path, "id", "Tempelkan kartu Anda.", personal=False)
    assert kept == clip_path(tmp_path, "id", "Tempelkan kartu Anda.", personal=False)
    assert re.fullmatch(r"[0-9a-f]{64}\.wav", kept.name) and kept.parent == tmp_path
    # the ticket's clip says nothing of the ticket in its name: no hash to try sentences on
    assert personal.parent.name == "session" and re.fullmatch(r"[0-9a-f]{32}\.wav", personal.name)
    assert personal.name != clip_path(tmp_path, "id", text, personal=True).name
    digest = hashlib.sha256(f"id\0{text}".encode()).hexdigest()
    assert digest[:32] not in personal.name


def test_a_citizens_clips_are_wiped_and_so_is_a_clip_half_made_by_a_crash(tmp_path: Path) -> None:
    personal = clip_path(tmp_path, "id", "Nomor antrean Anda, B, dua puluh satu", personal=True)
    kept = clip_path(tmp_path, "id", "Tempelkan kartu Anda.", personal=False)
    half = personal.parent / ".clip-abc123.wav"
    for clip in (personal, kept, half):
        clip.parent.mkdir(parents=True, exist_ok=True)
        clip.write_bytes(b"RIFF")
    assert wipe_session_clips(tmp_path) == 2
    assert not personal.exists() and not half.exists() and kept.exists()
    assert wipe_session_clips(tmp_path / "none") == 0


def _fake_engine(folder: Path, body: str) -> str:
    program = folder / "espeak-ng"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    return str(program)


def test_an_engine_that_never_ends_is_killed_at_the_deadline(tmp_path: Path) -> None:
    program = _fake_engine(tmp_path, "cat >/dev/null; sleep 60")
    target = tmp_path / "out" / "clip.wav"
    with pytest.raises(SpeechError) as raised:
        make_clip(program, "id", "Halo", target, deadline_s=0.5)
    assert raised.value.reason is SpeechReason.TIMEOUT
    assert not target.exists()


def test_writing_the_text_counts_against_the_deadline(tmp_path: Path) -> None:
    # It never reads (a pipe holds only 64 KiB): it lives on only if nothing kills it in time.
    lived = tmp_path / "lived"
    program = _fake_engine(tmp_path, f"sleep 5; touch {lived}")
    target = tmp_path / "out" / "clip.wav"
    with pytest.raises(SpeechError) as raised:
        make_clip(program, "id", "a " * 100_000, target, deadline_s=0.5, max_chars=300_000)
    assert raised.value.reason is SpeechReason.TIMEOUT
    assert not lived.exists()  # killed at the deadline, not let run until it gave up
    assert not target.exists()


def test_a_text_past_the_limit_is_refused_before_the_engine_runs(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    program = _fake_engine(tmp_path, f"echo run >> {runs}; cat >/dev/null; exit 1")
    with pytest.raises(SpeechError) as raised:
        make_clip(program, "id", "a" * (MAX_CHARS + 1), tmp_path / "clip.wav")
    assert raised.value.reason is SpeechReason.TOO_LARGE
    assert not runs.exists()


def test_an_engine_that_floods_is_stopped_at_the_size_limit(tmp_path: Path) -> None:
    program = _fake_engine(tmp_path, "cat >/dev/null; printf RIFF; exec yes")
    target = tmp_path / "out" / "clip.wav"
    with pytest.raises(SpeechError) as raised:
        make_clip(program, "id", "Halo", target, max_bytes=100_000, deadline_s=30)
    assert raised.value.reason is SpeechReason.TOO_LARGE
    assert not target.exists()


def test_an_engine_that_fails_or_is_missing_says_why(tmp_path: Path) -> None:
    program = _fake_engine(tmp_path, "cat >/dev/null; exit 3")
    with pytest.raises(SpeechError) as raised:
        make_clip(program, "id", "Halo", tmp_path / "a.wav")
    assert raised.value.reason is SpeechReason.FAILED
    with pytest.raises(SpeechError) as raised:
        make_clip(str(tmp_path / "none"), "id", "Halo", tmp_path / "b.wav")
    assert raised.value.reason is SpeechReason.NO_ENGINE
    assert "Halo" not in str(raised.value)


def test_the_engine_is_found_on_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_engine(tmp_path, "exit 0")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    assert find_program() == str(tmp_path / "espeak-ng")
