"""A kiosk whose token was revoked comes back with a code made for it, and loses nothing.

Its tickets printed before (bound to its kiosk code, numbered from its leases)
are still in its outbox: once the engine trades the re-key code (on the 401,
as it trades any code in its configuration), they reach the queue.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random

import pytest

from central.access import kiosks
from central.database import Database
from central.process import RunningCentral
from kiosk.sync import SyncEngine
from testkit.sync_kiosk import OFFICE, Kiosk, centre_tickets, issue

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="session")
def central(central_each: RunningCentral) -> RunningCentral:
    return central_each


def test_a_rekeyed_kiosk_delivers_the_tickets_it_printed_before(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()  # enrolled, with its code and its leases
    me = kiosk.client.kiosk_me()
    printed = [issue(kiosk.store, kiosk.clock) for _ in range(3)]  # leased numbers
    assert {t.source for t in printed} == {"lease"}
    assert all(t.id.startswith(_tag_of(me.kiosk_code)) for t in printed)
    operator = Database(central.db_url)
    try:
        with operator.begin() as conn:
            kiosks.revoke_kiosk(conn, me.kiosk_id, actor="test")
            code, _ = kiosks.create_enrolment_code(
                conn, OFFICE, ttl_s=3600, actor="test", kiosk_id=me.kiosk_id
            )
    finally:
        operator.dispose()
    config = dataclasses.replace(
        kiosk.config, central=dataclasses.replace(kiosk.config.central, enrolment_code=code)
    )
    engine = SyncEngine(kiosk.store, kiosk.client, config, now=kiosk.clock, rng=random.Random(5))  # noqa: S311
    try:
        for _ in range(5):
            if engine.run_once(force=True).status.outbox_depth == 0:
                break
        status = engine.status()
    finally:
        engine.stop()

    assert (status.outbox_depth, status.dead) == (0, 0), status
    assert kiosk.client.kiosk_me() == me  # the same kiosk, with a new token
    held = centre_tickets(central.db_url, [t.id for t in printed])
    assert sorted(row.display for row in held.values()) == sorted(t.number for t in printed)


def _tag_of(kiosk_code: str) -> str:
    """The start of the ids bound to ``kiosk_code`` (docs/central-api.md), computed here."""
    tag = hashlib.sha256(b"anjungan-ticket-id/1:" + kiosk_code.encode()).hexdigest()[:12]
    return f"{tag[:8]}-{tag[8:]}"


def test_a_kiosk_enrolled_anew_learns_its_new_code_before_its_next_ticket(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()  # enrolled with the demo's code
    before = kiosk.store.kiosk_code()
    assert before is not None
    operator = Database(central.db_url)
    try:
        with operator.begin() as conn:
            kiosks.revoke_kiosk(conn, kiosk.client.kiosk_me().kiosk_id, actor="test")
    finally:
        operator.dispose()
    issue(kiosk.store, kiosk.clock)  # an item for the outbox, whose push meets the 401
    kiosk.clock.advance(60)  # the outbox is due again, the hourly identity is not

    report = kiosk.engine.run_once()

    assert "identity" not in report.ran[:1] and "outbox" in report.ran
    after = kiosk.store.kiosk_code()
    assert after is not None and after != before  # the demo's code made a new kiosk
    assert after == kiosk.client.kiosk_me().kiosk_code


def test_a_kiosk_enrolled_anew_numbers_no_ticket_from_the_old_kiosks_leases(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """The old kiosk's leased numbers are not the new kiosk's: a ticket numbered from
    them would be refused for good. The new kiosk numbers from its own leases, or
    its own fallback."""
    kiosk.engine.run_once()  # enrolled with the demo's code, leases in hand
    assert any(s.usable for s in kiosk.store.lease_state(kiosk.clock()) if s.lease_id)
    operator = Database(central.db_url)
    try:
        with operator.begin() as conn:
            kiosks.revoke_kiosk(conn, kiosk.client.kiosk_me().kiosk_id, actor="test")
    finally:
        operator.dispose()
    kiosk.engine.run_once(force=True)  # the 401, a new enrolment, a new kiosk code
    code = kiosk.store.kiosk_code()
    kiosk.proxy.down()  # then the centre is away for a while
    printed = [issue(kiosk.store, kiosk.clock) for _ in range(3)]  # new leases or fallback
    assert all(t.source in ("lease", "fallback") for t in printed)
    assert all(f"-{code}-" in t.number for t in printed if t.source == "fallback")

    kiosk.proxy.up()
    kiosk.clock.advance(600)
    for _ in range(5):
        if kiosk.engine.run_once(force=True).status.outbox_depth == 0:
            break
    status = kiosk.engine.status()
    assert (status.outbox_depth, status.dead) == (0, 0), status
    held = centre_tickets(central.db_url, [t.id for t in printed])
    assert sorted(row.display for row in held.values()) == sorted(t.number for t in printed)
