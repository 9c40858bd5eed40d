"""Pushing the outbox through real network faults to the real central server.

The proxy refuses, resets mid-answer, answers 503 bursts and is slower than
the client's deadline; afterwards the centre holds every ticket exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

from central.database import Database
from central.office.fleet import fleet
from central.process import RunningCentral
from contract.shown import shown_key
from kiosk.client.client import CentralClient
from kiosk.sync.push import push_batch
from kiosk.tickets.complaints import KIND, reference_for
from offline_store import Store
from offline_store.models import from_text
from testkit.clocks import OfficeClock
from testkit.stand_in import StandIn
from testkit.sync_kiosk import OFFICE, Kiosk, centre_displays, centre_tickets, issue

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="session")
def central(central_each: RunningCentral) -> RunningCentral:
    """Delivery and numbering: on SQLite and on PostgreSQL."""
    return central_each


def online(kiosk: Kiosk) -> None:
    report = kiosk.engine.run_once()
    assert report.status.connection == "online", report.status.last_error


def until_drained(kiosk: Kiosk, steps: int = 20) -> None:
    """Move the clock past each backoff and step until the outbox is empty."""
    for _ in range(steps):
        status = kiosk.engine.run_once().status
        if status.outbox_depth == 0:
            return
        kiosk.clock.advance(kiosk.config.sync.backoff_cap_s + 61)
    raise AssertionError(f"outbox not drained: {kiosk.engine.status()}")


def test_server_down_for_the_whole_session_then_up(kiosk: Kiosk, central: RunningCentral) -> None:
    online(kiosk)
    kiosk.proxy.down()
    issued = [issue(kiosk.store, kiosk.clock, kiosk.engine) for _ in range(7)]
    assert {t.source for t in issued} == {"lease"}  # the engine had leased a block
    for _ in range(3):
        report = kiosk.engine.run_once(force=True)
        assert report.status.connection == "offline"
        assert report.pushed.delivered == 0
    assert kiosk.store.outbox_stats(kiosk.clock()).depth == 7
    failure = kiosk.store.last_sync(result="failed")
    assert failure is not None and "cannot reach the server" in failure.detail
    kiosk.proxy.up()
    until_drained(kiosk)
    held = centre_tickets(central.db_url, [t.id for t in issued])
    assert {k: row.display for k, row in held.items()} == {t.id: t.number for t in issued}
    assert kiosk.engine.status().connection == "online"


def test_backoff_keeps_the_offline_kiosk_quiet(kiosk: Kiosk) -> None:
    online(kiosk)
    kiosk.proxy.down()
    issue(kiosk.store, kiosk.clock)
    kiosk.engine.wake()
    first = kiosk.engine.run_once().status
    assert first.connection == "offline" and first.next_attempt is not None
    assert first.next_attempt > kiosk.clock()
    kiosk.proxy.up()
    seen = len(kiosk.proxy.seen)
    # before the backoff ends nothing is sent, however often the engine steps
    kiosk.clock.moment = first.next_attempt - dt.timedelta(milliseconds=1)
    kiosk.engine.run_once()
    assert len(kiosk.proxy.seen) == seen
    kiosk.clock.moment = first.next_attempt
    assert kiosk.engine.run_once().pushed.delivered == 1


def test_reset_mid_response_is_replayed_not_duplicated(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    online(kiosk)
    issued = [issue(kiosk.store, kiosk.clock) for _ in range(4)]
    kiosk.proxy.set("reset")
    report = kiosk.engine.run_once(force=True)
    assert report.pushed.delivered == 0 and "outbox" in report.failed
    # the centre did act on the batch it never answered
    assert len(centre_tickets(central.db_url, [t.id for t in issued])) == 4
    kiosk.proxy.set("pass")
    until_drained(kiosk)
    held = centre_tickets(central.db_url, [t.id for t in issued])
    assert sorted(row.display for row in held.values()) == sorted(t.number for t in issued)
    displays = centre_displays(central.db_url)
    assert len(displays) == len(set(displays))


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_honoured(kiosk: Kiosk, status: int) -> None:
    online(kiosk)
    issue(kiosk.store, kiosk.clock)
    kiosk.proxy.burst(1, status=status, retry_after="120")
    kiosk.engine.wake()
    report = kiosk.engine.run_once()
    assert "outbox" in report.failed
    retry = report.status.next_attempt
    assert retry is not None and retry >= kiosk.clock() + dt.timedelta(seconds=120)
    pending = kiosk.store.outbox("pending")
    assert len(pending) == 1 and from_text(pending[0].next_attempt_at) == retry
    kiosk.clock.advance(119)
    assert kiosk.engine.run_once().pushed.sent == 0
    kiosk.clock.advance(2)
    assert kiosk.engine.run_once().pushed.delivered == 1


def test_many_503s_in_a_row_back_off_exponentially(kiosk: Kiosk) -> None:
    online(kiosk)
    issue(kiosk.store, kiosk.clock)
    kiosk.proxy.set("error")
    gaps = []
    for _ in range(8):
        kiosk.engine.wake()
        status = kiosk.engine.run_once(force=True).status
        assert status.connection == "offline" and status.next_attempt is not None
        gaps.append((status.next_attempt - kiosk.clock()).total_seconds())
        kiosk.clock.moment = status.next_attempt
    ceilings = [kiosk.engine.backoff.ceiling(n) for n in range(1, 9)]
    assert all(gap <= ceiling for gap, ceiling in zip(gaps, ceilings, strict=True))
    assert ceilings[-1] == 128 * kiosk.config.sync.backoff_base_s
    kiosk.proxy.set("pass")
    until_drained(kiosk)


def test_answers_slower_than_the_deadline_count_as_offline(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    online(kiosk)
    ticket = issue(kiosk.store, kiosk.clock)
    with kiosk.impatient():
        kiosk.proxy.set("delay", delay_s=kiosk.client.timeout_s * 3)
        report = kiosk.engine.run_once(force=True)
    assert report.status.connection == "offline"
    assert "timed out" in report.status.last_error
    kiosk.proxy.set("pass")
    until_drained(kiosk)
    assert centre_tickets(central.db_url, [ticket.id])[ticket.id].display == ticket.number


def test_an_item_the_centre_refuses_goes_to_the_dead_letters(kiosk: Kiosk) -> None:
    online(kiosk)
    good = issue(kiosk.store, kiosk.clock)
    bad = issue(kiosk.store, kiosk.clock, service="no-such-service")
    report = kiosk.engine.run_once(force=True)
    assert (report.pushed.delivered, report.pushed.dead) == (1, 1)
    dead = kiosk.store.outbox("dead")
    assert [item.key for item in dead] == [bad.id]
    assert dead[0].last_error == "invalid: unknown_service"
    assert report.status.dead == 1 and report.status.outbox_depth == 0
    logged = kiosk.store.last_sync("outbox", "ok")
    assert logged is not None and logged.detail == "sent 2, delivered 1, dead 1"
    sent = kiosk.proxy.count("/api/v1/submissions")
    kiosk.clock.advance(3600)
    kiosk.engine.run_once(force=True)
    assert kiosk.proxy.count("/api/v1/submissions") == sent, "a dead item was sent again"
    assert good.id not in {item.key for item in kiosk.store.outbox("pending")}


def _fleet_faults(db_url: str, kiosk_code: str | None) -> list[str]:
    db = Database(db_url)
    try:
        with db.begin() as conn:
            [row] = [k for k in fleet(conn, office_id=OFFICE) if k.kiosk_code == kiosk_code]
    finally:
        db.dispose()
    return list(row.faults)


def test_a_key_the_centre_holds_with_another_body_is_a_dead_letter_not_delivered(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """The centre answers ``conflict``: the ticket is not taken, so the kiosk keeps it
    (payload and all) as a dead letter the operator and the fleet view see."""
    online(kiosk)
    ticket = issue(kiosk.store, kiosk.clock)
    [item] = kiosk.store.outbox("pending")
    # Another body under this ticket's key reaches the centre first.
    other = {**item.payload, "values": {"phone": "089999999999"}}
    [first] = kiosk.client.submit([{"key": ticket.id, "kind": item.kind, "body": other}])
    assert first.status == "accepted"

    report = kiosk.engine.run_once(force=True)
    assert (report.pushed.delivered, report.pushed.dead) == (0, 1)
    [dead] = kiosk.store.outbox("dead")
    assert dead.key == ticket.id and dead.last_error.startswith("conflict: ")
    assert dead.payload == item.payload, "the ticket the citizen holds is kept"
    assert kiosk.store.outbox("delivered") == []
    assert report.status.dead == 1 and report.status.outbox_depth == 0
    assert "outbox_dead" in _fleet_faults(central.db_url, report.status.kiosk_code)

    # The operator sends it again (kiosk sync retry-dead): the centre still holds
    # the other body, so it comes back a dead letter, never wiped.
    assert kiosk.store.retry_dead(ticket.id, kiosk.clock())
    again = kiosk.engine.run_once(force=True)
    assert (again.pushed.delivered, again.pushed.dead) == (0, 1)
    assert kiosk.store.outbox("dead")[0].payload == item.payload


def test_an_answer_the_kiosk_does_not_know_is_never_taken_for_delivered(
    tmp_path: Path, store: Store, clock: OfficeClock
) -> None:
    """A status a newer centre might add (here ``queued``) is not ``accepted``: kept."""

    def answer(method: str, path: str, body: Any) -> tuple[int, Any]:
        assert (method, path) == ("POST", "/api/v1/submissions")
        return 200, {"results": [{"key": i["key"], "status": "queued"} for i in body["items"]]}

    centre = StandIn(answer)
    client = CentralClient(centre.url, timeout_s=5)
    client.token = "stand-in"  # noqa: S105 (the stand-in checks no token)
    try:
        ticket = issue(store, clock)
        pushed = push_batch(store, client, limit=10, now=clock(), retry_at=lambda _: clock())
    finally:
        client.close()
        centre.close()
    assert (pushed.delivered, pushed.dead) == (0, 1)
    [dead] = store.outbox("dead")
    assert dead.key == ticket.id and dead.last_error == "queued: no reason given"
    assert dead.payload, "the payload is kept"


def test_a_complaints_dead_letter_is_logged_without_the_key_that_gives_its_reference(
    store: Store, clock: OfficeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A complaint's outbox key gives its reference (``reference_for``), which opens the
    citizen's page: the dead letter's line names the item by the key's end alone, which
    holds none of the reference's bits."""
    key = str(uuid.uuid4())
    body = {"office_id": OFFICE, "reference": reference_for(key), "category": "lainnya"}
    store.enqueue_submission(key, KIND, {**body, "text": "x", "language": "id"}, clock())

    def answer(method: str, path: str, sent: Any) -> tuple[int, Any]:
        return 200, {
            "results": [{"key": i["key"], "status": "invalid", "error": "x"} for i in sent["items"]]
        }

    centre = StandIn(answer)
    client = CentralClient(centre.url, timeout_s=5)
    client.token = "stand-in"  # noqa: S105 (the stand-in checks no token)
    try:
        with caplog.at_level(logging.INFO, logger="kiosk.sync.push"):
            pushed = push_batch(store, client, limit=10, now=clock(), retry_at=lambda _: clock())
    finally:
        client.close()
        centre.close()
    assert pushed.dead == 1
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.sync.push"]
    assert [line for line in lines if shown_key(key) in line] != []  # the line is there
    assert [line for line in lines if key[:8] in line or reference_for(key) in line] == []


def test_a_complaint_found_unreadable_is_logged_without_the_key_that_gives_its_reference(
    store: Store, clock: OfficeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A complaint whose sealed payload was damaged on disk is made a dead letter when
    the push claims it: the line saying so names it by its key's end alone, as a dead
    letter the centre refused is named."""
    key = str(uuid.uuid4())
    body = {"office_id": OFFICE, "reference": reference_for(key), "category": "lainnya"}
    store.enqueue_submission(key, KIND, {**body, "text": "x", "language": "id"}, clock())
    [sealed] = store.db.execute("SELECT payload FROM outbox WHERE key = ?", [key]).fetchone()
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    store.db.execute("UPDATE outbox SET payload = ? WHERE key = ?", [damaged, key])
    client = CentralClient("http://127.0.0.1:9", timeout_s=1)  # never reached: nothing to send
    try:
        with caplog.at_level(logging.INFO):
            pushed = push_batch(store, client, limit=10, now=clock(), retry_at=lambda _: clock())
    finally:
        client.close()
    assert pushed.sent == 0 and store.outbox_stats(clock()).dead == 1
    lines = [r.getMessage() for r in caplog.records]
    assert [line for line in lines if key[-12:] in line] != []  # the line is there
    assert [line for line in lines if key[:8] in line or reference_for(key) in line] == []
