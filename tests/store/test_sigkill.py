"""Power-cut stand-in: a kiosk process killed with SIGKILL at random points, many times.

Afterwards the file passes ``integrity_check``, every number a citizen saw is
stored, every ticket has its outbox row (and every outbox row its ticket), no
number repeats, and each lease's ``next`` matches the numbers it gave out.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offline_store import Store
from testkit.killable_issuer import BLOCK
from testkit.stored_tickets import NOW

ROOT = Path(__file__).resolve().parents[2]
#: About 12 s in all, most of it starting Python 30 times.
ROUNDS = 30


def run_and_kill(db: Path, round_no: int, rng: random.Random) -> list[str]:
    child = subprocess.Popen(
        [sys.executable, "-m", "testkit.killable_issuer", str(db), str(round_no)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.3))  # maybe while opening or migrating
    else:
        assert child.stdout.readline() == "ready\n", child.stderr.read() if child.stderr else ""
        time.sleep(rng.uniform(0.0, 0.15))
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL, err
    return [line for line in out.splitlines() if line.startswith("A-")]


@pytest.mark.slow
def test_killed_mid_write_many_times_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    rng = random.Random(20261122)  # noqa: S311 (timing, not secrets)
    seen: list[str] = []
    for round_no in range(ROUNDS):
        seen += run_and_kill(db, round_no, rng)
        store = Store.open(db)  # recovery after every kill, as a restart would
        stored = {r[0] for r in store.db.execute("SELECT number FROM tickets")}
        store.close()
        assert set(seen) <= stored, f"round {round_no}: a number the citizen saw was lost"

    store = Store.open(db)
    assert store.integrity_ok()
    numbers = [r[0] for r in store.db.execute("SELECT number FROM tickets")]
    assert len(numbers) == len(set(numbers)) and len(numbers) >= len(seen) > 0
    orphans = store.db.execute(
        "SELECT (SELECT count(*) FROM tickets WHERE id NOT IN (SELECT key FROM outbox)),"
        " (SELECT count(*) FROM outbox WHERE key NOT IN (SELECT id FROM tickets))"
    ).fetchone()
    assert orphans == (0, 0)
    for start, end, nxt in store.db.execute(
        "SELECT block_start, block_end, next FROM ticket_leases WHERE source = 'central'"
    ).fetchall():
        used = [int(n[2:]) for n in numbers if n.count("-") == 1 and start <= int(n[2:]) <= end]
        assert sorted(used) == list(range(start, nxt)), "a lease number used without its ticket"
        assert end - start + 1 == BLOCK
    fallback = sorted(int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith("A-K07-"))
    assert fallback == list(range(1, len(fallback) + 1))  # no gaps, no repeats
    # everything undelivered is still readable and will be sent
    assert all(item.payload for item in store.pending_batch(10_000, NOW + dt.timedelta(days=1)))
    store.close()
