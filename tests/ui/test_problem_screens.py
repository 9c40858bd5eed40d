"""Every problem the kiosk can show has a large icon, what happened, what to do and
one big button, in both languages; the help desk named is the office's own."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.config import KioskSection
from kiosk.errors import Problem
from kiosk.session.machine import Phase, SessionState
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_phase
from ui.icons import PROBLEM_DRAWINGS
from ui.problems import NOTICES, PROBLEMS, UNKNOWN, Icon, help_desk_values
from ui.screens.message import SCREEN_ICON_PX, MessageScreen
from ui.texts import TEXTS, tr
from ui.window import KioskWindow

#: How the notices about a booking are filled (ui/screens/booking_words.py).
BOOKING = {"time": "10.30", "day": "6 Desember 2026", "office": "MPP Pekanbaru"}
#: Every code a session can keep as its ``problem`` (kiosk.errors.Problem).
CODES = [member for reasons in get_args(Problem) for member in reasons]


def _words(key: str, lang: str) -> str:
    values = help_desk_values("", lambda k: tr(k, lang))
    # the PIN's notices count; a booking's notices say its time, day and office
    return tr(key, lang, tries=2, seconds=30, **values, **BOOKING)


def test_every_problem_the_machine_can_emit_has_its_row() -> None:
    assert len(CODES) > 25  # the card's, the store's, the ticket's and the session's own
    assert [code for code in CODES if code not in PROBLEMS] == []
    assert set(PROBLEMS) <= set(CODES), "a row for a code nothing emits"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_row_has_an_icon_and_two_sentences_in_both_languages(lang: str) -> None:
    for name, notice in [*PROBLEMS.items(), *NOTICES.items(), ("unknown", UNKNOWN)]:
        assert notice.icon.value in PROBLEM_DRAWINGS, name
        for key in (notice.happened, notice.todo, *([notice.button] if notice.button else [])):
            assert key in TEXTS, f"{name}: {key}"
            words = _words(key, lang)
            assert words.strip() and "{" not in words, f"{name}: {key}"
            if lang == "en":
                assert words != _words(key, "id") or key == "close", f"{name}: {key}"
        assert notice.happened != notice.todo, name
    # what happened, then what to do: two sentences, never a code
    for code, notice in PROBLEMS.items():
        assert _words(notice.happened, lang).endswith("."), code
        assert _words(notice.todo, lang).endswith("."), code


def test_every_kind_of_problem_has_its_own_icon() -> None:
    used = {notice.icon for notice in [*PROBLEMS.values(), *NOTICES.values()]}
    assert used == set(Icon) - {Icon.DONE}
    assert PROBLEMS["expired"].icon is Icon.CLOCK
    assert PROBLEMS["revoked"].icon is Icon.LOCK
    assert PROBLEMS["reader_unavailable"].icon is Icon.PLUG
    assert NOTICES["photo_ticket"].icon is Icon.PRINTER


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central)
    config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, help_counter="2"))
    assert KioskSection().help_counter == ""
    with running_kiosk(qtbot, config, width=1080, height=1920) as window:
        yield window


def test_an_expired_card_says_where_to_renew_it_with_one_big_button(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    click(qtbot, button_with(kiosk, "Kartu kedaluwarsa"))
    wait_phase(qtbot, kiosk, Phase.ERROR)
    screen = kiosk.screens[Phase.ERROR]
    assert isinstance(screen, MessageScreen)
    assert screen.icon.isVisible() and screen.icon.kind is Icon.CLOCK
    assert screen.icon.width() == SCREEN_ICON_PX
    assert screen.icon.accessibleName() == "Gambar: jam"
    assert screen.title.text() == "Kartu sudah kedaluwarsa."
    assert screen.message.text() == "Silakan ke loket 2 untuk perpanjang."
    buttons = [b for b in screen.findChildren(QPushButton) if b.isVisible()]
    assert buttons == [screen.close_button] and screen.close_button.text() == "Tutup"
    assert screen.close_button.height() >= 110  # the big button
    kiosk.toggle_language()
    assert screen.title.text() == "The card has expired."
    assert screen.message.text() == "Please go to counter 2 to renew it."
    click(qtbot, button_with(kiosk, "Close"))
    wait_phase(qtbot, kiosk, Phase.IDLE)


def test_every_problem_code_renders_on_the_error_screen(kiosk: KioskWindow) -> None:
    screen = kiosk.screens[Phase.ERROR]
    assert isinstance(screen, MessageScreen)
    for lang in ("id", "en"):
        kiosk.view.lang = lang
        for code in CODES:
            screen.render_state(SessionState(phase=Phase.ERROR, problem=code), kiosk.view)
            notice = PROBLEMS[code]
            assert screen.icon.kind is notice.icon, code
            assert screen.icon.accessibleName() == tr(f"icon_{notice.icon.value}", lang)
            assert screen.title.text() and screen.message.text(), code
            assert (
                "loket 2" in screen.message.text()
                or "counter 2" in screen.message.text()
                or ("{desk}" not in TEXTS[notice.todo])
            ), code
            assert screen.close_button.text() == tr(notice.button or "close", lang)
    kiosk.view.lang = "id"
    assert tr(PROBLEMS["read_timeout"].button, "id") == "Coba lagi"


def test_without_a_help_counter_the_kiosk_sends_citizens_to_the_information_desk() -> None:
    assert help_desk_values("", lambda k: tr(k, "id")) == {"desk": "loket informasi"}
    assert help_desk_values(" ", lambda k: tr(k, "en")) == {"desk": "the information desk"}
    assert help_desk_values("A", lambda k: tr(k, "id")) == {"desk": "loket A"}
