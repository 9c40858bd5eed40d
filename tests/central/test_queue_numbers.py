"""Kiosk codes, online numbers and leases of a queue, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
import requests
from alembic import command
from sqlalchemy import column, func, insert, select, table

from central.access.kiosks import next_kiosk_code
from central.database import Database, alembic_config, migrate
from central.process import RunningCentral
from central.tables import UtcDateTime, kiosks, offices, tickets
from testkit.centre_accounts import DEMO_OFFICE, bearer, enrol, new_code, new_kiosk
from testkit.centre_requests import (
    allocate,
    lease,
    new_id,
    registration,
    results,
    return_lease,
    today,
)

pytestmark = pytest.mark.timeout(120)


def test_each_kiosk_gets_its_own_code_at_enrolment(
    central_server: RunningCentral, operator: Database
) -> None:
    answers = [enrol(central_server.url, new_code(operator)).json() for _ in range(3)]
    codes = [a["kiosk_code"] for a in answers]
    assert all(re.fullmatch(r"K[0-9]{2,7}", c) for c in codes), codes
    assert len(set(codes)) == 3
    me = requests.get(
        f"{central_server.url}/api/v1/kiosks/me", headers=bearer(answers[1]["token"]), timeout=5
    )
    assert me.status_code == 200
    assert me.json() == {
        "kiosk_id": answers[1]["kiosk_id"],
        "office_id": DEMO_OFFICE,
        "kiosk_code": codes[1],
        "name": "test",
    }
    with operator.read() as conn:
        stored = list(conn.execute(select(kiosks.c.kiosk_code)).scalars())
    assert len(stored) == len(set(stored)) and None not in stored


def test_online_numbers_follow_each_other_and_a_retry_gets_the_same(
    central_server: RunningCentral, kiosk_token: str
) -> None:
    url = central_server.url
    first_id = new_id()
    first = allocate(url, kiosk_token, "puskesmas-umum", first_id)
    second = allocate(url, kiosk_token, "puskesmas-umum")
    assert first.status_code == second.status_code == 201, first.text
    a, b = first.json(), second.json()
    assert b["number"] == a["number"] + 1
    assert a["display"] == f"A-{a['number']:03d}"
    assert (a["ticket_id"], a["office_id"], a["service_id"]) == (
        first_id,
        DEMO_OFFICE,
        "puskesmas-umum",
    )
    assert a["day"] == today().isoformat() and a["counter"] == "1"
    assert b["people_ahead"] == a["people_ahead"] + 1
    assert b["estimated_wait_minutes"] >= a["estimated_wait_minutes"] >= 0

    again = allocate(url, kiosk_token, "puskesmas-umum", first_id)
    assert again.status_code == 200
    assert again.json()["number"] == a["number"]

    other_service = allocate(url, kiosk_token, "ktp-cetak-ulang", first_id)
    assert other_service.status_code == 409
    assert other_service.json()["error"] == "conflict"
    unknown = allocate(url, kiosk_token, "no-such-service")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "unknown_service"
    bad_id = allocate(url, kiosk_token, "puskesmas-umum", "not-a-uuid")
    assert bad_id.status_code == 422


def test_one_ticket_id_sent_many_times_at_once_takes_one_number(
    central_server: RunningCentral, kiosk_token: str
) -> None:
    url, ticket_id = central_server.url, new_id()
    barrier = threading.Barrier(8)
    answers: list[requests.Response] = []

    def send() -> None:
        with requests.Session() as session:
            barrier.wait(timeout=30)
            answers.append(allocate(url, kiosk_token, "kk-perubahan", ticket_id, session=session))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["number"] for a in answers}) == 1
    following = allocate(url, kiosk_token, "kk-perubahan").json()["number"]
    assert following == answers[0].json()["number"] + 1, "a retry left a gap"


def test_fifty_kiosks_at_once_never_share_a_number_and_leave_no_gap(
    central_server: RunningCentral, operator: Database
) -> None:
    """50 kiosks, each in its own thread and session, allocate and lease from one queue at once."""
    url, service = central_server.url, "kk-perubahan"
    tokens = [new_kiosk(operator, url)[1] for _ in range(50)]
    barrier = threading.Barrier(len(tokens))
    online: list[tuple[str, int]] = []
    blocks: list[dict[str, Any]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def kiosk(index: int, token: str) -> None:
        with requests.Session() as session:
            barrier.wait(timeout=30)
            for step in range(4):
                if index % 5 == 0 and step == 1:  # every fifth kiosk leases between tickets
                    got = lease(url, token, service, 3, session=session)
                    with lock:
                        if got.status_code == 201:
                            blocks.append(got.json() | {"token": token})
                        else:
                            failures.append(got.text)
                ticket_id = new_id()
                answer = allocate(url, token, service, ticket_id, session=session)
                with lock:
                    if answer.status_code == 201:
                        online.append((ticket_id, answer.json()["number"]))
                    else:
                        failures.append(answer.text)

    threads = [threading.Thread(target=kiosk, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not failures, failures[:3]
    assert len(online) == 200 and len(blocks) == 10

    numbers = [n for _, n in online]
    leased: list[int] = []
    for block in blocks:
        assert block["end"] - block["start"] == 2
        leased += range(block["start"], block["end"] + 1)
    assert len(numbers + leased) == len(set(numbers + leased)) == 230, "a number given twice"
    assert max(numbers) - min(numbers) == 199, "a gap in the online numbers"
    assert max(leased) - min(leased) == 29, "a gap in the leased numbers"
    assert max(numbers) < min(leased), "leased numbers are taken from the top down"

    with operator.read() as conn:
        stored = {
            row.id: row.number
            for row in conn.execute(
                select(tickets.c.id, tickets.c.number).where(
                    tickets.c.id.in_([t for t, _ in online])
                )
            )
        }
    assert stored == dict(online)

    # Returned numbers are void: they are never handed out again.
    for block in blocks[:3]:
        back = return_lease(url, block["token"], block["lease_id"], block["start"] + 1)
        assert back.json()["returned"] == [block["start"] + 1, block["end"]]
    after = allocate(url, tokens[0], service)
    assert after.json()["number"] == max(numbers) + 1
    assert after.json()["number"] not in leased


def test_leases_come_from_the_top_and_returned_numbers_are_void(
    central_server: RunningCentral, operator: Database
) -> None:
    url, service = central_server.url, "izin-usaha-mikro"
    _, token = new_kiosk(operator, url)
    _, other = new_kiosk(operator, url)
    got = lease(url, token, service, 5)
    assert got.status_code == 201, got.text
    block = got.json()
    assert block["end"] == block["start"] + 4
    assert (block["office_id"], block["service_id"], block["day"]) == (
        DEMO_OFFICE,
        service,
        today().isoformat(),
    )
    expires = dt.datetime.fromisoformat(block["expires_at"])
    assert expires.astimezone(dt.timezone(dt.timedelta(hours=7))).time() == dt.time(0, 0)
    online = allocate(url, other, service).json()["number"]
    assert online < block["start"], "a leased block does not push the online numbers up"

    start = block["start"]
    used = results(url, token, [registration(new_id(), service, f"D-{start + 3:03d}", "lease")])
    assert used[0]["status"] == "accepted", used

    assert return_lease(url, other, block["lease_id"], start + 1).status_code == 404
    back = return_lease(url, token, block["lease_id"], start + 1)
    assert back.status_code == 200
    # start + 3 was printed already: only the numbers after it are void.
    assert back.json() == {"lease_id": block["lease_id"], "returned": [start + 4, start + 4]}
    assert return_lease(url, token, block["lease_id"], start).json()["returned"] == [
        start + 4,
        start + 4,
    ]
    late = results(url, token, [registration(new_id(), service, f"D-{start + 4:03d}", "lease")])
    assert (late[0]["status"], late[0]["error"]) == ("invalid", "invalid_number")
    early = results(url, token, [registration(new_id(), service, f"D-{start + 1:03d}", "lease")])
    assert early[0]["status"] == "accepted"


def test_a_lease_is_for_today_or_tomorrow(central_server: RunningCentral, kiosk_token: str) -> None:
    url = central_server.url
    tomorrow = lease(url, kiosk_token, "puskesmas-umum", 2, day=today() + dt.timedelta(days=1))
    assert tomorrow.status_code == 201
    ends = dt.datetime.fromisoformat(tomorrow.json()["expires_at"])
    assert ends == dt.datetime.combine(
        today() + dt.timedelta(days=2), dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=7))
    )
    for day in (today() - dt.timedelta(days=1), today() + dt.timedelta(days=2)):
        refused = lease(url, kiosk_token, "puskesmas-umum", 2, day=day)
        assert refused.status_code == 422
        assert refused.json()["error"] == "invalid_day"
    assert lease(url, kiosk_token, "puskesmas-umum", 501).status_code == 422
    assert lease(url, kiosk_token, "no-such-service", 1).status_code == 404


def test_a_kiosk_may_hold_only_so_many_leases_and_numbers_of_a_queue_a_day(
    central_server: RunningCentral, operator: Database
) -> None:
    """Defaults: 4 unused leases and 500 numbers per kiosk, queue and day; then 409 lease_limit."""
    url = central_server.url
    _, token = new_kiosk(operator, url)
    _, neighbour = new_kiosk(operator, url)
    service = "izin-usaha-mikro"
    blocks = []
    for _ in range(4):
        got = lease(url, token, service, 1)
        assert got.status_code == 201, got.text
        blocks.append(got.json())
    refused = lease(url, token, service, 1)
    assert (refused.status_code, refused.json()["error"]) == (409, "lease_limit")
    assert "4" in refused.json()["detail"]
    # Others are not held back: another kiosk, another queue, tomorrow.
    assert lease(url, neighbour, service, 1).status_code == 201
    assert lease(url, token, "kk-perubahan", 1).status_code == 201
    assert lease(url, token, service, 1, day=today() + dt.timedelta(days=1)).status_code == 201

    # A lease given back, or used up, is no longer held.
    assert return_lease(url, token, blocks[0]["lease_id"], blocks[0]["start"]).status_code == 200
    assert lease(url, token, service, 1).status_code == 201
    assert lease(url, token, service, 1).status_code == 409
    used = f"D-{blocks[1]['start']:03d}"
    assert (
        results(url, token, [registration(new_id(), service, used, "lease")])[0]["status"]
        == "accepted"
    )
    assert lease(url, token, service, 495).status_code == 201  # 500 in all

    # Every number counts, used, returned or not: the day's 500 are spent.
    assert return_lease(url, token, blocks[2]["lease_id"], blocks[2]["start"]).status_code == 200
    over = lease(url, token, service, 1)
    assert (over.status_code, over.json()["error"]) == (409, "lease_limit")
    assert "500" in over.json()["detail"]


def test_migration_gives_existing_kiosks_codes_in_enrolment_order(db_url: str) -> None:
    db = Database(db_url)
    # The tables as revision 0001 made them (no kiosk_code column yet).
    old_kiosks = table(
        "kiosks",
        column("id"),
        column("office_id"),
        column("name"),
        column("enrolled_at", UtcDateTime),
    )
    old_tokens = table(
        "kiosk_tokens",
        column("token_hash"),
        column("kiosk_id"),
        column("created_at", UtcDateTime),
    )
    try:
        migrate(db, "0001_initial")
        base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        with db.begin() as conn:
            conn.execute(insert(offices).values(id="o", name="O", city="C", active=True))
            for name, minutes in (("second", 5), ("first", 1), ("third", 9)):
                at = base + dt.timedelta(minutes=minutes)
                conn.execute(
                    insert(old_kiosks).values(
                        id=f"kiosk-{name}", office_id="o", name=name, enrolled_at=at
                    )
                )
                conn.execute(
                    insert(old_tokens).values(
                        token_hash=name * 8, kiosk_id=f"kiosk-{name}", created_at=at
                    )
                )
        migrate(db)
        with db.begin() as conn:
            codes = {r.name: r.kiosk_code for r in conn.execute(select(kiosks))}
            assert codes == {"first": "K01", "second": "K02", "third": "K03"}
            assert next_kiosk_code(conn) == "K04"
        # Down again keeps the kiosks (and the tokens that refer to them).
        command.downgrade(alembic_config(db), "0001_initial")
        with db.read() as conn:
            assert conn.execute(select(func.count()).select_from(old_kiosks)).scalar_one() == 3
    finally:
        db.dispose()


def test_parallel_leases_of_one_kiosk_take_turns_at_the_limit(
    central_server: RunningCentral, operator: Database
) -> None:
    """16 requests for 500 numbers at once: one lease, not several past one check."""
    url, parallel = central_server.url, 16
    _, token = new_kiosk(operator, url)
    barrier = threading.Barrier(parallel)
    answers: list[requests.Response] = []

    def send() -> None:
        with requests.Session() as session:
            barrier.wait(timeout=30)
            answers.append(lease(url, token, "puskesmas-umum", 500, session=session))

    threads = [threading.Thread(target=send) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == parallel, "a request did not come back"
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (parallel - 1), codes
    assert {a.json()["error"] for a in answers if a.status_code == 409} == {"lease_limit"}


def test_fallback_numbers_are_capped_per_kiosk_queue_and_day_like_leases(
    central_server: RunningCentral, operator: Database
) -> None:
    """Fallback tickets are capped as leases are: the same 500 per kiosk, queue and day."""
    url = central_server.url
    _, token = new_kiosk(operator, url)
    _, neighbour = new_kiosk(operator, url)
    service, prefix = "kk-perubahan", "C"
    me = requests.get(f"{url}/api/v1/kiosks/me", headers=bearer(token), timeout=5).json()
    code = me["kiosk_code"]

    def fallbacks(first: int, count: int, kiosk: str = code) -> list[dict[str, Any]]:
        return [
            registration(new_id(), service, f"{prefix}-{kiosk}-{n:03d}", "fallback")
            for n in range(first, first + count)
        ]

    limit = 500
    taken = results(url, token, fallbacks(1, limit - 1))
    assert {r["status"] for r in taken} == {"accepted"}
    last_two = results(url, token, fallbacks(limit, 2))
    assert [r["status"] for r in last_two] == ["accepted", "invalid"]
    assert last_two[1]["error"] == "fallback_limit"
    again = results(url, token, fallbacks(limit + 2, 1))[0]
    assert (again["status"], again["error"]) == ("invalid", "fallback_limit")
    # Another kiosk is not held back.
    other = requests.get(f"{url}/api/v1/kiosks/me", headers=bearer(neighbour), timeout=5).json()
    fine = results(url, neighbour, fallbacks(1, 1, other["kiosk_code"]))[0]
    assert fine["status"] == "accepted", fine
