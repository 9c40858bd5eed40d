"""Every error :mod:`offline_store` raises."""

from __future__ import annotations

import sqlite3


class StoreError(Exception):
    """Base: the local store could not do what was asked; nothing was written."""

    reason = "store_failed"


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full."""

    reason = "store_full"


class StoreCorrupt(StoreError):
    """The database file is damaged or not a database."""

    reason = "store_corrupt"


def translate(exc: sqlite3.Error) -> StoreError:
    """Map a sqlite3 error to the store's own, keeping SQL text out of messages."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return StoreFull("the disk is full")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in str(exc):
        return StoreCorrupt("the database file is damaged")
    return StoreError(f"{type(exc).__name__}: {exc}")
