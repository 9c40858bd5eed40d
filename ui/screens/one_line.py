"""A number or code on one line: at the theme's size where it fits, smaller where not.

A number is read as one thing, from across the hall and at the counter. Broken over two
lines where its line is full, a prefix of the catalog's eight wide letters showed
``WWWWWWW`` and, alone on the next line, ``W-001``: a number of its own, which a citizen
could take for hers. A complaint's reference (``ADU-WWMW-MWWM-WWMW`` at worst) at "A+" on
a portrait screen needed 1,140 px and grew the window past the screen.

:class:`OneLine` paints its text whole on one line, in the theme's type where the line
has the room, and where it has not in the largest size that fits, never under the body's
size (:data:`~ui.theme.LEVELS`); the row keeps the theme's height, so what stands under
the text does not move with its width.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel

from ui.theme import LEVELS


class OneLine(QLabel):
    """A plain, centred label of one line that paints its text in :meth:`shown_font`.

    ``name`` is its look in the theme's style sheet, ``level`` that look's level in
    :data:`~ui.theme.LEVELS` (how many times the body's size it is).
    """

    def __init__(self, name: str, level: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._level = LEVELS[level]
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(False)
        #: The font made for (text, the theme's font, the room), and the font.
        self._fitted_for: tuple[str, str, int] | None = None
        self._fitted = QFont()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fitted_for = None  # (the text it was made for is kept no longer)

    def _room(self) -> int:
        return self.contentsRect().width() - 2 * self.margin()

    def shown_font(self) -> QFont:
        """The font the text is painted in: the theme's, or the largest smaller one in
        which it fits its width, down to the body's size."""
        key = (self.text(), self.font().key(), self._room())
        if key != self._fitted_for:
            self._fitted_for, self._fitted = key, self._fit(key[2])
        return self._fitted

    def _fit(self, room: int) -> QFont:
        font = QFont(self.font())
        size = font.pixelSize() if font.pixelSize() > 0 else round(font.pointSizeF() * 4 / 3)
        least = self._least(size)
        wide = QFontMetricsF(font).horizontalAdvance(self.text())
        while wide > room and size > least:
            # in proportion to the room, then down a pixel at a time (rounding, hinting)
            size = max(least, min(size - 1, math.floor(size * room / wide)))
            font.setPixelSize(size)
            wide = QFontMetricsF(font).horizontalAdvance(self.text())
        return font

    def _least(self, size: int) -> int:
        """The body's size, for a text at the theme's ``size`` (its level's multiple)."""
        return max(1, math.ceil(size / self._level))

    def minimumSizeHint(self) -> QSize:
        # As high as the theme's line; as wide as the text in the body's type (a layout
        # short of room makes it smaller, never the window wider).
        hint = super().minimumSizeHint()
        font = QFont(self.font())
        size = font.pixelSize() if font.pixelSize() > 0 else round(font.pointSizeF() * 4 / 3)
        font.setPixelSize(self._least(size))
        wide = math.ceil(QFontMetricsF(font).horizontalAdvance(self.text()))
        margins = self.contentsMargins()
        extra = margins.left() + margins.right() + 2 * self.margin()
        return QSize(wide + extra, hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.drawFrame(painter)
        painter.setFont(self.shown_font())
        m = self.margin()
        where = self.contentsRect().marginsRemoved(QMargins(m, m, m, m))
        self.style().drawItemText(
            painter,
            where,
            self.alignment().value,
            self.palette(),
            self.isEnabled(),
            self.text(),
            self.foregroundRole(),
        )
