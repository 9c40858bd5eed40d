"""What SQLite and PostgreSQL spell differently, written once for both: ``INSERT … ON
CONFLICT DO UPDATE`` (one statement, no race), a list of values bound as one parameter,
and which constraint refused a row."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    ARRAY,
    Column,
    ColumnElement,
    Connection,
    Index,
    String,
    Table,
    UniqueConstraint,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError


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


def one_of(dialect: str, column: Column[Any], values: Iterable[object]) -> ColumnElement[bool]:
    """``column IN values``, the values bound as one parameter on the database ``dialect``
    names: an array (``= ANY``) on PostgreSQL, a JSON array read by ``json_each`` on SQLite.

    A batch's reads ask by lists of up to 1,000 values (its keys, its ticket ids, its
    numbers). As an ``IN`` list each value is a parameter of its own, coerced when the
    query is built and named and written into the statement at every execution: some
    5 % of a batch's work, for nothing the database needs. Both forms are looked up by
    the column's index as the ``IN`` list was.
    """
    listed = list(values)
    if dialect == "postgresql":
        # An array of the column's type without its length: a cast to ``varchar(n)[]``
        # cuts a longer value silently, and the cut one would match another row.
        element = String() if isinstance(column.type, String) else column.type
        return column == any_(bindparam(None, listed, type_=ARRAY(element)))
    read = func.json_each(bindparam(None, json.dumps(listed), type_=String())).table_valued("value")
    return column.in_(select(read.c.value))


def violated(exc: IntegrityError) -> str | frozenset[str] | None:
    """The constraint ``exc`` names, never a value: PostgreSQL's name of it; SQLite's
    columns of a unique one ("UNIQUE constraint failed: t.a, t.b"), else what it names."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if isinstance(name, str):
        return name
    text = str(exc.orig)
    head, _, columns = text.partition(" constraint failed: ")
    if head in ("UNIQUE", "PRIMARY KEY") and columns:
        return frozenset(c.strip() for c in columns.split(","))
    return f"{head} {columns}" if columns else None  # CHECK, NOT NULL, FOREIGN KEY


def refused_by(exc: IntegrityError, *guards: Index | UniqueConstraint) -> bool:
    """Whether one of the unique ``guards`` refused the row ``exc`` is about: by its name
    (PostgreSQL) or by its table's columns (SQLite names a unique index so)."""
    said = violated(exc)
    for guard in guards:
        table = guard.table
        assert table is not None  # noqa: S101 - a guard of a table of ours
        if said == guard.name or said == frozenset(f"{table.name}.{c.name}" for c in guard.columns):
            return True
    return False
