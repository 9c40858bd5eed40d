"""The complaint receipt (bukti pengaduan): the reference the citizen keeps.

Same paper, fonts and engine as the ticket (:mod:`printing.layouts.ticket`). It holds
the reference, the office, the category and the time; never the complaint's
text nor who sent it, so the paper left behind on the kiosk tells nobody
anything about the citizen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from reportlab.lib.units import mm

from printing.documents import Language, _check_common
from printing.layouts.blocks import Block, Rule, paragraph
from printing.layouts.fonts import Fonts
from printing.layouts.texts import RECEIPT_TEXTS, format_datetime
from printing.layouts.ticket import Paper, PaperSpec, logo_block, number_block, render_document


@dataclass(frozen=True)
class ReceiptDocument:
    """What the complaint receipt says; ``issued_at`` must be timezone-aware."""

    #: The reference, office, category and time only: a kept copy may stay.
    personal_data: ClassVar[bool] = False

    reference: str
    office_name: str
    #: The complaint's category, in the receipt's language.
    category: str
    issued_at: datetime
    language: Language

    def __post_init__(self) -> None:
        _check_common(self.reference, self.issued_at, self.language)


def receipt_blocks(
    doc: ReceiptDocument, spec: PaperSpec, fonts: Fonts, logo: Path | None = None
) -> list[Block]:
    texts = RECEIPT_TEXTS[doc.language]
    s, width = spec.scale, spec.text_width
    return [
        *logo_block(logo, spec),
        *paragraph(doc.office_name, fonts.bold, 11 * s, width),
        Rule(),
        *paragraph(texts.heading, fonts.bold, 13 * s, width),
        *paragraph(texts.reference, fonts.regular, 10 * s, width, 1 * mm),
        # The reference shrinks to the paper's width, like a queue number.
        number_block(doc.reference, spec, fonts),
        *paragraph(doc.category, fonts.bold, 11 * s, width, 1 * mm),
        Rule(),
        *paragraph(format_datetime(doc.issued_at, doc.language), fonts.regular, 10 * s, width),
        *paragraph(texts.footer, fonts.regular, 9 * s, width, space_before=1 * mm),
    ]


def render_receipt_pdf(
    doc: ReceiptDocument,
    paper: Paper = Paper.ROLL_80MM,
    *,
    fonts: Fonts | None = None,
    logo: Path | None = None,
) -> bytes:
    """Render the complaint receipt as a one-page PDF, as ``render_ticket_pdf`` does."""
    heading = RECEIPT_TEXTS[doc.language].heading
    meta = {"title": f"{heading} {doc.reference}", "subject": heading, "author": doc.office_name}
    return render_document(
        lambda spec, fonts: receipt_blocks(doc, spec, fonts, logo), paper, fonts, meta
    )
