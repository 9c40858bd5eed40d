"""What a tap does between itself and its frame: no widget built again, nothing done twice.

The walk from the tap to the ticket (``make bench``, "tap → ticket") is the
kiosk's most frequent path. A second citizen of the same form gets the rows
the first one had (emptied when her session ended, as the privacy tests
prove), the summary keeps its rows, the ticket's QR is encoded once for the
print and the screen together, and a screen not shown asks the window's stack
for no room (else showing any screen lays out the text of all the others).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QStackedWidget
from pytestqt.qtbot import QtBot
from reportlab.graphics.barcode import qrencoder

from kiosk.session.events import Cancel, Confirmed, Finish, NotifyAnswered
from kiosk.session.machine import Phase, SessionState
from testkit.clocks import ManualClock
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_phase
from ui.qr import QrCodeView
from ui.screens.common import Screen, View
from ui.screens.form import ConfirmScreen, FormScreen
from ui.window import KioskWindow

SERVICE = "puskesmas-umum"
PHONE = "081234567890"


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config, clock=ManualClock()) as window:
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=5000)
        yield window


def to_confirmation(
    qtbot: QtBot, kiosk: KioskWindow, card: str
) -> tuple[FormScreen, ConfirmScreen]:
    """Tap ``card``, choose the service, type the phone number, go on to the summary."""
    click(qtbot, button_with(kiosk, card))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    tile = next(b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == SERVICE)
    click(qtbot, tile)
    click(qtbot, button_with(kiosk, "Daftar layanan ini"))
    wait_phase(qtbot, kiosk, Phase.FORM)
    form, confirm = kiosk.screens[Phase.FORM], kiosk.screens[Phase.CONFIRMING]
    assert isinstance(form, FormScreen) and isinstance(confirm, ConfirmScreen)
    phone = form.editors["phone"]
    assert isinstance(phone, QLineEdit)
    phone.setText(PHONE)
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    return form, confirm


def test_a_second_citizen_of_the_same_form_gets_its_rows_not_new_ones(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    form, confirm = to_confirmation(qtbot, kiosk, "Siti Aminah")
    editors, rows = dict(form.editors), dict(confirm.summary)
    assert rows["full_name"].value.text() == "Siti Aminah"
    kiosk.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    assert [r.value.text() for r in rows.values() if r.value.text()] == []  # emptied

    to_confirmation(qtbot, kiosk, "Budi Santoso")
    assert form.editors.keys() == editors.keys()
    assert all(form.editors[n] is e for n, e in editors.items())
    assert all(confirm.summary[n] is r for n, r in rows.items())
    name = form.editors["full_name"]
    assert isinstance(name, QLineEdit) and name.text() == "Budi Santoso"
    assert rows["full_name"].value.text() == "Budi Santoso"
    shown = [w.text() for w in confirm.rows.findChildren(QLabel) if w.isVisibleTo(confirm)]
    assert "Siti Aminah" not in shown


def test_the_ticket_qr_is_encoded_once_for_the_paper_and_the_screen(
    kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: Counter[str] = Counter()
    add_data = qrencoder.QRCode.addData

    def counted(self: object, data: str) -> None:
        encoded[data] += 1
        add_data(self, data)

    monkeypatch.setattr(qrencoder.QRCode, "addData", counted)
    to_confirmation(qtbot, kiosk, "Siti Aminah")
    kiosk.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    kiosk.dispatch(NotifyAnswered(kiosk.controller.session().session, True))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    ticket = kiosk.controller.session().ticket
    assert ticket is not None and ticket.printed and ticket.status_url
    shown = kiosk.screens[Phase.TICKET_ISSUED].findChild(QrCodeView)
    assert shown is not None and shown.text == ticket.status_url
    assert encoded[ticket.status_url] == 1  # by the print; the screen found it made
    kiosk.dispatch(Finish())


class Counted(QLabel):
    """A wrapping label that counts how often a layout asks its height."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.asked = 0

    def heightForWidth(self, width: int) -> int:
        self.asked += 1
        return super().heightForWidth(width)


class OneLabel(Screen):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.label = Counted(text)
        self.box.addWidget(self.label)

    def render_state(self, state: SessionState, view: View) -> None:
        """Nothing to render: the test only shows and hides it."""


def test_a_screen_not_shown_asks_the_stack_for_no_room(qtbot: QtBot) -> None:
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    first, second, third = (OneLabel(f"layar {i} " * 40) for i in range(3))
    for screen in (first, second, third):
        stack.addWidget(screen)
    stack.resize(600, 800)
    stack.show()
    qtbot.waitExposed(stack)
    for screen in (second, first, second, first):
        stack.setCurrentWidget(screen)
        qtbot.wait(1)  # the layout requests the switch posted
    assert third.isHidden() and third.label.asked == 0
    assert third.minimumSizeHint().isNull() and third.heightForWidth(600) == 0
    assert first.label.asked > 0  # the shown ones are laid out as ever
    stack.setCurrentWidget(third)
    assert not third.minimumSizeHint().isNull() and third.heightForWidth(600) > 0
