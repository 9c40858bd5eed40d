"""The integrations' outbox on a real database (SQLite and PostgreSQL): once per key, in
order per key, one claim per row whatever the number of senders, dead rows sent again."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from central.database import Database
from central.integrations import outbox
from central.tables import integration_outbox

NOW = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)
HOLD = dt.timedelta(seconds=40)


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    database = Database(migrated_db_url, pool_size=20)
    try:
        yield database
    finally:
        database.dispose()


def _write(db: Database, key: str, order: str, body: dict[str, object] | None = None) -> bool:
    with db.begin() as conn:
        return outbox.enqueue(
            conn,
            target=outbox.BPJS,
            kind="task",
            dedupe_key=key,
            order_key=order,
            body=body or {"key": key},
            now=NOW,
        )


def _claim(db: Database, worker: str = "w", now: dt.datetime = NOW) -> list[outbox.Item]:
    with db.begin() as conn:
        return outbox.claim(conn, worker, now, hold=HOLD, limit=10)


def test_a_key_is_written_once(db: Database) -> None:
    assert _write(db, "bpjs:task:B1:3", "B1") is True
    assert _write(db, "bpjs:task:B1:3", "B1") is False
    with db.read() as conn:
        keys = conn.execute(select(integration_outbox.c.dedupe_key)).scalars().all()
    assert keys == ["bpjs:task:B1:3"]


def test_a_row_waits_for_every_earlier_row_of_its_order_key(db: Database) -> None:
    _write(db, "bpjs:add:B1", "B1")
    _write(db, "bpjs:task:B1:1", "B1")
    _write(db, "bpjs:task:B2:1", "B2")
    first = _claim(db)
    assert [i.dedupe_key for i in first] == ["bpjs:add:B1", "bpjs:task:B2:1"]
    assert _claim(db) == []  # the claims hold; B1's task waits for its add
    add = first[0]
    with db.begin() as conn:
        assert outbox.mark_retry(conn, add.id, "w", NOW, "503", "down") is True
    # Failed but due again: the add goes before the task, never the task first.
    again = _claim(db, "w2")
    assert [i.dedupe_key for i in again] == ["bpjs:add:B1"]
    with db.begin() as conn:
        assert outbox.mark_sent(conn, again[0].id, "w2", NOW, {"ok": 1}) is True
        assert outbox.result_of(conn, "bpjs:add:B1") == {"ok": 1}
    assert [i.dedupe_key for i in _claim(db, "w3")] == ["bpjs:task:B1:1"]


def test_a_dead_row_holds_its_order_until_sent_again(db: Database) -> None:
    _write(db, "bpjs:task:B1:3", "B1")
    _write(db, "bpjs:task:B1:4", "B1")
    (row,) = _claim(db)
    with db.begin() as conn:
        outbox.mark_dead(conn, row.id, "w", "201", "TaskId=3 tidak valid")
    assert _claim(db, "w2") == []
    with db.read() as conn:
        (seen,) = outbox.failures(conn, None)
    assert (seen.state, seen.last_code, seen.last_error) == ("dead", "201", "TaskId=3 tidak valid")
    with db.begin() as conn:
        assert outbox.send_again(conn, row.id, None, NOW) is True
    assert [i.dedupe_key for i in _claim(db, "w3")] == ["bpjs:task:B1:3"]


def test_a_claim_that_ran_out_is_taken_again_and_attempts_end(db: Database) -> None:
    _write(db, "bpjs:task:B1:3", "B1")
    later = NOW
    for attempt in range(1, 4):
        (row,) = _claim(db, f"w{attempt}", later)
        assert row.attempts == attempt
        later = later + HOLD + dt.timedelta(seconds=1)  # the sender died: its claim runs out
    with db.begin() as conn:
        assert outbox.claim(conn, "w9", later, hold=HOLD, max_attempts=3) == []
        (dead,) = outbox.failures(conn, None)
    assert dead.state == "dead" and dead.attempts == 3


def test_racing_senders_never_claim_one_row_twice(db: Database) -> None:
    for i in range(60):
        _write(db, f"k:{i}", f"order{i % 20}")
    claimed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def sender(worker: str) -> None:
        start.wait()
        while True:
            with db.begin() as conn:
                got = outbox.claim(conn, worker, NOW, hold=HOLD, limit=5)
            if not got:
                with db.read() as conn:
                    if not outbox.count_pending(conn, None) or not outbox.any_due(conn, NOW):
                        return
                continue
            for item in got:
                with lock:  # the list is in the order the rows were marked sent
                    with db.begin() as conn:
                        assert outbox.mark_sent(conn, item.id, worker, NOW)
                    claimed.append(item.dedupe_key)

    threads = [threading.Thread(target=sender, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(f"k:{i}" for i in range(60))
    order = [int(k.split(":")[1]) for k in claimed]
    for key in range(20):  # within one order key, in the order written
        mine = [i for i in order if i % 20 == key]
        assert mine == sorted(mine)


def test_a_services_message_quoting_a_booking_code_shows_it_cut() -> None:
    """BPJS's message about a Mobile JKN visit may quote its kodebooking, the booking's
    nine-digit code, which opens its page: the log line and the staff page show it as
    every line shows a code, as they show a card number or NIK by its start."""
    said = outbox.scrubbed("Antrean dengan kodebooking 482913077 tidak ditemukan")
    assert "913077" not in said and "kodebooking 482… tidak" in said
    card = outbox.scrubbed("Nomor Kartu 0001234567890 tidak aktif")
    assert card == "Nomor Kartu 0001… tidak aktif"  # a card number, by its start as before


def test_targets_on_and_off(db: Database) -> None:
    with db.begin() as conn:
        assert outbox.enabled(conn, outbox.BPJS) is False
        outbox.set_targets(conn, {outbox.BPJS: "abc"}, NOW)
        assert outbox.enabled(conn, outbox.BPJS) is True
        assert outbox.enabled(conn, outbox.SATUSEHAT) is False
        outbox.set_targets(conn, {}, NOW)
        assert outbox.enabled(conn, outbox.BPJS) is False
