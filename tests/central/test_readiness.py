"""``GET /ready``: the database answers, at the migrations' head; ``/health`` stays liveness."""

from __future__ import annotations

import functools

import pytest
import requests
from sqlalchemy import text

from central.database import Database
from central.process import start_central
from central.readiness import BEHIND, UNREACHABLE
from testkit.busy_database import allow_connections
from testkit.centres import SHARED_START_S
from testkit.pg_cluster import PgCluster

pytestmark = pytest.mark.timeout(120)
#: A centre of this test's own; a loaded machine may take a while to start one.
start = functools.partial(start_central, timeout_s=SHARED_START_S)


def ready(url: str) -> requests.Response:
    return requests.get(f"{url}/ready", timeout=10)


def test_ready_follows_the_schema(db_url: str) -> None:
    with start(db_url=db_url) as centre:
        answer = ready(centre.url)
        assert (answer.status_code, answer.json()) == (200, {"ready": True})
        database = Database(db_url)
        try:
            head = database.revision()
            with database.begin() as conn:  # as a restored dump of an older schema would be
                conn.execute(text("UPDATE alembic_version SET version_num = '0001_initial'"))
            behind = ready(centre.url)
            assert behind.status_code == 503
            assert behind.json() == {"ready": False, "reason": BEHIND}
            assert requests.get(f"{centre.url}/health", timeout=5).status_code == 200
            with database.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})
            assert ready(centre.url).status_code == 200
        finally:
            database.dispose()


def test_a_database_that_refuses_is_not_ready(pg_cluster: PgCluster) -> None:
    url = pg_cluster.create_database()
    name = url.rsplit("/", 1)[1]
    admin = Database(pg_cluster.url("postgres"))
    try:
        with start(db_url=url) as centre:
            assert ready(centre.url).status_code == 200
            allow_connections(admin, name, False)
            answer = ready(centre.url)
            assert answer.status_code == 503
            assert answer.json() == {"ready": False, "reason": UNREACHABLE}
            assert str(pg_cluster.port) not in answer.text
            allow_connections(admin, name, True)
            assert ready(centre.url).status_code == 200
    finally:
        admin.dispose()
