"""Ticket numbers: central leases, the kiosk's fallback, and never a duplicate."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from offline_store import BadValue, LeaseConflict, Store, format_number
from testkit.stored_tickets import NOW, issue, issue_ticket

DAY = NOW.date()
HOUR = dt.timedelta(hours=1)


def lease(
    store: Store, lease_id: str, start: int, end: int, *, expires: dt.datetime = NOW + HOUR
) -> bool:
    return store.add_lease(
        lease_id=lease_id,
        office_id="pku",
        service_id="poli",
        day=DAY,
        start=start,
        end=end,
        expires_at=expires,
        now=NOW,
    )


def test_numbers_come_from_the_lease_then_the_fallback_with_the_kiosk_code(store: Store) -> None:
    store.set_kiosk_code("K07")
    lease(store, "L1", 41, 42)
    assert [issue(store) for _ in range(4)] == ["A-041", "A-042", "A-K07-001", "A-K07-002"]
    lease(store, "L2", 87, 87)
    assert [issue(store), issue(store)] == ["A-087", "A-K07-003"]  # the fallback goes on
    sources = [r[0] for r in store.db.execute("SELECT number_source FROM tickets ORDER BY rowid")]
    assert sources == ["lease", "lease", "fallback", "fallback", "lease", "fallback"]


def test_the_ticket_and_outbox_payload_say_where_the_number_came_from(store: Store) -> None:
    lease(store, "L1", 5, 9)
    ticket = issue_ticket(store)
    assert (ticket.number, ticket.source) == ("A-005", "lease")
    assert store.outbox()[0].payload["ticket"]["number_source"] == "lease"


def test_leases_are_per_service_and_day(store: Store) -> None:
    lease(store, "L1", 10, 19)
    assert issue(store, "ktp") == "A-001"  # no lease for ktp: fallback (not enrolled)
    assert issue(store, now=NOW + dt.timedelta(days=1)) == "A-001"
    assert issue(store) == "A-010"


def test_an_expired_lease_is_not_used(store: Store) -> None:
    store.set_kiosk_code("K07")
    lease(store, "L1", 10, 19, expires=NOW + HOUR)
    assert issue(store, now=NOW + HOUR - dt.timedelta(seconds=1)) == "A-010"
    assert issue(store, now=NOW + HOUR) == "A-K07-001"


def test_the_oldest_block_is_used_first(store: Store) -> None:
    lease(store, "L2", 30, 31)
    lease(store, "L1", 10, 11)
    assert [issue(store) for _ in range(4)] == ["A-010", "A-011", "A-030", "A-031"]


def test_the_block_leased_first_is_used_first_though_the_centre_leases_downward(
    store: Store,
) -> None:
    store.add_lease(
        lease_id="L1",
        office_id="pku",
        service_id="poli",
        day=DAY,
        start=998,
        end=999,
        expires_at=NOW + HOUR,
        now=NOW,
    )
    store.add_lease(
        lease_id="L2",
        office_id="pku",
        service_id="poli",
        day=DAY,
        start=996,
        end=997,
        expires_at=NOW + HOUR,
        now=NOW + dt.timedelta(minutes=5),
    )
    assert [issue(store) for _ in range(4)] == ["A-998", "A-999", "A-996", "A-997"]


def test_the_same_lease_again_only_renews_its_expiry(store: Store) -> None:
    assert lease(store, "L1", 10, 19, expires=NOW + HOUR)
    issue(store)
    assert not lease(store, "L1", 10, 19, expires=NOW + 3 * HOUR)
    [state] = [s for s in store.lease_state(NOW) if s.source == "central"]
    assert (state.next, state.remaining, state.expires_at) == (11, 9, NOW + 3 * HOUR)


@pytest.mark.parametrize(("start", "end"), [(15, 25), (5, 10), (19, 19), (1, 100)])
def test_an_overlapping_block_is_refused(store: Store, start: int, end: int) -> None:
    lease(store, "L1", 10, 19)
    with pytest.raises(LeaseConflict):
        lease(store, "L2", start, end)
    with pytest.raises(LeaseConflict):
        lease(store, "L1", 10, 20)  # a known lease id with other bounds


@pytest.mark.parametrize(("lease_id", "start", "end"), [("", 1, 2), ("L", 0, 2), ("L", 5, 4)])
def test_a_malformed_lease_is_refused(store: Store, lease_id: str, start: int, end: int) -> None:
    with pytest.raises(BadValue):
        lease(store, lease_id, start, end)


def test_a_number_already_used_on_this_kiosk_is_skipped(store: Store) -> None:
    assert [issue(store), issue(store)] == ["A-001", "A-002"]  # before enrolment
    lease(store, "L1", 1, 3)  # the centre's block covers them
    assert issue(store) == "A-003"


def test_a_number_allocated_online_is_used_as_is(store: Store) -> None:
    lease(store, "L1", 10, 19)
    ticket = issue_ticket(store, allocated=7)
    assert (ticket.number, ticket.source) == ("A-007", "online")
    assert issue(store) == "A-010"  # the lease was not touched


def test_an_online_number_this_kiosk_already_printed_is_not_printed_again(
    store: Store,
) -> None:
    assert issue(store) == "A-001"  # before enrolment: the plain counter
    store.set_kiosk_code("K07")
    ticket = issue_ticket(store, allocated=1)
    assert (ticket.number, ticket.source) == ("A-K07-002", "fallback")


def test_released_leases_give_back_the_unused_range(store: Store) -> None:
    lease(store, "L1", 10, 19)
    issue(store)
    assert store.release_lease("L1", NOW) == (11, 19)
    assert issue(store) == "A-001"  # the released block is not used any more
    assert store.release_lease("unknown", NOW) is None
    lease(store, "L2", 20, 20)
    issue(store)
    assert store.release_lease("L2", NOW) is None  # nothing left to give back


def test_lease_state_shows_what_is_left(store: Store) -> None:
    store.set_kiosk_code("K07")
    lease(store, "L1", 10, 11)
    issue(store)
    issue(store)
    issue(store)
    central, fallback = store.lease_state(NOW)
    assert (central.lease_id, central.remaining, central.usable) == ("L1", 0, False)
    assert (fallback.source, fallback.next, fallback.remaining, fallback.usable) == (
        "fallback",
        2,
        None,
        True,
    )
    assert store.lease_state(NOW + dt.timedelta(days=1)) == []


@pytest.mark.parametrize("bad", ["k07", "K-07", "", "K0000000007", "K07 "])
def test_kiosk_codes_that_could_make_numbers_ambiguous_are_refused(store: Store, bad: str) -> None:
    with pytest.raises(BadValue):
        store.set_kiosk_code(bad)
    assert store.kiosk_code() is None


def test_format_number() -> None:
    assert format_number("A", 7) == "A-007"
    assert format_number("B", 1234, "K07") == "B-K07-1234"


class NumberingMachine(RuleBasedStateMachine):
    """A kiosk living through leases, expiries, outages, re-enrolment and new days.

    The centre is modelled as one counter per day handing out disjoint blocks.
    Whatever happens, no number repeats for the same office, service and day,
    and every central number lies in a block the kiosk was leased.
    """

    @initialize()
    def open_store(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.store = Store.open(Path(self.dir.name) / "kiosk.db")
        self.now = NOW
        self.centre_next: dict[dt.date, int] = {}
        self.leased: set[tuple[dt.date, int]] = set()
        self.issued: list[tuple[dt.date, str]] = []
        self.central: list[tuple[dt.date, int]] = []
        self.lease_ids = 0

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
            self.dir.cleanup()

    @rule(size=st.integers(1, 5), valid_for=st.integers(1, 120))
    def centre_leases_a_block(self, size: int, valid_for: int) -> None:
        day = self.now.date()
        start = self.centre_next.get(day, 1)
        self.centre_next[day] = start + size
        self.lease_ids += 1
        self.store.add_lease(
            lease_id=f"L{self.lease_ids}",
            office_id="pku",
            service_id="poli",
            day=day,
            start=start,
            end=start + size - 1,
            expires_at=self.now + dt.timedelta(minutes=valid_for),
            now=self.now,
        )
        self.leased |= {(day, n) for n in range(start, start + size)}

    @rule(online=st.booleans())
    def issue(self, online: bool) -> None:
        allocated = None
        if online:  # the centre answers and allocates from its own sequence
            allocated = self.centre_next.get(self.now.date(), 1)
            self.centre_next[self.now.date()] = allocated + 1
            self.leased.add((self.now.date(), allocated))
        ticket = issue_ticket(self.store, now=self.now, allocated=allocated)
        self.issued.append((ticket.day, ticket.number))
        if ticket.source in ("lease", "online"):
            self.central.append((ticket.day, int(ticket.number.split("-")[1])))

    @rule(minutes=st.integers(1, 90))
    def time_passes(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)

    @rule(kiosk=st.sampled_from(["K07", "K7", "A12"]))
    def enrolled(self, kiosk: str) -> None:
        self.store.set_kiosk_code(kiosk)

    @invariant()
    def no_number_twice_and_central_numbers_were_leased(self) -> None:
        if not hasattr(self, "store"):
            return
        assert len(set(self.issued)) == len(self.issued)
        assert set(self.central) <= self.leased


NumberingMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40)
test_numbering_never_repeats = NumberingMachine.TestCase
