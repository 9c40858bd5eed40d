"""The kiosk's start: the attract screen first, then the store, its cached catalog
and the sync engine (the cold start is measured in make bench)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

import ui.window
from cardio.emulators.demo_cards import DEMO_ISSUER_ID
from cardio.errors import Reason
from central.settings import DEMO_CATALOG_PATH
from contract.demo import DEMO_TRUST_LIST
from contract.trust import revocation_list_json
from kiosk.session.machine import Phase
from kiosk.wiring.store import open_store
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    offline_config,
    running_kiosk,
    visible_strings,
    wait_for_catalog,
    wait_phase,
)
from ui.window import FIRST_PAINT_FALLBACK_MS, KioskWindow

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def _cache_demo_catalog(tmp_path: Path) -> Path:
    config = demo_config(tmp_path, "http://127.0.0.1:9")
    body = json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))
    store = open_store(config)
    store.save_catalog(body, '"cached"', body["version"])
    store.close()
    return config.store_path


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the first paint (never the timer for hidden windows) may load the store."""
    monkeypatch.setattr(ui.window, "FIRST_PAINT_FALLBACK_MS", 600_000)


@pytest.fixture
def hidden_kiosk(qtbot: QtBot, tmp_path: Path, no_fallback: None) -> Iterator[KioskWindow]:
    """The kiosk as `kiosk run` builds it, not shown yet, with a catalog cached offline."""
    _cache_demo_catalog(tmp_path)
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config, show=False, deferred_store=True) as window:
        yield window


def test_the_store_opens_once_the_attract_screen_is_painted(
    qtbot: QtBot, hidden_kiosk: KioskWindow
) -> None:
    window, controller = hidden_kiosk, hidden_kiosk.controller
    assert not window.kiosk.store.is_open and controller.status().catalog is None
    window.show()
    wait_for_catalog(qtbot, controller)
    assert window.kiosk.store.is_open and window.attract.isVisible()
    assert controller.status().catalog_etag == '"cached"'  # offline: the cached one
    assert controller.status().store_failure is None
    engine = window.kiosk.engine
    assert engine is not None
    qtbot.waitUntil(lambda: engine.running)


def test_a_window_never_shown_still_opens_its_store(qtbot: QtBot, tmp_path: Path) -> None:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config, show=False, deferred_store=True) as window:
        store = window.kiosk.store
        qtbot.wait(FIRST_PAINT_FALLBACK_MS // 2)
        assert not store.is_open
        qtbot.waitUntil(lambda: store.is_open, timeout=FIRST_PAINT_FALLBACK_MS * 3)


def test_an_unusable_store_puts_the_kiosk_out_of_service_until_it_opens(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = offline_config(tmp_path)
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    config.store_path.write_bytes(b"half a database, then the power went" * 200)
    with running_kiosk(qtbot, config, deferred_store=True) as window:
        controller = window.controller
        told: list[str | None] = []
        controller.subscribe_status(lambda: told.append(controller.status().store_failure))
        qtbot.waitUntil(lambda: controller.status().store_failure is not None, timeout=10_000)
        assert "database" in (controller.status().store_failure or "")
        assert told and told[-1] == controller.status().store_failure
        assert window.kiosk.engine is not None and not window.kiosk.engine.running
        # The citizen reads why, and a tap starts nothing that could not be kept.
        shown = visible_strings(window)
        assert "Mohon maaf, anjungan ini sedang tidak dapat melayani" in shown
        assert "Silakan ke loket informasi, petugas akan melayani Anda." in shown
        assert window.attract.closed_icon.isVisible() and not window.attract.picture.isVisible()
        assert "Tempelkan kartu Anda" not in shown
        assert not window.attract.alert.isVisible()  # no printer or catalog news now
        assert window.attract.complaint is not None and not window.attract.complaint.isVisible()
        click(qtbot, button_with(window, "Siti Aminah"))
        qtbot.wait(300)
        assert controller.session().phase is Phase.IDLE

        config.store_path.unlink()  # the operator moved the broken file aside
        controller.retry_store()  # what the window's minute timer calls
        qtbot.waitUntil(lambda: controller.status().store_failure is None, timeout=10_000)
        assert window.kiosk.store.is_open and "Tempelkan kartu Anda" in visible_strings(window)
        assert window.kiosk.engine.running
        click(qtbot, button_with(window, "Siti Aminah"))
        wait_phase(qtbot, window, Phase.IDENTIFIED)


def test_the_window_makes_no_text_field_before_one_is_shown(hidden_kiosk: KioskWindow) -> None:
    # The first text field a process makes costs milliseconds the attract screen does not need.
    assert hidden_kiosk.findChildren(QPlainTextEdit) == []
    assert hidden_kiosk.findChildren(QLineEdit) == []


def test_a_card_tapped_before_the_first_paint_is_greeted_with_the_cached_services(
    qtbot: QtBot, hidden_kiosk: KioskWindow
) -> None:
    window = hidden_kiosk
    siti = [b for b in window.findChildren(QPushButton) if b.text() == "Siti Aminah"]
    siti[0].click()
    wait_phase(qtbot, window, Phase.IDENTIFIED)
    assert window.controller.status().catalog is not None
    assert window.controller.status().catalog_etag == '"cached"'


def test_a_card_tapped_before_the_store_is_open_meets_the_cached_revocations(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The centre revoked Siti's card since the kiosk's own (DEMO) lists were made.
    config = offline_config(tmp_path)
    store = open_store(config)
    trust = DEMO_TRUST_LIST.read_bytes()
    store.save_trust("trust_list", trust, version="1", etag=None, now=NOW)
    revoked = revocation_list_json({DEMO_ISSUER_ID: ["PKU-000001"]}, version=2)
    store.save_trust("revocations", json.dumps(revoked).encode(), version="2", etag=None, now=NOW)
    store.close()
    with running_kiosk(qtbot, config, show=False, deferred_store=True) as window:
        controller = window.controller
        assert not window.kiosk.store.is_open  # nothing painted: load() has not run
        siti = [b for b in window.findChildren(QPushButton) if b.text() == "Siti Aminah"]
        siti[0].click()
        wait_phase(qtbot, window, Phase.ERROR)
        assert controller.session().problem == Reason.REVOKED.value
        assert window.kiosk.store.is_open


def test_the_kiosk_loads_the_demo_keys_only_for_the_demo() -> None:
    code = (
        "import sys, ui.app; "
        "demo = ('cardio.emulators.demo_cards', 'kiosk.wiring.demo_reader', 'sqlite_utils'); "
        "print(sorted(m for m in demo "
        "if m in sys.modules))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[]"
