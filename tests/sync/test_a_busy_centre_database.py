"""A centre whose database stays busy answers 503 ``database_unavailable``: the kiosk
takes it as the centre unavailable, numbers the citizen's ticket from its lease, and
delivers it once the database is free again; nothing is lost (on SQLite and PostgreSQL:
the lock really held by another connection, testkit/busy_database.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.process import RunningCentral
from kiosk.client.client import CentralClient
from offline_store import Store
from testkit.busy_database import impatient_centre, write_lock_held
from testkit.centres import BACKENDS
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.sync_kiosk import SERVICE, Kiosk, centre_tickets, engine_on, issue, kiosk_config

pytestmark = pytest.mark.timeout(120)

#: The centre gives up on a lock well inside the kiosk's deadline, so the kiosk
#: hears the 503 rather than timing out.
WAIT_S = 0.3
DEADLINE_S = 10.0


@pytest.fixture(scope="module", params=BACKENDS)
def central(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    yield from impatient_centre(request, tmp_path_factory, WAIT_S)


@pytest.fixture
def kiosk(tmp_path: Path, store: Store, proxy: FaultProxy, clock: OfficeClock) -> Iterator[Kiosk]:
    config = kiosk_config(tmp_path, proxy.url, allocate_deadline_s=DEADLINE_S)
    client = CentralClient(proxy.url, timeout_s=DEADLINE_S)
    with engine_on(store, client, config, proxy, clock) as kiosk:
        yield kiosk


def test_a_busy_database_makes_the_kiosk_number_from_its_lease_and_lose_nothing(
    kiosk: Kiosk, central: RunningCentral, caplog: pytest.LogCaptureFixture
) -> None:
    kiosk.engine.run_once()  # enrolled, leases taken
    online = issue(kiosk.store, kiosk.clock, kiosk.engine)
    assert online.source == "online"
    with write_lock_held(central.db_url), caplog.at_level(logging.WARNING, "kiosk.sync"):
        busy = issue(kiosk.store, kiosk.clock, kiosk.engine)
    assert busy.source == "lease"
    # the centre answered (503), it did not merely time out
    said = [r.getMessage() for r in caplog.records if "no online number" in r.getMessage()]
    assert said and "server answered 503" in said[0], said
    kiosk.clock.advance(kiosk.config.sync.backoff_cap_s + 1)
    for _ in range(10):
        if kiosk.engine.run_once(force=True).status.outbox_depth == 0:
            break
    held = centre_tickets(central.db_url, [online.id, busy.id])
    assert {k: r.display for k, r in held.items()} == {
        online.id: online.number,
        busy.id: busy.number,
    }
    assert held[busy.id].number_source == "lease" and held[busy.id].service_id == SERVICE
