"""``GET /ready``: whether this centre can serve, asked of its database.

``/health`` says the process is alive; ``/ready`` says whether it is worth
sending requests to: the database answers a ``SELECT 1`` within a short
statement timeout, and its schema is at the migrations' head (an upgrade
of the code that has not migrated yet, or a restored dump of an older
schema, is not ready). The reason given is one of a few fixed sentences:
never a URL, host or error text that could carry a secret (the log has the
error).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import text

from central.database import Database, current_revision

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The whole check, connecting included, ends within this many seconds.
DEADLINE_S = 3.0
_STATEMENT_TIMEOUT_MS = 2000
UNREACHABLE = "the database does not answer"
BEHIND = "the database's schema is not at the migrations' head"


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str | None = None


def check(database: Database, head: str | None) -> Readiness:
    """Ask the database (blocking); see the module's docstring."""
    try:
        with database.read() as conn:
            if database.dialect == "postgresql":
                conn.execute(text(f"SET LOCAL statement_timeout = {_STATEMENT_TIMEOUT_MS}"))
            conn.execute(text("SELECT 1"))
            revision = current_revision(conn)
    except Exception as exc:
        log.warning("not ready: %s (%s)", UNREACHABLE, type(exc).__name__)
        return Readiness(False, UNREACHABLE)
    if revision != head:
        log.warning("not ready: %s (at %s, head %s)", BEHIND, revision, head)
        return Readiness(False, BEHIND)
    return Readiness(True)


class OneAtATime(Generic[T]):
    """A blocking question to the database, asked on a thread of its own, one at a time.

    A database that hangs (a frozen server, a lost network) holds the thread
    until it answers again: no deadline of the driver's reaches a connection
    that waits for the server's reply. So each caller waits at most its own
    deadline, callers meanwhile share the question in flight instead of
    asking again (no pile of hung threads, none of the shared executor's), and
    the thread is a daemon (a hung one never holds up the process's exit).
    """

    def __init__(self, ask: Callable[[], T], name: str) -> None:
        self._ask = ask
        self._name = name
        self._asked: concurrent.futures.Future[T] | None = None

    async def answer(self, deadline_s: float) -> T:
        """The answer; :class:`TimeoutError` when none came within ``deadline_s``."""
        asked = self._asked
        if asked is None or asked.done():
            asked = self._asked = concurrent.futures.Future()
            threading.Thread(target=self._run, args=(asked,), name=self._name, daemon=True).start()
        return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(asked)), deadline_s)

    def _run(self, asked: concurrent.futures.Future[T]) -> None:
        try:
            asked.set_result(self._ask())
        except BaseException as exc:  # handed to whoever waits for it
            asked.set_exception(exc)


class ReadinessCheck:
    """:func:`check` of one database, within :data:`DEADLINE_S` (see :class:`OneAtATime`)."""

    def __init__(self, database: Database, head: str | None) -> None:
        self._check = OneAtATime(lambda: check(database, head), "readiness")

    async def __call__(self) -> Readiness:
        try:
            return await self._check.answer(DEADLINE_S)
        except TimeoutError:
            log.warning("not ready: %s within %.0f s", UNREACHABLE, DEADLINE_S)
            return Readiness(False, UNREACHABLE)
