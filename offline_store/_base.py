"""What every part of :class:`~offline_store.store.Store` shares: the one
connection, its lock, the cipher, and how a transaction is opened."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from offline_store.crypto import RowCipher
from offline_store.errors import StoreCorrupt, translate


class StoreBase:
    def __init__(
        self, db: sqlite_utils.Database, path: Path | None, cipher: RowCipher, record_ttl_s: float
    ) -> None:
        self.db = db
        self.path = path
        self.cipher = cipher
        self.record_ttl_s = record_ttl_s
        # One connection shared by the GUI thread and workers: transactions
        # must not interleave, so every public method holds this lock.
        self.lock = threading.RLock()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, or nothing at all.

        IMMEDIATE takes the write lock up front, so a second process (``kiosk
        sync status``) can never make a read-then-write transaction fail half way.
        """
        with self.lock, translated():
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self.lock, translated():
            yield self.db.conn

    def _seal_json(self, table: str, row_key: str, value: Mapping[str, Any]) -> bytes:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return self.cipher.seal(table, row_key, text.encode())

    def _open_json(self, table: str, row_key: str, sealed: bytes) -> dict[str, Any]:
        value = json.loads(self.cipher.open(table, row_key, sealed))
        if not isinstance(value, dict):
            raise StoreCorrupt(f"{table} row {row_key}: the value is not a JSON object")
        return value


@contextmanager
def translated() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc) from exc
