"""The pre-filled form, and the summary the citizen confirms."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from contract.catalog import FieldType, FormField
from kiosk.session.events import Back, Confirmed, FormSubmitted
from kiosk.session.machine import SessionState
from kiosk.session.prefill import FieldValue, Source
from ui.keyboard import MAX_LENGTH_PROPERTY, Mode, OnScreenKeyboard
from ui.screens.choice import ChoiceField, ChoiceList
from ui.screens.common import Screen, View, button, label, plain_label, set_button_text
from ui.screens.dates import iso_day_words
from ui.screens.services import step_text
from ui.screens.wrapping import wrapping_button, wrapping_text

Editor = QLineEdit | QPlainTextEdit | ChoiceField


def _editor(
    field: FormField,
    on_touch: Callable[[], None],
    open_list: Callable[[ChoiceField], None],
    lang: str,
) -> Editor:
    editor: Editor
    if field.type is FieldType.TEXTAREA:
        editor = QPlainTextEdit()
        editor.setFixedHeight(140)
        editor.setProperty(MAX_LENGTH_PROPERTY, field.max_length)
    elif field.type is FieldType.CHOICE:
        words = {c: field.choice_label(c, lang) for c in field.choices}
        editor = ChoiceField(field.choices, on_touch, open_list, words)
    else:
        editor = QLineEdit()
        editor.setMaxLength(field.max_length)
    editor.setObjectName(f"field_{field.name}")
    return editor


#: The keys each field type gets on the on-screen keyboard.
KEYBOARD_MODES = {
    FieldType.NIK: Mode.NUMBER,
    FieldType.NUMBER: Mode.NUMBER,
    FieldType.PHONE: Mode.PHONE,
    FieldType.DATE: Mode.DATE,
}


def _value(editor: Editor) -> str:
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    if isinstance(editor, ChoiceField):
        return editor.value()
    return editor.text()


def _set_value(editor: Editor, value: FieldValue | None) -> None:
    text = value.value if value else ""
    locked = bool(value and value.locked)
    if isinstance(editor, QPlainTextEdit):
        if editor.toPlainText() != text:
            editor.setPlainText(text)
        editor.setReadOnly(locked)
    elif isinstance(editor, ChoiceField):
        editor.set_value(text, locked)  # a locked choice keeps its tiles, unchangeable
        return  # tiles take no focus
    else:
        if editor.text() != text:
            editor.setText(text)  # also clears the undo history
        editor.setReadOnly(locked)
    # A locked value takes no focus: the keyboard never opens on it.
    editor.setFocusPolicy(Qt.FocusPolicy.NoFocus if locked else Qt.FocusPolicy.StrongFocus)


def _wipe(editor: Editor) -> None:
    """Empty ``editor`` and forget its history: what was typed is gone, not undoable."""
    if isinstance(editor, QPlainTextEdit):
        editor.setPlainText("")
        editor.document().clearUndoRedoStacks()
    elif isinstance(editor, QLineEdit):
        editor.setText("")  # also when already empty: it clears the undo history
    _set_value(editor, None)


class FormScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.progress = label(name="progress")
        self.title = label(name="title")
        self.host = QWidget()
        self.form = QFormLayout(self.host)
        self.form.setVerticalSpacing(8)
        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.host)
        self.keyboard = OnScreenKeyboard(view.touch_px)
        self.fields: dict[str, FormField] = {}
        self.editors: dict[str, Editor] = {}
        self.sources: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        #: The service, language and fields the rows were built for: a later citizen
        #: of the same form gets the same rows, emptied (:meth:`clear`), not new ones.
        self._built_for: tuple[str, str, tuple[FormField, ...]] | None = None
        self._values_shown: dict[str, FieldValue] | None = None
        self._errors_shown: dict[str, str] | None = None
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.next = button("", self.submit, "primary")
        self.box.addWidget(self.progress)
        self.box.addWidget(self.title)
        self.box.addWidget(scroll, 1)
        self.box.addWidget(self.keyboard)
        self.button_row(self.back, self.next)
        #: A long choice's list, over the whole form while it is open.
        self.choice_list = ChoiceList(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A tap on (or focus into) an editable field brings the keyboard to it.
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            for name, editor in self.editors.items():
                if watched is editor or (
                    isinstance(editor, QPlainTextEdit) and watched is editor.viewport()
                ):
                    self.edit(name)
                    break
        return False

    def edit(self, name: str) -> None:
        """Put the keyboard on field ``name`` (nothing for a locked one or a choice)."""
        editor = self.editors.get(name)
        field = self.fields.get(name)
        if editor is None or field is None or isinstance(editor, ChoiceField):
            self.keyboard.attach(None)
            return
        if editor.isReadOnly():
            return
        self.keyboard.attach(editor, KEYBOARD_MODES.get(field.type, Mode.TEXT))
        editor.setFocus()
        # Once the keyboard has taken its room, scroll the field above it into view.
        QTimer.singleShot(0, lambda: self._reveal(editor))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.choice_list.setGeometry(self.rect())
        target = self.keyboard.target
        if target is not None:  # turned, or the keyboard took its room: keep it in view
            QTimer.singleShot(0, lambda: self._reveal(target))

    def _reveal(self, editor: Editor) -> None:
        if shiboken6.isValid(editor) and self.keyboard.target is editor:
            # The whole field, not only its cursor (what ensureWidgetVisible would show).
            centre = editor.mapTo(self.host, editor.rect().center())
            self.scroll_area.ensureVisible(centre.x(), centre.y(), 0, editor.height() // 2 + 24)

    def open_choices(self, editor: ChoiceField) -> None:
        """Show ``editor``'s choices as a full-screen list (a long choice's button)."""
        self.keyboard.attach(None)
        name = next((n for n, e in self.editors.items() if e is editor), None)
        field = self.fields.get(name or "")
        if field is None or editor.locked:
            return
        self.choice_list.open_for(editor, field.label(self._view.lang), self._view.t("back"))

    def submit(self) -> None:
        values = {name: _value(editor) for name, editor in self.editors.items()}
        self._view.dispatch(FormSubmitted(values))

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        service = state.service
        if service is None:
            return
        self.progress.setText(step_text(view, 2))
        self.title.setText(view.t("form_title"))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.next, view.t("next"))
        self.keyboard.set_language(view.lang)
        self.scroll_area.setAccessibleName(view.t("form_title"))
        built = self._built_for != (service.id, view.lang, service.form)
        if built:
            self._build(service.form, view)
            self._built_for = (service.id, view.lang, service.form)
        # Values are set from the state only when the state's values changed: a
        # render for anything else (a tap's UserActivity) keeps what is typed.
        changed = built or state.values is not self._values_shown
        sources = {Source.CARD: view.t("from_card"), Source.RECORD: view.t("from_record")}
        for field in service.form:
            value = state.values.get(field.name)
            if changed:
                _set_value(self.editors[field.name], value)
            self.sources[field.name].setText(sources.get(value.source, "") if value else "")
            code = state.field_errors.get(field.name, "")
            self.errors[field.name].setText(view.t(f"field_{code}") if code else "")
            self.errors[field.name].setVisible(bool(code))
        if changed or state.field_errors is not self._errors_shown:
            first = self._first_to_fill(service.form, state)
            if first is not None:
                self.edit(first)  # the first empty (or wrong) field, keyboard open
            elif built:
                self.keyboard.attach(None)
        self._values_shown, self._errors_shown = state.values, state.field_errors

    def _first_to_fill(self, fields: tuple[FormField, ...], state: SessionState) -> str | None:
        for field in fields:
            editor = self.editors[field.name]
            if isinstance(editor, ChoiceField) or editor.isReadOnly():
                continue
            if field.name in state.field_errors or not _value(editor):
                return field.name
        return None

    def _build(self, fields: tuple[FormField, ...], view: View) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.keyboard.attach(None)
        self.choice_list.close_list()
        self.fields.clear()
        self.editors.clear()
        self.sources.clear()
        self.errors.clear()
        for field in fields:
            editor = _editor(
                field, lambda: self.keyboard.attach(None), self.open_choices, view.lang
            )
            editor.setAccessibleName(field.label(view.lang))
            if isinstance(editor, ChoiceField):
                editor.set_hint(view.t("choice_tap_to_pick"))
            editor.installEventFilter(self)
            if isinstance(editor, QPlainTextEdit):
                editor.viewport().installEventFilter(self)
            # beside the field in a column as wide as the screen leaves it: they wrap
            source = plain_label(name="source", wrap=True)
            error = plain_label(name="fieldError", wrap=True)
            column = QWidget()
            col = QVBoxLayout(column)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(editor)
            col.addWidget(source)
            col.addWidget(error)
            caption = wrapping_text(centred=False, beside=True)  # the catalog's, by its field
            caption.setText(field.label(view.lang))
            self.form.addRow(caption, column)
            self.fields[field.name] = field
            self.editors[field.name] = editor
            self.sources[field.name] = source
            self.errors[field.name] = error

    def clear(self) -> None:
        # The rows say only the form's fields: they stay built for the next citizen,
        # and everything of this one (values, undo history, sources, errors) goes.
        self.keyboard.attach(None)
        self.choice_list.close_list()
        for name, editor in self.editors.items():
            _wipe(editor)
            self.sources[name].setText("")
            self.errors[name].setText("")
            self.errors[name].hide()
        self._values_shown = self._errors_shown = None


class ConfirmScreen(Screen):
    """Step 3: a summary card (the service, each value large with its label and where it
    came from), the action below it."""

    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.progress = label(name="progress")
        self.title = label(name="title")
        self.card = QFrame()
        self.card.setObjectName("summaryCard")
        self.card_box = QVBoxLayout(self.card)
        self.card_box.setContentsMargins(32, 32, 32, 32)
        self.card_box.setSpacing(8)
        # as wide as the card: a word wider than it breaks inside (not widen the card)
        self.service = wrapping_text("summaryService", centred=False)
        self.card_box.addWidget(self.service)
        #: The card's rows, one per field of the form (:class:`SummaryRow`), built once
        #: per service, language and fields; a field without a value hides its row.
        self.rows = QWidget()
        self.card_box.addWidget(self.rows)
        self.summary: dict[str, SummaryRow] = {}
        self._rows_for: tuple[str, str, tuple[FormField, ...]] | None = None
        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.card)
        column.addStretch(1)
        scroll.setWidget(holder)
        self.back = button("", lambda: self._view.dispatch(Back()))
        # its words wrap rather than cut in the A+ mode ("Ya, ambil nomor antrean")
        self.confirm = wrapping_button(
            "", lambda: self._view.dispatch(Confirmed()), "primary", centred=True
        )
        self.box.addWidget(self.progress)
        self.box.addWidget(self.title)
        self.box.addWidget(scroll, 1)
        row = self.button_row(self.back, self.confirm)
        row.setStretch(1, 2)  # the action is the big one

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        service = state.service
        if service is None:
            return
        self.progress.setText(step_text(view, 3))
        self.title.setText(view.t("confirm_title"))
        self.scroll_area.setAccessibleName(view.t("confirm_title"))
        self.service.setText(service.name(view.lang))
        sources = {
            Source.CARD: view.t("from_card"),
            Source.RECORD: view.t("from_record"),
            Source.CITIZEN: view.t("from_citizen"),
        }
        if self._rows_for != (service.id, view.lang, service.form):
            self._build_rows(service.form, view.lang)
            self._rows_for = (service.id, view.lang, service.form)
        for field in service.form:
            row = self.summary[field.name]
            value = state.values.get(field.name)
            if not (value and value.value):
                row.empty()
                continue
            shown = value.value
            if field.type is FieldType.DATE:
                shown = iso_day_words(shown, view.lang)  # the session keeps the ISO date
            elif field.type is FieldType.CHOICE:
                shown = field.choice_label(shown, view.lang)  # it keeps the choice's value
            row.say(shown, sources.get(value.source, ""))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.confirm, view.t("confirm"))

    def _build_rows(self, fields: tuple[FormField, ...], lang: str) -> None:
        """A row per field of the form, each hidden until it has a value to say."""
        rows = QWidget()
        box = QVBoxLayout(rows)
        box.setContentsMargins(0, 16, 0, 0)
        box.setSpacing(4)
        self.summary = {}
        for field in fields:
            row = SummaryRow(field.label(lang))
            box.addWidget(row)
            self.summary[field.name] = row
        self._replace_rows(rows)

    def _replace_rows(self, rows: QWidget) -> None:
        old = self.rows
        self.card_box.replaceWidget(old, rows)
        old.setParent(None)  # out of the window's tree at once, not at the next event loop
        old.deleteLater()
        self.rows = rows

    def clear(self) -> None:
        # The rows name only the form's fields: kept for the next citizen, emptied.
        for row in self.summary.values():
            row.empty()
        self.service.setText("")


class SummaryRow(QWidget):
    """One value of the summary: its label and where it came from, the value large below."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 12, 0, 0)
        box.setSpacing(4)
        head = QHBoxLayout()
        # the catalog's words, beside where the value came from
        self.caption = wrapping_text("summaryLabel", centred=False, beside=True)
        self.caption.setText(caption)
        head.addWidget(self.caption, 1)
        self.source = plain_label(name="summarySource")
        self.source.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.source)
        box.addLayout(head)
        self.value = wrapping_text("summaryValue", centred=False)  # an e-mail address too
        box.addWidget(self.value)
        self.hide()

    def say(self, value: str, source: str) -> None:
        self.value.setText(value)
        self.source.setText(source)
        self.show()

    def empty(self) -> None:
        """Nothing of the citizen's left in the row, and the row not shown."""
        self.value.setText("")
        self.source.setText("")
        self.hide()
