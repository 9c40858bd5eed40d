"""The pre-filled form, and the summary the citizen confirms."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog import FieldType, FormField
from kiosk.prefill import FieldValue, Source
from kiosk.session import SessionState
from kiosk.session_events import Back, Confirmed, FormSubmitted
from ui.screens.common import Screen, View, button, label, set_button_text

Editor = QLineEdit | QPlainTextEdit | QComboBox


def _editor(field: FormField) -> Editor:
    editor: Editor
    if field.type is FieldType.TEXTAREA:
        editor = QPlainTextEdit()
        editor.setFixedHeight(140)
    elif field.type is FieldType.CHOICE:
        editor = QComboBox()
        editor.addItem("", "")
        for choice in field.choices:
            editor.addItem(choice, choice)
    else:
        editor = QLineEdit()
        editor.setMaxLength(field.max_length)
    editor.setObjectName(f"field_{field.name}")
    return editor


def _value(editor: Editor) -> str:
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    if isinstance(editor, QComboBox):
        return str(editor.currentData() or "")
    return editor.text()


def _set_value(editor: Editor, value: FieldValue | None) -> None:
    text = value.value if value else ""
    locked = bool(value and value.locked)
    if isinstance(editor, QPlainTextEdit):
        editor.setPlainText(text)
        editor.setReadOnly(locked)
    elif isinstance(editor, QComboBox):
        index = editor.findData(text)
        editor.setCurrentIndex(max(index, 0))
        editor.setEnabled(not locked)
    else:
        editor.setText(text)
        editor.setReadOnly(locked)


class FormScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.title = label(name="title")
        self.host = QWidget()
        self.form = QFormLayout(self.host)
        self.form.setVerticalSpacing(8)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.host)
        self.editors: dict[str, Editor] = {}
        self.sources: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        self._built_for: tuple[str, str] | None = None
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.next = button("", self.submit, "primary")
        self.box.addWidget(self.title)
        self.box.addWidget(scroll, 1)
        self.button_row(self.back, self.next)

    def submit(self) -> None:
        values = {name: _value(editor) for name, editor in self.editors.items()}
        self._view.dispatch(FormSubmitted(values))

    def render(self, state: SessionState, view: View) -> None:
        self._view = view
        service = state.service
        if service is None:
            return
        self.title.setText(view.t("form_title"))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.next, view.t("next"))
        if self._built_for != (service.id, view.lang):
            self._build(service.form, view)
            self._built_for = (service.id, view.lang)
        for field in service.form:
            value = state.values.get(field.name)
            _set_value(self.editors[field.name], value)
            source = value.source if value else None
            self.sources[field.name].setText(
                {Source.CARD: view.t("from_card"), Source.RECORD: view.t("from_record")}.get(
                    source,
                    "",  # type: ignore[arg-type]
                )
            )
            code = state.field_errors.get(field.name, "")
            self.errors[field.name].setText(view.t(f"field_{code}") if code else "")
            self.errors[field.name].setVisible(bool(code))

    def _build(self, fields: tuple[FormField, ...], view: View) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        self.sources.clear()
        self.errors.clear()
        for field in fields:
            editor = _editor(field)
            source = QLabel()
            source.setObjectName("source")
            error = QLabel()
            error.setObjectName("fieldError")
            column = QWidget()
            col = QVBoxLayout(column)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(editor)
            col.addWidget(source)
            col.addWidget(error)
            self.form.addRow(QLabel(field.label(view.lang)), column)
            self.editors[field.name] = editor
            self.sources[field.name] = source
            self.errors[field.name] = error

    def clear(self) -> None:
        for editor in self.editors.values():
            _set_value(editor, None)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        self.sources.clear()
        self.errors.clear()
        self._built_for = None


class ConfirmScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.title = label(name="title")
        self.service = label(name="subtitle")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("summary")
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.confirm = button("", lambda: self._view.dispatch(Confirmed()), "primary")
        self.box.addWidget(self.title)
        self.box.addWidget(self.service)
        self.box.addWidget(self.summary, 1)
        self.button_row(self.back, self.confirm)

    def render(self, state: SessionState, view: View) -> None:
        self._view = view
        service = state.service
        if service is None:
            return
        self.title.setText(view.t("confirm_title"))
        self.service.setText(service.name(view.lang))
        lines = []
        for field in service.form:
            value = state.values.get(field.name)
            if value and value.value:
                lines.append(f"{field.label(view.lang)}: {value.value}")
        self.summary.setText("\n".join(lines))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.confirm, view.t("confirm"))

    def clear(self) -> None:
        self.summary.setText("")
        self.service.setText("")
