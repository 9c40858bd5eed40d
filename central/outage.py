"""A database that is busy or away: told apart from every other database error.

A request that meets the database busy past its wait (SQLite's write lock held
longer than ``--sqlite-busy-timeout``, or the write's turn behind the process's other
writes not come within it, or refused at once with as many writes waiting as the
process lets wait: central/write_queue.py; PostgreSQL's ``lock_timeout`` or
``statement_timeout``, a serialization failure or a deadlock) or not there at
all (the connection refused or lost, the server shutting down, too many
connections, the disk full) has done nothing wrong: the same request a little
later succeeds. The handlers :func:`central.app.install_error_handlers` installs
answer it ``503`` with ``Retry-After`` and ``database_unavailable``, so a kiosk
numbers from its lease and sends its outbox again later. Everything else (a
constraint, a missing table, a bad statement) is a fault of the request or of the
code and stays what it was: a refusal where the code handles it, else a 500.

Told by the driver's own codes, never by an error's text (which may quote values):
SQLite's extended result code, PostgreSQL's SQLSTATE. Nothing here imports FastAPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from central.errors import WriteQueueFull, WriteQueueTimeout

# SQLite's primary result codes (https://sqlite.org/rescode.html): the low byte.
_SQLITE_BUSY = {5: "SQLITE_BUSY", 6: "SQLITE_LOCKED"}
_SQLITE_AWAY = {10: "SQLITE_IOERR", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN"}
#: PostgreSQL's SQLSTATEs of a database busy: try again in a moment.
_PG_BUSY = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available: lock_timeout, or NOWAIT
    "57014",  # query_canceled: statement_timeout
}
#: The SQLSTATE classes and codes of a database away: not reached, or not serving.
_PG_AWAY_CLASSES = ("08", "53")  # connection exception; insufficient resources
_PG_AWAY = {"57P01", "57P02", "57P03"}  # admin_shutdown, crash_shutdown, cannot_connect_now

#: Whole seconds a caller waits before it asks again (``Retry-After``).
BUSY_RETRY_S = 2
AWAY_RETRY_S = 10


@dataclass(frozen=True)
class Outage:
    """Why the database could not serve a request: ``busy`` or ``away``."""

    reason: Literal["busy", "away"]
    #: The driver's code, for the log: ``SQLITE_BUSY``, ``55P03``, ``pool``, ``connection``;
    #: ``write queue``: the write's turn among the process's own (central/write_queue.py);
    #: ``write queue full``: refused at once, as many of the process's writes waiting as
    #: it lets wait.
    code: str

    @property
    def said(self) -> str:
        """For staff's log: ``the database is busy (SQLITE_BUSY)``."""
        return f"the database is {self.reason} ({self.code})"

    @property
    def retry_after_s(self) -> int:
        return BUSY_RETRY_S if self.reason == "busy" else AWAY_RETRY_S

    @property
    def detail(self) -> str:
        """For people (the error body's ``detail``): Indonesian, then English."""
        if self.reason == "busy":
            return (
                "Basis data pusat sedang sibuk; coba lagi sebentar lagi. / "
                "The centre's database is busy; try again shortly."
            )
        return (
            "Basis data pusat tidak dapat dihubungi; coba lagi sebentar lagi. / "
            "The centre's database cannot be reached; try again shortly."
        )


def outage_of(exc: BaseException) -> Outage | None:
    """The outage ``exc`` reports, or ``None`` when it is any other error."""
    if isinstance(exc, PoolTimeout):  # every pooled connection in use past the pool's wait
        return Outage("busy", "pool")
    if isinstance(exc, WriteQueueFull):  # SQLite: as many writes waiting as may wait
        return Outage("busy", "write queue full")
    if isinstance(exc, WriteQueueTimeout):  # SQLite: the process's other writes, past the wait
        return Outage("busy", "write queue")
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        primary = sqlite_code & 0xFF
        if primary in _SQLITE_BUSY:
            return Outage("busy", _SQLITE_BUSY[primary])
        if primary in _SQLITE_AWAY:
            return Outage("away", _SQLITE_AWAY[primary])
        return None
    if not type(orig).__module__.startswith("psycopg"):
        return None
    state = getattr(orig, "sqlstate", None)
    if state is None:
        # psycopg says no SQLSTATE when there was no server to say one: refused, lost,
        # closed. (Its other errors without one are the code's: wrong parameters.)
        lost = exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
        return Outage("away", "connection") if lost else None
    if state in _PG_BUSY:
        return Outage("busy", state)
    if state.startswith(_PG_AWAY_CLASSES) or state in _PG_AWAY:
        return Outage("away", state)
    return None
