"""Waking the pages that follow an office live (boards, counters) when something happens.

The truth is in the database (``call_events``); a wake-up is only a hint that
there may be something new to read, so a lost one costs a poll interval,
never an event. Writers call :func:`notify` inside the transaction that
wrote the event and :meth:`LiveFeed.wake` after it committed:

* on **PostgreSQL** :func:`notify` is ``pg_notify``: delivered at commit to
  every server process, each of which LISTENs on one connection of its own
  (a thread) and wakes its followers; a process that missed a notification
  (its listening connection was lost) still polls every
  :data:`PG_POLL_S`;
* on **SQLite** (one process per database file is the supported set-up;
  several still work) nothing is sent: :meth:`LiveFeed.wake` wakes this
  process's followers at once, and other processes find the event within
  :data:`SQLITE_POLL_S`.

Followers (``async``, on the server's event loop) ``await feed.wait(office,
timeout)`` and then read what is new after the last id they saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from sqlalchemy import Connection, text

from central.database import Database

log = logging.getLogger(__name__)

CHANNEL = "anjungan_office"
SQLITE_POLL_S = 0.5
PG_POLL_S = 5.0


def notify(conn: Connection, office_id: str) -> None:
    """Tell every server process, at commit, that ``office_id`` has news (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_notify(:channel, :office)"), {"channel": CHANNEL, "office": office_id}
        )


class LiveFeed:
    """This process's followers of offices, woken by its own writes and by other processes'."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[str, asyncio.Event] = {}
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self.poll_s = PG_POLL_S if db.dialect == "postgresql" else SQLITE_POLL_S

    async def wait(self, office_id: str, timeout: float) -> None:
        """Return when ``office_id`` may have news, or after ``timeout`` (or the poll interval)."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._start_listener()
        event = self._events.get(office_id)
        if event is None:
            event = self._events[office_id] = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), min(timeout, self.poll_s))

    def wake(self, office_id: str) -> None:
        """Wake this process's followers of ``office_id`` (from any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._set, office_id)

    def _set(self, office_id: str) -> None:
        event = self._events.pop(office_id, None)
        if event is not None:
            event.set()

    def close(self) -> None:
        self._stop.set()
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
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self.wake(note.payload)
            except Exception as exc:
                log.warning("live updates: listening on PostgreSQL failed (%s); retrying", exc)
                self._stop.wait(2.0)

    def __repr__(self) -> str:
        return f"LiveFeed({self._db.dialect}, following={len(self._events)})"
