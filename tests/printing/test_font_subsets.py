"""The documents' fonts make each subset's PDF objects once per process, byte for byte
what reportlab's own ``TTFont`` writes for every document."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace, TTFontFile
from reportlab.pdfgen.canvas import Canvas

from printing.documents import ReceiptDocument, SlipField
from printing.layouts.fonts import (
    EmbeddedFont,
    document_fonts,
    drawing_personal_data,
    forget_subsets,
    kept_subsets,
)
from printing.layouts.paper import Paper
from printing.layouts.receipt import render_receipt_pdf
from printing.layouts.slip import render_slip_pdf
from printing.layouts.ticket import render_ticket_pdf
from printing.samples import SAMPLE_OFFICE, SAMPLE_TIME, sample_slip, sample_ticket
from testkit.printouts import pdf_text

RECEIPT = ReceiptDocument(
    "ADU-7K2M-QX4P-9RTV",
    SAMPLE_OFFICE,
    "Fasilitas dan kebersihan",
    SAMPLE_TIME,
    "id",
    status_url="https://anjungan.example.go.id/c/ADU-7K2M-QX4P-9RTV",
)

RENDERS: list[Callable[[], bytes]] = [
    *(lambda paper=paper: render_ticket_pdf(sample_ticket(), paper) for paper in Paper),
    lambda: render_ticket_pdf(sample_ticket(language="en", service="Poli Gigi — ±15 menit")),
    lambda: render_slip_pdf(sample_slip()),
    lambda: render_receipt_pdf(RECEIPT),
]


def test_the_documents_fonts_are_embedded_fonts() -> None:
    fonts = document_fonts()

    assert fonts.embedded
    assert isinstance(getFont(fonts.regular), EmbeddedFont)
    assert isinstance(getFont(fonts.bold), EmbeddedFont)


@pytest.mark.parametrize("render", RENDERS)
def test_every_document_is_byte_for_byte_what_reportlab_writes(
    render: Callable[[], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = [render(), render()]  # the second from the kept subsets

    monkeypatch.setattr(EmbeddedFont, "addObjects", TTFont.addObjects)
    assert kept == [render(), render()]


def test_a_subset_is_made_once_per_process_and_no_font_file_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    render_ticket_pdf(sample_ticket())  # the fonts registered
    forget_subsets()
    subsets: list[list[int]] = []
    parsed: list[Any] = []
    make_subset = TTFontFace.makeSubset
    read_file = TTFontFile.__init__

    def counted_subset(face: TTFontFace, subset: list[int]) -> bytes:
        subsets.append(subset)
        return make_subset(face, subset)  # type: ignore[no-any-return]

    def counted_read(face: TTFontFile, *args: Any, **kwargs: Any) -> None:
        parsed.append(args)
        read_file(face, *args, **kwargs)

    monkeypatch.setattr(TTFontFace, "makeSubset", counted_subset)
    monkeypatch.setattr(TTFontFile, "__init__", counted_read)
    first = render_ticket_pdf(sample_ticket())
    assert len(subsets) == 2  # one for the regular face, one for the bold

    # The next tickets (another number, another counter: the same characters in the
    # subsets) take the kept subsets: no font program is cut again.
    for number in ("A-018", "B-101", "A-017"):
        render_ticket_pdf(replace(sample_ticket(number), counter="2"))
    assert len(subsets) == 2
    assert render_ticket_pdf(sample_ticket()) == first
    assert parsed == []


def test_new_characters_make_a_new_subset_with_them(monkeypatch: pytest.MonkeyPatch) -> None:
    render_ticket_pdf(sample_ticket())
    subsets: list[list[int]] = []
    make_subset = TTFontFace.makeSubset

    def counted_subset(face: TTFontFace, subset: list[int]) -> bytes:
        subsets.append(list(subset))
        return make_subset(face, subset)  # type: ignore[no-any-return]

    monkeypatch.setattr(TTFontFace, "makeSubset", counted_subset)
    render_ticket_pdf(sample_ticket(service="Poli Anak — Ruang Ω"))

    assert any(ord("Ω") in subset for subset in subsets)


def test_an_encrypted_document_gets_reportlabs_own_subsets() -> None:
    """Encrypted streams differ per document, so nothing kept is used for one."""
    fonts = document_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, encrypt="rahasia", initialFontName=fonts.regular)
    canvas.setFont(fonts.bold, 12)
    canvas.drawString(20, 20, "Nomor Antrean A-017 — ±")
    canvas.showPage()
    canvas.save()

    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    reader.decrypt("rahasia")
    assert "Nomor Antrean A-017 — ±" in reader.pages[0].extract_text()


def test_a_slips_subsets_are_not_kept_so_her_letters_beyond_ascii_do_not_stay() -> None:
    """A subset lists the characters beyond ASCII in their order of first use: a slip's
    holds those of the citizen's name. It is made for the slip and kept nowhere; a
    ticket's (no personal data) is kept for the next tickets."""
    forget_subsets()
    slip = sample_slip()
    name = "Ṣiti Ǹurul Ḥuṣna"
    hers = replace(slip, fields=(SlipField("Nama", name), *slip.fields))
    assert name in pdf_text(render_slip_pdf(hers))  # her letters were drawn
    assert [s for s in kept_subsets() if ord("Ṣ") in s] == []
    assert kept_subsets() == ()

    render_ticket_pdf(sample_ticket(service="Poli Anak — Ruang Ω"))
    assert any(ord("Ω") in s for s in kept_subsets())


def test_a_paper_drawn_inside_a_personal_one_keeps_nothing_and_the_flag_is_restored() -> None:
    forget_subsets()
    with drawing_personal_data(True):
        render_ticket_pdf(sample_ticket(service="Ruang Ω"))  # nested: still personal
    assert kept_subsets() == ()
    render_ticket_pdf(sample_ticket(service="Ruang Ω"))
    assert any(ord("Ω") in s for s in kept_subsets())
