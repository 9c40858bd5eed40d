"""Benchmark: a kiosk back from an outage drains 10,000 outbox items into the central server.

The items are what a busy day offline leaves behind: registrations with leased
numbers (6,000) and fallback numbers (2,000), and complaints (2,000), sent as
the sync engine sends them, in batches of 500 over one connection. Measured:
the whole drain (goal 10 s), then the same items again (every one answered
``replayed``, as after a drain interrupted before the answers arrived).
One server process on SQLite with ``synchronous=FULL`` (the demo set-up).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import requests

from bench.results import Benchmark, Measurement, ms_since

TITLE = "Draining a kiosk's outbox into the central server (one process, SQLite)"
ITEMS = 10_000
QUICK_ITEMS = 300
BATCH = 500
GOAL_MS = 10_000.0
SERVICES = (
    ("puskesmas-umum", "A"),
    ("ktp-cetak-ulang", "B"),
    ("kk-perubahan", "C"),
    ("izin-usaha-mikro", "D"),
)
ZONE = ZoneInfo("Asia/Jakarta")


def _items(url: str, headers: dict[str, str], code: str, count: int) -> list[dict[str, Any]]:
    leased, fallback = count * 6 // 10, count * 2 // 10
    numbers: list[tuple[str, str, str]] = []
    today = dt.datetime.now(ZONE).date().isoformat()
    while len(numbers) < leased:
        for service_id, prefix in SERVICES:
            block = requests.post(
                f"{url}/api/v1/leases",
                json={"service_id": service_id, "day": today, "size": 500},
                headers=headers,
                timeout=10,
            ).json()
            numbers += [
                (service_id, f"{prefix}-{n:03d}", "lease")
                for n in range(block["start"], block["end"] + 1)
            ]
    numbers = numbers[:leased]
    for i in range(fallback):
        service_id, prefix = SERVICES[i % len(SERVICES)]
        numbers.append((service_id, f"{prefix}-{code}-{i // len(SERVICES) + 1:03d}", "fallback"))
    now = dt.datetime.now(ZONE).isoformat()
    items = [
        {
            "key": str(uuid.uuid4()),
            "kind": "service_registration",
            "body": {
                "office_id": "pku-mpp",
                "service_id": service_id,
                "language": "id",
                "assurance": "verified",
                "card_uid": None,
                "card_number": "PKU-000001",
                "values": {"full_name": "Budi Santoso", "phone": "081266667777"},
                "ticket": {"number": number, "issued_at": now, "number_source": source},
            },
        }
        for service_id, number, source in numbers
    ]
    items += [
        {
            "key": str(uuid.uuid4()),
            "kind": "complaint",
            "body": {
                "office_id": "pku-mpp",
                "reference": f"ADU-{i:05d}",
                "category": "fasilitas",
                "text": "Kursi ruang tunggu kurang.",
                "language": "id",
                "card_number": None,
                "created_at": now,
            },
        }
        for i in range(count - len(items))
    ]
    return items


def _drain(
    session: requests.Session, url: str, headers: dict[str, str], items: list[dict[str, Any]]
) -> tuple[float, set[str]]:
    statuses: set[str] = set()
    start = time.perf_counter()
    for first in range(0, len(items), BATCH):
        response = session.post(
            f"{url}/api/v1/submissions",
            json={"items": items[first : first + BATCH]},
            headers=headers,
            timeout=60,
        )
        response.raise_for_status()
        statuses |= {r["status"] for r in response.json()["results"]}
    return ms_since(start, time.perf_counter()), statuses


def run(central_url: str, quick: bool, progress: Callable[[str], None]) -> list[Benchmark]:
    from central.settings import DEMO_ENROLMENT_CODE

    count = QUICK_ITEMS if quick else ITEMS
    enrolled = requests.post(
        f"{central_url}/api/v1/enrol",
        json={"code": DEMO_ENROLMENT_CODE, "name": "bench outbox"},
        timeout=10,
    ).json()
    headers = {"Authorization": f"Bearer {enrolled['token']}"}
    items = _items(central_url, headers, enrolled["kiosk_code"], count)
    progress(f"outbox drain: {count} items in batches of {BATCH}")
    with requests.Session() as session:
        drained, first = _drain(session, central_url, headers, items)
        replayed, again = _drain(session, central_url, headers, items)
    rows = (
        Measurement(
            f"{count} new items",
            f"{count // BATCH} batches of {BATCH}, one connection, answers all 'accepted'",
            (drained,),
            GOAL_MS if count == ITEMS else None,
        ),
        Measurement(
            f"the same {count} items again",
            "every answer 'replayed' (the first result, from the key)",
            (replayed,),
        ),
    )
    notes = (f"answers: {sorted(first)} then {sorted(again)}",)
    return [Benchmark(TITLE, rows, notes)]
