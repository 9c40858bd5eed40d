"""The fleet benchmark's parts: each simulated kiosk keeps the sync engine's pace, and
the load generator counts what failed instead of hiding it. Speed is not asserted."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from bench.fleet_load import BATCH_ITEMS, fleet_schedule, trivial_schedule
from bench.http_load import Outcome, Request, run_schedule
from testkit.waits import run_with_deadline


def test_each_kiosk_keeps_the_sync_engines_pace() -> None:
    tokens = [f"ak_{i}" for i in range(10)]
    schedule = fleet_schedule(tokens, 600.0, '"etag"', seed=1)
    assert [r.at for r in schedule] == sorted(r.at for r in schedule)
    assert all(0.0 <= r.at < 600.0 for r in schedule)
    per_kiosk = Counter((dict(r.headers)["Authorization"], r.method, r.path) for r in schedule)
    for token in tokens:
        auth = f"Bearer {token}"
        assert per_kiosk[(auth, "POST", "/api/v1/heartbeats")] == 20  # every 30 s
        assert per_kiosk[(auth, "GET", "/api/v1/catalog")] == 10  # every 60 s
        assert per_kiosk[(auth, "POST", "/api/v1/submissions")] == 2  # every 5 min
    batches = [json.loads(r.body) for r in schedule if r.path == "/api/v1/submissions"]
    keys = [item["key"] for batch in batches for item in batch["items"]]
    assert all(len(batch["items"]) == BATCH_ITEMS for batch in batches)
    assert len(set(keys)) == len(keys), "every submission is new"
    catalog = [r for r in schedule if r.path == "/api/v1/catalog"]
    assert all(r.ok == (304,) and ("If-None-Match", '"etag"') in r.headers for r in catalog)


def test_the_baseline_sends_the_same_number_at_the_same_times() -> None:
    schedule = fleet_schedule(["ak_a", "ak_b"], 120.0, '"e"', seed=2)
    trivial = trivial_schedule(schedule)
    assert [r.at for r in trivial] == [r.at for r in schedule]
    assert {(r.method, r.path) for r in trivial} == {("GET", "/health")}


def test_failures_are_counted_not_timed(demo_central: str) -> None:
    parts = urlsplit(demo_central)
    schedule = [Request(0.05 * i, "GET", "/health") for i in range(5)]
    schedule += [
        Request(0.3, "GET", "/api/v1/catalog"),  # no token: 401
        Request(0.3, "GET", "/no/such/route"),
    ]
    outcome = run_schedule(parts.hostname or "", parts.port or 0, schedule, connections=2)
    assert len(outcome.latencies_ms) == 5
    assert all(ms > 0 for ms in outcome.latencies_ms)
    assert outcome.errors == {
        "HTTP 401 on GET /api/v1/catalog": 1,
        "HTTP 404 on GET /no/such/route": 1,
    }


def test_a_closed_port_is_an_error_for_every_request() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outcome = run_schedule("127.0.0.1", port, [Request(0.0, "GET", "/health")] * 3)
    assert outcome.latencies_ms == [] and outcome.errors == {"ConnectionRefusedError": 3}


def test_only_loopback_is_a_target() -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_schedule("192.0.2.1", 80, [Request(0.0, "GET", "/health")])


def test_a_schedule_runs_from_a_thread_whose_event_loop_is_running(demo_central: str) -> None:
    """As from a test process whose browser keeps an event loop running on its thread."""
    parts = urlsplit(demo_central)
    schedule = [Request(0.0, "GET", "/health")] * 2

    async def inside_a_running_loop() -> Outcome:
        return run_schedule(parts.hostname or "", parts.port or 0, schedule, connections=1)

    # On a thread of its own, as this thread may run the browser's loop already.
    outcome = run_with_deadline(lambda: asyncio.run(inside_a_running_loop()), 60, "the schedule")
    assert len(outcome.latencies_ms) == 2 and outcome.errors == {}
