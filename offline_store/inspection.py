"""A look at the store that changes nothing, for ``kiosk doctor``.

:meth:`offline_store.Store.open` makes what is missing (the file, the key while
nothing is encrypted, the schema), sets the files' modes and migrates: right for
the kiosk, wrong for a check that may run beside it, as another user, or from a
newer package than the running kiosk. :func:`inspect_store` opens the database
read-only (``immutable`` when no write-ahead log is there, so SQLite makes no side
file either), reads the key without touching its mode, and reports what the
kiosk would change at its next start instead of changing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path

from offline_store.crypto import RowCipher, read_key
from offline_store.errors import StoreCorrupt, StoreError, StoreKeyError, StoreTampered, translate
from offline_store.migrations import LATEST
from offline_store.models import OutboxStats
from offline_store.opening import SIDE_FILES
from offline_store.outbox import outbox_stats_of

#: At most this many undelivered payloads are decrypted (a deeper outbox is
#: already a failing check of its own).
MAX_PAYLOADS_CHECKED = 10_000


@dataclass(frozen=True)
class StoreInspection:
    """What :func:`inspect_store` found; nothing was changed to find it."""

    #: Files of the store (database, side files, key) not mode 0600, as "path 0644".
    loose_modes: list[str] = field(default_factory=list)
    #: No key file, and nothing encrypted yet: the kiosk makes the key at its start.
    key_to_make: bool = False
    #: Migrations the kiosk would apply at its start.
    pending_migrations: list[int] = field(default_factory=list)
    #: The outbox's numbers; None when the schema is not at the head yet.
    outbox: OutboxStats | None = None
    #: Undelivered outbox items whose payload does not decrypt with the key.
    unreadable_payloads: int = 0


def inspect_store(path: Path, key_path: Path, now: dt.datetime) -> StoreInspection:
    """Look at the store at ``path`` with its key at ``key_path``; change nothing.

    Raises :class:`StoreKeyError` (key missing while data is encrypted, wrong,
    malformed, a link), :class:`StoreCorrupt` (not a database, damaged) or
    another :class:`StoreError` (a link or a folder where a file should be, a
    schema newer than this program knows).
    """
    key = read_key(key_path, tighten=False)  # a link there: StoreKeyError
    loose = [_mode_of(path.with_name(path.name + s), "store file") for s in SIDE_FILES]
    loose.append(_mode_of(key_path, "store key file"))
    conn = _connect_read_only(path)
    try:
        try:
            found = _inspect(conn, key, key_path, now)
        except sqlite3.Error as exc:
            raise translate(exc) from exc
        except ValueError as exc:  # a time the store did not write
            raise StoreCorrupt(f"the database holds a value it never wrote: {exc}") from exc
    finally:
        conn.close()
    return StoreInspection(
        loose_modes=[m for m in loose if m],
        key_to_make=found.key_to_make,
        pending_migrations=found.pending_migrations,
        outbox=found.outbox,
        unreadable_payloads=found.unreadable_payloads,
    )


def _inspect(
    conn: sqlite3.Connection, key: bytes | None, key_path: Path, now: dt.datetime
) -> StoreInspection:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    applied: set[int] = set()
    if "_migrations" in tables:
        applied = {row[0] for row in conn.execute("SELECT version FROM _migrations")}
    newer = [v for v in applied if v > LATEST]
    if newer:
        raise StoreError(
            f"the store's schema is version {max(newer)}, newer than this program's {LATEST}:"
            " it was made by a newer kiosk"
        )
    key_check = None
    if "store_meta" in tables:
        row = conn.execute("SELECT value FROM store_meta WHERE key = 'key_check'").fetchone()
        key_check = bytes(row[0]) if row else None
    cipher = None
    if key is None:
        if key_check is not None:
            raise StoreKeyError(
                f"the store key file {key_path} is missing and this store holds data"
                " encrypted with it"
            )
    else:
        cipher = RowCipher(key)
        if key_check is not None:
            cipher.verify(key_check)
    pending = [v for v in range(1, LATEST + 1) if v not in applied]
    outbox = None
    unreadable = 0
    if not pending:
        outbox = outbox_stats_of(conn, now)
        if cipher is not None:
            unreadable = _unreadable_payloads(conn, cipher)
    return StoreInspection(
        key_to_make=key is None,
        pending_migrations=pending,
        outbox=outbox,
        unreadable_payloads=unreadable,
    )


def _unreadable_payloads(conn: sqlite3.Connection, cipher: RowCipher) -> int:
    bad = 0
    rows = conn.execute(
        "SELECT key, payload FROM outbox WHERE payload IS NOT NULL LIMIT ?",
        [MAX_PAYLOADS_CHECKED],
    )
    for row_key, sealed in rows:
        try:
            value = json.loads(cipher.open("outbox", row_key, sealed))
        except (StoreTampered, ValueError):
            bad += 1
            continue
        if not isinstance(value, dict):
            bad += 1
    return bad


def _connect_read_only(path: Path) -> sqlite3.Connection:
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise StoreError(f"cannot check the store file {path}: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"the store file {path} is not a plain file")
    wal = path.with_name(path.name + "-wal")
    # Without a write-ahead log every row is in the file: "immutable" reads it with
    # no lock and no -shm/-wal made. With one (the kiosk runs, or stopped
    # uncleanly), read-only through it, so what the log holds is seen too.
    mode = "mode=ro" if wal.exists() else "immutable=1"
    uri = f"{path.absolute().as_uri()}?{mode}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5.0, check_same_thread=False)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise translate(exc) from exc
    return conn


def _mode_of(path: Path, what: str) -> str:
    """``"path 0644"`` for a plain file not 0600, "" when fine or absent; a link or
    anything but a plain file raises :class:`StoreError` naming it."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise StoreError(f"cannot check the {what} {path}: {exc.strerror}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise StoreError(f"the {what} {path} is a symbolic link; it must be a plain file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"the {what} {path} is not a plain file")
    mode = stat.S_IMODE(info.st_mode)
    return "" if mode == 0o600 else f"{path} {mode:04o}"
