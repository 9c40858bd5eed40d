"""The hospital registration desk's side panel (``kiosk run --desk``): today's
registrations and the "next patient" button that ends the session and wipes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QListWidget, QVBoxLayout

from kiosk.controller import KioskController
from kiosk.session.events import Cancel, Finish
from kiosk.session.machine import INTERACTIVE, Phase, SessionState
from offline_store.models import StoredTicket
from ui.screens.common import View, button, label, service_name, set_button_text
from ui.tasks import QtExecutor


class DeskPanel(QFrame):
    def __init__(self, controller: KioskController, executor: QtExecutor, view: View) -> None:
        super().__init__()
        self.setObjectName("desk")
        self.setMinimumWidth(320)
        self.controller = controller
        self.executor = executor
        self.view = view
        self.title = label(name="subtitle")
        self.today = QListWidget()
        self.today.setObjectName("deskToday")
        self.today.setWordWrap(True)
        self.today.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.next_patient = button("", self.next, "primary")
        box = QVBoxLayout(self)
        box.addWidget(self.next_patient)
        box.addWidget(self.title)
        box.addWidget(self.today, 1)
        self.tickets: list[StoredTicket] = []
        self._phase = controller.session().phase
        controller.subscribe(self._state_changed)
        self.render_panel()  # today's tickets come once the window is painted (refresh)

    def next(self) -> None:
        """End the patient's session now, wiping what the form held."""
        phase = self.controller.session().phase
        if phase in INTERACTIVE:
            self.controller.dispatch(Cancel())
        elif phase is Phase.TICKET_ISSUED:
            self.controller.dispatch(Finish())  # -> done (wiped)
            self.controller.dispatch(Finish())  # -> idle, ready for the next tap
        elif phase in (Phase.DONE, Phase.ERROR):
            self.controller.dispatch(Finish())

    def refresh(self) -> None:
        self.controller.tickets_today(self._show, lambda _: self._show([]))

    def render_panel(self) -> None:
        self.title.setText(self.view.t("desk_today"))
        set_button_text(self.next_patient, self.view.t("desk_next"))
        self._show(self.tickets)

    def _show(self, tickets: list[StoredTicket]) -> None:
        self.tickets = tickets
        self.today.clear()
        for ticket in tickets:
            self.today.addItem(
                self.view.t(
                    "desk_row",
                    number=ticket.number,
                    time=ticket.issued_at.strftime("%H:%M"),
                    service=service_name(
                        self.controller.status().catalog, ticket.service_id, self.view.lang
                    ),
                )
            )
        if not tickets:
            self.today.addItem(self.view.t("desk_none"))

    def _state_changed(self, state: SessionState) -> None:
        if state.phase is Phase.TICKET_ISSUED and self._phase is not Phase.TICKET_ISSUED:
            self.refresh()
        self._phase = state.phase
