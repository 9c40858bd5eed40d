"""SIGKILL at random points while a kiosk issues tickets and syncs through network
faults, many times; then the centre holds every ticket exactly once, with the
number the citizen saw, and the kiosk's store passes ``integrity_check``."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from central.process import RunningCentral
from kiosk.sync import SyncEngine
from kiosk.sync.push import CLAIM_S
from offline_store import Store
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.sync_kiosk import (
    IMPATIENT_S,
    PATIENT_S,
    SERVICE,
    centre_displays,
    centre_tickets,
    kiosk_config,
    patient_client,
)

ROOT = Path(__file__).resolve().parents[2]
#: About 40-50 s in all, most of it starting Python and enrolling.
ROUNDS = 20
FAULTS = ("pass", "pass", "reset", "error", "delay", "down")


def set_fault(proxy: FaultProxy, fault: str) -> None:
    proxy.up()
    if fault == "down":
        proxy.down()
    elif fault == "delay":
        proxy.set("delay", delay_s=0.8)
    else:
        proxy.set(fault)


def run_and_kill(
    data_dir: Path, url: str, rng: random.Random, *, early_kill: bool = True, timeout_s: float
) -> list[tuple[str, str]]:
    child = subprocess.Popen(
        [sys.executable, "-m", "testkit.killable_kiosk", str(data_dir), url, str(timeout_s)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    if early_kill and rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.4))  # maybe while opening, enrolling or leasing
    else:
        line = child.stdout.readline()
        assert line == "ready\n", child.stderr.read() if child.stderr else ""
        time.sleep(rng.uniform(0.0, 0.6))
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL, err
    seen = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("A-"):
            seen.append((parts[0], parts[1]))
    return seen


@pytest.mark.slow
@pytest.mark.timeout(110)
def test_killed_many_times_the_centre_holds_every_ticket_once(
    tmp_path: Path, central: RunningCentral, proxy: FaultProxy
) -> None:
    rng = random.Random(20261123)  # noqa: S311 (timing, not secrets)
    # Round one is the installation: the kiosk enrols and learns its code. (A kiosk
    # that never reached the centre has no code; its plain numbers would be
    # refused: docs/sync.md, "Before enrolment".)
    set_fault(proxy, "pass")
    seen = run_and_kill(tmp_path, proxy.url, rng, early_kill=False, timeout_s=PATIENT_S)
    for _ in range(ROUNDS - 1):
        fault = rng.choice(FAULTS)
        set_fault(proxy, fault)
        # a deadline the "delay" fault (0.8 s) outlasts; a loaded machine's, else
        timeout_s = IMPATIENT_S if fault == "delay" else PATIENT_S
        seen += run_and_kill(tmp_path, proxy.url, rng, timeout_s=timeout_s)
    assert len(seen) > ROUNDS, "the kiosk hardly issued anything"

    set_fault(proxy, "pass")
    store = Store.open(tmp_path / "kiosk.db")
    client = patient_client(proxy.url)
    clock = OfficeClock()
    engine = SyncEngine(store, client, kiosk_config(tmp_path, proxy.url), now=clock)
    try:
        assert store.integrity_ok()
        for _ in range(20):
            if engine.run_once(force=True).status.outbox_depth == 0:
                break
            clock.advance(CLAIM_S + 1)  # claims of killed kiosks lapse, backoffs end
        status = engine.status()
        assert (status.outbox_depth, status.dead) == (0, 0), status
        local = {r[0]: r[1] for r in store.db.execute("SELECT id, number FROM tickets")}
    finally:
        engine.stop()
        client.close()
        store.close()

    assert dict(seen).items() <= local.items(), "a number the citizen saw was lost or changed"
    held = centre_tickets(central.db_url, local)
    assert {k: row.display for k, row in held.items()} == local
    displays = centre_displays(central.db_url, SERVICE)
    assert len(displays) == len(set(displays)), "a number is held twice"
    sources = {row.number_source for row in held.values()}
    assert "online" in sources and sources <= {"online", "lease", "fallback"}
