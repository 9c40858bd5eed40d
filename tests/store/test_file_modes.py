"""The store's files are the kiosk's alone: folder 0700, database, WAL, -shm and key 0600."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_store import Store
from tests.store.helpers import NOW, payload


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
