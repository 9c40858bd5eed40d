"""Benchmark: the kiosk's local store on this machine's disk.

- ``issue_ticket``: a number, the ticket row and its encrypted outbox row in one
  transaction, WAL with ``synchronous=FULL`` (one fsync per ticket) — the store's
  share of every tap → ticket;
- the store side of an outbox drain: claiming and marking delivered 10,000 queued
  items in batches of 100, as the sync engine will (the network is not in it).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.results import Benchmark, Measurement, ms_since
from offline_store import Store

TITLE = "Local store (SQLite, WAL, synchronous=FULL, AES-GCM payloads)"
TICKETS = 300
QUICK_TICKETS = 30
DRAIN_ITEMS = 10_000
QUICK_DRAIN_ITEMS = 300
BATCH = 100
PAYLOAD = {
    "office_id": "pku-mpp",
    "service_id": "puskesmas-umum",
    "values": {"full_name": "Siti Aminah", "nik": "1471015203850001", "phone": "081234567890"},
}


def _issue(store: Store, now: dt.datetime) -> None:
    store.issue_ticket(
        office_id="pku-mpp",
        service_id="puskesmas-umum",
        prefix="A",
        counter="1",
        payload=PAYLOAD,
        now=now,
    )


def run(quick: bool, progress: Callable[[str], None] = lambda _: None) -> list[Benchmark]:
    now = dt.datetime.now(dt.UTC)
    tickets = QUICK_TICKETS if quick else TICKETS
    items = QUICK_DRAIN_ITEMS if quick else DRAIN_ITEMS
    with tempfile.TemporaryDirectory(prefix="anjungan-bench-store-") as tmp:
        store = Store.open(Path(tmp) / "issue.db")
        try:
            issue_ms = []
            for _ in range(tickets):
                start = time.perf_counter()
                _issue(store, now)
                issue_ms.append(ms_since(start, time.perf_counter()))
        finally:
            store.close()
        progress(f"store: issue_ticket x{tickets} done")

        store = Store.open(Path(tmp) / "drain.db")
        try:
            for _ in range(items):
                _issue(store, now)
            start = time.perf_counter()
            while batch := store.pending_batch(BATCH, now):
                store.mark_delivered([item.key for item in batch], now)
            drain_ms = ms_since(start, time.perf_counter())
        finally:
            store.close()
        progress(f"store: drained {items} items in {drain_ms:.0f} ms")
    rows = (
        Measurement(
            "issue_ticket (number + ticket + encrypted outbox row)",
            "One transaction per ticket on a fresh store in a temporary folder, "
            "the same office, service and day each time.",
            tuple(issue_ms),
        ),
        Measurement(
            f"outbox drain, store side ({items:,} items)",
            f"`pending_batch({BATCH})` then `mark_delivered` until the outbox is empty; "
            "one sample is the whole drain.",
            (drain_ms,),
        ),
    )
    notes = (
        "The disk is this machine's; a kiosk's SSD or SD card may differ, "
        "mostly in the fsync that FULL costs per ticket.",
        "The drain is the store's part of issue #5's 10-second goal for 10,000 items; "
        "the HTTP part comes with the sync engine.",
    )
    return [Benchmark(TITLE, rows, notes)]
