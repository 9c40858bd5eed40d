"""A UID-only card's proof: the citizen types their date of birth on a large keypad.

A UID alone proves nothing, so the city's record of the card's holder (name,
NIK, phone, family card) is shown and pre-filled only after the centre
confirmed the typed date (docs/central-api.md). The citizen may skip and fill
the form by hand. Shown in ``proving`` (typing) and ``proving_check`` (the
centre is asked: the keys wait).
"""

from __future__ import annotations

from kiosk.session.events import BirthDateEntered, Cancel, ProofSkipped
from kiosk.session.machine import Phase, SessionState
from ui.problems import problem_notice
from ui.screens.common import View, button, set_button_text
from ui.screens.digit_pad import DigitPadScreen

#: DD MM YYYY.
DIGITS = 8


class BirthDateScreen(DigitPadScreen):
    max_digits = DIGITS

    def __init__(self, view: View) -> None:
        super().__init__(view, "birthDatePad")
        self._checking = False
        self.skip = button("", lambda: view.dispatch(ProofSkipped()))
        self.cancel = button("", lambda: view.dispatch(Cancel()))
        self.button_row(self.cancel, self.skip)

    def submit(self) -> None:
        digits, self.entered = self.entered, ""
        self._entered_changed()
        self._view.dispatch(BirthDateEntered(digits))

    def render_state(self, state: SessionState, view: View) -> None:
        checking = state.phase is Phase.PROVING_CHECK
        self.title.setText(view.t("birth_date_checking" if checking else "birth_date_title"))
        self.hint.setText(view.t("birth_date_hint"))
        problem = state.problem if state.phase is Phase.PROVING else None
        self.notice.show_notice(problem_notice(problem) if problem else None, view)
        set_button_text(self.ok, view.t("birth_date_ok"))
        set_button_text(self.erase, view.t("pin_erase"))
        set_button_text(self.skip, view.t("birth_date_skip"))
        set_button_text(self.cancel, view.t("cancel"))
        self._checking = checking
        for key in [self.erase, self.ok, self.skip]:
            key.setEnabled(not checking)
        self._entered_changed()

    def _typing(self) -> bool:
        return not self._checking  # the keys wait while the centre checks

    def clear(self) -> None:
        self.entered = ""
        self._entered_changed()
        self.notice.clear()

    def left(self) -> None:
        self.clear()  # digits typed and abandoned are not there when it comes back

    def _show(self) -> None:
        """``15 06 19__``: the digits typed, in the DD MM YYYY slots."""
        slots = self.entered.ljust(DIGITS, "_")
        self.display.setText(f"{slots[:2]} {slots[2:4]} {slots[4:]}")
