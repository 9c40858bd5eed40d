"""Problems on screen: the error screen, and the same notice in place on other screens.

Every problem is shown one way (#15): a large icon, what happened, what to do,
and on the error screen one big button. :mod:`ui.problems` says which icon
and words each problem gets; here they are painted:

* :class:`MessageScreen`, the whole screen (a refused card, a ticket not made,
  and the closing thank-you);
* :class:`NoticeBlock`, a smaller icon beside the two sentences, where the
  screen stays (the date of birth keypad, the complaint form, the ticket whose
  paper may not come, a list that cannot be loaded, the operator's PIN);
* :class:`ProblemIcon`, the picture, with its name for a screen reader.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.session.machine import SessionState
from ui.icons import draw_problem
from ui.problems import Icon, Notice, notice_words, problem_notice
from ui.screens.booking_words import screen_values
from ui.screens.common import (
    Screen,
    View,
    button,
    label,
    set_button_text,
    set_style_name,
)
from ui.screens.wrapping import wrapping_text
from ui.theme import PRIMARY

#: The error screen's icon, in pixels: seen from arm's length before any word is read.
SCREEN_ICON_PX = 220
#: A notice's icon beside its two sentences.
NOTICE_ICON_PX = 72


def notice_texts(notice: Notice, view: View, **values: object) -> tuple[str, str]:
    """What happened and what to do, in the screen's language, ``{desk}`` filled in."""
    return notice_words(notice, view.t, {**screen_values(None, view), **values})


class ProblemIcon(QWidget):
    """A problem's icon (:data:`ui.icons.PROBLEM_DRAWINGS`), named for a screen reader."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.setFixedSize(size, size)
        self.kind = Icon.WARNING
        self.color = ""

    def show_kind(self, kind: Icon, view: View, color: str = "") -> None:
        self.kind, self.color = kind, color
        self.setAccessibleName(view.t(f"icon_{kind.value}"))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self.color:
                draw_problem(painter, self.kind, min(self.width(), self.height()), self.color)
            else:
                draw_problem(painter, self.kind, min(self.width(), self.height()))
        finally:
            painter.end()


class NoticeBlock(QFrame):
    """A problem shown in place: its icon beside what happened and what to do.

    Hidden while there is nothing to say. :meth:`text` is both sentences, as
    a screen reader would say them.
    """

    def __init__(self, icon_px: int = NOTICE_ICON_PX) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.icon = ProblemIcon(icon_px)
        # a booking's office or service, from the centre or the catalog, may be one word
        # wider than the room beside the icon: it breaks inside
        self.happened = wrapping_text("noticeHappened", centred=False)
        self.todo = wrapping_text("noticeTodo", centred=False)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 12, 16, 12)
        row.setSpacing(16)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addWidget(self.happened)
        words.addWidget(self.todo)
        row.addLayout(words, 1)
        self.hide()

    def show_notice(self, notice: Notice | None, view: View, **values: object) -> None:
        """Show ``notice`` (``values`` fill its texts); None hides the block."""
        if notice is None:
            self.clear()
            return
        happened, todo = notice_texts(notice, view, **values)
        self.icon.show_kind(notice.icon, view)
        self.icon.show()
        self.happened.setText(happened)
        self.todo.setText(todo)
        self.todo.setVisible(bool(todo))
        self.show()

    def show_text(self, text: str) -> None:
        """A line that is no problem (e.g. "checking…"): no icon, no second sentence."""
        self.happened.setText(text)
        self.todo.setText("")
        self.todo.hide()
        self.icon.hide()
        self.setVisible(bool(text))

    def text(self) -> str:
        return " ".join(t for t in (self.happened.text(), self.todo.text()) if t)

    def clear(self) -> None:
        self.happened.setText("")
        self.todo.setText("")
        self.hide()


class MessageScreen(Screen):
    """An error with its icon, what happened, what to do and one big button; or the
    closing thank-you."""

    def __init__(self, dispatch_finish: Callable[[], None]) -> None:
        super().__init__()
        self.icon = ProblemIcon(SCREEN_ICON_PX)
        self.title = label(name="problemTitle")
        self.message = label(name="problemTodo")
        self.close_button: QPushButton = button("", dispatch_finish, "bigAction")
        self.box.addStretch(1)
        self.box.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self.box.addWidget(self.title)
        self.box.addWidget(self.message)
        self.box.addStretch(1)
        self.button_row(self.close_button)

    def render_state(self, state: SessionState, view: View) -> None:
        if state.problem:
            notice = problem_notice(state.problem)
            happened, todo = notice_texts(notice, view)
            self.icon.show_kind(notice.icon, view)
            set_style_name(self.title, "problemTitle")
            self.title.setText(happened)
            self.message.setText(todo)
            set_button_text(self.close_button, view.t(notice.button or "close"))
        else:
            self.icon.show_kind(Icon.DONE, view, PRIMARY)
            set_style_name(self.title, "title")
            self.title.setText(view.t("thanks"))
            self.message.setText("")
            set_button_text(self.close_button, view.t("finish"))
        self.message.setVisible(bool(self.message.text()))
