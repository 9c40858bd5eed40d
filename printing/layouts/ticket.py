"""Lay out documents as PDF pages sized for the paper they are printed on.

Three papers: 80 mm and 58 mm thermal rolls (the page is as tall as the
ticket) and A4 for an office printer. The queue number is as large as the
paper allows, shrinking only if it would not fit the width; long text wraps,
nothing is clipped. The engine is :mod:`printing.layouts.blocks`; the registration
slip's layout is :mod:`printing.layouts.slip`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from printing.documents import SlipDocument, TicketDocument
from printing.layouts.blocks import (
    Block,
    Frame,
    Picture,
    QrCode,
    Rule,
    Space,
    Text,
    paragraph,
    render_lock,
    render_pdf,
    wrap_text,
)
from printing.layouts.fonts import Fonts, document_fonts
from printing.layouts.logo import load_logo
from printing.layouts.qr import qr_matrix
from printing.layouts.texts import TICKET_TEXTS, format_datetime
from printing.printers.escpos import ROLL_DOTS

__all__ = ["PAPERS", "Paper", "PaperSpec", "render_slip_pdf", "render_ticket_pdf", "wrap_text"]


class Paper(StrEnum):
    """Paper a document can be laid out for. Values are used in configuration."""

    ROLL_80MM = "80mm"
    ROLL_58MM = "58mm"
    A4 = "a4"


@dataclass(frozen=True)
class PaperSpec(Frame):
    """Geometry of one paper, in PDF points (1/72 inch)."""

    #: Largest size of the queue number; smaller if it would not fit.
    number_size: float = 64
    #: Every other font size is multiplied by this.
    scale: float = 1.0
    #: Side of the QR code, quiet zone included.
    qr_size: float = 30 * mm
    #: Tallest a logo is drawn.
    logo_height: float = 14 * mm
    #: Dots a thermal head prints across the text width at 203 dpi; None for A4.
    dots: int | None = None


PAPERS: dict[Paper, PaperSpec] = {
    # 80 mm rolls are printed 72 mm wide (576 dots at 203 dpi) by most heads.
    Paper.ROLL_80MM: PaperSpec(
        width=80 * mm, side_margin=4 * mm, top_margin=5 * mm, bottom_margin=6 * mm,
        number_size=64, qr_size=30 * mm, dots=ROLL_DOTS["80mm"],
    ),
    # 58 mm rolls: 48 mm printed (384 dots).
    Paper.ROLL_58MM: PaperSpec(
        width=58 * mm, side_margin=5 * mm, top_margin=4 * mm, bottom_margin=5 * mm,
        number_size=48, scale=0.85, qr_size=26 * mm, logo_height=11 * mm,
        dots=ROLL_DOTS["58mm"],
    ),
    Paper.A4: PaperSpec(
        width=210 * mm, side_margin=30 * mm, top_margin=25 * mm, bottom_margin=20 * mm,
        page_height=297 * mm, number_size=120, scale=1.6, qr_size=45 * mm,
        logo_height=25 * mm,
    ),
}  # fmt: skip


def logo_block(logo_path: Path | None, spec: PaperSpec) -> list[Block]:
    """The logo as a centred picture, or nothing (no logo, or unusable: logged)."""
    logo = load_logo(logo_path)
    if logo is None:
        return []
    height = spec.logo_height
    width = height * logo.aspect
    if width > spec.text_width:
        width, height = spec.text_width, spec.text_width / logo.aspect
    return [Picture(logo.image, width, height), Space(2 * mm)]


def number_block(number: str, spec: PaperSpec, fonts: Fonts) -> Text:
    size = min(spec.number_size, spec.text_width / stringWidth(number, fonts.bold, 1))
    # Capitals and digits only: a box hugging their height, no room for descenders.
    return Text(number, fonts.bold, size, 2 * mm * spec.scale, ascent=0.8, leading=1.0)


def qr_blocks(url: str, caption: str, spec: PaperSpec, fonts: Fonts) -> list[Block]:
    if not url:
        return []
    s = spec.scale
    return [
        QrCode(qr_matrix(url), spec.qr_size, space_before=1 * mm),
        *paragraph(caption, fonts.regular, 8.5 * s, spec.text_width),
    ]


def ticket_blocks(
    doc: TicketDocument, spec: PaperSpec, fonts: Fonts, logo: Path | None = None
) -> list[Block]:
    texts = TICKET_TEXTS[doc.language]
    s, width = spec.scale, spec.text_width
    blocks: list[Block] = [
        *logo_block(logo, spec),
        *paragraph(doc.office_name, fonts.bold, 11 * s, width),
        Rule(),
    ]
    if doc.reprint:
        blocks.append(Text(texts.reprint, fonts.bold, 14 * s, inverse=True))
    blocks += [
        *paragraph(texts.heading, fonts.regular, 12 * s, width, 1 * mm if doc.reprint else 0.0),
        number_block(doc.number, spec, fonts),
        *paragraph(doc.service_name, fonts.bold, 14 * s, width, 1 * mm),
    ]
    if doc.counter.strip():
        blocks += paragraph(f"{texts.counter_label} {doc.counter}", fonts.regular, 13 * s, width)
    if doc.people_ahead is not None:
        line = texts.people_ahead.format(n=doc.people_ahead)
        blocks += paragraph(line, fonts.regular, 10 * s, width, 1 * mm)
    if doc.wait_minutes is not None:
        blocks += paragraph(texts.wait.format(minutes=doc.wait_minutes), fonts.regular, 10 * s,
                            width, 0.0 if doc.people_ahead is not None else 1 * mm)  # fmt: skip
    blocks.append(Rule())
    if doc.requirements:
        blocks += paragraph(texts.requirements, fonts.bold, 9.5 * s, width, align="left")
        bullet = stringWidth("• ", fonts.regular, 9.5 * s)
        for item in doc.requirements:
            blocks += paragraph(f"• {item}", fonts.regular, 9.5 * s, width, align="left",
                                indent=bullet, first_indent=0.0)  # fmt: skip
        blocks.append(Rule())
    blocks += [
        *qr_blocks(doc.status_url, texts.scan, spec, fonts),
        *paragraph(format_datetime(doc.issued_at, doc.language), fonts.regular, 10 * s, width,
                   1 * mm if doc.status_url else 0.0),
        *paragraph(texts.footer, fonts.regular, 9 * s, width, space_before=1 * mm),
    ]  # fmt: skip
    return blocks


def render_ticket_pdf(
    doc: TicketDocument,
    paper: Paper = Paper.ROLL_80MM,
    *,
    fonts: Fonts | None = None,
    logo: Path | None = None,
) -> bytes:
    """Render ``doc`` as a one-page PDF for ``paper`` and return its bytes.

    A roll page is the paper's width and exactly as tall as the content; an
    A4 page is A4. Text is set in ``fonts`` (by default
    :func:`printing.layouts.fonts.document_fonts`: DejaVu Sans, embedded) and stays
    extractable. ``logo`` is an image file drawn above the office name; a
    missing or broken one is logged and left out. Safe from any thread.
    """
    meta = {"title": f"{TICKET_TEXTS[doc.language].heading} {doc.number}",
            "subject": doc.service_name, "author": doc.office_name}  # fmt: skip
    return render_document(
        lambda spec, fonts: ticket_blocks(doc, spec, fonts, logo), paper, fonts, meta
    )


def render_slip_pdf(
    doc: SlipDocument,
    paper: Paper = Paper.ROLL_80MM,
    *,
    fonts: Fonts | None = None,
    logo: Path | None = None,
) -> bytes:
    """Render the registration slip ``doc`` as a one-page PDF, as :func:`render_ticket_pdf`."""
    from printing.layouts.slip import slip_blocks

    meta = {"title": f"{TICKET_TEXTS[doc.language].slip_heading} {doc.number}",
            "subject": doc.service_name, "author": doc.office_name}  # fmt: skip
    return render_document(
        lambda spec, fonts: slip_blocks(doc, spec, fonts, logo), paper, fonts, meta
    )


def render_document(
    layout: Callable[[PaperSpec, Fonts], list[Block]],
    paper: Paper,
    fonts: Fonts | None,
    meta: dict[str, str],
) -> bytes:
    """The blocks ``layout`` gives for ``paper`` as a one-page PDF; safe from any thread.

    ``fonts`` defaults to :func:`printing.layouts.fonts.document_fonts`; ``meta`` sets the
    PDF's title, subject and author. Every document's ``render_*_pdf`` ends here.
    """
    spec = PAPERS[Paper(paper)]
    with render_lock:
        fonts = fonts or document_fonts()
        return render_pdf(layout(spec, fonts), spec, fonts, meta)
