"""A staff password is checked at the scrypt cost its stored hash names; every account
the centre makes is hashed at the centre's own cost (N = 2^15)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from central.access import staff
from central.access.credentials import hash_password, verify_password
from central.access.lockout import LockoutPolicy
from central.database import Database
from central.tables import staff_users
from testkit.centre_accounts import PASSWORD, TEST_ACCOUNT_LOG_N, new_staff_account


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    database = Database(migrated_db_url)
    try:
        yield database
    finally:
        database.dispose()


def _stored(db: Database, username: str) -> str:
    with db.read() as conn:
        stored: str = conn.execute(
            select(staff_users.c.password_hash).where(staff_users.c.username == username)
        ).scalar_one()
    return stored


@pytest.mark.parametrize("log_n", [TEST_ACCOUNT_LOG_N, 15])
def test_a_password_is_checked_at_the_cost_its_hash_names(log_n: int) -> None:
    stored = hash_password(PASSWORD, log_n=log_n)
    assert stored.startswith(f"scrypt${log_n}$8$1$")
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "x", stored)
    # The same salt and digest under another cost is another hash: refused.
    other = stored.replace(f"scrypt${log_n}$", f"scrypt${log_n + 1}$", 1)
    assert not verify_password(PASSWORD, other)


def test_an_account_the_centre_makes_is_hashed_at_the_centres_own_cost(db: Database) -> None:
    with db.begin() as conn:
        staff.add_staff(conn, "kepala", PASSWORD, role=staff.Role.ADMIN, office_id=None, actor="t")
    assert _stored(db, "kepala").startswith("scrypt$15$8$1$")
    assert hash_password(PASSWORD).startswith("scrypt$15$8$1$")


def test_a_test_account_is_hashed_cheaper_and_logs_in_all_the_same(db: Database) -> None:
    username = new_staff_account(db, staff.Role.STAFF)
    assert _stored(db, username).startswith(f"scrypt${TEST_ACCOUNT_LOG_N}$8$1$")
    with db.begin() as conn:
        logged_in = staff.login(conn, username, PASSWORD, ttl_s=60, policy=LockoutPolicy())
    assert isinstance(logged_in, staff.StaffLogin)
