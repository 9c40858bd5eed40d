"""The complaint receipt (bukti pengaduan): the reference the citizen keeps.

Same paper, fonts and engine as the ticket (:mod:`printing.layouts.ticket`).
It holds the reference, the office, the category, the time and, when the
kiosk knows its centre, the QR code of the complaint's public page
(``/c/{reference}``: its state and staff's answer, never the text nor the
card); never the complaint's text nor who sent it, so the paper left behind
on the kiosk tells nobody anything about the citizen.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm

from printing.documents import ReceiptDocument
from printing.layouts.blocks import Block, Rule, paragraph
from printing.layouts.fonts import Fonts
from printing.layouts.paper import PaperSpec
from printing.layouts.parts import DocumentLayout, closing_blocks, header_blocks, number_block
from printing.layouts.texts import TEXTS


def receipt_blocks(
    doc: ReceiptDocument, spec: PaperSpec, fonts: Fonts, logo: Path | None = None
) -> list[Block]:
    texts = TEXTS[doc.language]
    s, width = spec.scale, spec.text_width
    return [
        *header_blocks(doc.office_name, spec, fonts, logo),
        *paragraph(texts.receipt_heading, fonts.bold, 13 * s, width),
        *paragraph(texts.receipt_reference, fonts.regular, 10 * s, width, 1 * mm),
        # The reference shrinks to the paper's width, like a queue number.
        number_block(doc.reference, spec, fonts),
        *paragraph(doc.category, fonts.bold, 11 * s, width, 1 * mm),
        Rule(),
        # The answer's page to scan, if the kiosk knows its centre; else the reference alone.
        *closing_blocks(
            doc.status_url,
            doc.issued_at,
            doc.language,
            texts.receipt_footer,
            spec,
            fonts,
            scan=texts.receipt_scan,
        ),
    ]


def receipt_meta(doc: ReceiptDocument) -> dict[str, str]:
    heading = TEXTS[doc.language].receipt_heading
    return {"title": f"{heading} {doc.reference}", "subject": heading, "author": doc.office_name}


#: ``render_receipt_pdf(doc, paper=Paper.ROLL_80MM, *, fonts=None, logo=None) -> bytes``:
#: the complaint receipt as a one-page PDF, as the ticket.
render_receipt_pdf = DocumentLayout(receipt_blocks, receipt_meta).render_pdf
