"""Two kiosks' batches lock the queues' counters and the doctors' days in one order.

On PostgreSQL a row a transaction updates stays locked to its end, and the centre takes
a kiosk's batch in one transaction (central/office/submissions.py ``_write``): a batch
numbering tickets of two polis holds both queues' counters (``ticket_counters``).
Taken in the order of the batch's items, two batches in opposite orders each held a
row the other waited for: PostgreSQL ended one
(a deadlock) and its kiosk was answered 503. Each is taken in one sorted order, so they
wait for each other and both are stored.

Deterministic, not timed (testkit.row_locks): the test holds the first row in the
sorted order, starts the side that takes it first, then (once it waits) the side that
takes it last, then (once both wait) commits. SQLite has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, select

from central.tables import ticket_counters
from testkit.centre_hospital import (
    HOSPITAL,
    hospital_kiosk,
    own_hospital_centre,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_requests import allocate, new_id, registration, submit, today
from testkit.row_locks import one_after_another

pytestmark = pytest.mark.timeout(300)

#: Two polis of the demo hospital and their tickets' prefixes, in the counters' order.
POLIS = (("poli-anak", "N"), ("poli-dalam", "D"))


@pytest.fixture(scope="module", params=["postgresql"])
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_hospital_centre(request, tmp_path_factory, "batch-lock-order")


def sending(c: Centre, token: str, items: list[dict[str, Any]]) -> Callable[[], int]:
    """The kiosk ``token``'s batch of ``items``, sent: its answer's status."""

    def send() -> int:
        response = submit(c.url, token, items)
        assert response.status_code in (200, 503), response.text
        return response.status_code

    return send


def holding(table: Any, *where: Any) -> Callable[[Connection], None]:
    """The test's transaction holds the one row of ``table`` that ``where`` names."""

    def hold(conn: Connection) -> None:
        [_] = conn.execute(select(*table.primary_key.columns).where(*where).with_for_update())

    return hold


def test_two_batches_numbering_tickets_of_two_polis_in_opposite_orders_are_both_stored(
    centre: Centre,
) -> None:
    """Two kiosks' offline tickets, one kiosk's of Poli Anak then Poli Dalam, the other's
    of Poli Dalam then Poli Anak, numbered as their batches reach the centre at once:
    both batches are stored (200), none ended by a deadlock (503)."""
    (first, first_code), (second, second_code) = (hospital_kiosk(centre.url) for _ in range(2))
    for service, _ in POLIS:  # each queue's counter of the day made
        assert allocate(centre.url, centre.kiosk, service).status_code == 201

    def offline(code: str, polis: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
        return [
            registration(new_id(), service, f"{prefix}-{code}-001", "fallback", office_id=HOSPITAL)
            for service, prefix in polis
        ]

    counter = ticket_counters.c
    answered = one_after_another(
        centre.db,
        holding(
            ticket_counters,
            counter.office_id == HOSPITAL,
            counter.service_id == POLIS[0][0],
            counter.day == today(),
        ),
        sending(centre, first, offline(first_code, POLIS)),
        sending(centre, second, offline(second_code, POLIS[::-1])),
    )
    assert answered == [200, 200]
