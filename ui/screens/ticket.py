"""Issuing (please wait) and the ticket itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout

from contract.catalog import Service
from kiosk.session.events import Finish
from kiosk.session.machine import SessionState
from ui.problems import NOTICES
from ui.qr import QrCodeView
from ui.screens.common import (
    Screen,
    View,
    button,
    find_service,
    label,
    set_button_text,
)
from ui.screens.message import NoticeBlock
from ui.screens.one_line import OneLine
from ui.screens.text_box import TextBox
from ui.screens.wrapping import wrapping_text


class WaitScreen(Screen):
    """One centred line while the kiosk works (storing, printing, sending)."""

    def __init__(self) -> None:
        super().__init__()
        self.title = label(name="title")
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.box.addStretch(1)

    def text_key(self, view: View) -> str:
        raise NotImplementedError

    def render_state(self, state: SessionState, view: View) -> None:
        self.title.setText(view.t(self.text_key(view)))


class IssuingScreen(WaitScreen):
    def text_key(self, view: View) -> str:
        return "issuing" if view.printer_ok else "issuing_no_paper"


class TicketScreen(Screen):
    """The number, huge; its counter, people ahead and wait (when the centre said), what
    to bring, "take your ticket", and the QR of its status page. Portrait stacks the
    two halves; landscape puts them side by side."""

    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.heading = label(name="subtitle")
        # the catalog's prefix, up to 8 letters: one line, smaller where it is wider
        self.number = OneLine("huge", "number")
        # The catalog's and the centre's words: a word wider than the screen breaks inside
        # rather than widen the window past the screen (ui/screens/wrapping.py); where
        # the screen has no room for all their lines, they scroll in their boxes and
        # the number and the screen's own lines keep theirs (ui/screens/text_box.py).
        self.service = TextBox("subtitle")
        #: "Silakan ke Loket 1": after the number, what the citizen most needs, so large.
        self.counter = TextBox("counterCall")
        self.ahead = label(name="subtitle")
        self.wait = label(name="subtitle")
        #: A poli's ticket: the doctor, BPJS's queue number and the estimated time.
        self.doctor = TextBox("subtitle")
        self.nomorantrean = wrapping_text("subtitle")  # BPJS's words
        self.estimated = wrapping_text("subtitle")
        self.paper = label(name="subtitle")
        #: In place of "take your ticket" when the paper may not come: the ticket stays.
        self.no_paper = NoticeBlock()
        self.requirements_title = label(name="subtitle")
        self.requirements = TextBox("requirements")
        self.qr = QrCodeView()
        self.scan = label()
        self.finish = button("", lambda: self._view.dispatch(Finish()), "primary")
        number_half = QVBoxLayout()
        number_half.setSpacing(16)
        #: What one ticket fills in, and so what :meth:`clear` empties.
        self._figures = (
            self.number,
            self.service,
            self.counter,
            self.ahead,
            self.wait,
            self.paper,
            self.doctor,
            self.estimated,
            self.nomorantrean,
        )
        for w in (self.heading, *self._figures[:6], self.no_paper):
            number_half.addWidget(w)
        self._number_half = number_half
        bring_half = QVBoxLayout()
        bring_half.setSpacing(16)
        # A poli's doctor and time head the other half: beside the number in landscape.
        for w in (self.doctor, self.estimated, self.nomorantrean):
            bring_half.addWidget(w)
        bring_half.addWidget(self.requirements_title)
        bring_half.addWidget(self.requirements)
        bring_half.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        bring_half.addWidget(self.scan)
        self._bring_half = bring_half
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(24)
        self.body.addLayout(number_half, 1)
        self.body.addLayout(bring_half, 1)
        self.box.addStretch(1)
        self.box.addLayout(self.body)
        self.box.addStretch(1)
        self.button_row(self.finish)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._orient()

    def _orient(self) -> None:
        # The window's shape, not only this screen's: a hidden screen hears of a
        # resize only once shown, and a portrait layout kept until then would ask
        # a landscape window for more height than it has.
        frame = self.window() if self.isHidden() else self
        wide = frame.width() > frame.height()
        self.body.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        self._place_notice(wide, frame.width(), frame.height())

    def _place_notice(self, wide: bool, frame_width: int, frame_height: int) -> None:
        """ "Photograph this screen" goes under the number. Side by side, the number's half
        is only as high as the screen is low: when a long wait and a long counter leave
        the notice no room there, it goes above the QR code it names, if that half has
        more room (a poli's ticket fills that half with its doctor and time)."""
        number, bring = self._number_half, self._bring_half
        if not wide or self.no_paper.isHidden():
            # Under the number: moved there only if it is not (a move lays out the screen
            # again, and the ticket is rendered twice, with its number, then its paper).
            if number.indexOf(self.no_paper) < 0:
                bring.removeWidget(self.no_paper)
                number.addWidget(self.no_paper)
            return
        for half in (number, bring):
            half.removeWidget(self.no_paper)
        number.addWidget(self.no_paper)
        margins = self.box.contentsMargins()
        width = (frame_width - margins.left() - margins.right() - self.body.spacing()) // 2
        # The screen's height less its margins and its button row (and the room between).
        room = frame_height - margins.top() - margins.bottom()
        room -= self.finish.sizeHint().height() + 3 * self.box.spacing()
        left = number.heightForWidth(width)
        if left > room:
            number.removeWidget(self.no_paper)
            bring.insertWidget(bring.indexOf(self.qr), self.no_paper)
            if bring.heightForWidth(width) > left:  # no better there: back under the number
                bring.removeWidget(self.no_paper)
                number.addWidget(self.no_paper)

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        ticket = state.ticket
        if ticket is None:
            return
        self._orient()
        lang = view.lang
        self.heading.setText(view.t("your_number"))
        self.number.setText(ticket.number)
        service = _service(state, view, ticket.service_id)
        self.service.setText(service.name(lang) if service else ticket.service_id)
        _show(
            self.counter, view.t("go_to_counter", counter=ticket.counter) if ticket.counter else ""
        )
        _show(
            self.doctor,
            view.t("ticket_doctor", name=ticket.doctor_name) if ticket.doctor_name else "",
        )
        _show(
            self.nomorantrean,
            view.t("ticket_nomorantrean", nomor=ticket.nomorantrean) if ticket.nomorantrean else "",
        )
        _show(
            self.estimated,
            view.t("ticket_estimated", time=ticket.estimated_at) if ticket.estimated_at else "",
        )
        # Only what the centre counted when it numbered the ticket: never a guess offline.
        _show(self.ahead, _maybe(view, "people_ahead", count=ticket.people_ahead))
        # A poli's ticket says when the doctor likely sees the patient: not a second,
        # different estimate of the queue's wait beside it.
        wait = (
            "" if ticket.estimated_at else _maybe(view, "ticket_wait", minutes=ticket.wait_minutes)
        )
        _show(self.wait, wait)
        reqs = service.requirements if service else ()
        _show(self.requirements_title, view.t("requirements") if reqs else "")
        _show(self.requirements, "\n".join(f"• {r(lang)}" for r in reqs))
        # Paper is promised only for a ticket that printed on a printer still healthy;
        # while it prints (the number shown as soon as it is kept), it is being made.
        printed = ticket.printed and view.printer_ok
        printing = ticket.printing and view.printer_ok
        paper = "issuing" if printing else "take_ticket" if printed else ""
        _show(self.paper, view.t(paper) if paper else "")
        warning = (
            None if printed or printing else "check_ticket" if ticket.printed else "photo_ticket"
        )
        self.no_paper.show_notice(NOTICES[warning] if warning else None, view)
        self._orient()  # the notice to the half with room, now that every line is said
        self.qr.set_text(ticket.status_url)
        self.qr.setAccessibleName(view.t("qr_picture"))
        self.scan.setText(view.t("scan_status") if ticket.status_url else "")
        set_button_text(self.finish, view.t("finish"))
        self.finish.setEnabled(not ticket.printing)  # the print's outcome first

    def clear(self) -> None:
        for w in (*self._figures, self.requirements_title, self.requirements, self.scan):
            w.setText("")
        self.no_paper.clear()
        self.qr.set_text("")


def _service(state: SessionState, view: View, service_id: str) -> Service | None:
    """The ticket's service: the one chosen in this session, else the catalog's."""
    if state.service is not None and state.service.id == service_id:
        return state.service
    return find_service(view.catalog, service_id)


def _maybe(view: View, key: str, **values: int | None) -> str:
    """The text ``key`` filled with ``values``; "" while any of them is unknown."""
    if any(v is None for v in values.values()):
        return ""
    return view.t(key, **values)


def _show(widget: QLabel | TextBox, text: str) -> None:
    widget.setText(text)
    widget.setVisible(bool(text))
