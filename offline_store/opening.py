"""Opening the store's file: the connection's settings, the key, the migrations.

Kept apart from :mod:`offline_store.store` so that importing the store is
cheap: sqlite-utils (some 0.2 s to import) is loaded only here, when a store
is first opened.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
from pathlib import Path

import sqlite_utils

from offline_store._base import translated
from offline_store.crypto import RowCipher, create_key, read_key
from offline_store.errors import StoreError, StoreKeyError, translate
from offline_store.migrations import migrate

log = logging.getLogger(__name__)


#: The database and the files SQLite keeps beside it (same permissions as the database).
SIDE_FILES = ("", "-wal", "-shm", "-journal")


def connect(path: Path, key_path: Path) -> tuple[sqlite_utils.Database, RowCipher]:
    """Open (creating if needed) and migrate the database at ``path``; raises ``StoreError``."""
    try:
        make_private(path)
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
    except OSError as exc:
        raise StoreError(f"cannot open the store in {path.parent}: {exc.strerror}") from exc
    except sqlite3.Error as exc:
        raise translate(exc) from exc
    try:
        with translated():
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            db = sqlite_utils.Database(conn)
            cipher = _cipher(key_path, _key_check(conn))
            if migrate(db, cipher):
                # push zeroed pages (e.g. 0001's plaintext payloads) into the file now
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        conn.close()
        raise
    return db, cipher


def make_private(path: Path) -> None:
    """The data folder 0700, the database and its WAL, shared-memory and journal files 0600.

    The database file is created here, empty and 0600, before SQLite opens it:
    SQLite gives the files it creates beside it (``-wal``, ``-shm``) the
    database's own mode, whatever the umask. Files and a folder left broader
    by an older kiosk or by hand are tightened, with a log line.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        _tighten(folder, 0o700)
    except OSError as exc:  # not ours to change (e.g. a shared parent): the files still are 0600
        log.warning("cannot make the data folder %s private: %s", folder, exc.strerror)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in SIDE_FILES:
        _tighten(path.with_name(path.name + suffix), 0o600)


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & 0o077:
        log.warning("%s was mode %o, readable by other users; made it %o", path, current, mode)
        path.chmod(current & mode)


def _key_check(conn: sqlite3.Connection) -> bytes | None:
    """The key check, or None if this store has never encrypted anything."""
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_meta'"
    ).fetchone()
    if not has_meta:
        return None
    row = conn.execute("SELECT value FROM store_meta WHERE key = 'key_check'").fetchone()
    return bytes(row[0]) if row else None


def _cipher(key_path: Path, key_check: bytes | None) -> RowCipher:
    key = read_key(key_path)
    if key is None:
        if key_check is not None:
            raise StoreKeyError(
                f"the store key file {key_path} is missing and this store holds data"
                " encrypted with it; nothing was changed: restore the key file from its"
                " backup (docs/architecture.md, 'Recovering the store key')"
            )
        key = create_key(key_path)
    cipher = RowCipher(key)
    if key_check is not None:
        cipher.verify(key_check)
    return cipher
