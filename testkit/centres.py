"""Centres a test starts: the real central server as a child process on 127.0.0.1,
on SQLite or PostgreSQL, with the options the tests need."""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
from collections.abc import Callable, Iterator

import pytest

from central.process import RunningCentral, fresh_database, start_central
from central.settings import DEMO_DATA
from testkit.pg_cluster import PgCluster

#: The demo catalog the centre publishes, which many kiosk tests read directly.
DEMO_CATALOG = DEMO_DATA / "catalog.json"
BACKENDS = ("sqlite", "postgresql")
#: Test servers allow many refused credentials from 127.0.0.1: several tests
#: send requests without a token on purpose (tests/central/test_limits.py
#: checks the limit itself on a server of its own).
TEST_SERVER_ARGS = ("--auth-rate", "100000")
#: The sync tests' servers allow many refused credentials and requests from
#: 127.0.0.1: the SIGKILL kiosk issues tickets as fast as it can (429 itself is
#: injected by the proxy). Loose limits: these tests issue tickets far faster than
#: a citizen could take them (the SIGKILL test hundreds a second), so the
#: per-kiosk caps must not be what they meet. The benchmarks' centres use them too: the
#: walk's thirty citizens in under a minute at one kiosk met the rate limit (its 429
#: put the kiosk offline), and the drain sends thousands of one kiosk's tickets.
LOOSE_SERVER_ARGS = (
    *("--auth-rate", "100000", "--rate", "100000", "--burst", "100000"),
    *("--lease-max-numbers", "1000000"),
)

#: How long a centre that many tests share may take to start: on a busy machine
#: (several test workers, each starting its own centres) start_central's 15 s is not
#: always enough, and the failure of a shared centre would fail every test it serves.
SHARED_START_S = 60.0


def serve(db_url: str, *extra: str) -> Iterator[RunningCentral]:
    """The demo centre on ``db_url`` with loose limits (and ``extra`` options); stopped after."""
    server = start_central(
        seed_demo=True,
        db_url=db_url,
        extra_args=(*LOOSE_SERVER_ARGS, *extra),
        timeout_s=SHARED_START_S,
    )
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
    url = migrated_database(request, tmp_path_factory, str(request.param), name)
    yield from serve(url, *extra)


def migrated_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    backend: str,
    name: str = "central",
) -> str:
    """A new database of ``backend`` at the migrations' head, nothing in it; its URL.

    A copy of one migrated once (per process, per PostgreSQL cluster): a centre started
    on it does not spend its start migrating. A PostgreSQL one is dropped when the
    fixture of ``request`` ends. Tests of the migrations, and of a centre
    that migrates its database itself, take an empty database instead.
    """
    if backend == "sqlite":
        return fresh_database(tmp_path_factory.mktemp(name))
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database(migrated=True)
    # given back when the fixture that asked for it ends (after what it started on it)
    request.addfinalizer(functools.partial(cluster.drop_database, url))
    return url


@contextlib.contextmanager
def started_together(
    *starts: Callable[[], RunningCentral],
) -> Iterator[tuple[RunningCentral, ...]]:
    """Several centres (``starts`` each start one), started at once; all stopped after.

    A test that needs several centres side by side waits for the slowest start
    instead of the sum of them. If any fails to start, the others are stopped and
    its error is raised.
    """
    with concurrent.futures.ThreadPoolExecutor(len(starts)) as pool:
        pending = [pool.submit(start) for start in starts]
        concurrent.futures.wait(pending)
    centres = [future.result() for future in pending if future.exception() is None]
    try:
        for future in pending:
            future.result()  # the first start that failed raises here
        yield tuple(centres)
    finally:
        for centre in centres:
            centre.stop()
