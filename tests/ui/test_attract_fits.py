"""The attract screen keeps the window's size in the "A+" mode on a landscape screen,
with both its banners (offline, and the printer out of order): an office's kiosk,
and the demo with its simulated cards. The window takes the largest screen's
minimum, so an attract screen too tall would make every screen taller than the
display for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from testkit.clocks import ManualClock
from testkit.kiosk_window import click, offline_config, running_kiosk
from testkit.layout_checks import SIZES, layout_problems
from ui.theme import min_touch_px


@pytest.mark.parametrize("demo", [False, True], ids=["office", "demo"])
def test_the_attract_screen_with_both_banners_fits_landscape_in_larger_text(
    tmp_path: Path, qtbot: QtBot, demo: bool
) -> None:
    size = SIZES["landscape"]
    config = offline_config(tmp_path)
    with running_kiosk(
        qtbot, config, width=size[0], height=size[1], clock=ManualClock(), demo=demo
    ) as kiosk:
        attract = kiosk.attract
        assert attract.larger_text is not None
        click(qtbot, attract.larger_text)
        qtbot.waitUntil(lambda: kiosk.controller.status().online is False, timeout=10000)
        # offline, no catalog yet, and the printer out of order: both banners, the alert two lines
        attract.set_status(kiosk.view, online=False, printer_ok=False)
        assert attract.offline.isVisible() and attract.alert.isVisible()
        assert bool(attract.findChildren(QPushButton, "demoCard")) is demo
        assert layout_problems(kiosk, min_touch_px(config.kiosk.screen_dpi)) == []
        assert (kiosk.width(), kiosk.height()) == size, "the window had to grow"
        assert attract.offline.isVisible() and attract.alert.isVisible()  # measured with both
