"""The ticket rasterised the way a thermal printer driver would (203 dpi).

Needs poppler's ``pdftoppm``. Without it the test is skipped on a developer
machine and fails in CI (``CI`` set), where it must be installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from printing.documents import TicketDocument
from printing.layouts.ticket import render_ticket_pdf

#: Dots across an 80 mm roll at 203 dpi (80 / 25.4 * 203 = 639.4).
DOTS_80MM = 640


def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        message = "pdftoppm (poppler-utils) is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def rasterise(pdf: bytes, folder: Path) -> Image.Image:
    source = folder / "ticket.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm(), "-png", "-r", "203", "-singlefile", str(source), str(folder / "ticket")],
        check=True,
        timeout=30,
    )
    with Image.open(folder / "ticket.png") as image:
        return image.convert("L")


def test_ticket_rasterises_80mm_wide_at_203_dpi(ticket: TicketDocument, tmp_path: Path) -> None:
    long_name = replace(
        ticket,
        service_name="Pendaftaran Pasien Baru Poliklinik Penyakit Dalam " + "Poliklinik" * 5,
    )

    image = rasterise(render_ticket_pdf(long_name), tmp_path)

    assert abs(image.width - DOTS_80MM) <= 1
    # Ink stays inside the 72 mm a print head covers: nothing is cut at the edges.
    ink = image.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert ink is not None
    left, top, right, bottom = ink
    margin = (image.width - 576) // 2
    assert left >= margin - 2
    assert right <= image.width - margin + 2
    assert top > 0
    assert bottom < image.height
