"""The large-keypad screen shared by the booking code, the date of birth and another
phone number: the words (title, hint, notice, the digits typed) and the keys.

On a landscape screen the words stand beside the keys, so both fit; on a portrait
one the words stand above the keys, each as wide as the screen (:meth:`resizeEvent`).
Each screen adds its own actions row (cancel, back, skip), says what OK does
(:meth:`submit`) and how the digits are shown (:meth:`DigitEntry._show`).
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QVBoxLayout, QWidget

from ui.screens.common import Screen, View, button, label
from ui.screens.message import NoticeBlock
from ui.screens.pinpad import DigitEntry, digit_keys


class DigitPadScreen(DigitEntry, Screen):
    """Title, hint, notice and display beside (or above) a pad of digit keys with OK."""

    def __init__(self, view: View, pad_name: str) -> None:
        """``pad_name``: the keys' object name (the style sheet and tests find it)."""
        super().__init__()
        self._view = view
        #: The digits typed so far (a date of birth or a phone number is personal: all are
        #: wiped with the session).
        self.entered = ""
        self.title = label(name="title")
        self.hint = label(name="subtitle")
        self.notice = NoticeBlock()
        self.display = label(name="pinDisplay")
        self.row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(32)
        words = QVBoxLayout()
        words.addStretch(1)
        for widget in (self.title, self.hint, self.notice, self.display):
            words.addWidget(widget)
        words.addStretch(1)
        row.addLayout(words, 1)
        pad = QWidget()
        pad.setObjectName(pad_name)
        grid = QGridLayout(pad)
        grid.setSpacing(16)
        self.ok = button("", self.submit, "primary")
        self.keys, self.erase = digit_keys(grid, 0, self.press, self.backspace, self.ok)
        row.addWidget(pad)
        self.box.addStretch(1)
        self.box.addLayout(row)
        self.box.addStretch(1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._orient(self.width() > self.height())

    def _orient(self, landscape: bool) -> None:
        self.row.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )

    def submit(self) -> None:
        """OK: the digits typed go to the session."""
        raise NotImplementedError
