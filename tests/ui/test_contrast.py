"""WCAG 2.2 AA contrast: every text colour the theme declares, on what it is painted on,
and the check that reads a painted screen (run on every screen by test_layout_sizes)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from testkit.legibility import AA_TEXT, contrast_problems, contrast_ratio, rgb
from ui.screens.common import label
from ui.theme import LOOKS, style_sheet


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [("#767676", "#ffffff", 4.54), ("#777777", "#ffffff", 4.48), ("#000000", "#ffffff", 21.0)],
)
def test_the_formula_gives_the_published_ratios(fg: str, bg: str, ratio: float) -> None:
    assert round(contrast_ratio(rgb(fg), rgb(bg)), 2) == ratio
    assert contrast_ratio(rgb(bg), rgb(fg)) == contrast_ratio(rgb(fg), rgb(bg))


def test_every_text_colour_of_the_theme_meets_aa_for_text_of_any_size() -> None:
    # 4.5:1 even though the kiosk's texts are all large (3:1 would do): a margin.
    ratios = {look: contrast_ratio(rgb(look.ink), rgb(look.bg)) for look in LOOKS}
    weak = [f"{k.selector}: {k.ink} on {k.bg} is {r:.2f}" for k, r in ratios.items() if r < AA_TEXT]
    assert weak == []


def test_every_text_colour_in_the_style_sheet_is_one_of_the_checked_pairs() -> None:
    declared = {look.ink.lower() for look in LOOKS}
    for larger in (False, True):
        used = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", style_sheet(larger=larger)))
        assert used and {c.lower() for c in used} <= declared


def test_the_picture_check_reads_a_faint_text(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    box = QVBoxLayout(host)
    faint, clear = label("Faint words", "faint"), label("Clear words", "clear")
    box.addWidget(faint)
    box.addWidget(clear)
    host.setStyleSheet(
        "QWidget { background: #ffffff; font-size: 28px; }"
        " QLabel#faint { color: #aaaaaa; } QLabel#clear { color: #111111; }"
    )
    host.resize(600, 200)
    host.show()
    qtbot.waitExposed(host)  # type: ignore[no-untyped-call]
    problems = contrast_problems(host)
    assert len(problems) == 1 and "'Faint words'" in problems[0], problems
    assert "#aaaaaa on #ffffff" in problems[0]
