"""Pushing the outbox: one batch per request, each item under its idempotency key.

Per item the centre answers ``accepted`` (new), ``replayed`` (the same key and
body again: a retry after a lost answer), ``conflict`` (this kiosk already sent
another body under the key) or ``invalid`` (will never succeed). Only the first
two mean the centre took the item (:func:`kiosk.client.results.taken_by_centre`):
it is delivered and its payload wiped (at least once on the wire, exactly once
at the centre). ``conflict``, ``invalid`` and any answer this kiosk does not
know go to the dead letters with the centre's status and code, the payload
kept, for an operator (``kiosk sync retry-dead``). A whole batch refused as malformed
(422) is split and its items sent one by one, so one bad item cannot block
the others. A batch is cut to :data:`MAX_BATCH_BYTES` before it is sent, and one
the centre still finds too large (413) is halved until it fits; an item too large
on its own is a dead letter (``too_large``), its payload kept. Anything
transient (no answer, 5xx, 429, a reset mid-answer) puts the rest of the batch
back with a retry time; the centre drops the duplicates if some of it had arrived.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from contract.shown import shown_key
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralAuthError, CentralError, CentralRefused
from kiosk.client.results import SubmissionResult
from offline_store import OutboxText, Store

log = logging.getLogger(__name__)

#: A claimed batch that gets no answer is due again after this many seconds.
CLAIM_S = 60.0
#: A batch is cut to at most this many bytes of JSON before it is sent: half the
#: centre's default ``--max-body``. A centre (or a proxy) that still answers 413
#: gets each half in turn, down to one item; an item too large alone is a dead letter.
MAX_BATCH_BYTES = 512 * 1024


@dataclass(frozen=True)
class PushResult:
    sent: int = 0
    delivered: int = 0
    dead: int = 0

    def __add__(self, other: PushResult) -> PushResult:
        return PushResult(
            self.sent + other.sent, self.delivered + other.delivered, self.dead + other.dead
        )


# _PushFailed and _PushCut are the push's private signals to the engine's step
# (kiosk/sync/engine.py), not errors of the package: they carry the push's partial
# result and never leave kiosk/sync, so they stay here, next to that result.
class _PushFailed(Exception):
    """A batch could not be delivered; its items are back in the outbox with a retry time.

    ``cause`` is the client's error (``CentralUnavailable`` for the backoff).
    """

    def __init__(self, cause: CentralError, partial: PushResult) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.partial = partial


@dataclass(frozen=True)
class Answered:
    """A batch's answer not yet written to the store: the engine writes it while
    the next batch is in flight. Until then its items stay claimed (``sending``):
    should the kiosk stop or die first, the claim lapses and they are sent again,
    and the centre answers ``replayed``; an item is never both delivered and
    pending, nor neither."""

    results: list[SubmissionResult]
    now: dt.datetime

    def record(self, store: Store) -> None:
        _write(store, self.results, self.now)


@dataclass(frozen=True)
class Claim:
    """A claimed batch with each item's request JSON, made once: to cut the batch by
    size and to send it."""

    items: list[OutboxText]
    encoded: list[bytes]

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


def claim_batch(store: Store, limit: int, now: dt.datetime) -> Claim:
    """Claim up to ``limit`` due items (``sending`` until :data:`CLAIM_S` lapses)
    and encode each for the request; empty if nothing is due."""
    items = store.pending_texts(limit, now, claim_s=CLAIM_S)
    return Claim(items, [_encode(item) for item in items])


def push_batch(
    store: Store,
    client: CentralClient,
    *,
    limit: int,
    now: dt.datetime,
    retry_at: Callable[[CentralError], dt.datetime],
    deadline: float | None = None,
) -> PushResult:
    """Claim up to ``limit`` due items and send them (:func:`push_claimed`)."""
    claim = claim_batch(store, limit, now)
    return push_claimed(store, client, claim, now=now, retry_at=retry_at, deadline=deadline)


def push_claimed(
    store: Store,
    client: CentralClient,
    claim: Claim,
    *,
    now: dt.datetime,
    retry_at: Callable[[CentralError], dt.datetime],
    deadline: float | None = None,
    meanwhile: Callable[[], None] | None = None,
    answered: list[Answered] | None = None,
) -> PushResult:
    """Send a claimed batch. Raises :class:`_PushFailed`
    (:class:`CentralAuthError` as it is, for a new enrolment).

    ``retry_at`` says when a failed batch is due again (the engine's backoff).
    An empty :class:`PushResult` means nothing was due. ``deadline``
    (:func:`time.monotonic`) is checked before every request, the halves and
    single items of a split too: past it, the items not yet sent go back to the
    outbox due now (pending, never dead) and :class:`_PushCut` is raised.
    ``meanwhile`` is called on this thread while the first request is in flight
    (the engine claims its next batch then); the request waits for it to return.
    Whatever fails, every item of ``claim`` is delivered, dead or back in the
    outbox (at worst its claim lapses), and only its own.

    With ``answered`` (the engine's), the answer of the batch's last request is
    not written at once but left there (:class:`Answered`), and an answer left
    there by the previous batch is written while this one's first request is in
    flight, or before this returns or raises if none is sent: so the store's
    commit of an answer no longer stands between two requests.
    """
    earlier = answered.pop() if answered else None

    def record_earlier() -> None:
        nonlocal earlier
        if earlier is not None:
            done, earlier = earlier, None
            done.record(store)

    try:
        if not claim.items:
            return PushResult()
        if earlier is not None:
            first = meanwhile

            def meanwhile_too() -> None:
                record_earlier()
                if first is not None:
                    first()

            meanwhile = meanwhile_too
        return _push_chunks(store, client, claim, now, retry_at, deadline, meanwhile, answered)
    finally:
        record_earlier()


def _push_chunks(
    store: Store,
    client: CentralClient,
    claim: Claim,
    now: dt.datetime,
    retry_at: Callable[[CentralError], dt.datetime],
    deadline: float | None,
    meanwhile: Callable[[], None] | None,
    answered: list[Answered] | None,
) -> PushResult:
    chunks = deque(_by_size(claim, MAX_BATCH_BYTES))
    total = PushResult()
    while chunks:
        chunk = chunks.popleft()
        if deadline is not None and time.monotonic() >= deadline:
            store.mark_all_failed(
                [item.key for item, _ in _rest(chunk, chunks)],
                "not sent: the step's time for the outbox ran out",
                now,
            )
            raise _PushCut(total, len(chunk))
        try:
            results = _send(client, chunk, meanwhile)
            meanwhile = None
        except CentralRefused as exc:
            if exc.status not in (413, 422):
                _put_back(store, _rest(chunk, chunks), exc, retry_at(exc))
                raise _PushFailed(exc, total) from exc
            if len(chunk) > 1:
                # 413: too large for the centre, send each half; 422: malformed,
                # send the items one by one so one bad item cannot hold the others
                parts = _halves(chunk) if exc.status == 413 else [[pair] for pair in chunk]
                chunks.extendleft(reversed(parts))
                continue
            total += _refused_alone(store, chunk[0][0], exc)
            continue
        except CentralAuthError as exc:
            _put_back(store, _rest(chunk, chunks), exc, now)  # due again after a new enrolment
            raise
        except CentralError as exc:
            _put_back(store, _rest(chunk, chunks), exc, retry_at(exc))
            raise _PushFailed(exc, total) from exc
        if answered is not None and not chunks:  # written while the next is in flight
            answered.append(Answered(results, now))
            total += _tally(results)
        else:
            total += _record(store, results, now)
    return total


_Chunk = list[tuple[OutboxText, bytes]]


def _send(
    client: CentralClient, chunk: _Chunk, meanwhile: Callable[[], None] | None
) -> list[SubmissionResult]:
    """Send ``chunk``; with ``meanwhile``, the request runs on a thread of its own
    (bounded by the client's deadline) while ``meanwhile`` runs on this one."""
    keys = [item.key for item, _ in chunk]
    encoded = [text for _, text in chunk]
    if meanwhile is None:
        return client.submit_encoded(keys, encoded)
    answer: list[list[SubmissionResult]] = []
    failure: list[BaseException] = []

    def request() -> None:
        try:
            answer.append(client.submit_encoded(keys, encoded))
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=request, name="sync-push-request", daemon=True)
    thread.start()
    try:
        meanwhile()
    finally:
        thread.join()
    if failure:
        raise failure[0]
    return answer[0]


class _PushCut(Exception):
    """The time for pushing ran out before every item of a batch was sent.

    ``partial`` is what was sent before; the rest is back in the outbox, due now.
    ``next_size`` is the size of the part that was next: the centre refused larger
    ones (413, 422), so the next batch asks no more, and every step gets further.
    """

    def __init__(self, partial: PushResult, next_size: int) -> None:
        super().__init__(f"push cut after {partial.sent} item(s)")
        self.partial = partial
        self.next_size = next_size


def _by_size(claim: Claim, max_bytes: int) -> list[_Chunk]:
    """The claim's items in order with their JSON, cut into batches of at most
    ``max_bytes`` (an item larger than that alone)."""
    batches: list[_Chunk] = []
    size = 0
    for item, text in zip(claim.items, claim.encoded, strict=True):
        encoded = len(text) + 1
        if not batches or size + encoded > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append((item, text))
        size += encoded
    return batches


def _halves(chunk: _Chunk) -> list[_Chunk]:
    middle = len(chunk) // 2
    return [chunk[:middle], chunk[middle:]]


def _rest(chunk: _Chunk, chunks: deque[_Chunk]) -> _Chunk:
    return [*chunk, *(pair for queued in chunks for pair in queued)]


def _refused_alone(store: Store, item: OutboxText, exc: CentralRefused) -> PushResult:
    """An item the centre refuses on its own: a dead letter, its payload kept."""
    if exc.status == 413:
        reason = f"too_large: {exc.code or exc.status}"
        log.error(
            "outbox item %s is larger than the centre takes, kept as a dead letter",
            shown_key(item.key),
        )
    else:
        reason = f"refused: {exc.code or exc.status}"
        log.error("outbox item %s refused as malformed (%s)", shown_key(item.key), exc.code)
    store.mark_dead(item.key, reason)
    return PushResult(sent=1, dead=1)


def _encode(item: OutboxText) -> bytes:
    """The item as the request carries it: ``{"key", "kind", "body"}`` as JSON, the body
    the payload's text as the store keeps it (a JSON object): decrypted, not parsed
    and written again."""
    head = json.dumps({"key": item.key, "kind": item.kind}, separators=(",", ":"))
    return b"".join((head[:-1].encode(), b',"body":', item.payload_json, b"}"))


def _record(store: Store, results: list[SubmissionResult], now: dt.datetime) -> PushResult:
    _write(store, results, now)
    return _tally(results)


def _tally(results: list[SubmissionResult]) -> PushResult:
    delivered = sum(1 for r in results if r.taken)
    return PushResult(sent=len(results), delivered=delivered, dead=len(results) - delivered)


def _write(store: Store, results: list[SubmissionResult], now: dt.datetime) -> None:
    """Mark what the centre took delivered, the rest dead letters."""
    delivered = [r.key for r in results if r.taken]
    store.mark_delivered(delivered, now, {r.key: r.outcome for r in results if r.outcome})
    for result in results:
        if result.taken:
            continue
        # the centre's status and code only: its detail may quote what was sent
        reason = f"{result.status}: {result.error or 'no reason given'}"
        store.mark_dead(result.key, reason)
        log.error(
            "outbox item %s not taken by the centre, kept as a dead letter: %s",
            shown_key(result.key),
            reason,
        )


def _put_back(store: Store, chunk: _Chunk, error: CentralError, when: dt.datetime) -> None:
    keys = [item.key for item, _ in chunk]
    store.mark_all_failed(keys, f"{type(error).__name__}: {error}", when)
