"""A QR code on screen: the same matrix the ticket prints, painted with Qt.

The matrix comes from :func:`printing.layouts.qr.qr_matrix` (reportlab's encoder), so
the code a citizen photographs when the printer is down is the code the paper
would have carried. Modules are whole pixels, with the quiet zone, black on
white whatever the theme: phone cameras read it from across the counter.

The matrix is turned into a one-pixel-per-module image once per text, and each
paint scales that image by a whole number without smoothing: a frame costs one
image draw, not one rectangle per run of dark modules.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from printing.layouts.qr import QUIET_ZONE, Matrix, qr_matrix

DARK, LIGHT = 0, 255


def module_image(matrix: Matrix) -> QImage:
    """``matrix`` as a grey image, one pixel per module (black dark, white light)."""
    side = len(matrix)
    stride = (side + 3) // 4 * 4  # Qt's rows start on 32-bit boundaries
    data = bytearray([LIGHT]) * (stride * side)
    for r, row in enumerate(matrix):
        start = r * stride
        data[start : start + side] = bytes(DARK if dark else LIGHT for dark in row)
    # copy(): the image owns its pixels, not the bytearray that goes out of scope
    return QImage(bytes(data), side, side, stride, QImage.Format.Format_Grayscale8).copy()


class QrCodeView(QWidget):
    """Shows the QR code of a text; hidden while there is none."""

    def __init__(self, side: int = 280) -> None:
        super().__init__()
        self.setObjectName("qrCode")
        self.setFixedSize(side, side)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.text = ""
        self._matrix: Matrix = ()
        self._image: QImage | None = None
        self.hide()

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.text = text
        self._matrix = qr_matrix(text) if text else ()
        self._image = module_image(self._matrix) if self._matrix else None
        self.setVisible(bool(text))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        image = self._image
        if image is not None:
            side = image.width()
            count = side + 2 * QUIET_ZONE
            module = max(1, min(self.width(), self.height()) // count)
            offset_x = (self.width() - module * count) // 2 + QUIET_ZONE * module
            offset_y = (self.height() - module * count) // 2 + QUIET_ZONE * module
            # no smooth transform: each module stays a square of whole pixels
            painter.drawImage(QRect(offset_x, offset_y, side * module, side * module), image)
        painter.end()
