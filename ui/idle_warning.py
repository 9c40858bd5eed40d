"""The "still there?" overlay: a countdown and one big button that extends the session.

It covers the whole window (dimmed), so the citizen cannot miss it, and it
appears at least 20 s before the idle timeout (``SessionMachine.idle_warning``,
WCAG 2.2.1 "Timing Adjustable"): one tap on "Lanjutkan" gives the full idle
time again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from ui.screens.common import View, button, label, set_button_text


class IdleWarning(QFrame):
    def __init__(self, parent: QWidget, on_continue: Callable[[], None]) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.panel = QFrame()
        self.panel.setObjectName("warningPanel")
        self.panel.setMaximumWidth(900)
        inner = QVBoxLayout(self.panel)
        inner.setContentsMargins(48, 48, 48, 48)
        inner.setSpacing(24)
        self.title = label(name="title")
        self.countdown = label(name="countdown", wrap=False)
        self.text = label(name="subtitle")
        self.button = button("", on_continue, "primary")
        self.button.setObjectName("continue")
        for w in (self.title, self.countdown, self.text, self.button):
            inner.addWidget(w)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 48, 48, 48)
        outer.addStretch(1)
        outer.addWidget(self.panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        parent.installEventFilter(self)
        self.setGeometry(parent.rect())
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
        return False

    def show_countdown(self, seconds: int, view: View) -> None:
        self.title.setText(view.t("still_there_title"))
        self.countdown.setText(str(seconds))
        self.text.setText(view.t("still_there_countdown", seconds=seconds))
        set_button_text(self.button, view.t("continue"))
        if not self.isVisible():
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.show()
            self.raise_()
