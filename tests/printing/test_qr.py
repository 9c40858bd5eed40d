"""QR codes: reportlab's encoder with our mask choice, on paper and as a matrix."""

from __future__ import annotations

import io
import itertools
import random
from pathlib import Path

import pytest
from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

from printing.layouts.qr import (
    QUIET_ZONE,
    dark_runs,
    draw_qr,
    forget_codes,
    keep_code,
    kept_codes,
    mask_penalty,
    qr_matrix,
)
from testkit.printouts import decode_qr

URLS = [
    "http://127.0.0.1:8470/t/3f1c2b7a-9d4e-4c5b-8a61-0e2f4d6b8a17",
    "https://antrean.pekanbaru.go.id/t/00000000-0000-4000-8000-000000000000",
    "x",
]


def qr_page(text: str, size: float = 120) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(size + 40, size + 40), invariant=1)
    draw_qr(canvas, qr_matrix(text), 20, 20, size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("text", URLS)
def test_zbar_reads_back_what_was_encoded(text: str, tmp_path: Path) -> None:
    assert decode_qr(qr_page(text), tmp_path) == [text]


def test_the_matrix_is_square_and_the_smallest_version_that_fits() -> None:
    matrix = qr_matrix(URLS[0])

    assert len(matrix) == 33  # version 4: 4 * 4 + 17 modules
    assert all(len(row) == 33 for row in matrix)
    # the three finder patterns' corners are dark
    assert matrix[0][0] and matrix[0][-1] and matrix[-1][0]


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValueError):
        qr_matrix("")


def test_runs_cover_exactly_the_dark_modules() -> None:
    matrix = qr_matrix(URLS[1])

    dark = {(r, c + i) for r, c, n in dark_runs(matrix) for i in range(n)}

    assert dark == {(r, c) for r, row in enumerate(matrix) for c, m in enumerate(row) if m}
    assert QUIET_ZONE == 4


def reference_penalty(modules: list[list[bool]]) -> int:
    """ISO/IEC 18004's four rules, written out module by module."""
    size = len(modules)
    lines = [list(row) for row in modules] + [list(col) for col in zip(*modules, strict=True)]
    penalty = 0
    for line in lines:
        run = 1
        for previous, current in itertools.pairwise(line):
            if current == previous:
                run += 1
                continue
            penalty += run - 2 if run >= 5 else 0
            run = 1
        penalty += run - 2 if run >= 5 else 0
        bits = "".join("1" if m else "0" for m in line)
        for start in range(size - 10):
            if bits[start : start + 11] in ("10111010000", "00001011101"):
                penalty += 40
    for r in range(size - 1):
        for c in range(size - 1):
            block = {modules[r][c], modules[r][c + 1], modules[r + 1][c], modules[r + 1][c + 1]}
            penalty += 3 if len(block) == 1 else 0
    dark = sum(sum(row) for row in modules)
    return penalty + 10 * (abs(100 * dark // (size * size) - 50) // 5)


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_penalty_follows_the_standard(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    size = rng.choice([21, 25, 33])
    modules = [[rng.random() < 0.5 for _ in range(size)] for _ in range(size)]

    assert mask_penalty(modules) == reference_penalty(modules)


def test_a_real_symbol_scores_as_the_standard_says() -> None:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(URLS[0])
    code.version = code.calculate_version()
    for mask in range(8):
        code.makeImpl(True, mask)
        assert mask_penalty(code.modules) == reference_penalty(code.modules)


def eight_trial_builds(text: str, level: str) -> tuple[tuple[bool, ...], ...]:
    """The symbol as reportlab builds it: one trial build per mask, then the chosen one."""
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(text)
    code.version = code.calculate_version()
    penalties = []
    for mask in range(8):
        code.makeImpl(True, mask)
        penalties.append(reference_penalty(code.modules))
    code.makeImpl(False, penalties.index(min(penalties)))
    return tuple(tuple(bool(m) for m in row) for row in code.modules)


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_one_build_gives_the_symbol_eight_trial_builds_give(level: str) -> None:
    rng = random.Random(level)  # noqa: S311 (test data, not secrets)
    # Versions 1 to about 20: from 7 up the symbol carries version information too.
    texts = [*URLS, *("".join(rng.choices("0123456789abcdef/-:.", k=n)) for n in (40, 150, 400))]
    for text in texts:
        assert qr_matrix(text, level) == eight_trial_builds(text, level), (level, len(text))


def test_the_symbol_is_built_once_not_once_per_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[tuple[bool, int]] = []
    make = qrencoder.QRCode.makeImpl

    def counted(code: qrencoder.QRCode, test: bool, mask: int) -> None:
        builds.append((test, mask))
        make(code, test, mask)

    monkeypatch.setattr(qrencoder.QRCode, "makeImpl", counted)

    matrix = qr_matrix(URLS[0])

    assert builds == [(True, 0)]
    assert matrix == eight_trial_builds(URLS[0], "M")


def test_only_a_code_asked_to_be_kept_is_kept_and_forgetting_drops_it() -> None:
    """A render after a session's wipe (a late slip) encodes its code afresh and keeps
    nothing: only the session's own work keeps a code, and the wipe forgets them."""
    forget_codes()
    url = "https://antrean.example.go.id/t/KIOSK-1-0001"
    drawn = qr_matrix(url)
    assert kept_codes() == 0
    assert keep_code(url) == drawn and kept_codes() == 1
    assert qr_matrix(url) is keep_code(url)  # found kept, not encoded again
    forget_codes()
    assert kept_codes() == 0
    qr_matrix(url)
    assert kept_codes() == 0


def test_at_most_eight_codes_are_kept_the_oldest_dropped_first() -> None:
    forget_codes()
    oldest = keep_code("kode-0")
    for n in range(1, 10):
        keep_code(f"kode-{n}")
    assert kept_codes() == 8
    assert qr_matrix("kode-0") == oldest and qr_matrix("kode-0") is not oldest  # encoded anew
    for n in range(2, 10):  # the newest are found, as the very matrices kept
        assert qr_matrix(f"kode-{n}") is keep_code(f"kode-{n}")
    forget_codes()
