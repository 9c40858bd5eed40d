"""A call-back and a call-next agree whether a counter is busy: the one rule, from today,
and the same ticket named when it is.

A ticket left called at a counter keeps it busy for :data:`OPEN_DAYS` days after its last
call, whatever its own day (central.office.desks): called longer ago, it is in no list
the counter page or the staff API shows, and the counter calls the next citizen again;
one held longer than that and called back today is called there now, and keeps the
counter busy as any ticket just called does. A ticket held (tunda) at that
counter before midnight is still on the page, to be called back there: nothing else
takes it off the counter (a ticket of a day before is never transferred, and one held at
a counter the office has is never closed held). So the call-back must judge the counter
free whenever the call-next does; judged from the held ticket's own day instead, a
ticket called one day further back blocks it, and the held ticket is stuck at the
counter, which its clerk cannot leave (central.office.desks.choose).

A ticket left called there before midnight, yet within those days, is in no queue the
staff API lists. Call-next's 409 ``counter_busy`` names it (number, day, id) so a staff
client can close it; a call-back at the same counter is refused with the same code for
the same ticket, and must name it too, or the client holding a ticket set aside there has
nothing to close and the held one is never called back. A real centre over HTTP, on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import event, insert, select, text, update

from central.database import Database
from central.office import desks
from central.office.desks import OPEN_DAYS
from central.process import RunningCentral
from central.tables import kiosks, offices, services, tickets
from testkit.centre_accounts import DEMO_OFFICE, bearer, kiosk_and_staff
from testkit.centre_requests import allocate, new_id, staff_post
from testkit.centres import BACKENDS, own_centre

pytestmark = pytest.mark.timeout(300)
SERVICE = "izin-usaha-mikro"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    yield from own_centre(request, tmp_path_factory, "busy-agree")


def _held_at(centre: RunningCentral, counter: str) -> tuple[str, dict[str, Any]]:
    """A new kiosk numbers two tickets of :data:`SERVICE`; ``counter`` calls one and sets
    it aside (tunda): a new staff token of the demo office, and the held ticket."""
    kiosk, token = kiosk_and_staff(centre.url, centre.db_url)
    for _ in range(2):
        assert allocate(centre.url, kiosk, SERVICE, new_id()).status_code == 201
    held = _call_next(centre, token, counter).json()["ticket"]
    assert staff_post(centre.url, token, f"/api/v1/staff/tickets/{held['ticket_id']}/hold").ok
    return token, held


def _held_then_another_called(
    centre: RunningCentral, counter: str
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """:func:`_held_at`, then ``counter`` calls the other ticket: the staff token, the held
    ticket and the one called."""
    token, held = _held_at(centre, counter)
    called = _call_next(centre, token, counter).json()["ticket"]
    assert called is not None and called["ticket_id"] != held["ticket_id"]
    return token, held, called


def _call_next(centre: RunningCentral, token: str, counter: str) -> requests.Response:
    step = {"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": counter}
    return staff_post(centre.url, token, "/api/v1/staff/queue/call-next", step)


def _call_back(
    centre: RunningCentral, token: str, ticket_id: str, counter: str
) -> requests.Response:
    path = f"/api/v1/staff/tickets/{ticket_id}/call-back"
    return staff_post(centre.url, token, path, {"counter": counter})


#: A ticket's times, moved with its day by :func:`_of_day`.
_TIMES = ("issued_at", "recorded_at", "queued_at", "called_at", "held_at")


def _of_day(centre: RunningCentral, ticket_id: str, day: dt.date) -> None:
    """Make ``ticket_id`` a ticket of ``day``, everything it went through as many days
    earlier (as midnights passing since make it one of a day before, issued, called and
    held on its day)."""
    db = Database(centre.db_url)
    try:
        with db.begin() as conn:
            row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
            back = row.day - day
            times = {t: getattr(row, t) - back for t in _TIMES if getattr(row, t) is not None}
            conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(day=day, **times))
    finally:
        db.dispose()


def test_a_ticket_held_before_midnight_is_called_back_where_a_call_next_would_call(
    centre: RunningCentral,
) -> None:
    token, held, old = _held_then_another_called(centre, "5")
    # The held one is of yesterday (set aside before midnight); the called one was left
    # called one day longer ago than a counter counts.
    today = dt.date.fromisoformat(held["day"])
    _of_day(centre, held["ticket_id"], today - dt.timedelta(days=1))
    _of_day(centre, old["ticket_id"], today - dt.timedelta(days=OPEN_DAYS + 1))

    # The counter is free by the call-next's rule: it calls (nobody waits: null, 200).
    free = _call_next(centre, token, "5")
    assert free.status_code == 200 and free.json()["ticket"] is None, free.text

    back = _call_back(centre, token, held["ticket_id"], "5")
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "called"


def test_a_ticket_called_back_keeps_its_counter_busy_whatever_its_day(
    centre: RunningCentral,
) -> None:
    """A ticket held (tunda) more than :data:`OPEN_DAYS` days ago and called back today is
    called at the counter now: the counter serves one citizen at a time, so a call-next
    there is refused (409 ``counter_busy``) until it is closed, held or transferred."""
    token, held = _held_at(centre, "7")
    today = dt.date.fromisoformat(held["day"])
    _of_day(centre, held["ticket_id"], today - dt.timedelta(days=OPEN_DAYS + 1))
    back = _call_back(centre, token, held["ticket_id"], "7")
    assert back.status_code == 200 and back.json()["status"] == "called", back.text

    busy = _call_next(centre, token, "7")

    assert busy.status_code == 409, busy.text
    assert busy.json()["error"] == "counter_busy", busy.text


def test_a_ticket_called_back_after_a_long_hold_keeps_another_held_one_from_being_called_back(
    centre: RunningCentral,
) -> None:
    """Two tickets held at one counter, one of them more than :data:`OPEN_DAYS` days ago;
    that one is called back. The other is refused (409 ``counter_busy``), the one called
    back named, so the client knows what to close first."""
    token, old = _held_at(centre, "6")
    other = _call_next(centre, token, "6").json()["ticket"]
    assert staff_post(centre.url, token, f"/api/v1/staff/tickets/{other['ticket_id']}/hold").ok
    long_ago = dt.date.fromisoformat(old["day"]) - dt.timedelta(days=OPEN_DAYS + 1)
    _of_day(centre, old["ticket_id"], long_ago)
    assert _call_back(centre, token, old["ticket_id"], "6").status_code == 200

    refused = _call_back(centre, token, other["ticket_id"], "6")

    assert (refused.status_code, refused.json()["error"]) == (409, "counter_busy"), refused.text
    named = f"{old['display']} ({long_ago:%Y-%m-%d}, {old['ticket_id']})"
    assert named in refused.json()["detail"], refused.json()["detail"]


def test_whether_a_counter_is_busy_is_read_by_the_index_of_its_called_tickets(
    centre: RunningCentral,
) -> None:
    """Every call at a counter asks whether it has a ticket called, now by the last call
    rather than the ticket's day: the index on (office, counter, status, called_at)
    answers, bounded by the call time, never every ticket ever left called there; a
    held ticket is still found by its day. SQLite's plan follows the query's shape;
    PostgreSQL's planner chooses by the table's statistics."""
    if not centre.db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL plans by the table's statistics, not the query's shape")
    now = dt.datetime.now(dt.UTC)
    statements: list[tuple[str, Any]] = []

    def keep(_c: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        statements.append((sql, params))

    db = Database(centre.db_url)
    try:
        with db.engine.connect() as conn:
            event.listen(conn, "before_cursor_execute", keep)
            desks.busy(conn, DEMO_OFFICE, "1", now, held_on=now.date())
            desks.called_here(conn, DEMO_OFFICE, "1", now)
            event.remove(conn, "before_cursor_execute", keep)
            plans = [
                " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", p))
                for sql, p in statements
                if sql.lstrip().startswith("SELECT")
            ]
            conn.rollback()
    finally:
        db.dispose()
    assert len(plans) == 2, statements
    by_call = (
        "ix_tickets_office_id_counter_status_called_at "
        "(office_id=? AND counter=? AND status=? AND called_at>?)"
    )
    by_day = (
        "ix_tickets_office_id_counter_status_day (office_id=? AND counter=? AND status=? AND day>?)"
    )
    assert by_call in plans[0] and by_day in plans[0], plans[0]
    assert by_call in plans[1], plans[1]


#: A PostgreSQL office of years of tickets: this many, one day in :data:`_DAYS` each,
#: at eight counters, one in :data:`_LEFT` left called (never closed), the rest served.
_MANY, _DAYS, _LEFT = 200_000, 700, 1000
_YEARS_OF_TICKETS = """
INSERT INTO tickets (id, office_id, service_id, day, number, display, number_source,
    kiosk_id, status, counter, issued_at, recorded_at, called_at, queue_id, priority,
    queued_at)
SELECT 't' || g, 'rs', 's', CAST(:today AS DATE) - g % :days, g, 'A-' || g, 'online',
    'k1', CASE WHEN g % :left = 0 THEN 'called' ELSE 'served' END, CAST(g % 8 + 1 AS TEXT),
    CAST(:now AS TIMESTAMPTZ) - g % :days * INTERVAL '1 day', CAST(:now AS TIMESTAMPTZ),
    CAST(:now AS TIMESTAMPTZ) - g % :days * INTERVAL '1 day', 's', 0, CAST(:now AS TIMESTAMPTZ)
FROM generate_series(1, :many) AS g
"""


def test_postgresql_finds_a_counters_called_tickets_by_the_index_in_years_of_tickets(
    migrated_db_url: str,
) -> None:
    """On PostgreSQL, with its statistics of an office's years of tickets (ANALYZE), the
    busy check and the ticket it names read the index on (office, counter, status,
    called_at), bounded by the call time: no sequential scan of the tickets, nor the
    walk of every ticket ever left called there that the index ending in ``day`` would
    make of a ticket's last call."""
    if not migrated_db_url.startswith("postgresql"):
        pytest.skip("SQLite's plan is read above, from the query's shape")
    now = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
    db = Database(migrated_db_url)
    try:
        with db.begin() as conn:
            conn.execute(insert(offices).values(id="rs", name="RS", city="Kota", active=True))
            conn.execute(insert(kiosks).values(id="k1", office_id="rs", name="K", enrolled_at=now))
            conn.execute(
                insert(services).values(
                    id="s",
                    office_id="rs",
                    category="kesehatan",
                    name="s",
                    ticket_prefix="A",
                    counter="1",
                    active=True,
                )
            )
            conn.execute(
                text(_YEARS_OF_TICKETS),
                {"today": now.date(), "now": now, "days": _DAYS, "left": _LEFT, "many": _MANY},
            )
            conn.execute(text("ANALYZE tickets"))
        statements: list[tuple[str, Any]] = []

        def keep(_c: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
            statements.append((sql, params))

        with db.engine.connect() as conn:
            event.listen(conn, "before_cursor_execute", keep)
            left = desks.called_here(conn, "rs", "1", now)
            busy = desks.busy(conn, "rs", "1", now)
            event.remove(conn, "before_cursor_execute", keep)
            plans = [
                "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}", p))
                for sql, p in statements
            ]
            conn.rollback()
    finally:
        db.dispose()
    assert busy and left is not None  # the data has a ticket called there this week
    assert len(plans) == 2, statements
    for plan in plans:
        assert "Seq Scan" not in plan, plan
        assert "ix_tickets_office_id_counter_status_called_at" in plan, plan


def test_a_call_back_refused_at_a_busy_counter_names_the_ticket_left_called_there(
    centre: RunningCentral,
) -> None:
    # The counter calls one citizen and sets them aside (tunda), then calls the next.
    token, held, left = _held_then_another_called(centre, "4")
    # ... and midnight passes with the second still called there.
    yesterday = dt.date.fromisoformat(left["day"]) - dt.timedelta(days=1)
    _of_day(centre, left["ticket_id"], yesterday)
    queue = requests.get(
        f"{centre.url}/api/v1/staff/queue", headers=bearer(token), timeout=10
    ).json()
    listed = {t["ticket_id"] for s in queue["services"] for t in s["tickets"]}
    assert left["ticket_id"] not in listed  # the client cannot find it in the queue

    named = f"{left['display']} ({yesterday:%Y-%m-%d}, {left['ticket_id']})"
    refused_next = _call_next(centre, token, "4")
    assert (refused_next.status_code, refused_next.json()["error"]) == (409, "counter_busy")
    assert named in refused_next.json()["detail"]  # call-next names it

    refused_back = _call_back(centre, token, held["ticket_id"], "4")
    assert (refused_back.status_code, refused_back.json()["error"]) == (409, "counter_busy")
    assert named in refused_back.json()["detail"], refused_back.json()["detail"]
