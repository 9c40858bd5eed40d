"""Suite-wide settings: Qt renders offscreen, one QApplication (pytest-qt's).

The suite runs on several processes at once (pytest-xdist, ``--dist loadgroup``):
each worker has its own session fixtures (its own PostgreSQL cluster, its own
demo centre), on free ports and in its own temporary folders. Each test module
runs whole on one worker, so its module-scoped centres and chromium start once.
What only one process per host can run shares one group, so one worker runs it
all, one test after another: pcscd (its socket path is fixed,
``/run/pcscd/pcscd.comm``). The groups are handed out the longest first, by the
seconds each took in a recorded run (tests/group_seconds.json, testkit/group_order.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser

from central.process import use_launcher
from testkit import centre_forks, clocks, group_order, pcscd
from testkit.browser import KeptChromium, kept_chromium
from testkit.centres import SHARED_START_S
from testkit.cupsd import PrivateCupsd, running_cupsd
from testkit.pg_cluster import PgCluster, running_cluster

if TYPE_CHECKING:
    from central.database import Database
    from central.process import RunningCentral

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A suite run under a service manager inherits its socket: no kiosk or centre the
# tests start may tell that manager it is ready or alive (tests that check the
# protocol give their processes a listener of their own).
for _name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
    os.environ.pop(_name, None)
# The centres the tests start are forked from one process per worker that imported
# the server once (testkit.centre_forks): a new interpreter for each paid its imports,
# some 1.7 s of CPU, hundreds of times a run. ANJUNGAN_TEST_EXEC_CENTRES=1 starts every
# one as `python -m central`, as a deployment does.
if os.environ.get("ANJUNGAN_TEST_EXEC_CENTRES") != "1":
    use_launcher(centre_forks.launch)


@pytest.fixture(autouse=True)
def clear_of_midnight() -> None:
    """No test runs across the office's midnight (testkit.clocks): it would see two days."""
    clocks.clear_of_the_offices_midnight()


#: Seconds per xdist group in a recorded run: the order the groups are handed out in.
GROUP_SECONDS = Path(__file__).parent / "group_seconds.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-group-seconds",
        metavar="PATH",
        type=Path,
        help="with -n: write the seconds each xdist group took to PATH "
        "(tests/group_seconds.json orders the groups, the longest first)",
    )


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


class _LongestFirst:
    """On each xdist worker: the groups the longest first, each group's tests in their
    order (xdist hands the groups out in this order: ``--no-loadscope-reorder`` in
    pyproject.toml)."""

    @pytest.hookimpl(trylast=True)  # after pytest's own reordering by fixture parameters
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items[:] = group_order.longest_first(items, _group_of, group_order.load(GROUP_SECONDS))


def _group_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker is not None else item.nodeid.split("::")[0]


def pytest_configure(config: pytest.Config) -> None:
    # Only on the workers of a ``--dist loadgroup`` run (xdist sets a worker's ``dist``
    # to "no", its ``loadgroup`` to what the run has): in one process, pytest's own order
    # (every test of a session-wide centre on SQLite before it starts the PostgreSQL
    # one) stays.
    if hasattr(config, "workerinput") and getattr(config.option, "loadgroup", False):
        config.pluginmanager.register(_LongestFirst(), "longest-first")


_recorded = group_order.GroupSeconds()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _recorded.add(report.nodeid, report.duration)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path: Path | None = session.config.getoption("store_group_seconds")
    if path is not None and not hasattr(session.config, "workerinput"):  # the controller
        _recorded.write(path)


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


@pytest.fixture(scope="session")
def kept_browser() -> Iterator[KeptChromium]:
    """One headless chromium for the test process, from this one fixture: Playwright's
    sync API runs an event loop on the thread while the browser is open, so a second
    chromium fails, and ``asyncio.run`` runs on a thread of its own
    (testkit.waits.run_with_deadline)."""
    with kept_chromium() as kept:
        yield kept


@pytest.fixture(scope="module")
def browser(kept_browser: KeptChromium) -> Browser:
    """The process's chromium (launched again if it went away); each test's pages are in
    contexts of their own (testkit.browser.fresh_context)."""
    return kept_browser.browser()


@pytest.fixture(scope="session")
def demo_centre() -> Iterator[RunningCentral]:
    """A real central server with the demo data, on 127.0.0.1, for the session."""
    from central.process import start_central

    # Every kiosk window in the suite enrols its own kiosk from this one address:
    # far more than the per-address limit allows real callers (tests of the limit
    # start servers of their own).
    args = ("--auth-rate", "100000")
    with start_central(seed_demo=True, extra_args=args, timeout_s=SHARED_START_S) as running:
        yield running


@pytest.fixture(scope="session")
def demo_central(demo_centre: RunningCentral) -> str:
    """The address of :func:`demo_centre`."""
    return demo_centre.url


@pytest.fixture(scope="session")
def demo_central_db(demo_centre: RunningCentral) -> Iterator[Database]:
    """The database of :func:`demo_centre`: what it keeps that it answers no kiosk."""
    from central.database import Database

    db = Database(demo_centre.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway PostgreSQL for the whole run (the central and sync tests share it);
    skipped where PostgreSQL cannot run, but required in CI."""
    yield from running_cluster()
