"""The booking code on a large keypad, for a citizen without a card ("Punya kode janji?").

Nine digits shown in threes (``482 913 07_``). The session checks the last digit
(Damm's) before anything is asked, so a slip of the finger is told at once; a
code nobody has, or a booking of another day or office, is told here too, with
what to do instead. Shown in ``booking_code`` (typing) and ``booking_check`` (the
cache or the centre is asked: the keys wait).
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QVBoxLayout, QWidget

from contract.bookings import BOOKING_CODE_DIGITS
from kiosk.session.events import BookingCodeEntered, Cancel
from kiosk.session.machine import Phase, SessionState
from ui.problems import problem_notice
from ui.screens.booking_words import booking_values
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.message import NoticeBlock
from ui.screens.pinpad import DigitEntry, digit_keys


class BookingCodeScreen(DigitEntry, Screen):
    max_digits = BOOKING_CODE_DIGITS

    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        #: The digits typed so far (wiped with the session).
        self.entered = ""
        self.title = label(name="title")
        self.hint = label(name="subtitle")
        self.notice = NoticeBlock()
        self.display = label(name="pinDisplay")
        # Landscape: the words beside the keys; portrait: above them (as the birth date's).
        self.row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(32)
        words = QVBoxLayout()
        words.addStretch(1)
        for widget in (self.title, self.hint, self.notice, self.display):
            words.addWidget(widget)
        words.addStretch(1)
        row.addLayout(words, 1)
        pad = QWidget()
        pad.setObjectName("bookingCodePad")
        grid = QGridLayout(pad)
        grid.setSpacing(16)
        self.ok = button("", self.submit, "primary")
        self.keys, self.erase = digit_keys(grid, 0, self.press, self.backspace, self.ok)
        row.addWidget(pad)
        self.box.addStretch(1)
        self.box.addLayout(row)
        self.box.addStretch(1)
        self.cancel = button("", lambda: view.dispatch(Cancel()))
        self.button_row(self.cancel)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.width() > self.height()
        self.row.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )

    def submit(self) -> None:
        digits, self.entered = self.entered, ""
        self._show()
        self._view.dispatch(BookingCodeEntered(digits))

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        checking = state.phase is Phase.BOOKING_CHECK
        self.title.setText(view.t("booking_code_checking" if checking else "booking_code_title"))
        self.hint.setText(view.t("booking_code_hint"))
        problem = state.problem if state.phase is Phase.BOOKING_CODE else None
        self.notice.show_notice(
            problem_notice(problem) if problem else None, view, **booking_values(state, view)
        )
        set_button_text(self.ok, view.t("booking_code_ok"))
        set_button_text(self.erase, view.t("pin_erase"))
        set_button_text(self.cancel, view.t("cancel"))
        for key in [*self.keys.values(), self.erase, self.ok]:
            key.setEnabled(not checking)
        self._show()

    def clear(self) -> None:
        self.entered = ""
        self._show()
        self.notice.clear()

    def _show(self) -> None:
        """``482 913 07_``: the digits typed, in threes."""
        slots = self.entered.ljust(BOOKING_CODE_DIGITS, "_")
        self.display.setText(" ".join(slots[i : i + 3] for i in range(0, len(slots), 3)))
