"""Every screen, portrait 1080×1920 and landscape 1920×1080, at the usual type and in
the "A+" larger-text mode: touch targets of at least 15 mm at the configured DPI,
nothing clipped off the window, every text at least the body size (titles their
level), and every painted text with WCAG 2.2 AA contrast."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.session.events import (
    FormOpened,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_phase
from testkit.layout_checks import SIZES, layout_problems
from testkit.legibility import contrast_problems, text_size_problems
from testkit.screen_walk import visit_every_problem_screen, visit_every_screen
from ui.theme import LARGER_TEXT, TypeScale, min_text_px, min_touch_px
from ui.window import KioskWindow


@pytest.fixture(params=sorted(SIZES))
def orientation(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["usual", "larger"])
def text_size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def kiosk(
    tmp_path: Path, demo_central: str, qtbot: QtBot, orientation: str
) -> Iterator[KioskWindow]:
    width, height = SIZES[orientation]
    clock = ManualClock()
    with running_kiosk(
        qtbot, demo_config(tmp_path, demo_central), width=width, height=height, clock=clock
    ) as window:
        window.clock = clock  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=5000)
        yield window


def test_every_screen_fits_readable_with_finger_sized_targets(
    kiosk: KioskWindow, qtbot: QtBot, orientation: str, text_size: str
) -> None:
    dpi = kiosk.controller.config.kiosk.screen_dpi
    touch_px = min_touch_px(dpi)
    assert touch_px == 57  # 15 mm at the default 96 dpi
    assert min_text_px(dpi) == 27  # 7 mm at the default 96 dpi
    larger = text_size == "larger"
    scale = TypeScale.at(dpi, LARGER_TEXT if larger else 1.0)
    size = SIZES[orientation]
    seen = []
    for screen in visit_every_screen(qtbot, kiosk, larger_text=larger):
        assert (kiosk.width(), kiosk.height()) == size, f"{screen}: the window had to grow"
        assert layout_problems(kiosk, touch_px) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        if not larger:  # the same colours at either size: painted once is enough
            assert contrast_problems(kiosk) == [], screen
        seen.append(screen)
    assert len(seen) == 23


def test_every_problem_screen_fits_readable_in_the_larger_text_mode(
    kiosk: KioskWindow, qtbot: QtBot, orientation: str
) -> None:
    """The error screens in "A+", both orientations (at the usual size the accessibility
    walk shows them, tests/ui/test_accessible_names.py)."""
    dpi = kiosk.controller.config.kiosk.screen_dpi
    scale = TypeScale.at(dpi, LARGER_TEXT)
    size = SIZES[orientation]
    seen = []
    for screen in visit_every_problem_screen(qtbot, kiosk, larger_text=True):
        assert kiosk.controller.status().larger_text, screen
        assert (kiosk.width(), kiosk.height()) == size, f"{screen}: the window had to grow"
        assert layout_problems(kiosk, min_touch_px(dpi)) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        seen.append(screen)
    assert len(seen) == 7


def test_a_denser_screen_gets_bigger_targets(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, demo_central)
    dense = dataclasses.replace(
        config, kiosk=dataclasses.replace(config.kiosk, screen_dpi=141.0)
    )  # a 15.6" full-HD panel
    with running_kiosk(qtbot, dense, width=1080, height=1920) as kiosk:
        qtbot.waitUntil(lambda: kiosk.controller.status().catalog is not None, timeout=5000)
        touch_px = min_touch_px(141.0)
        assert touch_px == 84
        click(qtbot, button_with(kiosk, "Siti Aminah"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
        kiosk.controller.dispatch(FormOpened())
        assert layout_problems(kiosk, touch_px) == []
        assert layout_problems(kiosk, 2 * touch_px) != []  # the check does bite
        assert text_size_problems(kiosk, TypeScale.at(141.0)) == []  # 39 px body: 7 mm
        assert text_size_problems(kiosk, TypeScale.at(141.0, 1.2)) != []
        key = kiosk.screens[Phase.FORM].keyboard.keys["q"]  # type: ignore[attr-defined]
        assert key.height() >= 84
