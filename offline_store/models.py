"""What the store hands back, and how it writes times.

Times the store compares (``next_attempt_at``, ``expires_at``, ``created_at``
of the outbox) are written in UTC with microseconds, so that text order is time
order. A ticket's ``issued_at`` keeps the kiosk's own offset: it is what was
printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

OutboxState = Literal["pending", "sending", "delivered", "dead"]
NumberSource = Literal["lease", "fallback", "online", "counter"]
TrustName = Literal["trust_list", "revocations"]
SyncResult = Literal["ok", "failed"]


def utc_text(moment: dt.datetime) -> str:
    """``moment`` in UTC as fixed-width ISO 8601 (naive times are taken as local)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> dt.datetime:
    """A time the store wrote (times without an offset are UTC)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class StoredTicket:
    id: str
    number: str
    office_id: str
    service_id: str
    day: dt.date
    counter: str
    issued_at: dt.datetime
    #: Where the number came from: a central ``lease``, the kiosk's ``fallback``,
    #: the centre ``online``, or the foundation's ``counter`` (before leases).
    source: NumberSource = "fallback"


@dataclass(frozen=True)
class OutboxItem:
    key: str
    kind: str
    #: The decrypted payload; ``{}`` once delivered (the payload is wiped).
    payload: dict[str, Any]
    state: str
    attempts: int
    created_at: str
    next_attempt_at: str = ""
    last_error: str = ""
    delivered_at: str | None = None

    def __repr__(self) -> str:  # the payload holds personal data
        return f"OutboxItem(key={self.key}, kind={self.kind}, state={self.state})"


@dataclass(frozen=True)
class OutboxStats:
    #: Items not yet delivered nor dead (pending + sending).
    depth: int
    #: Seconds since the oldest undelivered item was created; None if none.
    oldest_unsent_age_s: float | None
    dead: int
    #: Claimed by the sync engine and not yet answered.
    sending: int


@dataclass(frozen=True)
class LeaseState:
    office_id: str
    service_id: str
    day: dt.date
    source: Literal["central", "fallback"]
    #: The centre's id for the block ("" for the fallback counter).
    lease_id: str
    block_start: int
    #: None for the fallback counter, which has no end.
    block_end: int | None
    #: The next number this kiosk will hand out from this row.
    next: int
    #: Numbers left in the block (None for the fallback counter).
    remaining: int | None
    expires_at: dt.datetime | None
    #: True if the next ticket could come from this row now.
    usable: bool


@dataclass(frozen=True)
class CachedDocument:
    """A document fetched from the centre: the exact bytes, as received."""

    body: bytes
    version: str
    etag: str | None
    fetched_at: dt.datetime


@dataclass(frozen=True)
class SyncLogEntry:
    task: str
    result: str
    started_at: dt.datetime
    finished_at: dt.datetime
    detail: str


@dataclass(frozen=True)
class Purged:
    """What :meth:`Store.purge` removed."""

    citizen_records: int
    sync_log: int
    leases: int
