"""``0026_submission_uids`` on a centre already holding registrations.

Registrations stored before the upgrade kept the UID of the card read, beside the
citizen's name and NIK. The revision forgets each one (``card_uid`` null), leaves the
rest of each body and its digest as they were (a replay is still known as one), and a
body with no UID, or only the text of one inside another value, unchanged. It comes down
and goes up again. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json

from sqlalchemy import insert, select

from central.database import Database, migrate
from central.documents.versioned import canonical
from central.tables import kiosks, offices, submissions

BEFORE = "0025_tickets_at_a_counter"
REVISION = importlib.import_module("central.migrations.versions.0026_submission_uids")
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
UID = "04A1B2C3D4E5F6"


def _body(**fields: object) -> dict[str, object]:
    return {
        "office_id": "o1",
        "service_id": None,
        "assurance": "signed",
        "card_number": "PKU-000001",
        "values": {"full_name": "Siti Aminah"},
        **fields,
    }


def test_the_uids_stored_before_are_forgotten_and_the_rest_kept(db_url: str) -> None:
    bodies = {
        "with-uid": _body(card_uid=UID),
        "without": _body(card_uid=None),
        "none-at-all": _body(),
        "in-a-value": _body(card_uid=None, values={"note": '"card_uid":"ABCDEF"'}),
    }
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        with db.begin() as conn:
            conn.execute(insert(offices).values(id="o1", name="Kantor", city="Kota", active=True))
            conn.execute(insert(kiosks).values(id="k1", office_id="o1", name="K", enrolled_at=NOW))
            for key, body in bodies.items():
                conn.execute(
                    insert(submissions).values(
                        kiosk_id="k1",
                        key=key,
                        kind="service_registration",
                        office_id="o1",
                        day=NOW.date(),
                        body_sha256=f"digest-of-{key}",
                        body=canonical(body).decode("utf-8"),
                        result="{}",
                        received_at=NOW,
                    )
                )
        migrate(db)
        with db.read() as conn:
            stored = {r.key: (r.body, r.body_sha256) for r in conn.execute(select(submissions))}
        assert json.loads(stored["with-uid"][0]) == {**bodies["with-uid"], "card_uid": None}
        assert UID not in stored["with-uid"][0]
        for key in ("without", "none-at-all", "in-a-value"):
            assert stored[key][0] == canonical(bodies[key]).decode("utf-8"), key
        assert {k: digest for k, (_, digest) in stored.items()} == {
            k: f"digest-of-{k}" for k in bodies
        }
        migrate(db, BEFORE)  # down: nothing to bring back
        migrate(db)
    finally:
        db.dispose()


def test_every_uid_is_forgotten_across_batches_and_kiosks(db_url: str) -> None:
    """More bodies than one batch (``BATCH``), of two kiosks: every UID forgotten."""
    per_kiosk = REVISION.BATCH + 100
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        with db.begin() as conn:
            conn.execute(insert(offices).values(id="o1", name="Kantor", city="Kota", active=True))
            for kiosk in ("k1", "k2"):
                conn.execute(
                    insert(kiosks).values(id=kiosk, office_id="o1", name=kiosk, enrolled_at=NOW)
                )
                conn.execute(
                    insert(submissions),
                    [
                        {
                            "kiosk_id": kiosk,
                            "key": f"key-{n:05d}",
                            "kind": "service_registration",
                            "office_id": "o1",
                            "day": NOW.date(),
                            "body_sha256": "d",
                            "body": canonical(_body(card_uid=f"{UID}{n:04X}")).decode("utf-8"),
                            "result": "{}",
                            "received_at": NOW,
                        }
                        for n in range(per_kiosk)
                    ],
                )
        migrate(db)
        with db.read() as conn:
            bodies = [
                json.loads(body) for body in conn.execute(select(submissions.c.body)).scalars()
            ]
        assert len(bodies) == 2 * per_kiosk
        assert all(body["card_uid"] is None for body in bodies)
    finally:
        db.dispose()
