"""The deployed-centre benchmark's parts: HTTPS load through the shipped proxy, the CPU
split that explains a ceiling, and ``--only`` replacing just its own sections.
Speed is not asserted."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from bench.central_scale import GOAL_KIOSKS, PER_KIOSK_RATE, server_cpu_note
from bench.cpu_share import MACHINE, cpu_seconds, describe
from bench.http_load import Request, run_schedule
from bench.report import splice
from bench.results import Benchmark, Measurement
from testkit.tls_proxy import NGINX, CityCA, RunningProxy, make_city_ca, shipped_proxy
from testkit.waits import wait_until


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CityCA:
    return make_city_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def proxy(
    demo_central: str, ca: CityCA, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningProxy]:
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package nginx; make deps installs it)")
    with shipped_proxy(demo_central, ca, tmp_path_factory.mktemp("nginx")) as running:
        yield running


def test_the_load_goes_over_tls_through_the_shipped_proxy(proxy: RunningProxy, ca: CityCA) -> None:
    port = urlsplit(proxy.url).port or 0
    schedule = [Request(0.02 * i, "GET", "/health") for i in range(6)]
    schedule.append(Request(0.2, "GET", "/metrics"))  # the proxy's own 404
    trusted = ssl.create_default_context(cafile=str(ca.ca_pem))
    outcome = run_schedule("127.0.0.1", port, schedule, connections=2, tls=trusted)
    assert len(outcome.latencies_ms) == 6
    assert outcome.errors == {"HTTP 404 on GET /metrics": 1}
    # Plain HTTP to the TLS port, and TLS without the city's CA, fail every request.
    assert run_schedule("127.0.0.1", port, schedule[:2]).latencies_ms == []
    refused = run_schedule("127.0.0.1", port, schedule[:2], tls=ssl.create_default_context())
    assert refused.errors == {"SSLCertVerificationError": 2}


def test_the_cpu_of_a_process_tree_counts_its_descendants() -> None:
    # The parent waits on a grandchild that spins: the tree's CPU is the grandchild's.
    spin = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'while True: pass'])"
    parent = subprocess.Popen([sys.executable, "-c", spin], start_new_session=True)
    try:
        roots = {"tree": parent.pid}
        wait_until(lambda: cpu_seconds(roots, {})["tree"] > 0.3, 30, "the grandchild spinning")
        used = cpu_seconds(roots, {"alone": parent.pid})
        assert used["tree"] > 0.3 > used["alone"]
        assert cpu_seconds({}, {"gone": 2**22 + 7})["gone"] == 0.0
        assert used[MACHINE] >= used["tree"]
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # its own session: the grandchild too
        parent.wait()
    cores = len(os.sched_getaffinity(0))
    line = describe({"a": 1.0, "b": 0.0}, {"a": 2.0, "b": 1.0}, 1.0)
    assert line == f"a {1 / cores:.0%} · b {1 / cores:.0%} · idle or other {1 - 2 / cores:.0%}"
    machine = describe({"a": 0.0, MACHINE: 10.0}, {"a": 0.5, MACHINE: 11.0}, 1.0)
    assert machine == (
        f"a {0.5 / cores:.0%} · other processes {0.5 / cores:.0%} · idle {1 - 1 / cores:.0%}"
    )


def _benchmark(title: str, p95: float) -> Benchmark:
    return Benchmark(title, (Measurement("row", "how", (p95,), 100.0),), ("a note",))


def test_only_replaces_its_own_sections() -> None:
    old = (
        "# Anjungan benchmarks\n\n## Machine\n\n| a | b |\n\n## Kept\n\nkept text\n\n"
        "## Fleet\n\nold\n\n## Tail\n\ntail\n"
    )
    text = splice(
        old, [_benchmark("Fleet", 5.0), _benchmark("New", 7.0)], commit="abc", date="D", quick=False
    )
    sections = text.split("\n## ")
    assert [s.split("\n", 1)[0] for s in sections[1:]] == [
        "Machine",
        "Kept",
        "Fleet",
        "Tail",
        "New",
    ]
    assert "kept text" in sections[2] and "tail" in sections[4] and "old" not in sections[3]
    assert "| 5.0 |" in sections[3] and "| 7.0 |" in sections[5]
    assert "on D at commit abc" in sections[3]


def test_the_ceiling_is_the_cores_over_the_cpu_each_request_costs() -> None:
    before = {"centre": 10.0, "nginx": 1.0, "PostgreSQL": 5.0, "load generator": 3.0}
    after = {"centre": 11.5, "nginx": 1.1, "PostgreSQL": 5.4, "load generator": 9.0}
    note = server_cpu_note(before, after, 1000)  # 2 s of server CPU over 1,000 requests
    cores = len(os.sched_getaffinity(0))
    rate = GOAL_KIOSKS * PER_KIOSK_RATE  # 533 requests a second
    assert "spent 2.0 ms of CPU per request" in note
    assert f"would need {0.002 * rate:.1f} cores" in note
    assert f"at most {cores / 0.002 / PER_KIOSK_RATE:,.0f} kiosks" in note
