"""A centre that answers slowly, each answer just inside the client's timeout, cannot
hold a sync step for minutes: a 413/422 batch split down to single items, or one lease
request per queue, each checks the step's deadline before it is sent. What is not
sent stays in the outbox (pending, never dead), and the next step gets further."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.sync.leases import LeaseKeeper
from kiosk.sync.push import _PushCut, push_batch
from offline_store import Store
from testkit.clocks import OfficeClock
from testkit.stand_in import StandIn
from testkit.sync_kiosk import OFFICE, issue

pytestmark = pytest.mark.timeout(60)

DEMO = Path(__file__).parents[2] / "central" / "demo_data" / "catalog.json"
ITEMS = 20


class SlowCentre:
    """Answers every request with ``status``; from the second on, only once the
    step's deadline has passed (as a centre answering just inside the timeout would)."""

    def __init__(self, status: int, code: str) -> None:
        self.status, self.code = status, code
        self.calls: list[Any] = []
        self.deadline = time.monotonic() + 2.0
        self._lock = threading.Lock()
        self.stand_in = StandIn(self.answer)

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        with self._lock:
            self.calls.append(body)
            late = len(self.calls) > 1
        while late and time.monotonic() <= self.deadline:
            time.sleep(0.02)
        return self.status, {"error": self.code, "detail": "stand-in"}


@pytest.mark.parametrize(("status", "code"), [(413, "too_large"), (422, "bad_request")])
def test_a_split_batch_stops_at_the_deadline_and_keeps_the_rest(
    store: Store, clock: OfficeClock, status: int, code: str
) -> None:
    keys = {issue(store, clock).id for _ in range(ITEMS)}
    centre = SlowCentre(status, code)
    client = CentralClient(centre.stand_in.url, token="stand-in", timeout_s=5.0)  # noqa: S106
    try:
        with pytest.raises(_PushCut) as cut:
            push_batch(
                store,
                client,
                limit=ITEMS,
                now=clock(),
                retry_at=lambda exc: clock(),
                deadline=centre.deadline,
            )
    finally:
        client.close()
        centre.stand_in.close()
    # The whole batch, then one part (a half or a single item); no more after the
    # deadline: without it the split goes on to 2n-1 requests.
    assert len(centre.calls) == 2
    assert [len(body["items"]) for body in centre.calls] == [ITEMS, 10 if status == 413 else 1]
    pending = {item.key for item in store.outbox("pending", limit=100)}
    dead = {item.key for item in store.outbox("dead", limit=100)}
    assert pending | dead == keys and not store.outbox("sending", limit=100)
    assert len(dead) == (0 if status == 413 else 1)  # only an item refused alone is dead
    assert cut.value.next_size == (5 if status == 413 else 1)  # the next batch asks no more


def test_a_lease_top_up_stops_at_the_deadline(store: Store, clock: OfficeClock) -> None:
    catalog = Catalog.from_json(json.loads(DEMO.read_text(encoding="utf-8")))
    queues = catalog.services_for(OFFICE)
    assert len(queues) > 2
    centre = SlowCentre(409, "lease_limit")
    client = CentralClient(centre.stand_in.url, token="stand-in", timeout_s=5.0)  # noqa: S106
    try:
        with pytest.raises(Exception, match="lease_limit"):
            LeaseKeeper(OFFICE).top_up(store, client, catalog, clock(), deadline=centre.deadline)
    finally:
        client.close()
        centre.stand_in.close()
    assert len(centre.calls) == 2  # not one request per queue and day
