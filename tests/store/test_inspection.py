"""The store looked at for ``kiosk doctor``: what it finds, and that it changes nothing
(no key, no schema, no mode, no migration, no side file), even beside a running kiosk."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from offline_store import Store, StoreCorrupt, StoreError, StoreKeyError
from offline_store import migrations as m
from offline_store.crypto import RowCipher, create_key
from offline_store.inspection import inspect_store

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mode, p.read_bytes()) for p in sorted(folder.iterdir())}


def _store_with_one_item(folder: Path) -> Path:
    folder.mkdir(mode=0o700)
    store = Store.open(folder / "kiosk.db")
    store.enqueue_submission("k-1", "complaint", {"text": "lampu mati"}, NOW)
    store.close()
    return folder / "kiosk.db"


def test_a_closed_store_is_read_and_left_exactly_as_it_was(tmp_path: Path) -> None:
    db = _store_with_one_item(tmp_path / "data")
    before = _files(db.parent)
    found = inspect_store(db, db.parent / "store.key", NOW + dt.timedelta(minutes=7))
    assert _files(db.parent) == before  # no -wal or -shm made, nothing written
    assert found.outbox is not None and found.outbox.depth == 1
    assert found.outbox.oldest_unsent_age_s == 420.0
    assert (found.loose_modes, found.pending_migrations, found.unreadable_payloads) == ([], [], 0)
    assert not found.key_to_make


def test_beside_a_running_kiosk_it_reads_what_the_log_holds(tmp_path: Path) -> None:
    db = _store_with_one_item(tmp_path / "data")
    running = Store.open(db)
    try:
        running.enqueue_submission("k-2", "complaint", {"text": "air mati"}, NOW)
        assert db.with_name("kiosk.db-wal").exists()
        found = inspect_store(db, db.parent / "store.key", NOW)
        assert found.outbox is not None and found.outbox.depth == 2
    finally:
        running.close()


def test_an_older_schema_is_reported_not_migrated(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    conn = sqlite3.connect(str(db))
    m.migrate(conn, RowCipher(create_key(tmp_path / "store.key")), upto=5)
    conn.close()
    before = _files(tmp_path)
    found = inspect_store(db, tmp_path / "store.key", NOW)
    assert found.pending_migrations == list(range(6, m.LATEST + 1))
    assert found.outbox is None  # its columns are not the head's yet
    assert _files(tmp_path) == before


def test_no_key_and_no_schema_is_what_the_kiosk_would_make(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    db.write_bytes(b"")
    found = inspect_store(db, tmp_path / "store.key", NOW)
    assert found.key_to_make and found.pending_migrations == list(range(1, m.LATEST + 1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kiosk.db"]


def test_loose_modes_are_reported_and_kept(tmp_path: Path) -> None:
    db = _store_with_one_item(tmp_path / "data")
    (db.parent / "store.key").chmod(0o640)
    db.chmod(0o444)
    found = inspect_store(db, db.parent / "store.key", NOW)
    assert found.loose_modes == [f"{db} 0444", f"{db.parent / 'store.key'} 0640"]
    assert db.stat().st_mode & 0o777 == 0o444
    assert (db.parent / "store.key").stat().st_mode & 0o777 == 0o640


def test_a_payload_that_does_not_decrypt_is_counted(tmp_path: Path) -> None:
    db = _store_with_one_item(tmp_path / "data")
    conn = sqlite3.connect(str(db))
    conn.execute("UPDATE outbox SET payload = x'00'")
    conn.commit()
    conn.close()
    assert inspect_store(db, db.parent / "store.key", NOW).unreadable_payloads == 1


def test_faults_raise_the_store_s_own_errors(tmp_path: Path) -> None:
    db = _store_with_one_item(tmp_path / "a")
    (db.parent / "store.key").unlink()
    with pytest.raises(StoreKeyError, match="missing"):
        inspect_store(db, db.parent / "store.key", NOW)
    assert not (db.parent / "store.key").exists()

    db = _store_with_one_item(tmp_path / "b")
    (db.parent / "store.key").write_text("ab" * 32 + "\n")
    with pytest.raises(StoreKeyError, match="does not belong"):
        inspect_store(db, db.parent / "store.key", NOW)

    db = _store_with_one_item(tmp_path / "c")
    conn = sqlite3.connect(str(db))
    conn.execute("UPDATE outbox SET created_at = 'yesterday'")
    conn.execute("INSERT INTO _migrations VALUES (?, 'later')", [m.LATEST + 1])
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        inspect_store(db, db.parent / "store.key", NOW)
    conn = sqlite3.connect(str(db))
    conn.execute("DELETE FROM _migrations WHERE version > ?", [m.LATEST])
    conn.commit()
    conn.close()
    with pytest.raises(StoreCorrupt, match="never wrote"):
        inspect_store(db, db.parent / "store.key", NOW)

    garbage = tmp_path / "d" / "kiosk.db"
    garbage.parent.mkdir()
    garbage.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreCorrupt):
        inspect_store(garbage, garbage.parent / "store.key", NOW)
