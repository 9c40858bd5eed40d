"""The 80 mm ticket, read back from the PDF as a PDF reader sees it."""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from printing.documents import TicketDocument
from printing.layouts.blocks import wrap_text
from printing.layouts.fonts import FALLBACK, document_fonts
from printing.layouts.paper import PAPERS, Paper
from printing.layouts.texts import format_datetime
from printing.layouts.ticket import render_ticket_pdf

#: 80 mm in PDF points.
WIDTH_80MM = 80 / 25.4 * 72

LONG_SERVICE = (
    "Pendaftaran Pasien Baru Poliklinik Penyakit Dalam dan Rujukan "
    "Badan Penyelenggara Jaminan Sosial Kesehatan"
)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flowing(text: str) -> str:
    """``text`` with line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


def page_fonts(pdf: bytes) -> list[Any]:
    reader = PdfReader(io.BytesIO(pdf))
    resources: Any = reader.pages[0]["/Resources"]
    fonts = resources["/Font"]
    return [fonts[name].get_object() for name in fonts]


def test_indonesian_ticket_says_what_it_should(ticket: TicketDocument) -> None:
    text = flowing(pdf_text(render_ticket_pdf(ticket)))

    assert "Dinas Kependudukan Kota Bandung" in text
    assert "Nomor Antrean" in text
    assert "A-017" in text
    assert "Kartu Keluarga" in text
    assert "Loket 3" in text
    assert "22 November 2026 21:40" in text
    assert "Harap menunggu nomor Anda dipanggil" in text


def test_english_ticket_says_what_it_should(ticket: TicketDocument) -> None:
    english = replace(ticket, language="en", issued_at=ticket.issued_at.replace(month=8))
    text = flowing(pdf_text(render_ticket_pdf(english)))

    assert "Queue number" in text
    assert "A-017" in text
    assert "Counter 3" in text
    assert "22 August 2026 21:40" in text
    assert "Please wait until your number is called" in text
    assert "Nomor Antrean" not in text
    assert "Agustus" not in text


def test_counter_line_is_left_out_when_there_is_no_counter(ticket: TicketDocument) -> None:
    text = pdf_text(render_ticket_pdf(replace(ticket, counter="  ")))

    assert "Loket" not in text
    assert "A-017" in text


def test_page_is_80mm_wide_and_as_tall_as_its_content(ticket: TicketDocument) -> None:
    reader = PdfReader(io.BytesIO(render_ticket_pdf(ticket)))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(WIDTH_80MM, abs=0.5)
    height_mm = float(box.height) / 72 * 25.4
    assert 60 < height_mm < 130


def test_long_service_name_makes_the_page_taller(ticket: TicketDocument) -> None:
    short = PdfReader(io.BytesIO(render_ticket_pdf(ticket))).pages[0].mediabox
    long = PdfReader(io.BytesIO(render_ticket_pdf(replace(ticket, service_name=LONG_SERVICE))))

    assert float(long.pages[0].mediabox.height) > float(short.height)


def test_dejavu_is_embedded(ticket: TicketDocument) -> None:
    fonts = page_fonts(render_ticket_pdf(ticket))

    # Subset fonts are named "ABCDEF+DejaVuSans"; drop the subset tag.
    names = {str(font["/BaseFont"]).split("+")[-1] for font in fonts}
    assert names == {"DejaVuSans", "DejaVuSans-Bold"}
    for font in fonts:
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"]


def test_long_service_name_wraps_and_keeps_every_word(ticket: TicketDocument) -> None:
    text = pdf_text(render_ticket_pdf(replace(ticket, service_name=LONG_SERVICE)))

    assert LONG_SERVICE in flowing(text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    service_lines = [line for line in lines if line in LONG_SERVICE]
    assert len(service_lines) >= 3


def test_a_word_wider_than_the_paper_is_broken_not_cut(ticket: TicketDocument) -> None:
    word = "Poliklinik" * 6
    text = pdf_text(render_ticket_pdf(replace(ticket, service_name=word)))

    assert word in "".join(text.split())


def test_wrapped_lines_fit_the_printable_width() -> None:
    width = PAPERS[Paper.ROLL_80MM].text_width
    fonts = document_fonts()

    lines = wrap_text(LONG_SERVICE + " " + "Poliklinik" * 6, fonts.bold, 14, width)

    assert len(lines) > 3
    assert all(stringWidth(line, fonts.bold, 14) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join((LONG_SERVICE + "Poliklinik" * 6).split())


def test_same_ticket_gives_the_same_bytes(ticket: TicketDocument) -> None:
    assert render_ticket_pdf(ticket) == render_ticket_pdf(replace(ticket))


@pytest.mark.parametrize(
    ("month", "indonesian", "english"),
    [(1, "Januari", "January"), (5, "Mei", "May"), (8, "Agustus", "August"),
     (10, "Oktober", "October"), (12, "Desember", "December")],
)  # fmt: skip
def test_dates_are_written_out_in_the_language(month: int, indonesian: str, english: str) -> None:
    moment = datetime(2026, month, 5, 7, 3)

    assert format_datetime(moment, "id") == f"5 {indonesian} 2026 07:03"
    assert format_datetime(moment, "en") == f"5 {english} 2026 07:03"


def test_missing_font_falls_back_to_helvetica_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "NoSuchFont.ttf", tmp_path / "NoSuchFont-Bold.ttf"

    with caplog.at_level(logging.WARNING, logger="printing.layouts.fonts"):
        first = document_fonts(*missing)
        second = document_fonts(*missing)

    assert first == second == FALLBACK
    assert len(caplog.records) == 1
    assert "NoSuchFont.ttf" in caplog.records[0].getMessage()


def test_ticket_in_the_fallback_font_is_still_readable(ticket: TicketDocument) -> None:
    pdf = render_ticket_pdf(ticket, fonts=FALLBACK)

    assert "A-017" in pdf_text(pdf)
    assert {str(font["/BaseFont"]) for font in page_fonts(pdf)} == {
        "/Helvetica",
        "/Helvetica-Bold",
    }
