"""The suite's throwaway PostgreSQL: in RAM when it has room, and a fixture's database
dropped when the fixture ends, so the RAM is given back as the run goes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from testkit import pg_cluster
from testkit.centres import migrated_database
from testkit.pg_cluster import PgCluster

#: The databases :func:`fixture_database` made, in the order its tests ran.
MADE: list[str] = []


def _names(cluster: PgCluster) -> set[str]:
    with psycopg.connect(
        host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres"
    ) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_a_cluster_goes_to_ram_only_with_room_to_spare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_cluster, "IN_RAM", tmp_path)
    monkeypatch.setattr(pg_cluster, "IN_RAM_FREE", 1)
    assert pg_cluster._folder() == str(tmp_path)
    monkeypatch.setattr(pg_cluster, "IN_RAM_FREE", 1 << 62)  # more than any disk holds
    assert pg_cluster._folder() is None
    monkeypatch.setattr(pg_cluster, "IN_RAM", tmp_path / "absent")
    monkeypatch.setattr(pg_cluster, "IN_RAM_FREE", 1)
    assert pg_cluster._folder() is None


def test_a_dropped_database_is_gone_and_its_sessions_closed(pg_cluster: PgCluster) -> None:
    url = pg_cluster.create_database(migrated=True)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(host="127.0.0.1", port=pg_cluster.port, user="postgres", dbname=name):
        pg_cluster.drop_database(url)  # a session still open on it is ended
    assert name not in _names(pg_cluster)
    pg_cluster.drop_database(url)  # again: nothing to do


@pytest.fixture
def fixture_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    url = migrated_database(request, tmp_path_factory, "postgresql", "dropped")
    MADE.append(url.rsplit("/", 1)[1])
    yield url


@pytest.mark.parametrize("run", [1, 2])
def test_a_fixtures_database_lives_as_long_as_the_fixture(
    fixture_database: str, pg_cluster: PgCluster, run: int
) -> None:
    names = _names(pg_cluster)
    assert MADE[-1] in names  # this test's
    assert len(MADE) == run
    assert not set(MADE[:-1]) & names  # the test's before it: dropped as its fixture ended
