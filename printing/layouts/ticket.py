"""The queue ticket's layout, on every paper.

The queue number is as large as the paper allows, shrinking only if it would
not fit the width; long text wraps, nothing is clipped. The papers are
:mod:`printing.layouts.paper`, the engine :mod:`printing.layouts.blocks`, the
header and the rendering to PDF :mod:`printing.layouts.parts`.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from printing.documents import TicketDocument
from printing.layouts.blocks import Block, Rule, Text, paragraph
from printing.layouts.fonts import Fonts
from printing.layouts.paper import PaperSpec
from printing.layouts.parts import (
    DocumentLayout,
    closing_blocks,
    header_blocks,
    number_block,
    queue_meta,
)
from printing.layouts.texts import TEXTS

__all__ = ["render_ticket_pdf", "ticket_blocks"]


def ticket_blocks(
    doc: TicketDocument, spec: PaperSpec, fonts: Fonts, logo: Path | None = None
) -> list[Block]:
    texts = TEXTS[doc.language]
    s, width = spec.scale, spec.text_width
    blocks = header_blocks(doc.office_name, spec, fonts, logo)
    if doc.reprint:
        blocks.append(Text(texts.reprint, fonts.bold, 14 * s, inverse=True))
    blocks += [
        *paragraph(texts.heading, fonts.regular, 12 * s, width, 1 * mm if doc.reprint else 0.0),
        number_block(doc.number, spec, fonts),
        *paragraph(doc.service_name, fonts.bold, 14 * s, width, 1 * mm),
    ]
    if doc.counter.strip():
        blocks += paragraph(f"{texts.counter_label} {doc.counter}", fonts.regular, 13 * s, width)
    if doc.doctor_name:
        blocks += paragraph(texts.doctor.format(name=doc.doctor_name), fonts.bold, 12 * s, width)
    if doc.nomorantrean:
        line = texts.nomorantrean.format(nomor=doc.nomorantrean)
        blocks += paragraph(line, fonts.regular, 11 * s, width)
    if doc.estimated_at:
        line = texts.estimated_at.format(time=doc.estimated_at)
        blocks += paragraph(line, fonts.bold, 12 * s, width, 1 * mm)
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
    return blocks + closing_blocks(
        doc.status_url, doc.issued_at, doc.language, texts.footer, spec, fonts
    )


def ticket_meta(doc: TicketDocument) -> dict[str, str]:
    return queue_meta(doc, TEXTS[doc.language].heading)


#: ``render_ticket_pdf(doc, paper=Paper.ROLL_80MM, *, fonts=None, logo=None) -> bytes``:
#: the ticket as a one-page PDF (:meth:`DocumentLayout.render_pdf`).
render_ticket_pdf = DocumentLayout(ticket_blocks, ticket_meta).render_pdf
