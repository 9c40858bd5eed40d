"""Every error :mod:`offline_store` raises, in one place.

::

    StoreError                the store could not do what was asked; nothing was written
    ├── StoreFull             the disk (or the database's size limit) is full
    ├── StoreCorrupt          the database file is damaged or not a database
    │   └── StoreTampered     one encrypted value does not belong to its row
    ├── StoreKeyError         the key file is missing, unreadable or not this store's key
    ├── LeaseConflict         a leased number block overlaps one the kiosk already holds
    └── BadValue              an argument the store refuses (e.g. a kiosk code's form)

``reason`` is the stable code the session and the screen use; the key and
lease errors share ``store_failed`` because the citizen is told the same thing.
Messages never carry SQL text or personal data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


class StoreError(Exception):
    """Base: the local store could not do what was asked; nothing was written."""

    reason = "store_failed"


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full."""

    reason = "store_full"


class StoreCorrupt(StoreError):
    """The database file is damaged or not a database."""

    reason = "store_corrupt"


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
