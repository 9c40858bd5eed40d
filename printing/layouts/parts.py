"""What every document's layout shares: its top and bottom, the number, and its PDF.

A document's layout is one function from the document to blocks for a
paper (:mod:`printing.layouts.ticket`, :mod:`~printing.layouts.slip`,
:mod:`~printing.layouts.receipt`); :class:`DocumentLayout` pairs it with the
PDF's metadata and gives the document its ``render_*_pdf``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from printing.documents import Language, QueueDocument
from printing.layouts.blocks import (
    Block,
    Picture,
    QrCode,
    Rule,
    Space,
    Text,
    paragraph,
    render_lock,
    render_pdf,
)
from printing.layouts.fonts import Fonts, document_fonts, drawing_personal_data
from printing.layouts.logo import load_logo
from printing.layouts.paper import PAPERS, Paper, PaperSpec
from printing.layouts.qr import qr_matrix
from printing.layouts.texts import TEXTS, format_datetime

Document = TypeVar("Document")


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


def header_blocks(
    office_name: str, spec: PaperSpec, fonts: Fonts, logo: Path | None
) -> list[Block]:
    """The top of every document: the logo, the office's name, a rule."""
    return [
        *logo_block(logo, spec),
        *paragraph(office_name, fonts.bold, 11 * spec.scale, spec.text_width),
        Rule(),
    ]


def number_block(number: str, spec: PaperSpec, fonts: Fonts) -> Text:
    size = min(spec.number_size, spec.text_width / stringWidth(number, fonts.bold, 1))
    # Capitals and digits only: a box hugging their height, no room for descenders.
    return Text(number, fonts.bold, size, 2 * mm * spec.scale, ascent=0.8, leading=1.0)


def closing_blocks(
    status_url: str,
    issued_at: datetime,
    language: Language,
    footer: str,
    spec: PaperSpec,
    fonts: Fonts,
    scan: str = "",
) -> list[Block]:
    """The bottom of every document: the status page's QR code (if any), the time, ``footer``.

    ``scan``: the QR code's caption (default: the queue status's).
    """
    s, width = spec.scale, spec.text_width
    when = format_datetime(issued_at, language)
    return [
        *qr_blocks(status_url, scan or TEXTS[language].scan, spec, fonts),
        *paragraph(when, fonts.regular, 10 * s, width, 1 * mm if status_url else 0.0),
        *paragraph(footer, fonts.regular, 9 * s, width, space_before=1 * mm),
    ]


def qr_blocks(url: str, caption: str, spec: PaperSpec, fonts: Fonts) -> list[Block]:
    if not url:
        return []
    s = spec.scale
    return [
        QrCode(qr_matrix(url), spec.qr_size, space_before=1 * mm),
        *paragraph(caption, fonts.regular, 8.5 * s, spec.text_width),
    ]


def queue_meta(doc: QueueDocument, heading: str) -> dict[str, str]:
    """A queue paper's PDF metadata: its heading and number, the service, the office."""
    return {"title": f"{heading} {doc.number}", "subject": doc.service_name,
            "author": doc.office_name}  # fmt: skip


@dataclass(frozen=True)
class DocumentLayout(Generic[Document]):
    """One kind of document's layout: its blocks for a paper and its PDF's metadata."""

    #: The document's blocks for a paper, in fonts, with the logo file (or None).
    blocks: Callable[[Document, PaperSpec, Fonts, Path | None], list[Block]]
    #: The PDF's title, subject and author for the document.
    meta: Callable[[Document], dict[str, str]]

    def render_pdf(
        self,
        doc: Document,
        paper: Paper = Paper.ROLL_80MM,
        *,
        fonts: Fonts | None = None,
        logo: Path | None = None,
    ) -> bytes:
        """Render ``doc`` as a one-page PDF for ``paper`` and return its bytes.

        A roll page is the paper's width and exactly as tall as the content; an
        A4 page is A4. Text is set in ``fonts`` (by default
        :func:`printing.layouts.fonts.document_fonts`: DejaVu Sans, embedded) and
        stays extractable. ``logo`` is an image file drawn above the office name;
        a missing or broken one is logged and left out. Safe from any thread.
        """
        meta = self.meta(doc)
        spec = PAPERS[Paper(paper)]
        personal = getattr(doc, "personal_data", True)  # a kind that does not say: personal
        with render_lock, drawing_personal_data(personal):
            fonts = fonts or document_fonts()
            return render_pdf(self.blocks(doc, spec, fonts, logo), spec, fonts, meta)
