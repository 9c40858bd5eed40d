"""A store opened later: untouched until first use, errors surface there, closed stays closed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from offline_store import Store, StoreCorrupt, StoreError, StoreKeyError
from testkit.fresh_python import run_python
from testkit.stored_tickets import issue


def test_a_deferred_store_creates_nothing_until_first_use(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data" / "k.db", deferred=True)
    assert not store.is_open and not (tmp_path / "data").exists()
    assert issue(store) == "A-001"  # the first use opens, creates and migrates
    assert store.is_open and (tmp_path / "data" / "k.db").exists()
    store.close()
    assert issue(Store.open(tmp_path / "data" / "k.db")) == "A-002"


def test_a_deferred_store_reports_a_broken_file_when_it_is_first_used(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    path.write_bytes(b"this is not a database, it is a half-written file" * 100)
    store = Store.open(path, deferred=True)  # no error yet
    with pytest.raises(StoreCorrupt):
        store.ensure_open()
    with pytest.raises(StoreCorrupt):  # each use tries again and says why
        issue(store)
    assert not store.is_open


def test_threads_racing_for_the_first_use_share_one_connection(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "k.db", deferred=True)
    numbers: list[str] = []
    workers = [threading.Thread(target=lambda: numbers.append(issue(store))) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert sorted(numbers) == [f"A-{i:03d}" for i in range(1, 9)]
    assert store.tickets_count() == 8


def test_a_closed_store_refuses_work_rather_than_opening_again(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "k.db", deferred=True)
    store.close()  # closed before it was ever used: the file is never created
    with pytest.raises(StoreError, match="closed"):
        issue(store)
    assert not (tmp_path / "k.db").exists()


def test_importing_the_store_leaves_sqlite_utils_for_the_first_open() -> None:
    code = "import sys; from offline_store import Store; print('sqlite_utils' in sys.modules)"
    assert run_python(code, timeout=60).strip() == "False"


def test_the_store_opens_migrates_and_keeps_a_ticket_without_sqlite_utils(tmp_path: Path) -> None:
    # sqlite-utils cost the kiosk some 0.2 s before it was ready for a tap: the store uses
    # sqlite3 alone (only Store.db, for tools and tests, loads it).
    code = (
        "import sys; from pathlib import Path; from offline_store import Store; "
        "from testkit.stored_tickets import issue; "
        "store = Store.open(Path(sys.argv[1]) / 'k.db'); number = issue(store); "
        "store.close(); print(number, 'sqlite_utils' in sys.modules)"
    )
    assert run_python(code, str(tmp_path), timeout=60).strip() == "A-001 False"
    reopened = Store.open(tmp_path / "k.db")  # the file it made is a whole store
    assert issue(reopened) == "A-002" and reopened.integrity_ok()
    assert reopened.db.execute("PRAGMA recursive_triggers").fetchone() == (1,)  # as before
    reopened.close()


def test_a_key_file_put_back_lets_the_next_use_open_the_store(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    first = Store.open(path)
    issue(first)  # data sealed with the key
    first.close()
    key = tmp_path / "store.key"
    saved = key.read_bytes()
    key.unlink()
    store = Store.open(path, deferred=True)
    with pytest.raises(StoreKeyError):
        store.ensure_open()
    assert not key.exists()  # no new key made over a store that holds data
    key.write_bytes(saved)
    key.chmod(0o600)
    assert issue(store) == "A-002"
    store.close()
