"""The render benchmark's floor draws the ticket's own page, and ratio rows report as ratios.

Speed is never asserted here: only that the floor is the page it claims to be.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from bench.printing import text_floor
from bench.report import benchmark_table
from bench.results import Benchmark, Measurement
from printing.layouts.ticket import render_ticket_pdf
from printing.samples import sample_ticket
from testkit.printouts import decode_qr, page_size_mm, pdf_text


def _font_names(pdf: bytes) -> set[str]:
    resources: Any = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]
    names = set()
    for ref in resources["/Font"].values():
        font = ref.get_object()
        assert "/FontFile2" in font["/FontDescriptor"]
        names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


def test_the_floor_is_the_tickets_page_and_text_without_its_qr_code(tmp_path: Path) -> None:
    doc = sample_ticket()
    ticket = render_ticket_pdf(doc)

    floor = text_floor(doc)()

    assert page_size_mm(floor) == page_size_mm(ticket)
    assert pdf_text(floor).split() == pdf_text(ticket).split()
    assert _font_names(floor) == _font_names(ticket) == {"DejaVuSans", "DejaVuSans-Bold"}
    assert decode_qr(ticket, tmp_path) == [doc.status_url]
    assert decode_qr(floor, tmp_path) == []


def test_a_ratio_row_shows_ratios_and_holds_its_goal_on_the_median() -> None:
    # Median 1.40, p95 above the goal: a ratio goal on the median is met all the same.
    ratios = (1.2, 1.3, 1.4, 1.5, 3.0)
    row = Measurement("a ÷ floor", "A ratio.", ratios, goal_ms=1.45, goal_on="median", unit="×")

    [line] = [x for x in benchmark_table(Benchmark("T", (row,))) if x.startswith("| a ÷")]

    assert line.split(" | ")[3:] == ["1.40×", "2.70×", "1.20×", "3.00×", "≤ 1.45×", "✅ pass |"]
    assert not Measurement("t", "A time.", ratios, goal_ms=1.45).meets_goal()
