"""A batch larger than the centre's ``--max-body`` (413) is halved until it fits; an
item too large on its own is a dead letter with its payload kept, and the items
behind it are delivered (docs/sync.md, "The outbox")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from central.process import RunningCentral
from contract.ticket_ids import new_ticket_id
from offline_store import StoredTicket
from testkit.centres import BACKENDS, own_centre
from testkit.sync_kiosk import OFFICE, Kiosk, centre_tickets

pytestmark = pytest.mark.timeout(120)

MAX_BODY = 6000  # bytes: about five complaints; the largest complaint alone is more
COMPLAINT = "pengaduan-layanan"


@pytest.fixture(scope="module", params=BACKENDS)
def central(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    """A centre of this module's own that takes small requests only."""
    yield from own_centre(request, tmp_path_factory, "max-body", "--max-body", str(MAX_BODY))


def complaint(kiosk: Kiosk, message: str) -> StoredTicket:
    values = {"full_name": "Siti Rahma", "phone": "081234567890", "message": message}
    return kiosk.store.issue_ticket(
        office_id=OFFICE,
        service_id=COMPLAINT,
        prefix="E",
        counter="1",
        payload={
            "office_id": OFFICE,
            "service_id": COMPLAINT,
            "language": "id",
            "assurance": "signed",
            "card_uid": "04a1b2c3d4e5f6",
            "card_number": "PKU-000001",
            "values": values,
        },
        now=kiosk.clock(),
        ticket_id=new_ticket_id(kiosk.store.kiosk_code()),
    )


def test_a_batch_over_the_centres_limit_is_halved_and_an_item_too_large_is_a_dead_letter(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    online = kiosk.engine.run_once()
    assert online.status.connection == "online", online.status.last_error
    before = [complaint(kiosk, f"antrian terlalu lama {n} " + "x" * 400) for n in range(12)]
    # 1,600 characters of 4 bytes each in UTF-8 (the payload is sent as it is stored):
    # about 6.4 kB of JSON for this item alone
    huge = complaint(kiosk, "\U0001f4a9" * 1600)
    after = [complaint(kiosk, f"loket tutup {n} " + "x" * 400) for n in range(12)]
    [item] = [i for i in kiosk.store.outbox("pending") if i.key == huge.id]

    report = kiosk.engine.run_once(force=True)

    assert "outbox" not in report.failed, report.status.last_error
    assert (report.pushed.delivered, report.pushed.dead) == (24, 1)
    [dead] = kiosk.store.outbox("dead")
    assert dead.key == huge.id and dead.last_error.startswith("too_large: ")
    assert dead.payload == item.payload, "the ticket the citizen holds is kept"
    held = centre_tickets(central.db_url, [t.id for t in before + after + [huge]])
    assert set(held) == {t.id for t in before + after}
    assert report.status.outbox_depth == 0 and report.status.dead == 1
