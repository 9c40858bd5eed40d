"""A database that stays busy (or is away) answers 503 with Retry-After, never a bare 500.

The lock is really held: a second connection of the test holds SQLite's write lock
(``BEGIN IMMEDIATE``) on the centre's file, or on PostgreSQL an ``EXCLUSIVE`` lock on
every table (writes wait, reads go on: as SQLite's), while the centre's request waits
past its wait (``--sqlite-busy-timeout``; on PostgreSQL the database's ``lock_timeout``,
which the operator sets: the centre sets none). The API answers its JSON error body
with ``database_unavailable``, a page answers in Bahasa Indonesia, and a database error
that is not an outage (a table gone) stays a 500.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from central.app import mark_no_shows_every, open_database
from central.database import Database
from central.outage import outage_of
from central.process import RunningCentral, fresh_database
from central.settings import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME, CentralSettings
from contract.wire import ErrorCode
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from testkit.busy_database import impatient_centre, write_lock_held
from testkit.centres import BACKENDS
from testkit.waits import run_with_deadline, wait_until

pytestmark = pytest.mark.timeout(120)

SERVICE = "puskesmas-umum"
#: The centre's wait for a lock in this module: short, so the tests are quick.
WAIT_S = 0.3


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    """A centre of this module's own that gives up on a lock after :data:`WAIT_S`, its
    WS RS on (BPJS itself is never called: port 9, closed)."""
    integrations = tmp_path_factory.mktemp("busy-wsrs") / "integrations.toml"
    integrations.write_text(
        "[bpjs]\n"
        'antrean_url = "http://127.0.0.1:9/antreanrs"\n'
        'cons_id = "12345"\n'
        'secret_key = "rahasia-rs"\n'
        'user_key = "kunci-pengguna"\n'
        'ws_rs_username = "bpjs-mjkn"\n'
        'ws_rs_password = "rahasia-uji-ws-rs-0001"\n',
        encoding="utf-8",
    )
    integrations.chmod(0o600)
    yield from impatient_centre(
        request, tmp_path_factory, WAIT_S, "--integrations", str(integrations)
    )


@pytest.fixture
def kiosk(centre: RunningCentral) -> Iterator[CentralClient]:
    with CentralClient(centre.url) as client:
        token = client.enrol("DEMO-PKU-MPP-0001", name="busy").token
    with CentralClient(centre.url, token=token) as client:
        yield client


def test_a_busy_database_answers_the_kiosk_503_and_the_request_did_nothing(
    centre: RunningCentral, kiosk: CentralClient
) -> None:
    ticket_id = str(uuid.uuid4())
    assert kiosk.token is not None
    headers = {"Authorization": f"Bearer {kiosk.token}"}
    body = {"ticket_id": ticket_id, "service_id": SERVICE}
    with write_lock_held(centre.db_url):
        answer = requests.post(
            f"{centre.url}/api/v1/tickets/allocate", json=body, headers=headers, timeout=30
        )
        with pytest.raises(CentralUnavailable) as through_client:
            kiosk.allocate_ticket(str(uuid.uuid4()), SERVICE, deadline_s=30)
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == ErrorCode.DATABASE_UNAVAILABLE == "database_unavailable"
    assert "sibuk" in answer.json()["detail"] and "busy" in answer.json()["detail"]
    assert int(answer.headers["Retry-After"]) >= 1
    # what the kiosk reads of it: unavailable, with the code and the wait
    refused = through_client.value
    assert (refused.status, refused.code) == (503, "database_unavailable")
    assert refused.retry_after_s is not None and refused.retry_after_s >= 1
    # a line for staff: the route's template and the driver's code, not the ticket id
    line = "POST /api/v1/tickets/allocate answered 503"
    wait_until(lambda: line in centre.output_tail(), 10, "the centre's warning")
    logged = [x for x in centre.output_tail().splitlines() if line in x]
    busy_code = "SQLITE_BUSY" if centre.db_url.startswith("sqlite") else "55P03"
    assert f"the database is busy ({busy_code})" in logged[0], logged
    assert ticket_id not in centre.output_tail()
    # the lock gone, the same request numbers the ticket: the 503 took nothing
    again = requests.post(
        f"{centre.url}/api/v1/tickets/allocate", json=body, headers=headers, timeout=30
    )
    assert again.status_code == 201, again.text


def _log_in(centre: RunningCentral, http: requests.Session) -> requests.Response:
    """The demo staff member's login, through the form as a browser sends it."""
    form = re.search(
        r'name="csrf" value="([^"]+)"', http.get(f"{centre.url}/login", timeout=10).text
    )
    assert form is not None
    return http.post(
        f"{centre.url}/login",
        data={
            "username": DEMO_STAFF_USERNAME,
            "password": DEMO_STAFF_PASSWORD,
            "csrf": form.group(1),
            "next": "/",
        },
        timeout=30,
    )


def test_a_busy_database_answers_a_page_in_indonesian(centre: RunningCentral) -> None:
    http = requests.Session()
    with write_lock_held(centre.db_url):
        page = _log_in(centre, http)
    assert page.status_code == 503, page.text[:300]
    assert page.headers["content-type"].startswith("text/html")
    assert int(page.headers["Retry-After"]) >= 1
    assert "Server pusat sedang sibuk" in page.text
    assert "Traceback" not in page.text and "Internal Server Error" not in page.text


def test_logging_out_while_the_database_is_busy_still_ends_the_browsers_session(
    centre: RunningCentral,
) -> None:
    """Staff leaving a shared counter PC are logged out of it even when the session's row
    cannot be written now: the cookie goes, the row lapses with its time to live."""
    http = requests.Session()
    page = _log_in(centre, http)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert page.status_code == 200 and token is not None and "anjungan_staff" in http.cookies
    with write_lock_held(centre.db_url):
        out = http.post(
            f"{centre.url}/logout",
            data={"csrf": token.group(1)},
            allow_redirects=False,
            timeout=30,
        )
    assert out.status_code == 303 and out.headers["location"] == "/login", out.text[:300]
    assert "anjungan_staff" not in http.cookies
    after = http.get(f"{centre.url}/dashboard", allow_redirects=False, timeout=10)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    wait_until(lambda: "the session's cookie removed" in centre.output_tail(), 10, "the warning")


def test_a_busy_database_answers_bpjs_in_its_own_envelope(centre: RunningCentral) -> None:
    """A refused WS RS credential is audited (a write): with the lock held, BPJS gets
    503 in its envelope, never the API's error body nor a bare 500."""
    with write_lock_held(centre.db_url):
        answer = requests.get(
            f"{centre.url}/api/v1/wsrs/token",
            headers={"x-username": "bpjs-mjkn", "x-password": "not-the-password"},
            timeout=30,
        )
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["Retry-After"]) >= 1
    metadata = answer.json()["metadata"]
    assert metadata["code"] == 201 and "sibuk" in metadata["message"]


def test_a_ws_rs_refusal_not_audited_while_the_database_is_busy_is_told_to_staff(
    centre: RunningCentral,
) -> None:
    """Mobile JKN's refused call still gets BPJS's answer when its audit row cannot be
    written; staff read that it was not audited (the row was dropped without a word)."""
    wsrs = f"{centre.url}/api/v1/wsrs"
    user = "bpjs-mjkn"
    token = requests.get(
        f"{wsrs}/token",
        headers={"x-username": user, "x-password": "rahasia-uji-ws-rs-0001"},
        timeout=10,
    ).json()["response"]["token"]
    with write_lock_held(centre.db_url):
        refused = requests.post(  # a body missing most of its fields: refused, unread
            f"{wsrs}/antrean",
            json={"kodepoli": "INT"},
            headers={"x-token": token, "x-username": user},
            timeout=30,
        )
    assert refused.status_code == 200 and refused.json()["metadata"]["code"] == 201
    wait_until(
        lambda: (
            "its refusal was answered but not audited (the database is busy" in centre.output_tail()
        ),
        10,
        "the warning",
    )


def test_a_database_error_that_is_no_outage_stays_a_500(
    centre: RunningCentral, kiosk: CentralClient
) -> None:
    """The code's own fault: a 500 in the one error body (a page on the office's pages),
    its traceback in the log for staff, and nothing of the fault's own text (the SQL,
    the table) for the caller; it was a bare plain-text "Internal Server Error"."""
    assert kiosk.token is not None
    headers = {"Authorization": f"Bearer {kiosk.token}"}
    operator = Database(centre.db_url)
    try:
        with operator.begin() as conn:
            conn.execute(text("ALTER TABLE wards RENAME TO wards_gone"))
            conn.execute(text("ALTER TABLE tickets RENAME TO tickets_gone"))
        try:
            answer = requests.get(f"{centre.url}/api/v1/health-info", headers=headers, timeout=30)
            page = requests.get(f"{centre.url}/t/{uuid.uuid4()}", timeout=30)
        finally:
            with operator.begin() as conn:
                conn.execute(text("ALTER TABLE wards_gone RENAME TO wards"))
                conn.execute(text("ALTER TABLE tickets_gone RENAME TO tickets"))
    finally:
        operator.dispose()
    assert answer.status_code == 500
    assert "Retry-After" not in answer.headers
    assert answer.json()["error"] == "internal_server_error", answer.text
    assert "Terjadi gangguan" in answer.json()["detail"]
    assert "wards" not in answer.text and "SELECT" not in answer.text
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Terjadi gangguan di server" in page.text and "tickets" not in page.text
    wait_until(lambda: "Traceback" in centre.output_tail(), 10, "the fault's traceback")
    fine = requests.get(f"{centre.url}/api/v1/health-info", headers=headers, timeout=30)
    assert fine.status_code == 200, fine.text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_database_that_cannot_be_reached_is_an_outage(tmp_path: Path) -> None:
    """The drivers' own errors for a database away (no server listening; a file that
    cannot be opened) are outages; what they say of a bad statement is not."""
    away = Database(f"postgresql+psycopg://anjungan@127.0.0.1:{_closed_port()}/anjungan")
    try:
        with pytest.raises(OperationalError) as refused, away.read():
            pass
    finally:
        away.dispose()
    assert isinstance(refused.value.orig, psycopg.OperationalError)
    outage = outage_of(refused.value)
    assert outage is not None and (outage.reason, outage.code) == ("away", "connection")
    gone = tmp_path / "gone"
    gone.mkdir()
    sqlite = Database(f"sqlite:///{gone / 'central.db'}")
    try:
        gone.rmdir()  # the folder of the file is gone: SQLite cannot open it
        with pytest.raises(OperationalError) as cannot_open, sqlite.read():
            pass
        gone.mkdir()
        with pytest.raises(OperationalError) as no_table, sqlite.read() as conn:
            conn.execute(text("SELECT * FROM no_such_table"))
    finally:
        sqlite.dispose()
    outage = outage_of(cannot_open.value)
    assert outage is not None and (outage.reason, outage.code) == ("away", "SQLITE_CANTOPEN")
    assert outage_of(no_table.value) is None


def test_a_wait_under_a_tenth_of_a_second_is_refused() -> None:
    """SQLite counts its wait in whole milliseconds: 0.0001 s was no wait at all, and a
    wait of a few ms answered 503 to writes merely queued behind another's."""
    with pytest.raises(ValueError, match=r"at least 0\.1 s"):
        CentralSettings(sqlite_busy_timeout_s=0.0001)
    assert CentralSettings(sqlite_busy_timeout_s=0.1).sqlite_busy_timeout_s == 0.1


def test_a_server_process_opens_its_database_with_the_settings_wait(tmp_path: Path) -> None:
    """One way to open it, for a single process and for the supervisor of several (which
    migrates before its workers start: it waited the default 10 s whatever was set)."""
    settings = CentralSettings(db_url=f"sqlite:///{tmp_path / 'c.db'}", sqlite_busy_timeout_s=0.25)
    database = open_database(settings)
    try:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 250
    finally:
        database.engine.dispose()


def test_marking_no_shows_while_the_database_is_busy_is_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each server process marks no-shows every minute: a database busy for many ticks is
    one warning, then one when it answers (a traceback a tick, for as long as it lasted)."""
    url = fresh_database(tmp_path)
    db = Database(url, busy_timeout_s=0.05)
    assert db.writes is not None
    tries: list[int] = []
    db.writes.watch(lambda waiting: tries.append(waiting) if waiting else None)
    caplog.set_level(logging.WARNING, logger="central.app")

    async def ticks(n: int) -> None:
        target = len(tries) + n
        while len(tries) < target:
            await asyncio.sleep(0.01)

    async def answered_again() -> None:
        while "goes on" not in caplog.text:
            await ticks(1)

    async def scenario() -> None:
        tick = asyncio.create_task(mark_no_shows_every(db, every_s=0.01))
        try:
            with write_lock_held(url):
                await asyncio.wait_for(ticks(5), 30)
            await asyncio.wait_for(answered_again(), 30)
        finally:
            tick.cancel()

    try:
        run_with_deadline(lambda: asyncio.run(scenario()), 120, "the no-show marker")
    finally:
        db.dispose()
    said = [r for r in caplog.records if r.name == "central.app"]
    assert [r.getMessage() for r in said] == [
        "marking no-shows waits: the database is busy (SQLITE_BUSY); trying again every 0.01 s",
        "marking no-shows goes on: the database answers again",
    ]
    assert all(r.exc_info is None for r in said)
