"""What every part of :class:`~offline_store.store.Store` shares: the one
connection (opened on first use), its lock, the cipher, and how a
transaction is opened."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract.shown import shown_key
from offline_store.errors import StoreCorrupt, StoreError, translated

if TYPE_CHECKING:
    import sqlite_utils

    from offline_store.crypto import RowCipher


class StoreBase:
    def __init__(self, path: Path, key_path: Path, record_ttl_s: float) -> None:
        self.path = path
        self.key_path = key_path
        self.record_ttl_s = record_ttl_s
        # One connection shared by the GUI thread and workers: transactions
        # must not interleave, so every public method holds this lock.
        self.lock = threading.RLock()
        self._opened: tuple[sqlite3.Connection, RowCipher] | None = None
        self._closed = False
        self._tools_view: sqlite_utils.Database | None = None

    def ensure_open(self) -> None:
        """Open the file now unless it is open; raises ``StoreError``. Any thread.

        A failed open leaves the store closed: the next use tries again.
        """
        self._connection()

    @property
    def is_open(self) -> bool:
        return self._opened is not None

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, opened if need be; the store's own methods hold :attr:`lock`
        around it."""
        return self._connection()[0]

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection seen through sqlite-utils, for tools and tests. Only this
        imports sqlite-utils (some 0.2 s): the store itself uses ``sqlite3`` alone."""
        conn = self.conn
        if self._tools_view is None or self._tools_view.conn is not conn:
            import sqlite_utils

            self._tools_view = sqlite_utils.Database(conn)
        return self._tools_view

    @property
    def cipher(self) -> RowCipher:
        return self._connection()[1]

    def close(self) -> None:
        """Close the file; any later use raises ``StoreError``."""
        with self.lock:
            self._closed = True
            if self._opened is not None:
                self._opened[0].close()
                self._opened = None

    def _connection(self) -> tuple[sqlite3.Connection, RowCipher]:
        with self.lock:
            if self._closed:
                raise StoreError(f"the store {self.path} is closed")
            if self._opened is None:
                from offline_store.opening import connect  # the migrations, the key

                self._opened = connect(self.path, self.key_path)
            return self._opened

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, or nothing at all.

        IMMEDIATE takes the write lock up front, so a second process (``kiosk
        sync status``) can never make a read-then-write transaction fail half way.
        """
        with self.lock, translated():
            conn = self.conn
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
            yield self.conn

    def _seal_json(self, table: str, row_key: str, value: Mapping[str, Any]) -> bytes:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return self.cipher.seal(table, row_key, text.encode())

    def _open_json_text(self, table: str, row_key: str, sealed: bytes) -> bytes:
        """The JSON object :meth:`_seal_json` sealed, as its text (not parsed): the
        seal proves it is what was written, an object (whose text starts with ``{``).

        Every outbox payload an older store kept was sealed anew so by migration 0010.
        A text that still does not start with ``{`` is read and written anew (its
        escapes kept), or :class:`StoreCorrupt` when it is no JSON object.
        """
        text = self.cipher.open(table, row_key, sealed)
        if text.startswith(b"{"):
            return text
        try:
            return json.dumps(self._open_json(table, row_key, sealed)).encode()
        except (ValueError, RecursionError) as exc:
            reason = type(exc).__name__  # never the text: it holds personal data
            raise StoreCorrupt(
                f"{table} row {shown_key(row_key)}: not a JSON object ({reason})"
            ) from None

    def _open_json(self, table: str, row_key: str, sealed: bytes) -> dict[str, Any]:
        value = json.loads(self.cipher.open(table, row_key, sealed))
        if not isinstance(value, dict):
            raise StoreCorrupt(f"{table} row {shown_key(row_key)}: the value is not a JSON object")
        return value
