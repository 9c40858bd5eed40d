"""Sample documents: for operators (``kiosk ticket render``, ``test-print``),
layout review, the benchmarks, and the pictures in ``docs/screenshots/``.

    python -m printing.samples --out docs/screenshots

writes ``ticket-80mm.png``, ``ticket-58mm.png``, ``ticket-a4.png`` and
``slip-80mm.png``: each layout rendered to PDF and rasterised with poppler's
``pdftoppm`` (rolls at the thermal 203 dpi, A4 at 100 dpi).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from printing.documents import Language, SlipDocument, SlipField, TicketDocument
from printing.printers.raster import pdftoppm

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
SAMPLE_ID = "3f1c2b7a-9d4e-4c5b-8a61-0e2f4d6b8a17"
SAMPLE_URL = f"http://127.0.0.1:8470/t/{SAMPLE_ID}"
SAMPLE_OFFICE = "Mal Pelayanan Publik Kota Pekanbaru"
SAMPLE_SERVICE = "Pendaftaran Poli Umum Puskesmas"
SAMPLE_TIME = dt.datetime(2026, 11, 22, 9, 40, tzinfo=WIB)
SAMPLE_REQUIREMENTS: dict[Language, tuple[str, ...]] = {
    "id": ("Kartu BPJS Kesehatan (jika ada)", "Fotokopi Kartu Keluarga"),
    "en": ("BPJS health card (if any)", "Copy of the family card"),
}
#: Written on a test print, so nobody takes it for a place in the queue.
TEST_NUMBER = "TEST"
TEST_SERVICE: dict[Language, str] = {"id": "Uji cetak printer", "en": "Printer test"}


def sample_ticket(
    number: str = "A-017",
    service: str = SAMPLE_SERVICE,
    *,
    language: Language = "id",
    office: str = SAMPLE_OFFICE,
    counter: str = "1",
    status_url: str = SAMPLE_URL,
) -> TicketDocument:
    """A ticket with every field filled in, as the central server will make possible."""
    return TicketDocument(
        number=number,
        service_name=service,
        office_name=office,
        counter=counter,
        issued_at=SAMPLE_TIME,
        language=language,
        status_url=status_url,
        people_ahead=4,
        wait_minutes=12,
        requirements=SAMPLE_REQUIREMENTS[language],
    )


def sample_slip(
    number: str = "A-017",
    service: str = SAMPLE_SERVICE,
    *,
    language: Language = "id",
    office: str = SAMPLE_OFFICE,
    status_url: str = SAMPLE_URL,
) -> SlipDocument:
    """A registration slip for the demo citizen (fictional data)."""
    labels = {
        "id": ("Nama lengkap", "NIK", "Tanggal lahir", "Nomor HP", "Keluhan utama"),
        "en": ("Full name", "NIK", "Date of birth", "Mobile number", "Main complaint"),
    }[language]
    values = ("Siti Aminah", "1471015203850001", "1985-03-12", "081234567890", "Demam dua hari")
    return SlipDocument(
        number=number,
        service_name=service,
        office_name=office,
        counter="1",
        issued_at=SAMPLE_TIME,
        language=language,
        fields=tuple(SlipField(label, value) for label, value in zip(labels, values, strict=True)),
        status_url=status_url,
    )


def printer_test_ticket(
    office: str, language: Language, status_url: str, now: dt.datetime
) -> TicketDocument:
    """The ticket ``kiosk ticket test-print`` prints: number ``TEST``, never a real place."""
    return TicketDocument(
        number=TEST_NUMBER,
        service_name=TEST_SERVICE[language],
        office_name=office,
        counter="",
        issued_at=now,
        language=language,
        status_url=status_url,
    )


def write_screenshots(out: Path) -> list[Path]:
    """Render every layout and save the PNGs the docs show; returns their paths."""
    from printing.layouts.paper import Paper
    from printing.layouts.slip import render_slip_pdf
    from printing.layouts.ticket import render_ticket_pdf

    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        ("ticket-80mm", render_ticket_pdf(sample_ticket(), Paper.ROLL_80MM), 203),
        ("ticket-58mm", render_ticket_pdf(sample_ticket(), Paper.ROLL_58MM), 203),
        ("ticket-a4", render_ticket_pdf(sample_ticket(), Paper.A4), 100),
        ("slip-80mm", render_slip_pdf(sample_slip(), Paper.ROLL_80MM), 203),
    ]
    written = []
    with tempfile.TemporaryDirectory(prefix="anjungan-samples-") as tmp:
        for name, pdf, dpi in jobs:
            source = Path(tmp) / f"{name}.pdf"
            source.write_bytes(pdf)
            command = [pdftoppm(), "-png", "-r", str(dpi), "-singlefile", str(source)]
            subprocess.run([*command, str(out / name)], check=True, timeout=30)  # noqa: S603
            written.append(out / f"{name}.png")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printing.samples", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    for path in write_screenshots(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
