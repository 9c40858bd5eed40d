"""Opening the store's file: the connection's settings, the key, the migrations.

Kept apart from :mod:`offline_store.store` so that importing the store is
cheap. The store speaks to SQLite through the standard library's ``sqlite3``
alone: sqlite-utils took some 0.2 s to import on every start, before the
kiosk was ready for a tap, for three calls the migrations made.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path

from offline_store.crypto import RowCipher, create_key, read_key
from offline_store.errors import StoreError, StoreKeyError, translate, translated
from offline_store.migrations import migrate

log = logging.getLogger(__name__)


#: The database and the files SQLite keeps beside it (same permissions as the database).
SIDE_FILES = ("", "-wal", "-shm", "-journal")


def connect(path: Path, key_path: Path) -> tuple[sqlite3.Connection, RowCipher]:
    """Open (creating if needed) and migrate the database at ``path``; raises ``StoreError``."""
    try:
        # make_private refuses links; SQLite's own "nofollow" is an open flag
        # Python's sqlite3 cannot pass (a "?nofollow=1" URI parameter is ignored).
        # Between the check and the open, only the kiosk's user can write in the
        # 0700 folder.
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
            conn.execute("PRAGMA recursive_triggers=ON")  # as sqlite-utils set it, before
            cipher = _cipher(key_path, _key_check(conn))
            if migrate(conn, cipher):
                # push zeroed pages (e.g. 0001's plaintext payloads) into the file now
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        conn.close()
        raise
    return conn, cipher


def make_private(path: Path) -> None:
    """The data folder 0700, the database and its WAL, shared-memory and journal files 0600.

    The database file is created here, empty and 0600, before SQLite opens it:
    SQLite gives the files it creates beside it (``-wal``, ``-shm``) the
    database's own mode, whatever the umask. A file found with another mode (by
    an older kiosk or by hand) is set to exactly 0600, with a log line. A
    symbolic link, or anything but a plain file, at the database's or a side
    file's name is refused (:class:`StoreError` naming it): SQLite would create
    or open the store wherever the link points, with that place's permissions.
    The folder itself may be a link (an operator's choice of disk); it is 0700.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        _tighten_folder(folder)
    except OSError as exc:  # not ours to change (e.g. a shared parent): the files still are 0600
        log.warning("cannot make the data folder %s private: %s", folder, exc.strerror)
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        os.close(os.open(path, flags, 0o600))
    except FileExistsError:  # there already, or a link there: checked just below
        pass
    except OSError as exc:
        raise StoreError(f"cannot create the store file {path}: {exc.strerror}") from exc
    for suffix in SIDE_FILES:
        make_file_private(path.with_name(path.name + suffix), "store file")


def make_file_private(path: Path, what: str) -> None:
    """Make the plain file at ``path`` (if any) exactly 0600, never through a link.

    Raises :class:`StoreError` naming ``path`` for a symbolic link, something
    other than a plain file, or a mode that cannot be set.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot check the {what} {path}: {exc.strerror}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise StoreError(
            f"the {what} {path} is a symbolic link; the store's files must be plain files"
            " in the data folder (remove the link, or move the real file there)"
        )
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"the {what} {path} is not a plain file")
    current = stat.S_IMODE(info.st_mode)
    if current == 0o600:
        return
    log.warning("%s %s was mode %03o%s; made it 600", what, path, current, _broader(current))
    try:
        os.chmod(path, 0o600)  # lstat above: a plain file; checked again below
    except OSError as exc:
        raise StoreError(f"cannot make the {what} {path} mode 0600: {exc.strerror}") from exc
    if stat.S_IMODE(os.lstat(path).st_mode) != 0o600:  # replaced meanwhile
        raise StoreError(f"the {what} {path} could not be made mode 0600")


def _broader(mode: int) -> str:
    return ", readable by other users" if mode & 0o077 else ""


def _tighten_folder(folder: Path) -> None:
    current = stat.S_IMODE(folder.stat().st_mode)
    if current != 0o700:
        log.warning("%s was mode %03o%s; made it 700", folder, current, _broader(current))
        folder.chmod(0o700)


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
