"""A text holding a NUL character never reaches the database, on either backend.

PostgreSQL holds no NUL in text: psycopg fails the statement, and a request whose
text reached a query without a check of its own (a patient find by No. RM) was
answered 500. The engine refuses every such statement before it is sent
(central.errors.TextWithNul), whatever the request: 422 ``invalid_request`` with
a message in Indonesian and English that never quotes the text, nothing done, on
SQLite as on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import func, insert, select

from central.access.audit import utc_now
from central.database import Database
from central.errors import TextWithNul
from central.process import RunningCentral, start_central
from central.tables import citizens
from testkit.centre_accounts import bearer
from testkit.centre_hospital import hospital_kiosk
from testkit.centres import BACKENDS, SHARED_START_S, TEST_SERVER_ARGS, migrated_database

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_database(request, tmp_path_factory, str(request.param), "nul-texts")


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def centre(database_url: str) -> Iterator[RunningCentral]:
    server = start_central(
        seed_demo=True, db_url=database_url, extra_args=TEST_SERVER_ARGS, timeout_s=SHARED_START_S
    )
    try:
        yield server
    finally:
        server.stop()


def _citizen(nik: str, name: str) -> dict[str, object]:
    return {"nik": nik, "full_name": name, "updated_at": utc_now()}


def _count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(citizens)).scalar_one())


def test_a_search_by_a_text_with_nul_is_refused_before_it_is_sent(db: Database) -> None:
    with db.read() as conn, pytest.raises(TextWithNul) as refused:
        conn.execute(select(citizens.c.id).where(citizens.c.card_number == "PKU-\x00-1"))
    assert "NUL" in refused.value.detail and " / " in refused.value.detail
    with db.read() as conn:  # the same connection pool serves the next statement
        assert conn.execute(select(func.count()).select_from(citizens)).scalar_one() >= 0


def test_a_row_or_a_batch_with_nul_in_a_text_writes_nothing(db: Database) -> None:
    before = _count(db)
    with pytest.raises(TextWithNul), db.begin() as conn:
        conn.execute(insert(citizens).values(**_citizen("1471020101900901", "Siti\x00")))
    with pytest.raises(TextWithNul), db.begin() as conn:  # many rows, the NUL in the last
        conn.execute(
            insert(citizens),
            [
                _citizen("1471020101900902", "Budi"),
                _citizen("1471020101900903", "Ani\x00"),
            ],
        )
    assert _count(db) == before
    with db.begin() as conn:  # a text without one is stored as before
        conn.execute(insert(citizens).values(**_citizen("1471020101900904", "Ani \\u0000")))
    assert _count(db) == before + 1


def test_a_patient_find_by_a_no_rm_with_nul_is_refused_not_a_500(centre: RunningCentral) -> None:
    kiosk, _ = hospital_kiosk(centre.url)
    for value in ("8\x00", "\x00"):
        answer = requests.post(
            f"{centre.url}/api/v1/hospital/patients/find",
            json={"by": "norm", "value": value, "birth_date": "1990-05-15"},
            headers=bearer(kiosk),
            timeout=10,
        )
        assert answer.status_code == 422, answer.text
        body = answer.json()
        assert body["error"] == "invalid_request"
        assert "NUL" in body["detail"] and " / " in body["detail"]
        assert "\\u0000" not in answer.text, "the text was echoed"
    after = requests.post(  # the centre serves on
        f"{centre.url}/api/v1/hospital/patients/find",
        json={"by": "norm", "value": "8", "birth_date": "1990-05-15"},
        headers=bearer(kiosk),
        timeout=10,
    )
    assert after.status_code == 404, after.text
