"""A centre's database held busy by another process, as a long write transaction holds it.

:func:`impatient_centre` starts the demo centre on a database of its own that gives
up waiting for a lock after ``wait_s`` (``--sqlite-busy-timeout``; on PostgreSQL the
database's ``lock_timeout``, as an operator sets it: the centre sets none), and
:func:`write_lock_held` holds the write lock on it from a second connection: SQLite's
``BEGIN IMMEDIATE`` on the file, or on PostgreSQL an ``EXCLUSIVE`` lock on every table
(writes wait, reads go on: as on SQLite). Nothing in the centre is patched.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import make_url, text

from central.database import Database
from central.process import RunningCentral
from central.tables import metadata
from testkit.centres import migrated_database, serve


def impatient_centre(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    wait_s: float,
    *extra: str,
) -> Iterator[RunningCentral]:
    """The demo centre on a new database of ``request.param``'s backend, waiting
    ``wait_s`` for a lock (and ``extra`` options); stopped after."""
    url = migrated_database(request, tmp_path_factory, str(request.param), "busy")
    if request.param == "postgresql":
        name = make_url(url).database
        database = Database(url)
        try:
            with database.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text(f"ALTER DATABASE \"{name}\" SET lock_timeout = '{int(wait_s * 1000)}ms'")
                )
        finally:
            database.dispose()
    yield from serve(url, "--sqlite-busy-timeout", str(wait_s), *extra)


@contextlib.contextmanager
def write_lock_held(db_url: str) -> Iterator[None]:
    """Another process's write transaction on the database ``db_url``, for the block."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        conn = sqlite3.connect(url.database, isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    pg = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)
    try:
        names = ", ".join(f'"{table}"' for table in metadata.tables)
        pg.execute("SET lock_timeout = '30s'")
        pg.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        yield
        pg.rollback()
    finally:
        pg.close()


def allow_connections(admin: Database, name: str, allowed: bool) -> None:
    """PostgreSQL takes database ``name`` away (as a failover or a stop does: every
    connection to it ended, no new one taken), or gives it back; ``admin`` is connected
    to another database of the same cluster."""
    with admin.begin() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
