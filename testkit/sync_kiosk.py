"""A kiosk that syncs, as the sync tests build it; issuing tickets as the kiosk does,
and reading what the centre holds (as an operator)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from central.database import Database
from central.settings import DEMO_ENROLMENT_CODE
from central.tables import tickets
from contract.ticket_ids import new_ticket_id
from kiosk.client.client import CentralClient
from kiosk.config import CentralSection, Config, KioskSection, SyncSection
from kiosk.sync import SyncEngine
from offline_store import Store, StoredTicket
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy

OFFICE = "pku-mpp"
SERVICE = "puskesmas-umum"
PREFIX = "A"
#: Seconds a call to a healthy centre may take: what a machine loaded by the whole
#: suite (2 cores, 3 workers, PostgreSQL) meets. A test that expects the centre to
#: answer must not depend on less: one call past 0.5 s there made a push fail.
PATIENT_S = 5.0
#: Seconds a call may take once a test makes the centre misbehave (hang, delay,
#: drip): short, so that waiting out the deadline costs the test little.
IMPATIENT_S = 0.5


def kiosk_config(root: Path, url: str, *, timeout_s: float = PATIENT_S, **sync: object) -> Config:
    """The test kiosk's configuration: each call to the centre, and the wait for an
    online number (``sync.allocate_deadline_s``, 0.8 s in the field), may take
    ``timeout_s`` unless ``sync`` says otherwise."""
    sync.setdefault("allocate_deadline_s", timeout_s)
    return Config(
        kiosk=KioskSection(office_id=OFFICE, data_dir=str(root)),
        central=CentralSection(url=url, timeout_s=timeout_s, enrolment_code=DEMO_ENROLMENT_CODE),
        sync=SyncSection(**sync),  # type: ignore[arg-type]
    )


def patient_client(url: str) -> CentralClient:
    """A client whose every call (documents too) may take :data:`PATIENT_S`."""
    return CentralClient(url, timeout_s=PATIENT_S)


@dataclass
class Kiosk:
    """One kiosk: its store, client, engine and the proxy between it and the centre."""

    store: Store
    client: CentralClient
    engine: SyncEngine
    proxy: FaultProxy
    clock: OfficeClock
    config: Config

    @contextmanager
    def impatient(self, *, documents_only: bool = False) -> Iterator[None]:
        """Within the block the client's calls may take :data:`IMPATIENT_S` (only the
        documents' calls, with ``documents_only``: catalog, trust list, revocations).

        For the part of a test where the centre misbehaves (hang, delay, drip): waiting
        out the short deadline costs little, while what the test does against the
        healthy centre, before and after, keeps the patient one. The client reads its
        deadlines at each call.
        """
        kept = (self.client.timeout_s, self.client.documents_timeout_s)
        self.client.documents_timeout_s = IMPATIENT_S
        if not documents_only:
            self.client.timeout_s = IMPATIENT_S
        try:
            yield
        finally:
            self.client.timeout_s, self.client.documents_timeout_s = kept


@contextmanager
def engine_on(
    store: Store, client: CentralClient, config: Config, proxy: FaultProxy, clock: OfficeClock
) -> Iterator[Kiosk]:
    """A kiosk whose engine talks through ``client`` (its jitter seeded, as every test's);
    the engine stopped and the client closed after."""
    engine = SyncEngine(store, client, config, now=clock, rng=random.Random(5))  # noqa: S311
    try:
        yield Kiosk(store, client, engine, proxy, clock, config)
    finally:
        engine.stop()
        client.close()


def payload(service: str = SERVICE) -> dict[str, Any]:
    return {
        "office_id": OFFICE,
        "service_id": service,
        "language": "id",
        "assurance": "signed",
        "card_uid": "04a1b2c3d4e5f6",
        "card_number": "PKU-000001",
        "values": {"phone": "081234567890"},
    }


def issue(
    store: Store, clock: OfficeClock, engine: SyncEngine | None = None, service: str = SERVICE
) -> StoredTicket:
    """One ticket as kiosk.tickets.issue issues it: online number if the engine gets one."""
    ticket_id = new_ticket_id(store.kiosk_code())
    now = clock()
    allocation = engine.allocate(ticket_id, service, now.date()) if engine else None
    return store.issue_ticket(
        office_id=OFFICE,
        service_id=service,
        prefix=PREFIX,
        counter="1",
        payload=payload(service),
        now=now,
        allocated=allocation.number if allocation else None,
        ticket_id=ticket_id,
    )


def centre_tickets(db_url: str, ids: Iterable[str]) -> dict[str, Any]:
    """The centre's ticket rows for ``ids``, by id."""
    db = Database(db_url)
    try:
        with db.begin() as conn:
            rows = conn.execute(select(tickets).where(tickets.c.id.in_(list(ids)))).fetchall()
    finally:
        db.dispose()
    return {row.id: row for row in rows}


def centre_displays(db_url: str, service: str = SERVICE) -> list[str]:
    """Every number the centre holds for ``service`` at the test office (all days)."""
    db = Database(db_url)
    try:
        with db.begin() as conn:
            rows = conn.execute(
                select(tickets.c.day, tickets.c.display).where(
                    tickets.c.office_id == OFFICE, tickets.c.service_id == service
                )
            ).fetchall()
    finally:
        db.dispose()
    return [f"{row.day}/{row.display}" for row in rows]
