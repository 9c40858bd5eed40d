"""Fixtures for the sync engine: the real central server (SQLite), a fault proxy in
front of it, a kiosk store, a configuration and a clock the test moves.

The server runs for the whole session on SQLite; the modules about delivery and
numbers run on a throwaway PostgreSQL too (``central_each``; skipped where
PostgreSQL cannot run, unless ``$CI`` is set). Every test enrols a kiosk of its own
through the proxy (the demo code is reusable), so kiosk codes, leases and
tickets never mix between tests.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.fault_proxy import FaultProxy
from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE
from kiosk.client.client import CentralClient
from kiosk.config import CentralSection, Config, KioskSection, SyncSection
from kiosk.sync import SyncEngine
from offline_store import Store
from tests.central.pg_cluster import PgCluster

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE = "pku-mpp"
#: Test servers allow many refused credentials and requests from 127.0.0.1: the
#: SIGKILL kiosk issues tickets as fast as it can (429 itself is injected by the proxy).
#: Loose limits: these tests issue tickets far faster than a citizen could take them
#: (the SIGKILL test hundreds a second), so the per-kiosk caps must not be what they meet.
SERVER_ARGS = (
    *("--auth-rate", "100000", "--rate", "100000", "--burst", "100000"),
    *("--lease-max-numbers", "1000000"),
)
FAST = 0.5  # seconds: the client timeout against a misbehaving peer
BACKENDS = ("sqlite", "postgresql")


def _server(db_url: str, *extra: str) -> Iterator[RunningCentral]:
    server = start_central(seed_demo=True, db_url=db_url, extra_args=(*SERVER_ARGS, *extra))
    try:
        yield server
    finally:
        server.stop()


def own_centre(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    *extra: str,
) -> Iterator[RunningCentral]:
    """A centre of one module's own (``request.param`` is the backend), with ``extra`` options.

    For modules that change the centre's data or options, so the shared centre stays as
    every other test expects it.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'central.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    yield from _server(url, *extra)


@pytest.fixture(scope="session")
def central_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    folder = tmp_path_factory.mktemp("sync-central")
    yield from _server(f"sqlite:///{folder / 'central.db'}")


@pytest.fixture(scope="session")
def central_postgresql(pg_cluster: PgCluster) -> Iterator[RunningCentral]:
    yield from _server(pg_cluster.create_database())


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


class Clock:
    """The engine's ``now``: the real time in Jakarta when made, then moved by the test.

    Starts from the real date so the centre (on the real clock) agrees on the day.
    """

    def __init__(self) -> None:
        self.moment = dt.datetime.now(JAKARTA)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "kiosk.db")
    try:
        yield s
    finally:
        s.close()


def kiosk_config(root: Path, url: str, **sync: object) -> Config:
    return Config(
        kiosk=KioskSection(office_id=OFFICE, data_dir=str(root)),
        central=CentralSection(url=url, timeout_s=FAST, enrolment_code=DEMO_ENROLMENT_CODE),
        sync=SyncSection(**sync),  # type: ignore[arg-type]
    )


@dataclass
class Kiosk:
    """One kiosk: its store, client, engine and the proxy between it and the centre."""

    store: Store
    client: CentralClient
    engine: SyncEngine
    proxy: FaultProxy
    clock: Clock
    config: Config


@pytest.fixture
def kiosk(tmp_path: Path, store: Store, proxy: FaultProxy, clock: Clock) -> Iterator[Kiosk]:
    config = kiosk_config(tmp_path, proxy.url)
    client = CentralClient(proxy.url, timeout_s=FAST)
    engine = SyncEngine(store, client, config, now=clock, rng=random.Random(5))  # noqa: S311
    try:
        yield Kiosk(store, client, engine, proxy, clock, config)
    finally:
        engine.stop()
        client.close()
