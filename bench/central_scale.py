"""Benchmark: the deployed centre, 1, 2 and 4 worker processes on PostgreSQL behind the
shipped nginx configuration with TLS, under the fleet load of bench/fleet_load.py.

Each worker count gets a centre of its own on one throwaway PostgreSQL cluster
(``--workers N``, the proxy named with ``--trusted-proxy``), and nginx runs
packaging/nginx/anjungan-central.conf exactly as tests do (testkit/tls_proxy.py).
The fleet grows step by step over HTTPS until a step misses p95 ≤ 100 ms or a
request fails; each step also runs with every request a ``GET /health`` through the
same proxy (the floor: TLS, nginx, uvicorn, no database work), and the CPU each part
used in the fleet run is recorded, which is what explains where the ceiling is.

A second table: the same fleet at one size, straight to the centre's port and
through the proxy, so TLS's added cost is measured in the same run.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bench.cpu_share import cpu_seconds, describe
from bench.fleet_load import (
    CATALOG_S,
    GOAL_MS,
    HEARTBEAT_S,
    SUBMIT_S,
    TIMEOUT_S,
    catalog_etag,
    enrol_fleet,
    fleet_row,
    fleet_schedule,
    passes,
    trivial_schedule,
)
from bench.http_load import Outcome, Request, run_schedule
from bench.results import Benchmark, Measurement

if TYPE_CHECKING:
    from testkit.tls_proxy import CityCA

TITLE = "Deployed centre: 1, 2 and 4 workers on PostgreSQL behind nginx with TLS"
TLS_TITLE = "TLS through the proxy: added cost (PostgreSQL, one worker)"
WORKERS = (1, 2, 4)
QUICK_WORKERS = (1, 2)
STEPS = (1000, 2000, 3000, 4000, 6000, 8000, 10000)
QUICK_STEPS = (20,)
STEP_S = 20.0
QUICK_STEP_S = 1.0
TLS_KIOSKS = 2000
QUICK_TLS_KIOSKS = 20
#: The TLS comparison's time, cut into this many rounds of the four ways in turn.
TLS_SLICES = 4
GOAL_KIOSKS = 10_000
#: Before measuring: a few seconds (at most a step) of a small fleet, unmeasured.
WARM_KIOSKS = 200
WARM_S = 3.0
SERVER_ARGS = ("--burst", "1000", "--trusted-proxy", "127.0.0.1")


@dataclass(frozen=True)
class _Target:
    host: str
    port: int
    tls: ssl.SSLContext | None

    def run(self, schedule: Sequence[Request]) -> Outcome:
        return run_schedule(self.host, self.port, schedule, timeout_s=TIMEOUT_S, tls=self.tls)


def _target(url: str, ca_pem: Path | None) -> _Target:
    parts = urlsplit(url)
    tls = ssl.create_default_context(cafile=str(ca_pem)) if ca_pem else None
    return _Target(parts.hostname or "", parts.port or 0, tls)


@dataclass
class _Deployment:
    centre_url: str
    proxy_url: str
    roots: dict[str, int]


@contextmanager
def _deployed(
    db_url: str, workers: int, seed: bool, ca: CityCA, folder: Path, postmaster: int | None
) -> Iterator[_Deployment]:
    from central.process import start_central
    from testkit.tls_proxy import shipped_proxy

    # One worker is the default, so the one-worker row also runs on a centre without
    # the option (and compares with the fleet benchmark's single process).
    args = (*SERVER_ARGS, *(("--workers", str(workers)) if workers > 1 else ()))
    folder.mkdir()
    with (
        start_central(seed_demo=seed, db_url=db_url, extra_args=args, timeout_s=60) as centre,
        shipped_proxy(centre.url, ca, folder) as proxy,
    ):
        roots = {"centre": centre.process.pid, "nginx": proxy.pid}
        if postmaster is not None:
            roots["PostgreSQL"] = postmaster
        yield _Deployment(centre.url, proxy.url, roots)


def _postmaster(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


#: Requests a second one kiosk sends at the fleet's pace.
PER_KIOSK_RATE = 1 / HEARTBEAT_S + 1 / CATALOG_S + 1 / SUBMIT_S


def server_cpu_note(before: dict[str, float], after: dict[str, float], requests: int) -> str:
    """The server side's CPU per request, and what the goal's rate would need of it."""
    server = sum(after[k] - before[k] for k in ("centre", "nginx", "PostgreSQL") if k in after)
    per_request_s = server / requests
    cores = per_request_s * GOAL_KIOSKS * PER_KIOSK_RATE
    here = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    ceiling = (here or 1) / per_request_s / PER_KIOSK_RATE
    return (
        f"the server side (centre, nginx, PostgreSQL) spent {per_request_s * 1000:.1f} ms "
        f"of CPU per request, so {GOAL_KIOSKS:,} kiosks ({GOAL_KIOSKS * PER_KIOSK_RATE:.0f} "
        f"requests/s) would need {cores:.1f} cores for it alone, and this machine's "
        f"{here} cores, wholly busy, would serve at most {ceiling:,.0f} kiosks"
    )


def _fleet_steps(
    deployment: _Deployment,
    ca_pem: Path,
    tokens: Sequence[str],
    steps: Sequence[int],
    duration: float,
    workers: int,
    progress: Callable[[str], None],
) -> tuple[list[Measurement], int, int, str]:
    """Rows, kiosks served, kiosks served by the floor, and the CPU split of the last step."""
    proxy = _target(deployment.proxy_url, ca_pem)
    etag = catalog_etag(deployment.centre_url, tokens[0])
    # Unmeasured: every worker opens its database connections and warms its caches.
    proxy.run(fleet_schedule(tokens[:WARM_KIOSKS], min(WARM_S, duration), etag, seed=0))
    rows: list[Measurement] = []
    served = served_floor = 0
    split = ""
    for kiosks in steps:
        schedule = fleet_schedule(tokens[:kiosks], duration, etag, seed=kiosks)
        floor = proxy.run(trivial_schedule(schedule))
        before = cpu_seconds(deployment.roots, {"load generator": os.getpid()})
        started = time.monotonic()
        fleet = proxy.run(schedule)
        wall = time.monotonic() - started
        after = cpu_seconds(deployment.roots, {"load generator": os.getpid()})
        split = describe(before, after, wall) + "; " + server_cpu_note(before, after, len(schedule))
        label = f"{workers} worker{'s' if workers > 1 else ''}"
        rows.append(fleet_row(kiosks, f"{label}, fleet", duration, fleet, len(schedule)))
        rows.append(fleet_row(kiosks, f"{label}, `GET /health`", duration, floor, len(schedule)))
        progress(
            f"scale: {label}, {kiosks} kiosks, p95 {rows[-2].p95:.1f} ms "
            f"(floor {rows[-1].p95:.1f} ms), errors {fleet.error_count}; CPU {split}"
        )
        if passes(floor):
            served_floor = kiosks
        if not passes(fleet):
            split = f"at {kiosks:,} kiosks: {split}"
            break
        served = kiosks
        split = f"at {kiosks:,} kiosks: {split}"
    return rows, served, served_floor, split


def _tls_cost(
    deployment: _Deployment, ca_pem: Path, tokens: Sequence[str], duration: float
) -> list[Measurement]:
    """The same schedule plain and through the proxy, in alternating slices, so a change
    in the machine's other load falls on both ways alike."""
    direct = _target(deployment.centre_url, None)
    proxy = _target(deployment.proxy_url, ca_pem)
    etag = catalog_etag(deployment.centre_url, tokens[0])
    for target in (direct, proxy):  # unmeasured warm-up, as in the steps
        target.run(fleet_schedule(tokens[:WARM_KIOSKS], min(WARM_S, duration), etag, seed=0))
    ways = (
        ("fleet, plain HTTP to the centre", direct, False),
        ("fleet, HTTPS through nginx", proxy, False),
        ("`GET /health`, plain HTTP", direct, True),
        ("`GET /health`, HTTPS through nginx", proxy, True),
    )
    outcomes = [Outcome() for _ in ways]
    count = 0
    for slice_index in range(TLS_SLICES):
        schedule = fleet_schedule(
            tokens, duration / TLS_SLICES, etag, seed=len(tokens) + slice_index
        )
        count += len(schedule)
        for (_, target, floor), outcome in zip(ways, outcomes, strict=True):
            found = target.run(trivial_schedule(schedule) if floor else schedule)
            outcome.latencies_ms.extend(found.latencies_ms)
            for what, n in found.errors.items():
                outcome.errors[what] = outcome.errors.get(what, 0) + n
    return [
        fleet_row(len(tokens), label, duration, outcome, count)
        for (label, _, _), outcome in zip(ways, outcomes, strict=True)
    ]


def _skipped(why: str) -> list[Benchmark]:
    return [
        Benchmark(title, (), (f"Skipped on this machine: {why}.",)) for title in (TITLE, TLS_TITLE)
    ]


def run(quick: bool, progress: Callable[[str], None] = lambda _: None) -> list[Benchmark]:
    from testkit.pg_cluster import PgCluster, PgUnavailable
    from testkit.tls_proxy import NGINX, make_city_ca

    if NGINX is None:
        progress("scale: skipped, nginx is not installed")
        return _skipped("nginx is not installed")
    workers_tried = QUICK_WORKERS if quick else WORKERS
    steps = QUICK_STEPS if quick else STEPS
    duration = QUICK_STEP_S if quick else STEP_S
    tls_kiosks = QUICK_TLS_KIOSKS if quick else TLS_KIOSKS
    try:
        cluster = PgCluster()
        cluster.start()
    except PgUnavailable as exc:
        progress(f"scale: skipped, PostgreSQL cannot run here: {exc}")
        return _skipped(f"PostgreSQL cannot run here: {exc}")
    rows: list[Measurement] = []
    outcome: list[str] = []
    try:
        db_url = cluster.create_database()
        postmaster = _postmaster(cluster.data)
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-scale-") as tmp:
            ca = make_city_ca(Path(tmp))
            tokens: list[str] = []
            for index, workers in enumerate(workers_tried):
                folder = Path(tmp) / f"nginx-{workers}"
                with _deployed(db_url, workers, index == 0, ca, folder, postmaster) as deployment:
                    if not tokens:
                        tokens = enrol_fleet(db_url, max(*steps, tls_kiosks))
                        progress(f"scale: {len(tokens)} kiosks enrolled")
                    found, served, floor, split = _fleet_steps(
                        deployment, ca.ca_pem, tokens, steps, duration, workers, progress
                    )
                    rows.extend(found)
                    outcome.append(
                        f"{workers} worker{'s' if workers > 1 else ''}: **{served:,}** kiosks "
                        f"(the floor, `GET /health` through the same proxy: {floor:,}); "
                        f"CPU {split}."
                    )
            with _deployed(db_url, 1, False, ca, Path(tmp) / "nginx-tls", postmaster) as deployment:
                tls_rows = _tls_cost(deployment, ca.ca_pem, tokens[:tls_kiosks], duration)
    finally:
        cluster.stop()
    notes = (
        f"Kiosks served at p95 ≤ {GOAL_MS:.0f} ms with no errors, over HTTPS through nginx "
        f"(goal {GOAL_KIOSKS:,}; the largest step tried: {max(steps):,}):",
        *outcome,
        f"Each step lasts {duration:.0f} s with the fleet's pace (bench/fleet_load.py), "
        "and stepping stops at the first that fails. CPU: the share of both cores each "
        "part used during the fleet run of the last step tried (the centre is the "
        "server's parent and its workers; PostgreSQL every backend; the load generator "
        "is this process, which also does the TLS handshakes of 64 client connections; "
        "other processes are whatever else ran on the machine meanwhile, which a "
        "shared machine's figures must be read against).",
        "Everything shares one 2-core machine: the centre, PostgreSQL, nginx and the "
        "load generator. More workers than cores cannot add CPU; what they add is "
        "concurrency while a worker waits on PostgreSQL.",
    )
    plain_fleet, tls_fleet, plain_floor, tls_floor = tls_rows
    tls_notes = (
        f"{tls_kiosks:,} kiosks' requests at the fleet's pace, one worker, the same "
        f"schedule sent four ways, in {TLS_SLICES} rounds of the four in turn (so the "
        "machine's other load falls on each alike); the difference between the HTTPS "
        "and the plain rows is what nginx and TLS add (handshakes on new connections "
        "included).",
        f"Added by nginx and TLS: median {tls_fleet.median - plain_fleet.median:+.1f} ms, "
        f"p95 {tls_fleet.p95 - plain_fleet.p95:+.1f} ms on the fleet; median "
        f"{tls_floor.median - plain_floor.median:+.1f} ms, p95 "
        f"{tls_floor.p95 - plain_floor.p95:+.1f} ms on `GET /health`.",
    )
    return [Benchmark(TITLE, tuple(rows), notes), Benchmark(TLS_TITLE, tuple(tls_rows), tls_notes)]
