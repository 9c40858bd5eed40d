"""The engine against the real central server: enrolment, catalog, trust, heartbeats."""

from __future__ import annotations

import json

import pytest

from kiosk.sync import DeviceHealth, PartHealth
from testkit.sync_kiosk import Kiosk

pytestmark = pytest.mark.timeout(60)


def test_first_step_enrols_fetches_documents_and_beats(kiosk: Kiosk) -> None:
    report = kiosk.engine.run_once()
    assert report.failed == () or set(report.failed) <= {"leases"}, kiosk.engine.status()
    status = report.status
    assert status.connection == "online"
    assert status.last_success == kiosk.clock()
    document = kiosk.store.catalog_document()
    assert document is not None and status.catalog_version == document.version
    trust = kiosk.store.load_trust("trust_list")
    assert trust is not None and json.loads(trust.body)["format"] == "anjungan-trust-list/1"
    assert kiosk.store.load_trust("revocations") is not None
    assert kiosk.engine.cached_trust() is not None
    assert kiosk.proxy.count("/api/v1/heartbeats") == 1
    assert kiosk.client.token


def test_unchanged_documents_are_asked_with_their_etag(kiosk: Kiosk) -> None:
    kiosk.engine.run_once()
    kiosk.clock.advance(kiosk.config.sync.documents_interval_s + 1)
    kiosk.engine.run_once()
    assert kiosk.proxy.count("/api/v1/catalog") == 2
    # the second fetch was a 304: the cached copy's fetch time stays the first one
    document = kiosk.store.catalog_document()
    assert document is not None


def test_new_catalog_reaches_listeners_once(kiosk: Kiosk) -> None:
    seen: list[str] = []
    kiosk.engine.on_catalog(lambda catalog, etag: seen.append(catalog.version))
    kiosk.engine.run_once()
    kiosk.clock.advance(kiosk.config.sync.documents_interval_s + 1)
    kiosk.engine.run_once()
    assert len(seen) == 1


def test_heartbeat_carries_health(kiosk: Kiosk) -> None:
    kiosk.engine._health = lambda: DeviceHealth(
        reader=PartHealth("ok"), printer=PartHealth("fault", "paper_out")
    )
    kiosk.engine.run_once()
    kiosk.clock.advance(kiosk.config.sync.heartbeat_interval_s + 1)
    kiosk.engine.run_once()
    assert kiosk.proxy.count("/api/v1/heartbeats") == 2
    assert kiosk.engine.status().clock_skew_s is not None
