"""What a tap does between itself and its frame: no widget built again, nothing done twice.

The walk from the tap to the ticket (``make bench``, "tap → ticket") is the
kiosk's most frequent path. A second citizen of the same form gets the rows
the first one had (emptied when her session ended, as the privacy tests
prove), the summary keeps its rows, the ticket's QR is encoded once for the
print and the screen together, and the window's stack lays out the shown screen
alone (tests/ui/test_screen_stack.py: else each layout pass asks every hidden screen).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from reportlab.graphics.barcode import qrencoder

from kiosk.session.events import Cancel, Confirmed, Finish, NotifyAnswered
from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.qr import QrCodeView
from ui.screens.form import ConfirmScreen, FormScreen
from ui.window import KioskWindow

SERVICE = "puskesmas-umum"
PHONE = "081234567890"


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config, clock=ManualClock()) as window:
        wait_for_catalog(qtbot, window.controller)
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


def test_the_window_s_stack_lays_out_the_shown_screen_alone(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    """Every screen of the walk, and the overlay over it, is the stack's; its layout holds
    the one shown, so no layout pass of a step asks the hidden ones for room."""
    stack = kiosk.stack
    seen = []

    def only_the_shown_one_laid_out() -> None:
        shown, layout = stack.currentWidget(), stack.layout()
        assert layout is not None and layout.count() == 1
        item = layout.itemAt(0)
        assert item is not None and item.widget() is shown
        assert shown is not None and shown.isVisible()
        assert shown.geometry() == stack.contentsRect()
        held = [stack.widget(i) for i in range(stack.count())]
        assert all(s.parent() is stack for s in held if s is not None)
        assert [s for s in held if s is not None and s.isVisible()] == [shown]
        seen.append(shown)

    only_the_shown_one_laid_out()
    kiosk.overlays.open_information()
    qtbot.waitUntil(lambda: stack.currentWidget() is kiosk.overlays.information)
    only_the_shown_one_laid_out()
    kiosk.overlays.close()
    qtbot.waitUntil(lambda: stack.currentWidget() is kiosk.attract)
    to_confirmation(qtbot, kiosk, "Siti Aminah")
    only_the_shown_one_laid_out()
    kiosk.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    only_the_shown_one_laid_out()
    kiosk.dispatch(NotifyAnswered(kiosk.controller.session().session, True))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    only_the_shown_one_laid_out()
    kiosk.dispatch(Finish())
    only_the_shown_one_laid_out()  # the session's end (its message, or the attract screen)
    assert seen[0] is kiosk.attract
    assert len(set(map(id, seen[:5]))) == 5  # attract, information, summary, consent, ticket
