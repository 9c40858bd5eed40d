"""``INSERT … ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL alike: one statement, no race."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(
    conn: Connection, table: Table, keys: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Insert the row ``keys`` + ``values``, or update ``values`` where ``keys`` exist."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**keys, **values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in keys], set_=dict(values)
        )
    )
