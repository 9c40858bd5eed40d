"""On a landscape screen the service grid has two columns of one width, whatever their
texts: a tile beside a longer one is not squeezed to the width its own words allow."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.session.machine import Phase
from testkit.kiosk_window import demo_config, running_kiosk, wait_for_catalog
from testkit.screen_walk import tap_to_services
from ui.screens.services import ServicesScreen


def test_the_landscape_grids_two_columns_are_one_width(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, demo_central)
    with running_kiosk(qtbot, config, width=1920, height=1080) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        tap_to_services(qtbot, kiosk, "Siti Aminah")
        screen = kiosk.screens[Phase.IDENTIFIED]
        assert isinstance(screen, ServicesScreen)
        grid = screen.grid
        assert grid.columnCount() == 2
        assert [grid.columnStretch(c) for c in range(2)] == [1, 1]
        pairs = [
            (grid.itemAtPosition(row, 0), grid.itemAtPosition(row, 1))
            for row in range(grid.rowCount())
        ]
        widths = [
            (left.widget().width(), right.widget().width())
            for left, right in pairs
            if left is not None and right is not None and left.widget() is not right.widget()
        ]
        assert widths  # some row holds two tiles
        assert all(abs(a - b) <= 1 for a, b in widths), widths
