"""Sound cues: the generated WAVs, which cue each screen asks for, silence where there is none."""

from __future__ import annotations

import dataclasses
import logging
import sys
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.config import Config, parse_config
from kiosk.errors import ConfigError
from kiosk.session.events import (
    ComplaintOpened,
    ComplaintSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase, SessionState
from testkit.kiosk_window import (
    button_with,
    click,
    closed_port,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui import sounds
from ui.sounds import RATE, TONES, Cue, Player, cue_for, shown, write_cues
from ui.window import KioskWindow


class RecordingPlayer(Player):
    """The real player, which also remembers every cue it was asked to play."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.requested: list[Cue] = []

    def play(self, cue: Cue) -> None:
        self.requested.append(cue)
        super().play(cue)


def offline_config(tmp_path: Path, **kiosk: Any) -> Config:
    """The demo without a central server: every window that enrols counts against the
    shared demo server's per-address limit on authentication, so only one test here does."""
    config = demo_config(tmp_path, f"http://127.0.0.1:{closed_port()}")
    return dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, **kiosk))


@pytest.fixture
def audio_forgotten() -> Iterator[None]:
    sounds.forget_audio()
    yield
    sounds.forget_audio()


def recorded(window: KioskWindow, tmp_path: Path) -> RecordingPlayer:
    player = RecordingPlayer(tmp_path / "recorded-sounds")
    window.sounds.player = player
    return player


# -- the WAV files --------------------------------------------------------------


@pytest.mark.parametrize("cue", list(Cue))
def test_each_cue_is_a_short_mono_wav_that_fades_in_and_out(tmp_path: Path, cue: Cue) -> None:
    path = write_cues(tmp_path / "sounds")[cue]
    assert path == tmp_path / "sounds" / f"{cue.value}.wav"
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        frames = wav.getnframes()
        data = array("h", wav.readframes(frames))
    expected = sum(int(RATE * seconds) for _, seconds in TONES[cue])
    assert frames == expected
    assert 0.05 <= frames / RATE <= 0.5  # a cue, not a tune
    assert 8000 <= max(abs(s) for s in data) <= 32767 // 2 + 1  # audible, never clipped
    assert abs(data[0]) < 300 and abs(data[-1]) < 300  # no click at either end


def test_cues_differ_and_are_written_once(tmp_path: Path) -> None:
    paths = write_cues(tmp_path)
    assert len({p.read_bytes() for p in paths.values()}) == len(Cue)
    stamps = {cue: p.stat().st_mtime_ns for cue, p in paths.items()}
    paths[Cue.TAP].write_bytes(b"not a wav")
    again = write_cues(tmp_path)
    assert again[Cue.TAP].read_bytes() == sounds.wav_bytes(Cue.TAP)  # a damaged file is redone
    for cue in (Cue.SUCCESS, Cue.ERROR):
        assert again[cue].stat().st_mtime_ns == stamps[cue]  # the others are left alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["error.wav", "success.wav", "tap.wav"]


# -- which cue ------------------------------------------------------------------


def state(phase: Phase, session: int = 1, problem: str = "") -> SessionState:
    return SessionState(phase=phase, session=session, problem=problem)


@pytest.mark.parametrize(
    ("before", "after", "cue"),
    [
        (state(Phase.IDLE, 0), state(Phase.READING), Cue.TAP),
        (state(Phase.ERROR, 1, "expired"), state(Phase.READING, 2), Cue.TAP),
        (state(Phase.READING), state(Phase.IDENTIFIED), None),
        (state(Phase.READING), state(Phase.ERROR, 1, "expired"), Cue.ERROR),
        (state(Phase.IDENTIFIED), state(Phase.IDENTIFIED, 1, "assurance_too_low"), Cue.ERROR),
        (state(Phase.IDENTIFIED, 1, "assurance_too_low"), state(Phase.SERVICE_CHOSEN), None),
        (state(Phase.COMPLAINT), state(Phase.COMPLAINT, 1, "complaint_empty"), Cue.ERROR),
        (  # the notice stays in the state, but the sending screen does not show it
            state(Phase.COMPLAINT, 1, "complaint_empty"),
            state(Phase.COMPLAINT_SENDING, 1, "complaint_empty"),
            None,
        ),
        (state(Phase.ISSUING), state(Phase.TICKET_ISSUED), Cue.SUCCESS),
        (state(Phase.ISSUING), state(Phase.ERROR, 1, "issue_timeout"), Cue.ERROR),
        (state(Phase.COMPLAINT_SENDING), state(Phase.COMPLAINT_FILED), Cue.SUCCESS),
        (state(Phase.TICKET_ISSUED), state(Phase.DONE), None),
        (state(Phase.IDENTIFIED), state(Phase.IDLE, 1, "idle_timeout"), None),
        (state(Phase.TICKET_ISSUED), state(Phase.TICKET_ISSUED), None),  # a language switch
    ],
)
def test_the_cue_for_each_transition(
    before: SessionState, after: SessionState, cue: Cue | None
) -> None:
    assert cue_for(shown(before), after) is cue


# -- on the real window ---------------------------------------------------------


def test_a_session_asks_for_tap_then_success_and_a_refusal_for_error(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        player = recorded(kiosk, tmp_path)
        click(qtbot, button_with(kiosk, "Siti Aminah"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        assert player.requested == [Cue.TAP]

        kiosk.dispatch(ServiceSelected("no-such-service"))  # a notice on the services screen
        assert kiosk.controller.session().problem == "service_unknown"
        assert player.requested == [Cue.TAP, Cue.ERROR]

        tile = next(
            b
            for b in kiosk.findChildren(QPushButton)
            if b.property("service_id") == "puskesmas-umum"
        )
        click(qtbot, tile)
        wait_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
        click(qtbot, button_with(kiosk, "Daftar layanan ini"))
        wait_phase(qtbot, kiosk, Phase.FORM)
        phone = kiosk.findChild(QLineEdit, "field_phone")
        assert phone is not None
        phone.setText("081234567890")
        click(qtbot, button_with(kiosk, "Lanjut"))
        wait_phase(qtbot, kiosk, Phase.CONFIRMING)
        click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))
        click(qtbot, button_with(kiosk, "Tidak"))  # the question before the ticket
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        assert player.requested == [Cue.TAP, Cue.ERROR, Cue.SUCCESS]
        kiosk.toggle_language()  # the same screen again, in English: no second cue
        assert player.requested == [Cue.TAP, Cue.ERROR, Cue.SUCCESS]

        kiosk.toggle_language()
        click(qtbot, button_with(kiosk, "Selesai"))
        wait_phase(qtbot, kiosk, Phase.DONE)
        click(qtbot, button_with(kiosk, "Selesai"))
        wait_phase(qtbot, kiosk, Phase.IDLE)
        click(qtbot, button_with(kiosk, "Kartu kedaluwarsa"))
        wait_phase(qtbot, kiosk, Phase.ERROR)
        assert player.requested == [Cue.TAP, Cue.ERROR, Cue.SUCCESS, Cue.TAP, Cue.ERROR]


def test_an_anonymous_complaint_filed_asks_for_success(tmp_path: Path, qtbot: QtBot) -> None:
    with running_kiosk(qtbot, offline_config(tmp_path)) as kiosk:
        player = recorded(kiosk, tmp_path)
        kiosk.dispatch(ComplaintOpened())
        wait_phase(qtbot, kiosk, Phase.COMPLAINT)
        kiosk.dispatch(ComplaintSubmitted("antrean", ""))  # nothing written: a notice
        assert kiosk.controller.session().problem == "complaint_empty"
        kiosk.dispatch(ComplaintSubmitted("antrean", "Antrean lama sekali"))
        kiosk.dispatch(NotifyAnswered(kiosk.controller.session().session, False))
        wait_phase(qtbot, kiosk, Phase.COMPLAINT_FILED)
        assert player.requested == [Cue.ERROR, Cue.SUCCESS]


def test_sounds_off_asks_for_none_and_writes_none(tmp_path: Path, qtbot: QtBot) -> None:
    with running_kiosk(qtbot, offline_config(tmp_path, sounds=False)) as kiosk:
        player = recorded(kiosk, tmp_path)
        kiosk.sounds.load()
        click(qtbot, button_with(kiosk, "Kartu kedaluwarsa"))
        wait_phase(qtbot, kiosk, Phase.ERROR)
        click(qtbot, button_with(kiosk, "Tutup"))
        wait_phase(qtbot, kiosk, Phase.IDLE)
        click(qtbot, button_with(kiosk, "Siti Aminah"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        assert player.requested == []
        assert not player.loaded
    assert not (tmp_path / "data" / "sounds").exists()
    assert not (tmp_path / "recorded-sounds").exists()


def test_without_qt_multimedia_the_kiosk_runs_silent_and_says_so_once(
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    audio_forgotten: None,
) -> None:
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # import fails, as without it
    caplog.set_level(logging.INFO, logger="ui.sounds")
    with running_kiosk(qtbot, offline_config(tmp_path)) as kiosk:
        qtbot.waitUntil(lambda: kiosk.sounds.player.loaded, timeout=5000)  # after the first paint
        other = Player(tmp_path / "other")
        other.load()
        for cue in Cue:
            other.play(cue)
        click(qtbot, button_with(kiosk, "Kartu kedaluwarsa"))
        wait_phase(qtbot, kiosk, Phase.ERROR)
        click(qtbot, button_with(kiosk, "Tutup"))
        wait_phase(qtbot, kiosk, Phase.IDLE)
        assert not kiosk.sounds.player.audible and not other.audible
    said = [r.getMessage() for r in caplog.records if r.name == "ui.sounds"]
    assert len(said) == 1 and said[0].startswith("no Qt Multimedia")
    assert [r.levelno for r in caplog.records if r.name == "ui.sounds"] == [logging.INFO]
    assert not (tmp_path / "data" / "sounds").exists()  # nothing written for nobody to hear


def test_this_machines_audio_whatever_it_is_never_raises(
    tmp_path: Path, qtbot: QtBot, audio_forgotten: None
) -> None:
    player = Player(tmp_path / "sounds", volume=0.3)
    player.load()
    player.load()  # at most once
    for cue in Cue:
        player.play(cue)
        player.play(cue)  # again, before the first has ended
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        has_output = False
    else:
        has_output = not QMediaDevices.defaultAudioOutput().isNull()
    assert player.loaded and player.audible is has_output
    assert (tmp_path / "sounds").exists() is has_output


def test_the_volume_is_a_fraction_up_to_one() -> None:
    assert parse_config({"kiosk": {"sound_volume": 1}}).kiosk.sound_volume == 1.0
    assert parse_config({"kiosk": {"sounds": False}}).kiosk.sounds is False
    with pytest.raises(ConfigError, match=r"kiosk\.sound_volume: must be at most 1\.0"):
        parse_config({"kiosk": {"sound_volume": 60}})
    with pytest.raises(ConfigError, match=r"kiosk\.sound_volume"):
        parse_config({"kiosk": {"sound_volume": 0}})
