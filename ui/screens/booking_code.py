"""The booking code on a large keypad, for a citizen without a card ("Punya kode janji?").

Nine digits shown in threes (``482 913 07_``). The session checks the last digit
(Damm's) before anything is asked, so a slip of the finger is told at once; a
code nobody has, or a booking of another day or office, is told here too, with
what to do instead. Shown in ``booking_code`` (typing) and ``booking_check`` (the
cache or the centre is asked: the keys wait).
"""

from __future__ import annotations

from contract.bookings import BOOKING_CODE_DIGITS
from kiosk.session.events import BookingCodeEntered, Cancel
from kiosk.session.machine import Phase, SessionState
from ui.problems import problem_notice
from ui.screens.booking_words import booking_values
from ui.screens.common import View, button, set_button_text
from ui.screens.digit_pad import DigitPadScreen


class BookingCodeScreen(DigitPadScreen):
    max_digits = BOOKING_CODE_DIGITS

    def __init__(self, view: View) -> None:
        super().__init__(view, "bookingCodePad")
        self.cancel = button("", lambda: view.dispatch(Cancel()))
        self.button_row(self.cancel)

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
