"""``GET /metrics`` over real HTTP: counted by route template, summed across worker
processes, database gauges on SQLite and PostgreSQL, and who may read it."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE
from central.workers import archive_dead_worker
from testkit.centre_accounts import bearer, enrol
from testkit.centre_requests import allocate, new_id
from testkit.centres import SHARED_START_S, started_together
from testkit.tls_proxy import NGINX, ProxyUnavailable, make_city_ca, nginx_in_front
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(150)
#: A centre of this test's own; a loaded machine may take a while to start one.
start = functools.partial(start_central, timeout_s=SHARED_START_S)


def scrape(url: str, **headers: str) -> requests.Response:
    return requests.get(f"{url}/metrics", timeout=10, headers=headers)


def samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = scrape(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(url: str, name: str, **labels: str) -> float:
    return samples(url).get((name, frozenset(labels.items())), 0.0)


def test_requests_are_summed_across_every_worker(tmp_path: Path) -> None:
    env = {"RUNTIME_DIRECTORY": str(tmp_path)}
    ticket = new_id()
    with start(extra_args=["--workers", "3"], env=env) as centre:
        folders = list(tmp_path.glob("anjungan-metrics-*"))
        assert len(folders) == 1

        def writers() -> set[str]:
            return {re.sub(r"\D", "", f.name) for f in folders[0].glob("*.db")}

        made = 0
        # Fresh connections until at least two workers have answered some.
        while len(writers()) < 2 and made < 300:
            answer = requests.get(
                f"{centre.url}/t/{ticket}", timeout=5, headers={"Connection": "close"}
            )
            assert answer.status_code == 404
            made += 1
        assert len(writers()) >= 2, "one worker answered everything"
        for _ in range(3):  # whichever worker answers the scrape, it counts them all
            route = {"route": "/t/{ticket_id}", "method": "GET", "status": "404"}
            assert value(centre.url, "anjungan_http_requests_total", **route) == made
        text = scrape(centre.url).text
        assert ticket not in text  # the route's template, never the path
        histogram = {"route": "/t/{ticket_id}", "method": "GET", "le": "+Inf"}
        assert value(centre.url, "anjungan_http_request_duration_seconds_bucket", **histogram) == (
            made
        )
    assert not folders[0].exists()  # the parent removed it


@pytest.fixture(scope="module")
def proxied() -> Iterator[RunningCentral]:
    """A centre behind a proxy on 127.0.0.1, for this module's tests that only read it.

    Each counts what it asked of it by the difference of a count before and after.
    """
    with start(extra_args=["--trusted-proxy", "127.0.0.1"]) as centre:
        yield centre


def test_a_path_no_route_matches_is_unmatched(proxied: RunningCentral) -> None:
    labels = {"route": "unmatched", "method": "GET", "status": "404"}
    before = value(proxied.url, "anjungan_http_requests_total", **labels)
    requests.get(f"{proxied.url}/3171012345678901", timeout=5)
    text = scrape(proxied.url).text
    assert "3171012345678901" not in text
    assert value(proxied.url, "anjungan_http_requests_total", **labels) == before + 1


@pytest.fixture
def own_centre(migrated_db_url: str) -> Iterator[RunningCentral]:
    with start(db_url=migrated_db_url, extra_args=["--auth-rate", "1000"]) as centre:
        yield centre


def heartbeat() -> dict[str, object]:
    return {
        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        "version": "0.1.0",
        "reader": {"state": "ok", "detail": ""},
        "printer": {"state": "ok", "detail": ""},
        "outbox": {"pending": 0, "dead": 0, "oldest_pending_age_s": None},
        "leases": [],
        "catalog_version": None,
    }


def test_the_database_gauges(own_centre: RunningCentral) -> None:
    url = own_centre.url
    queue = {"office": "pku-mpp", "service": "ktp-cetak-ulang"}
    assert value(url, "anjungan_tickets_waiting", **queue) == 0
    assert value(url, "anjungan_kiosks_stale") == 0
    for target in ("bpjs", "satusehat"):
        assert (("anjungan_integration_outbox_pending", frozenset({("target", target)}))) in (
            samples(url)
        )
    assert value(url, "anjungan_message_outbox_pending") == 0

    token = enrol(url, DEMO_ENROLMENT_CODE).json()["token"]
    assert value(url, "anjungan_kiosks_stale") == 1  # enrolled, never seen
    for _ in range(2):
        assert allocate(url, token, "ktp-cetak-ulang").status_code == 201
    assert value(url, "anjungan_tickets_waiting", **queue) == 2
    beat = requests.post(
        f"{url}/api/v1/heartbeats", json=heartbeat(), headers=bearer(token), timeout=5
    )
    assert beat.status_code == 200, beat.text
    assert value(url, "anjungan_kiosks_stale") == 0


def _unknown_page(url: str) -> str:
    answer = requests.get(f"{url}/no-such-page", timeout=5)
    assert answer.status_code == 404
    return _without_csrf(answer.text)


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrf-token" content="[^"]*"', "", page)


def test_through_a_proxy_it_is_a_page_that_does_not_exist(proxied: RunningCentral) -> None:
    assert scrape(proxied.url).status_code == 200  # straight from loopback
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        hidden = scrape(proxied.url, **{header: "203.0.113.9"})
        assert hidden.status_code == 404
        assert _without_csrf(hidden.text) == _unknown_page(proxied.url)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_the_public_side_of_the_proxy_never_reads_it(
    tmp_path_factory: pytest.TempPathFactory, proxied: RunningCentral
) -> None:
    ca = make_city_ca(tmp_path_factory.mktemp("ca"))
    try:
        with nginx_in_front(proxied.url, ca, tmp_path_factory.mktemp("nginx")) as public:
            answer = requests.get(f"{public}/metrics", timeout=10, verify=str(ca.ca_pem))
            health = requests.get(f"{public}/health", timeout=10, verify=str(ca.ca_pem))
    except ProxyUnavailable as exc:
        pytest.skip(str(exc))
    assert health.status_code == 200
    assert answer.status_code == 404
    assert "anjungan_" not in answer.text


def _outward_address() -> str | None:
    """This machine's own address on a network interface other than loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_only_the_named_networks_read_it_besides_loopback() -> None:
    address = _outward_address()
    if address is None:
        pytest.skip("no network interface besides loopback")
    # The centre listens on that interface only: its peers come from that address.
    with started_together(
        functools.partial(start, host=address),
        functools.partial(start, host=address, extra_args=["--metrics-allow", f"{address}/32"]),
    ) as (closed, open_to_it):
        assert scrape(closed.url).status_code == 404
        assert scrape(open_to_it.url).status_code == 200


def test_a_metrics_folder_inherited_from_the_environment_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "someone-elses"
    shared.mkdir()
    gone = tmp_path / "removed-since"
    # A single process and a parent of workers, each with its own runtime folder.
    runtimes = [tmp_path / "one", tmp_path / "two"]
    for runtime in runtimes:
        runtime.mkdir()
    inherits = [
        functools.partial(
            start,
            extra_args=["--workers", workers],
            env={"PROMETHEUS_MULTIPROC_DIR": str(shared), "RUNTIME_DIRECTORY": str(runtime)},
        )
        for workers, runtime in zip(["1", "2"], runtimes, strict=True)
    ]
    with started_together(
        *inherits,
        functools.partial(start, env={"PROMETHEUS_MULTIPROC_DIR": str(shared)}),
        functools.partial(start, env={"PROMETHEUS_MULTIPROC_DIR": str(gone)}),
    ) as (a1, a2, b, c):
        health = {"route": "/health", "method": "GET", "status": "200"}
        for a in (a1, a2):
            for _ in range(3):
                assert requests.get(f"{a.url}/health", timeout=5).status_code == 200
            assert value(a.url, "anjungan_http_requests_total", **health) == 3
        # B shares nothing with either A: it counts only its own.
        assert value(b.url, "anjungan_http_requests_total", **health) == 0
        assert requests.get(f"{c.url}/health", timeout=5).status_code == 200
        assert value(c.url, "anjungan_http_requests_total", **health) == 1
        assert list(shared.iterdir()) == []
        assert not gone.exists()
        c.stop()
        assert "FileNotFoundError" not in c.output_tail()


def _workers(pid: int) -> set[int]:
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children.update(int(child) for child in task.read_text().split())
    return children


def _counted(url: str, labels: dict[str, str], made: int) -> bool:
    return value(url, "anjungan_http_requests_total", **labels) == made


def _replaced_and_folded(parent: int, victim: int, folder: Path) -> bool:
    workers = _workers(parent)
    return len(workers) == 2 and victim not in workers and not list(folder.glob(f"*_{victim}.db"))


def test_dead_workers_files_are_folded_and_a_killed_centres_folder_removed(
    tmp_path: Path,
) -> None:
    env = {"RUNTIME_DIRECTORY": str(tmp_path)}
    health = {"route": "/health", "method": "GET", "status": "200"}
    killed = start(extra_args=["--workers", "2"], env=env)
    try:
        (left,) = tmp_path.glob("anjungan-metrics-*")
        made = 0
        for _ in range(3):  # a worker dies three times; its counts must stay
            for _ in range(4):
                get = requests.get(
                    f"{killed.url}/health", timeout=5, headers={"Connection": "close"}
                )
                assert get.status_code == 200
                made += 1
            # A request is counted once its answer is sent: wait for the count
            # before killing, or the victim may die between the two.
            wait_until(
                functools.partial(_counted, killed.url, health, made), 30, "every request counted"
            )
            victim = min(_workers(killed.process.pid))
            os.kill(victim, signal.SIGKILL)
            wait_until(
                functools.partial(_replaced_and_folded, killed.process.pid, victim, left),
                30,
                "the dead worker's files folded into the archive",
            )
        assert value(killed.url, "anjungan_http_requests_total", **health) == made
        files = sorted(f.name for f in left.glob("*.db"))
        assert "counter_archive.db" in files and "histogram_archive.db" in files
        # The archives and the two live workers' files: each its counters, histograms and
        # live gauges (on SQLite a counter and a gauge are made as a worker starts).
        assert len(files) <= 2 + 2 * 3
        # The centre itself is killed: nothing of it removes its folder.
        killed.process.kill()
        killed.process.wait(10)
    finally:
        killed.stop()
    assert left.exists()
    with start(extra_args=["--workers", "2"], env=env):
        folders = list(tmp_path.glob("anjungan-metrics-*"))
        assert left not in folders and len(folders) == 1


def test_a_file_a_worker_has_not_sized_yet_fails_no_scrape(tmp_path: Path) -> None:
    """prometheus-client makes a worker's file empty and sizes it a moment later (a
    worker starting, killed in between: for good). A scrape that read it then was a 500,
    every figure of every worker lost with it."""
    env = {"RUNTIME_DIRECTORY": str(tmp_path)}
    health = {"route": "/health", "method": "GET", "status": "200"}
    with start(extra_args=["--workers", "2"], env=env) as centre:
        (folder,) = tmp_path.glob("anjungan-metrics-*")
        unsized = [folder / f"{kind}_4194000.db" for kind in ("counter", "gauge_livesum")]
        for path in unsized:
            path.touch()  # as a worker killed between making its file and sizing it
        assert requests.get(f"{centre.url}/health", timeout=5).status_code == 200
        wait_until(
            lambda: value(centre.url, "anjungan_http_requests_total", **health) == 1,
            30,
            "the request counted",
        )
        # Every worker's figures are there, the live gauges too.
        assert ("anjungan_database_writes_waiting", frozenset()) in samples(centre.url)


def test_a_dead_workers_file_it_never_sized_is_removed_without_folding(tmp_path: Path) -> None:
    """The supervisor folds a dead worker's counts into the archive: a file the worker
    died before sizing has none, and reading it raised in the supervisor."""
    pid = 4194001
    counters = tmp_path / f"counter_{pid}.db"
    counters.touch()
    archive_dead_worker(tmp_path, pid)
    assert not counters.exists()
    assert not (tmp_path / "counter_archive.db").exists()
