"""A choice field for a finger: big tiles for a few options, a full-screen list for more.

A dropdown's popup is a separate small window whose items ignore the style
sheet's height, so the kiosk has none. A field with up to :data:`TILES_UP_TO`
choices shows every choice as a large checkable tile, one chosen at a time (radio
buttons). A longer one shows the chosen value on a wide button that opens
:class:`ChoiceList` over the whole form: a title, one big row per choice, a back
button. Choosing a row closes the list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.screens.common import button, set_button_text, set_spoken
from ui.screens.wrapping import WrappingButton, wrapping_button, wrapping_text

#: Up to this many choices are tiles on the form (four fit two by two, each ≥ 15 mm);
#: more open a full-screen list.
TILES_UP_TO = 4
#: Choices of up to this many characters stand side by side ("Rusak", "Hilang").
SIDE_BY_SIDE_UP_TO = 24


def _checkable(text: str, name: str, choice: str) -> WrappingButton:
    # a tile centres its text, a row of the list starts it at the left
    tile = WrappingButton(name, centred=name == "choiceTile")
    set_button_text(tile, text)
    tile.setCheckable(True)
    tile.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    tile.setProperty("choice", choice)
    set_spoken(tile)  # an option is said as touched, like a service tile
    return tile


class ChoiceField(QWidget):
    """One choice field of the form: :meth:`value` is what the citizen chose, or ""."""

    def __init__(
        self,
        choices: tuple[str, ...],
        on_touch: Callable[[], None],
        open_list: Callable[[ChoiceField], None],
        words: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.choices = choices
        #: What each choice is called on the screen, in its language (the value stays).
        self.words: Mapping[str, str] = words or {}
        self._value = ""
        self._locked = False
        self._on_touch = on_touch
        self.tiles: list[WrappingButton] = []
        self.opener: QPushButton | None = None
        self._hint = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(16)
        if len(choices) <= TILES_UP_TO:
            self.group = QButtonGroup(self)
            self.group.setExclusive(True)
            columns = len(choices) if len(choices) <= 3 else 2
            if max(len(self.said(c)) for c in choices) > SIDE_BY_SIDE_UP_TO:
                columns = 1  # sentences, one under the other: each wraps on a whole line
            #: Tiles side by side at most; fewer where a tile's longest word would not fit.
            self.most_columns = columns
            self.columns = 0
            self.grid = grid
            for choice in choices:
                tile = _checkable(self.said(choice), "choiceTile", choice)
                tile.clicked.connect(lambda _checked=False, c=choice: self._picked(c))
                self.group.addButton(tile)
                self.tiles.append(tile)
            self._arrange(columns)
        else:
            # the chosen value, in the catalog's words: they wrap, as on the list's rows
            self.opener = wrapping_button("", lambda: open_list(self), "choiceOpener")
            grid.addWidget(self.opener, 0, 0)

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        # columns of one width: the columns to come too (an empty grid has one column)
        for c in range(max(columns, self.grid.columnCount())):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        for i, tile in enumerate(self.tiles):
            self.grid.addWidget(tile, i // columns, i % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.tiles:  # as many side by side as keep every word whole
            # (not the tiles' minimum: that is their widest letter, so that one word wider
            # than the field breaks inside its tile instead of widening the screen)
            need = max(tile.whole_width() for tile in self.tiles)
            spacing = self.grid.spacing()
            fit = (self.width() + spacing) // (need + spacing)
            self._arrange(max(1, min(self.most_columns, fit)))

    def said(self, choice: str) -> str:
        """The words the screen shows for ``choice``."""
        return self.words.get(choice, choice)

    @property
    def locked(self) -> bool:
        return self._locked

    def value(self) -> str:
        return self._value

    def set_value(self, value: str, locked: bool) -> None:
        """Show ``value`` (one of the choices, else nothing chosen); a locked one stays."""
        self._value = value if value in self.choices else ""
        self._locked = locked
        if self.tiles:
            self.group.setExclusive(False)  # an exclusive group never unchecks its last
            for tile in self.tiles:
                tile.setChecked(tile.property("choice") == self._value)
                tile.setEnabled(not locked)
            self.group.setExclusive(True)
        if self.opener is not None:
            self.opener.setEnabled(not locked)
        self._show_value()

    def set_hint(self, hint: str) -> None:
        """What the list's button says while nothing is chosen ("Ketuk untuk memilih")."""
        self._hint = hint
        self._show_value()

    def choose(self, value: str) -> None:
        """The citizen chose ``value`` (a tile or a row of the list)."""
        if not self._locked:
            self.set_value(value, locked=False)

    def _picked(self, value: str) -> None:
        self._on_touch()
        self.choose(value)

    def _show_value(self) -> None:
        if self.opener is not None:
            set_button_text(self.opener, self.said(self._value) if self._value else self._hint)


class ChoiceList(QFrame):
    """The full-screen list of a long choice: one big row per choice, and back."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("choiceList")
        self.field: ChoiceField | None = None
        self.rows: list[WrappingButton] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(48, 48, 48, 48)
        box.setSpacing(24)
        self.title = wrapping_text("title")  # the field's label, from the catalog
        self.host = QWidget()
        self.list = QVBoxLayout(self.host)
        self.list.setSpacing(16)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.host)
        self.back = button("", self.close_list)
        box.addWidget(self.title)
        box.addWidget(self.scroll_area, 1)
        box.addWidget(self.back)
        self.hide()

    def open_for(self, field: ChoiceField, title: str, back: str) -> None:
        """Cover the form with ``field``'s choices, its chosen one marked."""
        self.close_list()
        self.field = field
        self.title.setText(title)
        self.scroll_area.setAccessibleName(title)  # the list is named after its field
        set_button_text(self.back, back)
        for choice in field.choices:
            row = _checkable(field.said(choice), "choiceRow", choice)
            row.setChecked(choice == field.value())
            row.clicked.connect(lambda _checked=False, c=choice: self._chosen(c))
            self.list.addWidget(row)
            self.rows.append(row)
        self.list.addStretch(1)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def _chosen(self, value: str) -> None:
        if self.field is not None:
            self.field.choose(value)
        self.close_list()

    def close_list(self) -> None:
        """Back to the form (also when the form is rebuilt or wiped)."""
        self.hide()
        self.field = None
        self.title.setText("")
        while self.list.count():
            item = self.list.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
