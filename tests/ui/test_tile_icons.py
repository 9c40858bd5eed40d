"""Service tiles carry their category's icon, drawn in code (#7); the kiosk's own status and
complaint tiles carry the icons of the categories they serve (#15)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from contract.catalog import CATEGORIES, Text
from kiosk.session.machine import Phase
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.icons import category_pixmap
from ui.screens.services import BUILT_IN_CATEGORIES, TILE_ICON_GAP, TILE_ICON_PX
from ui.window import KioskWindow


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


ICON = QSize(TILE_ICON_PX + TILE_ICON_GAP, TILE_ICON_PX)  # the drawing, then room


def tile_image(tile: QPushButton) -> QImage:
    """The icon's drawing, without the room left before the text."""
    image = tile.icon().pixmap(ICON).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    assert image.size() == ICON
    return image.copy(0, 0, TILE_ICON_PX, TILE_ICON_PX)


def tiles(kiosk: KioskWindow) -> dict[str, QPushButton]:
    return {
        str(b.property("service_id")): b
        for b in kiosk.findChildren(QPushButton)
        if b.property("service_id") and b.isVisible()
    }


def test_every_category_has_its_own_icon_on_its_tiles(kiosk: KioskWindow, qtbot: QtBot) -> None:
    catalog = kiosk.controller.status().catalog
    assert catalog is not None
    here = [s for s in catalog.services if s.office_id == kiosk.view.office_id]
    # one more service in each category the demo leaves empty here, so every icon shows
    extra = tuple(
        dataclasses.replace(here[0], id=f"extra-{c}", category=c)
        for c in CATEGORIES
        if not any(s.category == c for s in here)
    )
    categories = {c: catalog.categories.get(c, Text({"id": c, "en": c})) for c in CATEGORIES}
    kiosk.controller._sync.use_catalog(
        dataclasses.replace(
            catalog, version="icons", services=catalog.services + extra, categories=categories
        )
    )
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    services = {s.id: s for s in kiosk.controller.status().catalog.services}
    shown = tiles(kiosk)
    # the kiosk's own status and complaint tiles stand for the categories it serves itself
    own = {
        str(b.property("own_entry")): b
        for b in kiosk.findChildren(QPushButton)
        if b.property("own_entry") and b.isVisible()
    }
    assert sorted(own) == sorted(BUILT_IN_CATEGORIES)
    assert [services[i].category for i in shown if services[i].category in own] == []
    by_category: dict[str, QImage] = {}
    for key, tile in [*shown.items(), *((f"own:{c}", t) for c, t in own.items())]:
        assert not tile.icon().isNull(), key
        assert tile.iconSize() == ICON
        image = tile_image(tile)
        assert image.size() == QSize(TILE_ICON_PX, TILE_ICON_PX)
        own_category = key.removeprefix("own:")
        category = own_category if key.startswith("own:") else services[key].category
        if category in by_category:  # the same category, the same icon
            assert image == by_category[category], key
        by_category[category] = image
    assert sorted(by_category) == sorted(CATEGORIES)
    images = list(by_category.values())
    for i, a in enumerate(images):
        for b in images[i + 1 :]:
            assert a != b, "two categories share an icon"
    # drawn, not blank: some pixels carry the colour
    blank = QImage(images[0].size(), images[0].format())
    blank.fill(0)
    assert all(image != blank for image in images)


def test_an_unknown_category_gets_the_neutral_icon(kiosk: KioskWindow, qtbot: QtBot) -> None:
    catalog = kiosk.controller.status().catalog
    assert catalog is not None
    here = next(s for s in catalog.services if s.office_id == kiosk.view.office_id)
    odd = dataclasses.replace(here, id="odd-one", category="lainnya")
    categories = {**catalog.categories, "lainnya": Text({"id": "Lainnya", "en": "Other"})}
    kiosk.controller._sync.use_catalog(
        dataclasses.replace(
            catalog, version="odd", services=(*catalog.services, odd), categories=categories
        )
    )
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    image = tile_image(tiles(kiosk)["odd-one"])
    neutral = category_pixmap("something-else", TILE_ICON_PX).toImage()
    assert image == neutral.convertToFormat(QImage.Format.Format_ARGB32)
    for category in CATEGORIES:
        own = category_pixmap(category, TILE_ICON_PX).toImage()
        assert image != own.convertToFormat(QImage.Format.Format_ARGB32), category
