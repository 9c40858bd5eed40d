"""The outbox: everything the centre must receive, delivered at least once.

::

    pending ──pending_batch──▶ sending ──mark_delivered──▶ delivered (payload wiped)
       ▲                          │
       ├──────release_claim───────┤ (never sent: the attempt not counted)
       └──────mark_failed─────────┤ (with next_attempt_at: the sync engine's backoff)
                                  └──mark_dead──▶ dead (kept for the operator; retry_dead)

A claim lapses on its own: :meth:`pending_batch` sets a ``sending`` row's
``next_attempt_at`` to ``now + claim_s``. If the kiosk dies before the answer
comes, the row is due again after that, with no recovery step at start; the
centre drops the duplicate by key. Payloads are sealed with the row's key as
associated data (crypto.py); a delivered row keeps its key, kind and times for
the audit, and its payload becomes NULL (a CHECK in the schema insists).
``last_error`` is the sync engine's text: it must never carry personal data.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from contract.shown import shown_key
from offline_store._base import StoreBase
from offline_store.errors import BadValue, StoreCorrupt
from offline_store.models import (
    OutboxItem,
    OutboxState,
    OutboxStats,
    OutboxText,
    from_text,
    utc_text,
)

log = logging.getLogger(__name__)

_Read = TypeVar("_Read")

MAX_ERROR_CHARS = 500
#: The longest outcome word kept for an item (the centre's are a few characters).
MAX_OUTCOME_CHARS = 32
_IN_STATE = (
    "SELECT key, kind, payload, state, attempts, created_at, next_attempt_at, last_error,"
    " delivered_at FROM outbox WHERE state = ? ORDER BY created_at, key LIMIT ?"
)
_DUE = (
    "SELECT key, kind, payload, state, attempts, created_at, next_attempt_at, last_error,"
    " delivered_at FROM outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?"
    " ORDER BY created_at, key LIMIT ?"
)


class OutboxMixin(StoreBase):
    def _enqueue(
        self,
        conn: sqlite3.Connection,
        key: str,
        kind: str,
        payload: Mapping[str, Any],
        now: dt.datetime,
    ) -> None:
        """Add an item inside the caller's transaction (the business write's)."""
        conn.execute(
            "INSERT INTO outbox (key, kind, payload, state, attempts, next_attempt_at,"
            " last_error, created_at) VALUES (?, ?, ?, 'pending', 0, ?, '', ?)",
            [key, kind, self._seal_json("outbox", key, payload), utc_text(now), utc_text(now)],
        )

    def enqueue_submission(
        self, key: str, kind: str, body: Mapping[str, Any], now: dt.datetime
    ) -> None:
        """Queue one submission for the centre (a complaint, a check-in) in one transaction.

        The outbox row is the business write itself: the kiosk keeps nothing
        else about it. ``key`` is the idempotency key the centre dedupes by;
        a key already queued raises :class:`BadValue` (a caller's bug).
        """
        if not key or len(key) > 64:
            raise BadValue("a submission key has 1 to 64 characters")
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM outbox WHERE key = ?", [key]).fetchone():
                raise BadValue("a submission with this key is already queued")
            self._enqueue(conn, key, kind, body, now)

    def outbox(
        self,
        state: OutboxState = OutboxState.PENDING,
        limit: int = 100,
        *,
        payloads: bool = True,
    ) -> list[OutboxItem]:
        """Items in ``state``, oldest first, their payloads decrypted.

        ``payloads=False``: each payload left sealed and given as ``{}``, for a view
        that needs none (``kiosk sync status``): nothing decrypted, so a row whose
        payload cannot be read is listed too, where decrypting raises
        :class:`~offline_store.errors.StoreTampered`.
        """
        with self._read() as conn:
            rows = conn.execute(_IN_STATE, [state, limit]).fetchall()
            if not payloads:
                rows = [(*row[:2], None, *row[3:]) for row in rows]
            return [self._item(row) for row in rows]

    def _item(self, row: tuple[Any, ...]) -> OutboxItem:
        key, kind, sealed, state, attempts, created, next_at, error, delivered = row
        payload = {} if sealed is None else self._open_json("outbox", key, sealed)
        state = OutboxState(state)
        return OutboxItem(key, kind, payload, state, attempts, created, next_at, error, delivered)

    def pending_batch(
        self, limit: int, now: dt.datetime, *, claim_s: float = 60.0
    ) -> list[OutboxItem]:
        """Claim up to ``limit`` due items, oldest first, marking them ``sending``.

        Due: ``pending`` with ``next_attempt_at <= now``, or ``sending`` whose
        claim has lapsed. An item whose payload fails authentication cannot be
        sent; it goes to ``dead`` with the reason instead of blocking the queue.
        """
        claimed = self._claim(limit, now, claim_s, self._item)
        until = utc_text(now + dt.timedelta(seconds=claim_s))
        return [
            OutboxItem(
                item.key,
                item.kind,
                item.payload,
                OutboxState.SENDING,
                item.attempts + 1,
                item.created_at,
                until,
                item.last_error,
            )
            for item in claimed
        ]

    def pending_texts(
        self, limit: int, now: dt.datetime, *, claim_s: float = 60.0
    ) -> list[OutboxText]:
        """:meth:`pending_batch` for sending: each payload as the JSON text it was
        stored as, decrypted but not parsed (the request carries it as it is)."""
        return self._claim(limit, now, claim_s, self._text)

    def _text(self, row: tuple[Any, ...]) -> OutboxText:
        key, kind, sealed = row[0], row[1], row[2]
        return OutboxText(key, kind, self._open_json_text("outbox", key, sealed))

    def _claim(
        self,
        limit: int,
        now: dt.datetime,
        claim_s: float,
        read: Callable[[tuple[Any, ...]], _Read],
    ) -> list[_Read]:
        if limit < 1 or claim_s <= 0:
            raise BadValue("limit and claim_s must be positive")
        until = utc_text(now + dt.timedelta(seconds=claim_s))
        items: list[_Read] = []
        keys: list[str] = []
        with self._write() as conn:
            rows = conn.execute(_DUE, [utc_text(now), limit]).fetchall()
            for row in rows:
                key = row[0]
                try:
                    items.append(read(row))
                except StoreCorrupt as exc:
                    # its key's end only, here and in the reason `kiosk sync status` shows
                    # (the error's text names the row so too): a complaint's gives its reference
                    log.error("outbox item %s cannot be read, marked dead: %s", shown_key(key), exc)
                    conn.execute(
                        "UPDATE outbox SET state = 'dead', last_error = ? WHERE key = ?",
                        [f"unreadable payload: {exc}"[:MAX_ERROR_CHARS], key],
                    )
                    continue
                keys.append(key)
            # the claim in one statement, in the same transaction as the read
            conn.executemany(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                " next_attempt_at = ? WHERE key = ?",
                [(until, key) for key in keys],
            )
        return items

    def mark_delivered(
        self,
        keys: Iterable[str],
        now: dt.datetime,
        outcomes: Mapping[str, str] | None = None,
    ) -> int:
        """The centre has these items: wipe their payloads, keep the rows. Returns how many.

        ``outcomes``: the centre's one-word outcome of an item that has one (a
        ``visit_cancel``: ``cancelled``, ``done``, ``unknown_visit``), kept with it.
        """
        outcomes = outcomes or {}
        at = utc_text(now)
        with self._write() as conn:
            cursor = conn.executemany(
                "UPDATE outbox SET state = 'delivered', payload = NULL, last_error = '',"
                " delivered_at = ?, outcome = ? WHERE key = ? AND state != 'delivered'",
                [(at, outcomes.get(key, "")[:MAX_OUTCOME_CHARS], key) for key in keys],
            )
            return max(cursor.rowcount, 0)

    def outcomes(self, keys: Iterable[str]) -> dict[str, tuple[OutboxState, str]]:
        """The state and the centre's outcome ("" for none yet) of each of ``keys`` queued."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, tuple[OutboxState, str]] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, state, outcome FROM outbox WHERE key IN ({marks})",  # noqa: S608 (placeholders only)
                    chunk,
                ).fetchall()
                found.update({key: (OutboxState(state), outcome) for key, state, outcome in rows})
        return found

    def mark_failed(self, key: str, error: str, next_attempt_at: dt.datetime) -> bool:
        """A try failed; retry at ``next_attempt_at``. False if the key is not in flight."""
        return self.mark_all_failed([key], error, next_attempt_at) == 1

    def mark_all_failed(self, keys: Iterable[str], error: str, next_attempt_at: dt.datetime) -> int:
        """:meth:`mark_failed` for a whole batch, in one transaction; how many were in flight."""
        with self._write() as conn:
            cursor = conn.executemany(
                "UPDATE outbox SET state = 'pending', last_error = ?, next_attempt_at = ?"
                " WHERE key = ? AND state IN ('pending', 'sending')",
                [(error[:MAX_ERROR_CHARS], utc_text(next_attempt_at), key) for key in keys],
            )
            return max(cursor.rowcount, 0)

    def release_claim(self, keys: Iterable[str], now: dt.datetime) -> int:
        """Claimed items that were never sent: pending again, due at ``now``, their
        attempt not counted, in one transaction; how many were still claimed."""
        with self._write() as conn:
            cursor = conn.executemany(
                "UPDATE outbox SET state = 'pending', attempts = max(attempts - 1, 0),"
                " next_attempt_at = ? WHERE key = ? AND state = 'sending'",
                [(utc_text(now), key) for key in keys],
            )
            return max(cursor.rowcount, 0)

    def mark_dead(self, key: str, error: str) -> bool:
        """The centre refused the item for good (a 4xx that will never succeed)."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE outbox SET state = 'dead', last_error = ?"
                " WHERE key = ? AND state IN ('pending', 'sending')",
                [error[:MAX_ERROR_CHARS], key],
            )
            return cursor.rowcount == 1

    def retry_dead(self, key: str, now: dt.datetime) -> bool:
        """An operator sends a dead item again (after fixing what the centre refused)."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?"
                " WHERE key = ? AND state = 'dead'",
                [utc_text(now), key],
            )
            return cursor.rowcount == 1

    def dead_keys_shown_as(self, shown: str) -> list[str]:
        """The dead letters' keys that :func:`shown_key` shows exactly as ``shown``.

        ``shown`` as ``kiosk sync status`` lists it (``cancel-…3f2a9c0b1d7e``,
        ``…3f2a9c0b1d7e``; ``...`` taken for ``…``), nothing else: a shorter end, or
        one without the mark, names no dead letter (it could match one the operator
        never meant).
        """
        wanted = shown.replace("...", "…")
        _, mark, tail = wanted.rpartition("…")
        if not mark or not tail:
            return []
        with self._read() as conn:
            rows = conn.execute(
                "SELECT key FROM outbox WHERE state = 'dead' AND substr(key, ?) = ? ORDER BY key",
                [-len(tail), tail],
            ).fetchall()
        return [row[0] for row in rows if shown_key(row[0]) == wanted]

    def outbox_stats(self, now: dt.datetime) -> OutboxStats:
        """Depth, age of the oldest undelivered item, dead items (for heartbeats and status)."""
        with self._read() as conn:
            return outbox_stats_of(conn, now)


def outbox_stats_of(conn: sqlite3.Connection, now: dt.datetime) -> OutboxStats:
    """:meth:`OutboxMixin.outbox_stats` on a connection of the caller's (a read-only
    one for ``kiosk doctor``)."""
    counts: dict[OutboxState, tuple[int, str | None]] = {}
    for state in (OutboxState.PENDING, OutboxState.SENDING, OutboxState.DEAD):
        counts[state] = conn.execute(
            "SELECT count(*), min(created_at) FROM outbox WHERE state = ?", [state]
        ).fetchone()
    oldest = [c[1] for s, c in counts.items() if s != OutboxState.DEAD and c[1] is not None]
    age = (now - from_text(min(oldest))).total_seconds() if oldest else None
    return OutboxStats(
        depth=counts[OutboxState.PENDING][0] + counts[OutboxState.SENDING][0],
        oldest_unsent_age_s=age,
        dead=counts[OutboxState.DEAD][0],
        sending=counts[OutboxState.SENDING][0],
    )
