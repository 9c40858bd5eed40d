"""Writes waiting for SQLite's lock queue in the process, without a connection: readers
always find one, and a write waits for its turn and the lock no longer than the busy
timeout (central/write_queue.py). PostgreSQL's writes do not queue.

The lock is really held by another connection (testkit/busy_database.py), as a long
transaction of another process holds it. A write waiting for it used to hold one of the
pool's 15 connections (SQLAlchemy's 5 for a SQLite file, 10 more on a burst): 15 waiting
writes left the board, the dashboard, the queue figures and the logins none, until the
pool's own 30 s were over and they were answered 503. A write waiting for its turn
still held one of the 40 threads the routes ran on: 40 such writes left the readers no
thread, though a connection was free for them, until the busy timeout.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from central.database import Database
from central.errors import NestedWrite, WriteQueueFull, WriteQueueTimeout
from central.outage import outage_of
from central.process import RunningCentral, fresh_database
from central.settings import (
    DEMO_BOARD_TOKEN,
    DEMO_OFFICE_ID,
    DEMO_STAFF_PASSWORD,
    DEMO_STAFF_USERNAME,
    SQLITE_ROUTE_THREADS_MIN,
    CentralSettings,
)
from central.write_queue import BURST_WRITES, most_waiting_for
from kiosk.client.client import CentralClient
from testkit.busy_database import write_lock_held
from testkit.centres import BACKENDS, migrated_database, serve
from testkit.waits import wait_for, wait_until

pytestmark = pytest.mark.timeout(240)

SERVICE = "puskesmas-umum"
#: The centre's wait for SQLite's lock: far longer than any test here, so the writes it
#: holds are still waiting when the readers ask (nothing here waits for it to pass).
LONG_WAIT_S = 600
#: More writes at once than SQLAlchemy's pool for a SQLite file holds (5 + 10 on a burst).
WRITERS = 20
#: More writes at once than the 40 threads anyio gives the routes unless told, and more
#: than a cap under them let wait: a burst of kiosks numbering, or counters calling.
FLOOD = 60
#: The most writes a centre of the default settings lets wait at once.
MOST_WAITING = most_waiting_for(CentralSettings().sqlite_route_threads)
#: Longer than the pool's own wait (30 s): a starved reader is answered 503 "pool" by
#: the centre instead of timing out here.
READ_TIMEOUT_S = 90
#: The writers are answered once the lock is let go: all the test's time, and more.
WRITE_TIMEOUT_S = 200


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    """A demo centre on SQLite of this module's own whose writes wait long for the lock."""
    url = fresh_database(tmp_path_factory.mktemp("write-queue"))
    yield from serve(url, "--sqlite-busy-timeout", str(LONG_WAIT_S))


@pytest.fixture(scope="module")
def kiosk_token(centre: RunningCentral) -> str:
    with CentralClient(centre.url) as client:
        token = client.enrol("DEMO-PKU-MPP-0001", name="queued").token
    assert token is not None
    return token


def _figure(centre: RunningCentral, name: str) -> int:
    """The figure ``name`` of the centre's ``/metrics``."""
    scraped = requests.get(f"{centre.url}/metrics", timeout=READ_TIMEOUT_S)
    assert scraped.status_code == 200, scraped.text[:300]
    found = re.search(rf"^{name} ([0-9.]+)$", scraped.text, re.M)
    assert found is not None, f"no {name} in /metrics"
    return int(float(found.group(1)))


def _writes_waiting(centre: RunningCentral) -> int:
    """What the centre's ``/metrics`` says of its writes waiting for their turn or the lock."""
    return _figure(centre, "anjungan_database_writes_waiting")


def _readers_answered(centre: RunningCentral, kiosk_token: str) -> None:
    """A board's page, a kiosk's queue figures, the login page and ``/ready`` are answered."""
    board = requests.get(f"{centre.url}/board/{DEMO_BOARD_TOKEN}", timeout=READ_TIMEOUT_S)
    assert board.status_code == 200, board.text[:300]
    assert "Papan antrean" in board.text
    figures = requests.get(
        f"{centre.url}/api/v1/queue",
        headers={"Authorization": f"Bearer {kiosk_token}"},
        timeout=READ_TIMEOUT_S,
    )
    assert figures.status_code == 200, figures.text[:300]
    assert any(q["service_id"] == SERVICE for q in figures.json()["services"]), figures.text
    login = requests.get(f"{centre.url}/login", timeout=READ_TIMEOUT_S)
    assert login.status_code == 200, login.text[:300]
    assert 'name="csrf"' in login.text
    ready = requests.get(f"{centre.url}/ready", timeout=READ_TIMEOUT_S)
    assert (ready.status_code, ready.json()) == (200, {"ready": True})


def _allocate(centre: RunningCentral, token: str) -> requests.Response:
    return requests.post(
        f"{centre.url}/api/v1/tickets/allocate",
        json={"ticket_id": str(uuid.uuid4()), "service_id": SERVICE},
        headers={"Authorization": f"Bearer {token}"},
        timeout=WRITE_TIMEOUT_S,
    )


def test_readers_are_answered_while_more_writes_wait_for_the_lock_than_the_pool_holds(
    centre: RunningCentral, kiosk_token: str
) -> None:
    headers = {"Authorization": f"Bearer {kiosk_token}"}
    assert _writes_waiting(centre) == 0
    with (
        concurrent.futures.ThreadPoolExecutor(WRITERS) as writers,
        write_lock_held(centre.db_url),
    ):
        writes = [writers.submit(_allocate, centre, kiosk_token) for _ in range(WRITERS)]
        # Every write is in the centre and waits: for its turn, or for the lock.
        wait_until(lambda: _writes_waiting(centre) == WRITERS, 60, "every write waiting")
        board = requests.get(f"{centre.url}/board/{DEMO_BOARD_TOKEN}", timeout=READ_TIMEOUT_S)
        figures = requests.get(
            f"{centre.url}/api/v1/queue", headers=headers, timeout=READ_TIMEOUT_S
        )
        ready = requests.get(f"{centre.url}/ready", timeout=READ_TIMEOUT_S)
        # ... and still wait now the readers have had their answers.
        still_waiting = _writes_waiting(centre)
        answered_early = [w.result() for w in writes if w.done()]
    assert board.status_code == 200, board.text[:300]
    assert "Papan antrean" in board.text
    assert figures.status_code == 200, figures.text[:300]
    assert any(q["service_id"] == SERVICE for q in figures.json()["services"]), figures.text
    assert (ready.status_code, ready.json()) == (200, {"ready": True})
    assert still_waiting == WRITERS
    assert answered_early == []
    # The lock let go, every queued write is done, one after the other: none was lost.
    numbers = [w.result() for w in writes]
    assert [n.status_code for n in numbers] == [201] * WRITERS, [n.text for n in numbers]
    assert len({n.json()["display"] for n in numbers}) == WRITERS
    assert _writes_waiting(centre) == 0


def test_readers_are_answered_while_more_writes_wait_than_the_web_stacks_40_threads(
    centre: RunningCentral, kiosk_token: str
) -> None:
    """Each write waiting for its turn holds a thread the routes run on: 40 of them took
    all anyio's threads, and a board, a kiosk's figures, the login page waited with them
    until the busy timeout, though a connection was free. The server now answers on more
    threads than writes may wait; a burst of this size waits, none refused, and each write
    is numbered once the lock is let go."""
    refused_before = _figure(centre, "anjungan_database_writes_refused_total")
    with (
        concurrent.futures.ThreadPoolExecutor(FLOOD) as writers,
        write_lock_held(centre.db_url),
    ):
        writes = [writers.submit(_allocate, centre, kiosk_token) for _ in range(FLOOD)]
        wait_until(lambda: _writes_waiting(centre) == FLOOD, 60, "every write waiting")
        _readers_answered(centre, kiosk_token)
        # ... answered while every write still waits for the lock.
        still_waiting = _writes_waiting(centre)
        answered_early = [w.result() for w in writes if w.done()]
    assert still_waiting == FLOOD
    assert answered_early == []
    numbers = [w.result() for w in writes]
    assert [n.status_code for n in numbers] == [201] * FLOOD, [n.text for n in numbers]
    assert len({n.json()["display"] for n in numbers}) == FLOOD
    assert _writes_waiting(centre) == 0
    assert _figure(centre, "anjungan_database_writes_refused_total") == refused_before


def test_a_write_past_the_most_that_may_wait_is_refused_at_once_and_readers_keep_threads(
    centre: RunningCentral, kiosk_token: str
) -> None:
    """As many writes waiting as the process lets wait (its route threads less the
    readers'): one more is answered ``503 database_unavailable`` at once, with a line in
    the log and a count in ``/metrics``, instead of taking the threads the readers need."""
    refused_before = _figure(centre, "anjungan_database_writes_refused_total")
    extra = 3
    with (
        concurrent.futures.ThreadPoolExecutor(MOST_WAITING) as writers,
        write_lock_held(centre.db_url),
    ):
        writes = [writers.submit(_allocate, centre, kiosk_token) for _ in range(MOST_WAITING)]
        wait_until(lambda: _writes_waiting(centre) == MOST_WAITING, 120, "the most writes waiting")
        past = [_allocate(centre, kiosk_token) for _ in range(extra)]
        _readers_answered(centre, kiosk_token)
        still_waiting = _writes_waiting(centre)
        answered_early = [w.result() for w in writes if w.done()]
    for answer in past:
        assert answer.status_code == 503, answer.text[:300]
        assert answer.json()["error"] == "database_unavailable"
        assert answer.headers["Retry-After"] == "2"
    assert still_waiting == MOST_WAITING
    assert answered_early == []
    line = "the database is busy (write queue full): POST /api/v1/tickets/allocate answered 503"
    wait_until(lambda: line in centre.output_tail(), 10, "the refusal's line in the log")
    assert _figure(centre, "anjungan_database_writes_refused_total") == refused_before + extra
    # The writes that waited are numbered once the lock is let go; none lost.
    numbers = [w.result() for w in writes]
    assert [n.status_code for n in numbers] == [201] * MOST_WAITING, [
        n.text for n in numbers if n.status_code != 201
    ][:3]
    assert len({n.json()["display"] for n in numbers}) == MOST_WAITING
    assert _writes_waiting(centre) == 0


@pytest.fixture
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    """A demo centre of two worker processes on SQLite whose writes wait long for the lock."""
    url = fresh_database(tmp_path_factory.mktemp("write-queue-workers"))
    yield from serve(url, "--sqlite-busy-timeout", str(LONG_WAIT_S), "--workers", "2")


def test_every_worker_process_answers_on_more_threads_than_writes_wait(
    two_workers: RunningCentral,
) -> None:
    """``--workers 2``: each worker sets its own threads (the limiter is its event
    loop's). More writes than two workers of 40 threads can hold all wait, and readers
    are answered by whichever worker their connection reaches."""
    centre = two_workers
    writes_count = 120  # at least 60 on one worker; on each, if shared near evenly
    with CentralClient(centre.url) as client:
        token = client.enrol("DEMO-PKU-MPP-0001", name="workers").token
    assert token is not None
    with (
        concurrent.futures.ThreadPoolExecutor(writes_count) as writers,
        write_lock_held(centre.db_url),
    ):
        writes = [writers.submit(_allocate, centre, token) for _ in range(writes_count)]
        wait_until(lambda: _writes_waiting(centre) == writes_count, 120, "every write waiting")
        for _ in range(4):  # new connections each: both workers, as the kernel hands them
            _readers_answered(centre, token)
        answered_early = [w.result() for w in writes if w.done()]
    assert answered_early == []
    numbers = [w.result() for w in writes]
    assert [n.status_code for n in numbers] == [201] * writes_count
    assert len({n.json()["display"] for n in numbers}) == writes_count


def test_writes_take_their_turns_in_the_order_they_asked(tmp_path: Path) -> None:
    """First come, first served: a write that asks while others wait goes behind them.
    The turn was a plain lock, which a write asking just as it was let go took before
    the writes that had waited (a writer that keeps coming back overtook them again and
    again, one of them until its busy timeout)."""
    db = Database(f"sqlite:///{tmp_path / 'c.db'}", busy_timeout_s=120)
    assert db.writes is not None
    writers, each = 6, 40
    try:
        with db.begin() as conn:
            conn.execute(text("CREATE TABLE turns (n INTEGER PRIMARY KEY, writer TEXT)"))
        asked: list[str] = []
        counted = [0]

        def seen(waiting: int) -> None:
            # Told on the asking write's thread, as it takes its place in the line.
            if waiting > counted[0]:
                asked.append(threading.current_thread().name)
            counted[0] = waiting

        db.writes.watch(seen)

        def write_again_and_again() -> None:
            for _ in range(each):
                with db.begin() as conn:
                    conn.execute(
                        text("INSERT INTO turns (writer) VALUES (:w)"),
                        {"w": threading.current_thread().name},
                    )

        threads = [
            threading.Thread(target=write_again_and_again, name=f"writer {i}")
            for i in range(writers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not any(thread.is_alive() for thread in threads)
        with db.read() as conn:
            turns = list(conn.execute(text("SELECT writer FROM turns ORDER BY n")).scalars())
        assert len(turns) == writers * each
        assert turns == asked
    finally:
        db.dispose()


def test_a_write_whose_turn_came_takes_no_connection_the_readers_hold(tmp_path: Path) -> None:
    """Readers holding every connection of the pool (5, 10 more on a burst) left the write
    whose turn it was waiting for one, the pool's own 30 s, outside the busy timeout, and
    every write of the process behind it. The turn's write has its own connection."""
    db = Database(f"sqlite:///{tmp_path / 'c.db'}", busy_timeout_s=5)
    try:
        with db.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with contextlib.ExitStack() as readers:
            for _ in range(15):
                readers.enter_context(db.read())
            with db.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (1)"))
        with db.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
    finally:
        db.dispose()


def test_a_write_past_the_most_that_may_wait_is_refused_before_it_waits(
    tmp_path: Path,
) -> None:
    """In the process: refused at once (``WriteQueueFull``, the outage ``write queue
    full``), counted, and the writes already waiting keep their places."""
    db = Database(f"sqlite:///{tmp_path / 'c.db'}", busy_timeout_s=60)
    assert db.writes is not None
    db.writes.most_waiting = 2
    refusals: list[None] = []
    db.writes.watch_refusals(lambda: refusals.append(None))
    inside, leave = threading.Event(), threading.Event()
    done: list[str] = []

    def first_write() -> None:
        with db.begin():
            inside.set()
            leave.wait(30)
        done.append("first")

    def queued_write() -> None:
        with db.begin():
            done.append(threading.current_thread().name)

    holder = threading.Thread(target=first_write, name="first write")
    holder.start()
    wait_for(inside, "the first write under way")
    queued = [threading.Thread(target=queued_write, name=f"queued {i}") for i in range(2)]
    try:
        queued[0].start()
        wait_until(lambda: db.writes_waiting == 1, 10, "the first write in line")
        queued[1].start()
        wait_until(lambda: db.writes_waiting == 2, 10, "the second write in line")
        with pytest.raises(WriteQueueFull) as refused, db.begin():
            pass
        outage = outage_of(refused.value)
        assert outage is not None and (outage.reason, outage.code) == ("busy", "write queue full")
        assert refusals == [None]
        assert db.writes_waiting == 2
    finally:
        leave.set()
        holder.join(30)
        for thread in queued:
            thread.join(30)
    try:
        assert done == ["first", "queued 0", "queued 1"]
        assert db.writes_waiting == 0
    finally:
        db.dispose()


def test_route_threads_that_would_refuse_a_burst_or_cost_too_much_are_refused() -> None:
    """Fewer than 120 threads let fewer than a hundred writes wait: a burst of a hundred
    kiosks numbering would be refused in part. More than 1000 is no centre's need."""
    for threads in (40, 80, SQLITE_ROUTE_THREADS_MIN - 1, 1001):
        with pytest.raises(ValueError, match=f"between {SQLITE_ROUTE_THREADS_MIN} and 1000"):
            CentralSettings(sqlite_route_threads=threads)
    fewest = CentralSettings(sqlite_route_threads=SQLITE_ROUTE_THREADS_MIN)
    assert most_waiting_for(fewest.sqlite_route_threads) == BURST_WRITES


@pytest.fixture
def fewest_threads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    """A demo centre on SQLite answering on the fewest route threads it accepts."""
    url = fresh_database(tmp_path_factory.mktemp("write-queue-fewest"))
    threads = str(SQLITE_ROUTE_THREADS_MIN)
    yield from serve(
        url, "--sqlite-busy-timeout", str(LONG_WAIT_S), "--sqlite-route-threads", threads
    )


def test_a_burst_of_a_hundred_kiosks_numbering_passes_on_the_fewest_route_threads(
    fewest_threads: RunningCentral,
) -> None:
    """The fewest threads the centre accepted (80) let 60 writes wait: of a hundred
    kiosks numbering at once while one write held the lock a moment, 40 were answered
    503, though the docs promise such a burst passes. Every one now waits and is
    numbered, and the readers are still answered meanwhile."""
    centre = fewest_threads
    with CentralClient(centre.url) as client:
        token = client.enrol("DEMO-PKU-MPP-0001", name="burst").token
    assert token is not None
    refused_before = _figure(centre, "anjungan_database_writes_refused_total")

    def settled() -> bool:  # every write waiting, or answered already (refused)
        refused = _figure(centre, "anjungan_database_writes_refused_total") - refused_before
        return _writes_waiting(centre) + refused == BURST_WRITES

    with (
        concurrent.futures.ThreadPoolExecutor(BURST_WRITES) as kiosks,
        write_lock_held(centre.db_url),
    ):
        writes = [kiosks.submit(_allocate, centre, token) for _ in range(BURST_WRITES)]
        wait_until(settled, 120, "every write of the burst waiting or answered")
        _readers_answered(centre, token)
    numbers = [w.result() for w in writes]
    assert [n.status_code for n in numbers] == [201] * BURST_WRITES, [
        n.text for n in numbers if n.status_code != 201
    ][:3]
    assert len({n.json()["display"] for n in numbers}) == BURST_WRITES
    assert _figure(centre, "anjungan_database_writes_refused_total") == refused_before


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_process_lets_one_write_in_at_a_time_on_sqlite_only(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """SQLite: a second write of the process waits for its turn, past the busy timeout a
    503 outage (``write queue``), while reads go on. PostgreSQL: writes do not queue."""
    url = migrated_database(request, tmp_path_factory, backend, "turns")
    db = Database(url, busy_timeout_s=0.2)
    inside, leave = threading.Event(), threading.Event()

    def first_write() -> None:
        with db.begin() as conn:
            conn.execute(text("UPDATE offices SET name = name"))
            inside.set()
            leave.wait(30)

    holder = threading.Thread(target=first_write, name="first write")
    holder.start()
    try:
        wait_for(inside, "the first write under way")
        with db.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM offices")).scalar_one() >= 0
        if backend == "sqlite":
            with pytest.raises(WriteQueueTimeout) as refused, db.begin():
                pass
            outage = outage_of(refused.value)
            assert outage is not None and (outage.reason, outage.code) == ("busy", "write queue")
            assert db.writes_waiting == 0  # the refused write waits no more
        else:
            assert db.writes is None
            with db.begin() as conn:  # a second write of the process, alongside the first
                conn.execute(text("SELECT 1"))
    finally:
        leave.set()
        holder.join(30)
        db.dispose()


def test_a_write_that_waited_for_its_turn_waits_for_the_lock_only_what_is_left(
    tmp_path: Path,
) -> None:
    """The turn and SQLite's lock together take at most the busy timeout; the connection
    has the whole timeout again for its next transaction."""
    db = Database(f"sqlite:///{tmp_path / 'c.db'}", busy_timeout_s=5)
    inside, leave = threading.Event(), threading.Event()
    seen: list[int] = []

    def first_write() -> None:
        with db.begin():
            inside.set()
            leave.wait(30)

    def queued_write() -> None:
        with db.begin() as conn:
            seen.append(int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()))

    holder = threading.Thread(target=first_write, name="first write")
    holder.start()
    wait_for(inside, "the first write under way")
    queued = threading.Thread(target=queued_write, name="queued write")
    queued.start()
    try:
        wait_until(lambda: db.writes_waiting == 1, 10, "the second write queued")
    finally:
        leave.set()
        holder.join(30)
        queued.join(30)
    try:
        assert len(seen) == 1 and 0 <= seen[0] < 5000, seen
        with db.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000
        with db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000
    finally:
        db.dispose()


def test_a_write_begun_inside_another_of_the_same_thread_is_refused_at_once(
    tmp_path: Path,
) -> None:
    """It would wait for the write it stands in: every write of the process held behind
    it for the busy timeout, then answered as if the database were busy (503). It is the
    code's fault, told at once; the outer write and the writes after it go on."""
    db = Database(f"sqlite:///{tmp_path / 'c.db'}", busy_timeout_s=2)
    try:
        with db.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with db.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(NestedWrite), db.begin():
                pass
            assert db.writes_waiting == 0
            with db.read() as reading:  # a read inside a write is no such fault
                assert reading.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        with db.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
        with db.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    finally:
        db.dispose()


def test_several_processes_on_one_file_still_meet_at_sqlites_lock(tmp_path: Path) -> None:
    """Each process queues only its own writes: another's write waits for SQLite's lock
    (the busy timeout) and past it is the outage it always was."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    one, other = Database(url, busy_timeout_s=0.2), Database(url, busy_timeout_s=0.2)
    try:
        with one.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with one.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(Exception) as refused, other.begin() as theirs:
                theirs.execute(text("INSERT INTO t VALUES (2)"))
            with other.read() as theirs:  # reads go on
                assert theirs.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        outage = outage_of(refused.value)
        assert outage is not None and (outage.reason, outage.code) == ("busy", "SQLITE_BUSY")
        with other.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
        with one.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    finally:
        one.dispose()
        other.dispose()


def _log_in(centre: RunningCentral, http: requests.Session) -> str:
    """The demo staff member logged in through the form: the page's CSRF token."""
    form = re.search(
        r'name="csrf" value="([^"]+)"', http.get(f"{centre.url}/login", timeout=10).text
    )
    assert form is not None
    page = http.post(
        f"{centre.url}/login",
        data={
            "username": DEMO_STAFF_USERNAME,
            "password": DEMO_STAFF_PASSWORD,
            "csrf": form.group(1),
            "next": "/office/bookings",
        },
        timeout=30,
    )
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert page.status_code == 200 and token is not None, page.text[:300]
    return token.group(1)


def test_saving_an_offices_hours_waits_for_the_lock_off_the_event_loop(
    centre: RunningCentral,
) -> None:
    """The hours form's write waited on the server's event loop: every other request of
    the process, a board's too, stopped until the lock was let go."""
    http = requests.Session()
    csrf = _log_in(centre, http)
    hours = {"csrf": csrf, "office_id": DEMO_OFFICE_ID, "opens_0": "08:00", "closes_0": "15:00"}
    with (
        concurrent.futures.ThreadPoolExecutor(1) as staff,
        write_lock_held(centre.db_url),
    ):
        saved = staff.submit(
            http.post,
            f"{centre.url}/office/bookings/hours",
            data=hours,
            allow_redirects=False,
            timeout=WRITE_TIMEOUT_S,
        )
        wait_until(lambda: _writes_waiting(centre) == 1, 60, "the hours waiting for the lock")
        board = requests.get(f"{centre.url}/board/{DEMO_BOARD_TOKEN}", timeout=READ_TIMEOUT_S)
        still_waiting = not saved.done()
    assert board.status_code == 200, board.text[:300]
    assert still_waiting
    answer = saved.result()
    assert answer.status_code == 303, answer.text[:300]
    assert answer.headers["location"].startswith("/office/bookings?done=hours")
