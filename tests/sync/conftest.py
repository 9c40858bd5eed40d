"""Fixtures for the sync engine: the real central server (SQLite), a fault proxy in
front of it, a kiosk store, a configuration and a clock the test moves.

The server runs for the whole session on SQLite; the modules about delivery and
numbers run on a throwaway PostgreSQL too (``central_each``; skipped where
PostgreSQL cannot run, unless ``$CI`` is set). Every test enrols a kiosk of its own
through the proxy (the demo code is reusable), so kiosk codes, leases and
tickets never mix between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central.process import RunningCentral, fresh_database
from kiosk.client.client import CentralClient
from offline_store import Store
from testkit.centres import BACKENDS, serve
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.pg_cluster import PgCluster
from testkit.sync_kiosk import FAST, Kiosk, engine_on, kiosk_config


@pytest.fixture(scope="session")
def central_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    yield from serve(fresh_database(tmp_path_factory.mktemp("sync-central")))


@pytest.fixture(scope="session")
def central_postgresql(pg_cluster: PgCluster) -> Iterator[RunningCentral]:
    yield from serve(pg_cluster.create_database(migrated=True))


@pytest.fixture(scope="session")
def central(central_sqlite: RunningCentral) -> RunningCentral:
    """The real central server on SQLite (modules about the data override it: both)."""
    return central_sqlite


@pytest.fixture(scope="session", params=BACKENDS)
def central_each(request: pytest.FixtureRequest) -> RunningCentral:
    """The real central server on SQLite, then on PostgreSQL."""
    server: RunningCentral = request.getfixturevalue(f"central_{request.param}")
    return server


@pytest.fixture
def proxy(central: RunningCentral) -> Iterator[FaultProxy]:
    p = FaultProxy(central.port)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def clock() -> OfficeClock:
    return OfficeClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "kiosk.db")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def kiosk(tmp_path: Path, store: Store, proxy: FaultProxy, clock: OfficeClock) -> Iterator[Kiosk]:
    config = kiosk_config(tmp_path, proxy.url)
    with engine_on(store, CentralClient(proxy.url, timeout_s=FAST), config, proxy, clock) as kiosk:
        yield kiosk
