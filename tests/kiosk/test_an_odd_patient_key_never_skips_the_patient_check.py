"""A poli's ticket is checked at the centre before it is numbered, whatever the patient
typed: a kiosk sends its allocate's patient keys as the contract takes them.

A name typed over two lines (the form keeps a newline), or a key no allocate may carry
(a name longer than the contract's limit), made the centre refuse the whole allocate
(422): the kiosk then numbered the ticket from its lease, unchecked, and printed a
doctor's place for a patient the registration would refuse. Now the name's white space
is one space (the centre compares names so) and a key that cannot fit is left out, so
the centre checks the patient by the others: the citizen gets the ticket, numbered
online with the doctor's place, and a patient registered at the poli today already is
refused before a number is used.

The real path over HTTP: :func:`kiosk.tickets.issue.issue_and_print` with the sync
engine's allocate against the session's demo centre, at the demo hospital's all-day
internist; a patient of a fresh NIK, their visit cancelled at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from central.database import Database
from central.hospital import demo as hospital_demo
from contract.catalog import Catalog
from contract.hospital import DoctorToday, HospitalRequest, Payer
from kiosk.client.client import CentralClient
from kiosk.config import CentralSection, Config, KioskSection, SyncSection
from kiosk.errors import SessionProblem, TicketingError
from kiosk.session.events import IssueTicket
from kiosk.sync import SyncEngine
from kiosk.tickets.issue import Issued, PrintSetup, issue_and_print
from offline_store import Store
from testkit.centre_hospital import (
    HOSPITAL,
    doctor_today,
    hospital_kiosk,
    patient_numbers,
    visit_cancel,
    what_the_registration_did,
)
from testkit.centre_requests import ZONE, new_id, results
from testkit.centres import DEMO_CATALOG
from testkit.printers import READY, ScriptedPrinter, identity

pytestmark = pytest.mark.timeout(120)

POLI = "poli-dalam"
#: A name typed over two lines: the form keeps the newline.
TWO_LINES = "Siti\nAminah"


@dataclass
class Kiosk:
    """A kiosk of the demo hospital: its store, its engine (the real allocate), its token."""

    url: str
    token: str
    db: Database
    store: Store
    engine: SyncEngine
    doctor: DoctorToday


@pytest.fixture
def kiosk(tmp_path: Path, demo_central: str, demo_central_db: Database) -> Iterator[Kiosk]:
    token, code = hospital_kiosk(demo_central)
    store = Store.open(tmp_path / "kiosk.db")
    store.set_kiosk_code(code)
    config = Config(
        kiosk=KioskSection(office_id=HOSPITAL, data_dir=str(tmp_path)),
        central=CentralSection(url=demo_central, timeout_s=30.0),
        # a loaded test machine must not push the allocate past its deadline
        sync=SyncSection(allocate_deadline_s=30.0),
    )
    schedule = hospital_demo.schedule_id(hospital_demo.EXAMPLE_DOCTOR, dt.datetime.now(ZONE).date())
    doctor = DoctorToday.from_json(doctor_today(demo_central, token, schedule))
    client = CentralClient(demo_central, token=token)
    engine = SyncEngine(
        store,
        client,
        config,
        now=lambda: dt.datetime.now(dt.UTC),
        rng=random.Random(5),  # noqa: S311 - jitter
    )
    try:
        yield Kiosk(demo_central, token, demo_central_db, store, engine, doctor)
    finally:
        client.close()
        store.close()


def issue(kiosk: Kiosk, values: dict[str, str], nomorkartu: str) -> Issued:
    """A JKN ticket at the internist for the patient the form's ``values`` name."""
    hospital = HospitalRequest(
        schedule_id=kiosk.doctor.schedule_id, payer=Payer.JKN, nomorkartu=nomorkartu
    )
    request = IssueTicket(1, identity(), POLI, values, "id", doctor=kiosk.doctor, hospital=hospital)
    return issue_and_print(
        request,
        catalog=Catalog.from_json(json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))),
        office_id=HOSPITAL,
        store=kiosk.store,
        setup=PrintSetup(ScriptedPrinter(READY)),
        now=lambda: dt.datetime.now(ZONE),
        allocate=kiosk.engine.allocate,
    )


def refused_before_numbering(kiosk: Kiosk, values: dict[str, str], nomorkartu: str) -> None:
    """The centre refuses the patient before a number is used: nothing is stored."""
    stored = kiosk.store.tickets_count()
    with pytest.raises(TicketingError) as refused:
        issue(kiosk, values, nomorkartu)
    assert refused.value.reason is SessionProblem.ALREADY_REGISTERED
    assert kiosk.store.tickets_count() == stored, "a refused patient's ticket was stored"


def test_a_name_typed_over_two_lines_is_checked_and_numbered_online(kiosk: Kiosk) -> None:
    nik, nomorkartu = patient_numbers()  # nobody has registered them today
    values = {"full_name": TWO_LINES, "nik": nik}
    issued = issue(kiosk, values, nomorkartu)
    [item] = kiosk.store.outbox()
    assert item.payload["ticket"]["number_source"] == "online", "numbered unchecked"
    assert issued.ticket.nomorantrean.startswith("INT-"), "no place of the centre's"
    assert item.payload["values"]["full_name"] == TWO_LINES, "the registration keeps it"
    sent = {"key": item.key, "kind": item.kind, "body": item.payload}  # as the engine sends it
    [done] = results(kiosk.url, kiosk.token, [sent])
    try:
        assert done["status"] == "accepted", done
        did = what_the_registration_did(kiosk.db, item.key)
        assert did["nomorantrean"] == issued.ticket.nomorantrean, did
        # registered at the poli today: the next ticket for them is refused, unnumbered,
        # by the very keys, and with the name or the card number written otherwise
        refused_before_numbering(kiosk, values, nomorkartu)
        refused_before_numbering(kiosk, {**values, "full_name": "Siti \t Aminah"}, "")
        # a name no allocate may carry is left out: the NIK still names the patient
        refused_before_numbering(kiosk, {**values, "full_name": "Siti Aminah " * 20}, "")
        refused_before_numbering(kiosk, {**values, "full_name": "Siti\x07Aminah"}, "")
    finally:
        [cancelled] = results(
            kiosk.url, kiosk.token, [visit_cancel(f"cancel-{new_id()}", item.key)]
        )
        assert cancelled["result"]["cancel"] == "cancelled", cancelled
