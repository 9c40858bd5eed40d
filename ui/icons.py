"""Category icons for the service tiles, drawn in code: no image files to ship or fetch.

Simple bold shapes in one colour, readable from arm's length: a cross (kesehatan),
an ID card (kependudukan), a document with a stamp (perizinan), a speech bubble
(pengaduan), an "i" in a circle (informasi), and four squares for anything else.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ui.theme import PRIMARY

#: Tiles greyed out because the card cannot use the service.
MUTED = "#555555"
#: Drawn on a square of 100 units, scaled to the size asked for.
_UNITS = 100.0

Draw = Callable[[QPainter, QColor], None]


def _pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _cross(p: QPainter, color: QColor) -> None:
    upright = QPainterPath()
    upright.addRoundedRect(QRectF(34, 6, 32, 88), 5, 5)
    across = QPainterPath()
    across.addRoundedRect(QRectF(6, 34, 88, 32), 5, 5)
    p.fillPath(upright.united(across), color)


def _id_card(p: QPainter, color: QColor) -> None:
    p.setPen(_pen(color, 8))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(6, 18, 88, 64), 9, 9)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawEllipse(QPointF(31, 42), 10, 10)  # the photo: a head and shoulders
    p.drawChord(QRectF(15, 52, 32, 28), 0, 180 * 16)
    for y in (36, 50, 64):
        p.drawRoundedRect(QRectF(54, y - 4, 30, 8), 3, 3)


def _document_stamp(p: QPainter, color: QColor) -> None:
    page = QPainterPath()
    page.moveTo(12, 6)
    page.lineTo(56, 6)
    page.lineTo(74, 24)
    page.lineTo(74, 90)
    page.lineTo(12, 90)
    page.closeSubpath()
    p.setPen(_pen(color, 7))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(page)
    p.drawLine(QPointF(24, 28), QPointF(50, 28))
    p.drawLine(QPointF(24, 42), QPointF(60, 42))
    p.drawLine(QPointF(24, 56), QPointF(44, 56))
    # the stamp, overlapping the page's corner, cut out of it in white
    p.setPen(_pen(QColor("white"), 6))
    p.setBrush(color)
    p.drawEllipse(QPointF(70, 72), 22, 22)
    p.setPen(_pen(QColor("white"), 6))
    p.drawPolyline([QPointF(60, 72), QPointF(67, 80), QPointF(81, 63)])


def _speech_bubble(p: QPainter, color: QColor) -> None:
    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(6, 10, 88, 62), 16, 16)
    tail = QPainterPath()
    tail.moveTo(24, 66)
    tail.lineTo(18, 94)
    tail.lineTo(48, 66)
    tail.closeSubpath()
    p.fillPath(bubble.united(tail), color)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    for x in (29, 50, 71):
        p.drawEllipse(QPointF(x, 41), 7, 7)


def _info(p: QPainter, color: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawEllipse(QPointF(50, 50), 45, 45)
    p.setBrush(QColor("white"))
    p.drawEllipse(QPointF(50, 27), 8, 8)
    p.drawRoundedRect(QRectF(42, 41, 16, 40), 4, 4)


def _neutral(p: QPainter, color: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    for x in (8, 54):
        for y in (8, 54):
            p.drawRoundedRect(QRectF(x, y, 38, 38), 8, 8)


DRAWINGS: dict[str, Draw] = {
    "kesehatan": _cross,
    "kependudukan": _id_card,
    "perizinan": _document_stamp,
    "pengaduan": _speech_bubble,
    "informasi": _info,
}


def category_pixmap(category: str, size: int, *, gap: int = 0, muted: bool = False) -> QPixmap:
    """The icon of ``category`` (the neutral one if unknown), ``size`` pixels square,
    followed by ``gap`` transparent pixels (a button puts its text right after it)."""
    pixmap = QPixmap(size + gap, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / _UNITS, size / _UNITS)
        DRAWINGS.get(category, _neutral)(painter, QColor(MUTED if muted else PRIMARY))
    finally:
        painter.end()
    return pixmap


def category_icon(category: str, size: int, *, gap: int = 0, muted: bool = False) -> QIcon:
    """:func:`category_pixmap` as an icon for a button (``setIconSize(size + gap, size)``)."""
    return QIcon(category_pixmap(category, size, gap=gap, muted=muted))
