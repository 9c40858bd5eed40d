"""The kiosk that speaks, through the real window: what each screen would say, as text.

The recorder listens at the speaker's boundary (``Voice.listeners``), where every
utterance passes heard or not; espeak-ng is not replaced. The tests decide the
audio output themselves (``Voice.route``): none for the walk (silent, no clip,
said on the operator panel), or a :class:`RecordingSink`, a real output that
keeps the files it was asked to play, for the path from the real espeak-ng to
what is heard. The clips' sound is measured in tests/kiosk/test_espeak.py.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import OperatorSection
from kiosk.operator.pin import hash_pin
from kiosk.overlays import Overlay
from kiosk.session.events import FormOpened, ServiceSelected
from kiosk.session.machine import Phase
from kiosk.speech import SCREEN_LINES, SpeechOutput, Utterance, ticket_words
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.legibility import AA_LARGE_TEXT, contrast_ratio, rgb
from ui.screens.birth_date import BirthDateScreen
from ui.screens.common import set_spoken
from ui.screens.form import FormScreen
from ui.speech import QtSink, TouchSpeaker, Voice, is_spoken, qt_sink, speaker_icon
from ui.texts import TEXTS
from ui.theme import style_sheet
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def _tile(window: KioskWindow, service_id: str) -> QPushButton:
    return next(
        b for b in window.findChildren(QPushButton) if b.property("service_id") == service_id
    )


def _walk(
    window: KioskWindow, qtbot: QtBot, card: str, confirm: str, answer: str, finish: str
) -> tuple[int, str]:
    """The walking path, tap by tap as a sighted citizen walks it: the taps, the number."""
    taps = [
        (lambda: button_with(window, card), Phase.IDENTIFIED),
        (lambda: _tile(window, "puskesmas-umum"), Phase.SERVICE_CHOSEN),
        (lambda: window.screens[Phase.SERVICE_CHOSEN].findChild(QPushButton, "primary"), None),
        (lambda: button_with(window, window.view.t("next")), Phase.CONFIRMING),
        (lambda: button_with(window, confirm), Phase.CONSENT),
        (lambda: button_with(window, answer), Phase.TICKET_ISSUED),
        (lambda: button_with(window, finish), Phase.DONE),
    ]
    number = ""
    for find, phase in taps:
        widget = find()
        assert widget is not None
        click(qtbot, widget)
        wait_phase(qtbot, window, phase or Phase.FORM)
        ticket = window.controller.session().ticket
        number = ticket.number if ticket is not None else number
    return len(taps), number


def test_a_citizen_who_asks_hears_every_screen_of_the_walk_and_the_next_starts_silent(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    said: list[Utterance] = []
    kiosk.speech.voice.listeners.append(said.append)
    button = kiosk.attract.speech
    assert button is not None and button.objectName() == "speech"
    assert button.text() == "Bacakan layar" and button.isVisible()

    kiosk.speech.voice.load()  # whatever this machine has (as the button looks for it),
    kiosk.speech.voice.route(RecordingSink())  # an output, and then none
    with caplog.at_level(logging.INFO, logger="ui.speech"):
        kiosk.speech.voice.route(None)
        click(qtbot, button)
        assert button.isChecked() and button.text() == "Hentikan suara"
        assert [u.text for u in said] == [
            "Layar akan dibacakan. Tempelkan kartu Anda. "
            "Letakkan kartu di atas pembaca di bawah layar."
        ]
        stack, shown = kiosk.stack, []
        stack.currentChanged.connect(lambda _index: shown.append(stack.currentWidget()))
        taps, number = _walk(
            kiosk, qtbot, "Siti Aminah", "Ya, ambil nomor antrean", "Tidak", "Selesai"
        )
    texts = [u.text for u in said]
    assert taps == 7  # as the walking path (the consent question is one): speech adds no tap
    # each screen shown: its title and what to do; each touched control: what it is (the
    # reading screen shows only for a read longer than a glance: test_reading_screen_held)
    reading_shown = kiosk.screens[Phase.READING] in shown
    assert ("Membaca kartu. Jangan angkat kartu Anda." in texts) is reading_shown
    welcome = "Selamat datang. Silakan pilih layanan. Sentuh nama layanan yang Anda perlukan."
    touched = said[texts.index(welcome) + 1]  # touching the tile says it, then it opens
    assert touched.text.startswith("Pendaftaran Poli Umum Puskesmas") and touched.personal
    assert "Daftar layanan ini" in texts and "Lanjut" in texts  # so does each button
    assert (
        "Pendaftaran Poli Umum Puskesmas. Tekan Daftar layanan ini untuk mendaftar, "
        "atau Kembali untuk memilih layanan lain."
    ) in texts
    assert "Periksa dan lengkapi data. Periksa data Anda, lalu tekan Lanjut di bawah." in texts
    assert (
        "Apakah data ini sudah benar? Pendaftaran Poli Umum Puskesmas. "
        "Jika sudah benar, tekan Ya, ambil nomor antrean."
    ) in texts
    # the question, without her number: the kiosk stands in a public hall
    assert (
        "Kirim pemberitahuan ke HP Anda? Pesan singkat saat giliran Anda hampir tiba dan saat "
        "nomor Anda dipanggil. Tekan Ya, kirim atau Tidak."
    ) in texts
    [end] = [u for u in said if u.text.startswith("Nomor antrean Anda")]
    assert end.personal and end.lang == "id"
    assert end.text.startswith(
        f"Nomor antrean Anda, {ticket_words(number, 'id')}, silakan menuju loket satu."
    )
    assert end.text.endswith("Silakan ambil tiket Anda.")
    assert texts[-1] == "Terima kasih."
    # nothing personal is said: not her name, her NIK or her phone
    assert not any(
        s in t for t in texts for s in ("Siti", "Aminah", "1471015203850001", "0813", "234")
    )

    # no audio output: silent, no clip made, logged once, on the operator panel
    assert kiosk.speech.output is SpeechOutput.NO_OUTPUT
    assert not list((tmp_path / "data").glob("speech/**/*.wav"))
    assert [r.message for r in caplog.records].count(
        "speech: no audio output, the kiosk stays silent"
    ) == 1
    operator = kiosk.overlays.operator
    operator.render_state(kiosk.controller.session(), kiosk.view)
    assert operator.lines["speech"].text() == "Suara: tidak ada keluaran audio"

    # back on the attract screen the session is over: the next citizen starts silent
    qtbot.waitUntil(lambda: kiosk.controller.session().phase is Phase.IDLE, timeout=10000)
    assert not button.isChecked() and button.text() == "Bacakan layar"
    said.clear()
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert said == []
    click(qtbot, button_with(kiosk, "Batal"))
    wait_phase(qtbot, kiosk, Phase.IDLE)

    # in English, in English words
    click(qtbot, button_with(kiosk, "English"))
    click(qtbot, button)
    assert said[-1] == Utterance(
        "The screen will be read aloud. Tap your card. Hold your card on the reader below "
        "the screen.",
        "en",
    )
    _, number = _walk(kiosk, qtbot, "Siti Aminah", "Yes, get my queue number", "No", "Done")
    texts = [u.text for u in said]
    assert "Please choose a service. Touch the service you need." in " ".join(texts)
    assert "Check and complete your details. Check your details, then press Next" in " ".join(texts)
    [end] = [u for u in said if u.text.startswith("Your queue number is")]
    assert end.lang == "en"
    assert end.text.startswith(
        f"Your queue number is {ticket_words(number, 'en')}, please go to counter one."
    )
    assert all(u.lang == "en" for u in said)


def test_every_screen_line_is_a_text_of_the_screens() -> None:
    keys = {line.key for lines in SCREEN_LINES.values() for line in lines}
    keys |= {"speak_detail", "speak_confirm", "speech_on", "register", "back", "confirm", "next"}
    keys |= {"consent_yes", "consent_no"}
    refs = {ref for lines in SCREEN_LINES.values() for line in lines for ref in line.refs.values()}
    assert keys | refs <= set(TEXTS)


def test_with_speech_off_the_attract_screen_has_no_button(tmp_path: Path, qtbot: QtBot) -> None:
    from testkit.kiosk_window import offline_config

    config = offline_config(tmp_path)
    config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, speech="off"))
    with running_kiosk(qtbot, config) as window:
        assert window.attract.speech is None
        assert window.findChild(QPushButton, "speech") is None
        assert window.speech.output is SpeechOutput.OFF
        # no listener on the touches at all: a touched tile reaches no speaker
        heard: list[QAbstractButton] = []
        window.touch_speaker.on_press = heard.append
        assert is_spoken(window.attract.language)
        click(qtbot, window.attract.language)
        assert heard == [] and not window.touch_speaker.listening


def test_the_loudspeaker_on_the_speech_button_is_seen_pressed_or_not(qtbot: QtBot) -> None:
    # WCAG 2.2's 3:1 for a graphic that says what a control does (1.4.11).
    speech = QPushButton()
    speech.setObjectName("speech")
    speech.setCheckable(True)
    speech.setIcon(speaker_icon(48))
    speech.setIconSize(QSize(48, 48))
    speech.setStyleSheet(style_sheet())
    speech.resize(160, 100)
    qtbot.addWidget(speech)
    for pressed in (False, True):
        speech.setChecked(pressed)
        picture = speech.grab().toImage()
        ground = rgb(picture.pixelColor(20, 50))  # inside the border, beside the icon
        centre = picture.rect().center()
        ink = max(
            contrast_ratio(rgb(picture.pixelColor(centre.x() + dx, centre.y() + dy)), ground)
            for dx in range(-24, 24)
            for dy in range(-24, 24)
        )
        assert ink >= AA_LARGE_TEXT, f"pressed={pressed}: the icon is {ink:.2f}:1"


# -- what a touch says, and what it never says ---------------------------------------


def test_keys_that_type_a_birth_date_a_form_value_or_the_pin_are_never_said(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, demo_central)
    config = dataclasses.replace(config, operator=OperatorSection(pin_hash=hash_pin("482915")))
    with running_kiosk(qtbot, config) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        kiosk.speech.voice.load()
        kiosk.speech.voice.route(None)
        said: list[Utterance] = []
        kiosk.speech.voice.listeners.append(said.append)
        assert kiosk.attract.speech is not None
        click(qtbot, kiosk.attract.speech)
        kiosk._speak_touched(kiosk.attract.speech)  # a citizen's spoken tap
        unbuilt = [
            o for o in (Overlay.PIN, Overlay.OPERATOR) if not kiosk.overlays.screens.is_built(o)
        ]
        assert unbuilt == [Overlay.PIN, Overlay.OPERATOR], "a spoken tap builds no operator screen"

        # the operator's PIN, on the attract screen with speech on
        for _ in range(5):
            click(qtbot, kiosk.attract.office)
        assert kiosk.overlays.current is kiosk.overlays.pin
        said.clear()
        for digit in "482915":
            click(qtbot, kiosk.overlays.pin.pad.keys[digit])
        click(qtbot, kiosk.overlays.pin.pad.ok)
        qtbot.waitUntil(lambda: kiosk.overlays.current is kiosk.overlays.operator)  # right
        click(qtbot, kiosk.overlays.operator.leave)  # the panel's own buttons: not said
        assert said == []

        # the birth date, on its keypad
        click(qtbot, button_with(kiosk, "e-KTP"))
        wait_phase(qtbot, kiosk, Phase.PROVING)
        proving = kiosk.screens[Phase.PROVING]
        assert isinstance(proving, BirthDateScreen)
        said.clear()
        for digit in "15061985":
            click(qtbot, proving.keys[digit])
        click(qtbot, proving.erase)
        assert proving.entered == "1506198"
        assert said == []

        # a form's value, on the on-screen keyboard
        click(qtbot, button_with(kiosk, kiosk.view.t("birth_date_skip")))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        kiosk.controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
        kiosk.controller.dispatch(FormOpened())
        wait_phase(qtbot, kiosk, Phase.FORM)
        form = kiosk.screens[Phase.FORM]
        assert isinstance(form, FormScreen)
        form.edit("full_name")
        said.clear()
        for key in "rina":
            click(qtbot, form.keyboard.keys[key])
        assert form.keyboard.target is not None and form.keyboard.target.text().endswith("rina")
        assert said == []
        # while a tile or a navigation button still says what it is
        click(qtbot, form.back)
        assert said[0].text == form.back.text() == "Kembali"


class _TouchIgnoringButton(QPushButton):
    """A control that takes touches yet lets this one go: Qt then makes a mouse press of it."""

    def event(self, e: QEvent) -> bool:
        if e.type() is QEvent.Type.TouchBegin:
            e.ignore()
            return False
        return super().event(e)


def test_a_touch_delivered_as_touch_and_as_mouse_is_said_once(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    pressed: list[QAbstractButton] = []
    speaker = TouchSpeaker(pressed.append, owner)
    tile = _TouchIgnoringButton("Poli Umum", owner)
    tile.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
    set_spoken(tile)
    owner.resize(200, 200)
    tile.resize(200, 200)
    owner.show()
    qtbot.waitExposed(owner)
    speaker.listen(True)
    try:
        screen = QTest.createTouchDevice()
        QTest.touchEvent(tile, screen).press(0, QPoint(50, 50)).commit()
        QTest.touchEvent(tile, screen).release(0, QPoint(50, 50)).commit()
        qtbot.waitUntil(lambda: bool(pressed))
        click(qtbot, tile)  # a mouse's press is a press of its own
    finally:
        speaker.listen(False)
    assert pressed == [tile, tile]


# -- from the real espeak-ng to what is heard -----------------------------------------


class RecordingSink:
    """An audio output that keeps which clips it was asked to play (an AudioSink)."""

    def __init__(self) -> None:
        self.played: list[Path] = []
        self.released = 0

    def play(self, clip: Path) -> None:
        self.played.append(clip)

    def stop(self) -> None:
        pass

    def release(self) -> None:
        self.released += 1


def _settled(voice: Voice, qtbot: QtBot) -> None:
    """Wait until every job asked of the voice's lane has handed its outcome back."""
    back: list[bool] = []
    voice.lane.run_in_background(lambda: True, back.append, lambda _: back.append(False))
    qtbot.waitUntil(lambda: bool(back), timeout=20000)


def _voice(tmp_path: Path, qtbot: QtBot, sink: RecordingSink) -> Voice:
    voice = Voice(tmp_path / "speech")
    assert voice.route(sink) is SpeechOutput.READY, "make system-deps (espeak-ng)"
    return voice


def _session_files(voice: Voice) -> list[Path]:
    session = voice.folder / "session"
    return sorted(session.iterdir()) if session.is_dir() else []


def test_a_clip_is_made_by_espeak_ng_and_played_then_wiped_when_the_session_ends(
    tmp_path: Path, qtbot: QtBot
) -> None:
    sink = RecordingSink()
    voice = _voice(tmp_path, qtbot, sink)
    voice.say(Utterance("Tempelkan kartu Anda.", "id"))
    voice.say(Utterance("Nomor antrean Anda, B, dua puluh satu.", "id", personal=True))
    _settled(voice, qtbot)
    [played] = sink.played  # the first was asked over: never heard
    assert played.parent == voice.folder / "session"
    assert played.read_bytes().startswith(b"RIFF") and played.stat().st_size > 10_000
    voice.end_session()
    _settled(voice, qtbot)
    assert _session_files(voice) == [] and sink.released == 1
    assert sink.played == [played]


def test_a_clip_still_being_made_when_the_session_ends_is_deleted_and_never_played(
    tmp_path: Path, qtbot: QtBot
) -> None:
    sink = RecordingSink()
    voice = _voice(tmp_path, qtbot, sink)
    started = tmp_path / "started"
    engine = tmp_path / "espeak-ng"  # the real one, a moment late
    engine.write_text(f'#!/bin/sh\ntouch {started}\nsleep 0.3\nexec {voice._program} "$@"\n')
    engine.chmod(0o755)
    voice._program = str(engine)
    voice.say(Utterance("Nomor antrean Anda, B, dua puluh satu.", "id", personal=True))
    qtbot.waitUntil(started.exists)
    voice.end_session()  # the citizen walked away while espeak-ng was still at it
    _settled(voice, qtbot)
    assert sink.played == []
    assert _session_files(voice) == []


def test_a_burst_of_taps_runs_the_engine_for_the_last_only_and_logs_a_failure_once(
    tmp_path: Path, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    runs = tmp_path / "runs"
    engine = tmp_path / "espeak-ng"
    engine.write_text(f"#!/bin/sh\necho run >> {runs}\ncat >/dev/null\nsleep 0.2\nexit 1\n")
    engine.chmod(0o755)
    sink = RecordingSink()
    voice = _voice(tmp_path, qtbot, sink)
    voice._program = str(engine)  # the engine that fails slowly, found on no PATH
    with caplog.at_level(logging.INFO):
        for i in range(40):
            voice.say(Utterance(f"Tombol {i}", "id", personal=True))
        _settled(voice, qtbot)
    # the one running when the burst came, and the last one asked for
    assert 1 <= len(runs.read_text().splitlines()) <= 2
    assert sink.played == []
    assert [r.levelno for r in caplog.records if r.name != "ui.speech"] == []
    assert [r.message for r in caplog.records if r.name == "ui.speech"] == [
        "speech: no clip made (failed)"
    ]
    assert all(r.exc_info is None for r in caplog.records)


def test_one_sound_effect_plays_every_clip_and_lets_go_of_the_last(
    tmp_path: Path, qtbot: QtBot
) -> None:
    multimedia = pytest.importorskip("PySide6.QtMultimedia")
    owner = QObject()
    sink = QtSink(multimedia, multimedia.QMediaDevices.defaultAudioOutput(), owner)
    clips = [tmp_path / f"{i}.wav" for i in range(3)]
    for clip in clips:
        clip.write_bytes(b"RIFF")
        sink.play(clip)
    [effect] = owner.findChildren(multimedia.QSoundEffect)
    assert effect.source().toLocalFile() == str(clips[-1])
    sink.release()
    assert effect.source().isEmpty()


def test_a_crashs_session_clips_are_wiped_at_start_and_the_last_ones_at_shut_down(
    tmp_path: Path, qtbot: QtBot
) -> None:
    from testkit.kiosk_window import offline_config

    config = offline_config(tmp_path)
    session = config.data_dir / "speech" / "session"
    session.mkdir(parents=True)
    left = [session / "5f0c3a.wav", session / ".clip-abc123.wav"]  # a clip, a half-made one
    for clip in left:
        clip.write_bytes(b"RIFF")
    with running_kiosk(qtbot, config):
        qtbot.waitUntil(lambda: not any(c.exists() for c in left), timeout=5000)
        last = session / "9b1d2e.wav"
        last.write_bytes(b"RIFF")
    assert not last.exists()


def test_qt_multimedia_that_cannot_load_is_said_in_the_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A kiosk missing a library Qt Multimedia links against (libpulse0) stays silent and
    says why, instead of turning the speech off without a word."""
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # import fails
    with caplog.at_level(logging.WARNING, logger="ui.speech"):
        assert qt_sink(None) is None
    [record] = [r for r in caplog.records if r.name == "ui.speech"]
    assert "Qt Multimedia cannot load" in record.getMessage()
