"""``central.upsert.one_of``: a list bound as one parameter answers exactly as ``IN`` does,
on SQLite and on PostgreSQL, whatever the values' length against the column's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)

from central.upsert import one_of

probe = Table(
    "one_of_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("code", String(36), nullable=False),
)
STORED = ["a" * 36, "kode 'kutip'", "back\\slash", "ñame-ĳ-✓"]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'probe.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    made = create_engine(url)
    probe.metadata.create_all(made)
    with made.begin() as conn:
        conn.execute(insert(probe), [{"code": code} for code in STORED])
    try:
        yield made
    finally:
        made.dispose()


def found(engine: Engine, values: list[object]) -> set[str]:
    with engine.connect() as conn:
        listed = conn.execute(
            select(probe.c.code).where(one_of(engine.dialect.name, probe.c.code, values))
        ).scalars()
        by_in = conn.execute(select(probe.c.code).where(probe.c.code.in_(values))).scalars()
        ours, theirs = set(listed), set(by_in)
    assert ours == theirs, "one_of must answer as IN does"
    return ours


def test_each_stored_value_is_found_and_only_it(engine: Engine) -> None:
    assert found(engine, list(STORED)) == set(STORED)
    assert found(engine, ["kode 'kutip'", "none such"]) == {"kode 'kutip'"}
    assert found(engine, []) == set()


def test_a_value_longer_than_the_column_finds_nothing_not_its_cut_prefix(engine: Engine) -> None:
    """A cast to the column's own type would cut ``'a' * 37`` to 36 characters on
    PostgreSQL and find the stored ``'a' * 36``: a false "already there"."""
    assert found(engine, ["a" * 37]) == set()
    assert found(engine, ["a" * 36 + "b", "a" * 36]) == {"a" * 36}
