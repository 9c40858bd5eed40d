"""The outbox drain works on both sides at once: while the centre stores one batch,
the kiosk writes the previous batch's answer and claims (and decrypts) the next. A
batch claimed ahead that is never sent goes back to the outbox as it was; a batch
that fails goes back alone, the answer before it written all the same.

Real centre (SQLite and PostgreSQL), real store; the client and the store only
note when they are called, and the client holds an answer until the engine has
had its chance to claim (bounded: without the overlap the claim never comes).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

from central.process import RunningCentral
from kiosk.client.client import CentralClient
from kiosk.client.results import SubmissionResult
from kiosk.sync import SyncEngine
from kiosk.sync.push import CLAIM_S
from offline_store import OutboxText, Store, StoreError
from offline_store.models import OutboxState, from_text
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.sync_kiosk import PATIENT_S, centre_tickets, issue, kiosk_config

pytestmark = pytest.mark.timeout(90)

#: How long an answer is held for the claim of the next batch (a bound, not a speed).
HOLD_S = 20.0


@pytest.fixture(scope="session")
def central(central_each: RunningCentral) -> RunningCentral:
    """Delivery: on SQLite and on PostgreSQL."""
    return central_each


class NotingStore(Store):
    """The real store; it notes each claim and how many items it took."""

    events: list[str]
    claimed: threading.Event
    #: How many answers to lose before writing one.
    lose_answers: int = 0

    def pending_texts(
        self, limit: int, now: dt.datetime, *, claim_s: float = 60.0
    ) -> list[OutboxText]:
        items = super().pending_texts(limit, now, claim_s=claim_s)
        self.events.append(f"claim {len(items)}")
        self.claimed.set()
        return items

    def mark_delivered(
        self, keys: Iterable[str], now: dt.datetime, outcomes: Mapping[str, str] | None = None
    ) -> int:
        if self.lose_answers:  # as a kiosk that dies before writing the answer
            self.lose_answers -= 1
            raise StoreError("the store went away")
        done = super().mark_delivered(keys, now, outcomes)
        self.events.append(f"delivered {done}")
        return done


class HoldingClient(CentralClient):
    """The real client; each batch's answer waits (bounded) for the next claim."""

    def __init__(self, url: str, store: NotingStore, fail_call: int | None = None) -> None:
        super().__init__(url, timeout_s=PATIENT_S)
        self.store = store
        self.calls = 0
        self.fail_call = fail_call
        self.proxy: FaultProxy | None = None
        self.sent: list[set[str]] = []
        self.hold_s = HOLD_S

    def submit_encoded(self, keys: Sequence[str], items: Sequence[bytes]) -> list[SubmissionResult]:
        self.calls += 1
        self.store.claimed.clear()
        self.store.events.append(f"send {len(keys)}")
        self.sent.append(set(keys))
        if self.calls == self.fail_call and self.proxy is not None:
            self.proxy.burst(1)  # this request: a 503
        try:
            return super().submit_encoded(keys, items)
        finally:
            self.store.claimed.wait(self.hold_s)
            self.store.events.append("answer")


def _kiosk(
    tmp_path: Path, proxy: FaultProxy, clock: OfficeClock, fail_call: int | None = None
) -> tuple[NotingStore, HoldingClient, SyncEngine]:
    store = NotingStore.open(tmp_path / "noting.db")
    assert isinstance(store, NotingStore)
    store.events, store.claimed = [], threading.Event()
    config = kiosk_config(tmp_path, proxy.url, batch_size=3)
    client = HoldingClient(proxy.url, store, fail_call)
    client.proxy = proxy
    engine = SyncEngine(store, client, config, now=clock, rng=random.Random(5))  # noqa: S311
    return store, client, engine


def run_until_drained(
    engine: SyncEngine, clock: OfficeClock, step_s: float, *, force: bool = False
) -> None:
    """Steps ``step_s`` apart (at most ten) until the outbox is empty."""
    for _ in range(10):
        clock.advance(step_s)
        if engine.run_once(force=force).status.outbox_depth == 0:
            return


def test_the_next_batch_is_claimed_while_the_centre_stores_this_one(
    tmp_path: Path, proxy: FaultProxy, clock: OfficeClock, central: RunningCentral
) -> None:
    store, client, engine = _kiosk(tmp_path, proxy, clock)
    try:
        engine.run_once()  # enrolled, its kiosk code known
        tickets = [issue(store, clock) for _ in range(7)]
        store.events.clear()
        report = engine.run_once(force=True)
    finally:
        engine.stop()
        client.close()
        store.close()
    assert (report.pushed.sent, report.pushed.delivered) == (7, 7)
    # each batch's next is claimed between its sending and its answer, and the
    # answer before it is written then too: no commit stands between two requests
    assert store.events == [
        "claim 3",
        "send 3",
        "claim 3",
        "answer",
        "send 3",
        "delivered 3",
        "claim 1",
        "answer",
        "send 1",
        "delivered 3",
        "claim 0",
        "answer",
        "delivered 1",
    ]
    held = centre_tickets(central.db_url, [t.id for t in tickets])
    assert {held[t.id].display for t in tickets} == {t.number for t in tickets}


def test_a_failed_batch_goes_back_alone_and_the_batch_claimed_ahead_as_it_was(
    tmp_path: Path, proxy: FaultProxy, clock: OfficeClock, central: RunningCentral
) -> None:
    store, client, engine = _kiosk(tmp_path, proxy, clock, fail_call=2)
    try:
        engine.run_once()
        tickets = [issue(store, clock) for _ in range(7)]
        store.events.clear()
        report = engine.run_once(force=True)
        first, second = client.sent
        third = {t.id for t in tickets} - first - second
        assert store.events[:7] == [
            "claim 3",
            "send 3",
            "claim 3",
            "answer",
            "send 3",
            "delivered 3",  # the first answer, written while the second batch failed
            "claim 1",
        ]
        assert (report.pushed.sent, report.pushed.delivered) == (3, 3)
        assert {i.key for i in store.outbox(OutboxState.DELIVERED)} == first
        pending = {i.key: i for i in store.outbox(OutboxState.PENDING)}
        assert set(pending) == second | third, "nothing lost, nothing left claimed"
        now = clock()
        for key in second:  # the failed batch: its try counted, its error, due later
            item = pending[key]
            assert item.attempts == 1 and "503" in item.last_error
            assert from_text(item.next_attempt_at) > now
        [ahead] = [pending[key] for key in third]  # claimed, never sent: as it was
        assert (ahead.attempts, ahead.last_error) == (0, "")
        assert from_text(ahead.next_attempt_at) <= now
        # and the rest arrives, each ticket once
        run_until_drained(engine, clock, engine.config.sync.backoff_cap_s + 61)
    finally:
        engine.stop()
        client.close()
        store.close()
    held = centre_tickets(central.db_url, [t.id for t in tickets])
    assert {held[t.id].display for t in tickets} == {t.number for t in tickets}


def test_an_answer_never_written_is_sent_again_and_answered_replayed(
    tmp_path: Path, proxy: FaultProxy, clock: OfficeClock, central: RunningCentral
) -> None:
    """The first batch's answer is lost where it is now written, while the second
    batch is in flight (the kiosk dies there): both batches stay claimed, neither
    delivered nor pending; once the claims lapse they go again, the centre answers
    ``replayed``, and it holds each ticket once."""
    store, client, engine = _kiosk(tmp_path, proxy, clock)
    try:
        engine.run_once()
        tickets = [issue(store, clock) for _ in range(7)]
        store.events.clear()
        store.lose_answers = 1
        client.hold_s = 2.0  # no claim follows a lost answer: hold the answer no longer
        report = engine.run_once(force=True)
        first, second = client.sent
        assert store.events == ["claim 3", "send 3", "claim 3", "answer", "send 3", "answer"]
        assert report.pushed.delivered == 0
        assert store.outbox(OutboxState.DELIVERED) == []
        sending = {i.key for i in store.outbox(OutboxState.SENDING)}
        assert sending == first | second, "answered at the centre: claimed, not pending"
        assert {i.key for i in store.outbox(OutboxState.PENDING)} == (
            {t.id for t in tickets} - first - second
        )
        client.hold_s = 0.0
        run_until_drained(engine, clock, CLAIM_S + engine.config.sync.backoff_cap_s + 1, force=True)
        assert {i.key for i in store.outbox(OutboxState.DELIVERED)} == {t.id for t in tickets}
        assert store.outbox(OutboxState.DEAD) == []
    finally:
        engine.stop()
        client.close()
        store.close()
    held = centre_tickets(central.db_url, [t.id for t in tickets])
    assert {held[t.id].display for t in tickets} == {t.number for t in tickets}
