"""Pushing the outbox through real network faults to the real central server.

The proxy refuses, resets mid-answer, answers 503 bursts and is slower than
the client's deadline; afterwards the centre holds every ticket exactly once.
"""

from __future__ import annotations

import datetime as dt

import pytest

from central.process import RunningCentral
from offline_store.models import from_text
from tests.sync.conftest import Kiosk
from tests.sync.helpers import centre_displays, centre_tickets, issue

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
    kiosk.proxy.set("delay", delay_s=kiosk.config.central.timeout_s * 3)
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
