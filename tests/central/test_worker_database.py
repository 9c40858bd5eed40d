"""Several worker processes on one database, over real HTTP.

* ticket numbers stay unique while kiosks allocate at once across the
  workers and one worker is killed in the middle (SQLite and PostgreSQL);
* each worker's connection pool fits what PostgreSQL allows the centre, so
  a burst waits for connections instead of failing (PostgreSQL).
"""

from __future__ import annotations

import functools
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from central.database import Database
from central.process import RunningCentral, start_central
from testkit.centre_accounts import new_kiosk
from testkit.centre_requests import allocate, new_id
from testkit.centres import LOOSE_SERVER_ARGS, SHARED_START_S
from testkit.pg_cluster import PgCluster
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(300)
start = functools.partial(start_central, timeout_s=SHARED_START_S)
SERVICE = "izin-usaha-mikro"
THREADS = 24
PASSWORD = "pool-test-Pa55word"  # noqa: S105 - a throwaway role's, in a throwaway cluster
PER_THREAD = 8


def _workers(centre: RunningCentral) -> set[int]:
    pids: set[int] = set()
    for task in Path(f"/proc/{centre.process.pid}/task").glob("*/children"):
        pids.update(int(pid) for pid in task.read_text().split())
    return pids


def _allocate_until_answered(url: str, token: str, ticket_id: str) -> requests.Response:
    """Allocate ``ticket_id``, asking again (as a kiosk's outbox does) when the
    connection broke: its worker may have been killed while answering.

    The answer is 201, the number made now; or, asked again after a broken
    connection, 200 with the number the first ask had already made and kept.
    """
    broken = False  # asked before, with no answer to go by
    for _ in range(20):
        try:
            answer = allocate(url, token, SERVICE, ticket_id)
        except requests.ConnectionError:
            broken = True
            continue
        if answer.status_code == 503:
            broken = True  # asked before: the retry may find it made
            continue
        expected = (201, 200) if broken else (201,)
        assert answer.status_code in expected, (broken, answer.status_code, answer.text)
        return answer
    raise AssertionError(f"ticket {ticket_id} never answered")


def test_ticket_numbers_stay_unique_across_workers_with_one_killed(migrated_db_url: str) -> None:
    args = ["--workers", "3", *LOOSE_SERVER_ARGS]
    with start(db_url=migrated_db_url, extra_args=args) as centre:
        db = Database(migrated_db_url)
        try:
            tokens = [new_kiosk(db, centre.url)[1] for _ in range(4)]
            victim = min(_workers(centre))
            barrier = threading.Barrier(THREADS + 1, timeout=60)
            halfway = threading.Event()
            done = [0]
            lock = threading.Lock()

            def kiosk(i: int) -> list[tuple[str, int]]:
                barrier.wait()
                answered = []
                for _ in range(PER_THREAD):
                    ticket = new_id()
                    answer = _allocate_until_answered(centre.url, tokens[i % 4], ticket)
                    answered.append((ticket, int(answer.json()["number"])))
                    with lock:
                        done[0] += 1
                        if done[0] == THREADS * PER_THREAD // 3:
                            halfway.set()
                return answered

            with ThreadPoolExecutor(THREADS) as pool:
                futures = [pool.submit(kiosk, i) for i in range(THREADS)]
                barrier.wait()
                assert halfway.wait(120)
                os.kill(victim, signal.SIGKILL)  # while the others keep allocating
                answered = [pair for future in futures for pair in future.result()]
            wait_until(
                lambda: len(_workers(centre)) == 3 and victim not in _workers(centre),
                30,
                "the killed worker replaced",
            )
            numbers = [number for _, number in answered]
            assert len(answered) == THREADS * PER_THREAD
            assert len(set(numbers)) == len(numbers), "two tickets got one number"
            with db.read() as conn:
                stored = conn.execute(
                    text("SELECT id, number FROM tickets WHERE service_id = :s"), {"s": SERVICE}
                ).all()
            stored_numbers = [number for _, number in stored]
            assert len(set(stored_numbers)) == len(stored_numbers)
            # Each ticket stored once, with the number its kiosk was told.
            assert {(str(i), int(n)) for i, n in stored} >= set(answered)
            assert len(stored) == len(answered)
            assert f"worker {victim} stopped (status 137)" in centre.output_tail()
        finally:
            db.dispose()


def _limited_database(pg_cluster: PgCluster, limit: int, folder: Path) -> tuple[str, Path]:
    """A database of its own role (a superuser ignores connection limits) that takes
    ``limit`` connections; its URL and the role's password file."""
    name = pg_cluster.create_database().rsplit("/", 1)[1]
    role = f"anjungan_{name}"
    url = pg_cluster.add_password_role(role, PASSWORD, name)
    admin = Database(pg_cluster.url("postgres"))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" CONNECTION LIMIT {limit}'))
    finally:
        admin.dispose()
    password_file = folder / "db-password"
    password_file.write_text(PASSWORD, encoding="utf-8")
    password_file.chmod(0o600)
    return url, password_file


def test_worker_pools_fit_the_connections_postgresql_allows(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    # 6 workers of the default pool could open 126 connections; the database takes 20.
    url, password_file = _limited_database(pg_cluster, 20, tmp_path)
    args = ["--workers", "6", "--db-password-file", str(password_file), *LOOSE_SERVER_ARGS]
    with start(seed_demo=True, db_url=url, extra_args=args) as centre:
        said = centre.output_tail()
        assert "PostgreSQL allows this centre 20 more connections" in said
        assert "each of 6 workers keeps a pool of 1 (up to 2 on a burst)" in said
        db = Database(pg_cluster.url(url.rsplit("/", 1)[1]), pool_size=1)  # a superuser
        try:
            tokens = [new_kiosk(db, centre.url)[1] for _ in range(16)]
        finally:
            db.dispose()
        burst = 96
        barrier = threading.Barrier(burst, timeout=60)

        def one(i: int) -> list[int]:
            barrier.wait()
            with requests.Session() as http:
                return [
                    allocate(centre.url, tokens[i % 16], SERVICE, session=http).status_code
                    for _ in range(4)
                ]

        with ThreadPoolExecutor(burst) as pool:
            statuses = [status for some in pool.map(one, range(burst)) for status in some]
        assert statuses == [201] * burst * 4
        centre.stop()
        assert "too many connections" not in centre.output_tail()
