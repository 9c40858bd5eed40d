"""Benchmark: call-next throughput under contention (50 counters on one queue).

A fresh central server process per database (SQLite; PostgreSQL when a
cluster can be started here), 1,000 waiting tickets of one queue, and 50
counters (threads, each with its own keep-alive connection, each at its own
counter: the demo office given 50) calling next over HTTP as fast as the
answers come, released together by a barrier, until the queue is empty. A
counter calls only while it has no ticket called, so each turn serves the
ticket the counter called before, then calls the next: two requests a turn.
Reported: calls per second (tickets called ÷ the wall time from the release to
the last answer) and each turn's latency (served, then call-next).
The floor is the same 50 threads asking ``GET /health`` as many times: what
the process, uvicorn and loopback cost before any database work. The load
runs on the same 2 cores as the server: a floor for a server of its own.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.centres import demo_centres
from bench.results import Benchmark, Measurement, ms_since

TITLE = "Call-next throughput under contention (50 counters, one queue)"
COUNTERS = 50
TICKETS = 1_000
QUICK_TICKETS = 100
SERVICE = "izin-usaha-mikro"
OFFICE_ID = "pku-mpp"
LOOSE = ("--auth-rate", "100000", "--rate", "100000", "--burst", "100000")


def _tokens(db_url: str, url: str) -> tuple[str, str]:
    from sqlalchemy import update

    from central.access import kiosks, staff
    from central.database import Database
    from central.tables import offices

    db = Database(db_url)
    try:
        with db.begin() as conn:
            # Fifty counters, Loket 1 … 50 (as a catalog entry's ``counters`` says), one a
            # thread: a counter calls only while it has no ticket called.
            conn.execute(update(offices).where(offices.c.id == OFFICE_ID).values(counters=50))
            code, _ = kiosks.create_enrolment_code(conn, OFFICE_ID, ttl_s=3600, actor="bench")
            kiosk = kiosks.enrol(conn, code, "bench kiosk").token
            staff.add_staff(
                conn,
                "bench-loket",
                "bench password 1",
                role=staff.Role.STAFF,
                office_id=OFFICE_ID,
                actor="bench",
            )
    finally:
        db.dispose()
    answer = requests.post(
        f"{url}/api/v1/staff/login",
        json={"username": "bench-loket", "password": "bench password 1"},
        timeout=10,
    )
    answer.raise_for_status()
    return kiosk, str(answer.json()["token"])


def _issue(url: str, kiosk: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {kiosk}"}
    with requests.Session() as http:
        for _ in range(count):
            body = {"ticket_id": str(uuid.uuid4()), "service_id": SERVICE}
            http.post(
                f"{url}/api/v1/tickets/allocate", json=body, headers=headers, timeout=10
            ).raise_for_status()


def _contend(
    work: Callable[[requests.Session, int], bool],
) -> tuple[list[float], float, int]:
    """Run ``work`` on 50 threads until each says it is done: latencies, seconds, successes."""
    barrier = threading.Barrier(COUNTERS, timeout=60)
    latencies: list[float] = []
    done_count = [0]
    lock = threading.Lock()
    finished: list[float] = []

    def counter(i: int) -> None:
        with requests.Session() as http:
            barrier.wait()
            while True:
                start = time.perf_counter()
                got = work(http, i)
                end = time.perf_counter()
                with lock:
                    latencies.append(ms_since(start, end))
                    done_count[0] += int(got)
                if not got:
                    break
            finished.append(time.perf_counter())

    begin = time.perf_counter()
    with ThreadPoolExecutor(COUNTERS) as pool:
        list(pool.map(counter, range(COUNTERS)))
    return latencies, max(finished) - begin, done_count[0]


def _measure(
    backend: str, url: str, db_url: str, tickets: int, progress: Callable[[str], None]
) -> tuple[list[Measurement], str]:
    kiosk, token = _tokens(db_url, url)
    progress(f"call-next ({backend}): issuing {tickets} tickets")
    _issue(url, kiosk, tickets)
    headers = {"Authorization": f"Bearer {token}"}

    serving: dict[int, str] = {}  # counter → the ticket it called last

    def call(http: requests.Session, i: int) -> bool:
        # Counter i + 1 of the office's fifty: it serves its ticket, then calls the next.
        if i in serving:
            http.post(
                f"{url}/api/v1/staff/tickets/{serving.pop(i)}/served", headers=headers, timeout=60
            ).raise_for_status()
        body = {"office_id": OFFICE_ID, "service_id": SERVICE, "counter": str(i + 1)}
        answer = http.post(
            f"{url}/api/v1/staff/queue/call-next", json=body, headers=headers, timeout=60
        )
        answer.raise_for_status()
        ticket = answer.json()["ticket"]
        if ticket is not None:
            serving[i] = ticket["ticket_id"]
        return ticket is not None

    latencies, seconds, called = _contend(call)
    if called != tickets:
        raise RuntimeError(f"{backend}: {called} calls for {tickets} tickets")
    left = [tickets]
    lock = threading.Lock()

    def health(http: requests.Session, _i: int) -> bool:
        http.get(f"{url}/health", timeout=60).raise_for_status()
        with lock:
            left[0] -= 1
            return left[0] >= 0

    floor, floor_s, _ = _contend(health)
    rate = called / seconds
    progress(f"call-next ({backend}): {rate:.0f} calls/s")
    measurements = [
        Measurement(
            f"call-next, 50 counters, {backend}: {rate:.0f} calls/s",
            f"{tickets} tickets called by 50 threads at 50 counters over HTTP until the queue "
            "was empty, each serving its ticket before calling the next.",
            tuple(latencies),
        ),
        Measurement(
            f"floor: GET /health, 50 threads, {backend}: {tickets / floor_s:.0f} req/s",
            "The same threads asking the trivial endpoint as many times.",
            tuple(floor),
        ),
    ]
    note = (
        f"{backend}: {called} tickets called in {seconds:.2f} s = {rate:.0f} calls/s; "
        "every ticket called exactly once (tests/central/test_counter_races.py proves it)."
    )
    return measurements, note


def run(quick: bool, progress: Callable[[str], None]) -> list[Benchmark]:
    tickets = QUICK_TICKETS if quick else TICKETS
    measurements: list[Measurement] = []
    notes = []
    with demo_centres(quick, LOOSE) as servers:
        for backend, url, db_url in servers:
            found, note = _measure(backend, url, db_url, tickets, progress)
            measurements += found
            notes.append(note)
    return [Benchmark(TITLE, tuple(measurements), tuple(notes))]


def main() -> int:
    """Run this scenario alone and print its table (``python -m bench.call_next [--quick]``)."""
    import sys

    for benchmark in run("--quick" in sys.argv, lambda m: print(f"bench: {m}", file=sys.stderr)):
        print(benchmark.title)
        for m in benchmark.measurements:
            print(f"  {m.what}: n={m.n} median={m.median:.1f} ms p95={m.p95:.1f} ms")
        for note in benchmark.notes:
            print(f"  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
