"""Every error :mod:`offline_store` raises, in one place.

::

    StoreError                the store could not do what was asked; nothing was written
    ├── StoreFull             the disk (or the database's size limit) is full
    ├── StoreCorrupt          the database file is damaged or not a database
    │   └── StoreTampered     one encrypted value does not belong to its row
    ├── StoreKeyError         the key file is missing, unreadable or not this store's key
    ├── LeaseConflict         a leased number block overlaps one the kiosk already holds
    ├── BadValue              an argument the store refuses (e.g. a kiosk code's form)
    └── MigrationError        a migration step tried to end its own transaction

``reason`` is the stable :class:`StoreReason` the session and the screen use;
the key, lease and migration errors share ``store_failed`` because the citizen
is told the same thing. Messages never carry SQL text or personal data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum


class StoreReason(StrEnum):
    """Why the store failed. Values are stable: logs, screens and the operator panel show them."""

    STORE_FAILED = "store_failed"
    STORE_FULL = "store_full"
    STORE_CORRUPT = "store_corrupt"


class StoreError(Exception):
    """Base: the local store could not do what was asked; nothing was written."""

    reason: StoreReason = StoreReason.STORE_FAILED


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full."""

    reason = StoreReason.STORE_FULL


class StoreCorrupt(StoreError):
    """The database file is damaged or not a database."""

    reason = StoreReason.STORE_CORRUPT


class StoreTampered(StoreCorrupt):
    """An encrypted value failed authentication: it was altered or moved from another row."""


class StoreKeyError(StoreError):
    """The store's key file is missing, unreadable, malformed or belongs to another store.

    The store refuses to start rather than make a new key: a new key would
    leave every encrypted outbox payload unreadable (see docs/architecture.md,
    "Recovering the store key").
    """


class LeaseConflict(StoreError):
    """A leased block overlaps a block already held for that office, service and day."""


class BadValue(StoreError, ValueError):
    """An argument the store cannot accept; nothing was written."""


class MigrationError(StoreError):
    """A migration step broke the rule that it runs inside one transaction."""


def translate(exc: sqlite3.Error) -> StoreError:
    """Map a sqlite3 error to the store's own, keeping SQL text out of messages."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return StoreFull("the disk is full")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in str(exc):
        return StoreCorrupt("the database file is damaged")
    return StoreError(f"{type(exc).__name__}: {exc}")


@contextmanager
def translated() -> Iterator[None]:
    """Raise any sqlite3 error inside the block as the store's own (:func:`translate`)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc) from exc
