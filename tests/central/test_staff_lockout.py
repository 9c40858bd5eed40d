"""Staff passwords cannot be guessed without limit: failures in a row lock the username.

The rules are checked on the database directly with a chosen clock (growing,
capped, reset on success, unknown usernames alike); the lock is then shown to
hold across two server processes on one database, as a city runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from central.access import staff
from central.access.lockout import LockoutPolicy
from central.database import Database
from central.process import RunningCentral, start_central
from central.tables import audit_log
from testkit.centre_accounts import PASSWORD
from testkit.centres import TEST_SERVER_ARGS

pytestmark = pytest.mark.timeout(120)

T0 = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
POLICY = LockoutPolicy(after=3, base_s=10, max_s=25)
WRONG = "not the password"


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    database = Database(migrated_db_url)
    with database.begin() as conn:
        staff.add_staff(conn, "kepala", PASSWORD, role=staff.Role.ADMIN, office_id=None, actor="t")
    try:
        yield database
    finally:
        database.dispose()


def attempt(
    db: Database, password: str, at_s: float, username: str = "kepala"
) -> staff.StaffLogin | staff.LoginLocked | None:
    now = T0 + dt.timedelta(seconds=at_s)
    with db.begin() as conn:
        return staff.login(conn, username, password, ttl_s=3600, policy=POLICY, now=now)


def events(db: Database, action: str) -> list[str]:
    with db.read() as conn:
        return list(
            conn.execute(select(audit_log.c.detail).where(audit_log.c.action == action)).scalars()
        )


def test_failures_lock_for_a_growing_capped_time(db: Database) -> None:
    assert [attempt(db, WRONG, 0), attempt(db, WRONG, 1)] == [None, None]
    assert attempt(db, WRONG, 2) is None  # the third: locked for 10 s from t=2
    assert attempt(db, PASSWORD, 3) == staff.LoginLocked(9), "even the right password waits"
    assert attempt(db, WRONG, 11) == staff.LoginLocked(1), "an attempt does not lengthen it"
    assert attempt(db, WRONG, 12) is None  # the fourth: 20 s
    assert attempt(db, PASSWORD, 31) == staff.LoginLocked(1)
    assert attempt(db, WRONG, 32) is None  # the fifth: 40 s, capped at 25
    assert attempt(db, PASSWORD, 56) == staff.LoginLocked(1)
    assert attempt(db, WRONG, 57) is None  # the sixth: still 25
    assert attempt(db, PASSWORD, 81) == staff.LoginLocked(1)
    locks = events(db, "staff.login_locked")
    assert [d.rsplit(" ", 2)[-2] for d in locks] == ["10", "20", "25", "25"]


def test_a_success_forgets_the_failures(db: Database) -> None:
    for second in range(3):
        attempt(db, WRONG, second)
    assert isinstance(attempt(db, PASSWORD, 5), staff.LoginLocked)
    assert isinstance(attempt(db, PASSWORD, 12), staff.StaffLogin)
    assert [attempt(db, WRONG, 13), attempt(db, WRONG, 14)] == [None, None]
    assert isinstance(attempt(db, PASSWORD, 15), staff.StaffLogin), "two failures: no lock"


def test_failures_long_ago_are_forgotten(db: Database) -> None:
    attempt(db, WRONG, 0)
    attempt(db, WRONG, 1)
    day = POLICY.forget_s
    assert attempt(db, WRONG, day + 2) is None
    assert isinstance(attempt(db, PASSWORD, day + 3), staff.StaffLogin), "one failure in a row"


def test_an_unknown_username_locks_alike(db: Database) -> None:
    for second in range(3):
        assert attempt(db, WRONG, second, username="tidak-ada") is None
    assert attempt(db, WRONG, 3, username="tidak-ada") == staff.LoginLocked(9)
    assert isinstance(attempt(db, PASSWORD, 4), staff.StaffLogin), "other accounts go on"


def login(url: str, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/staff/login",
        json={"username": username, "password": password},
        timeout=10,
    )


def test_the_lock_holds_across_server_processes(
    central_server: RunningCentral, operator: Database
) -> None:
    username = f"lockout-{central_server.port}"
    with operator.begin() as conn:
        staff.add_staff(conn, username, PASSWORD, role=staff.Role.STAFF, office_id=None, actor="t")
    assert login(central_server.url, username, PASSWORD).status_code == 200
    lockout_args = ("--login-lockout-after", "4", "--login-lockout-base", "600")
    first = start_central(
        seed_demo=False, db_url=central_server.db_url, extra_args=(*TEST_SERVER_ARGS, *lockout_args)
    )
    with (
        first,
        start_central(
            seed_demo=False,
            db_url=central_server.db_url,
            extra_args=(*TEST_SERVER_ARGS, *lockout_args),
        ) as second,
    ):
        urls = [first.url, second.url, first.url, second.url]
        assert [login(url, username, WRONG).status_code for url in urls] == [401] * 4
        for url in (first.url, second.url):
            locked = login(url, username, PASSWORD)
            assert locked.status_code == 429, locked.text
            assert locked.json()["error"] == "login_locked"
            assert 1 <= int(locked.headers["Retry-After"]) <= 600
    assert any(username in line for line in events_subjects(operator, "staff.login_locked"))


def events_subjects(db: Database, action: str) -> list[str]:
    with db.read() as conn:
        return list(
            conn.execute(select(audit_log.c.subject).where(audit_log.c.action == action)).scalars()
        )
