"""A QR code drawn as inline SVG, for a page that shows its own address (``/b/{code}``).

The matrix comes from the ``qrcode`` package (pure Python); the drawing is
ours: one ``<path>`` of unit squares in a ``viewBox`` with the four-module
quiet zone the standard asks for, so it scales to any width without blur and
needs no image file, no Pillow and no script (the pages' Content-Security-Policy
allows neither inline scripts nor other sites' images). The markup is built
from numbers only (and the label, escaped); the encoded text never appears in it.
``qrcode`` (which loads Pillow when it can) is imported by the first code drawn.
"""

from __future__ import annotations

import html

#: Modules of white space around the code (ISO/IEC 18004 asks for four).
QUIET_ZONE = 4
#: The longest text this draws (an address of the centre, with room to spare).
MAX_TEXT = 300


def qr_matrix(text: str) -> list[list[bool]]:
    """The dark (True) and light modules of ``text``'s QR code, error correction level M."""
    if not text or len(text) > MAX_TEXT:
        raise ValueError("a QR code of 1 to 300 characters")
    import qrcode  # the first code drawn loads it

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_svg(text: str, label: str) -> str:
    """``text``'s QR code as an ``<svg>`` element, named ``label`` for screen readers.

    Safe to print unescaped (``|safe``): numbers, and ``label`` escaped here.
    """
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges" '
        f'aria-label="{html.escape(label, quote=True)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
