"""What an operator does, done directly on the server's database (as the CLI does)."""

from __future__ import annotations

import functools
import uuid

import requests
from sqlalchemy import insert

from central.access import kiosks, staff
from central.access.credentials import hash_password
from central.database import Database
from central.tables import offices, services

DEMO_OFFICE = "pku-mpp"
PASSWORD = "correct horse battery"  # noqa: S105 - a test account


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_code(db: Database, office_id: str = DEMO_OFFICE, ttl_s: int = 3600) -> str:
    with db.begin() as conn:
        code, _ = kiosks.create_enrolment_code(conn, office_id, ttl_s=ttl_s, actor="test")
    return code


def enrol(url: str, code: str) -> requests.Response:
    return requests.post(f"{url}/api/v1/enrol", json={"code": code, "name": "test"}, timeout=5)


def new_kiosk(db: Database, url: str) -> tuple[str, str]:
    """A kiosk enrolled with a fresh code: (kiosk id, token)."""
    response = enrol(url, new_code(db))
    assert response.status_code == 201, response.text
    body = response.json()
    return body["kiosk_id"], body["token"]


_counter = iter(range(1_000_000))


def new_staff_account(
    db: Database, role: staff.Role = staff.Role.ADMIN, office_id: str | None = None
) -> str:
    """A staff account of ``role`` (limited to ``office_id``, if given) with :data:`PASSWORD`."""
    username = f"petugas-{role.value}-{next(_counter)}"
    with db.begin() as conn:
        staff.add_hashed_staff(
            conn, username, _password_hash(), role=role, office_id=office_id, actor="test"
        )
    return username


#: The scrypt cost of the test accounts' hash (N = 2^10: about 1 ms, against the 60 ms of
#: the centre's own N = 2^15). The centre checks a login at the cost its stored hash
#: names, so each of the suite's hundreds of logins costs a millisecond of its CPU;
#: the accounts the centre makes itself (the API, the CLI, the demo's) keep its cost.
TEST_ACCOUNT_LOG_N = 10


@functools.cache
def _password_hash() -> str:
    """:data:`PASSWORD`'s hash, made once per process: every test account has the same
    password."""
    return hash_password(PASSWORD, log_n=TEST_ACCOUNT_LOG_N)


def new_staff(
    db: Database, url: str, role: staff.Role = staff.Role.ADMIN, office_id: str | None = None
) -> str:
    """A staff account of ``role`` (limited to ``office_id``, if given), logged in: its token."""
    username = new_staff_account(db, role, office_id)
    response = requests.post(
        f"{url}/api/v1/staff/login", json={"username": username, "password": PASSWORD}, timeout=5
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def kiosk_and_staff(url: str, db_url: str) -> tuple[str, str]:
    """A new kiosk of the centre at ``url`` (its database ``db_url``) and a new staff
    account of the demo office: their tokens, the kiosk's first."""
    db = Database(db_url)
    try:
        _, kiosk = new_kiosk(db, url)
        token = new_staff(db, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    finally:
        db.dispose()
    return kiosk, token


def new_office(db: Database, name: str = "RSUD Arifin Achmad (test)") -> str:
    """An extra office (not in the catalog), for tests of staff limited to one office."""
    office_id = f"test-office-{next(_counter)}"
    with db.begin() as conn:
        conn.execute(insert(offices).values(id=office_id, name=name, city="Pekanbaru", active=True))
    return office_id


def fresh_queue(db: Database) -> tuple[str, str]:
    """A new service of the demo office, a queue nobody has taken a number of today: its
    id and its ticket prefix."""
    tag = uuid.uuid4().hex[:6]
    service_id, prefix = f"test-{tag}", f"T{tag[:4].upper()}"
    with db.begin() as conn:
        conn.execute(
            insert(services).values(
                id=service_id,
                office_id=DEMO_OFFICE,
                category="test",
                name="Layanan uji",
                ticket_prefix=prefix,
                counter="1",
                active=True,
            )
        )
    return service_id, prefix


def office_of_one_service(url: str, operator: Database, counter: str) -> tuple[str, str, str, str]:
    """A new office whose one service is at ``counter``: (office, service, its kiosk's token,
    a clerk's token)."""
    office = new_office(operator)
    service = f"{office}-svc"
    with operator.begin() as conn:
        conn.execute(
            insert(services).values(
                id=service,
                office_id=office,
                category="layanan",
                name="Layanan uji",
                ticket_prefix="H",
                counter=counter,
                active=True,
            )
        )
    enrolled = enrol(url, new_code(operator, office_id=office))
    assert enrolled.status_code == 201, enrolled.text
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=office)
    return office, service, enrolled.json()["token"], clerk
