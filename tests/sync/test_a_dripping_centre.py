"""A centre that answers one byte at a time never holds up a ticket or a sync step.

The fault proxy relays the real centre's answers a byte every 50 ms: no socket
read ever waits long enough to time out, so only a deadline for the whole call
stops the kiosk waiting for the entire drip (many seconds per answer).
"""

from __future__ import annotations

import threading

import pytest

from central.process import RunningCentral
from kiosk.sync import StepReport
from testkit.sync_kiosk import Kiosk, centre_displays, centre_tickets, issue

pytestmark = pytest.mark.timeout(120)

DRIP_S = 0.05


def test_a_dripping_centre_gives_a_leased_number(
    field_allocate_kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk = field_allocate_kiosk
    kiosk.engine.run_once()
    kiosk.proxy.set("drip", delay_s=DRIP_S)
    ticket = issue(kiosk.store, kiosk.clock, kiosk.engine)
    # The answer (~300 bytes) would take 15 s to drip: sync.allocate_deadline_s (0.8 s) cut it.
    assert ticket.source == "lease"
    assert kiosk.proxy.count("/api/v1/tickets/allocate", "drip") == 1
    kiosk.proxy.set("pass")
    for _ in range(10):
        if kiosk.engine.run_once(force=True).status.outbox_depth == 0:
            break
    row = centre_tickets(central.db_url, [ticket.id])[ticket.id]
    assert row.display == ticket.number  # the number the citizen holds wins
    displays = centre_displays(central.db_url)
    assert len(displays) == len(set(displays))


def test_a_sync_step_against_a_dripping_centre_ends_offline(kiosk: Kiosk) -> None:
    kiosk.engine.run_once()
    kiosk.proxy.set("drip", delay_s=DRIP_S)
    done: list[StepReport] = []
    step = threading.Thread(target=lambda: done.append(kiosk.engine.run_once(force=True)))
    # Each call may take IMPATIENT_S (0.5 s); dripping the answers whole would take
    # minutes. The bound only keeps a broken kiosk from hanging the suite.
    with kiosk.impatient():
        step.start()
        step.join(60)
    assert done, "the sync step was still waiting for the dripping centre after 60 s"
    assert done[0].status.connection == "offline"
    assert "timed out after" in (done[0].status.last_error or "")
    # After the first call that waited out its deadline the outbox is still tried
    # (it had nothing to send: no call), then the next task; the second call that
    # waits out its deadline ends the step, forced or not: the others would each
    # wait theirs too (`kiosk sync now` would take minutes).
    assert done[0].ran == ("identity", "outbox", "documents")
    assert done[0].failed == ("identity", "documents")
    assert kiosk.proxy.count("/", "drip") == 2
