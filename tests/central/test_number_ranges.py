"""Citizens' numbers count up from 001; leased numbers come down from 999; where they meet.

Two real server processes on one database (as a city runs them behind a
proxy), on SQLite and PostgreSQL. Each test takes a queue of its own (a new
service of the demo office), so its day starts empty: a fresh day.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from alembic import command
from sqlalchemy import Date, column, insert, select, table

from central.access import staff
from central.access.audit import utc_now
from central.access.kiosks import KioskPrincipal, kiosk_code_of
from central.database import Database, alembic_config, migrate
from central.office import submissions
from central.office.desks import Desk, desk_state
from central.office.numbering import create_lease
from central.office.sequence import TOP_NUMBER, take_counted, take_lease_block, take_numbers
from central.process import RunningCentral, start_central
from central.tables import UtcDateTime, offices, services, tickets
from testkit.centre_accounts import DEMO_OFFICE, bearer, fresh_queue, new_kiosk, new_staff
from testkit.centre_requests import (
    ZONE,
    allocate,
    lease,
    new_id,
    registration,
    results,
    staff_post,
    today,
)
from testkit.centres import BACKENDS, LOOSE_SERVER_ARGS

pytestmark = pytest.mark.timeout(300)

Servers = tuple[RunningCentral, RunningCentral]


@pytest.fixture(scope="module", params=BACKENDS)
def servers(
    request: pytest.FixtureRequest, new_migrated_db_url: Callable[[str], str]
) -> Iterator[Servers]:
    """Two server processes on one new database."""
    url = new_migrated_db_url(str(request.param))
    with (
        start_central(seed_demo=True, db_url=url, extra_args=LOOSE_SERVER_ARGS) as first,
        start_central(db_url=url, extra_args=LOOSE_SERVER_ARGS) as second,
    ):
        yield first, second


@pytest.fixture(scope="module")
def db(servers: Servers) -> Iterator[Database]:
    database = Database(servers[0].db_url)
    try:
        yield database
    finally:
        database.dispose()


def granted(response: requests.Response) -> tuple[int, int]:
    assert response.status_code == 201, response.text
    body = response.json()
    return int(body["start"]), int(body["end"])


def numbered(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def beat_from_a_slow_clock(url: str, token: str, slow_by: dt.timedelta) -> None:
    """A heartbeat stamped ``slow_by`` behind: the centre measures the kiosk's clock skew."""
    beat = {
        "sent_at": (dt.datetime.now(dt.UTC) - slow_by).isoformat(),
        "version": "0.1.0",
        "reader": {"state": "ok", "detail": ""},
        "printer": {"state": "ok", "detail": ""},
        "outbox": {"pending": 0, "dead": 0, "oldest_pending_age_s": None},
        "leases": [],
    }
    answer = requests.post(f"{url}/api/v1/heartbeats", json=beat, headers=bearer(token), timeout=10)
    assert answer.status_code == 200, answer.text


def test_the_first_online_ticket_of_a_fresh_day_is_001_with_leases_held(
    servers: Servers, db: Database
) -> None:
    service, prefix = fresh_queue(db)
    (_, one), (_, two) = new_kiosk(db, servers[0].url), new_kiosk(db, servers[1].url)
    assert granted(lease(servers[0].url, one, service, 20)) == (980, 999)
    assert granted(lease(servers[1].url, two, service, 20)) == (960, 979)
    tomorrow = today() + dt.timedelta(days=1)
    assert granted(lease(servers[0].url, one, service, 20, day=tomorrow)) == (980, 999)

    first = numbered(allocate(servers[1].url, two, service))
    assert (first["number"], first["display"]) == (1, f"{prefix}-001")
    assert (first["people_ahead"], first["estimated_wait_minutes"]) == (0, 0)


def test_online_tickets_between_lease_grants_go_on_001_002_003(
    servers: Servers, db: Database
) -> None:
    service, _ = fresh_queue(db)
    kiosks = [new_kiosk(db, server.url)[1] for server in servers]
    online, blocks = [], []
    for i in range(6):
        url, token = servers[i % 2].url, kiosks[i % 2]
        blocks.append(granted(lease(url, token, service, 5)))
        ticket = numbered(allocate(servers[(i + 1) % 2].url, kiosks[(i + 1) % 2], service))
        assert ticket["people_ahead"] == i, "a leased number counted as someone waiting"
        online.append(ticket["number"])
    assert online == [1, 2, 3, 4, 5, 6]
    assert blocks == [(995, 999), (990, 994), (985, 989), (980, 984), (975, 979), (970, 974)]


def test_leased_and_online_numbers_never_collide_under_concurrency(
    servers: Servers, db: Database
) -> None:
    """20 kiosks on two servers lease and take numbers at once; every leased number then syncs."""
    service, prefix = fresh_queue(db)
    tokens = [new_kiosk(db, servers[i % 2].url)[1] for i in range(20)]
    barrier = threading.Barrier(len(tokens))
    online: list[int] = []
    blocks: list[tuple[str, int, int]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def kiosk(index: int, token: str) -> None:
        url = servers[index % 2].url
        with requests.Session() as session:
            barrier.wait(timeout=60)
            for step in range(4):
                if step % 2 == index % 2:
                    got = lease(url, token, service, 3, session=session)
                    with lock:
                        if got.status_code == 201:
                            blocks.append((token, got.json()["start"], got.json()["end"]))
                        else:
                            failures.append(got.text)
                answer = allocate(url, token, service, session=session)
                with lock:
                    if answer.status_code == 201:
                        online.append(answer.json()["number"])
                    else:
                        failures.append(answer.text)

    threads = [threading.Thread(target=kiosk, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    assert sorted(online) == list(range(1, 81)), "online numbers are not 001 to 080"
    leased = sorted(n for _, start, end in blocks for n in range(start, end + 1))
    assert leased == list(range(1000 - 3 * len(blocks), 1000)), "leases are not 999 downward"

    # Each leased number used offline syncs once: accepted, then a retry is a replay.
    sent = [
        (token, registration(new_id(), service, f"{prefix}-{start:03d}", "lease"))
        for token, start, _ in blocks
    ]
    for token, item in sent:
        assert results(servers[0].url, token, [item])[0]["status"] == "accepted"
        assert results(servers[1].url, token, [item])[0]["status"] == "replayed"
    with db.read() as conn:
        stored = list(
            conn.execute(select(tickets.c.number).where(tickets.c.service_id == service)).scalars()
        )
    assert sorted(stored) == sorted(online + [start for _, start, _ in blocks])


def test_when_the_ranges_meet_both_go_on_above_999(servers: Servers, db: Database) -> None:
    """A very busy day: no number twice, nothing refused, the queue goes on at 1000."""
    url = servers[0].url
    service, prefix = fresh_queue(db)
    _, big = new_kiosk(db, url)
    _, other = new_kiosk(db, url)
    assert granted(lease(url, big, service, 500)) == (500, 999)
    assert [numbered(allocate(url, other, service))["number"] for _ in range(5)] == [1, 2, 3, 4, 5]
    assert granted(lease(url, other, service, 490)) == (10, 499)
    assert [numbered(allocate(url, big, service))["number"] for _ in range(4)] == [6, 7, 8, 9]
    # 10 is leased: the next online number is the first above the space.
    met = numbered(allocate(url, big, service))
    assert (met["number"], met["display"]) == (1000, f"{prefix}-1000")
    # A block that no longer fits under the leased ones comes from above too, and back.
    assert granted(lease(url, other, service, 10)) == (1001, 1010)
    assert numbered(allocate(url, other, service))["number"] == 1011

    used = [(other, 10), (big, 999), (big, 500), (other, 1005)]
    for token, number in used:
        item = registration(new_id(), service, f"{prefix}-{number:03d}", "lease")
        assert results(url, token, [item])[0]["status"] == "accepted", number
    twice = registration(new_id(), service, f"{prefix}-1005", "lease")
    refused = results(url, other, [twice])[0]
    assert (refused["status"], refused["error"]) == ("invalid", "duplicate_number")
    with db.read() as conn:
        stored = list(
            conn.execute(select(tickets.c.number).where(tickets.c.service_id == service)).scalars()
        )
    assert sorted(stored) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 500, 999, 1000, 1005, 1011]


def test_a_ticket_printed_offline_is_called_when_its_citizen_came(
    servers: Servers, db: Database
) -> None:
    """Leased numbers are high, yet the queue calls by issue time: first come, first called."""
    url = servers[0].url
    service, prefix = fresh_queue(db)
    _, token = new_kiosk(db, url)
    counter = new_staff(db, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    start, _ = granted(lease(url, token, service, 20))

    def offline(number: int, minutes_ago: float) -> None:
        item = registration(new_id(), service, f"{prefix}-{number:03d}", "lease")
        issued = dt.datetime.now(ZONE) - dt.timedelta(minutes=minutes_ago)
        item["body"]["ticket"]["issued_at"] = issued.isoformat()
        assert results(url, token, [item])[0]["status"] == "accepted"

    numbered(allocate(url, token, service))  # 001
    offline(start, minutes_ago=30)  # printed before 001, synced after it
    numbered(allocate(url, token, service))  # 002
    offline(start + 1, minutes_ago=0)  # after 002
    third = numbered(allocate(url, token, service))
    assert third["people_ahead"] == 4

    called = call_all(servers[1].url, counter, service, 5)
    assert called == [f"{prefix}-{n}" for n in ("980", "001", "002", "981", "003")]


def test_a_day_numbered_before_the_ranges_keeps_its_leases_and_goes_on(db_url: str) -> None:
    """A queue mid-day at the upgrade: its old lease 001-020 stays valid, no number comes twice."""
    database = Database(db_url)
    day, now = today(), dt.datetime.now(dt.UTC)
    old_counters = table(
        "ticket_counters",
        column("office_id"),
        column("service_id"),
        column("day", Date),
        column("last_number"),
        column("updated_at", UtcDateTime),
    )
    try:
        migrate(database, "0008_office")
        with database.begin() as conn:
            conn.execute(insert(offices).values(id="o", name="O", city="C", active=True))
            conn.execute(
                insert(services).values(
                    id="s",
                    office_id="o",
                    category="c",
                    name="S",
                    ticket_prefix="A",
                    counter="1",
                    active=True,
                )
            )
            # Leased 001-020, then online 021-023: one shared sequence.
            conn.execute(
                insert(old_counters).values(
                    office_id="o", service_id="s", day=day, last_number=23, updated_at=now
                )
            )
        migrate(database)
        with database.begin() as conn:
            assert take_numbers(conn, "o", "s", day, 1, now) == 24
            assert take_lease_block(conn, "o", "s", day, 20, now) == 980
            assert take_numbers(conn, "o", "s", day, 1, now) == 25
        # Down again: the one sequence goes on above every number handed out.
        command.downgrade(alembic_config(database), "0008_office")
        with database.read() as conn:
            last = conn.execute(select(old_counters.c.last_number)).scalar_one()
        assert last == TOP_NUMBER
    finally:
        database.dispose()


def call_all(url: str, counter: str, service: str, count: int) -> list[str | None]:
    """Call-next ``count`` times at counter 1 of ``service``, serving each ticket before
    calling the next (a counter calls only while it has none called): the displays called,
    in order."""
    called = []
    for _ in range(count):
        answer = staff_post(
            url,
            counter,
            "/api/v1/staff/queue/call-next",
            {"office_id": DEMO_OFFICE, "service_id": service, "counter": "1"},
        )
        assert answer.status_code == 200, answer.text
        ticket = answer.json()["ticket"]
        called.append(ticket["display"] if ticket else None)
        if ticket:
            path = f"/api/v1/staff/tickets/{ticket['ticket_id']}/served"
            served = staff_post(url, counter, path)
            assert served.status_code == 200, served.text
    return called


def stamped(item: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """``item`` as a kiosk whose clock read ``at`` sends it."""
    item["body"]["ticket"]["issued_at"] = at.isoformat()
    return item


def test_a_kiosk_clock_hours_off_moves_none_of_its_offline_tickets(
    servers: Servers, db: Database
) -> None:
    """Offline tickets stand where the centre can place them, whatever the kiosk's clock says.

    A kiosk whose clock no heartbeat has measured: its leased ticket stamped
    5 h early stands at its lease's grant, one stamped 5 h late at its
    receipt. A kiosk 4 h slow by its heartbeat: its tickets stand where its
    stamps fall on the centre's clock. The counter page lists the waiting
    tickets in the order they are called.
    """
    url = servers[0].url
    service, prefix = fresh_queue(db)
    _, raw = new_kiosk(db, url)
    slow_id, slow = new_kiosk(db, url)
    counter = new_staff(db, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    four_hours = dt.timedelta(hours=4)
    beat_from_a_slow_clock(url, slow, four_hours)
    slow_start, _ = granted(lease(url, slow, service, 20))
    raw_start, _ = granted(lease(url, raw, service, 20))
    numbered(allocate(url, raw, service))  # 001
    numbered(allocate(url, raw, service))  # 002

    early = dt.datetime.now(ZONE) - dt.timedelta(hours=5)
    late = dt.datetime.now(ZONE) + dt.timedelta(hours=5)
    sent = [
        stamped(registration(new_id(), service, f"{prefix}-{raw_start}", "lease"), early),
        stamped(registration(new_id(), service, f"{prefix}-{raw_start + 1}", "lease"), late),
    ]
    assert [r["status"] for r in results(url, raw, sent)] == ["accepted"] * 2
    # The slow kiosk's clock reads 4 h before the centre's: its tickets are printed now.
    leased = registration(new_id(), service, f"{prefix}-{slow_start}", "lease")
    leased = stamped(leased, dt.datetime.now(ZONE) - four_hours)
    assert results(url, slow, [leased])[0]["status"] == "accepted"
    with db.read() as conn:
        code = kiosk_code_of(conn, slow_id)
    fallback = registration(new_id(), service, f"{prefix}-{code}-001", "fallback")
    fallback = stamped(fallback, dt.datetime.now(ZONE) - four_hours)
    assert results(url, slow, [fallback])[0]["status"] == "accepted"
    last = numbered(allocate(url, raw, service))
    assert last["display"] == f"{prefix}-004"  # the fallback ticket took 003

    expected = [
        f"{prefix}-{raw_start}",  # at its lease's grant, before 001 and 002
        f"{prefix}-001",
        f"{prefix}-002",
        f"{prefix}-{raw_start + 1}",  # at its receipt
        f"{prefix}-{slow_start}",
        f"{prefix}-{code}-001",
        f"{prefix}-004",
    ]
    assert last["people_ahead"] == len(expected) - 1
    with db.read() as conn:
        desk = desk_state(conn, Desk(DEMO_OFFICE, "1", (service,)), today(), utc_now())
        claimed = conn.execute(
            select(tickets.c.issued_at).where(
                tickets.c.display == sent[1]["body"]["ticket"]["number"]
            )
        ).scalar_one()
    assert [row.display for row in desk.waiting] == expected
    assert claimed == late, "the kiosk's claimed issue time is kept on record"
    assert call_all(servers[1].url, counter, service, len(expected)) == expected


def test_an_online_ticket_renumbered_by_its_kiosk_keeps_its_place(
    servers: Servers, db: Database
) -> None:
    """The kiosk lost the online answer and printed a leased number: the ticket stays first."""
    url = servers[0].url
    service, prefix = fresh_queue(db)
    _, token = new_kiosk(db, url)
    counter = new_staff(db, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    start, _ = granted(lease(url, token, service, 20))
    first = new_id()
    assert numbered(allocate(url, token, service, first))["display"] == f"{prefix}-001"
    numbered(allocate(url, token, service))  # 002
    late = dt.datetime.now(ZONE) + dt.timedelta(hours=5)
    item = stamped(registration(first, service, f"{prefix}-{start}", "lease"), late)
    assert results(url, token, [item])[0]["status"] == "accepted"
    assert call_all(url, counter, service, 2) == [f"{prefix}-{start}", f"{prefix}-002"]


def test_an_online_issue_time_never_goes_back_within_a_queue(db: Database) -> None:
    """A take whose clock reads earlier than the last one's gets the last one's time."""
    service, _ = fresh_queue(db)
    later = dt.datetime.now(dt.UTC)
    earlier = later - dt.timedelta(seconds=10)
    with db.begin() as conn:
        assert take_counted(conn, DEMO_OFFICE, service, today(), 1, later) == (1, later)
        assert take_counted(conn, DEMO_OFFICE, service, today(), 1, earlier) == (2, later)


def zone_at_hour(now: dt.datetime, hour: int) -> tuple[ZoneInfo, int]:
    """A whole-hour zone whose local time at ``now`` is ``hour`` o'clock, and its UTC offset."""
    offset = (hour - now.astimezone(dt.UTC).hour) % 24
    offset -= 24 if offset > 14 else 0
    return ZoneInfo(f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"), offset


def submit_at(
    db: Database, kiosk_id: str, items: list[dict[str, Any]], now: dt.datetime, zone: ZoneInfo
) -> list[submissions.Outcome]:
    principal = KioskPrincipal(kiosk_id, DEMO_OFFICE)
    batch = [submissions.Item(i["key"], i["kind"], i["body"]) for i in items]
    with db.begin() as conn:
        return submissions.submit(conn, principal, batch, now=now, zone=zone, audit_key=b"k" * 32)


def day_of(db: Database, ticket_id: str) -> dt.date:
    with db.read() as conn:
        day: dt.date = conn.execute(
            select(tickets.c.day).where(tickets.c.id == ticket_id)
        ).scalar_one()
    return day


def test_a_leased_number_goes_to_the_day_of_the_lease_it_came_from(
    servers: Servers, db: Database
) -> None:
    """Today's and tomorrow's leases hold 980 both: the date the kiosk wrote picks the lease.

    At 23:00 in the city a kiosk whose zone is two hours ahead takes 980
    from its lease of tomorrow (its clock says 01:00); another prints 980
    of today's. Both tickets are kept, each in its own day's queue.
    """
    now = dt.datetime.now(dt.UTC)
    zone, offset = zone_at_hour(now, 23)
    day = now.astimezone(zone).date()
    service, prefix = fresh_queue(db)
    kiosk_id, _ = new_kiosk(db, servers[0].url)
    principal = KioskPrincipal(kiosk_id, DEMO_OFFICE)
    with db.begin() as conn:
        blocks = [
            create_lease(conn, principal, service, d, 20, now, zone)
            for d in (day, day + dt.timedelta(days=1))
        ]
    assert [(b.start, b.end) for b in blocks] == [(980, 999)] * 2
    ahead = dt.timezone(dt.timedelta(hours=offset + 2))
    tomorrows = stamped(
        registration(new_id(), service, f"{prefix}-980", "lease"), now.astimezone(ahead)
    )
    todays = stamped(
        registration(new_id(), service, f"{prefix}-980", "lease"), now.astimezone(zone)
    )
    outcomes = submit_at(db, kiosk_id, [tomorrows, todays], now, zone)
    assert [o.status for o in outcomes] == ["accepted"] * 2, outcomes
    assert day_of(db, tomorrows["key"]) == day + dt.timedelta(days=1)
    assert day_of(db, todays["key"]) == day


def test_a_fallback_ticket_stamped_yesterday_by_a_slow_clock_joins_todays_queue(
    servers: Servers, db: Database
) -> None:
    """At 00:00-something a kiosk two hours slow (its heartbeat says) stamps 22:00-something."""
    url = servers[0].url
    kiosk_id, token = new_kiosk(db, url)
    two_hours = dt.timedelta(hours=2)
    beat_from_a_slow_clock(url, token, two_hours)
    now = dt.datetime.now(dt.UTC)
    zone, _ = zone_at_hour(now, 0)
    service, prefix = fresh_queue(db)
    with db.read() as conn:
        code = kiosk_code_of(conn, kiosk_id)
    item = registration(new_id(), service, f"{prefix}-{code}-001", "fallback")
    item = stamped(item, (now - two_hours).astimezone(zone))
    assert [o.status for o in submit_at(db, kiosk_id, [item], now, zone)] == ["accepted"]
    assert day_of(db, item["key"]) == now.astimezone(zone).date()
