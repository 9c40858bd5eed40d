"""Online numbers asked for: kept with their ticket, or left for the centre to void."""

from __future__ import annotations

import datetime as dt

import pytest

from offline_store import Store, StoreError
from testkit.stored_tickets import NOW, issue_ticket

MINUTE = dt.timedelta(minutes=1)
ASKED = "0b7e5c1a-3f2d-4c9b-8a1e-6d5f4c3b2a19"
OTHER = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d"


def issue_as(store: Store, ticket_id: str, allocated: int | None) -> str:
    return issue_ticket(store, allocated=allocated, ticket_id=ticket_id).number


def test_a_request_kept_in_a_ticket_is_forgotten_with_the_ticket(store: Store) -> None:
    store.note_number_request(ASKED, NOW)
    assert store.unkept_number_requests(NOW + MINUTE) == [ASKED]
    assert issue_as(store, ASKED, allocated=17) == "A-017"
    assert store.unkept_number_requests(NOW + MINUTE) == []


def test_a_request_whose_ticket_took_a_lease_number_is_kept_too(store: Store) -> None:
    # The answer came too late: the ticket printed another number; its
    # registration tells the centre, which then voids the online one itself.
    store.note_number_request(ASKED, NOW)
    assert issue_as(store, ASKED, allocated=None) == "A-001"
    assert store.unkept_number_requests(NOW + MINUTE) == []


def test_a_ticket_the_store_failed_to_keep_leaves_its_request(store: Store) -> None:
    store.note_number_request(ASKED, NOW)
    store.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    with pytest.raises(StoreError):
        issue_as(store, ASKED, allocated=17)
    assert store.tickets_count() == 0
    assert store.unkept_number_requests(NOW + MINUTE) == [ASKED]


def test_requests_are_left_alone_while_young_and_forgotten_once_settled(store: Store) -> None:
    store.note_number_request(OTHER, NOW + MINUTE)
    store.note_number_request(ASKED, NOW)
    store.note_number_request(ASKED, NOW + 2 * MINUTE)  # asked again: the first time counts
    assert store.unkept_number_requests(NOW) == []  # an issue may still be under way
    assert store.unkept_number_requests(NOW + 2 * MINUTE) == [ASKED, OTHER]  # oldest first
    store.forget_number_request(ASKED)
    assert store.unkept_number_requests(NOW + 2 * MINUTE) == [OTHER]


def test_a_request_survives_reopening_the_store(store: Store) -> None:
    store.note_number_request(ASKED, NOW)
    path = store.path
    store.close()
    again = Store.open(path)
    assert again.unkept_number_requests(NOW + MINUTE) == [ASKED]
    again.close()
