"""``tickets.held_at``: since when a ticket is set aside (tunda), read by the figures.

A ticket closed straight from held has no service time
(:func:`central.office.queue.served_while_called`); the figures read that from the
ticket's own ``held_at``, which the counter's steps keep, not from its call events, looked
up for every served ticket on every view of a citizen's ticket page. Over real HTTP to a
real centre, on both databases; the upgrade fills it for tickets stored before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, update

from central.database import Database, alembic_config, migrate
from central.process import start_central
from central.tables import call_events, services, tickets
from testkit.centre_accounts import office_of_one_service
from testkit.centre_requests import allocate, new_id, staff_post

pytestmark = pytest.mark.timeout(180)


def _held_at(db: Database, ids: list[str]) -> dict[str, dt.datetime | None]:
    with db.read() as conn:
        rows = conn.execute(select(tickets.c.id, tickets.c.held_at).where(tickets.c.id.in_(ids)))
        return {r.id: r.held_at for r in rows}


def _last_hold(db: Database, ticket: str) -> Any:
    with db.read() as conn:
        return conn.execute(
            select(call_events.c.at)
            .where(call_events.c.ticket_id == ticket, call_events.c.kind == "hold")
            .order_by(call_events.c.id.desc())
            .limit(1)
        ).scalar_one()


def test_held_at_is_kept_by_the_steps_and_filled_from_the_events_on_upgrade(
    db_url: str,
) -> None:
    """Held: the hold's time. Called back, sent back to a queue (and called again there),
    or never held: none. Closed straight from held (at a counter a new catalog dropped,
    with no service left): the hold's time, kept. Come down to the release before and up
    again, the upgrade reads the same from the tickets' events."""
    with start_central(seed_demo=True, db_url=db_url) as running:
        url, db = running.url, Database(db_url)
        try:
            office, service, kiosk, clerk = office_of_one_service(url, db, "Meja")
            held, called_back, sent_back, closed_held, plain = ids = [new_id() for _ in range(5)]
            at_meja = {"office_id": office, "service_id": service, "counter": "Meja"}

            def step(path: str, body: dict[str, Any] | None = None) -> Any:
                answer = staff_post(url, clerk, path, body)
                assert answer.status_code == 200, answer.text
                return answer.json()

            for ticket in ids:
                assert allocate(url, kiosk, service, ticket).status_code == 201
                called = step("/api/v1/staff/queue/call-next", at_meja)
                assert called["ticket"]["ticket_id"] == ticket, called
                path = f"/api/v1/staff/tickets/{ticket}"
                if ticket != plain:
                    step(f"{path}/hold")
                if ticket == called_back:
                    step(f"{path}/call-back", {"counter": "Meja"})
                if ticket == sent_back:
                    step(f"{path}/transfer", {"service_id": service})
                    again = step("/api/v1/staff/queue/call-next", at_meja)
                    assert again["ticket"]["ticket_id"] == ticket, again
                if ticket in (called_back, sent_back, plain):
                    step(f"{path}/served")
            with db.begin() as conn:  # no "Meja", no service left: closed where it is held
                conn.execute(update(services).where(services.c.id == service).values(active=False))
            step(f"/api/v1/staff/tickets/{closed_held}/served")
            expected = {
                held: _last_hold(db, held),
                called_back: None,
                sent_back: None,
                closed_held: _last_hold(db, closed_held),
                plain: None,
            }
            kept = _held_at(db, ids)
        finally:
            db.dispose()
    assert kept == expected

    db = Database(db_url)
    try:
        command.downgrade(alembic_config(db), "0022_office_counters")
        migrate(db)
        assert _held_at(db, ids) == expected
    finally:
        db.dispose()
