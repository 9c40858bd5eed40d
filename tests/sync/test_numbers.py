"""Ticket numbers: online from the centre, else a leased block, else the fallback,
and never one number twice for an office, service and day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import uuid

import pytest

from central.process import RunningCentral
from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralRefused
from kiosk.sync import SyncEngine
from kiosk.tickets.ahead import AskedNumber, Carries, hold_seconds
from offline_store import LeaseKind, Store, StoreError
from testkit.sync_kiosk import (
    OFFICE,
    SERVICE,
    Kiosk,
    centre_displays,
    centre_tickets,
    issue,
    payload,
)

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="session")
def central(central_each: RunningCentral) -> RunningCentral:
    """Delivery and numbering: on SQLite and on PostgreSQL."""
    return central_each


def small_leases(kiosk: Kiosk, size: int, low_water: int) -> SyncEngine:
    config = dataclasses.replace(
        kiosk.config,
        sync=dataclasses.replace(kiosk.config.sync, lease_size=size, lease_low_water=low_water),
    )
    kiosk.engine = SyncEngine(kiosk.store, kiosk.client, config, now=kiosk.clock)
    kiosk.config = config
    return kiosk.engine


def drain(kiosk: Kiosk) -> None:
    for _ in range(10):
        if kiosk.engine.run_once(force=True).status.outbox_depth == 0:
            return
    raise AssertionError(kiosk.engine.status())


def test_online_the_centre_numbers_the_ticket(kiosk: Kiosk, central: RunningCentral) -> None:
    kiosk.engine.run_once()
    ticket_id = str(uuid.uuid4())
    allocation = kiosk.engine.allocate(ticket_id, SERVICE, kiosk.clock().date())
    assert allocation is not None and allocation.ticket_id == ticket_id
    assert allocation.people_ahead is not None and allocation.estimated_wait_minutes is not None
    # The blocks the kiosk keeps for offline use never hold a citizen's online number:
    # they come down from 999 while online numbers count up, and once the two meet (a
    # centre shared by many tests may have met them today) both go on from one sequence.
    held = [
        s
        for s in kiosk.store.lease_state(kiosk.clock())
        if s.source is LeaseKind.CENTRAL and s.service_id == SERVICE and s.day == allocation.day
    ]
    assert held and all(s.block_end is not None for s in held), held
    assert not [s for s in held if s.block_start <= allocation.number <= (s.block_end or 0)], held
    again = kiosk.engine.allocate(ticket_id, SERVICE, kiosk.clock().date())
    assert again is not None and again.number == allocation.number  # idempotent replay
    ticket = issue(kiosk.store, kiosk.clock, kiosk.engine)
    assert ticket.source == "online"
    drain(kiosk)
    row = centre_tickets(central.db_url, [ticket.id])[ticket.id]
    assert (row.display, row.number_source) == (ticket.number, "online")


def test_store_uses_the_callers_ticket_id(store: Store) -> None:
    ticket_id = str(uuid.uuid4())
    stored = store.issue_ticket(
        office_id="pku-mpp",
        service_id=SERVICE,
        prefix="A",
        counter="1",
        payload={},
        now=dt.datetime.now(dt.UTC),
        ticket_id=ticket_id,
    )
    assert stored.id == ticket_id
    assert [item.key for item in store.outbox()] == [ticket_id]


def test_a_slow_centre_gives_a_leased_number_within_the_deadline(
    field_allocate_kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk = field_allocate_kiosk
    kiosk.engine.run_once()
    kiosk.proxy.set("delay", delay_s=kiosk.config.sync.allocate_deadline_s + 1.0)
    ticket = issue(kiosk.store, kiosk.clock, kiosk.engine)
    assert ticket.source == "lease"
    # the centre did allocate, too late: the number the citizen holds wins
    kiosk.proxy.set("pass")
    drain(kiosk)
    row = centre_tickets(central.db_url, [ticket.id])[ticket.id]
    assert row.display == ticket.number
    displays = centre_displays(central.db_url)
    assert len(displays) == len(set(displays))


def test_a_lease_that_runs_out_offline_falls_back_to_the_kiosk_code(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    engine = small_leases(kiosk, size=3, low_water=1)
    engine.run_once()
    code = kiosk.store.kiosk_code()
    assert code
    kiosk.proxy.down()
    issued = [issue(kiosk.store, kiosk.clock, engine) for _ in range(5)]
    sources = [t.source for t in issued]
    assert sources == ["lease"] * 3 + ["fallback"] * 2
    assert issued[3].number == f"A-{code}-001" and issued[4].number == f"A-{code}-002"
    kiosk.proxy.up()
    kiosk.clock.advance(kiosk.config.sync.backoff_cap_s + 1)
    drain(kiosk)
    held = centre_tickets(central.db_url, [t.id for t in issued])
    assert {k: r.display for k, r in held.items()} == {t.id: t.number for t in issued}
    displays = centre_displays(central.db_url)
    assert len(displays) == len(set(displays))
    # back online the engine leases again
    assert any(s.left >= 1 and s.service_id == SERVICE for s in engine.status().leases)


def test_two_kiosks_offline_never_print_the_same_number(
    kiosk: Kiosk, central: RunningCentral, tmp_path_factory: pytest.TempPathFactory
) -> None:
    engine_a = small_leases(kiosk, size=2, low_water=1)
    engine_a.run_once()
    folder = tmp_path_factory.mktemp("kiosk-b")
    other = Store.open(folder / "kiosk.db")
    client_b = CentralClient(kiosk.proxy.url, timeout_s=kiosk.client.timeout_s)
    config_b = dataclasses.replace(
        kiosk.config, kiosk=dataclasses.replace(kiosk.config.kiosk, data_dir=str(folder))
    )  # its own token file: another kiosk
    engine_b = SyncEngine(other, client_b, config_b, now=kiosk.clock, rng=random.Random(1))  # noqa: S311
    try:
        engine_b.run_once()
        kiosk.proxy.down()
        numbers = [issue(kiosk.store, kiosk.clock, engine_a).number for _ in range(4)]
        numbers += [issue(other, kiosk.clock, engine_b).number for _ in range(4)]
        assert len(numbers) == len(set(numbers)), numbers
        kiosk.proxy.up()
        kiosk.clock.advance(kiosk.config.sync.backoff_cap_s + 1)
        drain(kiosk)
        for _ in range(10):
            if engine_b.run_once(force=True).status.outbox_depth == 0:
                break
        assert engine_b.status().outbox_depth == 0
    finally:
        engine_b.stop()
        client_b.close()
        other.close()
    displays = centre_displays(central.db_url)
    assert len(displays) == len(set(displays))


def test_yesterdays_unused_numbers_go_back(kiosk: Kiosk, central: RunningCentral) -> None:
    kiosk.clock.keep_clear_of_tomorrow()
    kiosk.engine.run_once()
    issue(kiosk.store, kiosk.clock)  # one leased number used (no engine: no online try)
    held = [s for s in kiosk.store.lease_state(kiosk.clock()) if s.service_id == SERVICE]
    assert len(held) == 1 and held[0].source == "central"
    kiosk.clock.advance(24 * 3600)
    kiosk.engine.run_once(force=True)
    returns = [s for s in kiosk.proxy.seen if s.path.endswith("/return")]
    assert any(f"/leases/{held[0].lease_id}/return" in s.path for s in returns)
    count = len(returns)
    kiosk.engine.run_once(force=True)
    assert len([s for s in kiosk.proxy.seen if s.path.endswith("/return")]) == count


def test_an_online_number_the_kiosk_never_kept_is_voided_at_the_centre(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()
    kept = issue(kiosk.store, kiosk.clock, kiosk.engine)  # a citizen holds this one
    lost = str(uuid.uuid4())
    allocation = kiosk.engine.allocate(lost, SERVICE, kiosk.clock().date())
    assert allocation is not None and kept.source == "online"
    # The disk fills between the centre's answer and the commit: no ticket, no number shown.
    kiosk.store.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    with pytest.raises(StoreError):
        kiosk.store.issue_ticket(
            office_id=OFFICE,
            service_id=SERVICE,
            prefix="A",
            counter="1",
            payload=payload(),
            now=kiosk.clock(),
            allocated=allocation.number,
            ticket_id=lost,
        )
    kiosk.store.db.execute("DROP TRIGGER refuse")
    assert centre_tickets(central.db_url, [lost])[lost].status == "waiting"

    kiosk.engine.run_once(force=True)  # too young: an issue may still be under way
    kiosk.clock.advance(61)
    kiosk.engine.run_once(force=True)  # old enough, seen once
    assert centre_tickets(central.db_url, [lost])[lost].status == "waiting"
    kiosk.proxy.down()
    kiosk.engine.run_once(force=True)  # due, but the centre is away: the note stays
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == [lost]
    kiosk.proxy.up()
    kiosk.engine.run_once(force=True)
    rows = centre_tickets(central.db_url, [lost, kept.id])
    assert (rows[lost].status, rows[kept.id].status) == ("void", "waiting")
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == []


def test_a_number_a_session_holds_is_never_voided_however_long_she_takes(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """A number asked ahead, while the citizen answers the question about messages, waits
    as long as she does (the keypad extends the question, the clock jumps): the sweep
    leaves it while her session holds it, and voids it only once let go unkept."""
    kiosk.engine.run_once()
    held = str(uuid.uuid4())
    kiosk.engine.held.hold(held)
    assert kiosk.engine.allocate(held, SERVICE, kiosk.clock().date()) is not None
    for _ in range(3):  # a run sees it, minutes later another, and another
        kiosk.clock.advance(61)
        kiosk.engine.run_once(force=True)
    assert centre_tickets(central.db_url, [held])[held].status == "waiting"
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == [held]
    kiosk.engine.held.let_go(held)  # her session ended and its void failed: the sweep's
    kiosk.engine.run_once(force=True)  # seen once
    kiosk.engine.run_once(force=True)
    assert centre_tickets(central.db_url, [held])[held].status == "void"
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == []


def test_a_number_asked_before_midnight_is_voided_when_the_ticket_is_of_the_next_day(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """Asked while she answered the question, before midnight; her ticket is issued after
    it: yesterday's number is voided at the centre, and the ticket asks anew."""
    kiosk.engine.run_once()
    today = kiosk.clock().date()
    asked = AskedNumber(
        1, Carries.of(SERVICE, today, None), None, kiosk.engine, kiosk.store.kiosk_code, None
    )
    asked.ask(())
    assert centre_tickets(central.db_url, [asked.ticket_id])[asked.ticket_id].status == "waiting"
    assert asked.ticket_id in kiosk.engine.held
    assert asked.take(SERVICE, today + dt.timedelta(days=1), None) is None
    assert centre_tickets(central.db_url, [asked.ticket_id])[asked.ticket_id].status == "void"
    assert asked.ticket_id not in kiosk.engine.held
    assert kiosk.store.unkept_number_requests(kiosk.clock() + dt.timedelta(days=1)) == []


def test_a_number_asked_ahead_names_her_time_at_the_kiosk_and_one_at_the_ticket_none(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """Asked at the question, the centre passes the number by for the question's wait and
    the issue's deadline (60 s by default), unless its registration comes first; asked
    as the ticket is issued, she sees it at once: callable at once."""
    kiosk.engine.run_once()
    today = kiosk.clock().date()
    hold_s = hold_seconds(kiosk.config.session)
    assert hold_s == 60
    asked = AskedNumber(
        1,
        Carries.of(SERVICE, today, None),
        None,
        kiosk.engine,
        kiosk.store.kiosk_code,
        None,
        hold_s,
    )
    before = dt.datetime.now(dt.UTC)
    asked.ask(())
    after = dt.datetime.now(dt.UTC)
    plain = str(uuid.uuid4())
    assert kiosk.engine.allocate(plain, SERVICE, today) is not None
    rows = centre_tickets(central.db_url, [asked.ticket_id, plain])
    until = rows[asked.ticket_id].at_kiosk_until
    hold = dt.timedelta(seconds=hold_s)
    assert until is not None and before + hold <= until <= after + hold
    assert rows[plain].at_kiosk_until is None


def test_a_number_let_go_before_it_was_asked_is_never_asked(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """The session ended while its ask still waited for the void before it: the centre
    is never asked (no number voided in the queue's sequence, no doctor's place taken
    for a moment), and nothing is held."""
    kiosk.engine.run_once()
    asked = AskedNumber(
        1,
        Carries.of(SERVICE, kiosk.clock().date(), None),
        None,
        kiosk.engine,
        kiosk.store.kiosk_code,
        None,
    )
    assert asked.release() is None  # not answered yet: the asking worker settles it
    asked.ask(())
    assert kiosk.proxy.count("/api/v1/tickets/allocate") == 0
    assert asked.settled.is_set()
    assert asked.ticket_id == "" or asked.ticket_id not in kiosk.engine.held
    assert kiosk.store.unkept_number_requests(kiosk.clock() + dt.timedelta(days=1)) == []


def test_a_request_that_never_reached_the_centre_is_forgotten(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()
    never = str(uuid.uuid4())
    kiosk.store.note_number_request(never, kiosk.clock())  # power lost before the request left
    kiosk.clock.advance(61)
    kiosk.engine.run_once(force=True)
    kiosk.engine.run_once(force=True)
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == []
    assert centre_tickets(central.db_url, [never]) == {}


def test_a_void_of_a_number_never_kept_is_logged_without_its_ticket_id(
    kiosk: Kiosk, central: RunningCentral, caplog: pytest.LogCaptureFixture
) -> None:
    """A ticket's id opens its public page (/t/{ticket_id}); the void's request writes it
    cut (kiosk.client.client.SecretPath), and so must the lines about it."""
    kiosk.engine.run_once()
    never = str(uuid.uuid4())
    kiosk.store.note_number_request(never, kiosk.clock())  # power lost before the request left
    kiosk.clock.advance(61)
    with caplog.at_level(logging.DEBUG):
        kiosk.engine.run_once(force=True)
        kiosk.engine.run_once(force=True)
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == []  # the void was asked
    assert "/api/v1/tickets/" in caplog.text and "void" in caplog.text
    assert never not in caplog.text


def test_a_retry_after_a_refused_token_voids_only_what_was_due(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()
    asked = kiosk.clock()
    seen_once = str(uuid.uuid4())
    kiosk.store.note_number_request(seen_once, asked)
    kiosk.clock.advance(61)
    kiosk.engine.run_once(force=True)  # seen once, old enough
    unseen = str(uuid.uuid4())
    kiosk.store.note_number_request(unseen, asked)  # as old, but no run has seen it yet
    stale = uuid.uuid4().hex  # a token the centre does not know
    kiosk.client.token = stale
    kiosk.clock.advance(kiosk.config.sync.interval_s + 1)
    kiosk.engine.run_once()  # the void meets a 401, takes the token on disk and retries
    assert kiosk.client.token not in (stale, None)
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == [unseen]


def test_a_refusal_the_kiosk_does_not_expect_keeps_the_note_and_not_the_leases(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()
    kiosk.store.note_number_request("not-a-ticket-id", kiosk.clock())  # the centre answers 422
    kiosk.clock.advance(61)
    kiosk.engine.run_once(force=True)
    report = kiosk.engine.run_once(force=True)
    assert "leases" in report.ran and "leases" not in report.failed
    assert kiosk.store.unkept_number_requests(kiosk.clock()) == ["not-a-ticket-id"]
    assert report.status.connection == "online"


def leases_asked(kiosk: Kiosk) -> list[str]:
    return [s.path for s in kiosk.proxy.seen if s.method == "POST" and s.path == "/api/v1/leases"]


def test_in_the_last_hour_of_the_day_the_kiosk_does_not_lease_again_and_again(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """A lease of today expires at midnight: in the last hour that is "within the hour"
    for every lease, a new one too, so it must not count as running out."""
    late = kiosk.clock().replace(hour=23, minute=20, second=0, microsecond=0)
    kiosk.clock.moment = late
    kiosk.engine.run_once(force=True)
    services = len(kiosk.engine.status().leases)
    first = len(leases_asked(kiosk))
    assert first >= 1 and services >= 1
    for _ in range(5):
        kiosk.clock.advance(60)
        kiosk.engine.run_once(force=True)
    assert len(leases_asked(kiosk)) == first  # nothing more: today's and tomorrow's suffice
    today = [s for s in kiosk.engine.status().leases if s.day == late.date()]
    assert today and all(s.left >= 1 for s in today)


def test_a_queue_whose_lease_is_refused_does_not_keep_the_others_from_theirs(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.clock.keep_clear_of_tomorrow()
    kiosk.engine.run_once()  # enrolled, the catalog in hand, every queue leased
    cached = kiosk.store.load_catalog()
    assert cached is not None
    day = kiosk.clock().date()
    held = {s.service_id for s in kiosk.store.lease_state(kiosk.clock())}
    first, *others = [s.id for s in Catalog.from_json(cached[0]).services_for(OFFICE)]
    assert others and held >= {first, *others}
    # The first queue's cap is reached by leases this store never heard of.
    while True:
        try:
            kiosk.client.request_lease(first, day, 1)
        except CentralRefused as exc:
            assert exc.code == "lease_limit"
            break
    # The kiosk's own leases run out: every queue needs a new one.
    for lease in kiosk.store.lease_state(kiosk.clock()):
        kiosk.store.release_lease(lease.lease_id, kiosk.clock())
    asked = len(leases_asked(kiosk))

    report = kiosk.engine.run_once(force=True)

    assert "leases" in report.failed  # the refusal is reported, and the task backs off
    usable = {s.service_id for s in kiosk.store.lease_state(kiosk.clock()) if s.usable}
    assert usable >= set(others) and first not in usable
    assert len(leases_asked(kiosk)) >= asked + len(others) + 1


def test_a_return_the_centre_refuses_settles_that_lease_and_the_others_go_on(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """A lease the centre does not know (``404 unknown_lease``: one of the kiosk's
    enrolment before the last, or of a centre reset since) cannot be given back; it
    is settled locally and the other returns and the top-up carry on, every run."""
    kiosk.clock.keep_clear_of_tomorrow()
    kiosk.engine.run_once()
    today = kiosk.clock().date()
    genuine = [s.lease_id for s in kiosk.store.lease_state(kiosk.clock()) if s.source == "central"]
    assert genuine
    unknown = str(uuid.uuid4())
    kiosk.store.add_lease(
        lease_id=unknown,
        office_id=OFFICE,
        service_id="a-retired-service",  # first in order: returned before the others
        day=today,
        start=1,
        end=5,
        expires_at=kiosk.clock() + dt.timedelta(hours=6),
        now=kiosk.clock(),
    )
    kiosk.clock.advance(24 * 3600)

    report = kiosk.engine.run_once(force=True)

    assert "leases" not in report.failed, report.status.last_error
    returned = {s.path for s in kiosk.proxy.seen if s.path.endswith("/return")}
    assert f"/api/v1/leases/{unknown}/return" in returned
    assert {f"/api/v1/leases/{lease}/return" for lease in genuine} <= returned
    assert any(
        s.source == "central" and s.usable and s.day == kiosk.clock().date()
        for s in kiosk.store.lease_state(kiosk.clock())
    ), "no lease taken for the new day"
    count = len([s for s in kiosk.proxy.seen if s.path.endswith("/return")])
    assert "leases" not in kiosk.engine.run_once(force=True).failed
    assert len([s for s in kiosk.proxy.seen if s.path.endswith("/return")]) == count
