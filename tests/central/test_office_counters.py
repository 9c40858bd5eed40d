"""An office's numbered counters are its catalog's: ``counters`` makes Loket 1 … N.

Every office had Loket 1 … 8, whatever it had: a puskesmas with two counters listed six
nobody sits at, and an office with twelve could call at none past 8. Over real HTTP to a
real centre, whose newer catalogs are published as a start publishes its file.
"""

from __future__ import annotations

import copy
import html
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from alembic import command
from sqlalchemy import text

from central.access import staff
from central.access.audit import utc_now
from central.database import Database, alembic_config, migrate
from central.documents.catalog import publish_catalog
from central.office.counters import numbered_counters
from central.process import RunningCentral, start_central
from central.settings import DEMO_OFFICE_ID
from contract.catalog import Catalog
from testkit.centre_accounts import new_kiosk, new_staff, new_staff_account
from testkit.centre_requests import allocate, drain, new_id, staff_post
from testkit.office_sessions import logged_in

pytestmark = pytest.mark.timeout(180)
DEMO_CATALOG = Path(__file__).parents[2] / "central" / "demo_data" / "catalog.json"
SERVICE = "status-berkas"  # the demo office's, at counter "Informasi"
_versions = itertools.count(1)


@pytest.fixture(scope="module")
def centre() -> Iterator[tuple[RunningCentral, Database]]:
    with start_central(seed_demo=True) as running:
        db = Database(running.db_url)
        try:
            yield running, db
        finally:
            db.dispose()


def _publish(db: Database, counters: int | None) -> None:
    """A newer demo catalog whose demo office has ``counters`` (``None``: says nothing)."""
    data: dict[str, Any] = copy.deepcopy(json.loads(DEMO_CATALOG.read_text(encoding="utf-8")))
    data["version"] = f"{data['version']}-counters-{next(_versions)}"
    office = next(o for o in data["offices"] if o["id"] == DEMO_OFFICE_ID)
    office.pop("counters", None)
    if counters is not None:
        office["counters"] = counters
    with db.begin() as conn:
        assert publish_catalog(conn, Catalog.from_json(data), data)


def _call_next(url: str, token: str, counter: str) -> requests.Response:
    body = {"office_id": DEMO_OFFICE_ID, "service_id": SERVICE, "counter": counter}
    return staff_post(url, token, "/api/v1/staff/queue/call-next", body)


def _desk_choices(url: str, db: Database) -> list[str]:
    """The counters the counter page offers a new staff member of the demo office."""
    http, _ = logged_in(url, new_staff_account(db, staff.Role.STAFF, office_id=DEMO_OFFICE_ID))
    page = http.get(f"{url}/counter", timeout=10)
    assert page.status_code == 200, page.text[:300]
    select = re.search(r'<select id="desk-counter"[^>]*>(.*?)</select>', page.text, re.S)
    assert select is not None, page.text[:500]
    return [html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', select.group(1))]


def test_an_office_with_three_counters_offers_and_calls_at_those_alone(
    centre: tuple[RunningCentral, Database],
) -> None:
    running, db = centre
    clerk = new_staff(db, running.url, staff.Role.STAFF, office_id=DEMO_OFFICE_ID)
    drain(running.url, clerk, SERVICE)
    _publish(db, 3)
    try:
        # Loket 1 … 3, and the counters its services name (5, 6 and "Informasi").
        assert _desk_choices(running.url, db) == ["1", "2", "3", "5", "6", "Informasi"]
        _, kiosk = new_kiosk(db, running.url)
        ticket = new_id()
        assert allocate(running.url, kiosk, SERVICE, ticket).status_code == 201
        for gone in ("4", "8"):
            refused = _call_next(running.url, clerk, gone)
            assert refused.status_code == 422, refused.text
            body = refused.json()
            assert body["error"] == "unknown_counter"
            assert body["detail"].endswith(": 1, 2, 3, 5, 6, Informasi."), body["detail"]
        called = _call_next(running.url, clerk, "3")
        assert called.status_code == 200, called.text
        assert called.json()["ticket"]["ticket_id"] == ticket
        assert staff_post(running.url, clerk, f"/api/v1/staff/tickets/{ticket}/served").ok
    finally:
        _publish(db, None)
    assert _desk_choices(running.url, db)[:8] == [str(n) for n in range(1, 9)]


def test_an_office_with_twelve_counters_calls_at_loket_12_until_a_catalog_takes_it_away(
    centre: tuple[RunningCentral, Database],
) -> None:
    running, db = centre
    clerk = new_staff(db, running.url, staff.Role.STAFF, office_id=DEMO_OFFICE_ID)
    drain(running.url, clerk, SERVICE)
    assert _call_next(running.url, clerk, "12").status_code == 422  # 8, as the demo says
    _publish(db, 12)
    try:
        choices = _desk_choices(running.url, db)
        assert choices == [str(n) for n in range(1, 13)] + ["Informasi"]
        _, kiosk = new_kiosk(db, running.url)
        ticket = new_id()
        assert allocate(running.url, kiosk, SERVICE, ticket).status_code == 201
        called = _call_next(running.url, clerk, "12")
        assert called.status_code == 200, called.text
        assert called.json()["ticket"]["counter"] == "12"
        _publish(db, 8)
        # Loket 12 is gone: the ticket called there is not announced there again, and
        # is closed where it stands.
        recall = staff_post(running.url, clerk, f"/api/v1/staff/tickets/{ticket}/recall")
        assert recall.status_code == 422 and recall.json()["error"] == "unknown_counter"
        served = staff_post(running.url, clerk, f"/api/v1/staff/tickets/{ticket}/served")
        assert served.status_code == 200, served.text
    finally:
        _publish(db, None)


def _demo_with(counters: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    data["version"] = f"{data['version']}-said-{next(_versions)}"
    next(o for o in data["offices"] if o["id"] == DEMO_OFFICE_ID)["counters"] = counters
    return data


def test_an_upgrade_gives_offices_the_counters_their_published_catalog_already_said(
    db_url: str,
) -> None:
    """A catalog saying ``counters`` published by the release before (which did not read
    it) is the newest: publishing it again changes nothing, so the upgrade reads it."""
    db = Database(db_url)
    try:
        config = alembic_config(db)
        command.upgrade(config, "0021_patient_holds")
        data = _demo_with(3)
        with db.begin() as conn:  # as the release before published it: rows without it
            conn.execute(
                text(
                    "INSERT INTO catalog_versions (version, body, etag, published_at) "
                    "VALUES (:version, :body, 'etag-0021', :at)"
                ),
                {"version": data["version"], "body": json.dumps(data), "at": utc_now()},
            )
            conn.execute(
                text("INSERT INTO offices (id, name, city, active) VALUES (:id, 'x', 'y', :on)"),
                [{"id": o["id"], "on": True} for o in data["offices"]],
            )
        migrate(db)
        with db.read() as conn:
            assert numbered_counters(conn, DEMO_OFFICE_ID) == 3
            assert numbered_counters(conn, "rsud-pku") == 8  # its entry says nothing
    finally:
        db.dispose()


def test_coming_down_from_the_setting_keeps_every_office_and_what_refers_to_it(
    db_url: str,
) -> None:
    """SQLite cannot swap in a copy of ``offices`` while services refer to it: the
    downgrade drops the column in place."""
    db = Database(db_url)
    try:
        migrate(db)
        data = _demo_with(12)
        with db.begin() as conn:
            assert publish_catalog(conn, Catalog.from_json(data), data)
        command.downgrade(alembic_config(db), "0021_patient_holds")
        with db.read() as conn:
            count = conn.execute(text("SELECT count(*) FROM offices")).scalar_one()
            assert count == len(data["offices"])
        migrate(db)
        with db.read() as conn:
            assert numbered_counters(conn, DEMO_OFFICE_ID) == 12  # read again from the body
    finally:
        db.dispose()
