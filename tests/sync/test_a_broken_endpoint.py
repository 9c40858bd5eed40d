"""One endpoint of the centre that fails alone never holds up the tickets.

The fault proxy makes exactly one route hang or answer 503 while the rest of the
real centre works (a centre bug on one endpoint, a proxy misrouting one path).
Tasks run identity, documents, outbox, …: the outbox must still drain, the
heartbeat still reach the staff, and the broken endpoint back off on its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from central.process import RunningCentral
from kiosk.client.client import CentralClient
from kiosk.config import CentralSection
from offline_store import Store
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.sync_kiosk import Kiosk, centre_tickets, engine_on, issue, kiosk_config

pytestmark = pytest.mark.timeout(120)

ROUTES = ["/api/v1/kiosks/me", "/api/v1/catalog"]


@pytest.fixture(scope="session")
def central(central_each: RunningCentral) -> RunningCentral:
    """Tickets delivered: on SQLite, then on PostgreSQL."""
    return central_each


@pytest.fixture
def field_kiosk(
    tmp_path: Path, store: Store, proxy: FaultProxy, clock: OfficeClock
) -> Iterator[Kiosk]:
    """A kiosk with the deadlines of one in the field (``[central]``'s defaults).

    A hanging identity call costs it 3 s, not the ``kiosk`` fixture's 5 s. An impatient
    kiosk would not do: the outbox, proved to deliver past the hanging call, shares
    that deadline, and a healthy centre on a machine loaded by the rest of the suite
    does not always answer within 0.5 s (a test counting which tasks failed then finds
    a healthy one among them).
    """
    config = kiosk_config(tmp_path, proxy.url)
    field = CentralSection()
    config = dataclasses.replace(
        config,
        central=dataclasses.replace(
            config.central,
            timeout_s=field.timeout_s,
            documents_timeout_s=field.documents_timeout_s,
        ),
    )
    with engine_on(store, CentralClient.from_config(config.central), config, proxy, clock) as kiosk:
        yield kiosk


def _next_step(kiosk: Kiosk) -> None:
    """Move the clock to when the engine would run its next step (30 s at most)."""
    offline = kiosk.engine.schedule.offline_until
    if offline is not None and offline > kiosk.clock():
        kiosk.clock.moment = offline
    else:
        kiosk.clock.advance(30)


@pytest.mark.parametrize("mode", ["error", "hang"])
@pytest.mark.parametrize("route", ROUTES)
def test_the_outbox_drains_while_one_endpoint_fails(
    kiosk: Kiosk, central: RunningCentral, route: str, mode: str
) -> None:
    kiosk.engine.run_once()
    assert kiosk.engine.status().connection == "online"
    kiosk.proxy.route(route, mode)
    kiosk.clock.advance(3601)  # identity and documents are due again, first in line
    tickets = [issue(kiosk.store, kiosk.clock) for _ in range(3)]
    kiosk.engine.wake()
    beats = kiosk.proxy.count("/api/v1/heartbeats")
    # Each try of a hanging endpoint waits out its deadline: made short, for the
    # catalog's calls alone if the catalog is the one that hangs.
    catalog = route == "/api/v1/catalog"
    with kiosk.impatient(documents_only=catalog) if mode == "hang" else nullcontext():
        for _ in range(12):
            kiosk.engine.run_once()
            _next_step(kiosk)
    assert kiosk.engine.status().outbox_depth == 0
    assert set(centre_tickets(central.db_url, [t.id for t in tickets])) == {t.id for t in tickets}
    assert kiosk.proxy.count("/api/v1/heartbeats") > beats  # staff still see the kiosk
    assert kiosk.engine.status().connection == "online"
    # the broken endpoint backs off on its own: far fewer tries than steps
    assert kiosk.proxy.count(route, mode) < 12


def test_a_forced_step_tries_the_outbox_past_a_hanging_endpoint(
    field_kiosk: Kiosk, central: RunningCentral
) -> None:
    """Only the hanging endpoint fails: the outbox is tried next, and delivers."""
    kiosk = field_kiosk
    kiosk.engine.run_once()
    kiosk.proxy.route("/api/v1/kiosks/me", "hang")
    ticket = issue(kiosk.store, kiosk.clock)
    report = kiosk.engine.run_once(force=True)  # `kiosk sync now`
    assert report.ran[:2] == ("identity", "outbox") and report.failed == ("identity",)
    assert report.pushed.delivered == 1
    assert ticket.id in centre_tickets(central.db_url, [ticket.id])
    assert report.status.connection == "online"


def test_a_centre_away_altogether_still_costs_a_step_two_calls(kiosk: Kiosk) -> None:
    kiosk.engine.run_once()
    issue(kiosk.store, kiosk.clock)
    kiosk.proxy.set("hang")
    kiosk.clock.advance(3601)
    before = len(kiosk.proxy.seen)
    with kiosk.impatient():
        report = kiosk.engine.run_once()
    assert report.ran == ("identity", "outbox") and report.failed == report.ran
    assert len(kiosk.proxy.seen) - before == 2
    assert report.status.connection == "offline"
    assert kiosk.engine.status().outbox_depth == 1
