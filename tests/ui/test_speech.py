"""The kiosk that speaks, through the real window: what each screen would say, as text.

The recorder listens at the speaker's boundary (``Voice.listeners``), where every
utterance passes heard or not; espeak-ng is not replaced. This machine has no
audio output, so the kiosk stays silent, makes no clip and says so on the
operator panel; the clips espeak-ng makes are measured in
tests/kiosk/test_espeak.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.session.machine import Phase
from kiosk.speech import SCREEN_LINES, Line, SpeechOutput, Utterance, ticket_words
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_phase
from ui.texts import TEXTS
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=5000)
        yield window


def _tile(window: KioskWindow, service_id: str) -> QPushButton:
    return next(
        b for b in window.findChildren(QPushButton) if b.property("service_id") == service_id
    )


def _walk(
    window: KioskWindow, qtbot: QtBot, card: str, confirm: str, finish: str
) -> tuple[int, str]:
    """The walking path, tap by tap as a sighted citizen walks it: the taps, the number."""
    taps = [
        (lambda: button_with(window, card), Phase.IDENTIFIED),
        (lambda: _tile(window, "puskesmas-umum"), Phase.SERVICE_CHOSEN),
        (lambda: window.screens[Phase.SERVICE_CHOSEN].findChild(QPushButton, "primary"), None),
        (lambda: button_with(window, window.view.t("next")), Phase.CONFIRMING),
        (lambda: button_with(window, confirm), Phase.TICKET_ISSUED),
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

    with caplog.at_level(logging.INFO, logger="ui.speech"):
        click(qtbot, button)
        assert button.isChecked() and button.text() == "Hentikan suara"
        assert [u.text for u in said] == [
            "Layar akan dibacakan. Tempelkan kartu Anda. "
            "Letakkan kartu di atas pembaca di bawah layar."
        ]
        taps, number = _walk(kiosk, qtbot, "Siti Aminah", "Ya, ambil nomor antrean", "Selesai")
    texts = [u.text for u in said]
    assert taps == 6  # as the walking path: speech adds no tap
    # each screen: its title and what to do; each touched control: what it is
    assert "Membaca kartu. Jangan angkat kartu Anda." in texts
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
    [end] = [u for u in said if u.text.startswith("Nomor antrean Anda")]
    assert end.personal and end.lang == "id"
    assert end.text.startswith(
        f"Nomor antrean Anda, {ticket_words(number, 'id')}, silakan menuju loket satu."
    )
    assert end.text.endswith("Silakan ambil tiket Anda.")
    assert texts[-1] == "Terima kasih."
    # nothing personal is said: not her name, her NIK or her phone
    assert not any(s in t for t in texts for s in ("Siti", "Aminah", "1471015203850001"))

    # this machine has no audio output: silent, no clip made, logged once, on the panel
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
    _, number = _walk(kiosk, qtbot, "Siti Aminah", "Yes, get my queue number", "Done")
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
    refs = {ref for lines in SCREEN_LINES.values() for line in lines for ref in line.refs.values()}
    assert keys | refs <= set(TEXTS)
    assert isinstance(next(iter(SCREEN_LINES[Phase.IDLE])), Line)


def test_with_speech_off_the_attract_screen_has_no_button(tmp_path: Path, qtbot: QtBot) -> None:
    import dataclasses

    from testkit.kiosk_window import offline_config

    config = offline_config(tmp_path)
    config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, speech="off"))
    with running_kiosk(qtbot, config) as window:
        assert window.attract.speech is None
        assert window.findChild(QPushButton, "speech") is None
        assert window.speech.output is SpeechOutput.OFF
