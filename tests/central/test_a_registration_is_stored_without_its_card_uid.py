"""A registration is stored without the UID of the card read with it (privacy).

An older kiosk sends ``card_uid`` with each registration. Nothing at the centre reads it,
and kept in ``submissions.body`` beside her name, NIK and phone it would tie a card anyone
near it can read in a second to a person. The centre stores the body without it; the
digest stays the whole body's, so the same item sent again is still a replay. A real
centre over HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from central.database import Database
from central.process import RunningCentral
from central.tables import submissions
from testkit.centre_accounts import new_kiosk
from testkit.centre_requests import lease, new_id, registration, results

SERVICE = "puskesmas-umum"
UID = "04A1B2C3D4E5F6"


def test_a_registration_is_stored_without_its_card_uid_and_replays_alike(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, token = new_kiosk(operator, url)
    granted = lease(url, token, SERVICE, 1)
    assert granted.status_code == 201, granted.text
    item = registration(new_id(), SERVICE, f"A-{granted.json()['start']:03d}", "lease")
    item["body"]["card_uid"] = UID
    [first] = results(url, token, [item])
    assert first["status"] == "accepted", first
    with operator.read() as conn:
        stored = conn.execute(
            select(submissions.c.body).where(submissions.c.key == item["key"])
        ).scalar_one()
    assert UID not in stored.upper()
    assert json.loads(stored)["card_uid"] is None
    assert json.loads(stored)["values"] == item["body"]["values"]  # the rest as sent
    [again] = results(url, token, [item])
    assert again["status"] == "replayed", again
