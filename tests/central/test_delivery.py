"""What the two outboxes share (central/delivery.py): a claim skips what another sender
holds instead of waiting for it (PostgreSQL), and the wait before a retry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, text

from central.database import Database, migrate
from central.delivery import RetryPolicy, claim_rows
from central.messages import outbox
from central.tables import messages

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
