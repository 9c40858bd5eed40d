"""A QR code on screen: the same matrix the ticket prints, painted with Qt.

The matrix comes from :func:`printing.layouts.qr.qr_matrix` (reportlab's encoder), so
the code a citizen photographs when the printer is down is the code the paper
would have carried. Modules are whole pixels, with the quiet zone, black on
white whatever the theme: phone cameras read it from across the counter.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from printing.layouts.qr import QUIET_ZONE, Matrix, dark_runs, qr_matrix


class QrCodeView(QWidget):
    """Shows the QR code of a text; hidden while there is none."""

    def __init__(self, side: int = 280) -> None:
        super().__init__()
        self.setObjectName("qrCode")
        self.setFixedSize(side, side)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.text = ""
        self._matrix: Matrix = ()
        self.hide()

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.text = text
        self._matrix = qr_matrix(text) if text else ()
        self.setVisible(bool(text))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self._matrix:
            count = len(self._matrix) + 2 * QUIET_ZONE
            module = max(1, min(self.width(), self.height()) // count)
            offset_x = (self.width() - module * count) // 2 + QUIET_ZONE * module
            offset_y = (self.height() - module * count) // 2 + QUIET_ZONE * module
            black = QColor("black")
            for row, column, length in dark_runs(self._matrix):
                rect = QRect(offset_x + column * module, offset_y + row * module,
                             length * module, module)  # fmt: skip
                painter.fillRect(rect, black)
        painter.end()
