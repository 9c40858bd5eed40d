"""Every layout (80 mm, 58 mm, A4, the slip, the complaint receipt) read back as a reader
and a scanner see it."""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from printing.documents import ReceiptDocument, SlipField, TicketDocument
from printing.layouts.logo import load_logo
from printing.layouts.paper import PAPERS, Paper
from printing.layouts.receipt import render_receipt_pdf
from printing.layouts.slip import render_slip_pdf
from printing.layouts.ticket import render_ticket_pdf
from printing.printers.raster import pdf_to_bitmap
from printing.samples import (
    SAMPLE_OFFICE,
    SAMPLE_TIME,
    SAMPLE_URL,
    sample_slip,
    sample_ticket,
)
from testkit.printouts import decode_qr, flowing, page_size_mm, pdf_text

WIDTHS_MM = {Paper.ROLL_80MM: 80.0, Paper.ROLL_58MM: 58.0, Paper.A4: 210.0}


@pytest.mark.parametrize("paper", list(Paper))
def test_every_paper_has_its_width_and_a_fitting_height(paper: Paper) -> None:
    width, height = page_size_mm(render_ticket_pdf(sample_ticket(), paper))

    assert width == pytest.approx(WIDTHS_MM[paper], abs=0.2)
    if paper is Paper.A4:
        assert height == pytest.approx(297.0, abs=0.2)
    else:  # a roll is cut where the ticket ends
        assert 100 < height < 200


@pytest.mark.parametrize("paper", list(Paper))
def test_every_field_is_printed_and_extractable(paper: Paper) -> None:
    text = flowing(pdf_text(render_ticket_pdf(sample_ticket(), paper)))

    for expected in (
        "Mal Pelayanan Publik Kota Pekanbaru",
        "Nomor Antrean",
        "A-017",
        "Pendaftaran Poli Umum Puskesmas",
        "Loket 1",
        "Antrean di depan Anda: 4",
        "Perkiraan waktu tunggu: ± 12 menit",
        "Persyaratan yang dibawa:",
        "• Kartu BPJS Kesehatan (jika ada)",
        "• Fotokopi Kartu Keluarga",
        "Pindai untuk melihat status antrean",
        "22 November 2026 09:40",
        "Harap menunggu nomor Anda dipanggil",
    ):
        assert expected in text, expected


def test_english_ticket_words_everything_in_english() -> None:
    text = flowing(pdf_text(render_ticket_pdf(sample_ticket(language="en"))))

    for expected in ("Queue number", "People ahead of you: 4", "Estimated wait: about 12 min",
                     "Please bring:", "• Copy of the family card", "Scan to follow"):  # fmt: skip
        assert expected in text, expected
    assert "Antrean" not in text and "menit" not in text


def test_unknown_queue_figures_are_left_off() -> None:
    ticket = replace(sample_ticket(), people_ahead=None, wait_minutes=None, requirements=())

    text = pdf_text(render_ticket_pdf(ticket))

    assert "depan Anda" not in text and "waktu tunggu" not in text
    assert "Persyaratan" not in text and "A-017" in text


def test_a_negative_queue_figure_is_refused() -> None:
    with pytest.raises(ValueError, match="people_ahead"):
        replace(sample_ticket(), people_ahead=-1)


def test_a_reprint_says_so_in_both_languages() -> None:
    indonesian = pdf_text(render_ticket_pdf(replace(sample_ticket(), reprint=True)))
    english = pdf_text(render_ticket_pdf(replace(sample_ticket(language="en"), reprint=True)))

    assert "CETAK ULANG" in indonesian
    assert "REPRINT" in english
    assert "CETAK ULANG" not in pdf_text(render_ticket_pdf(sample_ticket()))


@pytest.mark.parametrize("paper", list(Paper))
def test_the_qr_code_says_the_status_url(paper: Paper, tmp_path: Path) -> None:
    dpi = 100 if paper is Paper.A4 else 203
    assert decode_qr(render_ticket_pdf(sample_ticket(), paper), tmp_path, dpi) == [SAMPLE_URL]


def test_no_status_url_means_no_qr_code(tmp_path: Path) -> None:
    pdf = render_ticket_pdf(replace(sample_ticket(), status_url=""))

    assert decode_qr(pdf, tmp_path) == []
    assert "Pindai" not in pdf_text(pdf)


@pytest.mark.parametrize("paper", list(Paper))
def test_only_dejavu_is_used_and_it_is_embedded(paper: Paper) -> None:
    pdf = render_ticket_pdf(replace(sample_ticket(), reprint=True), paper)
    resources = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]
    fonts = [resources["/Font"][name].get_object() for name in resources["/Font"]]  # type: ignore[index]

    assert {str(font["/BaseFont"]).split("+")[-1] for font in fonts} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)


def assert_ink_inside_the_head(pdf: bytes, paper: Paper) -> None:
    dots = PAPERS[paper].dots
    assert dots is not None

    page = pdf_to_bitmap(pdf, round(WIDTHS_MM[paper] * 8))
    ink = page.point(lambda v: 255 if v == 0 else 0).getbbox()

    assert ink is not None
    margin = (page.width - dots) // 2
    assert ink[0] >= margin - 2 and ink[2] <= page.width - margin + 2


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.ROLL_58MM])
def test_ink_stays_inside_what_the_head_prints(paper: Paper) -> None:
    long_name = replace(sample_ticket(), service_name="Poliklinik" * 8)

    assert_ink_inside_the_head(render_ticket_pdf(long_name, paper), paper)


def make_logo(path: Path, mode: str = "RGBA") -> Path:
    image = Image.new(mode, (300, 100), (0, 0, 0, 0) if mode == "RGBA" else 255)
    for x in range(40, 260):
        for y in range(30, 70):
            image.putpixel((x, y), (10, 60, 160, 255) if mode == "RGBA" else 0)
    image.save(path)
    return path


def test_the_logo_is_drawn_above_the_office_name(tmp_path: Path) -> None:
    logo = make_logo(tmp_path / "logo.png")

    with_logo = render_ticket_pdf(sample_ticket(), logo=logo)
    xobjects = PdfReader(io.BytesIO(with_logo)).pages[0]["/Resources"].get("/XObject", {})

    assert len(xobjects) == 1
    assert page_size_mm(with_logo)[1] > page_size_mm(render_ticket_pdf(sample_ticket()))[1] + 10
    assert "A-017" in pdf_text(with_logo)
    prepared = load_logo(logo)
    assert prepared is not None and prepared.aspect == pytest.approx(3.0)


@pytest.mark.parametrize("content", [None, b"not an image at all", b"\x89PNG\r\n\x1a\n broken"])
def test_a_missing_or_broken_logo_is_logged_once_and_the_ticket_prints(
    tmp_path: Path, content: bytes | None, caplog: pytest.LogCaptureFixture
) -> None:
    logo = tmp_path / "logo.png"
    if content is not None:
        logo.write_bytes(content)

    with caplog.at_level(logging.WARNING, logger="printing.layouts.logo"):
        first = render_ticket_pdf(sample_ticket(), logo=logo)
        render_ticket_pdf(sample_ticket(), logo=logo)

    assert first == render_ticket_pdf(sample_ticket())
    assert len(caplog.records) == 1 and str(logo) in caplog.records[0].getMessage()


def test_the_slip_carries_the_form_for_the_officer(tmp_path: Path) -> None:
    pdf = render_slip_pdf(sample_slip())
    text = flowing(pdf_text(pdf))

    for expected in ("BUKTI PENDAFTARAN", "A-017", "Nama lengkap", "Siti Aminah", "NIK",
                     "1471015203850001", "Keluhan utama", "Demam dua hari",
                     "Serahkan lembar ini kepada petugas loket"):  # fmt: skip
        assert expected in text, expected
    assert decode_qr(pdf, tmp_path) == [SAMPLE_URL]
    assert page_size_mm(pdf)[0] == pytest.approx(80.0, abs=0.2)


def test_an_empty_answer_shows_a_dash_and_english_slips_are_english() -> None:
    slip = replace(sample_slip(language="en"), fields=(SlipField("Main complaint", ""),))

    text = flowing(pdf_text(render_slip_pdf(slip, Paper.ROLL_58MM)))

    assert "REGISTRATION SLIP" in text and "Main complaint —" in text


def test_personal_data_stays_out_of_the_slips_repr() -> None:
    slip = sample_slip()

    shown = repr(slip) + repr(slip.fields)

    assert "Siti" not in shown and "1471015203850001" not in shown
    assert "A-017" in shown and "Nama lengkap" in shown


@pytest.mark.parametrize("paper", list(Paper))
def test_the_complaint_receipt_fits_every_paper_with_the_reference_whole(paper: Paper) -> None:
    receipt = ReceiptDocument(
        "ADU-7K2M-QX4P-9RTV", SAMPLE_OFFICE, "Fasilitas dan kebersihan", SAMPLE_TIME, "id"
    )

    pdf = render_receipt_pdf(receipt, paper)
    text = flowing(pdf_text(pdf))

    for expected in (SAMPLE_OFFICE, "BUKTI PENGADUAN", "Nomor referensi", "ADU-7K2M-QX4P-9RTV",
                     "Fasilitas dan kebersihan", "22 November 2026 09:40",
                     "Simpan nomor ini untuk menanyakan tindak lanjut pengaduan Anda"):  # fmt: skip
        assert expected in text, expected
    assert page_size_mm(pdf)[0] == pytest.approx(WIDTHS_MM[paper], abs=0.2)
    if paper is not Paper.A4:  # the reference shrinks to the head's width, like a number
        assert_ink_inside_the_head(pdf, paper)


def test_the_same_document_gives_the_same_bytes() -> None:
    assert render_ticket_pdf(sample_ticket()) == render_ticket_pdf(sample_ticket())
    assert render_slip_pdf(sample_slip()) == render_slip_pdf(sample_slip())


def test_the_ticket_document_keeps_its_old_shape(ticket: TicketDocument) -> None:
    assert (ticket.status_url, ticket.people_ahead, ticket.requirements) == ("", None, ())


def test_the_complaint_receipts_qr_code_says_the_answers_page(tmp_path: Path) -> None:
    url = "https://anjungan.example.go.id/c/ADU-7K2M-QX4P-9RTV"
    receipt = ReceiptDocument(
        "ADU-7K2M-QX4P-9RTV", SAMPLE_OFFICE, "Fasilitas", SAMPLE_TIME, "id", status_url=url
    )

    pdf = render_receipt_pdf(receipt)

    assert decode_qr(pdf, tmp_path) == [url]
    assert "Pindai untuk melihat jawaban atas pengaduan Anda" in flowing(pdf_text(pdf))
    assert "status antrean" not in flowing(pdf_text(pdf))
