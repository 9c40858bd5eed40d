"""The one question before the ticket (or a complaint is filed): "Kirim pemberitahuan ke
0813 ••••• 234?".

Two answers as large as each other, side by side, so a no costs what a yes
costs; no answer in time is a no (the session machine's ``consent`` phase). The
number is shown masked (:func:`kiosk.session.consent.masked`; why:
docs/accessibility.md); "Nomor lain" types another on a large keypad
(``consent_phone``), the date-of-birth screen's keys, whose OK is the yes for
that number. Nothing of the number is said aloud (kiosk/speech.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.session import consent
from kiosk.session.events import Back, NotifyAnswered, NotifyNumberWanted, NotifyPhoneEntered
from kiosk.session.machine import SessionState
from ui.problems import problem_notice
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.digit_pad import DigitPadScreen
from ui.screens.services import step_text
from ui.screens.wrapping import wrapping_button


class ConsentScreen(Screen):
    """The question, its two answers, and "another number"."""

    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        #: The session whose question is shown: its answers carry it (a late tap answers
        #: no one else's question).
        self._session = 0
        self.progress = label(name="progress")
        self.title = label(name="title")
        self.hint = label(name="subtitle")
        self.default = label()
        # the same look and size for both: a no is as easy as a yes
        self.yes = wrapping_button(
            "",
            lambda: self._view.dispatch(NotifyAnswered(self._session, True)),
            "primary",
            centred=True,
        )
        self.no = wrapping_button(
            "",
            lambda: self._view.dispatch(NotifyAnswered(self._session, False)),
            "primary",
            centred=True,
        )
        answers = QHBoxLayout()
        answers.setSpacing(32)
        answers.addWidget(self.yes, 1)
        answers.addWidget(self.no, 1)
        self.box.addWidget(self.progress)
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.box.addWidget(self.hint)
        self.box.addSpacing(24)
        self.box.addLayout(answers)
        self.box.addSpacing(12)
        self.box.addWidget(self.default)
        self.box.addStretch(1)
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.other = button("", lambda: self._view.dispatch(NotifyNumberWanted(self._session)))
        self.button_row(self.back, self.other)

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        self._session = state.session
        complaint = state.complaint_draft is not None
        self.progress.setText("" if complaint else step_text(view, 3))
        self.progress.setVisible(not complaint)  # a complaint is not the ticket's steps
        phone = state.notify_phone
        if phone is not None:
            self.title.setText(view.t("consent_title_number", number=consent.masked(phone)))
        else:
            self.title.setText(view.t("consent_title"))
        self.hint.setText(view.t("consent_hint_complaint" if complaint else "consent_hint"))
        self.default.setText(
            view.t("consent_default_complaint" if complaint else "consent_default")
        )
        self.yes.setText(view.t("consent_yes"))
        self.no.setText(view.t("consent_no"))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.other, view.t("consent_other"))
        self.other.setVisible(phone is not None)  # without one, the yes opens the keypad

    def clear(self) -> None:
        self.title.setText("")


class ConsentPhoneScreen(DigitPadScreen):
    """Another number, typed on large keys; OK is the yes for it."""

    #: One past the longest mobile number: a digit too many is kept and shown, so OK
    #: refuses the number (and says why) instead of sending it cut to a valid one.
    max_digits = consent.MAX_DIGITS + 1

    def __init__(self, view: View) -> None:
        super().__init__(view, "phonePad")
        self._session = 0  # the session whose number is typed (see ConsentScreen)
        self.back = button("", lambda: view.dispatch(Back()))
        self.none = button("", lambda: view.dispatch(NotifyAnswered(self._session, False)))
        self.button_row(self.back, self.none)

    def submit(self) -> None:
        digits = self.entered
        self._view.dispatch(NotifyPhoneEntered(self._session, digits))

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        self._session = state.session
        # before it is first shown (and resized): words beside the keys would widen a
        # portrait window for an instant
        window = self.window()
        self._orient(window.width() > window.height())
        self.title.setText(view.t("consent_phone_title"))
        complaint = state.complaint_draft is not None
        self.hint.setText(
            view.t("consent_phone_hint_complaint" if complaint else "consent_phone_hint")
        )
        self.notice.show_notice(problem_notice(state.problem) if state.problem else None, view)
        set_button_text(self.ok, view.t("pin_ok"))
        set_button_text(self.erase, view.t("pin_erase"))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.none, view.t("consent_none"))
        self._entered_changed()

    def clear(self) -> None:
        self.entered = ""
        self._entered_changed()
        self.notice.clear()

    def left(self) -> None:
        self.clear()  # back to the question: a number begun and abandoned is gone

    def _show(self) -> None:
        self.display.setText(consent.grouped(self.entered))
