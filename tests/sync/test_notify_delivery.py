"""A registration with the citizen's yes to messages reaches the real centre with its
``notify`` (what the centre's messages read), and one without a yes carries none.

The kiosk issues as it does in a session (``issue_and_print``, the real store and
outbox, a PDF printer) and its sync engine delivers through the fault proxy to a
real centre, on SQLite and on PostgreSQL; the centre's stored submission body is
read as an operator would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.demo_cards import demo_card
from central.database import Database
from central.process import RunningCentral
from central.tables import submissions
from contract.assurance import Assurance
from contract.catalog import Catalog
from kiosk.session.events import IssueTicket
from kiosk.tickets.issue import PrintSetup, issue_and_print
from printing.printers.pdf_file import PdfFilePrinter
from testkit.sync_kiosk import OFFICE, SERVICE, Kiosk

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="session")
def central(central_each: RunningCentral) -> RunningCentral:
    return central_each


def stored_bodies(db_url: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    db = Database(db_url)
    try:
        with db.begin() as conn:
            rows = conn.execute(
                select(submissions.c.key, submissions.c.body).where(submissions.c.key.in_(keys))
            ).fetchall()
    finally:
        db.dispose()
    return {row.key: json.loads(row.body) for row in rows}


def test_the_yes_travels_to_the_centre_and_a_no_sends_nothing(
    kiosk: Kiosk, central: RunningCentral, tmp_path: Path
) -> None:
    assert kiosk.engine.run_once().status.connection == "online"
    document = kiosk.store.load_catalog()
    assert document is not None
    catalog = Catalog.from_json(document[0])
    claims = demo_card("siti").claims
    assert claims is not None
    siti = CardIdentity(b"\x04\xa1", Citizen.from_claims(claims), Assurance.SIGNED)
    setup = PrintSetup(printer=PdfFilePrinter(tmp_path / "tickets"))
    keys = []
    for phone in ("081378901234", None):
        request = IssueTicket(1, siti, SERVICE, {"phone": "081378901234"}, "id", notify_phone=phone)
        issue_and_print(
            request,
            catalog=catalog,
            office_id=OFFICE,
            store=kiosk.store,
            setup=setup,
            now=kiosk.clock,
            allocate=kiosk.engine.allocate,
        )
        [item] = [i for i in kiosk.store.outbox() if i.key not in keys]
        keys.append(item.key)
    kiosk.engine.wake()
    report = kiosk.engine.run_once()
    assert report.pushed.delivered == 2 and report.status.outbox_depth == 0
    bodies = stored_bodies(central.db_url, keys)
    assert bodies[keys[0]]["notify"] == {"phone": "081378901234"}
    assert "notify" not in bodies[keys[1]]
