"""QR codes: reportlab's own encoder, a faster mask choice, drawn as one path.

The matrix comes from :mod:`reportlab.graphics.barcode.qrencoder` (no extra
dependency). Choosing the mask is most of its cost: it scores all eight
masks with list-based rules (~0.75 ms each). :func:`qr_matrix` scores them
with the same four penalty rules of ISO/IEC 18004 on strings and integers
(~0.1 ms each) and lets reportlab build the chosen one.

The code is drawn on a PDF canvas as one filled path written directly in
module units (one ``re`` per run of dark modules in a row), about half a
millisecond, where reportlab's ``QrCodeWidget`` builds a drawing of one
shape per run and costs ~11 ms. The touchscreen draws the same matrix with
Qt (``ui/qr.py``), so the QR on screen is the QR on paper.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

#: Quiet zone around the code, in modules, as ISO/IEC 18004 asks.
QUIET_ZONE = 4

#: One row per module row, top first; True is a dark module.
Matrix = tuple[tuple[bool, ...], ...]


@functools.lru_cache(maxsize=8)
def qr_matrix(text: str, level: str = "M") -> Matrix:
    """The QR code for ``text`` (byte mode, smallest version that fits).

    ``level`` is the error correction: ``L``, ``M`` (the default: 15 % of the
    code may be damaged, as a crumpled ticket can be), ``Q`` or ``H``.
    Raises :class:`ValueError` for empty text.

    The last few codes are kept (the matrix is an immutable tuple): a ticket's
    status page is encoded once, by the print on its worker thread, and the
    ticket screen that shows the same code on the GUI thread finds it made.
    """
    if not text:
        raise ValueError("a QR code needs some text")
    # Imported here: reportlab's barcode package loads every barcode widget
    # (~0.3 s), which the touchscreen must not pay before its first paint.
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(text)
    code.version = code.calculate_version()
    best, best_penalty = 0, -1
    for mask in range(8):
        code.makeImpl(True, mask)
        penalty = mask_penalty(code.modules)
        if best_penalty < 0 or penalty < best_penalty:
            best, best_penalty = mask, penalty
    code.makeImpl(False, best)
    return tuple(tuple(bool(module) for module in row) for row in code.modules)


_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = ("10111010000", "00001011101")


def mask_penalty(modules: Any) -> int:
    """The ISO/IEC 18004 penalty of a masked symbol: the lowest is the mask to use.

    N1: 3 + (length - 5) per run of five or more same-colour modules in a
    row or column; N2: 3 per 2x2 block of one colour; N3: 40 per finder-like
    1:1:3:1:1 pattern with four light modules on one side; N4: 10 per 5 %
    the dark share strays from half.
    """
    rows = ["".join("1" if m else "0" for m in row) for row in modules]
    columns = ["".join(column) for column in zip(*rows, strict=True)]
    size = len(rows)
    penalty = 0
    for line in itertools.chain(rows, columns):
        penalty += sum(len(run) - 2 for run in _RUN.findall(line))
        penalty += 40 * sum(line.count(pattern) for pattern in _FINDER_LIKE)
    bits = [int(row, 2) for row in rows]
    full = (1 << (size - 1)) - 1  # the size - 1 horizontal neighbour pairs
    for upper, lower in itertools.pairwise(bits):
        same = ~(upper ^ lower)
        same_pair = ~(upper ^ (upper >> 1))
        penalty += 3 * bin(same & (same >> 1) & same_pair & full).count("1")
    dark = sum(row.count("1") for row in rows)
    penalty += 10 * (abs(100 * dark // (size * size) - 50) // 5)
    return penalty


def dark_runs(matrix: Matrix) -> list[tuple[int, int, int]]:
    """``(row, first column, length)`` of every horizontal run of dark modules."""
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        column = 0
        for dark, group in itertools.groupby(row):
            length = sum(1 for _ in group)
            if dark:
                runs.append((r, column, length))
            column += length
    return runs


def draw_qr(canvas: Any, matrix: Matrix, x: float, y: float, size: float) -> None:
    """Draw ``matrix`` with its quiet zone in a ``size`` square whose lower left is (x, y).

    ``canvas`` is a :class:`reportlab.pdfgen.canvas.Canvas`; the code is
    filled in black without a stroke, so modules keep their exact size.
    """
    count = len(matrix) + 2 * QUIET_ZONE
    module = size / count
    # In module units, top-left origin: every coordinate is a small integer. Each
    # run reaches 1/20 module into the row below, so anti-aliased renderings
    # show no hairline seams between rows.
    ops = " ".join(f"{column} {row} {length} 1.05 re" for row, column, length in dark_runs(matrix))
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(module, 0, 0, -module, x + QUIET_ZONE * module, y + size - QUIET_ZONE * module)
    canvas.addLiteral(f"{ops} f")
    canvas.restoreState()
