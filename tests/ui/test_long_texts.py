"""Long texts from the catalog wrap and scroll, never cut, in the "A+" mode in both
orientations: a service tile's name, the service detail's name and requirements
(the body scrolls above its buttons), a choice's tiles and the rows of its list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from central.settings import DEMO_CATALOG_PATH
from kiosk.session.events import FormOpened, ServiceSelected
from kiosk.session.machine import Phase
from kiosk.wiring.store import open_store
from testkit.clocks import ManualClock
from testkit.kiosk_window import button_with, click, offline_config, running_kiosk, wait_phase
from testkit.layout_checks import SIZES, layout_problems
from ui.screens.choice import ChoiceField
from ui.theme import min_touch_px
from ui.window import KioskWindow

LONG = "Surat keterangan pindah datang antar kabupaten kota dalam satu provinsi untuk keluarga"


def _text(words: str) -> dict[str, str]:
    return {"id": words, "en": words}


def long_catalog() -> dict[str, Any]:
    """The demo catalog and one service whose every text is long."""
    catalog: dict[str, Any] = json.loads(Path(DEMO_CATALOG_PATH).read_text(encoding="utf-8"))
    catalog["services"].append(
        {
            "id": "long-texts",
            "office_id": "pku-mpp",
            "category": "kependudukan",
            "name": _text(f"{LONG} {LONG}"),
            "description": _text(LONG),
            "counter": "3",
            "ticket_prefix": "B",
            "assurance": "unverified",
            "requirements": [_text(f"{LONG} {i}") for i in range(8)],
            "form": [
                {
                    "name": "few",
                    "label": _text("Pilihan pendek"),
                    "type": "choice",
                    "choices": [LONG, f"{LONG} kedua"],
                },
                {  # three long words: side by side only where each stays whole
                    "name": "words",
                    "label": _text("Bidang"),
                    "type": "choice",
                    "choices": ["Kependudukan", "Kesejahteraan", "Ketenagakerjaan"],
                },
                {
                    "name": "many",
                    "label": _text("Pilihan panjang"),
                    "type": "choice",
                    "choices": [f"{LONG} {i}" for i in range(6)],
                },
            ],
        }
    )
    return catalog


@pytest.fixture(params=sorted(SIZES))
def kiosk(request: pytest.FixtureRequest, tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = offline_config(tmp_path)
    store = open_store(config)
    catalog = long_catalog()
    store.save_catalog(catalog, '"long"', catalog["version"])
    store.close()
    width, height = SIZES[str(request.param)]
    with running_kiosk(qtbot, config, width=width, height=height, clock=ManualClock()) as window:
        qtbot.waitUntil(lambda: window.controller.status().catalog is not None, timeout=10000)
        yield window


def test_long_texts_wrap_and_scroll_in_the_larger_text_mode(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    touch_px = min_touch_px(kiosk.controller.config.kiosk.screen_dpi)
    size = (kiosk.width(), kiosk.height())
    attract = kiosk.attract
    assert attract.larger_text is not None
    click(qtbot, attract.larger_text)
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert layout_problems(kiosk, touch_px) == [], "services"
    kiosk.controller.dispatch(ServiceSelected("long-texts"))
    assert layout_problems(kiosk, touch_px) == [], "service detail"
    detail = kiosk.screens[Phase.SERVICE_CHOSEN]
    assert detail.scroll_area.isVisible()  # type: ignore[attr-defined]
    assert detail.scroll_area.accessibleName().startswith("Surat keterangan")  # type: ignore[attr-defined]
    kiosk.controller.dispatch(FormOpened())
    wait_phase(qtbot, kiosk, Phase.FORM)
    assert layout_problems(kiosk, touch_px) == [], "form with long choices as tiles"
    form = kiosk.screens[Phase.FORM]
    many = form.editors["many"]  # type: ignore[attr-defined]
    assert isinstance(many, ChoiceField) and many.opener is not None
    click(qtbot, many.opener)
    assert form.choice_list.isVisible()  # type: ignore[attr-defined]
    assert layout_problems(kiosk, touch_px) == [], "a long choice's full-screen list"
    assert (kiosk.width(), kiosk.height()) == size
