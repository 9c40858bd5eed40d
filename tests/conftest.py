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
from testkit.centres import SHARED_START_S
from testkit.cupsd import PrivateCupsd, running_cupsd
from testkit.pg_cluster import PgCluster, running_cluster

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A suite run under a service manager inherits its socket: no kiosk or centre the
# tests start may tell that manager it is ready or alive (tests that check the
# protocol give their processes a listener of their own).
for _name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
    os.environ.pop(_name, None)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start a pcscd (marked ``pcsc``, or using the cards' ``pcscd`` fixture)
    join pcscd's group; every other test its module's (and backend's, see below)."""
    for item in items:
        named = item.get_closest_marker("xdist_group")
        if named is not None:  # a module that names its group itself
            group = str(named.args[0])
        elif item.get_closest_marker("pcsc") or "pcscd" in getattr(item, "fixturenames", ()):
            group = pcscd.XDIST_GROUP
        else:
            group = item.nodeid.split("::")[0] + _session_params(item)
        if named is None:
            item.add_marker(pytest.mark.xdist_group(group))
        if getattr(item.config.option, "loadgroup", False) and hasattr(item, "_id"):
            # pytest-xdist 3.8 groups by a suffix it writes into ``item._nodeid``, which
            # pytest 9.2 no longer reads (a node's id is ``_id``): write it there.
            item._id = type(item._id).parse(f"{item.nodeid}@{group}")


def _session_params(item: pytest.Item) -> str:
    """The parameters of the session-scoped fixtures ``item`` takes (`` central_server=sqlite``).

    pytest runs every SQLite test of a session-wide centre before it stops that centre
    and starts the PostgreSQL one; a group per module and backend keeps that order on
    each worker, where a group per module would switch back and forth at every module.
    """
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return ""
    definitions = item._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
    # Neither "]" nor "@" in a group's name: xdist reads the group after the last "@"
    # only if no "]" follows it.
    return "".join(
        f" {name}={callspec.params[name]}".replace("]", ")").replace("@", "at")
        for name in sorted(callspec.params)
        if name in definitions and definitions[name][-1].scope == "session"
    )


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
    args = ("--auth-rate", "100000")
    with start_central(seed_demo=True, extra_args=args, timeout_s=SHARED_START_S) as running:
        yield running.url


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway PostgreSQL for the whole run (the central and sync tests share it);
    skipped where PostgreSQL cannot run, but required in CI."""
    yield from running_cluster()
