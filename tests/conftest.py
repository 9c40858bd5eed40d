"""Suite-wide settings: Qt renders offscreen, one QApplication (pytest-qt's).

The suite runs on several processes at once (pytest-xdist, ``--dist loadgroup``):
each worker has its own session fixtures (its own PostgreSQL cluster, its own
demo centre), on free ports and in its own temporary folders. Each test module
runs whole on one worker, so its module-scoped centres and chromium start once.
What only one process per host can run shares one group, so one worker runs it
all, one test after another: pcscd (its socket path is fixed,
``/run/pcscd/pcscd.comm``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from testkit import pcscd
from testkit.browser import chromium
from testkit.cupsd import PrivateCupsd, running_cupsd
from testkit.pg_cluster import PgCluster, PgUnavailable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start a pcscd (marked ``pcsc``, or using the cards' ``pcscd`` fixture)
    join pcscd's group; every other test its module's."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue  # a module that names its group itself
        if item.get_closest_marker("pcsc") or "pcscd" in getattr(item, "fixturenames", ()):
            group = pcscd.XDIST_GROUP
        else:
            group = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def cupsd() -> Iterator[PrivateCupsd]:
    """A private cupsd with a cups-pdf queue on 127.0.0.1, for one test (skips without CUPS)."""
    yield from running_cupsd()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless chromium per test module, from this one fixture: Playwright's sync
    API runs an event loop on the thread while the browser is open, so a second
    chromium, or any ``asyncio.run``, fails while another module's is still open."""
    with chromium() as running:
        yield running


@pytest.fixture(scope="session")
def demo_central() -> Iterator[str]:
    """A real central server with the demo data, on 127.0.0.1, for the session."""
    from central.process import start_central

    # Every kiosk window in the suite enrols its own kiosk from this one address:
    # far more than the per-address limit allows real callers (tests of the limit
    # start servers of their own).
    with start_central(seed_demo=True, extra_args=("--auth-rate", "100000")) as running:
        yield running.url


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway PostgreSQL for the whole run (the central and sync tests share it);
    skipped where PostgreSQL cannot run, but required in CI."""
    try:
        cluster = PgCluster()
        cluster.start()
    except PgUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
