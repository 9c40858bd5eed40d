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
from kiosk.config import SyncSection
from offline_store import Store
from testkit.centres import BACKENDS, serve
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.pg_cluster import PgCluster
from testkit.sync_kiosk import Kiosk, engine_on, kiosk_config, patient_client


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
    """A kiosk whose calls may take as long as a loaded machine needs; a test that makes
    the centre hang, delay or drip calls :meth:`Kiosk.impatient` first."""
    config = kiosk_config(tmp_path, proxy.url)
    with engine_on(store, patient_client(proxy.url), config, proxy, clock) as kiosk:
        yield kiosk


@pytest.fixture
def field_allocate_kiosk(
    tmp_path: Path, store: Store, proxy: FaultProxy, clock: OfficeClock
) -> Iterator[Kiosk]:
    """The ``kiosk``, but waiting for an online number only as long as one in the field
    (``sync.allocate_deadline_s``, 0.8 s): for a centre too slow to number a ticket."""
    field = SyncSection().allocate_deadline_s
    config = kiosk_config(tmp_path, proxy.url, allocate_deadline_s=field)
    with engine_on(store, patient_client(proxy.url), config, proxy, clock) as kiosk:
        yield kiosk
