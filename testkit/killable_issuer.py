"""A kiosk that issues tickets and syncs in a loop until it is killed.

Run by tests/store/test_sigkill.py as ``python -m testkit.killable_issuer DB ROUND``. It
prints ``ready`` once the store is open, then each ticket's number after
:meth:`Store.issue_ticket` returns: a number on stdout is a number a citizen saw.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from offline_store import Store
from testkit.stored_tickets import NOW, payload

BLOCK = 15


def main(path: Path, round_no: int) -> None:
    store = Store.open(path)
    store.set_kiosk_code("K07")
    # the centre leases a fresh block each round; the last one outlives the test
    store.add_lease(
        lease_id=f"L{round_no}",
        office_id="pku",
        service_id="poli",
        day=NOW.date(),
        start=round_no * BLOCK + 1,
        end=round_no * BLOCK + BLOCK,
        expires_at=NOW + dt.timedelta(hours=12),
        now=NOW,
    )
    print("ready", flush=True)
    for i in range(1_000_000):
        now = NOW + dt.timedelta(milliseconds=i)
        ticket = store.issue_ticket(
            office_id="pku",
            service_id="poli",
            prefix="A",
            counter="Loket 1",
            payload=payload(),
            now=now,
        )
        print(ticket.number, flush=True)
        if i % 5 == 4:  # the sync engine's share of the writes
            batch = store.pending_batch(3, now)
            store.mark_delivered([item.key for item in batch[:2]], now)
            if batch[2:]:
                store.mark_failed(batch[2].key, "503", now)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
