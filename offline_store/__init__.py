"""The kiosk's local SQLite store: the only package (besides ``central``) with SQL.

It owns tickets and the ticket-number leases, the outbox of what must reach
the central server, the caches of what the centre sent (catalog, trust list,
revocations, citizen records) and the sync log. Business writes and their
outbox rows share one transaction; personal data is encrypted at rest.
"""

from offline_store.errors import (
    BadValue,
    LeaseConflict,
    MigrationError,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreKeyError,
    StoreReason,
    StoreTampered,
)
from offline_store.leases import format_number
from offline_store.models import (
    CachedDocument,
    LeaseKind,
    LeaseState,
    NumberSource,
    OutboxItem,
    OutboxState,
    OutboxStats,
    OutboxText,
    Purged,
    StoredTicket,
    SyncLogEntry,
    SyncResult,
)
from offline_store.store import DEFAULT_RECORD_TTL_S, KEY_FILE_NAME, Store

__all__ = [
    "DEFAULT_RECORD_TTL_S",
    "KEY_FILE_NAME",
    "BadValue",
    "CachedDocument",
    "LeaseConflict",
    "LeaseKind",
    "LeaseState",
    "MigrationError",
    "NumberSource",
    "OutboxItem",
    "OutboxState",
    "OutboxStats",
    "OutboxText",
    "Purged",
    "Store",
    "StoreCorrupt",
    "StoreError",
    "StoreFull",
    "StoreKeyError",
    "StoreReason",
    "StoreTampered",
    "StoredTicket",
    "SyncLogEntry",
    "SyncResult",
    "format_number",
]
