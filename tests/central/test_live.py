"""One poller per process wakes an office's followers only when the office has news.

A real centre (child process, SQLite) writes tickets and events; the
:class:`central.live.LiveFeed` under test runs in this process on the same
database file, as another server process would, so it learns of them only by
polling. Every statement it sends is recorded from the engine.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from sqlalchemy import event, insert

from central.database import Database
from central.live import LiveFeed
from central.process import RunningCentral, start_central
from central.tables import call_events
from testkit.boards import issue
from testkit.busy_database import allow_connections
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk, new_office
from testkit.centres import TEST_SERVER_ARGS
from testkit.pg_cluster import PgCluster
from testkit.waits import run_with_deadline

#: Bounds every wait of these tests (they end much sooner when all is well).
BOUND_S = 20.0


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'central.db'}"
    with start_central(db_url=url, extra_args=TEST_SERVER_ARGS) as server:
        yield server


@pytest.fixture
def db(centre: RunningCentral) -> Iterator[Database]:
    database = Database(centre.db_url)
    try:
        yield database
    finally:
        database.dispose()


def _run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``scenario`` on an event loop of its own, in a thread (the browser's may be running)."""
    run_with_deadline(lambda: asyncio.run(scenario()), 4 * BOUND_S, "the scenario")


async def _rounds(feed: LiveFeed, n: int) -> None:
    """Until the poller has read the database ``n`` more times."""
    target = feed.polls + n
    while feed.polls < target:
        await asyncio.sleep(0.02)


async def _woken_once(feed: LiveFeed, *offices: str) -> None:
    """Let the poller see each office for the first time (that first sight wakes)."""
    await asyncio.wait_for(
        asyncio.gather(*(feed.wait(office, BOUND_S) for office in offices)), BOUND_S
    )


def test_many_followers_are_served_by_one_poller_and_sleep_through_rounds_without_news(
    db: Database,
) -> None:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    async def scenario() -> None:
        feed = LiveFeed(db)
        try:
            await _woken_once(feed, DEMO_OFFICE)
            followers = [asyncio.create_task(feed.wait(DEMO_OFFICE, 600)) for _ in range(50)]
            await asyncio.sleep(0)
            event.listen(db.engine, "before_cursor_execute", seen)
            before = feed.polls
            try:
                await asyncio.wait_for(_rounds(feed, 4), BOUND_S)
            finally:
                event.remove(db.engine, "before_cursor_execute", seen)
            rounds = feed.polls - before
            assert not any(f.done() for f in followers), "woken without news"
            # Each round is two grouped queries, whatever the number of followers.
            queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
            polls = [s for s in queries if "GROUP BY" in s]
            assert len(polls) == len(queries)
            assert 2 * rounds <= len(polls) <= 2 * (rounds + 1)
            for follower in followers:
                follower.cancel()
        finally:
            feed.close()

    _run(scenario)


def test_a_ticket_issued_at_a_kiosk_wakes_its_office_and_an_event_wakes_only_its_own(
    centre: RunningCentral, db: Database
) -> None:
    kiosk = new_kiosk(db, centre.url)[1]
    other = new_office(db, "Kantor Lain")

    async def scenario() -> None:
        feed = LiveFeed(db)
        loop = asyncio.get_running_loop()
        try:
            await _woken_once(feed, DEMO_OFFICE, other)
            ours = asyncio.create_task(feed.wait(DEMO_OFFICE, 600))
            theirs = asyncio.create_task(feed.wait(other, 600))
            await asyncio.wait_for(_rounds(feed, 1), BOUND_S)
            assert not ours.done() and not theirs.done()
            # A kiosk's ticket writes no event and wakes nobody in its own process.
            await loop.run_in_executor(None, issue, centre.url, kiosk)
            await asyncio.wait_for(ours, BOUND_S)
            await asyncio.wait_for(_rounds(feed, 2), BOUND_S)
            assert not theirs.done(), "another office's followers were woken"
            ours = asyncio.create_task(feed.wait(DEMO_OFFICE, 600))
            with db.begin() as conn:
                conn.execute(
                    insert(call_events).values(
                        office_id=other,
                        at=dt.datetime.now(dt.UTC),
                        day=dt.date.today(),
                        kind="call",
                        ticket_id="t-1",
                        display="Z-001",
                        queue_id="layanan-lain",
                        counter="1",
                        actor="test",
                    )
                )
            await asyncio.wait_for(theirs, BOUND_S)
            await asyncio.wait_for(_rounds(feed, 2), BOUND_S)
            assert not ours.done(), "an event of another office woke this one"
            ours.cancel()
        finally:
            feed.close()

    _run(scenario)


def test_a_wake_between_a_read_and_the_wait_is_not_lost(db: Database) -> None:
    async def scenario() -> None:
        feed = LiveFeed(db)
        try:
            await _woken_once(feed, DEMO_OFFICE)
            seen = feed.version(DEMO_OFFICE)  # the follower reads the office after this
            feed.wake(DEMO_OFFICE)  # a write committed while it was reading
            await asyncio.sleep(0)
            await asyncio.wait_for(feed.wait(DEMO_OFFICE, 600, seen), BOUND_S)
        finally:
            feed.close()

    _run(scenario)


def test_a_database_away_is_said_once_while_it_lasts_and_again_when_it_answers(
    pg_cluster: PgCluster, caplog: pytest.LogCaptureFixture
) -> None:
    """The poller and the listening connection try again and again while PostgreSQL is
    away: one warning each, then one when it answers (a line every try, with the
    driver's whole text, filled the log for as long as it lasted)."""
    url = pg_cluster.create_database(migrated=True)
    name = url.rsplit("/", 1)[1]
    db, admin = Database(url), Database(pg_cluster.url("postgres"))
    caplog.set_level(logging.WARNING, logger="central.live")
    feed = LiveFeed(db)
    feed.poll_s = feed.listen_retry_s = 0.05  # many tries within the test's moments

    async def follow(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await feed.wait(DEMO_OFFICE, 0.2)

    async def tries(n: int) -> None:
        """Until the poller and the listener have each tried ``n`` more times (the
        listener tries only while it has no connection)."""
        polls, listens = feed.polls + n, feed.listens + n
        while feed.polls < polls or feed.listens < listens:
            await asyncio.sleep(0.02)

    async def said_again() -> None:
        while not all(
            words in caplog.text
            for words in ("live updates go on", "listening on PostgreSQL again")
        ):
            await _rounds(feed, 1)

    async def scenario() -> None:
        stop = asyncio.Event()
        follower = asyncio.create_task(follow(stop))
        try:
            await asyncio.wait_for(_rounds(feed, 1), BOUND_S)  # the listener has begun too
            allow_connections(admin, name, allowed=False)
            await asyncio.wait_for(tries(5), BOUND_S)
            allow_connections(admin, name, allowed=True)
            await asyncio.wait_for(said_again(), BOUND_S)
        finally:
            stop.set()
            await follower
            feed.close()

    try:
        _run(scenario)
    finally:
        db.dispose()
        admin.dispose()
    said = [r.getMessage() for r in caplog.records if r.name == "central.live"]
    waits = [m for m in said if m.startswith("live updates wait: the database is away (")]
    listening = [m for m in said if "listening on PostgreSQL failed" in m]
    assert len(waits) == 1 and len(listening) == 1, said
    assert said.count("live updates go on: the database answers again") == 1, said
    assert said.count("live updates: listening on PostgreSQL again") == 1, said
    assert all(r.exc_info is None for r in caplog.records), said
