"""A lease grant that is not what the kiosk asked for is refused before the store sees
it: another office's, queue's or day's numbers, more numbers than asked, or numbers
past what a paper can carry. The kiosk would print them and the centre would refuse
every ticket numbered from them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralRefused
from kiosk.sync.leases import LAST_NUMBER, LeaseKeeper
from offline_store import Store
from testkit.clocks import OfficeClock
from testkit.stand_in import StandIn
from testkit.sync_kiosk import PATIENT_S

pytestmark = pytest.mark.timeout(60)

DEMO = Path(__file__).parents[2] / "central" / "demo_data" / "catalog.json"
OFFICE = "pku-mpp"

WRONG: dict[str, dict[str, Any]] = {
    "another office": {"office_id": "rsud-lain"},
    "another queue": {"service_id": "ktp-cetak-ulang"},
    "another day": {"day": "2031-01-01"},
    "more than asked": {"start": 1, "end": 21},
    "past a paper's number": {"start": LAST_NUMBER, "end": LAST_NUMBER + 1},
}


@pytest.mark.parametrize("wrong", WRONG, ids=list(WRONG))
def test_a_grant_not_as_asked_is_refused_and_nothing_stored(
    store: Store, clock: OfficeClock, wrong: str
) -> None:
    catalog = Catalog.from_json(json.loads(DEMO.read_text(encoding="utf-8")))
    asked: list[dict[str, Any]] = []

    def answer(method: str, path: str, body: Any) -> tuple[int, Any]:
        assert (method, path) == ("POST", "/api/v1/leases")
        asked.append(body)
        grant = {
            "lease_id": str(uuid.uuid4()),
            "office_id": OFFICE,
            "service_id": body["service_id"],
            "day": body["day"],
            "start": 1,
            "end": body["size"],
            "expires_at": (clock() + dt.timedelta(hours=3)).isoformat(),
        }
        if body["service_id"] == "puskesmas-umum":
            grant |= WRONG[wrong]
        return 201, grant

    centre = StandIn(answer)
    client = CentralClient(centre.url, token="stand-in", timeout_s=PATIENT_S)  # noqa: S106
    try:
        with pytest.raises(CentralRefused) as refused:
            LeaseKeeper(OFFICE, size=20).top_up(store, client, catalog, clock())
    finally:
        client.close()
        centre.close()

    assert refused.value.code == "lease_mismatch"
    held = {s.service_id for s in store.lease_state(clock()) if s.source == "central"}
    assert "puskesmas-umum" not in held  # the wrong grant never reached the store
    others = {s.id for s in catalog.services_for(OFFICE)} - {"puskesmas-umum"}
    assert held == others  # the other queues got theirs
    assert all(b["size"] == 20 for b in asked)
