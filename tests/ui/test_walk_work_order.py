"""The work of the walk in the order the citizen needs it (#19). A worker that hands a
screen something to show holds its next work back until that screen's frame is
painted: the ticket's paper is rendered once its number is on the screen (and no
worker waits on a hidden window). The status page's QR code is encoded while the
centre numbers the ticket. The screens are wiped once when a session ends."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

import kiosk.controller as controller_module
import kiosk.tickets.issue as issue_module
import printing.layouts.qr as qr_module
from kiosk.controller import KioskController, _Shown
from kiosk.session.events import (
    Cancel,
    Confirmed,
    FormOpened,
    FormSubmitted,
    IssuedTicket,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase, ticket_settled
from kiosk.tickets.issue import PrintSetup
from printing import SlipDocument, TicketDocument
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.screens.form import FormScreen
from ui.screens.ticket import TicketScreen
from ui.window import AT_REST, KioskWindow


class Painted(QObject):
    """Whether ``label`` has been painted saying ``words()`` (set from its paint event)."""

    def __init__(self, label: QLabel, words: Callable[[], str]) -> None:
        super().__init__(label)
        self.label, self.words, self.seen = label, words, False
        label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            words = self.words()
            self.seen = self.seen or bool(words and words in self.label.text())
        return False


@contextmanager
def _kiosk(qtbot: QtBot, tmp_path: Path, central: str, show: bool) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, central), show=show) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


@pytest.fixture
def kiosk(
    tmp_path: Path, demo_central: str, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KioskWindow]:
    # The order is what is proved, not the cap on the wait: a loaded machine's slow
    # frame must not pass it.
    monkeypatch.setattr(controller_module, "SHOWN_WAIT_S", 60.0)
    with _kiosk(qtbot, tmp_path, demo_central, show=True) as window:
        yield window


def _to_the_ticket(kiosk: KioskWindow, qtbot: QtBot) -> None:
    c = kiosk.controller
    c.dispatch(ServiceSelected("puskesmas-umum"))
    c.dispatch(FormOpened())
    c.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam"}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    c.dispatch(Confirmed())
    c.dispatch(NotifyAnswered(c.session().session, False))
    qtbot.waitUntil(lambda: ticket_settled(c.session()), timeout=10_000)


def test_the_paper_is_rendered_once_the_number_is_painted(
    kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF's rendering would hold the interpreter while Qt lays out and paints the
    ticket: it starts only once the frame showing the number is finished."""
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    screen = kiosk.screens[Phase.TICKET_ISSUED]
    assert isinstance(screen, TicketScreen)

    def ticket() -> IssuedTicket | None:
        return kiosk.controller.session().ticket

    number = Painted(screen.number, lambda: t.number if (t := ticket()) else "")
    at_render: list[tuple[str, bool]] = []
    render = issue_module.print_document

    def print_document(
        document: TicketDocument | SlipDocument,
        setup: PrintSetup,
        job_name: str,
    ) -> tuple[bool, str, str]:
        at_render.append((job_name, number.seen))
        return render(document, setup, job_name)

    monkeypatch.setattr(issue_module, "print_document", print_document)
    _to_the_ticket(kiosk, qtbot)
    shown = ticket()
    assert shown is not None and shown.printed and shown.pdf_location
    assert at_render[0] == (f"tiket-{shown.number}", True), "rendered after the number's frame"
    assert Path(shown.pdf_location).is_file()


def test_a_hidden_window_keeps_no_worker_waiting(
    tmp_path: Path, demo_central: str, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never shown, the window paints no frame, and says so: the ticket's worker is
    handed no frame to wait for, and the paper still comes."""
    handed: list[bool] = []
    after_frame = KioskController._after_frame

    def spied(self: KioskController, shown: _Shown | None) -> None:
        handed.append(shown is not None)
        after_frame(self, shown)

    monkeypatch.setattr(KioskController, "_after_frame", spied)
    with _kiosk(qtbot, tmp_path, demo_central, show=False) as window:
        controller = window.controller
        [tap] = [tap for label, tap in window.kiosk.demo_cards if "Siti Aminah" in label]
        tap()
        wait_phase(qtbot, window, Phase.IDENTIFIED)
        qtbot.waitUntil(lambda: not controller.session().record_pending, timeout=5000)
        _to_the_ticket(window, qtbot)
        ticket = controller.session().ticket
        assert ticket is not None and ticket.printed
    assert handed == [False], "the ticket's worker handed no frame to wait for"


def test_the_status_pages_code_is_encoded_while_the_centre_numbers_the_ticket(
    kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The QR code of the ticket's status page is encoded once, on a thread of its own
    started before the centre is asked for the number (the worker waits on the network
    meanwhile), not after it; the screen shows that code, and the paper is printed."""
    encoded: list[tuple[str, str]] = []
    encode = qr_module._encode

    def encoding(text: str, level: str) -> qr_module.Matrix:  # not found kept: encoded
        encoded.append((text, threading.current_thread().name))
        return encode(text, level)

    monkeypatch.setattr(qr_module, "_encode", encoding)
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    _to_the_ticket(kiosk, qtbot)
    ticket = kiosk.controller.session().ticket
    assert ticket is not None and ticket.printed and ticket.status_url
    assert [thread for text, thread in encoded if text == ticket.status_url] == ["qr-ahead"]
    screen = kiosk.screens[Phase.TICKET_ISSUED]
    assert isinstance(screen, TicketScreen) and screen.qr.text == ticket.status_url


def test_the_screens_are_wiped_once_a_session_ends_not_again_at_the_next_tap(
    kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every screen is wiped when a session ends (tests/ui/test_privacy_wipe.py); the
    next card, tapped at rest, finds them wiped and does not wipe (and lay out) them
    again between its tap and its greeting. What she typed is gone all the same."""
    wiped_in: list[Phase] = []
    clear = FormScreen.clear

    def spied(self: FormScreen) -> None:
        wiped_in.append(kiosk.controller.session().phase)
        clear(self)

    monkeypatch.setattr(FormScreen, "clear", spied)
    c = kiosk.controller
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    c.dispatch(ServiceSelected("puskesmas-umum"))
    c.dispatch(FormOpened())
    form = kiosk.screens[Phase.FORM]
    assert isinstance(form, FormScreen)
    phone = form.findChild(QLineEdit, "field_phone")
    assert isinstance(phone, QLineEdit)
    phone.setText("081299990000")
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert wiped_in and set(wiped_in) <= AT_REST
    assert phone.text() == ""
    wiped = len(wiped_in)
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert len(wiped_in) == wiped, "not wiped again between the tap and the greeting"
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert len(wiped_in) == wiped + 1, "her session's end wipes again"
