"""Whether the texts on a kiosk screen can be read: their painted size and contrast.

:func:`text_size_problems` measures the font each visible text is painted
with (after the style sheet) against the theme's type scale;
:func:`contrast_problems` grabs the window as painted and, for each visible
label and button, estimates its text and background colours from its own
pixels (the background is the commonest colour, the text the colour that
stands out most from it) and checks the ratio against WCAG 2.2 AA.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFontInfo, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ui.theme import LOOKS, TypeScale

RGB = tuple[int, int, int]
#: WCAG 2.2 AA: 4.5:1 for text, 3:1 for large text (18 pt, or 14 pt bold: at 96 dpi
#: 24 px, or 18.66 px bold).
AA_TEXT = 4.5
AA_LARGE_TEXT = 3.0


def rgb(colour: str | QColor) -> RGB:
    c = QColor(colour)
    return (c.red(), c.green(), c.blue())


def relative_luminance(colour: RGB) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG 2.2's contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def aa_minimum(px: int, bold: bool) -> float:
    """The ratio WCAG 2.2 AA asks of text painted ``px`` pixels high (at 96 dpi)."""
    large = px >= 24 or (bold and px >= 18.66)
    return AA_LARGE_TEXT if large else AA_TEXT


def _text(w: QWidget) -> str:
    if isinstance(w, QLabel | QAbstractButton | QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QComboBox):
        return w.currentText()
    return ""


def shown_texts(window: QWidget) -> Iterator[QWidget]:
    """Every visible widget showing a text, but the demo build's simulated cards."""
    app = QApplication.instance()
    assert app is not None
    app.processEvents()
    for w in window.findChildren(QWidget):
        if w.isVisible() and not w.property("demo") and _text(w).strip():
            yield w


def _levels() -> dict[str, str]:
    """Object name → its level on the type scale, from the theme's rules."""
    levels = {}
    for look in LOOKS:
        for selector in look.selector.split(","):
            name = selector.strip().partition("#")[2]
            if look.level is not None and name.isidentifier():
                levels[name] = look.level
    return levels


def text_size_problems(window: QWidget, scale: TypeScale) -> list[str]:
    """Texts painted smaller than the body size, or than their own level (titles)."""
    levels = _levels()
    problems = []
    for w in shown_texts(window):
        w.ensurePolished()
        px = QFontInfo(w.font()).pixelSize()
        level = levels.get(w.objectName(), "body")
        if px < scale.px(level):
            what = f"{type(w).__name__}({w.objectName()}) {_text(w)[:30]!r}"
            problems.append(f"{what} is {px} px, under {level} {scale.px(level)} px")
    return problems


def painted_colours(image: QImage) -> tuple[RGB, RGB]:
    """The background (the commonest colour) and the text (the colour, on at least
    two pixels, of the greatest contrast with it) of a painted text's pixels."""
    pixels = image.convertToFormat(QImage.Format.Format_RGB32)
    data = array("I", bytes(pixels.constBits()))
    counts = Counter(data)
    background = counts.most_common(1)[0][0]

    def colour(value: int) -> RGB:
        return ((value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF)

    bg = colour(background)
    candidates = [colour(v) for v, n in counts.items() if n >= 2 and v != background]
    fg = max(candidates, key=lambda c: contrast_ratio(c, bg), default=bg)
    return bg, fg


def _on_window(w: QWidget, window: QWidget) -> QRect | None:
    """Where ``w``'s contents are painted on ``window``; None unless wholly in view
    (no ancestor, such as a scroll area's viewport, clips any of it)."""
    where = QRect(w.mapTo(window, w.contentsRect().topLeft()), w.contentsRect().size())
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        shown = QRect(parent.mapTo(window, parent.rect().topLeft()), parent.size())
        if not shown.contains(where):
            return None
        parent = parent.parentWidget()
    return where


def contrast_problems(window: QWidget) -> list[str]:
    """Visible labels and buttons whose painted text is too faint for WCAG 2.2 AA."""
    picture = window.grab().toImage()
    # Under a dimming overlay (the "still there?" warning) only the overlay is read.
    covers = [c for c in window.findChildren(QWidget, "overlay") if c.isVisible()]
    problems = []
    for w in shown_texts(window):
        if not isinstance(w, QLabel | QAbstractButton):
            continue
        if covers and not any(c.isAncestorOf(w) for c in covers):
            continue
        where = _on_window(w, window)
        if where is None:
            continue  # scrolled partly out of view: read where it is whole
        bg, fg = painted_colours(picture.copy(where))
        info = QFontInfo(w.font())
        needed = aa_minimum(info.pixelSize(), info.bold())
        ratio = contrast_ratio(fg, bg)
        if ratio < needed:
            what = f"{type(w).__name__}({w.objectName()}) {_text(w)[:30]!r}"
            problems.append(
                f"{what}: {QColor(*fg).name()} on {QColor(*bg).name()} is "
                f"{ratio:.2f}:1, under {needed}:1"
            )
    return problems
