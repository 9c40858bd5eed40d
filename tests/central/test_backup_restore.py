"""A backup as docs/operations.md tells a city to take it, restored into a new cluster.

``pg_dump -Fc`` of a centre's database with tickets in several states, ``pg_restore``
into a freshly made PostgreSQL cluster (another initdb, another port: the machine a
city restores to), the centre started on it with no catalog and no demo seed (what it
serves comes from the dump alone), and every ticket read back over the API: its
number, its state, its counter, and the staff account that called it still logs in.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from central.access import staff
from central.database import Database
from central.process import start_central
from testkit.centre_accounts import DEMO_OFFICE, PASSWORD, bearer, new_kiosk, new_staff_account
from testkit.centre_requests import allocate, staff_post
from testkit.centres import TEST_SERVER_ARGS
from testkit.pg_cluster import PgCluster, PgUnavailable

pytestmark = pytest.mark.timeout(180)

#: Every ticket's state, read from the restored centre.
Seen = dict[str, tuple[str, str, str]]


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _log_in(url: str, username: str) -> str:
    answer = requests.post(
        f"{url}/api/v1/staff/login",
        json={"username": username, "password": PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def _tickets(url: str, ids: list[str]) -> Seen:
    seen: Seen = {}
    for ticket_id in ids:
        answer = requests.get(f"{url}/api/v1/public/tickets/{ticket_id}", timeout=10)
        assert answer.status_code == 200, (ticket_id, answer.text)
        body: dict[str, Any] = answer.json()
        seen[ticket_id] = (body["number"], body["status"], body["counter"])
    return seen


@pytest.fixture
def fresh_cluster(pg_cluster: PgCluster) -> Iterator[PgCluster]:
    """A second, empty cluster: not a database beside the first, a server of its own
    (asks for the suite's cluster first, so it is skipped or failed the same way)."""
    cluster = PgCluster()
    try:
        cluster.start()
    except PgUnavailable as exc:
        pytest.skip(f"a second PostgreSQL cluster cannot run here: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


def test_a_dump_restored_into_a_fresh_cluster_serves_every_ticket(
    pg_cluster: PgCluster, fresh_cluster: PgCluster, tmp_path: Path
) -> None:
    source = pg_cluster.create_database()
    with start_central(seed_demo=True, db_url=source, extra_args=TEST_SERVER_ARGS) as centre:
        db = Database(source)
        try:
            _, kiosk = new_kiosk(db, centre.url)
            username = new_staff_account(db, staff.Role.ADMIN, office_id=DEMO_OFFICE)
        finally:
            db.dispose()
        token = _log_in(centre.url, username)
        queue = requests.get(f"{centre.url}/api/v1/staff/queue", headers=bearer(token), timeout=10)
        services = [s["service_id"] for s in queue.json()["services"]][:2]
        ids = []
        for service in services:
            for _ in range(3):
                answer = allocate(centre.url, kiosk, service)
                assert answer.status_code in (200, 201), answer.text
                ids.append(answer.json()["ticket_id"])
        called = staff_post(
            centre.url,
            token,
            "/api/v1/staff/queue/call-next",
            {"office_id": DEMO_OFFICE, "service_id": services[0], "counter": "4"},
        )
        assert called.status_code == 200, called.text
        before = _tickets(centre.url, ids)
    assert sorted(status for _, status, _ in before.values()).count("called") == 1

    dump = tmp_path / "anjungan.dump"
    subprocess.run(
        [str(pg_cluster.bin / "pg_dump"), "-Fc", "-f", str(dump), _libpq(source)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    target = fresh_cluster.create_database()
    subprocess.run(
        [str(fresh_cluster.bin / "pg_restore"), "--no-owner", "--exit-on-error",
         "-d", _libpq(target), str(dump)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip

    # No --seed-demo and no --catalog: the centre starts from what the dump holds.
    with start_central(seed_demo=False, db_url=target, extra_args=TEST_SERVER_ARGS) as restored:
        assert _tickets(restored.url, ids) == before
        token = _log_in(restored.url, username)
        queue = requests.get(
            f"{restored.url}/api/v1/staff/queue", headers=bearer(token), timeout=10
        ).json()
    open_ids = {t["ticket_id"] for s in queue["services"] for t in s["tickets"]}
    assert set(ids) == open_ids
