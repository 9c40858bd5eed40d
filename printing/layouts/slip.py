"""The registration slip (bukti pendaftaran): the form's fields for the counter officer.

Printed as a second job after the queue ticket, for services whose catalog
entry says ``"slip": true``. Same paper, fonts and engine as the ticket
(:mod:`printing.layouts.ticket`); labels small, values bold and wrapped, one
field under the other, so an officer can type them in without asking.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm

from printing.documents import SlipDocument
from printing.layouts.blocks import Block, Rule, Space, Text, paragraph
from printing.layouts.fonts import Fonts
from printing.layouts.paper import PaperSpec
from printing.layouts.parts import DocumentLayout, closing_blocks, header_blocks, queue_meta
from printing.layouts.texts import TEXTS

#: The queue number on the slip, relative to the ticket's: it identifies, it is not called out.
NUMBER_SCALE = 0.55


def slip_blocks(
    doc: SlipDocument, spec: PaperSpec, fonts: Fonts, logo: Path | None = None
) -> list[Block]:
    texts = TEXTS[doc.language]
    s, width = spec.scale, spec.text_width
    blocks = header_blocks(doc.office_name, spec, fonts, logo)
    if doc.reprint:
        blocks += [Text(texts.reprint, fonts.bold, 14 * s, inverse=True), Space(1 * mm)]
    blocks += [
        *paragraph(texts.slip_heading, fonts.bold, 13 * s, width),
        Text(doc.number, fonts.bold, spec.number_size * NUMBER_SCALE, 1 * mm, ascent=0.8,
             leading=1.1),
        *paragraph(doc.service_name, fonts.bold, 11 * s, width, 1 * mm),
    ]  # fmt: skip
    if doc.counter.strip():
        blocks += paragraph(f"{texts.counter_label} {doc.counter}", fonts.regular, 11 * s, width)
    blocks.append(Rule())
    for field in doc.fields:
        blocks += paragraph(field.label, fonts.regular, 8.5 * s, width, 1 * mm, align="left")
        blocks += paragraph(field.value or "—", fonts.bold, 10.5 * s, width, align="left")
    blocks.append(Rule())
    return blocks + closing_blocks(
        doc.status_url, doc.issued_at, doc.language, texts.slip_footer, spec, fonts
    )


def slip_meta(doc: SlipDocument) -> dict[str, str]:
    return queue_meta(doc, TEXTS[doc.language].slip_heading)


#: ``render_slip_pdf(doc, paper=Paper.ROLL_80MM, *, fonts=None, logo=None) -> bytes``:
#: the registration slip as a one-page PDF, as the ticket.
render_slip_pdf = DocumentLayout(slip_blocks, slip_meta).render_pdf
