"""The type scale: text at least 7 mm of em height at the kiosk's dpi, titles larger,
the "A+" mode 1.5 times, and the check that measures painted fonts (run on every
screen by test_layout_sizes)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from testkit.legibility import text_size_problems
from ui.screens.common import label
from ui.theme import LARGER_TEXT, LEVELS, TypeScale, min_text_px, style_sheet


def test_body_text_is_seven_millimetres_at_the_screens_dpi() -> None:
    assert min_text_px(96.0) == 27  # 7 mm = 26.5 px at 96 dpi, rounded up
    assert min_text_px(141.0) == 39  # a 15.6" full-HD panel
    assert TypeScale.at(96.0).body == 27
    assert TypeScale.at(96.0, LARGER_TEXT).body == 41


def test_nothing_on_the_scale_is_under_the_body_and_titles_are_larger() -> None:
    assert min(LEVELS.values()) == LEVELS["body"] == 1.0
    t = TypeScale.at()
    assert t.px("body") < t.px("lead") < t.px("title") < t.px("number")


def test_the_style_sheet_carries_the_scale_of_its_dpi_and_mode() -> None:
    assert "font-size: 27px" in style_sheet(96.0)
    assert "font-size: 41px" in style_sheet(96.0, larger=True)
    assert "font-size: 39px" in style_sheet(141.0)
    assert "font-size: 22px" not in style_sheet(96.0)


def test_the_size_check_finds_small_text_and_a_title_at_body_size(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    box = QVBoxLayout(host)
    for text, name in (("Small", "small"), ("Title", "title"), ("Body", "")):
        box.addWidget(label(text, name))
    host.setStyleSheet("QWidget { font-size: 27px; } QLabel#small { font-size: 22px; }")
    host.show()
    problems = text_size_problems(host, TypeScale.at())
    assert len(problems) == 2, problems
    assert "'Small' is 22 px, under body 27 px" in problems[0]
    assert "'Title' is 27 px, under title 41 px" in problems[1]
