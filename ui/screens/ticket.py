"""Issuing (please wait) and the ticket itself."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt

from kiosk.session import SessionState
from kiosk.session_events import Finish
from ui.qr import QrCodeView
from ui.screens.common import Screen, View, button, label, set_button_text


class IssuingScreen(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.title = label(name="title")
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.box.addStretch(1)

    def render(self, state: SessionState, view: View) -> None:
        self.title.setText(view.t("issuing" if view.printer_ok else "issuing_no_paper"))


class TicketScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.heading = label(name="subtitle")
        self.number = label(name="huge")
        self.number.setObjectName("huge")
        self.service = label(name="subtitle")
        self.counter = label(name="subtitle")
        self.paper = label()
        self.qr = QrCodeView()
        self.scan = label()
        self.finish = button("", lambda: self._view.dispatch(Finish()), "primary")
        self.box.addStretch(1)
        for w in (self.heading, self.number, self.service, self.counter, self.paper):
            self.box.addWidget(w)
        self.box.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        self.box.addWidget(self.scan)
        self.box.addStretch(1)
        self.button_row(self.finish)

    def render(self, state: SessionState, view: View) -> None:
        self._view = view
        ticket = state.ticket
        if ticket is None:
            return
        self.heading.setText(view.t("your_number"))
        self.number.setText(ticket.number)
        service_name = ticket.service_id
        if view.catalog is not None:
            with contextlib.suppress(KeyError):
                service_name = view.catalog.service(ticket.service_id).name(view.lang)
        self.service.setText(service_name)
        self.counter.setText(f"{view.t('counter')}: {ticket.counter}" if ticket.counter else "")
        # Paper is promised only for a ticket that printed on a printer still healthy.
        if ticket.printed and view.printer_ok:
            self.paper.setObjectName("subtitle")
            self.paper.setText(view.t("take_ticket"))
        else:
            self.paper.setObjectName("alert")
            self.paper.setText(view.t("check_ticket" if ticket.printed else "photo_ticket"))
        self.qr.set_text(ticket.status_url)
        self.scan.setText(view.t("scan_status") if ticket.status_url else "")
        self.paper.style().unpolish(self.paper)
        self.paper.style().polish(self.paper)
        set_button_text(self.finish, view.t("finish"))

    def clear(self) -> None:
        for w in (self.number, self.service, self.counter, self.paper, self.scan):
            w.setText("")
        self.qr.set_text("")
