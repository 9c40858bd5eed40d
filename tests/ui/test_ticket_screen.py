"""The ticket on screen (#7): the number, counter, people ahead and the wait when the
centre numbered it, what to bring, "take your ticket" and the QR; wiped afterwards."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.session.events import (
    Confirmed,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.layout_checks import SIZES, LayoutRequests, ink_lines, layout_problems
from ui.screens.one_line import OneLine
from ui.screens.text_box import TextBox
from ui.screens.ticket import TicketScreen
from ui.theme import min_text_px, min_touch_px
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def issue(kiosk: KioskWindow, qtbot: QtBot, service_id: str) -> TicketScreen:
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    c = kiosk.controller
    c.dispatch(ServiceSelected(service_id))
    c.dispatch(FormOpened())
    c.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam"}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    c.dispatch(Confirmed())
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    screen = kiosk.screens[Phase.TICKET_ISSUED]
    assert isinstance(screen, TicketScreen)
    return screen


def test_an_online_ticket_shows_people_ahead_the_wait_and_what_to_bring(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    screen = issue(kiosk, qtbot, "puskesmas-umum")
    ticket = kiosk.controller.session().ticket
    assert ticket is not None
    # the demo centre numbers tickets online, and says how many wait before this one
    assert ticket.people_ahead is not None and ticket.wait_minutes is not None
    assert screen.number.text() == ticket.number
    assert screen.counter.text() == f"Silakan ke Loket {ticket.counter}"
    # after the number, the counter is what the citizen most needs: large, not body text
    counter_px = QFontInfo(screen.counter.label.font()).pixelSize()  # in its box
    assert counter_px >= 1.5 * QFontInfo(screen.ahead.font()).pixelSize()
    assert counter_px < QFontInfo(screen.number.font()).pixelSize()
    assert screen.ahead.isVisible() and screen.wait.isVisible()
    assert screen.ahead.text() == f"Antrean di depan Anda: {ticket.people_ahead} orang"
    assert screen.wait.text() == f"Perkiraan waktu tunggu: ± {ticket.wait_minutes} menit"
    assert screen.paper.text() == "Silakan ambil tiket Anda"
    assert screen.qr.isVisible() and screen.qr.text == ticket.status_url

    catalog = kiosk.controller.status().catalog
    assert catalog is not None
    requirements = catalog.service("puskesmas-umum").requirements
    assert requirements
    assert screen.requirements_title.text() == "Persyaratan yang dibawa"
    assert screen.requirements.text() == "\n".join(f"• {r('id')}" for r in requirements)

    kiosk.toggle_language()  # in the session's language
    assert screen.counter.text() == f"Please go to counter {ticket.counter}"
    assert screen.ahead.text() == f"People ahead of you: {ticket.people_ahead}"
    assert screen.wait.text() == f"Estimated wait: about {ticket.wait_minutes} min"
    assert screen.requirements.text() == "\n".join(f"• {r('en')}" for r in requirements)
    assert requirements[0]("en") != requirements[0]("id")

    click(qtbot, button_with(kiosk, "Done"))
    wait_phase(qtbot, kiosk, Phase.DONE)
    shown: list[QLabel | TextBox] = [
        screen.number,
        screen.service,
        screen.counter,
        screen.ahead,
        screen.wait,
        screen.paper,
        screen.requirements_title,
        screen.requirements,
        screen.scan,
    ]
    assert [w.text() for w in shown] == [""] * len(shown)
    assert screen.qr.text == ""


def test_a_ticket_without_the_centres_numbers_makes_none_up(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    screen = issue(kiosk, qtbot, "puskesmas-umum")
    state = kiosk.controller.session()
    assert state.ticket is not None and state.ticket.people_ahead is not None
    # as numbered offline, from the kiosk's lease: nobody knows who is ahead
    offline = dataclasses.replace(state.ticket, people_ahead=None, wait_minutes=None)
    screen.render_state(dataclasses.replace(state, ticket=offline), kiosk.view)
    assert screen.number.text() == state.ticket.number
    assert not screen.ahead.isVisible() and screen.ahead.text() == ""
    assert not screen.wait.isVisible() and screen.wait.text() == ""
    assert screen.requirements.isVisible()  # what to bring does not depend on the centre


def test_the_number_is_shown_while_its_paper_prints_then_what_came_of_it(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    """Shown once kept, the ticket says it is being made, with no notice yet; the
    print's outcome then says "take your ticket", or to photograph the screen."""
    screen = issue(kiosk, qtbot, "puskesmas-umum")
    state = kiosk.controller.session()
    assert state.ticket is not None and state.ticket.printed
    printing = dataclasses.replace(state.ticket, printed=False, printing=True)
    screen.render_state(dataclasses.replace(state, ticket=printing), kiosk.view)
    assert screen.number.text() == state.ticket.number
    assert screen.paper.text() == "Membuat tiket…"
    assert screen.no_paper.isHidden()
    screen.render_state(state, kiosk.view)
    assert screen.paper.text() == "Silakan ambil tiket Anda"
    failed = dataclasses.replace(state.ticket, printed=False, print_fault="out_of_paper")
    screen.render_state(dataclasses.replace(state, ticket=failed), kiosk.view)
    assert screen.paper.text() == "" and not screen.no_paper.isHidden()


def test_done_is_offered_once_the_paper_is_known(kiosk: KioskWindow, qtbot: QtBot) -> None:
    """While the paper prints, "Selesai" cannot be tapped (the print's outcome, its
    notice and the slip after it are the citizen's); it can once the outcome is in."""
    screen = issue(kiosk, qtbot, "puskesmas-umum")
    state = kiosk.controller.session()
    assert state.ticket is not None
    printing = dataclasses.replace(state.ticket, printed=False, printing=True)
    screen.render_state(dataclasses.replace(state, ticket=printing), kiosk.view)
    assert not screen.finish.isEnabled()
    screen.render_state(state, kiosk.view)
    assert screen.finish.isEnabled()


def test_a_ticket_rendered_again_unchanged_is_not_laid_out_again(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    """The ticket is rendered with its number, then with its paper's outcome: what did
    not change (here nothing, on a portrait screen) asks for no layout pass, and the
    notice's place under the number stays."""
    screen = issue(kiosk, qtbot, "puskesmas-umum")
    state = kiosk.controller.session()
    QApplication.processEvents()
    requests = LayoutRequests(screen)
    screen.render_state(state, kiosk.view)
    QApplication.processEvents()
    assert requests.count == 0
    assert screen._number_half.indexOf(screen.no_paper) >= 0
    assert state.ticket is not None and screen.number.text() == state.ticket.number


#: The widest number the centre's prefixes allow: eight wide letters (wider than the
#: number's line in either half of a landscape screen, and across a portrait one).
WIDE_NUMBER = "WWWWWWWW-001"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_number_wider_than_its_line_is_painted_whole_on_one_line(
    size: str, tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    """Broken where its line was full, it showed "WWWWWWW" and, alone under it, "W-001":
    another number. It is painted on one line, smaller only where the theme's type does
    not fit (never under the body's size); the window keeps its size."""
    width, height = SIZES[size]
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config, width=width, height=height) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        screen = issue(kiosk, qtbot, "puskesmas-umum")
        state = kiosk.controller.session()
        assert state.ticket is not None
        number = screen.number
        assert ink_lines(number) == 1  # the demo's number
        wide = dataclasses.replace(state.ticket, number=WIDE_NUMBER)
        screen.render_state(dataclasses.replace(state, ticket=wide), kiosk.view)
        QApplication.processEvents()
        assert QLabel.text(number) == WIDE_NUMBER  # nothing put between its letters
        assert ink_lines(number) == 1
        dpi = config.kiosk.screen_dpi
        assert layout_problems(kiosk, min_touch_px(dpi)) == []  # its line within its width
        assert kiosk.size().toTuple() == (width, height)
        # smaller than the theme's type, never under the body's
        assert isinstance(number, OneLine)
        theme_px = QFontInfo(number.font()).pixelSize()
        assert min_text_px(dpi) <= QFontInfo(number.shown_font()).pixelSize() < theme_px
        screen.render_state(state, kiosk.view)  # a short number: the theme's type
        assert QFontInfo(number.shown_font()).pixelSize() == theme_px
