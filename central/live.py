"""Waking the pages that follow an office live (boards, counters) when something happens.

The truth is in the database (``call_events``, ``tickets``); a wake-up is only
a hint that there may be something new to read, so a lost one costs a poll
interval, never an event. Writers call :func:`notify` inside the transaction
that wrote the event and :meth:`LiveFeed.wake` after it committed.

**One poller per process.** Followers never poll the database themselves: a
single asyncio task (:meth:`LiveFeed._poll`, started with the first follower,
ended by :meth:`LiveFeed.close` at shutdown) reads, every poll interval and
off the event loop, one mark per followed office (:func:`marks`: its newest
``call_events`` id and how many tickets it issued lately, so a ticket a kiosk
issues, which writes no event, still refreshes the waiting counts) in two
grouped queries, whatever the number of followers, and wakes only the
followers of offices whose mark moved. A follower's
:meth:`LiveFeed.wait` returns on a wake or on its own timeout, never on a
poll that found nothing.

* on **PostgreSQL** :func:`notify` is ``pg_notify``: delivered at commit to
  every server process, each of which LISTENs on one connection of its own
  (a thread) and wakes its followers; the poller is a slow safety net
  (:data:`PG_POLL_S`) for a lost listening connection and for tickets;
* on **SQLite** (one process per database file is the supported set-up;
  several still work) nothing is sent: :meth:`LiveFeed.wake` wakes this
  process's followers at once, and other processes' writes are found by
  the poller within :data:`SQLITE_POLL_S`.

Followers (``async``, on the server's event loop) take
:meth:`LiveFeed.version` before they read, read what is new after the last
id they saw, then ``await feed.wait(office, timeout, seen)``: a wake that
came between their read and their wait is not lost.

**A stop ends the followers.** When the server begins to stop,
:meth:`LiveFeed.end_followers` wakes every follower and :attr:`LiveFeed.ending`
tells them to finish: a board's stream ends (the TV connects again, to a
process that runs) and a held counter panel answers, so no open page holds the
stop until the server's grace time runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Sequence

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, func, select, text

from central.database import Database
from central.outage import outage_of
from central.tables import call_events, tickets

log = logging.getLogger(__name__)

CHANNEL = "anjungan_office"
SQLITE_POLL_S = 0.5
PG_POLL_S = 5.0
#: How soon a lost listening connection (PostgreSQL) is tried again.
LISTEN_RETRY_S = 2.0

#: What the poller compares, per office: (newest event id, tickets issued lately).
Mark = tuple[int, int]


def notify(conn: Connection, office_id: str) -> None:
    """Tell every server process, at commit, that ``office_id`` has news (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_notify(:channel, :office)"), {"channel": CHANNEL, "office": office_id}
        )


def marks(conn: Connection, office_ids: Sequence[str], today: dt.date) -> dict[str, Mark]:
    """Each office's newest event id and its tickets of ``today`` and the day before.

    Two grouped queries on indexed columns, whatever the number of offices.
    The tickets' count covers the day before too, so an office in any time
    zone has its local day inside it.
    """
    found: dict[str, list[int]] = {office: [0, 0] for office in office_ids}
    newest = (
        select(call_events.c.office_id, func.max(call_events.c.id))
        .where(call_events.c.office_id.in_(office_ids))
        .group_by(call_events.c.office_id)
    )
    for office, last in conn.execute(newest):
        found[office][0] = int(last or 0)
    issued = (
        select(tickets.c.office_id, func.count())
        .where(
            tickets.c.office_id.in_(office_ids),
            tickets.c.day >= today - dt.timedelta(days=1),
        )
        .group_by(tickets.c.office_id)
    )
    for office, count in conn.execute(issued):
        found[office][1] = int(count)
    return {office: (mark[0], mark[1]) for office, mark in found.items()}


class LiveFeed:
    """This process's followers of offices, woken by its own writes and by other processes'."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[str, asyncio.Event] = {}
        #: How many followers wait on each office now (the poller reads only these).
        self._following: dict[str, int] = {}
        #: Each office's wake count: a follower compares it with what it saw.
        self._versions: dict[str, int] = {}
        #: The mark last read for each office (kept when its followers leave).
        self._seen: dict[str, Mark] = {}
        self._poller: asyncio.Task[None] | None = None
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self.poll_s = PG_POLL_S if db.dialect == "postgresql" else SQLITE_POLL_S
        #: Whether the last poll met the database busy or away (said once, not each poll).
        self._poll_outage = False
        #: Poll rounds that read the database (for tests and the curious).
        self.polls = 0
        self.listen_retry_s = LISTEN_RETRY_S
        #: Connections made to listen on PostgreSQL, or tried (for tests and the curious).
        self.listens = 0

    @property
    def ending(self) -> bool:
        """Whether the server is stopping: followers finish instead of waiting again."""
        return self._stop.is_set()

    def end_followers(self) -> None:
        """Wake every follower to finish (the server has begun to stop); no new poller."""
        self._stop.set()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        for office_id in list(self._events):
            self._set(office_id)

    def version(self, office_id: str) -> int:
        """How many times ``office_id``'s followers were woken: take it before reading."""
        return self._versions.get(office_id, 0)

    async def wait(self, office_id: str, timeout: float, seen: int | None = None) -> None:
        """Return when ``office_id`` may have news, or after ``timeout``.

        With ``seen`` (:meth:`version` taken before the caller read), return at
        once when a wake came since.
        """
        self._start()
        if self.ending or (seen is not None and self.version(office_id) != seen):
            return
        event = self._events.get(office_id)
        if event is None:
            event = self._events[office_id] = asyncio.Event()
        self._following[office_id] = self._following.get(office_id, 0) + 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            left = self._following[office_id] - 1
            if left:
                self._following[office_id] = left
            else:
                del self._following[office_id]

    def wake(self, office_id: str) -> None:
        """Wake this process's followers of ``office_id`` (from any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._set, office_id)

    def _set(self, office_id: str) -> None:
        self._versions[office_id] = self._versions.get(office_id, 0) + 1
        event = self._events.pop(office_id, None)
        if event is not None:
            event.set()

    def _start(self) -> None:
        running = asyncio.get_running_loop()
        if self._loop is not running:  # the first follower (or an app run again on a new loop)
            self._loop = running
            self._events.clear()
            self._poller = None
        if self._poller is None and not self._stop.is_set():
            self._poller = self._loop.create_task(self._poll(), name="live-poll")
            self._start_listener()

    async def _poll(self) -> None:
        """Every poll interval, one read of the followed offices' marks; wake those that moved."""
        while not self._stop.is_set():
            offices = sorted(self._following)
            if offices:
                try:
                    found = await run_in_threadpool(self._read_marks, offices)
                except Exception as exc:  # the database is away: try again next round
                    self._poll_failed(exc)
                    found = {}
                else:
                    self._poll_done()
                self.polls += 1
                for office, mark in found.items():
                    if self._seen.get(office) != mark:
                        self._seen[office] = mark
                        self._set(office)
            await asyncio.sleep(self.poll_s)

    def _poll_failed(self, exc: Exception) -> None:
        """A database busy or away is said once, until a poll goes through again (a line
        every poll filled the log for as long as it lasted); any other fault each time."""
        outage = outage_of(exc)
        if outage is None:
            log.warning("live updates: reading the offices' news failed (%s)", exc)
        elif not self._poll_outage:
            log.warning(
                "live updates wait: %s; they try again every %g s", outage.said, self.poll_s
            )
        self._poll_outage = outage is not None

    def _poll_done(self) -> None:
        if self._poll_outage:
            log.warning("live updates go on: the database answers again")
            self._poll_outage = False

    def _read_marks(self, offices: list[str]) -> dict[str, Mark]:
        with self._db.read() as conn:
            return marks(conn, offices, dt.datetime.now(dt.UTC).date())

    def close(self) -> None:
        """Stop the poller and the listener (at the app's shutdown)."""
        self._stop.set()
        poller, loop = self._poller, self._loop
        if poller is not None and loop is not None and not loop.is_closed():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                poller.cancel()
            else:
                loop.call_soon_threadsafe(poller.cancel)
        if self._listener is not None:
            self._listener.join(timeout=5)

    def _start_listener(self) -> None:
        if self._db.dialect != "postgresql" or self._listener is not None:
            return
        self._listener = threading.Thread(target=self._listen, name="live-listen", daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        import psycopg  # the PostgreSQL driver; only here when the database is one

        conninfo = self._db.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        failing = False
        while not self._stop.is_set():
            self.listens += 1
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if failing:
                        log.warning("live updates: listening on PostgreSQL again")
                        failing = False
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self.wake(note.payload)
            except Exception as exc:
                # Said once while it lasts (a line every try filled the log for as long
                # as the database was away); the poller finds the news meanwhile.
                if not failing:
                    log.warning(
                        "live updates: listening on PostgreSQL failed (%s); retrying every"
                        " %g s, polling every %g s meanwhile",
                        " ".join(str(exc).split()),
                        self.listen_retry_s,
                        self.poll_s,
                    )
                    failing = True
                self._stop.wait(self.listen_retry_s)

    def __repr__(self) -> str:
        return f"LiveFeed({self._db.dialect}, following={len(self._events)})"
