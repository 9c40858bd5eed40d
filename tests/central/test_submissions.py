"""``POST /api/v1/submissions``: idempotent by key, per-item verdicts, ticket numbers checked."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    Text,
    cast,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import StatementError
from sqlalchemy.sql.compiler import SQLCompiler

from central.access.kiosks import KioskPrincipal
from central.database import Database
from central.office import numbering
from central.office import submissions as submissions_store
from central.office.submissions import Item, Outcome
from central.process import RunningCentral
from central.settings import DEMO_ENROLMENT_CODE
from central.tables import (
    UtcDateTime,
    complaints,
    kiosk_heartbeats,
    kiosks,
    submissions,
    tickets,
)
from testkit.centre_accounts import DEMO_OFFICE, bearer, enrol, new_code, new_kiosk
from testkit.centre_requests import (
    ZONE,
    allocate,
    complaint,
    lease,
    new_id,
    now_iso,
    registration,
    results,
)
from testkit.waits import run_with_deadline

pytestmark = pytest.mark.timeout(120)

#: The audit key the batches are stored with (who a visit's place is held for).
KEY = b"k" * 32


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_replay_conflict_and_invalid_in_one_mixed_batch(
    central_server: RunningCentral, kiosk_token: str, operator: Database
) -> None:
    url = central_server.url
    first = complaint(new_id())
    accepted = results(url, kiosk_token, [first])
    assert accepted[0] == {
        "key": first["key"],
        "status": "accepted",
        "error": None,
        "detail": None,
        "result": {"reference": first["body"]["reference"]},
    }

    changed = copy.deepcopy(first)
    changed["body"]["text"] = "Antrean terlalu lama."
    reordered = {
        "key": first["key"],
        "body": dict(reversed(first["body"].items())),
        "kind": first["kind"],
    }
    fresh = complaint(new_id())
    retired = {  # the placeholder kind a check-in had before it rode on its registration
        "key": new_id(),
        "kind": "appointment_checkin",
        "body": {
            "office_id": "pku-mpp",
            "appointment_ref": "JANJI-0042",
            "card_number": None,
            "checked_in_at": now_iso(),
        },
    }
    unknown_kind = {"key": new_id(), "kind": "pizza_order", "body": {"office_id": "pku-mpp"}}
    wrong_office = complaint(new_id()) | {}
    wrong_office["body"] = wrong_office["body"] | {"office_id": "another-office"}
    empty_text = complaint(new_id(), text="")
    no_service = registration(new_id(), "no-such-service", "Z-001", "fallback")
    batch = [
        reordered, changed, fresh, unknown_kind, retired, wrong_office, empty_text,
        no_service, fresh,
    ]  # fmt: skip
    got = results(url, kiosk_token, batch)
    assert [(r["status"], r["error"]) for r in got] == [
        ("replayed", None),  # the same body, keys in another order
        ("conflict", "conflict"),
        ("accepted", None),
        ("invalid", "unknown_kind"),
        ("invalid", "unknown_kind"),  # appointment_checkin is retired
        ("invalid", "wrong_office"),
        ("invalid", "invalid_body"),
        ("invalid", "unknown_service"),
        ("replayed", None),  # the same key twice in one batch
    ]
    assert got[0]["result"] == accepted[0]["result"]
    assert all(r["detail"] for r in got if r["status"] in ("invalid", "conflict"))

    with operator.read() as conn:
        stored = conn.execute(select(submissions).where(submissions.c.key == fresh["key"])).one()
        invalid_stored = conn.execute(
            select(submissions.c.key).where(submissions.c.key == unknown_kind["key"])
        ).first()
    assert json.loads(stored.body) == fresh["body"] and stored.kind == "complaint"
    assert invalid_stored is None, "invalid items are not stored"

    # A replay of the whole batch answers the same again.
    again = results(url, kiosk_token, batch)
    assert [r["status"] for r in again] == [
        "replayed", "conflict", "replayed", "invalid", "invalid", "invalid", "invalid",
        "invalid", "replayed",
    ]  # fmt: skip


def test_a_malformed_envelope_is_422(central_server: RunningCentral, kiosk_token: str) -> None:
    item = complaint(new_id())
    for envelope in (
        {"items": []},
        {"items": [item] * 501},
        {"items": [item | {"key": "k" * 65}]},
        {"items": [item | {"body": "not an object"}]},
        {"items": [{"key": "k", "body": {}}]},
        {"things": [item]},
    ):
        response = requests.post(
            f"{central_server.url}/api/v1/submissions",
            json=envelope,
            headers=bearer(kiosk_token),
            timeout=10,
        )
        assert response.status_code == 422, envelope.keys()
        assert response.json()["error"] == "invalid_request"


def _post_raw(url: str, token: str, raw: bytes) -> requests.Response:
    headers = {**bearer(token), "Content-Type": "application/json"}
    return requests.post(f"{url}/api/v1/submissions", data=raw, headers=headers, timeout=10)


def test_a_batch_pydantic_cannot_read_is_answered_as_any_body(
    central_server: RunningCentral, kiosk_token: str
) -> None:
    """The batch is read by pydantic's JSON parser; what that parser refuses is read
    again as FastAPI reads any body, so such a body is answered as it always was."""
    url = central_server.url
    item = complaint(new_id())
    text = json.dumps({"items": [item]}).encode()
    # a lone surrogate: Python's JSON reads it, the item is then refused on its own
    lone = complaint(new_id())
    lone_raw = json.dumps({"items": [lone]}).replace("AC di", "\\ud800 AC di").encode()
    got = _post_raw(url, kiosk_token, lone_raw)
    assert got.status_code == 200, got.text
    assert [(r["status"], r["error"], r["detail"]) for r in got.json()["results"]] == [
        ("invalid", "invalid_body", "a text is not valid Unicode")
    ]
    # a byte-order mark: Python's JSON skips it, the item is taken
    got = _post_raw(url, kiosk_token, b"\xef\xbb\xbf" + text)
    assert got.status_code == 200, got.text
    assert got.json()["results"][0]["status"] == "accepted"
    # not JSON: FastAPI's own answer, with the position of the error
    got = _post_raw(url, kiosk_token, text[:-1])
    assert got.status_code == 422, got.text
    assert got.json() == {
        "error": "invalid_request",
        "detail": [
            {"loc": ["body", len(text) - 1], "msg": "JSON decode error", "type": "json_invalid"}
        ],
    }
    # a field out of bounds: the field named, as before
    bad_key = json.dumps({"items": [item | {"key": "k y"}]}).encode()
    got = _post_raw(url, kiosk_token, bad_key)
    assert got.status_code == 422, got.text
    assert [(d["loc"], d["type"]) for d in got.json()["detail"]] == [
        (["body", "items", 0, "key"], "string_pattern_mismatch")
    ]


def _asgi_post(app: FastAPI, path: str, raw: bytes, token: str | None = None) -> tuple[int, Any]:
    """POST ``raw`` (JSON) to the app in this process, straight through ASGI: (status, JSON)."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(raw))]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    run_with_deadline(lambda: asyncio.run(app(scope, receive, send)), 30, "the request")
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)


def test_a_batch_is_parsed_once(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """A well-formed batch goes from its bytes to the model in one pass: the body is
    never handed to ``json.loads`` (then validated as dicts, a second walk of 500 items)."""
    enrol_body = json.dumps({"code": DEMO_ENROLMENT_CODE, "name": "t"}).encode()
    status, enrolled = _asgi_post(app, "/api/v1/enrol", enrol_body)
    assert status == 201, enrolled
    token = enrolled["token"]
    raw = json.dumps({"items": [complaint(new_id()) for _ in range(3)]}).encode()
    real_loads, decoded = json.loads, list[bytes]()

    def loads(text: Any, *args: Any, **kwargs: Any) -> Any:
        if text in (raw, refused):
            decoded.append(text)
        return real_loads(text, *args, **kwargs)

    refused = raw.replace(b'"key": "', b'"key": "k y', 1)  # read again, as any body
    monkeypatch.setattr(json, "loads", loads)
    status, answer = _asgi_post(app, "/api/v1/submissions", raw, token)
    assert status == 200, answer
    assert [r["status"] for r in answer["results"]] == ["accepted"] * 3
    assert decoded == []
    status, answer = _asgi_post(app, "/api/v1/submissions", refused, token)
    assert status == 422, answer
    assert decoded == [refused]


def test_online_numbers_must_be_allocated_to_the_same_ticket(
    central_server: RunningCentral, kiosk_token: str, operator: Database
) -> None:
    url = central_server.url
    ticket_id = new_id()
    number = allocate(url, kiosk_token, "ktp-cetak-ulang", ticket_id).json()["display"]
    stranger = new_id()
    got = results(
        url,
        kiosk_token,
        [
            registration(ticket_id, "ktp-cetak-ulang", number, "online"),
            registration(stranger, "ktp-cetak-ulang", number, "online"),
            registration(new_id(), "ktp-cetak-ulang", "B-999", "online"),
        ],
    )
    assert got[0]["status"] == "accepted"
    assert got[0]["result"] == {"ticket_id": ticket_id, "number": number, "status": "waiting"}
    assert [(r["status"], r["error"]) for r in got[1:]] == [("invalid", "invalid_number")] * 2
    with operator.read() as conn:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
    assert row.registered_at is not None and row.display == number


def test_lease_numbers_must_lie_in_a_lease_of_this_kiosk(
    central_server: RunningCentral, operator: Database
) -> None:
    url, service = central_server.url, "ktp-cetak-ulang"
    _, token = new_kiosk(operator, url)
    _, other = new_kiosk(operator, url)
    block = lease(url, token, service, 3).json()
    start, end = block["start"], block["end"]
    mine = registration(new_id(), service, f"B-{start:03d}", "lease")
    got = results(
        url,
        token,
        [
            mine,
            registration(new_id(), service, f"B-{start:03d}", "lease"),  # the same number again
            registration(new_id(), service, f"B-{end + 1:03d}", "lease"),  # past the lease
            registration(new_id(), service, f"A-{start + 1:03d}", "lease"),  # another prefix
            registration(new_id(), service, f"B-{start + 1:04d}", "lease"),  # not as printed
        ],
    )
    assert [(r["status"], r["error"]) for r in got] == [
        ("accepted", None),
        ("invalid", "duplicate_number"),
        ("invalid", "invalid_number"),
        ("invalid", "invalid_number"),
        ("invalid", "invalid_number"),
    ]
    theirs = results(url, other, [registration(new_id(), service, f"B-{end:03d}", "lease")])
    assert (theirs[0]["status"], theirs[0]["error"]) == ("invalid", "invalid_number")
    with operator.read() as conn:
        row = conn.execute(select(tickets).where(tickets.c.id == mine["key"])).one()
    assert (row.number, row.number_source, row.lease_id) == (start, "lease", block["lease_id"])


def test_fallback_numbers_carry_this_kiosks_code_and_join_the_sequence(
    central_server: RunningCentral, operator: Database
) -> None:
    url, service = central_server.url, "ktp-cetak-ulang"
    mine = enrol(url, new_code(operator)).json()
    theirs = enrol(url, new_code(operator)).json()
    code, token = mine["kiosk_code"], mine["token"]
    first = registration(new_id(), service, f"B-{code}-001", "fallback")
    second = registration(new_id(), service, f"B-{code}-002", "fallback")
    got = results(
        url,
        token,
        [
            first,
            second,
            registration(new_id(), service, f"B-{code}-001", "fallback"),
            registration(new_id(), service, f"B-{theirs['kiosk_code']}-003", "fallback"),
            registration(new_id(), service, f"B-{code}-1", "fallback"),
        ],
    )
    assert [(r["status"], r["error"]) for r in got] == [
        ("accepted", None),
        ("accepted", None),
        ("invalid", "duplicate_number"),
        ("invalid", "invalid_number"),
        ("invalid", "invalid_number"),
    ]
    assert got[0]["result"]["number"] == f"B-{code}-001"
    after = allocate(url, token, service).json()["number"]
    with operator.read() as conn:
        rows = {
            r.id: r
            for r in conn.execute(
                select(tickets).where(tickets.c.id.in_([first["key"], second["key"]]))
            )
        }
    numbers = [rows[first["key"]].number, rows[second["key"]].number]
    assert numbers == [after - 2, after - 1], "fallback tickets take the next numbers in turn"
    assert rows[first["key"]].display == f"B-{code}-001"


def test_a_lost_online_answer_gives_way_to_the_printed_number(
    central_server: RunningCentral, operator: Database
) -> None:
    """The kiosk allocated online but never got the answer, so it printed a fallback number."""
    url, service = central_server.url, "ktp-cetak-ulang"
    mine = enrol(url, new_code(operator)).json()
    ticket_id = new_id()
    online = allocate(url, mine["token"], service, ticket_id).json()
    printed = f"B-{mine['kiosk_code']}-007"
    got = results(url, mine["token"], [registration(ticket_id, service, printed, "fallback")])
    assert got[0]["status"] == "accepted"
    with operator.read() as conn:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
    assert (row.display, row.number_source) == (printed, "fallback")
    assert row.number != online["number"], "the online number is void"


def test_five_hundred_items_in_one_batch_and_again(
    central_server: RunningCentral, operator: Database
) -> None:
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    token, code = mine["token"], mine["kiosk_code"]
    block = lease(url, token, service, 200).json()
    items = [
        registration(new_id(), service, f"E-{block['start'] + i:03d}", "lease") for i in range(200)
    ]
    items += [registration(new_id(), service, f"E-{code}-{i:03d}", "fallback") for i in range(150)]
    items += [complaint(new_id()) for _ in range(150)]
    got = results(url, token, items)
    assert {r["status"] for r in got} == {"accepted"}, [r for r in got if r["error"]][:3]
    again = results(url, token, items)
    assert [r["status"] for r in again] == ["replayed"] * 500
    assert [r["result"] for r in again] == [r["result"] for r in got]


def test_two_batches_of_one_kiosk_racing_with_one_key_store_it_once(
    central_server: RunningCentral, operator: Database
) -> None:
    """The second batch waits for the first, then finds its key (keys are per kiosk)."""
    url = central_server.url
    kiosk = KioskPrincipal(new_kiosk(operator, url)[0], DEMO_OFFICE)
    kiosks = [kiosk, kiosk]
    shared, own = complaint(new_id()), complaint(new_id())
    batch = [Item(i["key"], i["kind"], i["body"]) for i in (shared, own)]
    later: list[list[Outcome]] = []

    def second() -> None:
        with operator.begin() as conn:
            later.append(
                submissions_store.submit(
                    conn, kiosks[1], batch[:1], now=utc_now(), zone=ZONE, audit_key=KEY
                )
            )

    with operator.begin() as conn:
        first = submissions_store.submit(
            conn, kiosks[0], batch, now=utc_now(), zone=ZONE, audit_key=KEY
        )
        racer = threading.Thread(target=second)
        racer.start()
        time.sleep(0.5)  # let it reach the key's row lock (or SQLite's write lock) first
    racer.join(30)
    assert [o.status for o in first] == ["accepted", "accepted"]
    assert [(o.status, o.result) for o in later[0]] == [("replayed", first[0].result)]


def _statements(operator: Database, kiosk: KioskPrincipal, items: list[dict[str, Any]]) -> int:
    """How many statements storing ``items`` as one batch sends to the database."""
    sent: list[str] = []
    with operator.begin() as conn:
        event.listen(conn, "before_cursor_execute", lambda *args: sent.append(args[2]))
        got = submissions_store.submit(
            conn,
            kiosk,
            [Item(i["key"], i["kind"], i["body"]) for i in items],
            audit_key=KEY,
            now=utc_now(),
            zone=ZONE,
        )
    assert {o.status for o in got} == {"accepted"}, [o for o in got if o.error][:3]
    return len(sent)


def test_a_batch_asks_the_database_as_often_whatever_its_size(
    central_server: RunningCentral, operator: Database
) -> None:
    """A batch is a handful of statements, none per item: 4 items or 120 ask as often."""
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    numbers = iter(range(1, 1000))

    def batch(size: int) -> list[dict[str, Any]]:
        half = size // 2
        fallbacks = [
            registration(
                new_id(), service, f"E-{mine['kiosk_code']}-{next(numbers):03d}", "fallback"
            )
            for _ in range(half)
        ]
        return fallbacks + [complaint(new_id()) for _ in range(size - half)]

    small, large = _statements(operator, kiosk, batch(4)), _statements(operator, kiosk, batch(120))
    assert large == small


def test_a_batch_binds_each_of_its_lists_as_one_parameter(
    central_server: RunningCentral, operator: Database
) -> None:
    """A batch reads its stored keys, its tickets and the numbers taken by lists as long
    as the batch: each list is one parameter (an array, a JSON array), so 4 items or 120
    send each read with as many parameters. Keys with quotes, backslashes and non-ASCII
    text are found again as sent: sent twice, each is answered ``replayed``."""
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    numbers = iter(range(1, 1000))

    def store(items: list[dict[str, Any]]) -> tuple[list[str], list[tuple[str, int]]]:
        sent: list[tuple[str, int]] = []

        def count(*args: Any) -> None:
            statement, parameters, many = args[2], args[3], args[5]
            if not many and statement.lstrip().upper().startswith(("SELECT", "WITH")):
                sent.append((" ".join(statement.split())[:60], len(parameters)))

        with operator.begin() as conn:
            event.listen(conn, "before_cursor_execute", count)
            got = submissions_store.submit(
                conn,
                kiosk,
                [Item(i["key"], i["kind"], i["body"]) for i in items],
                audit_key=KEY,
                now=utc_now(),
                zone=ZONE,
            )
        return [o.status for o in got], sorted(sent)

    def batch(size: int) -> list[dict[str, Any]]:
        code = mine["kiosk_code"]
        return [
            registration(new_id(), service, f"E-{code}-{next(numbers):03d}", "fallback")
            for _ in range(size // 2)
        ] + [complaint(new_id()) for _ in range(size - size // 2)]

    small, large = batch(4), batch(120)
    small_status, small_reads = store(small)
    large_status, large_reads = store(large)
    assert set(small_status) == set(large_status) == {"accepted"}
    assert large_reads == small_reads
    odd = [complaint(new_id()) for _ in range(3)]
    for item, key in zip(odd, ("kunci 'satu'", 'dua "\\" é', "tiga ✓ \u00e9"), strict=True):
        item["key"] = key
    assert store(odd)[0] == ["accepted"] * 3
    assert store(odd)[0] == ["replayed"] * 3


def test_a_batch_converts_its_time_of_receipt_once_and_stores_it_as_the_column_does(
    central_server: RunningCentral, operator: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The centre's time of receipt is in each new ticket (recorded, registered) and each
    submission (received): it is converted for the database once per statement, not once
    per row (2 items or 30 convert it as often), and stored exactly as the columns' type
    stores a time, so a query by that time finds every row, to the microsecond."""
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    numbers = iter(range(1, 1000))
    converted: list[object] = []
    convert = UtcDateTime.process_bind_param

    def counting(self: UtcDateTime, value: Any, dialect: Any) -> Any:
        converted.append(value)
        return convert(self, value, dialect)

    monkeypatch.setattr(UtcDateTime, "process_bind_param", counting)

    def store(size: int, now: dt.datetime) -> list[str]:
        code = mine["kiosk_code"]
        items = [
            registration(new_id(), service, f"E-{code}-{next(numbers):03d}", "fallback")
            for _ in range(size - 1)
        ] + [complaint(new_id())]
        with operator.begin() as conn:
            got = submissions_store.submit(
                conn,
                kiosk,
                [Item(i["key"], i["kind"], i["body"]) for i in items],
                audit_key=KEY,
                now=now,
                zone=ZONE,
            )
        assert {o.status for o in got} == {"accepted"}, [o for o in got if o.error][:3]
        return [i["key"] for i in items]

    # The centre's clock a little ahead of the items' given times (and of the kiosk's
    # enrolment): no ticket is queued at the time of receipt itself, which a row would
    # then convert once more each (a second that began between the enrolment and "now"
    # did that, now and then).
    ahead = dt.timedelta(seconds=5)
    small_now = dt.datetime.now(ZONE).replace(microsecond=0) + ahead  # no fraction: 6 digits
    small = store(2, small_now)
    small_count = converted.count(small_now)
    converted.clear()
    large_now = dt.datetime.now(ZONE).replace(microsecond=5) + ahead
    large = store(30, large_now)
    assert converted.count(large_now) == small_count
    for keys, now in ((small, small_now), (large, large_now)):
        with operator.engine.connect() as conn:
            found = conn.execute(
                select(tickets.c.id, tickets.c.recorded_at, tickets.c.registered_at).where(
                    tickets.c.id.in_(keys),
                    tickets.c.recorded_at == now,
                    tickets.c.registered_at == now,
                )
            ).all()
            received = conn.execute(
                select(submissions.c.received_at).where(
                    submissions.c.kiosk_id == kiosk.kiosk_id,
                    submissions.c.key.in_(keys),
                    submissions.c.received_at == now,
                )
            ).all()
        assert len(found) == len(keys) - 1  # each registration's ticket (not the complaint)
        assert {t for row in found for t in row[1:]} == {now}
        assert [row.received_at for row in received] == [now] * len(keys)


def test_the_fallback_count_of_a_batch_reads_the_kiosk_index(operator: Database) -> None:
    """Every batch counts its kiosk's fallback numbers from the index on (kiosk, number
    source, day, service) alone (migration 0018): neither every ticket of the table nor
    each of the kiosk's tickets' rows (SQLite's plan says a covering index; PostgreSQL's
    planner chooses by the table's statistics, so its plan is asked for the index only)."""
    day = dt.date(2026, 12, 6)
    statement = submissions_store.fallback_counts("some-kiosk", day, day + dt.timedelta(days=2))
    with operator.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if not sqlite:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a small table: ask for the plan
        sql = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        plan = " ".join(str(row) for row in conn.exec_driver_sql(explain + str(sql)))
        conn.rollback()
    index = "ix_tickets_kiosk_id_number_source_day_service_id"
    assert (f"COVERING INDEX {index}" if sqlite else index) in plan, plan


def test_the_taken_numbers_of_a_batch_are_read_by_the_unique_indexes(
    operator: Database,
) -> None:
    """Every batch asks which of its numbers and displays another ticket has: each one
    by the unique index on (office, service, day, number or display), not by reading
    every ticket of the queue (a drain's later batches read more than its first).
    SQLite's plan follows the query's shape; PostgreSQL's planner chooses by the
    table's statistics (the duplicate checks themselves run on both backends above)."""
    day = dt.date(2026, 12, 6)
    wanted: dict[tuple[str, str, dt.date], tuple[set[object], set[object]]] = {
        (DEMO_OFFICE, "pengaduan-layanan", day): ({7, 8}, {"E-007", "E-K1-001"}),
    }
    with operator.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("PostgreSQL plans by the table's statistics, not the query's shape")
        statement = submissions_store.taken_numbers(wanted, conn.dialect.name)
        assert statement is not None
        sql = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        plan = " ".join(str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    for unique in ("number=?", "display=?"):
        assert f"(office_id=? AND service_id=? AND day=? AND {unique})" in plan, plan


def _submit(operator: Database, kiosk: KioskPrincipal, items: list[dict[str, Any]]) -> list[Any]:
    with operator.begin() as conn:
        got = submissions_store.submit(
            conn,
            kiosk,
            [Item(i["key"], i["kind"], i["body"]) for i in items],
            audit_key=KEY,
            now=utc_now(),
            zone=ZONE,
        )
    return [(o.status, o.error) for o in got]


def test_a_batch_hands_its_rows_to_the_driver_ready_whatever_its_size(
    central_server: RunningCentral, operator: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's new tickets and submissions go to the driver as rows made ready a
    column at a time: SQLAlchemy builds no parameters per row (it built and converted
    a dictionary for each, a tenth of a batch's work), so 4 items or 120 have it build
    as many; each table is still one ``executemany`` of every row."""
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    numbers = iter(range(1, 1000))
    built: list[int] = []
    construct = SQLCompiler.construct_params

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return construct(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "construct_params", counting)

    def store(size: int) -> tuple[int, list[int]]:
        code = mine["kiosk_code"]
        items = [
            registration(new_id(), service, f"E-{code}-{next(numbers):03d}", "fallback")
            for _ in range(size // 2)
        ] + [complaint(new_id()) for _ in range(size - size // 2)]
        inserted: list[int] = []

        def count(*args: Any) -> None:
            statement, parameters, many = args[2], args[3], args[5]
            if statement.lstrip().upper().startswith(("INSERT INTO TICKETS", "INSERT INTO SUB")):
                inserted.append(len(parameters) if many else 1)

        built.clear()
        with operator.begin() as conn:
            event.listen(conn, "before_cursor_execute", count)
            got = submissions_store.submit(
                conn,
                kiosk,
                [Item(i["key"], i["kind"], i["body"]) for i in items],
                audit_key=KEY,
                now=utc_now(),
                zone=ZONE,
            )
        assert {o.status for o in got} == {"accepted"}, [o for o in got if o.error][:3]
        return len(built), inserted

    small_built, small_rows = store(4)
    large_built, large_rows = store(120)
    assert large_built == small_built
    assert (small_rows, large_rows) == ([2, 4], [60, 120])  # tickets, then submissions


def _raw(conn: Connection, table: Table, keys: list[str]) -> list[tuple[Any, ...]]:
    """The rows of ``table`` whose first key column is one of ``keys``, each value as the
    database holds it: its text, and on SQLite its storage class too."""
    key = table.c.key if "key" in table.c else table.c.id
    sqlite = conn.dialect.name == "sqlite"
    values = [cast(c, Text) for c in table.c] + (
        [func.typeof(c) for c in table.c] if sqlite else []
    )
    return sorted(tuple(row) for row in conn.execute(select(*values).where(key.in_(keys))))


def test_a_batchs_rows_are_stored_as_sqlalchemys_own_insert_stores_them(
    central_server: RunningCentral, operator: Database
) -> None:
    """The rows a batch writes to the driver itself are, column by column and to the
    storage class, what SQLAlchemy's own ``INSERT`` of the same values stores: leased
    and fallback numbers, times given in far offsets (+14:00, -11:00, UTC), a ticket id
    another kiosk had (kept apart, under its own id), a complaint beside them."""
    url, service = central_server.url, "ktp-cetak-ulang"
    mine = enrol(url, new_code(operator)).json()
    other = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    block = lease(url, mine["token"], service, 3).json()
    code = mine["kiosk_code"]
    now = dt.datetime.now(dt.UTC)
    shared = new_id()
    theirs = registration(shared, service, f"B-{other['kiosk_code']}-001", "fallback")
    kiosk_other = KioskPrincipal(other["kiosk_id"], DEMO_OFFICE)
    assert _submit(operator, kiosk_other, [theirs]) == [("accepted", None)]
    items = [
        registration(new_id(), service, f"B-{block['start']:03d}", "lease"),
        registration(new_id(), service, f"B-{code}-001", "fallback"),
        registration(new_id(), service, f"B-{code}-002", "fallback"),
        registration(new_id(), service, f"B-{code}-003", "fallback"),
        registration(shared, service, f"B-{code}-004", "fallback"),
        complaint(new_id()),
    ]
    for item, offset in zip(items[1:4], (14, -11, 0), strict=True):
        zone = dt.timezone(dt.timedelta(hours=offset))
        item["body"]["ticket"]["issued_at"] = (
            (now - dt.timedelta(minutes=5)).astimezone(zone).isoformat()
        )
    assert _submit(operator, kiosk, items) == [("accepted", None)] * len(items)
    ids = [submissions_store.claimed_ticket_id(kiosk.kiosk_id, shared)] + [
        i["key"] for i in items[:4]
    ]
    keys = [i["key"] for i in items]
    with operator.begin() as conn:
        stored = {
            tickets: _raw(conn, tickets, ids),
            submissions: [r for r in _raw(conn, submissions, keys) if kiosk.kiosk_id in r],
        }
        assert [len(rows) for rows in stored.values()] == [5, 6]
        for table, key, wanted in (
            (tickets, tickets.c.id, ids),
            (submissions, submissions.c.key, keys),
        ):
            where: ColumnElement[bool] = key.in_(wanted)
            if table is submissions:
                where = where & (submissions.c.kiosk_id == kiosk.kiosk_id)
            rows = [dict(r._mapping) for r in conn.execute(select(table).where(where))]
            conn.execute(delete(table).where(where))
            conn.execute(insert(table), rows)  # SQLAlchemy's own parameters, row by row
        again = {
            tickets: _raw(conn, tickets, ids),
            submissions: [r for r in _raw(conn, submissions, keys) if kiosk.kiosk_id in r],
        }
    assert again == stored


#: What a ticket of a racing batch holds: every column without a default of the server's.
_RACER_COLUMNS = (
    *("id", "office_id", "service_id", "day", "number", "display", "number_source"),
    *("kiosk_id", "status", "issued_at", "recorded_at", "queue_id", "queued_at"),
)


def _take_number_first(conn: Connection, name: str, display: str) -> None:
    """Make a racing batch take the number ``display`` first: as a ticket numbered so is
    inserted, another ticket of its number and display is inserted just before it (in its
    statement, so gone with it), and the database's unique guards refuse the first, as
    when a batch racing this one committed the number between its check and its write."""
    columns = ", ".join(_RACER_COLUMNS)
    values = ", ".join(
        "'r' || substr(NEW.id, 2)" if c == "id" else f"NEW.{c}" for c in _RACER_COLUMNS
    )
    racer = f"INSERT INTO tickets ({columns}) VALUES ({values});"  # noqa: S608 - constants
    # ticket ids are hex: the racer's, starting with r, takes nothing itself
    when = f"NEW.display = '{display}' AND substr(NEW.id, 1, 1) <> 'r'"
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"CREATE TRIGGER {name} BEFORE INSERT ON tickets WHEN {when} BEGIN {racer} END"
        )
        return
    conn.exec_driver_sql(
        f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
        f"IF {when} THEN {racer} END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER {name} BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION {name}()"
    )


def _drop_trigger(conn: Connection, name: str) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
        return
    conn.exec_driver_sql(f"DROP TRIGGER {name} ON tickets")
    conn.exec_driver_sql(f"DROP FUNCTION {name}()")


def test_a_row_the_database_refuses_mid_batch_loses_nothing_and_keeps_nothing_of_it(
    central_server: RunningCentral, operator: Database
) -> None:
    """When the database refuses the k-th new ticket of a batch's one ``executemany``
    (its number taken meanwhile: the tickets' unique guard),
    nothing of that attempt stays (no ticket, no submission, no number taken); the batch
    is stored again item by item and only that item is refused: the others are stored
    once each and answered ``accepted``, and sent again they are ``replayed``."""
    url, service = central_server.url, "ktp-cetak-ulang"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    code = mine["kiosk_code"]
    items = [
        registration(new_id(), service, f"B-{code}-{n:03d}", "fallback") for n in range(1, 7)
    ] + [complaint(new_id())]
    refused = items[3]["body"]["ticket"]["number"]
    name = f"refuse_{uuid.uuid4().hex[:12]}"
    with operator.begin() as conn:
        _take_number_first(conn, name, refused)
    try:
        got = _submit(operator, kiosk, items)
    finally:
        with operator.begin() as conn:
            _drop_trigger(conn, name)
    assert (
        got
        == [("accepted", None)] * 3 + [("invalid", "duplicate_number")] + [("accepted", None)] * 3
    )
    keys = [i["key"] for i in items]
    with operator.read() as conn:
        stored = conn.execute(
            select(tickets.c.id, tickets.c.display, tickets.c.number).where(tickets.c.id.in_(keys))
        ).all()
        kept = (
            conn.execute(
                select(submissions.c.key).where(
                    submissions.c.kiosk_id == kiosk.kiosk_id, submissions.c.key.in_(keys)
                )
            )
            .scalars()
            .all()
        )
    assert sorted(r.id for r in stored) == sorted(keys[:3] + keys[4:6])
    assert refused not in {r.display for r in stored}
    assert sorted(kept) == sorted(keys[:3] + keys[4:])
    # the refused attempt took no number: the five are the queue's next five in a row
    numbers = sorted(r.number for r in stored)
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert (
        _submit(operator, kiosk, items)
        == [("replayed", None)] * 3 + [("accepted", None)] + [("replayed", None)] * 3
    )


def _refuse_category(conn: Connection, name: str, category: str) -> None:
    """Make the database itself refuse a complaint of ``category``: SQLite by a trigger
    (it adds no CHECK to a table), PostgreSQL by a CHECK constraint on new rows."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"CREATE TRIGGER {name} BEFORE INSERT ON complaints "
            f"WHEN NEW.category = '{category}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
        return
    conn.exec_driver_sql(
        f"ALTER TABLE complaints ADD CONSTRAINT {name} CHECK (category <> '{category}') NOT VALID"
    )


def test_a_numberless_item_the_database_refuses_mid_batch_is_invalid_body_not_a_taken_number(
    central_server: RunningCentral, operator: Database
) -> None:
    """A complaint has no number: when the database refuses it (a constraint of its
    own, not the tickets' number guards) it is answered ``invalid_body``, never
    ``duplicate_number``; the batch's other items, a ticket among them, are stored."""
    url = central_server.url
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    items = [
        complaint(new_id()),
        registration(new_id(), "ktp-cetak-ulang", f"B-{mine['kiosk_code']}-001", "fallback"),
        complaint(new_id()),
        complaint(new_id()),
    ]
    category = f"refused_{uuid.uuid4().hex[:8]}"
    items[2]["body"]["category"] = category
    name = f"refuse_{uuid.uuid4().hex[:12]}"
    with operator.begin() as conn:
        _refuse_category(conn, name, category)
    try:
        got = _submit(operator, kiosk, items)
    finally:
        with operator.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            else:
                conn.exec_driver_sql(f"ALTER TABLE complaints DROP CONSTRAINT {name}")
    assert got == [("accepted", None)] * 2 + [("invalid", "invalid_body")] + [("accepted", None)]
    keys = [i["key"] for i in items]
    references = [i["body"].get("reference") for i in items]
    with operator.read() as conn:
        filed = set(
            conn.execute(
                select(complaints.c.reference).where(complaints.c.reference.in_(references))
            ).scalars()
        )
        kept = set(
            conn.execute(
                select(submissions.c.key).where(
                    submissions.c.kiosk_id == kiosk.kiosk_id, submissions.c.key.in_(keys)
                )
            ).scalars()
        )
        ticket = conn.execute(select(tickets.c.display).where(tickets.c.id == keys[1])).scalar()
    assert filed == {references[0], references[3]}
    assert kept == {keys[0], keys[1], keys[3]}
    assert ticket == items[1]["body"]["ticket"]["number"]
    # the refusal gone, the complaint sent again is stored
    assert _submit(operator, kiosk, items) == [("replayed", None)] * 2 + [("accepted", None)] + [
        ("replayed", None)
    ]


def _at(moment: dt.datetime, hours: int) -> str:
    """``moment`` written as a kiosk in the offset of ``hours`` writes it."""
    return moment.astimezone(dt.timezone(dt.timedelta(hours=hours))).isoformat()


def test_a_batch_finds_each_given_times_local_day_once(
    central_server: RunningCentral, operator: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each time a batch's items give is converted to the office's local day once (a
    registration's was converted three times: when loading, for its plan and for its
    queue's day), the batch's own now once more; a kiosk whose clock a heartbeat found
    off converts its fallback ticket's shifted time too."""
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    calls: list[dt.datetime] = []
    convert = numbering.local_day

    def counting(at: dt.datetime, zone: Any) -> dt.date:
        calls.append(at)
        return convert(at, zone)

    monkeypatch.setattr("central.office.submissions.local_day", counting)
    code = mine["kiosk_code"]
    items = [
        registration(new_id(), service, f"E-{code}-{n:03d}", "fallback") for n in range(1, 9)
    ] + [complaint(new_id()) for _ in range(4)]
    assert len({i["body"]["ticket"]["issued_at"] for i in items[:8]}) == 8  # each its own
    assert _submit(operator, kiosk, items) == [("accepted", None)] * 12
    assert len(calls) == 8 + 4 + 1
    beat(operator, kiosk, utc_now(), skew_ms=5)  # the kiosk's clock 5 ms ahead
    calls.clear()
    items = [registration(new_id(), service, f"E-{code}-{n:03d}", "fallback") for n in range(9, 13)]
    assert _submit(operator, kiosk, items) == [("accepted", None)] * 4
    assert len(calls) == 4 + 4 + 1


def test_a_queue_day_and_time_bound_at_the_edges_of_the_offices_day(
    central_server: RunningCentral, operator: Database
) -> None:
    """A fallback ticket stands in the queue of its queue time's local day, an item's day
    is its time's local day, whatever offset the kiosk wrote it in: a microsecond before
    the office's midnight is the day before, midnight itself the new day (+14:00, -12:00
    and UTC alike); a kiosk's clock found 1 ms ahead moves a ticket given at midnight
    + 0.5 ms into the day before. A time at the batch's bound is taken, a microsecond
    past it refused (``invalid_time``)."""
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    now = dt.datetime.now(dt.UTC)
    with operator.begin() as conn:  # enrolled two days ago: yesterday's queue is open to it
        conn.execute(
            update(kiosks)
            .where(kiosks.c.id == kiosk.kiosk_id)
            .values(enrolled_at=now - dt.timedelta(days=2))
        )
    midnight = dt.datetime.combine(now.astimezone(ZONE).date(), dt.time(), tzinfo=ZONE)
    today, yesterday = midnight.date(), midnight.date() - dt.timedelta(days=1)
    tick = dt.timedelta(microseconds=1)
    code = mine["kiosk_code"]
    numbers = iter(range(1, 100))
    cases: list[tuple[dict[str, Any], dt.date]] = []
    for hours in (14, -12, 0):
        for moment, day in ((midnight - tick, yesterday), (midnight, today)):
            item = registration(new_id(), service, f"E-{code}-{next(numbers):03d}", "fallback")
            item["body"]["ticket"]["issued_at"] = _at(moment, hours)
            filed = complaint(new_id())
            filed["body"]["created_at"] = _at(moment, hours)
            cases += [(item, day), (filed, day)]

    def stored_days(items: list[dict[str, Any]]) -> list[tuple[dt.date, dt.date | None]]:
        keys = [i["key"] for i in items]
        with operator.read() as conn:
            filed = dict(
                conn.execute(
                    select(submissions.c.key, submissions.c.day).where(
                        submissions.c.kiosk_id == kiosk.kiosk_id, submissions.c.key.in_(keys)
                    )
                ).all()
            )
            queued = dict(
                conn.execute(
                    select(tickets.c.id, tickets.c.day).where(tickets.c.id.in_(keys))
                ).all()
            )
        return [(filed[k], queued.get(k)) for k in keys]

    items = [item for item, _ in cases]
    assert _submit(operator, kiosk, items) == [("accepted", None)] * len(items)
    wanted = [(day, day if i["kind"] == "service_registration" else None) for i, day in cases]
    assert stored_days(items) == wanted

    beat(operator, kiosk, now, skew_ms=1)  # the kiosk's clock 1 ms ahead of the centre's
    late = registration(new_id(), service, f"E-{code}-{next(numbers):03d}", "fallback")
    late["body"]["ticket"]["issued_at"] = _at(midnight + dt.timedelta(microseconds=500), 9)
    assert _submit(operator, kiosk, [late]) == [("accepted", None)]
    # the ticket stands at midnight - 0.5 ms by the centre's clock: yesterday's queue
    assert stored_days([late]) == [(yesterday, yesterday)]

    with operator.read() as conn:
        enrolled = conn.execute(
            select(kiosks.c.enrolled_at).where(kiosks.c.id == kiosk.kiosk_id)
        ).scalar_one()
    earliest = enrolled - submissions_store.CLOCK_SKEW
    bounds = []
    for moment in (earliest, earliest - tick):
        filed = complaint(new_id())
        filed["body"]["created_at"] = _at(moment, -5)
        bounds.append(filed)
    assert _submit(operator, kiosk, bounds) == [("accepted", None), ("invalid", "invalid_time")]


def test_fallback_numbers_follow_the_instants_given_whatever_their_offsets(
    central_server: RunningCentral, operator: Database
) -> None:
    """A batch's fallback tickets are numbered in the order of their queue times, the
    instants themselves: times written in +14:00, -12:00 and UTC, sent out of order,
    take the queue's numbers in the order they happened."""
    url, service = central_server.url, "pengaduan-layanan"
    mine = enrol(url, new_code(operator)).json()
    kiosk = KioskPrincipal(mine["kiosk_id"], DEMO_OFFICE)
    code = mine["kiosk_code"]
    now = dt.datetime.now(dt.UTC)
    with operator.begin() as conn:  # enrolled before: its tickets stand when they were given
        conn.execute(
            update(kiosks)
            .where(kiosks.c.id == kiosk.kiosk_id)
            .values(enrolled_at=now - dt.timedelta(hours=1))
        )
    steps = (5, 1, 4, 0, 3, 2)  # microseconds after the first: the order they happened
    items = []
    for n, (step, hours) in enumerate(zip(steps, (14, -12, 0, 14, -12, 0), strict=True)):
        item = registration(new_id(), service, f"E-{code}-{n + 1:03d}", "fallback")
        moment = now - dt.timedelta(seconds=1) + dt.timedelta(microseconds=step)
        item["body"]["ticket"]["issued_at"] = _at(moment, hours)
        items.append(item)
    assert _submit(operator, kiosk, items) == [("accepted", None)] * len(items)
    with operator.read() as conn:
        numbers = dict(
            conn.execute(
                select(tickets.c.id, tickets.c.number).where(
                    tickets.c.id.in_([i["key"] for i in items])
                )
            ).all()
        )
    by_time = [i["key"] for _, i in sorted(zip(steps, items, strict=True), key=lambda p: p[0])]
    assert [numbers[key] for key in by_time] == sorted(numbers.values())


def test_a_value_its_columns_conversion_refuses_is_a_statement_error_as_sqlalchemys(
    operator: Database,
) -> None:
    """The batch's rows are converted by their columns' own conversions before the driver
    sees them: a value one refuses (a time without its zone) is SQLAlchemy's own
    ``StatementError``, which the batch answers as that item's fault, not a bare
    ``ValueError`` and a 500 for the whole batch, sent again for ever."""
    naive = dt.datetime(2026, 12, 7, 9, 0)
    with operator.begin() as conn, pytest.raises(StatementError) as refused:
        submissions_store._insert_many(
            conn,
            submissions,
            [("kiosk-1", "K-1", naive)],
            ("kiosk_id", "key", "received_at"),
            {},
        )
    assert isinstance(refused.value.orig, ValueError)
    assert "submissions.received_at" in str(refused.value)
    assert submissions_store._item_fault(refused.value)


def beat(operator: Database, kiosk: KioskPrincipal, at: dt.datetime, *, skew_ms: int) -> None:
    """A heartbeat of ``kiosk`` at ``at`` that found its clock ``skew_ms`` ahead."""
    with operator.begin() as conn:
        conn.execute(
            insert(kiosk_heartbeats).values(
                kiosk_id=kiosk.kiosk_id,
                received_at=at,
                sent_at=at,
                clock_skew_ms=skew_ms,
                version="1",
                reader_state="ok",
                reader_detail="",
                printer_state="ok",
                printer_detail="",
                outbox_pending=0,
                outbox_dead=0,
                leases="[]",
            )
        )
