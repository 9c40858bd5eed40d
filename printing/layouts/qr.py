"""QR codes: reportlab's own encoder, a faster mask choice, drawn as one path.

The matrix comes from :mod:`reportlab.graphics.barcode.qrencoder` (no extra
dependency). Choosing the mask is most of its cost: it scores all eight
masks with list-based rules (~0.75 ms each). :func:`qr_matrix` scores them
with the same four penalty rules of ISO/IEC 18004 on strings and integers
(~0.1 ms each). The symbol is built once, not once per mask: a mask only
flips data modules, so each trial is that build with one precomputed bit
pattern per row XORed in, and the chosen trial gets its format information
written. The codewords' Reed-Solomon remainder is computed by table lookups.

The code is drawn on a PDF canvas as one filled path written directly in
module units (one ``re`` per run of dark modules in a row), about half a
millisecond, where reportlab's ``QrCodeWidget`` builds a drawing of one
shape per run and costs ~11 ms. The touchscreen draws the same matrix with
Qt (``ui/qr.py``), so the QR on screen is the QR on paper.
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
import threading
from collections.abc import Iterable
from typing import Any

#: Quiet zone around the code, in modules, as ISO/IEC 18004 asks.
QUIET_ZONE = 4

#: One row per module row, top first; True is a dark module.
Matrix = tuple[tuple[bool, ...], ...]


def qr_matrix(text: str, level: str = "M") -> Matrix:
    """The QR code for ``text`` (byte mode, smallest version that fits).

    ``level`` is the error correction: ``L``, ``M`` (the default: 15 % of the
    code may be damaged, as a crumpled ticket can be), ``Q`` or ``H``.
    Raises :class:`ValueError` for empty text.

    A code :func:`keep_code` kept is found, not encoded again; any other is
    encoded and not kept, so a paper rendered after its session was wiped (a
    slip printed late) leaves its page address in no cache.
    """
    with _KEEPING:
        kept = _KEPT.get((text, level))
    return kept if kept is not None else _encode(text, level)


def keep_code(text: str, level: str = "M") -> Matrix:
    """:func:`qr_matrix`, kept until :func:`forget_codes` (the last few only).

    A ticket's status page is encoded once, ahead on a worker thread, and the
    screen and the paper that show the same code find it made. Only the
    session's own work keeps a code; the session's wipe forgets them all.
    """
    matrix = qr_matrix(text, level)
    with _KEEPING:
        _KEPT[(text, level)] = matrix
        _KEPT.move_to_end((text, level))
        while len(_KEPT) > _KEPT_AT_MOST:
            _KEPT.popitem(last=False)
    return matrix


def kept_codes() -> int:
    """How many codes are kept (none once a session is wiped)."""
    with _KEEPING:
        return len(_KEPT)


def forget_codes() -> None:
    """Drop the codes kept: a ticket's or a complaint's page address is the citizen's
    way in to it, and nothing of a session stays in memory once it is wiped."""
    with _KEEPING:
        _KEPT.clear()


#: The codes :func:`keep_code` kept, oldest first, by text and level.
_KEPT: collections.OrderedDict[tuple[str, str], Matrix] = collections.OrderedDict()
_KEPT_AT_MOST = 8
_KEEPING = threading.Lock()


def _encode(text: str, level: str) -> Matrix:
    if not text:
        raise ValueError("a QR code needs some text")
    # Imported here: reportlab's barcode package loads every barcode widget
    # (~0.3 s), which the touchscreen must not pay before its first paint.
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(text)
    code.version = code.calculate_version()
    code.dataCache = _codewords(code)
    # One build, as reportlab scores a trial (format bits light), with mask 0.
    code.makeImpl(True, 0)
    size = len(code.modules)
    first = [int("".join("1" if m else "0" for m in row), 2) for row in code.modules]
    flips = _FLIPS.get(code.version)
    if flips is None:
        flips = _FLIPS.setdefault(code.version, _mask_flips(size, code.dataPosIterator()))
    trials = [[format(bits ^ f, f"0{size}b") for bits, f in zip(first, flip, strict=True)]
              for flip in flips]  # fmt: skip
    penalties = [_penalty(rows) for rows in trials]
    best = penalties.index(min(penalties))
    # The chosen trial with its real format (and version) information is the symbol.
    code.modules = [[bit == "1" for bit in row] for row in trials[best]]
    code.setupTypeInfo(False, best)
    if code.version >= 7:
        code.setupTypeNumber(False)
    return tuple(tuple(row) for row in code.modules)


def _codewords(code: Any) -> list[int]:
    """The symbol's data and error correction codewords, interleaved, as reportlab's
    ``QRCode.createData`` makes them, with the Reed-Solomon remainder computed by
    table lookups instead of reportlab's polynomial objects (~1 ms)."""
    from reportlab.graphics.barcode import qrencoder

    blocks = qrencoder.QRRSBlock.getRSBlocks(code.version, code.errorCorrectLevel)
    capacity = 8 * sum(block.dataCount for block in blocks)
    buffer = qrencoder.QRBitBuffer()
    for data in code.dataList:
        data.write(buffer, code.version)
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"QR code too long: {buffer.getLengthInBits()} > {capacity} bits")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)  # the terminator
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    data_bytes = list(buffer.buffer)
    pads = itertools.cycle((0xEC, 0x11))
    data_bytes += [next(pads) for _ in range(capacity // 8 - len(data_bytes))]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = data_bytes[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(chunk)
        ec_blocks.append(_remainder(chunk, block.totalCount - block.dataCount))
    return [
        byte
        for group in itertools.chain(
            itertools.zip_longest(*data_blocks), itertools.zip_longest(*ec_blocks)
        )
        for byte in group
        if byte is not None
    ]


def _remainder(data: list[int], count: int) -> list[int]:
    """The ``count`` Reed-Solomon error correction codewords of ``data`` (GF(256), 0x11D)."""
    from reportlab.graphics.barcode.qrencoder import EXP_TABLE, LOG_TABLE

    generator = _generator_logs(count)
    remainder = [0] * count
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = [*remainder[1:], 0]
        if factor:
            log = LOG_TABLE[factor]
            for i, g in enumerate(generator):
                remainder[i] ^= EXP_TABLE[(log + g) % 255]
    return remainder


@functools.lru_cache(maxsize=32)
def _generator_logs(count: int) -> tuple[int, ...]:
    """The logs of the generator polynomial's coefficients after its leading 1."""
    from reportlab.graphics.barcode.qrencoder import LOG_TABLE, QRUtil

    coefficients = QRUtil.getErrorCorrectPolynomial(count).num
    return tuple(LOG_TABLE[c] for c in coefficients[1:])


#: :func:`_mask_flips` by version (at most 40): they depend on nothing else.
_FLIPS: dict[int, tuple[tuple[int, ...], ...]] = {}


def _mask_flips(size: int, data_modules: Iterable[tuple[int, int]]) -> tuple[tuple[int, ...], ...]:
    """Per mask, per row: the data modules whose colour differs from mask 0's, as bits.

    Masks act on data modules only (``(column, row)`` as reportlab lists
    them), so mask k's trial symbol is mask 0's with these bits flipped.
    """
    from reportlab.graphics.barcode.qrencoder import QRUtil

    data_modules = list(data_modules)
    zero = QRUtil.getMask(0)
    flips = []
    for mask in range(8):
        pattern = QRUtil.getMask(mask)
        rows = [0] * size
        for column, row in data_modules:
            if pattern(row, column) != zero(row, column):
                rows[row] |= 1 << (size - 1 - column)
        flips.append(tuple(rows))
    return tuple(flips)


_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = ("10111010000", "00001011101")
_DARK = re.compile("1+")


def mask_penalty(modules: Any) -> int:
    """The ISO/IEC 18004 penalty of a masked symbol: the lowest is the mask to use.

    N1: 3 + (length - 5) per run of five or more same-colour modules in a
    row or column; N2: 3 per 2x2 block of one colour; N3: 40 per finder-like
    1:1:3:1:1 pattern with four light modules on one side; N4: 10 per 5 %
    the dark share strays from half.
    """
    return _penalty(["".join("1" if m else "0" for m in row) for row in modules])


def _penalty(rows: list[str]) -> int:
    """:func:`mask_penalty` of the symbol whose rows are ``rows``, "1" for dark."""
    size = len(rows)
    # Rows, then columns, in one string: a separator keeps runs and patterns in their line.
    across = " ".join(rows)
    lines = across + " " + " ".join(map("".join, zip(*rows, strict=True)))
    runs = _RUN.findall(lines)
    penalty = sum(map(len, runs)) - 2 * len(runs)
    penalty += 40 * (lines.count(_FINDER_LIKE[0]) + lines.count(_FINDER_LIKE[1]))
    bits = [int(row, 2) for row in rows]
    full = (1 << (size - 1)) - 1  # the size - 1 horizontal neighbour pairs
    for upper, lower in itertools.pairwise(bits):
        same = ~(upper ^ lower)
        same_pair = ~(upper ^ (upper >> 1))
        penalty += 3 * (same & (same >> 1) & same_pair & full).bit_count()
    dark = across.count("1")
    penalty += 10 * (abs(100 * dark // (size * size) - 50) // 5)
    return penalty


def dark_runs(matrix: Matrix) -> list[tuple[int, int, int]]:
    """``(row, first column, length)`` of every horizontal run of dark modules."""
    return [
        (r, run.start(), run.end() - run.start())
        for r, row in enumerate(matrix)
        for run in _DARK.finditer("".join(["1" if m else "0" for m in row]))
    ]


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
