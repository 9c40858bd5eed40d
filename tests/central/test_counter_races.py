"""Counters racing: two counters never get the same ticket, whatever the timing.

Real server processes (two on one database, as a city runs them behind a
proxy), real HTTP, threads released together by a barrier; on SQLite and on
PostgreSQL. A sister project had exactly this bug (bcgov sbc-qsystem PR #272).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update

from central.access import staff
from central.database import Database
from central.process import RunningCentral, start_central
from central.tables import call_events, offices, tickets
from testkit.centre_accounts import (
    DEMO_OFFICE,
    bearer,
    kiosk_and_staff,
    new_staff_account,
)
from testkit.centre_requests import allocate, new_id
from testkit.centres import BACKENDS, LOOSE_SERVER_ARGS
from testkit.office_sessions import logged_in

pytestmark = pytest.mark.timeout(600)
SERVICE = "izin-usaha-mikro"
COUNTERS = 50
#: Counters the fifty callers share, two callers at each: Loket 9 … 33 (the test gives the
#: demo office 33). Each round, 25 counters claim a ticket of one queue at once and the
#: other caller at each is refused; each then serves its ticket, so the counters are
#: free for the next round. Loket 1 … 8 and "Informasi" (its catalog's) are the others'.
SHARED = tuple(str(n) for n in range(9, 34))
STEPS_COUNTER = "Informasi"
#: Two full rounds of 25 calls and one of 10, then a round on an empty queue: the race is
#: in how many call at once, not in how long the queue is.
TICKETS = 60
BARRIER_S = 60.0


@pytest.fixture(scope="module", params=BACKENDS)
def servers(
    request: pytest.FixtureRequest, new_migrated_db_url: Callable[[str], str]
) -> Iterator[tuple[RunningCentral, RunningCentral]]:
    """Two server processes on one new database."""
    url = new_migrated_db_url(str(request.param))
    with (
        start_central(seed_demo=True, db_url=url, extra_args=LOOSE_SERVER_ARGS) as first,
        start_central(db_url=url, extra_args=LOOSE_SERVER_ARGS) as second,
    ):
        yield first, second


def _waiting(servers: tuple[RunningCentral, RunningCentral], count: int) -> tuple[set[str], str]:
    """``count`` new waiting tickets of :data:`SERVICE` from one kiosk; and a staff token."""
    first = servers[0]
    kiosk, token = kiosk_and_staff(first.url, first.db_url)
    ids = [new_id() for _ in range(count)]
    with requests.Session() as http, ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda i: allocate(first.url, kiosk, SERVICE, i, http), ids))
    assert {a.status_code for a in answers} == {201}
    return set(ids), token


def _released(threads: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` on ``threads`` threads released at the same moment."""
    barrier = threading.Barrier(threads, timeout=BARRIER_S)

    def run(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


def _call_next(
    server: RunningCentral, token: str, counter: str, http: requests.Session | None = None
) -> requests.Response:
    """The staff API's call-next of :data:`SERVICE` at ``counter`` of the demo office."""
    return (http or requests).post(
        f"{server.url}/api/v1/staff/queue/call-next",
        json={"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": counter},
        headers=bearer(token),
        timeout=60,
    )


def _serve(server: RunningCentral, token: str, ticket_id: str) -> None:
    served = requests.post(
        f"{server.url}/api/v1/staff/tickets/{ticket_id}/served",
        headers=bearer(token),
        timeout=10,
    )
    assert served.status_code == 200, served.text


def test_fifty_counters_calling_at_once_call_every_ticket_exactly_once(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    db = Database(servers[0].db_url)
    try:
        with db.begin() as conn:
            conn.execute(update(offices).where(offices.c.id == DEMO_OFFICE).values(counters=33))
    finally:
        db.dispose()
    issued, token = _waiting(servers, TICKETS)
    sessions = [requests.Session() for _ in range(COUNTERS)]
    called: list[str] = []
    statuses: Counter[tuple[int, str | None]] = Counter()
    lock = threading.Lock()

    def call(i: int) -> tuple[str, str | None]:
        counter = SHARED[i % len(SHARED)]
        response = _call_next(servers[i % 2], token, counter, sessions[i])
        body = response.json()
        ticket = body.get("ticket") if response.status_code == 200 else None
        with lock:
            statuses[response.status_code, body.get("error")] += 1
        return counter, ticket["ticket_id"] if ticket is not None else None

    try:
        while True:  # a round: fifty callers at once, then each counter serves its ticket
            left = TICKETS - len(called)
            got = [(c, t) for c, t in _released(COUNTERS, call) if t is not None]
            counters = [c for c, _ in got]
            # One ticket to each counter while enough wait: the others there were refused.
            assert sorted(set(counters)) == sorted(counters), got
            assert len(got) == min(len(SHARED), left), got
            for n, (_, ticket_id) in enumerate(got):
                called.append(ticket_id)
                _serve(servers[n % 2], token, ticket_id)
            if not got:
                break
    finally:
        for session in sessions:
            session.close()

    assert set(statuses) <= {(200, None), (409, "counter_busy")}, statuses
    twice = [ticket for ticket, n in Counter(called).items() if n > 1]
    assert twice == []  # no ticket called twice
    assert set(called) == issued  # none skipped, none foreign
    assert len(called) == TICKETS
    db = Database(servers[0].db_url)
    try:
        with db.read() as conn:
            left = conn.execute(
                select(func.count()).where(tickets.c.id.in_(issued), tickets.c.status != "served")
            ).scalar_one()
            events = conn.execute(
                select(call_events.c.ticket_id).where(
                    call_events.c.ticket_id.in_(issued), call_events.c.kind == "call"
                )
            ).all()
    finally:
        db.dispose()
    assert left == 0
    assert sorted(e.ticket_id for e in events) == sorted(issued)  # one call event each
    figures = requests.get(
        f"{servers[1].url}/api/v1/staff/queue", headers=bearer(token), timeout=10
    ).json()
    mine = next(s for s in figures["services"] if s["service_id"] == SERVICE)
    assert mine["waiting"] == 0


#: What a called ticket may become; any one excludes the others (a transfer from
#: ``held`` is a later step, not a rival: it races call-back, below).
STEPS: tuple[tuple[str, dict[str, str]], ...] = (
    ("served", {}),
    ("no-show", {}),
    ("hold", {}),
    ("recall", {}),
)


def test_counters_acting_on_one_called_ticket_at_once_change_it_once(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    """Served, no-show and hold racing: one wins, the others get 409; a recall may pass."""
    issued, token = _waiting(servers, 10)
    racers = 10
    for _ in issued:
        called = requests.post(
            f"{servers[0].url}/api/v1/staff/queue/call-next",
            json={"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": STEPS_COUNTER},
            headers=bearer(token),
            timeout=10,
        ).json()["ticket"]
        ticket_id = called["ticket_id"]

        def act(i: int, ticket_id: str = ticket_id) -> tuple[str, int]:
            name, body = STEPS[i % len(STEPS)]
            server = servers[i % 2]
            response = requests.post(
                f"{server.url}/api/v1/staff/tickets/{ticket_id}/{name}",
                json=body,
                headers=bearer(token),
                timeout=30,
            )
            return name, response.status_code

        outcomes = _released(racers, act)
        changed = [name for name, status in outcomes if status == 200 and name != "recall"]
        assert len(changed) == 1, outcomes
        assert {status for _, status in outcomes} <= {200, 409}
        db = Database(servers[0].db_url)
        try:
            with db.read() as conn:
                kinds = [
                    r.kind
                    for r in conn.execute(
                        select(call_events.c.kind)
                        .where(call_events.c.ticket_id == ticket_id)
                        .order_by(call_events.c.id)
                    )
                ]
        finally:
            db.dispose()
        changing = [k for k in kinds if k not in ("call", "recall")]
        assert changing == [changed[0].replace("-", "_")], kinds


def test_transfers_and_call_backs_racing_on_a_held_ticket_lose_no_step(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    issued, token = _waiting(servers, 5)
    counter = STEPS_COUNTER  # a held ticket is called back by the counter that held it
    for _ in issued:
        called = requests.post(
            f"{servers[0].url}/api/v1/staff/queue/call-next",
            json={"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": counter},
            headers=bearer(token),
            timeout=10,
        ).json()["ticket"]
        ticket_id = called["ticket_id"]
        held = requests.post(
            f"{servers[0].url}/api/v1/staff/tickets/{ticket_id}/hold",
            headers=bearer(token),
            timeout=10,
        )
        assert held.status_code == 200

        def act(i: int, ticket_id: str = ticket_id, counter: str = counter) -> tuple[str, int]:
            name, body = (
                ("transfer", {"service_id": "kk-perubahan"})
                if i % 2
                else ("call-back", {"counter": counter})
            )
            response = requests.post(
                f"{servers[i % 2].url}/api/v1/staff/tickets/{ticket_id}/{name}",
                json=body,
                headers=bearer(token),
                timeout=30,
            )
            return name, response.status_code

        outcomes = _released(10, act)
        winners = Counter(name for name, status in outcomes if status == 200)
        assert {s for _, s in outcomes} <= {200, 409}, outcomes
        db = Database(servers[0].db_url)
        try:
            with db.read() as conn:
                kinds = [
                    r.kind
                    for r in conn.execute(
                        select(call_events.c.kind)
                        .where(call_events.c.ticket_id == ticket_id)
                        .order_by(call_events.c.id)
                    )
                ]
                status = conn.execute(
                    select(tickets.c.status).where(tickets.c.id == ticket_id)
                ).scalar_one()
        finally:
            db.dispose()
        # Every step that answered 200 happened once, from the state it was guarded on: a
        # call-back only from held (once), a transfer from held or called, then nothing.
        after = kinds[kinds.index("hold") + 1 :]
        assert after in (["transfer"], ["call"], ["call", "transfer"]), kinds
        assert Counter("call-back" if k == "call" else k for k in after) == winners
        assert status == ("waiting" if after[-1] == "transfer" else "called")
        if status == "called":  # the counter serves it, and is free for the next round
            served = requests.post(
                f"{servers[0].url}/api/v1/staff/tickets/{ticket_id}/served",
                headers=bearer(token),
                timeout=10,
            )
            assert served.status_code == 200, served.text


def _counter_page(url: str, db_url: str, counter: str) -> tuple[requests.Session, dict[str, str]]:
    """A clerk logged in on the counter page at ``counter`` (plain HTTP, as the page's script)."""
    db = Database(db_url)
    try:
        username = new_staff_account(db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    finally:
        db.dispose()
    http, token = logged_in(url, username)
    desk = {"counter": counter, "queues": SERVICE}
    chosen = http.post(
        f"{url}/counter/desk", data=desk, headers={"X-CSRF-Token": token}, timeout=10
    )
    assert chosen.status_code == 200 and f"Loket {counter}" in chosen.text
    return http, {"X-CSRF-Token": token, "Accept": "application/json"}


def test_one_page_sending_call_next_twice_closes_only_the_ticket_it_shows(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    """Ten "Panggil berikutnya" for one shown ticket, on both processes: one call, one close."""
    issued, _ = _waiting(servers, 12)
    http, headers = _counter_page(servers[0].url, servers[0].db_url, "7")
    with http:
        shown = http.post(f"{servers[0].url}/counter/call-next", headers=headers, timeout=30)
        assert shown.status_code == 200, shown.text
        db = Database(servers[0].db_url)
        try:
            with db.read() as conn:
                first = conn.execute(
                    select(tickets.c.id).where(
                        tickets.c.id.in_(issued), tickets.c.status == "called"
                    )
                ).scalar_one()

            def next_citizen(i: int) -> int:
                return http.post(
                    f"{servers[i % 2].url}/counter/call-next",
                    data={"ticket_id": first},
                    headers=headers,
                    timeout=60,
                ).status_code

            outcomes = _released(10, next_citizen)
            with db.read() as conn:
                rows = conn.execute(
                    select(tickets.c.id, tickets.c.status, tickets.c.counter).where(
                        tickets.c.id.in_(issued), tickets.c.status != "waiting"
                    )
                ).all()
                served_events = conn.execute(
                    select(func.count()).where(
                        call_events.c.ticket_id == first, call_events.c.kind == "served"
                    )
                ).scalar_one()
        finally:
            db.dispose()
    assert sorted(outcomes) == [200] + [409] * 9, outcomes
    assert {r.id: r.status for r in rows if r.id == first} == {first: "served"}
    called = [r for r in rows if r.status == "called"]
    assert len(rows) == 2 and len(called) == 1 and called[0].counter == "7"
    assert served_events == 1


def test_pages_calling_at_a_free_counter_at_once_call_one_citizen_to_it(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    """Ten "Panggil berikutnya" at a counter with nobody called, on both processes: one call."""
    _waiting(servers, 12)  # earlier tests may leave some waiting too: any may be called
    http, headers = _counter_page(servers[0].url, servers[0].db_url, "8")
    with http:

        def next_citizen(i: int) -> int:
            return http.post(
                f"{servers[i % 2].url}/counter/call-next", headers=headers, timeout=60
            ).status_code

        outcomes = _released(10, next_citizen)
    db = Database(servers[0].db_url)
    try:
        with db.read() as conn:
            called = conn.execute(
                select(tickets.c.id).where(tickets.c.status == "called", tickets.c.counter == "8")
            ).all()
    finally:
        db.dispose()
    assert sorted(outcomes) == [200] + [409] * 9, outcomes
    assert len(called) == 1


def _at(db_url: str, counter: str) -> list[tuple[str, str]]:
    """Every open ticket of the demo office at ``counter`` (id, status), and every waiting
    one (its counter ``None`` unless sent there), in id order."""
    db = Database(db_url)
    try:
        with db.read() as conn:
            rows = conn.execute(
                select(tickets.c.id, tickets.c.status)
                .where(
                    tickets.c.office_id == DEMO_OFFICE,
                    (tickets.c.counter == counter) | (tickets.c.status == "waiting"),
                    tickets.c.status.in_(("waiting", "called", "held")),
                )
                .order_by(tickets.c.id)
            ).all()
    finally:
        db.dispose()
    return [(r.id, r.status) for r in rows]


def _called_events(db_url: str) -> int:
    db = Database(db_url)
    try:
        with db.read() as conn:
            count: int = conn.execute(
                select(func.count()).where(call_events.c.kind == "call")
            ).scalar_one()
    finally:
        db.dispose()
    return count


def test_a_staff_call_next_at_a_counter_with_a_ticket_called_calls_nobody(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    """The API refuses a busy counter as the counter page does: 409, the queue unchanged."""
    _, token = _waiting(servers, 3)
    first = _call_next(servers[0], token, "1")
    assert first.status_code == 200 and first.json()["ticket"]["counter"] == "1", first.text
    before, events = _at(servers[0].db_url, "1"), _called_events(servers[0].db_url)

    for server in servers:  # from either process
        refused = _call_next(server, token, "1")
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["error"] == "counter_busy"
        called = first.json()["ticket"]
        named = f"{called['display']} ({called['day']}, {called['ticket_id']})"
        assert body["detail"].startswith(f"Loket 1 masih memanggil nomor {named}")
        assert f"/ Loket 1 still has ticket {named} called" in body["detail"]

    assert _at(servers[0].db_url, "1") == before  # nobody called, nothing moved
    assert _called_events(servers[0].db_url) == events  # nothing announced
    _serve(servers[0], token, first.json()["ticket"]["ticket_id"])


def test_a_ticket_left_called_the_day_before_is_named_so_the_api_can_close_it(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    """A ticket left called at a counter before midnight is in no queue the staff API
    lists, yet keeps the counter busy: the 409 names it, and closing it by that id frees
    the counter."""
    _, token = _waiting(servers, 2)
    left = _call_next(servers[0], token, "3").json()["ticket"]
    yesterday = dt.date.fromisoformat(left["day"]) - dt.timedelta(days=1)
    db = Database(servers[0].db_url)
    try:
        with db.begin() as conn:
            conn.execute(
                update(tickets).where(tickets.c.id == left["ticket_id"]).values(day=yesterday)
            )
    finally:
        db.dispose()
    queue = requests.get(f"{servers[1].url}/api/v1/staff/queue", headers=bearer(token), timeout=10)
    listed = {t["ticket_id"] for s in queue.json()["services"] for t in s["tickets"]}
    assert left["ticket_id"] not in listed  # a day before: in no queue of today

    refused = _call_next(servers[1], token, "3")
    assert refused.status_code == 409, refused.text
    assert (
        f"{left['display']} ({yesterday:%Y-%m-%d}, {left['ticket_id']})"
        in (refused.json()["detail"])
    )
    _serve(servers[1], token, left["ticket_id"])
    again = _call_next(servers[1], token, "3")
    assert again.status_code == 200 and again.json()["ticket"] is not None, again.text
    _serve(servers[1], token, again.json()["ticket"]["ticket_id"])


def test_a_counter_calls_again_once_its_ticket_is_served_and_over_a_held_one(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    _, token = _waiting(servers, 3)
    first = _call_next(servers[0], token, "2").json()["ticket"]
    assert _call_next(servers[1], token, "2").status_code == 409

    _serve(servers[1], token, first["ticket_id"])
    second = _call_next(servers[1], token, "2")
    assert second.status_code == 200, second.text
    ticket = second.json()["ticket"]
    assert ticket["status"] == "called" and ticket["ticket_id"] != first["ticket_id"]

    # A held ticket (tunda) does not keep the counter from calling the next citizen.
    held = requests.post(
        f"{servers[0].url}/api/v1/staff/tickets/{ticket['ticket_id']}/hold",
        headers=bearer(token),
        timeout=10,
    )
    assert held.status_code == 200, held.text
    third = _call_next(servers[0], token, "2")
    assert third.status_code == 200 and third.json()["ticket"] is not None, third.text
    assert third.json()["ticket"]["ticket_id"] not in (first["ticket_id"], ticket["ticket_id"])

    # The held one is called back only once none is called there: until then, 409.
    def call_back() -> requests.Response:
        return requests.post(
            f"{servers[1].url}/api/v1/staff/tickets/{ticket['ticket_id']}/call-back",
            json={"counter": "2"},
            headers=bearer(token),
            timeout=10,
        )

    refused = call_back()
    assert (refused.status_code, refused.json()["error"]) == (409, "counter_busy"), refused.text
    assert dict(_at(servers[0].db_url, "2"))[ticket["ticket_id"]] == "held"
    _serve(servers[0], token, third.json()["ticket"]["ticket_id"])
    again = call_back()
    assert again.status_code == 200 and again.json()["status"] == "called", again.text
    _serve(servers[0], token, ticket["ticket_id"])


def test_staff_clients_calling_next_at_one_counter_at_once_call_one_citizen_to_it(
    servers: tuple[RunningCentral, RunningCentral],
) -> None:
    """Twenty call-nexts to one free counter, on both processes at once: one call, 19 × 409."""
    racers = 20
    _, token = _waiting(servers, racers)  # enough waiting for every racer to call one
    sessions = [requests.Session() for _ in range(racers)]
    try:
        answers = _released(racers, lambda i: _call_next(servers[i % 2], token, "3", sessions[i]))
    finally:
        for session in sessions:
            session.close()
    outcomes = sorted((a.status_code, a.json().get("error")) for a in answers)
    assert outcomes == [(200, None)] + [(409, "counter_busy")] * (racers - 1), outcomes
    called = [s for _, s in _at(servers[0].db_url, "3") if s == "called"]
    assert len(called) == 1
    (winner,) = [a.json()["ticket"] for a in answers if a.status_code == 200]
    assert winner is not None and winner["counter"] == "3"
    _serve(servers[0], token, winner["ticket_id"])
