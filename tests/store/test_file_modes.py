"""The store's files are the kiosk's alone: folder 0700, database, WAL, -shm and key 0600."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_store import Store
from offline_store.errors import StoreError, StoreKeyError
from testkit.stored_tickets import NOW, payload


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask a service could be started with: files 0666, folders 0777."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def issue_one(store: Store) -> None:
    store.issue_ticket(
        office_id="pku", service_id="poli", prefix="A", counter="1", payload=payload(), now=NOW
    )


def test_a_new_store_is_private_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "data"
    path = data / "kiosk.db"
    store = Store.open(path)
    issue_one(store)  # a write: the WAL and the shared-memory file exist now
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    assert wal.exists() and shm.exists()
    assert mode(data) == 0o700
    assert {p.name: mode(p) for p in (path, wal, shm, data / "store.key")} == {
        "kiosk.db": 0o600,
        "kiosk.db-wal": 0o600,
        "kiosk.db-shm": 0o600,
        "store.key": 0o600,
    }
    store.close()


def test_files_left_broader_are_tightened_at_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    path = data / "kiosk.db"
    store = Store.open(path)
    issue_one(store)
    store.close()
    files = [path, data / "store.key", Path(f"{path}-wal"), Path(f"{path}-shm")]
    Path(f"{path}-wal").touch()
    Path(f"{path}-shm").touch()
    for file in files:
        file.chmod(0o644)
    data.chmod(0o755)

    with caplog.at_level(logging.WARNING):
        store = Store.open(path)
    assert mode(data) == 0o700
    assert {file.name: mode(file) for file in files if file.exists()} == {
        file.name: 0o600 for file in files if file.exists()
    }
    assert mode(path) == 0o600 and mode(data / "store.key") == 0o600
    assert "readable by other users" in caplog.text
    store.close()


def _public(tmp_path: Path) -> Path:
    public = tmp_path / "public"
    public.mkdir()
    public.chmod(0o777)
    return public


def test_a_link_at_the_database_name_is_refused_and_nothing_is_made_where_it_points(
    tmp_path: Path,
) -> None:
    data, public = tmp_path / "data", _public(tmp_path)
    data.mkdir(mode=0o700)
    (data / "kiosk.db").symlink_to(public / "stolen.db")  # dangling: SQLite would create it
    with pytest.raises(StoreError, match=r"kiosk\.db is a symbolic link"):
        Store.open(data / "kiosk.db")
    assert sorted(os.listdir(public)) == []
    assert not (data / "store.key").exists()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_link_at_a_side_file_name_is_refused_and_its_target_left_alone(
    tmp_path: Path, suffix: str
) -> None:
    data = tmp_path / "data"
    Store.open(data / "kiosk.db").close()
    victim = tmp_path / "victim.txt"
    victim.write_text("x")
    victim.chmod(0o644)
    side = data / f"kiosk.db{suffix}"
    side.unlink(missing_ok=True)
    side.symlink_to(victim)
    with pytest.raises(StoreError, match=rf"kiosk\.db{suffix} is a symbolic link"):
        Store.open(data / "kiosk.db")
    assert mode(victim) == 0o644 and victim.read_text() == "x"


def test_something_other_than_a_file_at_a_side_file_name_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store.open(data / "kiosk.db").close()
    (data / "kiosk.db-journal").mkdir()
    with pytest.raises(StoreError, match=r"kiosk\.db-journal is not a plain file"):
        Store.open(data / "kiosk.db")


@pytest.mark.parametrize("odd", [0o060, 0o000, 0o400, 0o604], ids=lambda m: f"{m:03o}")
def test_a_database_of_any_other_mode_is_set_to_exactly_0600(
    tmp_path: Path, odd: int, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    path = data / "kiosk.db"
    Store.open(path).close()
    path.chmod(odd)
    with caplog.at_level(logging.WARNING, logger="offline_store"):
        store = Store.open(path)
    issue_one(store)  # a write: SQLite makes the WAL and -shm with the database's mode
    assert {p.name: mode(p) for p in data.iterdir()} == {
        "kiosk.db": 0o600,
        "kiosk.db-wal": 0o600,
        "kiosk.db-shm": 0o600,
        "store.key": 0o600,
    }
    assert f"was mode {odd:03o}" in caplog.text
    store.close()


def test_a_link_at_the_key_file_name_is_refused(tmp_path: Path) -> None:
    data, public = tmp_path / "data", _public(tmp_path)
    data.mkdir(mode=0o700)
    (data / "store.key").symlink_to(public / "key")  # dangling: a new key would land there
    with pytest.raises(StoreKeyError, match=r"store\.key is a symbolic link"):
        Store.open(data / "kiosk.db")
    assert sorted(os.listdir(public)) == []
    Store.open(tmp_path / "other" / "kiosk.db").close()
    real = tmp_path / "other" / "store.key"
    (data / "store.key").unlink()
    (data / "store.key").symlink_to(real)  # an existing key behind a link: refused too
    with pytest.raises(StoreKeyError, match="symbolic link"):
        Store.open(data / "kiosk.db")


def test_a_key_file_of_another_mode_is_set_to_exactly_0600(tmp_path: Path) -> None:
    Store.open(tmp_path / "kiosk.db").close()
    key = tmp_path / "store.key"
    key.chmod(0o400)
    Store.open(tmp_path / "kiosk.db").close()
    assert mode(key) == 0o600


def test_a_deferred_store_behind_a_link_says_why_at_each_use_and_opens_once_it_is_gone(
    tmp_path: Path,
) -> None:
    """What the kiosk's start-up catches (a ``StoreError``: out of service, with the reason)."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "kiosk.db").symlink_to(tmp_path / "elsewhere.db")
    store = Store.open(data / "kiosk.db", deferred=True)
    for _ in range(2):
        with pytest.raises(StoreError, match="symbolic link"):
            store.ensure_open()
    assert not store.is_open
    (data / "kiosk.db").unlink()
    store.ensure_open()
    issue_one(store)
    assert mode(data / "kiosk.db") == 0o600
    store.close()
