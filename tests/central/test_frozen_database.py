"""``/ready`` and ``/metrics`` keep answering while PostgreSQL hangs.

A database that hangs is not one that refuses: its server is stopped
(SIGSTOP on the postmaster and every backend: what a frozen VM or a lost
network looks like from the centre), so a connection waits for a reply
that does not come and no statement timeout can fire. The centre must
still answer within its deadlines: ``/ready`` says not ready, ``/metrics``
gives its request figures without the database's, again and again (no
pile of threads waiting), and both recover once the database answers.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central.process import start_central
from central.readiness import UNREACHABLE
from testkit.centres import SHARED_START_S
from testkit.pg_cluster import PgCluster, running_cluster
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(150)
start = functools.partial(start_central, timeout_s=SHARED_START_S)
#: Longer than the centre's deadlines (3 s) with room for a loaded machine:
#: a request that waits this long hangs on the database.
CLIENT_TIMEOUT_S = 20
#: Of each of ``/metrics`` and ``/ready`` while the database hangs: twice as many
#: questions as a two-core machine's shared executor has threads.
QUESTIONS_EACH = 6


@pytest.fixture
def own_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL of this test's own: freezing the shared one would stall other tests."""
    yield from running_cluster()


def _cluster_processes(cluster: PgCluster) -> list[int]:
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for task in Path(f"/proc/{postmaster}/task").glob("*/children"):
        pids += [int(pid) for pid in task.read_text().split()]
    return pids


@contextlib.contextmanager
def frozen(cluster: PgCluster) -> Iterator[None]:
    pids = _cluster_processes(cluster)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _get(url: str) -> requests.Response:
    return requests.get(url, timeout=CLIENT_TIMEOUT_S)


def test_ready_and_metrics_answer_while_the_database_hangs(own_cluster: PgCluster) -> None:
    # One process: every question below reaches the same event loop and its threads.
    with start(db_url=own_cluster.create_database()) as c:
        # Both have asked the database once: pooled connections wait for the next.
        assert _get(f"{c.url}/ready").status_code == 200
        assert "anjungan_tickets_waiting" in _get(f"{c.url}/metrics").text
        with frozen(own_cluster):
            # More questions than the event loop's shared executor has threads
            # (min(32, cores + 4)), all at once: none may wait behind another one's
            # hung question (each waits its own deadline, not theirs in a row).
            questions = [f"{c.url}/metrics", f"{c.url}/ready"] * QUESTIONS_EACH
            with concurrent.futures.ThreadPoolExecutor(len(questions)) as askers:
                answers = list(askers.map(_get, questions))
            for scraped in answers[0::2]:
                assert scraped.status_code == 200
                assert 'anjungan_http_requests_total{method="GET",route="/ready"' in scraped.text
                assert "anjungan_tickets_waiting" not in scraped.text
            for answer in answers[1::2]:
                assert (answer.status_code, answer.json()) == (
                    503,
                    {"ready": False, "reason": UNREACHABLE},
                )
            assert _get(f"{c.url}/health").status_code == 200
        # The questions in flight end once it answers again; then the next ones work.
        wait_until(lambda: _get(f"{c.url}/ready").status_code == 200, 30, "ready again")
        wait_until(
            lambda: "anjungan_tickets_waiting" in _get(f"{c.url}/metrics").text,
            30,
            "the database's figures again",
        )
        assert "did not answer within 3 s; its figures are left out" in c.output_tail()
