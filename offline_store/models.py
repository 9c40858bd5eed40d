"""What the store hands back, and how it writes times.

Times the store compares (``next_attempt_at``, ``expires_at``, ``created_at``
of the outbox) are written in UTC with microseconds, so that text order is time
order. A ticket's ``issued_at`` keeps the kiosk's own offset: it is what was
printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from contract.shown import shown_key, shown_repr

#: The two lists the centre signs for the kiosk, by the name the cache keeps them under.
TrustName = Literal["trust_list", "revocations"]


class OutboxState(StrEnum):
    """Where an outbox item is (outbox.py draws the moves); the schema allows only these."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    DEAD = "dead"


class NumberSource(StrEnum):
    """Where a ticket's number came from."""

    #: A block the centre leased to this kiosk.
    LEASE = "lease"
    #: The kiosk's own counter, carrying its kiosk code.
    FALLBACK = "fallback"
    #: The centre numbered the ticket while it was being issued.
    ONLINE = "online"
    #: The foundation's per-kiosk counter, before leases.
    COUNTER = "counter"


class LeaseKind(StrEnum):
    """A row of ticket numbers: a block from the ``central`` sequence, or the ``fallback``."""

    CENTRAL = "central"
    FALLBACK = "fallback"


class SyncResult(StrEnum):
    """How a sync run ended, as the sync log keeps it."""

    OK = "ok"
    FAILED = "failed"


def utc_text(moment: dt.datetime) -> str:
    """``moment`` in UTC as fixed-width ISO 8601 (naive times are taken as local)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> dt.datetime:
    """A time the store wrote (times without an offset are UTC)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


#: The id opens the ticket's public page (/t/{id}): shown by its end, as the log lines do.
@shown_repr(id=shown_key)
@dataclass(frozen=True)
class StoredTicket:
    id: str
    number: str
    office_id: str
    service_id: str
    day: dt.date
    counter: str
    issued_at: dt.datetime
    source: NumberSource = NumberSource.FALLBACK
    #: Whether its paper came out: ``None`` while no outcome is recorded (its print
    #: on its way, or cut off by a power cut).
    printed: bool | None = None
    #: Why it did not (a printer's fault, or ``session_ended``: kept, never handed out).
    print_fault: str = ""

    @property
    def not_handed_out(self) -> bool:
        """The citizen got no paper for it: its print failed, or was never made."""
        return self.printed is False


@dataclass(frozen=True)
class OutboxItem:
    key: str
    kind: str
    #: The decrypted payload; ``{}`` once delivered (the payload is wiped).
    payload: dict[str, Any]
    state: OutboxState
    attempts: int
    created_at: str
    next_attempt_at: str = ""
    last_error: str = ""
    delivered_at: str | None = None

    def __repr__(self) -> str:  # the payload holds personal data, a complaint's key its reference
        return f"OutboxItem(key={shown_key(self.key)}, kind={self.kind}, state={self.state})"


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
    source: LeaseKind
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
    result: SyncResult
    started_at: dt.datetime
    finished_at: dt.datetime
    detail: str


@dataclass(frozen=True)
class Purged:
    """What :meth:`Store.purge` removed."""

    citizen_records: int
    sync_log: int
    leases: int


@dataclass(frozen=True)
class OutboxText:
    """An item claimed for sending (:meth:`Store.pending_texts`): its payload as the
    JSON object it was stored as, decrypted but not parsed."""

    key: str
    kind: str
    #: The payload's JSON text (UTF-8): what the request carries as the item's body.
    payload_json: bytes

    def __repr__(self) -> str:  # the payload holds personal data, a complaint's key its reference
        return f"OutboxText(key={shown_key(self.key)}, kind={self.kind})"
