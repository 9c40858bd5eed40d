"""Centres started at the same moment on one new database: every one starts and serves.

Several app processes behind a proxy, restarted together, each load the start-up data
(the catalog, the trust lists, the demo) into the one database. On PostgreSQL two of
them once both found no catalog and both inserted it: one met the unique version and
exited with status 4 (the database), so a deployment sometimes came up short of a
process. A start has to be as safe for the second process as for the first.
"""

from __future__ import annotations

import functools

import pytest
import requests
from sqlalchemy import func, select

from central.database import Database
from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE
from central.tables import catalog_versions
from testkit.centre_accounts import bearer, enrol
from testkit.centres import BACKENDS, SHARED_START_S, TEST_SERVER_ARGS, started_together

pytestmark = pytest.mark.timeout(300)
#: Processes started at once: the race is between one's "no catalog yet" and another's
#: insert, one round of three on a new database met it every time it was tried on the old code.
TOGETHER = 3
ROUNDS = {"sqlite": 1, "postgresql": 1}


def _catalog_etag(centre: RunningCentral) -> str:
    """The catalog ``centre`` serves a kiosk enrolled there (a write and a read)."""
    enrolled = enrol(centre.url, DEMO_ENROLMENT_CODE)
    assert enrolled.status_code == 201, enrolled.text
    answer = requests.get(
        f"{centre.url}/api/v1/catalog", headers=bearer(enrolled.json()["token"]), timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.headers["etag"]


def _published(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as conn:
            published = select(func.count()).select_from(catalog_versions)
            return int(conn.execute(published).scalar_one())
    finally:
        db.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_centres_started_together_on_a_new_database_all_start_and_serve(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for _ in range(ROUNDS[backend]):
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('together') / 'central.db'}"
        else:  # empty: each process migrates (one at a time), then loads its start-up data
            url = request.getfixturevalue("pg_cluster").create_database()
        start = functools.partial(
            start_central,
            seed_demo=True,
            db_url=url,
            extra_args=TEST_SERVER_ARGS,
            timeout_s=SHARED_START_S,
        )
        with started_together(*[start] * TOGETHER) as centres:  # raises if one did not start
            etags = {_catalog_etag(centre) for centre in centres}
        assert len(etags) == 1
        assert _published(url) == 1  # by whichever came first; the others found it there
