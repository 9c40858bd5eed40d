"""The operator's PIN entry: a pad of large keys and a masked display."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.operator.pin import PIN_DIGITS
from kiosk.session.machine import SessionState
from ui.problems import NOTICES
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.message import NoticeBlock


def digit_keys(
    grid: QGridLayout,
    top: int,
    press: Callable[[str], None],
    erase: Callable[[], None],
    ok: QPushButton,
) -> tuple[dict[str, QPushButton], QPushButton]:
    """A keypad in ``grid`` from row ``top``: 1-9 in three rows, then erase, 0 and ``ok``.

    Returns the digit keys by digit, and the erase key. Every key is a large
    ``pinKey`` (a touch target for any finger), never said aloud: it types a
    birth date or a PIN.
    """
    keys: dict[str, QPushButton] = {}
    for i, digit in enumerate("1234567890"):
        keys[digit] = button(digit, partial(press, digit), "pinKey", spoken=False)
        row, column = (top + i // 3, i % 3) if digit != "0" else (top + 3, 1)
        grid.addWidget(keys[digit], row, column)
    erase_key = button("⌫", erase, "pinKey", spoken=False)
    ok.setProperty("pinKey", True)
    grid.addWidget(erase_key, top + 3, 0)
    grid.addWidget(ok, top + 3, 2)
    return keys, erase_key


class DigitEntry:
    """Typing on a keypad: ``entered`` holds the digits, at most :attr:`max_digits`.

    When no digit more fits the digit keys are greyed out, so a digit too many is
    refused where it is seen, never dropped unseen. The screen shows the digits its
    own way (:meth:`_show`): dots for a PIN, slots for a date, fours for a phone.
    """

    max_digits: int
    entered: str = ""
    #: The digit keys by digit (:func:`digit_keys`).
    keys: dict[str, QPushButton]

    def press(self, digit: str) -> None:
        if len(self.entered) >= self.max_digits:
            return  # its key is greyed out: nothing typed is lost unseen
        self.entered += digit
        self._entered_changed()

    def backspace(self) -> None:
        self.entered = self.entered[:-1]
        self._entered_changed()

    def _entered_changed(self) -> None:
        self._show()
        room = len(self.entered) < self.max_digits and self._typing()
        for key in self.keys.values():
            key.setEnabled(room)

    def _typing(self) -> bool:
        """Whether the keys take digits now at all (a screen may hold them)."""
        return True

    def _show(self) -> None:
        raise NotImplementedError


class PinPad(DigitEntry, QWidget):
    """Digits 1-9, erase, 0, OK. ``entered`` holds the digits; the display shows dots."""

    max_digits = PIN_DIGITS[1]

    def __init__(self, on_ok: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("pinPad")
        self._on_ok = on_ok
        self.entered = ""
        self.display = label(name="pinDisplay")
        grid = QGridLayout(self)
        grid.setSpacing(16)
        grid.addWidget(self.display, 0, 0, 1, 3)
        self.ok = button("OK", self.submit, "primary")
        self.keys, self.erase = digit_keys(grid, 1, self.press, self.backspace, self.ok)

    def submit(self) -> None:
        pin, self.entered = self.entered, ""
        self._entered_changed()
        if pin:
            self._on_ok(pin)

    def clear(self) -> None:
        self.entered = ""
        self._entered_changed()

    def _show(self) -> None:
        self.display.setText("●" * len(self.entered))


class PinScreen(Screen):
    """Shown after the hidden gesture; a right PIN opens the operator panel."""

    def __init__(self, on_pin: Callable[[str], None], on_cancel: Callable[[], None]) -> None:
        super().__init__()
        self.title = label(name="title")
        self.message = NoticeBlock()
        self.pad = PinPad(on_pin)
        self.cancel = button("", on_cancel)
        # The words beside the keys on a landscape screen (they fit its height in A+ too),
        # above them on a portrait one.
        words = QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self.title)
        words.addWidget(self.message)
        words.addStretch(1)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.setSpacing(32)
        self.row.addLayout(words, 1)
        self.row.addWidget(self.pad)
        self.box.addStretch(1)
        self.box.addLayout(self.row)
        self.box.addStretch(1)
        self.button_row(self.cancel)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.width() > self.height()
        self.row.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )

    def render_state(self, state: SessionState, view: View) -> None:
        self.title.setText(view.t("pin_title"))
        set_button_text(self.cancel, view.t("cancel"))
        set_button_text(self.pad.erase, view.t("pin_erase"))
        set_button_text(self.pad.ok, view.t("pin_ok"))

    def say(self, text: str) -> None:
        """A line that is no problem ("checking…"); "" clears it."""
        self.message.show_text(text)

    def warn(self, problem: str, view: View, **values: object) -> None:
        """A wrong PIN or a lockout (:data:`ui.problems.NOTICES`), with its icon."""
        self.message.show_notice(NOTICES[problem], view, **values)

    def clear(self) -> None:
        self.pad.clear()
        self.message.clear()
