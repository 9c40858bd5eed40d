"""A lease whose times cannot be right (year 1, year 9999, offsets that push them out
of range) is a malformed answer: refused before the store sees it, so the ``leases``
task fails and backs off while the other tasks carry on."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from kiosk.client.errors import AnswerError
from kiosk.client.results import parse_heartbeat_ack, parse_lease
from kiosk.sync import SyncEngine
from offline_store import Store
from testkit.clocks import OfficeClock
from testkit.stand_in import StandIn
from testkit.sync_kiosk import kiosk_config, patient_client

pytestmark = pytest.mark.timeout(60)

DEMO = Path(__file__).parents[2] / "central" / "demo_data" / "catalog.json"
OUT_OF_RANGE = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "1999-12-31T23:59:59+00:00",
    "2100-01-01T00:00:00+00:00",
    "2099-12-31T23:00:00-14:00",
]


def _lease(expires_at: str, **over: Any) -> dict[str, Any]:
    return {
        "lease_id": str(uuid.uuid4()),
        "office_id": "pku-mpp",
        "service_id": "puskesmas-umum",
        "day": "2026-05-04",
        "start": 1,
        "end": 20,
        "expires_at": expires_at,
        **over,
    }


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_times_out_of_range_or_unconvertible_are_refused(moment: str) -> None:
    with pytest.raises(AnswerError, match="expires_at"):
        parse_lease(_lease(moment))
    with pytest.raises(AnswerError, match="server_time"):
        parse_heartbeat_ack({"server_time": moment})


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_days_out_of_range_are_refused(day: str) -> None:
    with pytest.raises(AnswerError, match="day"):
        parse_lease(_lease("2026-05-04T23:59:59+07:00", day=day))


def test_times_are_held_in_utc() -> None:
    lease = parse_lease(_lease("2026-05-04T23:59:59+07:00"))
    assert lease.expires_at == dt.datetime(2026, 5, 4, 16, 59, 59, tzinfo=dt.UTC)
    assert lease.expires_at.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("moment", OUT_OF_RANGE[:2])
def test_a_lease_that_cannot_be_stored_fails_the_leases_task_alone(
    tmp_path: Path, store: Store, clock: OfficeClock, moment: str
) -> None:
    catalog = json.loads(DEMO.read_text(encoding="utf-8"))
    leased: list[str] = []

    def answer(method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/api/v1/kiosks/me":
            return 200, {"kiosk_id": "k-1", "office_id": "pku-mpp", "kiosk_code": "K01"}
        if path == "/api/v1/catalog":
            return 200, catalog
        if path in ("/api/v1/trust", "/api/v1/revocations"):
            return 404, {"error": "not_found"}
        if path == "/api/v1/leases":
            leased.append(body["service_id"])
            return 201, _lease(moment, service_id=body["service_id"], day=body["day"])
        if path == "/api/v1/heartbeats":
            return 200, {"server_time": dt.datetime.now(dt.UTC).isoformat()}
        return 404, {"error": "not_found"}

    centre = StandIn(answer)
    client = patient_client(centre.url)
    client.token = "stand-in"  # noqa: S105 (the stand-in checks no token)
    config = kiosk_config(tmp_path, centre.url)
    engine = SyncEngine(store, client, config, now=clock, rng=random.Random(5))  # noqa: S311
    try:
        report = engine.run_once()
    finally:
        client.close()
        centre.close()
    assert leased, "the kiosk never asked for a lease"
    assert "leases" in report.failed and "heartbeat" in report.ran
    assert "heartbeat" not in report.failed
    assert [s for s in store.lease_state(clock()) if s.source == "central"] == []
    assert not engine.schedule.due("leases", clock()), "the leases task did not back off"
    logged = store.last_sync("leases")
    assert logged is not None and "answer malformed" in logged.detail
