"""Pengaduan: a category and free text, then the reference number of what was filed."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
)

from kiosk.session.events import Back, ComplaintSubmitted, Finish
from kiosk.session.machine import SessionState
from kiosk.tickets.complaints import CATEGORIES, MAX_TEXT, category_label
from ui.keyboard import MAX_LENGTH_PROPERTY, Mode, OnScreenKeyboard
from ui.problems import NOTICES
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.message import NoticeBlock
from ui.screens.one_line import OneLine
from ui.screens.ticket import WaitScreen
from ui.screens.wrapping import WrappingButton, wrapping_button

#: Category tiles across a row: in landscape they share the width with the keyboard.
CATEGORY_COLUMNS = {"portrait": 3, "landscape": 2}


class ComplaintScreen(Screen):
    """On a portrait screen categories, text, notice and keyboard one under another; a
    landscape one (1080 px high, too few for all that in "A+") has the categories and
    their notice beside the text and its keyboard."""

    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        # Tighter than other screens: categories, text and keyboard fit a landscape screen.
        self.box.setContentsMargins(32, 32, 32, 32)
        self.box.setSpacing(12)
        self.title = label(name="title")
        self.hint = label()
        self.anonymous = label(name="badge")
        self.category_title = label(name="subtitle")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.categories: dict[str, WrappingButton] = {}
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        for code in CATEGORIES:
            choice = wrapping_button("", partial(self._chosen, code), "category", centred=True)
            choice.setCheckable(True)
            choice.setProperty("category", code)
            self.group.addButton(choice)
            self.categories[code] = choice
        self._columns = 0
        self._place_categories(CATEGORY_COLUMNS["portrait"])
        self._text: QPlainTextEdit | None = None
        #: Where the text field goes when first shown (see :attr:`text`).
        self._text_slot = QVBoxLayout()
        self._text_slot.setContentsMargins(0, 0, 0, 0)
        self.chars = label()
        self.chars.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.error = NoticeBlock(self._view.touch_px)
        #: The notice's place under the categories, in landscape.
        self._notice_slot = QVBoxLayout()
        self._notice_slot.setContentsMargins(0, 0, 0, 0)
        #: The notice's place beside the count of characters, in portrait.
        self._under = QHBoxLayout()
        self._under.addWidget(self.error, 1)
        self._under.addWidget(self.chars)
        self._landscape = False
        self.keyboard = OnScreenKeyboard(view.touch_px)
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.send = button("", self.submit, "primary")
        for w in (self.title, self.hint, self.anonymous):
            self.box.addWidget(w)
        choose = QVBoxLayout()
        choose.setSpacing(12)
        choose.addWidget(self.category_title)
        choose.addLayout(self.grid)
        choose.addLayout(self._notice_slot)
        choose.addStretch(1)
        write = QVBoxLayout()
        write.setSpacing(12)
        write.addLayout(self._text_slot, 1)
        write.addLayout(self._under)
        write.addWidget(self.keyboard)
        #: Choosing above writing on a portrait screen, beside it on a landscape one.
        self.row = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.row.setSpacing(12)
        self.row.addLayout(choose, 0)
        self.row.addLayout(write, 1)
        self.box.addLayout(self.row, 1)
        self.button_row(self.back, self.send)
        self._count()

    def _place_categories(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for choice in self.categories.values():
            self.grid.removeWidget(choice)
        for i, choice in enumerate(self.categories.values()):
            self.grid.addWidget(choice, i // columns, i % columns)
        for column in range(max(CATEGORY_COLUMNS.values())):  # columns of one width
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.width() > self.height()
        if landscape == self._landscape:
            return
        self._landscape = landscape
        self.row.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )
        self.row.setSpacing(32 if landscape else 12)
        self.row.setStretch(0, 1 if landscape else 0)  # half the width each, in landscape
        self._place_categories(CATEGORY_COLUMNS["landscape" if landscape else "portrait"])
        # The notice right under the categories it speaks of ("di atas") in landscape.
        if landscape:
            self._under.removeWidget(self.error)
            self._notice_slot.addWidget(self.error)
        else:
            self._notice_slot.removeWidget(self.error)
            self._under.insertWidget(0, self.error, 1)

    @property
    def text(self) -> QPlainTextEdit:
        """The complaint's text field, made on first use: the first text field a
        process makes costs some milliseconds the attract screen does not need
        (the kiosk's start is measured in make bench)."""
        if self._text is None:
            text = QPlainTextEdit()
            text.setObjectName("complaint_text")
            text.setProperty(MAX_LENGTH_PROPERTY, MAX_TEXT)
            text.setMinimumHeight(2 * self._view.touch_px)
            text.textChanged.connect(self._count)
            self._text_slot.addWidget(text)
            self._text = text
        return self._text

    @property
    def category(self) -> str:
        checked = self.group.checkedButton()
        return str(checked.property("category")) if checked is not None else ""

    def _chosen(self, code: str) -> None:
        self.categories[code].setChecked(True)
        self.error.clear()

    def _count(self) -> None:
        n = len(self._text.toPlainText()) if self._text is not None else 0
        self.chars.setText(self._view.t("complaint_chars", n=n, max=MAX_TEXT))

    def submit(self) -> None:
        text = self.text.toPlainText().strip()
        problem = "" if self.category else "complaint_no_category"
        problem = problem or ("" if text else "complaint_empty")
        if problem:
            self.error.show_notice(NOTICES[problem], self._view)
            return
        self._view.dispatch(ComplaintSubmitted(self.category, text))

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        self.title.setText(view.t("complaint_title"))
        self.hint.setText(view.t("complaint_hint"))
        self.anonymous.setText(view.t("complaint_anonymous"))
        self.anonymous.setVisible(state.identity is None)
        self.category_title.setText(view.t("complaint_category"))
        for code, choice in self.categories.items():
            set_button_text(choice, category_label(code, view.lang))
        self.text.setPlaceholderText(view.t("complaint_text"))
        self._count()
        set_button_text(self.back, view.t("back"))
        set_button_text(self.send, view.t("complaint_send"))
        self.keyboard.set_language(view.lang)
        self.text.setAccessibleName(view.t("complaint_text"))
        if self.keyboard.target is None:
            self.keyboard.attach(self.text, Mode.TEXT)
            self.text.setFocus()
        if not self.error.text():
            self.error.clear()

    def clear(self) -> None:
        if self._text is not None:
            self._text.setPlainText("")  # also drops the undo history
        self.group.setExclusive(False)
        for choice in self.categories.values():
            choice.setChecked(False)
        self.group.setExclusive(True)
        self.error.clear()
        self.keyboard.attach(None)


class ComplaintSendingScreen(WaitScreen):
    def text_key(self, view: View) -> str:
        return "complaint_sending"


class ComplaintFiledScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.title = label(name="title")
        self.heading = label(name="subtitle")
        # read aloud at the counter as one thing: one line, smaller where it is wider
        self.reference = OneLine("reference", "reference")
        self.paper = label(name="subtitle")
        #: In place of "take your receipt" when it may not have printed.
        self.no_paper = NoticeBlock()
        self.finish = button("", lambda: self._view.dispatch(Finish()), "primary")
        self.box.addStretch(1)
        for w in (self.title, self.heading, self.reference, self.paper, self.no_paper):
            self.box.addWidget(w)
        self.box.addStretch(1)
        self.button_row(self.finish)

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        receipt = state.complaint
        if receipt is None:
            return
        self.title.setText(view.t("complaint_filed"))
        self.heading.setText(view.t("complaint_reference"))
        self.reference.setText(receipt.reference)
        printed = receipt.printed and view.printer_ok
        self.paper.setText(view.t("complaint_take_receipt") if printed else "")
        self.paper.setVisible(printed)
        self.no_paper.show_notice(None if printed else NOTICES["complaint_photo"], view)
        set_button_text(self.finish, view.t("finish"))

    def clear(self) -> None:
        self.reference.setText("")
        self.paper.setText("")
        self.no_paper.clear()
