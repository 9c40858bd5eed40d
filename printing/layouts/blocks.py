"""The layout engine under every document: blocks measured first, drawn second.

A document is a list of blocks (lines of text, rules, a picture, a QR code)
stacked from the top of the page. Each block knows its height, so a roll
page is made exactly as tall as its content and nothing is ever clipped.
Output is deterministic (reportlab's ``invariant`` mode): the same document
always gives the same bytes, which keeps tests and reprints exact.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.layouts.fonts import Fonts
from printing.layouts.paper import Frame
from printing.layouts.qr import Matrix, draw_qr

#: Height of a line box, as a multiple of the font size.
LEADING = 1.25

# reportlab's TrueType fonts are shared objects that track each PDF being
# written; rendering one document at a time keeps that bookkeeping sound.
render_lock = threading.Lock()


@dataclass(frozen=True)
class Text:
    """One line of text."""

    text: str = field(repr=False)  # may be personal data (a slip's name)
    font: str
    size: float
    space_before: float = 0.0
    #: From the top of the line box to the baseline, as a multiple of the size.
    ascent: float = 1.0
    leading: float = LEADING
    align: Literal["center", "left"] = "center"
    #: Extra left indent for ``align="left"`` (a hanging indent for bullets).
    indent: float = 0.0
    #: White on a black band across the text width (the reprint mark).
    inverse: bool = False

    @property
    def height(self) -> float:
        return self.space_before + self.size * self.leading


@dataclass(frozen=True)
class Rule:
    """A dashed separator across the text width."""

    height: float = 4 * mm


@dataclass(frozen=True)
class Space:
    """Empty room between blocks."""

    height: float


@dataclass(frozen=True)
class QrCode:
    matrix: Matrix
    #: Side of the square, quiet zone included.
    size: float
    space_before: float = 0.0

    @property
    def height(self) -> float:
        return self.space_before + self.size


@dataclass(frozen=True)
class Picture:
    """An image (the office's logo), centred."""

    image: Any  # reportlab.lib.utils.ImageReader
    width: float
    size: float  # its height on paper
    space_before: float = 0.0

    @property
    def height(self) -> float:
        return self.space_before + self.size


Block = Text | Rule | Space | QrCode | Picture


def paragraph(
    text: str,
    font: str,
    size: float,
    width: float,
    space_before: float = 0.0,
    *,
    align: Literal["center", "left"] = "center",
    indent: float = 0.0,
    first_indent: float | None = None,
) -> list[Block]:
    """``text`` wrapped to ``width`` as lines; ``space_before`` goes above the first."""
    lines = wrap_text(text, font, size, width - indent)
    start = indent if first_indent is None else first_indent
    return [
        Text(line, font, size, space_before if i == 0 else 0.0, align=align,
             indent=start if i == 0 else indent)
        for i, line in enumerate(lines)
    ]  # fmt: skip


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``.

    Breaks between words; a single word wider than the line is broken
    between characters rather than clipped. Runs of whitespace collapse.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while stringWidth(word, font, size) > width:
            cut = _longest_prefix(word, font, size, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _longest_prefix(word: str, font: str, size: float, width: float) -> int:
    """Length of the longest prefix of ``word`` that fits; at least one character."""
    cut = 1
    while cut < len(word) and stringWidth(word[: cut + 1], font, size) <= width:
        cut += 1
    return cut


def render_pdf(blocks: list[Block], frame: Frame, fonts: Fonts, meta: dict[str, str]) -> bytes:
    """One page holding ``blocks``; ``meta`` sets title, subject and author."""
    content = frame.top_margin + sum(block.height for block in blocks) + frame.bottom_margin
    height = max(content, frame.page_height or 0.0)
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(frame.width, height),
        invariant=1,
        pageCompression=1,
        initialFontName=fonts.regular,
    )
    canvas.setTitle(meta.get("title", ""))
    canvas.setSubject(meta.get("subject", ""))
    canvas.setAuthor(meta.get("author", ""))
    canvas.setCreator("Anjungan")
    _draw(canvas, blocks, frame, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw(canvas: Canvas, blocks: list[Block], frame: Frame, height: float) -> None:
    centre = frame.width / 2
    top = height - frame.top_margin
    for block in blocks:
        if isinstance(block, Rule):
            y = top - block.height / 2
            canvas.saveState()
            canvas.setLineWidth(0.8)
            canvas.setDash(3, 2)
            canvas.line(frame.side_margin, y, frame.width - frame.side_margin, y)
            canvas.restoreState()
        elif isinstance(block, Space):
            pass
        elif isinstance(block, QrCode):
            bottom = top - block.height
            draw_qr(canvas, block.matrix, centre - block.size / 2, bottom, block.size)
        elif isinstance(block, Picture):
            bottom = top - block.height
            canvas.drawImage(
                block.image, centre - block.width / 2, bottom, block.width, block.size, mask="auto"
            )
        else:
            _draw_text(canvas, block, frame, top)
        top -= block.height


def _draw_text(canvas: Canvas, block: Text, frame: Frame, top: float) -> None:
    baseline = top - block.space_before - block.ascent * block.size
    canvas.saveState()
    if block.inverse:
        band = top - block.height
        canvas.rect(frame.side_margin, band, frame.text_width, block.height - block.space_before,
                    stroke=0, fill=1)  # fmt: skip
        canvas.setFillGray(1)
    canvas.setFont(block.font, block.size)
    if block.align == "left":
        canvas.drawString(frame.side_margin + block.indent, baseline, block.text)
    else:
        canvas.drawCentredString(frame.width / 2, baseline, block.text)
    canvas.restoreState()
