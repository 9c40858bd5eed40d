"""Migrate a store and die by SIGKILL inside one real migration step.

Run by tests/store/test_migrations.py as
``python -m testkit.killable_migration DB VERSION K``:
opens ``DB`` with the store's own settings and runs the real migrations; after
the ``K``-th statement of step ``VERSION`` it kills itself, as a power cut would
stop it. Printing ``survived`` means the kill never came (the test then fails).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

from offline_store.crypto import RowCipher, read_key
from offline_store.migrations import migrate


def main(path: Path, version: int, kill_after: int) -> None:
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    key = read_key(path.parent / "store.key")
    assert key is not None

    def progress(step: int, statements: int) -> None:
        if (step, statements) == (version, kill_after):
            os.kill(os.getpid(), signal.SIGKILL)

    migrate(conn, RowCipher(key), progress=progress)
    print("survived", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
