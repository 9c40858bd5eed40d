"""The engine inside the running kiosk: started with the window, online, leasing,
numbering a ticket online, handing status to the controller, stopped on exit."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
import requests
from pytestqt.qtbot import QtBot

from cardio.emulators.demo_cards import DEMO_ISSUER_ID
from central.database import Database
from central.process import RunningCentral
from contract.trust import TrustStore
from kiosk.client.bearer import load_token
from testkit.centre_accounts import new_staff
from testkit.fault_proxy import FaultProxy
from testkit.kiosk_window import demo_config, offline_config, running_kiosk, wait_for_catalog
from testkit.sync_kiosk import SERVICE

pytestmark = pytest.mark.timeout(60)


def test_the_kiosk_window_runs_the_engine(
    tmp_path: Path, central: RunningCentral, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, central.url)
    with running_kiosk(qtbot, config) as window:
        controller = window.controller
        engine = window.kiosk.engine
        assert engine is not None
        qtbot.waitUntil(
            lambda: any(lease.service_id == SERVICE for lease in engine.status().leases),
            timeout=20000,
        )
        qtbot.waitUntil(lambda: controller.status().online is True, timeout=5000)
        assert engine.status().kiosk_code and engine.status().catalog_version
        day = controller.now().date()
        allocation = engine.allocate("0b7f6a2e-7d1c-4b8e-9f3a-5c2d1e0f9a8b", SERVICE, day)
        assert allocation is not None and allocation.display.startswith("A-")
        health = controller.device_health()
        assert health.reader.state == "ok" and health.printer.state in ("ok", "unknown")
    assert not any(t.name == "sync-engine" for t in threading.enumerate())


def test_the_controller_takes_the_token_the_engine_enrolled_with(
    tmp_path: Path, central: RunningCentral, qtbot: QtBot
) -> None:
    """Whichever client enrols first, both speak as the same kiosk: record lookups and the
    information screen must not be skipped because the engine happened to win."""
    config = demo_config(tmp_path, central.url)
    with running_kiosk(qtbot, config) as window:
        controller = window.controller
        qtbot.waitUntil(lambda: controller.status().online is True, timeout=5000)
        qtbot.waitUntil(lambda: config.central_token_path.exists(), timeout=5000)
        controller._centre.client.token = None  # as when the engine's catalog came first
        assert controller._centre.ready()
        assert controller._centre.client.token == load_token(config.central_token_path)
        assert window.kiosk.engine is not None and window.kiosk.engine.client.token in (
            None,
            controller._centre.client.token,
        )


def test_a_printer_fault_reaches_the_operators_fleet_view(
    tmp_path: Path, central: RunningCentral, qtbot: QtBot
) -> None:
    """Issue #6: the paper runs out (here: the PDF printer's folder is gone), the kiosk's
    next heartbeat says so, and the city's fleet view names the fault."""
    db = Database(central.db_url)
    try:
        token = new_staff(db, central.url)
    finally:
        db.dispose()
    config = demo_config(tmp_path, central.url)
    (tmp_path / "tickets").rmdir()
    with running_kiosk(qtbot, config) as window:
        controller, engine = window.controller, window.kiosk.engine
        assert engine is not None
        qtbot.waitUntil(lambda: engine.status().kiosk_code is not None, timeout=20000)
        assert not controller._printers.monitor.status().ready
        assert controller.device_health().printer.state == "fault"
        engine.wake_all()

        def fleet_row() -> dict[str, object]:
            answer = requests.get(
                f"{central.url}/api/v1/staff/fleet",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
            answer.raise_for_status()
            rows = answer.json()["kiosks"]
            [row] = [r for r in rows if r["kiosk_code"] == engine.status().kiosk_code]
            return dict(row)

        qtbot.waitUntil(lambda: "printer_fault" in fleet_row()["faults"], timeout=20000)
        assert fleet_row()["stale"] is False


def test_the_catalog_reaches_the_kiosk_only_through_the_engine(
    tmp_path: Path, proxy: FaultProxy, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, proxy.url)
    with running_kiosk(qtbot, config) as window:
        controller, engine = window.controller, window.kiosk.engine
        assert engine is not None
        # the first step ends with its heartbeat; the status is refreshed after it
        qtbot.waitUntil(lambda: proxy.count("/api/v1/heartbeats") >= 1, timeout=20000)
        qtbot.waitUntil(lambda: engine.status().catalog_version is not None, timeout=5000)
        wait_for_catalog(qtbot, controller)
        assert controller.status().catalog is not None
        assert controller.status().catalog.version == engine.status().catalog_version
        assert proxy.count("/api/v1/catalog") == 1, "one owner, one fetch"
        assert not hasattr(controller, "refresh_catalog")
        controller.reload_documents()  # the operator's button: the engine looks again
        qtbot.waitUntil(lambda: proxy.count("/api/v1/catalog") == 2, timeout=10000)


def test_the_kiosk_takes_trust_lists_forward_only_and_on_the_gui_thread(
    tmp_path: Path, qtbot: QtBot
) -> None:
    with running_kiosk(qtbot, offline_config(tmp_path)) as window:
        controller, engine = window.controller, window.kiosk.engine
        assert engine is not None
        held = controller.trust()
        newer = dataclasses.replace(
            held,
            revoked={DEMO_ISSUER_ID: frozenset({"PKU-000001"})},
            revocation_version=held.revocation_version + 1,
        )
        # The engine calls its listeners on its own thread: the swap waits for the GUI's.
        hand_over = threading.Thread(target=lambda: [f(newer) for f in engine._trust_listeners])
        hand_over.start()
        hand_over.join(5)
        assert controller.trust() is held
        qtbot.waitUntil(lambda: controller.trust() is newer, timeout=5000)

        assert not controller._trust.install(held, "central"), "an older list"
        same_version = dataclasses.replace(newer, revoked={})
        assert not controller._trust.install(same_version, "central"), "same version, other list"
        assert not controller._trust.install(TrustStore.empty(), "central"), "trusts nobody"
        assert controller.trust() is newer
