"""A defect in one task (an answer no parser foresaw, a listener that broke) is that
task's failure with its own backoff: the other tasks still run, ``run_once`` (and so
``kiosk sync now``) never raises, and the engine's thread never retries at once."""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from pathlib import Path

import pytest

from contract.catalog import Catalog
from kiosk.sync import SyncEngine
from offline_store import Store
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.sync_kiosk import Kiosk, issue, kiosk_config, patient_client

pytestmark = pytest.mark.timeout(60)


def test_a_task_that_breaks_fails_alone_and_backs_off(
    kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(catalog: Catalog, etag: str | None) -> None:
        raise RuntimeError("the listener broke")

    kiosk.engine.on_catalog(broken)
    issue(kiosk.store, kiosk.clock)

    with caplog.at_level(logging.ERROR, logger="kiosk.sync.engine"):
        report = kiosk.engine.run_once()

    assert report.failed == ("documents",)
    assert {"outbox", "leases", "heartbeat"} <= set(report.ran)
    assert report.pushed.sent == 1 and report.status.outbox_depth == 0
    assert not kiosk.engine.schedule.due("documents", kiosk.clock()), "no backoff"
    logged = kiosk.store.last_sync("documents")
    assert logged is not None and logged.result == "failed"
    assert logged.detail == "unexpected RuntimeError: the listener broke"
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.getMessage() == "sync documents failed unexpectedly"


def test_the_engine_thread_backs_off_after_a_step_breaks_and_carries_on(
    tmp_path: Path,
    store: Store,
    proxy: FaultProxy,
    clock: OfficeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A step that raises (here the clock: say the time zone data went missing) is
    not tried again at once: the thread waits a backoff, then carries on."""
    broken = threading.Event()
    broken.set()
    failed_calls: list[int] = []
    first_failure = threading.Event()

    def now() -> dt.datetime:
        if broken.is_set():
            failed_calls.append(1)
            first_failure.set()
            raise RuntimeError("no time zone data")
        return clock()

    config = kiosk_config(tmp_path, proxy.url, backoff_base_s=2.0)
    client = patient_client(proxy.url)
    # seed 5: the first draw after one failure is 1.32 s (of [0.2, 2.0])
    engine = SyncEngine(store, client, config, now=now, rng=random.Random(5))  # noqa: S311
    online = threading.Event()
    engine.subscribe(lambda s: online.set() if s.connection == "online" else None)
    try:
        with caplog.at_level(logging.ERROR, logger="kiosk.sync.engine"):
            engine.start()
            assert first_failure.wait(20), "the engine never stepped"
            broken.clear()
            assert len(failed_calls) == 1, "the step was retried at once"
            assert online.wait(20), "the engine did not carry on after its pause"
    finally:
        assert engine.stop()
        client.close()
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.getMessage() == "sync step failed unexpectedly; next try in 1.3 s"
