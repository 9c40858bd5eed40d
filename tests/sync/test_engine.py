"""The engine's own rules: backoff draws, the thread's start and stop, status listeners,
and the ticket a citizen gets when the centre numbers it online."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from cardio.card.citizen import CardIdentity
from contract.assurance import Assurance
from contract.catalog import Catalog
from kiosk.session.events import IssueTicket
from kiosk.sync import Backoff, SyncStatus
from kiosk.tickets.issue import Issued, PrintSetup, issue_and_print
from printing.printers.pdf_file import PdfFilePrinter
from testkit.sync_kiosk import OFFICE, SERVICE, Kiosk

pytestmark = pytest.mark.timeout(60)
UNVERIFIED = Assurance("unverified")


def test_full_jitter_stays_under_a_doubling_capped_ceiling() -> None:
    backoff = Backoff(base_s=1.0, cap_s=30.0, rng=random.Random(7))  # noqa: S311
    assert [backoff.ceiling(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    draws = [backoff.delay(6) for _ in range(500)]
    assert all(backoff.floor_s <= d <= 30.0 for d in draws)
    assert max(draws) - min(draws) > 15  # spread out, not one fixed delay


def test_retry_after_is_a_lower_bound_even_past_the_cap() -> None:
    backoff = Backoff(base_s=1.0, cap_s=10.0, rng=random.Random(7))  # noqa: S311
    assert backoff.delay(1, retry_after_s=120.0) == 120.0
    assert backoff.delay(1, retry_after_s=10**9) == 3600.0
    assert backoff.delay(3, retry_after_s=0.0) <= 4.0


def test_stop_ends_the_thread_even_while_the_centre_hangs(kiosk: Kiosk) -> None:
    kiosk.engine.run_once()
    kiosk.proxy.set("hang")
    with kiosk.impatient():  # the call under way ends by its deadline, which stop waits out
        kiosk.engine.wake_all()
        kiosk.engine.start()
        kiosk.engine.wake_all()
        assert kiosk.engine.stop(timeout_s=kiosk.client.timeout_s + 2.0)
    assert not any(t.name == "sync-engine" for t in threading.enumerate())


def test_listeners_hear_each_change_on_the_engine_thread(kiosk: Kiosk) -> None:
    heard: list[tuple[SyncStatus, str]] = []
    kiosk.engine.subscribe(lambda s: heard.append((s, threading.current_thread().name)))
    done = threading.Event()
    kiosk.engine.subscribe(lambda s: done.set() if s.catalog_version else None)
    kiosk.engine.start()
    assert done.wait(30)
    kiosk.engine.stop()
    assert any(status.connection == "online" for status, _ in heard)
    assert {name for _, name in heard} == {"sync-engine"}
    kiosk.proxy.down()
    kiosk.engine.run_once(force=True)
    assert heard[-1][0].connection == "offline"


def test_an_online_ticket_shows_people_ahead_and_the_wait(kiosk: Kiosk, tmp_path: Path) -> None:
    kiosk.engine.run_once()
    cached = kiosk.store.load_catalog()
    assert cached is not None
    catalog = Catalog.from_json(cached[0])
    identity = CardIdentity(uid=bytes.fromhex("04a1b2c3d4e5f6"), citizen=None, assurance=UNVERIFIED)
    request = IssueTicket(1, identity, SERVICE, {"phone": "081234567890"}, "id")
    setup = PrintSetup(PdfFilePrinter(tmp_path), central_url=kiosk.proxy.url)

    def issue() -> Issued:
        return issue_and_print(
            request,
            catalog=catalog,
            office_id=OFFICE,
            store=kiosk.store,
            setup=setup,
            now=kiosk.clock,
            allocate=kiosk.engine.allocate,
        )

    issued = issue()
    assert kiosk.store.ticket(issued.ticket.status_url.rsplit("/", 1)[1])["number_source"] == (
        "online"
    )
    assert issued.ticket.people_ahead is not None and issued.ticket.wait_minutes is not None
    kiosk.proxy.down()
    offline = issue()
    assert offline.ticket.people_ahead is None and offline.ticket.wait_minutes is None


def test_retry_after_as_seconds_or_an_http_date() -> None:
    import datetime as dt

    from kiosk.client.errors import retry_after_s

    now = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    assert retry_after_s("120", now) == 120.0
    assert retry_after_s("Mon, 23 Nov 2026 01:02:00 GMT", now) == 120.0
    assert retry_after_s("Mon, 23 Nov 2026 00:00:00 GMT", now) == 0.0
    assert retry_after_s("soon", now) is None
    assert retry_after_s(None, now) is None
