"""``INSERT … ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL alike: one statement, no race."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def dialect_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` into ``table`` that has ``on_conflict_do_update`` on ``conn``'s database."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert(
    conn: Connection, table: Table, keys: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Insert the row ``keys`` + ``values``, or update ``values`` where ``keys`` exist."""
    statement = dialect_insert(conn, table).values(**keys, **values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in keys], set_=dict(values)
        )
    )
