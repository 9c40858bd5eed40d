"""Icons drawn in code (no image files to ship or fetch): the service tiles' categories,
and the problems the screens show.

Simple bold shapes in one colour, readable from arm's length: a cross (kesehatan),
an ID card (kependudukan), a document with a stamp (perizinan), a speech bubble
(pengaduan), an "i" in a circle (informasi), and four squares for anything else.
A problem (``ui.problems.Icon``) gets a card with a cross, a clock, a pulled plug,
a printer, a padlock, a pencil, a warning sign, or a tick for the thank-you.
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


# -- problem icons (#15): one per kind of problem, on the error screens and notices ---------
#: The colour of a problem's icon (the notices' text colour: 4.5:1 on their pink).
PROBLEM_COLOR = "#8a1c13"


def _badge_cross(p: QPainter, color: QColor, centre: QPointF, radius: float) -> None:
    """A filled circle with a white cross: "this is refused"."""
    p.setPen(_pen(QColor("white"), 5))
    p.setBrush(color)
    p.drawEllipse(centre, radius, radius)
    d = radius * 0.45
    p.setPen(_pen(QColor("white"), 7))
    p.drawLine(centre + QPointF(-d, -d), centre + QPointF(d, d))
    p.drawLine(centre + QPointF(-d, d), centre + QPointF(d, -d))


def _card_refused(p: QPainter, color: QColor) -> None:
    p.setPen(_pen(color, 7))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(6, 16, 72, 50), 8, 8)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(QRectF(16, 30, 16, 12), 2, 2)  # the chip
    p.drawRoundedRect(QRectF(16, 50, 36, 6), 3, 3)
    _badge_cross(p, color, QPointF(72, 72), 22)


def _clock(p: QPainter, color: QColor) -> None:
    p.setPen(_pen(color, 8))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(50, 50), 42, 42)
    p.drawLine(QPointF(50, 50), QPointF(50, 22))
    p.drawLine(QPointF(50, 50), QPointF(70, 62))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawEllipse(QPointF(50, 50), 6, 6)


def _plug(p: QPainter, color: QColor) -> None:
    """A plug pulled out of its socket: nothing connected."""
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(QRectF(10, 34, 26, 32), 6, 6)  # the plug's body
    p.drawRoundedRect(QRectF(36, 38, 14, 6), 2, 2)  # its two prongs
    p.drawRoundedRect(QRectF(36, 56, 14, 6), 2, 2)
    p.setPen(_pen(color, 7))
    p.drawLine(QPointF(10, 50), QPointF(2, 50))  # the cable
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(64, 26, 30, 48), 8, 8)  # the socket, apart from it
    p.setPen(_pen(color, 5))
    for y in (41, 59):
        p.drawLine(QPointF(72, y), QPointF(80, y))
    p.drawLine(QPointF(56, 20), QPointF(60, 30))  # the spark of the gap
    p.drawLine(QPointF(56, 80), QPointF(60, 70))


def _printer(p: QPainter, color: QColor) -> None:
    p.setPen(_pen(color, 7))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(26, 8, 48, 24))  # the paper going in
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(QRectF(6, 32, 88, 40), 8, 8)
    p.setBrush(QColor("white"))
    p.drawEllipse(QPointF(80, 44), 4, 4)
    p.setPen(_pen(color, 7))
    p.setBrush(QColor("white"))
    p.drawRect(QRectF(24, 58, 52, 34))  # the ticket coming out
    p.setPen(_pen(color, 5))
    for y in (70, 81):
        p.drawLine(QPointF(34, y), QPointF(66, y))


def _lock(p: QPainter, color: QColor) -> None:
    p.setPen(_pen(color, 10))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(28, 8, 44, 50), 0, 180 * 16)
    p.drawLine(QPointF(28, 33), QPointF(28, 44))
    p.drawLine(QPointF(72, 33), QPointF(72, 44))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(QRectF(14, 42, 72, 52), 8, 8)
    p.setBrush(QColor("white"))
    p.drawEllipse(QPointF(50, 62), 7, 7)
    p.drawRect(QRectF(47, 64, 6, 16))


def _pencil(p: QPainter, color: QColor) -> None:
    p.save()
    p.translate(50, 50)
    p.rotate(-45)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(QRectF(-30, -11, 54, 22), 3, 3)  # the body
    p.drawRoundedRect(QRectF(-44, -11, 10, 22), 3, 3)  # the eraser
    tip = QPainterPath()
    tip.moveTo(28, -11)
    tip.lineTo(46, 0)
    tip.lineTo(28, 11)
    tip.closeSubpath()
    p.drawPath(tip)
    p.restore()
    p.setPen(_pen(color, 6))
    p.drawLine(QPointF(10, 92), QPointF(90, 92))  # the line it writes on


def _warning(p: QPainter, color: QColor) -> None:
    triangle = QPainterPath()
    triangle.moveTo(50, 6)
    triangle.lineTo(95, 90)
    triangle.lineTo(5, 90)
    triangle.closeSubpath()
    p.setPen(_pen(color, 6))
    p.setBrush(color)
    p.drawPath(triangle)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawRoundedRect(QRectF(44, 32, 12, 34), 5, 5)
    p.drawEllipse(QPointF(50, 77), 6, 6)


def _done(p: QPainter, color: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawEllipse(QPointF(50, 50), 45, 45)
    p.setPen(_pen(QColor("white"), 10))
    p.drawPolyline([QPointF(28, 52), QPointF(44, 68), QPointF(73, 36)])


#: By :class:`ui.problems.Icon` value.
PROBLEM_DRAWINGS: dict[str, Draw] = {
    "card": _card_refused,
    "clock": _clock,
    "plug": _plug,
    "printer": _printer,
    "lock": _lock,
    "pencil": _pencil,
    "warning": _warning,
    "done": _done,
}


def draw_problem(painter: QPainter, kind: str, size: float, color: str = PROBLEM_COLOR) -> None:
    """Paint the problem icon ``kind`` (a warning sign if unknown) in a ``size`` square
    at the painter's origin."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / _UNITS, size / _UNITS)
        PROBLEM_DRAWINGS.get(kind, _warning)(painter, QColor(color))
    finally:
        painter.restore()
