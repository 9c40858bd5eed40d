"""What is wrong with the layout of a kiosk screen as painted: too small to touch, off the
window, or text cut.

:func:`layout_problems` checks the window and every other top-level window shown (a
popup, a list): each interactive widget at least the touch size, each list row too;
nothing leaving its window, nor the sides of a scroll area that only scrolls up and down
(what lies above or below its view is scrolled to); no wrapped label shorter than its
text needs, no line of a label (wrapped or not) or a button wider than the room it has.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from kiosk.tickets.complaints import REFERENCE_LETTERS
from ui.screens.one_line import OneLine
from ui.window import KioskWindow

#: The two screens a kiosk stands in.
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QScrollBar)


def ink_lines(widget: QWidget) -> int:
    """The lines of ink a widget paints: runs of rows with a pixel unlike its corner's."""
    image = widget.grab().toImage()
    paper = image.pixel(0, 0)
    lines, inked = 0, False
    for y in range(image.height()):
        row = any(image.pixel(x, y) != paper for x in range(image.width()))
        lines += row and not inked
        inked = row
    return lines


def widest_reference(font: QFont) -> str:
    """The widest complaint reference a kiosk can make that no line can break, painted in
    ``font``: each group a digit, then the widest letter. (Unicode's line breaking puts
    no break between a hyphen and a number, so such a reference is one word; a random
    one is as wide only now and then.)"""
    metrics = QFontMetricsF(font)
    digit = max("0123456789", key=metrics.horizontalAdvance)
    widest = max(REFERENCE_LETTERS, key=metrics.horizontalAdvance)
    return "ADU-" + "-".join([digit + widest * 3] * 3)


def _scrolled_by(widget: QWidget) -> QAbstractScrollArea | None:
    """The innermost scroll area whose content holds ``widget`` (it lies under the area's
    viewport): None for what is not scrolled, as the viewport itself and the scroll bars."""
    inner = widget.parentWidget()
    while inner is not None:
        area = inner.parentWidget()
        if isinstance(area, QAbstractScrollArea) and inner is area.viewport():
            return area
        inner = area
    return None


def _outside(where: QRect, top: QWidget, frame: QRect, area: QAbstractScrollArea | None) -> str:
    """Where a widget at ``where`` (in ``top``) is cut: off its window, or off the sides of
    the scroll area it lies in if that area only scrolls up and down; "" when it is not.
    The citizen scrolls to what lies above or below a scroll area's view (or beside it, if
    it scrolls sideways), never to what lies beside a view that does not scroll sideways."""
    if area is None:
        return "" if frame.contains(where) else f"leaves the window {frame.getRect()}"
    if area.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        return ""
    viewport = area.viewport()
    view = QRect(viewport.mapTo(top, QPoint(0, 0)), viewport.size())
    if where.left() < view.left() or where.right() > view.right():
        return f"is cut by the sides of its scroll area's view {view.getRect()} (never scrolled)"
    return ""


def shown_windows(window: QWidget) -> list[QWidget]:
    """The window and every other top-level widget shown: a popup or a list is its own window."""
    others = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]
    return [window, *others]


def _item_problems(view: QAbstractItemView, name: str, touch_px: int) -> list[str]:
    """A list's rows are painted, not widgets: each row shown must be finger-sized."""
    model = view.model()
    if model is None:
        return []
    problems = []
    for row in range(model.rowCount()):
        height = view.visualRect(model.index(row, 0)).height()
        if 0 < height < touch_px:  # a hidden row has no height
            text = model.data(model.index(row, 0))
            problems.append(f"{name} row {text!r} is {height} px high, under {touch_px}")
    return problems


def layout_problems(window: QWidget, touch_px: int) -> list[str]:
    """What is too small to touch or lies (partly) outside its window, on everything shown:
    the window's widgets and those of any other window shown (a dropdown's popup)."""
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()
    problems = []
    for top in shown_windows(window):
        frame = top.rect()
        for w in [top, *top.findChildren(QWidget)]:
            if not w.isVisible() or w.property("demo"):
                continue
            name = f"{type(w).__name__}({w.objectName() or w.property('key') or ''})"
            if isinstance(w, INTERACTIVE) and min(w.width(), w.height()) < touch_px:
                problems.append(f"{name} is {w.width()}×{w.height()} px, under {touch_px}")
            if isinstance(w, QAbstractItemView):
                problems += _item_problems(w, name, touch_px)
            if isinstance(w, QAbstractButton):
                problems += _button_text_problems(w, name)
            # what the label paints (a WrappingText's breaks in), not what it was given
            if isinstance(w, QLabel) and QLabel.text(w):
                needed = w.heightForWidth(w.width()) if w.wordWrap() else -1
                if needed > w.height() + 2:  # in a scroll area too: its tile is too short
                    shown = QLabel.text(w)[:30]
                    problems.append(f"{name} {shown!r} cut: {w.height()} of {needed} px")
                problems += _word_problems(w, name)
            if w is top:
                continue
            where = QRect(w.mapTo(top, QPoint(0, 0)), w.size())
            if cut := _outside(where, top, frame, _scrolled_by(w)):
                problems.append(f"{name} at {where.getRect()} {cut}")
    return problems


def _word_problems(label: QLabel, name: str) -> list[str]:
    """A wrapped label breaks lines where Qt may (between words, after a hyphen, at the
    zero-width breaks a ``WrappingText`` puts into a word too wide for its line), never
    elsewhere inside a word: each line laid out at the label's width must fit it. A label
    that does not wrap paints each of its lines whole: each must fit its width (the
    ticket's number in the type it is painted in, smaller where the theme's is too wide)."""
    room = label.contentsRect().width() - 2 * label.margin()
    # QLabel paints inside its margin and its indent on the side it is aligned to; a label
    # with a frame (a themed border) and no indent set gets half an "x" of one.
    indent = label.indent()
    if indent < 0 and label.frameWidth():
        indent = label.fontMetrics().horizontalAdvance("x") // 2 - label.margin()
    if indent > 0:
        align = label.alignment()
        room -= indent * (
            bool(align & Qt.AlignmentFlag.AlignLeft) + bool(align & Qt.AlignmentFlag.AlignRight)
        )
    problems = []
    painted = label.shown_font() if isinstance(label, OneLine) else label.font()
    metrics = QFontMetricsF(painted)
    for paragraph in QLabel.text(label).split("\n"):
        if label.wordWrap():
            lines = laid_out_lines(paragraph, label.font(), room)
        else:
            lines = [(paragraph, metrics.horizontalAdvance(paragraph))]
        for shown, wide in lines:
            if wide > room + 1:
                problems.append(f"{name} {shown[:30]!r} is wider than its {room} px")
    return problems


def laid_out_lines(text: str, font: QFont, width: int) -> list[tuple[str, float]]:
    """The lines a word-wrapping QLabel lays ``text`` out in at ``width`` (one paragraph):
    each line's characters and how wide they are painted (wider than ``width`` only for
    a word with no place to break inside)."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    lines = []
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        start = line.textStart()
        lines.append((text[start : start + line.textLength()], line.naturalTextWidth()))
    layout.endLayout()
    return lines


def _button_text_problems(button: QAbstractButton, name: str) -> list[str]:
    """A button paints its own text on one line per line break and never wraps it: each
    line (and the icon beside it) must fit inside its border and padding. A wrapping
    tile paints none (``QAbstractButton.text`` is then empty): its label is measured."""
    text = QAbstractButton.text(button).replace("&&", "&")
    if not text:
        return []
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = text
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    metrics = QFontMetrics(button.font())
    lines = text.split("\n")
    icon = button.iconSize().width() if not button.icon().isNull() else 0
    wide = max(metrics.horizontalAdvance(line) for line in lines) + icon
    high = len(lines) * metrics.lineSpacing()
    if wide > room.width() or high > room.height() + 2:
        return [f"{name} {text[:30]!r} needs {wide}×{high} px, has {room.width()}×{room.height()}"]
    return []


def wider_than(window: KioskWindow, width: int) -> list[str]:
    """Every widget (shown or not) whose minimum width is over ``width``, outermost first,
    with the text it holds: what made a window grow past its screen."""
    found = []
    for w in [window, *window.findChildren(QWidget)]:
        need = max(w.minimumSizeHint().width(), w.minimumWidth())
        if need > width:
            text = w.text() if isinstance(w, QLabel | QAbstractButton) else ""
            shown = "shown" if w.isVisible() else "hidden"
            name = f"{type(w).__name__}({w.objectName() or w.property('key') or ''})"
            found.append(f"{name} {shown} needs {need} px {text[:40]!r}")
    return found


class LayoutRequests(QObject):
    """Counts the layout passes asked of a widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False
