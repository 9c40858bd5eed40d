"""The outbox API the sync engine uses: claim, deliver, fail, dead-letter, stats."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from contract.shown import shown_key
from offline_store import BadValue, OutboxState, Store
from testkit.stored_tickets import NIK, NOW, issue_ticket

SECOND = dt.timedelta(seconds=1)


def three(store: Store) -> list[str]:
    return [issue_ticket(store, now=NOW + i * SECOND).id for i in range(3)]


def test_a_batch_is_the_due_items_oldest_first_marked_sending(store: Store) -> None:
    keys = three(store)
    batch = store.pending_batch(2, NOW + 10 * SECOND)
    assert [item.key for item in batch] == keys[:2]
    assert all(item.state == "sending" and item.attempts == 1 for item in batch)
    assert batch[0].payload["values"]["nik"] == NIK  # decrypted for the sender
    assert [item.key for item in store.outbox("sending")] == keys[:2]
    # the claimed items are not handed out again while the claim holds
    assert [item.key for item in store.pending_batch(10, NOW + 10 * SECOND)] == keys[2:]
    assert store.pending_batch(10, NOW + 10 * SECOND) == []


def test_items_are_not_due_before_they_exist(store: Store) -> None:
    issue_ticket(store, now=NOW)
    assert store.pending_batch(10, NOW - SECOND) == []
    assert len(store.pending_batch(10, NOW)) == 1


def test_a_claim_lapses_so_a_crash_mid_send_is_retried(store: Store) -> None:
    [key] = [issue_ticket(store).id]
    store.pending_batch(10, NOW, claim_s=60)
    assert store.pending_batch(10, NOW + 59 * SECOND) == []
    [again] = store.pending_batch(10, NOW + 61 * SECOND)
    assert (again.key, again.attempts) == (key, 2)


def test_delivered_items_lose_their_payload_and_keep_their_row(store: Store) -> None:
    keys = three(store)
    store.pending_batch(10, NOW + 5 * SECOND)
    assert store.mark_delivered(keys[:2], NOW + 6 * SECOND) == 2
    assert store.mark_delivered(keys[:2], NOW + 7 * SECOND) == 0  # once only
    delivered = store.outbox("delivered")
    assert [item.key for item in delivered] == keys[:2]
    assert all(item.payload == {} for item in delivered)
    assert delivered[0].delivered_at is not None and delivered[0].delivered_at.startswith("2026")
    nulls = store.db.execute("SELECT count(*) FROM outbox WHERE payload IS NULL").fetchone()
    assert nulls == (2,)
    assert store.ticket(keys[0])["number"] == "A-001"  # the ticket itself stays


def test_a_failed_item_waits_for_its_next_attempt_with_the_error(store: Store) -> None:
    key = issue_ticket(store).id
    store.pending_batch(10, NOW)
    assert store.mark_failed(key, "503 from central", NOW + 30 * SECOND)
    assert store.pending_batch(10, NOW + 29 * SECOND) == []
    [item] = store.pending_batch(10, NOW + 30 * SECOND)
    assert (item.key, item.attempts, item.last_error) == (key, 2, "503 from central")


def test_dead_items_stay_out_of_batches_until_an_operator_retries(store: Store) -> None:
    key = issue_ticket(store).id
    store.pending_batch(10, NOW)
    assert store.mark_dead(key, "422: form field 'nik' refused")
    assert not store.mark_failed(key, "late answer", NOW)  # a dead item stays dead
    assert store.pending_batch(10, NOW + dt.timedelta(days=1)) == []
    [dead] = store.outbox("dead")
    assert dead.last_error.startswith("422") and dead.payload["values"]["nik"] == NIK
    assert store.outbox_stats(NOW).dead == 1
    assert store.retry_dead(key, NOW + SECOND)
    assert [item.key for item in store.pending_batch(10, NOW + SECOND)] == [key]


def test_a_dead_letter_is_found_by_what_shown_key_shows_word_included(store: Store) -> None:
    """``cancel-<ticket id>`` ends as its ticket's key does: each is found by its own
    shown form, ``...`` taken for ``…``; the end alone, or a shorter one, finds none."""
    ticket = issue_ticket(store).id
    cancel = f"cancel-{ticket}"
    store.enqueue_submission(cancel, "visit_cancel", {"ticket_id": ticket}, NOW)
    store.pending_batch(10, NOW)
    assert store.mark_dead(ticket, "invalid: unknown_service")
    assert store.mark_dead(cancel, "invalid: unknown_ticket")
    assert (shown_key(ticket), shown_key(cancel)) == (f"…{ticket[-12:]}", f"cancel-…{ticket[-12:]}")
    assert store.dead_keys_shown_as(shown_key(ticket)) == [ticket]
    assert store.dead_keys_shown_as(shown_key(cancel)) == [cancel]
    assert store.dead_keys_shown_as(f"cancel-...{ticket[-12:]}") == [cancel]
    assert store.dead_keys_shown_as(ticket[-12:]) == []
    assert store.dead_keys_shown_as(f"…{ticket[-3:]}") == []
    assert store.dead_keys_shown_as(f"visit-…{ticket[-12:]}") == []


def test_errors_are_cut_to_a_bounded_length(store: Store) -> None:
    key = issue_ticket(store).id
    store.mark_failed(key, "x" * 10_000, NOW)
    assert len(store.outbox()[0].last_error) == 500


def test_unknown_keys_change_nothing(store: Store) -> None:
    assert store.mark_delivered(["nope"], NOW) == 0
    assert not store.mark_failed("nope", "e", NOW)
    assert not store.mark_dead("nope", "e")
    assert not store.retry_dead("nope", NOW)


def test_stats_give_depth_oldest_age_and_dead(store: Store) -> None:
    empty = store.outbox_stats(NOW)
    assert (empty.depth, empty.oldest_unsent_age_s, empty.dead) == (0, None, 0)
    keys = three(store)
    store.pending_batch(1, NOW + 2 * SECOND)
    store.mark_delivered(keys[:1], NOW + 3 * SECOND)
    store.pending_batch(1, NOW + 3 * SECOND)
    stats = store.outbox_stats(NOW + 61 * SECOND)
    assert (stats.depth, stats.sending, stats.dead) == (2, 1, 0)
    assert stats.oldest_unsent_age_s == pytest.approx(60.0)  # keys[1], created at NOW + 1 s


def test_a_batch_needs_a_positive_limit(store: Store) -> None:
    with pytest.raises(BadValue):
        store.pending_batch(0, NOW)


def test_a_batch_put_back_is_one_transaction_and_touches_only_items_in_flight(
    store: Store,
) -> None:
    """The sync engine puts a whole failed batch back at once (one fsync, not one per item)."""
    keys = [issue_ticket(store, now=NOW + i * SECOND).id for i in range(40)]
    store.pending_batch(40, NOW + 50 * SECOND)
    store.mark_delivered(keys[:1], NOW + 51 * SECOND)
    store.mark_dead(keys[1], "invalid: unknown_service")
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        put_back = store.mark_all_failed(keys, "503 from central", NOW + 90 * SECOND)
    finally:
        store.db.conn.set_trace_callback(None)
    assert put_back == 38  # the delivered and the dead one stay as they are
    assert [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]
    assert [item.key for item in store.outbox(OutboxState.DELIVERED)] == keys[:1]
    assert [item.key for item in store.outbox(OutboxState.DEAD)] == [keys[1]]
    pending = store.outbox(OutboxState.PENDING)
    assert [item.key for item in pending] == keys[2:]
    assert {item.last_error for item in pending} == {"503 from central"}
    assert store.pending_batch(40, NOW + 89 * SECOND) == []
    assert len(store.pending_batch(40, NOW + 90 * SECOND)) == 38


def test_a_batch_for_sending_is_each_payload_as_stored_decrypted_not_parsed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender's claim hands each payload's JSON text as it was sealed: the
    request carries it as it is, so no payload is parsed and written out again."""
    keys = three(store)
    payloads = {item.key: item.payload for item in store.outbox(OutboxState.PENDING)}

    def no_parsing(*_: object, **__: object) -> None:
        raise AssertionError("a payload was parsed")

    monkeypatch.setattr(json, "loads", no_parsing)  # anywhere, the store's too
    batch = store.pending_texts(2, NOW + 10 * SECOND)
    monkeypatch.undo()
    assert [item.key for item in batch] == keys[:2]
    assert [json.loads(item.payload_json) for item in batch] == [payloads[k] for k in keys[:2]]
    claimed = {i.key: i for i in store.outbox(OutboxState.SENDING)}
    assert sorted(claimed) == sorted(keys[:2]) and {i.attempts for i in claimed.values()} == {1}
    assert [i.key for i in store.pending_texts(10, NOW + 10 * SECOND)] == keys[2:]
