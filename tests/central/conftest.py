"""Fixtures for the central server and client tests.

Every test that uses ``central_server`` (or ``db_url``, ``migrated_db_url``) runs twice: against
SQLite and against a real PostgreSQL that ``pg_cluster`` starts for the
session (skipped where PostgreSQL cannot run, unless ``$CI`` is set: then
it fails). ``central_server`` is a real server process on 127.0.0.1 per
database; ``operator`` is a :class:`Database` on the same database, for
what an operator does with the CLI (codes, staff, reading the audit).
``raw_server`` gives tiny TCP peers that misbehave on purpose: faults are
real sockets, nothing is patched.
"""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from fastapi import FastAPI

from central.app import create_app
from central.database import Database
from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE, CentralSettings
from kiosk.client.client import CentralClient
from testkit.centres import BACKENDS, SHARED_START_S, TEST_SERVER_ARGS, migrated_database
from testkit.peers import RawServer
from testkit.pg_cluster import PgCluster

LOOPBACK = "127.0.0.1"


NewDbUrl = Callable[[str], str]


@pytest.fixture(scope="session")
def new_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> NewDbUrl:
    """Make an empty database of a kind (``sqlite`` or ``postgresql``); returns its URL."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            folder: Path = tmp_path_factory.mktemp("central-db")
            return f"sqlite:///{folder / 'central.db'}"
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        return cluster.create_database()

    return make


@pytest.fixture(scope="session")
def new_migrated_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> NewDbUrl:
    """Make a database of a kind at the migrations' head, nothing in it; returns its URL.

    For centres whose start need not migrate (tests of migrating take ``new_db_url``).
    """

    def make(backend: str) -> str:
        return migrated_database(request, tmp_path_factory, backend)

    return make


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, new_db_url: NewDbUrl) -> str:
    """An empty database, once per backend (a PostgreSQL one dropped after the test)."""
    url = new_db_url(str(request.param))
    if request.param == "postgresql":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        request.addfinalizer(functools.partial(cluster.drop_database, url))
    return url


@pytest.fixture(params=BACKENDS)
def migrated_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database at the migrations' head with nothing in it, once per backend: a copy
    of one migrated once (tests of migrating itself take ``db_url``)."""
    return migrated_database(request, tmp_path_factory, str(request.param))


@pytest.fixture(scope="session", params=BACKENDS)
def central_server(
    request: pytest.FixtureRequest, new_db_url: NewDbUrl
) -> Iterator[RunningCentral]:
    server = start_central(
        seed_demo=True,
        db_url=new_db_url(str(request.param)),
        extra_args=TEST_SERVER_ARGS,
        timeout_s=SHARED_START_S,
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def operator(central_server: RunningCentral) -> Iterator[Database]:
    db = Database(central_server.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def kiosk_token(central_server: RunningCentral) -> str:
    """A freshly enrolled kiosk's token (the demo office, through the demo code)."""
    with CentralClient(central_server.url) as client:
        return client.enrol(DEMO_ENROLMENT_CODE, name="test").token


@pytest.fixture
def client(central_server: RunningCentral, kiosk_token: str) -> Iterator[CentralClient]:
    with CentralClient(central_server.url, token=kiosk_token) as c:
        yield c


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def raw_server() -> Iterator[Callable[[bytes | None], RawServer]]:
    """Start tiny misbehaving servers: ``raw_server(reply_bytes_or_None).url``."""
    servers: list[RawServer] = []

    def start(reply: bytes | None) -> RawServer:
        server = RawServer(reply)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The demo centre's app in this process, for walking its routes (no server)."""
    folder = tmp_path_factory.mktemp("app")
    db = Database(f"sqlite:///{folder / 'central.db'}")
    try:
        yield create_app(CentralSettings(seed_demo=True), db=db)
    finally:
        db.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def two_servers(
    request: pytest.FixtureRequest, new_migrated_db_url: Callable[[str], str]
) -> Iterator[tuple[RunningCentral, RunningCentral]]:
    """Two server processes on one new database (the first seeds the demo), per module:
    what must hold whichever process a request reaches."""
    url = new_migrated_db_url(str(request.param))
    with (
        start_central(seed_demo=True, db_url=url, extra_args=TEST_SERVER_ARGS) as first,
        start_central(db_url=url, extra_args=TEST_SERVER_ARGS) as second,
    ):
        yield first, second
