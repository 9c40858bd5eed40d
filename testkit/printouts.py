"""Reading printed documents back: their text, their page, their QR code."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

MM_PER_PT = 25.4 / 72


def need_tool(name: str, package: str) -> str:
    """The path of ``name``; skip without it (fail under ``CI``, where it must be installed)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} ({package}) is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flowing(text: str) -> str:
    """``text`` with line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width) * MM_PER_PT, float(box.height) * MM_PER_PT


def decode_qr(pdf: bytes, folder: Path, dpi: int = 203) -> list[str]:
    """Every QR code zbarimg finds on the page rendered by ``pdftoppm -r DPI``."""
    pdftoppm = need_tool("pdftoppm", "poppler-utils")
    need_tool("zbarimg", "zbar-tools")
    source = folder / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), "-singlefile", str(source), str(folder / "page")],
        check=True,
        timeout=30,
    )
    return decode_png(folder / "page.png")


def decode_png(png: Path) -> list[str]:
    zbarimg = need_tool("zbarimg", "zbar-tools")
    done = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout.splitlines()
