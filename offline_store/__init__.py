"""The kiosk's local SQLite store: the only package (besides ``central``) with SQL.

It owns tickets, the outbox of what must reach the central server, and the
cached catalog. Business writes and their outbox rows share one transaction.
"""

from offline_store.errors import StoreCorrupt, StoreError, StoreFull
from offline_store.store import OutboxItem, Store, StoredTicket

__all__ = ["OutboxItem", "Store", "StoreCorrupt", "StoreError", "StoreFull", "StoredTicket"]
