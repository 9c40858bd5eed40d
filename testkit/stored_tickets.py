"""Tickets in a kiosk store, for the store's tests: a fixed time, personal data to look
for, a ticket issuer, the raw bytes a thief would copy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from offline_store import Store, StoredTicket

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=WIB)
NIK = "1471015203850001"
NAME = "Siti Rahmawati Lubis"


def payload(**extra: Any) -> dict[str, Any]:
    return {
        "office_id": "pku",
        "service_id": "poli",
        "card_number": "PKU-000001",
        "values": {"nik": NIK, "name": NAME, "phone": "081234567890"},
        **extra,
    }


def issue_ticket(
    store: Store,
    service: str = "poli",
    now: dt.datetime = NOW,
    allocated: int | None = None,
    ticket_id: str | None = None,
) -> StoredTicket:
    return store.issue_ticket(
        office_id="pku",
        service_id=service,
        prefix="A",
        counter="Loket 1",
        payload=payload(),
        now=now,
        allocated=allocated,
        ticket_id=ticket_id,
    )


def issue(store: Store, service: str = "poli", now: dt.datetime = NOW) -> str:
    return issue_ticket(store, service, now).number


def raw_bytes(db: Path) -> bytes:
    """The database file and its WAL, as a thief copying the disk would see them."""
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
