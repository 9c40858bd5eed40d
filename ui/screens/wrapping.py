"""A button whose text wraps: the service tiles, the kiosk's own tiles, the choices.

A QPushButton paints its text on one line per ``\\n`` and cuts what does not fit
("Pendaftaran Poli Umum Puskesma"). :class:`WrappingButton` paints no text of its
own: it lays out its icon and a word-wrapping plain label (``ui.screens.common``
``plain_label``) inside itself, and asks its layout for the height a width needs,
so a tile grows instead of cutting its text.

It keeps a button's surface: :meth:`text`/:meth:`setText` and :meth:`icon`/
:meth:`setIcon` read and set what the label shows; the accessible name is the
whole text. The label takes the tile's look from the theme (``QLabel#tileText``,
with the button's ``checked`` and ``blocked`` states copied onto it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTextBoundaryFinder
from PySide6.QtGui import QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy

from ui.screens.common import plain_label, set_spoken

#: Room inside the tile's border, as the theme's ``padding: 12px 24px`` plus its 2 px border.
INSIDE_X = 26
INSIDE_Y = 14
#: Room between the icon and the text.
ICON_GAP = 20


class WrappingButton(QPushButton):
    """A push button showing an icon and a text that wraps; it grows to the text's height."""

    def __init__(self, name: str, *, centred: bool = False) -> None:
        super().__init__()
        self.setObjectName(name)
        self.text_label = plain_label(name="tileText", wrap=True)
        align = Qt.AlignmentFlag.AlignCenter if centred else Qt.AlignmentFlag.AlignLeft
        self.text_label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.icon_label = plain_label(name="tileIcon")
        self.icon_label.hide()
        for part in (self.icon_label, self.text_label):
            # a touch on the text is a touch on the tile
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._row = row = QHBoxLayout(self)
        row.setContentsMargins(INSIDE_X, INSIDE_Y, INSIDE_X, INSIDE_Y)
        row.setSpacing(ICON_GAP)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.text_label, 1)
        # as wide as its place, as high as its text there (a QPushButton's own height is fixed)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._text = ""
        self._icon = QIcon()
        self._icon_size = QSize()
        self._cap = 0
        #: The longest word's width (``_widest``), and the text, font and icon it is for.
        self._widest_for: tuple[str, str, int] | None = None
        self._widest_px = 0
        self.toggled.connect(lambda _on: self._restyle_label())

    # -- a button's surface, on the label ------------------------------------------
    def text(self) -> str:
        """The text as set (``&&`` for a literal ``&``, as a QPushButton's)."""
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:  # as a QPushButton: the same words ask for no layout pass
            return
        self._text = text
        shown = text.replace("&&", "&")
        self.text_label.setText(shown)
        self.setAccessibleName(shown)
        self.updateGeometry()
        self._fit_cap()  # new words may need more than the cap: now, not at the next resize

    def icon(self) -> QIcon:
        return self._icon

    def setIcon(self, icon: QIcon | QPixmap) -> None:
        self._icon = QIcon(icon)
        self._show_icon()

    def iconSize(self) -> QSize:
        return self._icon_size

    def setIconSize(self, size: QSize) -> None:
        self._icon_size = size
        self._show_icon()

    def _show_icon(self) -> None:
        shown = not self._icon.isNull() and not self._icon_size.isEmpty()
        if shown:
            self.icon_label.setPixmap(self._icon.pixmap(self._icon_size))
            self.icon_label.setFixedSize(self._icon_size)
        self.icon_label.setVisible(shown)
        self.updateGeometry()

    def mark(self, name: str, value: bool) -> None:
        """Set a state the theme draws (``blocked``) on the tile and on its text."""
        self.setProperty(name, value)
        self.style().unpolish(self)
        self.style().polish(self)
        self._restyle_label()

    def _restyle_label(self) -> None:
        self.text_label.setProperty("checked", self.isChecked())
        self.text_label.setProperty("blocked", self.property("blocked") is True)
        self.text_label.style().unpolish(self.text_label)
        self.text_label.style().polish(self.text_label)
        self.text_label.updateGeometry()
        self.updateGeometry()

    # -- as high as its text needs --------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.minimumHeight(), self._row.totalHeightForWidth(width))

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        inner = self._row.sizeHint()
        width = max(hint.width(), inner.width())
        return QSize(width, max(hint.height(), self.heightForWidth(width)))

    def minimumSizeHint(self) -> QSize:
        # A QPushButton's minimum is its size hint: here the words at the wrap the label
        # prefers (some 1,000 px for a long text at "A+"). The tile's is its longest word.
        # The theme's touch size is an explicit minimum, which layouts take instead: this
        # hint is what the layout checks report of a tile's room (testkit.layout_checks).
        width = max(self._row.minimumSize().width(), self._widest())
        return QSize(width, super().minimumSizeHint().height())

    def _widest(self) -> int:
        """The width its longest word needs on one line, with the icon and the margins.

        A word here is what lies between two places Qt may break a line (Unicode's line
        breaking, as the label wraps): "Kelahiran/Kematian" may break after the slash.
        """
        text, font = self.text_label.text(), self.text_label.font()
        icon = self._icon_size.width() + ICON_GAP if self.icon_label.isVisibleTo(self) else 0
        key = (text, font.key(), icon)
        if key != self._widest_for:
            metrics = self.text_label.fontMetrics()
            finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Line, text)
            word, start = 0, 0
            while (end := finder.toNextBoundary()) != -1:
                word = max(word, metrics.horizontalAdvance(text[start:end].rstrip()))
                start = end
            self._widest_for, self._widest_px = key, word + icon + 2 * INSIDE_X
        return self._widest_px

    def set_height_cap(self, px: int) -> None:
        """Grow with the screen up to ``px`` high, or to what the text needs if more."""
        self._cap = px
        self._fit_cap()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_cap()

    def event(self, event: QEvent) -> bool:
        # What the text needs changed without a resize (a new font, "A+", an icon): a tile
        # already at its cap keeps its size, so no resize would ever lift the cap.
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_cap()
        return super().event(event)

    def _fit_cap(self) -> None:
        """The cap, or what the words need at this width if more (never cut to the cap)."""
        if self._cap:
            high = max(self._cap, self.heightForWidth(self.width()))
            if high != self.maximumHeight():
                self.setMaximumHeight(high)


def wrapping_button(
    text: str, on_click: Callable[[], None], name: str, *, centred: bool = False
) -> WrappingButton:
    """A :class:`WrappingButton` said aloud when touched, like ``common.button``'s."""
    widget = WrappingButton(name, centred=centred)
    widget.setText(text.replace("&", "&&"))
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    widget.clicked.connect(lambda _checked=False: on_click())
    set_spoken(widget)
    return widget
