"""Lay out documents as PDF pages sized for the paper they are printed on.

The layout is measured first and drawn second: text is wrapped into lines,
their heights are summed, and a roll-paper page is made exactly as tall as
its content. Nothing is ever clipped: long text wraps, and the queue number
shrinks until it fits the width.

Output is deterministic (reportlab's ``invariant`` mode): the same ticket
always gives the same bytes, which keeps tests and reprints exact.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from enum import StrEnum

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import Fonts, document_fonts
from printing.texts import TICKET_TEXTS, format_datetime
from printing.ticket import TicketDocument

_render_lock = threading.Lock()

#: Height of a line box, as a multiple of the font size.
LEADING = 1.25


class Paper(StrEnum):
    """Paper a document can be laid out for. Values are used in configuration."""

    ROLL_80MM = "80mm"


@dataclass(frozen=True)
class PaperSpec:
    """Geometry of one paper, in PDF points (1/72 inch)."""

    width: float
    #: Unprinted strip on the left and on the right.
    side_margin: float
    top_margin: float
    bottom_margin: float
    #: Largest size of the queue number; smaller if it would not fit.
    number_size: float

    @property
    def text_width(self) -> float:
        return self.width - 2 * self.side_margin


PAPERS: dict[Paper, PaperSpec] = {
    # 80 mm rolls are printed 72 mm wide (576 dots at 203 dpi) by most heads.
    Paper.ROLL_80MM: PaperSpec(
        width=80 * mm,
        side_margin=4 * mm,
        top_margin=5 * mm,
        bottom_margin=6 * mm,
        number_size=64,
    ),
}


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


@dataclass(frozen=True)
class _Text:
    text: str
    font: str
    size: float
    space_before: float = 0.0
    #: From the top of the line box to the baseline, as a multiple of the size.
    ascent: float = 1.0
    leading: float = LEADING

    @property
    def height(self) -> float:
        return self.space_before + self.size * self.leading


@dataclass(frozen=True)
class _Rule:
    """A dashed separator across the text width."""

    height: float = 4 * mm


_Block = _Text | _Rule


def _ticket_blocks(doc: TicketDocument, spec: PaperSpec, fonts: Fonts) -> list[_Block]:
    texts = TICKET_TEXTS[doc.language]
    width = spec.text_width

    def paragraph(text: str, font: str, size: float, space_before: float = 0.0) -> list[_Block]:
        lines = wrap_text(text, font, size, width)
        return [
            _Text(line, font, size, space_before if i == 0 else 0.0) for i, line in enumerate(lines)
        ]

    number_size = min(spec.number_size, width / stringWidth(doc.number, fonts.bold, 1))
    blocks: list[_Block] = [
        *paragraph(doc.office_name, fonts.bold, 11),
        _Rule(),
        *paragraph(texts.heading, fonts.regular, 12),
        # Capitals and digits only: a box hugging their height, no room for descenders.
        _Text(doc.number, fonts.bold, number_size, 2 * mm, ascent=0.8, leading=1.0),
        *paragraph(doc.service_name, fonts.bold, 14, space_before=1 * mm),
    ]
    if doc.counter.strip():
        blocks += paragraph(f"{texts.counter_label} {doc.counter}", fonts.regular, 13, 1 * mm)
    blocks += [
        _Rule(),
        *paragraph(format_datetime(doc.issued_at, doc.language), fonts.regular, 10),
        *paragraph(texts.footer, fonts.regular, 9, space_before=1 * mm),
    ]
    return blocks


def _draw(canvas: Canvas, blocks: list[_Block], spec: PaperSpec, height: float) -> None:
    centre = spec.width / 2
    top = height - spec.top_margin
    for block in blocks:
        if isinstance(block, _Rule):
            y = top - block.height / 2
            canvas.saveState()
            canvas.setLineWidth(0.8)
            canvas.setDash(3, 2)
            canvas.line(spec.side_margin, y, spec.width - spec.side_margin, y)
            canvas.restoreState()
        else:
            baseline = top - block.space_before - block.ascent * block.size
            canvas.setFont(block.font, block.size)
            canvas.drawCentredString(centre, baseline, block.text)
        top -= block.height


def render_ticket_pdf(
    doc: TicketDocument, paper: Paper = Paper.ROLL_80MM, *, fonts: Fonts | None = None
) -> bytes:
    """Render ``doc`` as a one-page PDF for ``paper`` and return its bytes.

    The page is the paper's width and exactly as tall as the content. Text is
    set in ``fonts`` (by default :func:`printing.fonts.document_fonts`: DejaVu
    Sans, embedded) and stays extractable. Safe to call from any thread.
    """
    # reportlab's TrueType fonts are shared objects that track each PDF being
    # written; rendering one document at a time keeps that bookkeeping sound.
    with _render_lock:
        return _render_ticket(doc, paper, fonts)


def _render_ticket(doc: TicketDocument, paper: Paper, fonts: Fonts | None) -> bytes:
    spec = PAPERS[paper]
    fonts = fonts or document_fonts()
    blocks = _ticket_blocks(doc, spec, fonts)
    height = spec.top_margin + sum(block.height for block in blocks) + spec.bottom_margin
    texts = TICKET_TEXTS[doc.language]

    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(spec.width, height),
        invariant=1,
        pageCompression=1,
        initialFontName=fonts.regular,
    )
    canvas.setTitle(f"{texts.heading} {doc.number}")
    canvas.setSubject(doc.service_name)
    canvas.setAuthor(doc.office_name)
    canvas.setCreator("Anjungan")
    _draw(canvas, blocks, spec, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
