"""A kiosk that issues tickets and syncs in a loop until it is killed.

Run by tests/sync/test_sigkill.py as ``python -m testkit.killable_kiosk DATA_DIR URL TIMEOUT_S``
(each call's deadline).
It prints ``ready`` once the store is open and the engine made its first
step, then ``<ticket id> <number>`` after each ticket is stored: a line on
stdout is a number a citizen saw. The engine pushes after every ticket.
"""

from __future__ import annotations

import random
import sys
import uuid
from pathlib import Path

from central.settings import DEMO_ENROLMENT_CODE
from kiosk.client.client import CentralClient
from kiosk.config import CentralSection, Config, KioskSection, SyncSection, office_clock
from kiosk.sync import SyncEngine
from offline_store import Store

# Not testkit.sync_kiosk: it loads SQLAlchemy, and this process is
# started many times.
OFFICE, SERVICE = "pku-mpp", "puskesmas-umum"
PAYLOAD = {
    "office_id": OFFICE,
    "service_id": SERVICE,
    "language": "id",
    "assurance": "signed",
    "card_uid": "04a1b2c3d4e5f6",
    "card_number": "PKU-000001",
    "values": {"phone": "081234567890"},
}


def main(data_dir: Path, url: str, timeout_s: float) -> None:
    store = Store.open(data_dir / "kiosk.db")
    config = Config(
        kiosk=KioskSection(office_id=OFFICE, data_dir=str(data_dir)),
        central=CentralSection(url=url, timeout_s=timeout_s, enrolment_code=DEMO_ENROLMENT_CODE),
        sync=SyncSection(lease_size=4, lease_low_water=2, backoff_cap_s=2.0),
    )
    client = CentralClient(url, timeout_s=timeout_s)
    clock = office_clock(config)  # the real time in the office (Asia/Jakarta)
    engine = SyncEngine(store, client, config, now=clock, rng=random.Random())  # noqa: S311
    engine.run_once()
    print("ready", flush=True)
    while True:
        ticket_id, now = str(uuid.uuid4()), clock()
        allocation = engine.allocate(ticket_id, SERVICE, now.date())
        ticket = store.issue_ticket(
            office_id=OFFICE,
            service_id=SERVICE,
            prefix="A",
            counter="1",
            payload=PAYLOAD,
            now=now,
            allocated=allocation.number if allocation else None,
            ticket_id=ticket_id,
        )
        print(ticket.id, ticket.number, flush=True)
        engine.wake()
        engine.run_once()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]))
