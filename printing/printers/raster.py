"""A PDF page as the dots of a thermal print head.

Poppler's ``pdftoppm`` (Debian's ``poppler-utils``) renders the page at the
head's resolution (203 dpi) in black and white, the way a CUPS raster driver
would; the picture is then cut or padded to exactly the head's width,
centred, so a ticket laid out with margins for that roll lands where the
head prints. Used by the ESC/POS backend, the tests and the screenshots.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

from printing.errors import PrinterUnavailable, PrintFailed, PrintTimeout

#: The usual resolution of thermal receipt printers (8 dots per mm).
THERMAL_DPI = 203


def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        raise PrinterUnavailable("pdftoppm not found: install poppler-utils to print raster")
    return path


def render_page(
    pdf: bytes, *, dpi: int = THERMAL_DPI, mono: bool = True, timeout_s: float = 10.0
) -> Any:
    """The first page of ``pdf`` as a PIL image: mode ``1`` (mono) or ``L``.

    Raises :class:`PrinterUnavailable` without pdftoppm, :class:`PrintTimeout`
    if it takes longer than ``timeout_s`` and :class:`PrintFailed` if it fails.
    """
    from PIL import Image

    command = [pdftoppm(), "-mono" if mono else "-gray", "-r", str(dpi), "-singlefile", "-"]
    try:
        done = subprocess.run(  # noqa: S603 (pdftoppm from PATH, fixed options)
            command, input=pdf, capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise PrintTimeout(f"rendering the page took over {timeout_s:g} s") from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise PrintFailed(f"pdftoppm could not render the page: {reason}")
    image = Image.open(io.BytesIO(done.stdout))
    image.load()
    return image


def fit_width(image: Any, dots: int) -> Any:
    """``image`` cut or padded with white to ``dots`` columns, centred."""
    from PIL import Image

    if image.width == dots:
        return image
    fitted = Image.new(image.mode, (dots, image.height), 1 if image.mode == "1" else 255)
    fitted.paste(image, ((dots - image.width) // 2, 0))
    return fitted


def pdf_to_bitmap(pdf: bytes, dots: int, *, dpi: int = THERMAL_DPI) -> Any:
    """The first page of ``pdf`` in black and white, exactly ``dots`` wide."""
    return fit_width(render_page(pdf, dpi=dpi, mono=True), dots)
