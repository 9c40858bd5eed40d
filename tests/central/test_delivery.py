"""What the two outboxes share (central/delivery.py): a claim skips what another sender
holds instead of waiting for it (PostgreSQL), and the wait before a retry."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from central.database import Database, migrate
from central.delivery import Courier, RetryPolicy, claim_rows
from central.messages import outbox
from central.tables import messages
from testkit.busy_database import write_lock_held
from testkit.waits import wait_until

NOW = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)


def _claim_one(conn: Connection, worker: str) -> list[int]:
    rows = claim_rows(
        conn,
        messages,
        messages.c.state == outbox.PENDING,
        order_by=(messages.c.id,),
        limit=1,
        values={"state": outbox.SENDING, "claimed_by": worker},
    )
    return [row.id for row in rows]


def test_a_sender_skips_the_row_another_holds_instead_of_waiting_for_it(
    new_db_url: Callable[[str], str],
) -> None:
    """Two senders in two transactions at once on PostgreSQL: the second takes the next
    row at once. Without ``SKIP LOCKED`` it would wait for the first's transaction (here:
    fail at its lock timeout), and a slow send would hold every other sender."""
    db = Database(new_db_url("postgresql"))
    try:
        migrate(db)
        with db.begin() as conn:
            for key in ("first", "second"):
                outbox.enqueue(
                    conn,
                    key=key,
                    office_id=None,
                    phone="6281234567890",
                    language="id",
                    template="ticket.called",
                    params={"number": "A-001", "office": "MPP", "counter": "2"},
                    now=NOW,
                )
        with db.engine.connect() as one, db.engine.connect() as two, one.begin():
            first = _claim_one(one, "one")
            with two.begin():
                two.execute(text("SET LOCAL lock_timeout = '2s'"))
                second = _claim_one(two, "two")
        assert len(first) == 1 and len(second) == 1 and first != second
    finally:
        db.dispose()


def test_the_far_sides_wish_lengthens_the_wait_within_its_cap_and_never_shortens_it() -> None:
    policy = RetryPolicy(retry_base_s=10.0, retry_max_s=60.0)
    for _ in range(50):  # the jitter is ±20 %
        assert 8.0 <= policy.wait(1, None, 3600.0) <= 12.0
        assert 8.0 <= policy.wait(1, 0.0, 3600.0) <= 12.0  # "Retry-After: 0" is no hurry
        assert policy.wait(1, 900.0, 3600.0) == 900.0
        assert policy.wait(1, 10**9, 3600.0) == 3600.0
        assert 48.0 <= policy.wait(10, None, 3600.0) <= 72.0  # doubled up to the cap
    assert policy.hold == dt.timedelta(seconds=40)


class _Writer(Courier[int]):
    """A sender whose every round writes, counting its rounds."""

    title = "test sender"

    def __init__(self, db: Database) -> None:
        super().__init__(db, poll_s=0.01)
        self.rounds = 0

    def run_once(self) -> int:
        self.rounds += 1
        with self._db.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS rounds (n INTEGER)"))
            conn.execute(text("INSERT INTO rounds VALUES (1)"))
        return 0


def test_a_database_busy_for_many_rounds_is_said_once_not_a_traceback_a_round(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender tries every round; the database busy for as long (another's write held)
    is one warning for staff, then one when it answers again: a traceback a round filled
    the log for as long as an outage lasted."""
    url = f"sqlite:///{tmp_path / 'centre.db'}"
    db = Database(url, busy_timeout_s=0.05)
    sender = _Writer(db)
    caplog.set_level(logging.WARNING, logger=_Writer.__module__)
    try:
        with write_lock_held(url):
            sender.start()
            wait_until(lambda: sender.rounds >= 5, 10, "five rounds while busy")
        wait_until(lambda: "answers again" in caplog.text, 10, "a round that goes through")
    finally:
        sender.stop()
        db.engine.dispose()
    said = [r for r in caplog.records if r.name == _Writer.__module__]
    assert [r.levelno for r in said] == [logging.WARNING, logging.WARNING], caplog.text
    assert "the database is busy (SQLITE_BUSY)" in said[0].getMessage()
    assert all(r.exc_info is None for r in said)
