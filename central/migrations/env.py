"""Alembic's entry point for the central server's migrations.

:func:`central.database.migrate` hands in an open connection (inside a
transaction, holding the migration lock on PostgreSQL); developer commands
built with :func:`central.database.alembic_config` hand in an engine.
Offline (SQL script) mode is not supported: run against a database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

from central.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline migrations are not supported; give a database URL")
    attributes = context.config.attributes
    connection = attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    engine = attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("use central.database.alembic_config(db) or migrate(db)")
    with engine.begin() as conn:
        _run(conn)


run()
