"""The citizen's appointment of today, first after their card (or their code):
"Anda punya janji pukul 10.30 untuk Cetak Ulang KTP-el", one big tap to check in
and print the ticket, and "Layanan lain" for the service grid instead. A Mobile JKN
booking names its doctor too: "Dokter: dr. Ani, jam praktik 08:00-12:00"."""

from __future__ import annotations

from kiosk.session.events import Back, CheckInChosen, OtherServices
from kiosk.session.machine import SessionState
from ui.screens.booking_words import booking_values
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.services import greeting
from ui.screens.text_box import TextBox


class AppointmentScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        # The card's name, the catalog's service and the centre's doctor: a word wider than
        # the screen breaks inside, and where the screen has no room for all their lines
        # they scroll in their boxes, the time and the big button kept on the screen.
        self.greeting = TextBox("subtitle")
        self.title = TextBox("title")
        self.when = label(name="subtitle")
        self.code = label(name="subtitle")
        self.doctor = TextBox("subtitle")
        self.hint = label(name="subtitle")
        self.check_in = button("", lambda: view.dispatch(CheckInChosen()), "primary")
        self.other = button("", lambda: view.dispatch(OtherServices()))
        self.back = button("", lambda: view.dispatch(Back()))
        self.box.addStretch(1)
        for widget in (self.greeting, self.title, self.when, self.doctor, self.code, self.hint):
            self.box.addWidget(widget)
        self.box.addStretch(1)
        # The one big action on a row of its own, the way out beneath it.
        self.box.addWidget(self.check_in)
        self.button_row(self.back, self.other)

    def render_state(self, state: SessionState, view: View) -> None:
        values = booking_values(state, view)
        carded = state.identity is not None
        # A card names its holder; a typed code alone names no one on screen.
        self.greeting.setText(greeting(state, view) if carded else "")
        self.greeting.setVisible(carded)
        self.title.setText(view.t("appointment_title", **values) if values else "")
        self.when.setText(view.t("appointment_when", **values) if values else "")
        self.code.setText(view.t("appointment_code", **values) if values else "")
        booking = state.booking
        doctor = ""
        if booking is not None and booking.doctor:
            doctor = (
                view.t("appointment_doctor", doctor=booking.doctor, hours=booking.hours)
                if booking.hours
                else view.t("appointment_doctor_only", doctor=booking.doctor)
            )
        self.doctor.setText(doctor)
        self.doctor.setVisible(bool(doctor))
        self.hint.setText(view.t("appointment_hint"))
        set_button_text(self.check_in, view.t("check_in"))
        set_button_text(self.other, view.t("other_services"))
        set_button_text(self.back, view.t("cancel"))
        self.other.setVisible(carded)  # without a card there is no grid to go to

    def clear(self) -> None:
        for widget in (self.greeting, self.title, self.when, self.doctor, self.code):
            widget.setText("")
