"""Upgrades: a store at every earlier version, holding realistic rows, reaches the latest
schema with its data intact, its personal data encrypted and ``integrity_check`` ok."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from offline_store import Store, StoreError
from offline_store import migrations as m
from offline_store.crypto import RowCipher, create_key
from offline_store.models import utc_text
from tests.store.helpers import NAME, NIK, NOW, WIB, payload, raw_bytes

#: The newest version :func:`seed` knows how to fill; extend it with each migration.
SEEDED_UP_TO = 6
UNKEPT_TICKET_ID = "5f0c2a3e-9d1b-4e7a-8c6f-0a1b2c3d4e5f"


def build(path: Path, upto: int) -> tuple[sqlite_utils.Database, RowCipher]:
    """A store file at version ``upto``, built as a kiosk of that version built it."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    db = sqlite_utils.Database(conn)
    cipher = RowCipher(create_key(path.parent / "store.key"))
    assert m.migrate(db, cipher, upto=upto) == list(range(1, upto + 1))
    return db, cipher


def seed(db: sqlite_utils.Database, cipher: RowCipher, version: int) -> dict[str, Any]:
    """Insert what a kiosk at ``version`` would hold; return what must survive."""
    sent: dict[str, dict[str, Any]] = {}
    tickets = []
    for i, service in enumerate(["poli", "poli", "ktp"]):
        key, number = str(uuid.uuid4()), f"A-{[1, 2, 1][i]:03d}"
        issued = NOW + dt.timedelta(minutes=i)
        db.execute(
            "INSERT INTO tickets (id, number, office_id, service_id, day, counter, issued_at,"
            " printed, print_fault) VALUES (?, ?, 'pku', ?, ?, 'Loket 1', ?, 1, '')",
            [key, number, service, NOW.date().isoformat(), issued.isoformat()],
        )
        body = payload(ticket={"number": number, "issued_at": issued.isoformat()})
        if version < 3:  # 0001 wrote plaintext JSON with local times
            db.execute(
                "INSERT INTO outbox (key, kind, payload, state, attempts, next_attempt_at,"
                " last_error, created_at) VALUES (?, 'service_registration', ?, 'pending', 0,"
                " ?, '', ?)",
                [key, json.dumps(body, ensure_ascii=False), issued.isoformat(), issued.isoformat()],
            )
        else:
            db.execute(
                "INSERT INTO outbox (key, kind, payload, state, attempts, next_attempt_at,"
                " created_at) VALUES (?, 'service_registration', ?, ?, ?, ?, ?)",
                [
                    key,
                    cipher.seal("outbox", key, json.dumps(body).encode()),
                    ["pending", "sending", "dead"][i],
                    i,
                    utc_text(issued),
                    utc_text(issued),
                ],
            )
        sent[key] = body
        tickets.append((key, number, service))
    if version < 5:
        db.execute(
            "INSERT INTO ticket_counters VALUES ('pku', 'poli', ?, 2), ('pku', 'ktp', ?, 1)",
            [NOW.date().isoformat()] * 2,
        )
    db.execute(
        "INSERT INTO catalog_cache VALUES (1, 'v9', '\"e9\"', '{\"version\": \"v9\"}', ?)",
        [NOW.isoformat()],
    )
    if version >= 2:
        db.execute("INSERT INTO store_meta VALUES ('kiosk_code', 'K07')")
    if version >= 4:
        key_hash = cipher.lookup_key(NIK)
        record = cipher.seal("citizen_records", key_hash, json.dumps({"name": NAME}).encode())
        db.execute(
            "INSERT INTO citizen_records VALUES (?, ?, ?, ?)",
            [key_hash, record, utc_text(NOW), utc_text(NOW + dt.timedelta(hours=1))],
        )
        db.execute(
            "INSERT INTO trust_cache VALUES ('trust_list', x'7b7d', 't1', '', ?)", [utc_text(NOW)]
        )
        db.execute(
            "INSERT INTO sync_log (task, result, started_at, finished_at) VALUES"
            " ('catalog', 'ok', ?, ?)",
            [utc_text(NOW), utc_text(NOW)],
        )
    if version >= 5:
        db.execute(
            "INSERT INTO ticket_leases (office_id, service_id, day, source, block_start, next,"
            " leased_at) VALUES ('pku', 'poli', ?, 'fallback', 1, 3, ?),"
            " ('pku', 'ktp', ?, 'fallback', 1, 2, ?)",
            [NOW.date().isoformat(), utc_text(NOW)] * 2,
        )
    if version >= 6:
        db.execute("INSERT INTO number_requests VALUES (?, ?)", [UNKEPT_TICKET_ID, utc_text(NOW)])
    return {"sent": sent, "tickets": tickets}


def test_the_seeder_knows_every_migration() -> None:
    assert m.LATEST == SEEDED_UP_TO, "extend seed() with rows for the new schema"


@pytest.mark.parametrize("version", range(1, m.LATEST))
def test_upgrade_from_every_earlier_version_keeps_the_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / "kiosk.db"
    db, _ = build(path, version)
    kept = seed(db, _, version)
    db.close()

    store = Store.open(path)
    secrets = [NIK.encode(), NAME.encode()]
    assert [s for s in secrets if s in raw_bytes(path)] == []  # no plaintext left behind
    assert m.applied(store.db) == {v for v, _ in m.MIGRATIONS}
    assert store.integrity_ok()
    for key, number, service in kept["tickets"]:
        row = store.ticket(key)
        assert (row["number"], row["service_id"], row["number_source"]) == (
            number,
            service,
            "counter",
        )
    items = {i.key: i for s in ("pending", "sending", "dead") for i in store.outbox(s)}
    assert {key: item.payload for key, item in items.items()} == kept["sent"]
    assert [i.key for i in store.pending_batch(10, NOW + dt.timedelta(hours=1))][:1] == [
        kept["tickets"][0][0]
    ]  # still oldest first, local times now in UTC
    # the counters carried on as the fallback: no number is handed out twice
    tag = "K07-" if version >= 2 else ""
    assert (
        store.issue_ticket(
            office_id="pku",
            service_id="poli",
            prefix="A",
            counter="Loket 1",
            payload=payload(),
            now=NOW.astimezone(WIB),
        ).number
        == f"A-{tag}003"
    )
    assert store.load_catalog() == ({"version": "v9"}, '"e9"')
    if version >= 4:
        assert store.get_citizen_record(NIK, NOW) == {"name": NAME}
    assert store.unkept_number_requests(NOW + dt.timedelta(hours=1)) == (
        [UNKEPT_TICKET_ID] if version >= 6 else []
    )
    store.close()
    assert [s for s in secrets if s in raw_bytes(path)] == []


def test_a_failed_step_leaves_the_store_at_the_step_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kiosk.db"
    db, cipher = build(path, 4)
    seed(db, cipher, 4)
    db.close()

    def half_done(db: sqlite_utils.Database, cipher: RowCipher) -> None:
        db.execute("CREATE TABLE ticket_leases (id INTEGER PRIMARY KEY)")
        raise sqlite3.OperationalError("power cut")

    monkeypatch.setattr(m, "MIGRATIONS", [*m.MIGRATIONS[:4], (5, half_done)])
    with pytest.raises(StoreError):
        Store.open(path)
    check = sqlite_utils.Database(path)
    assert m.applied(check) == {1, 2, 3, 4}
    assert "ticket_leases" not in check.table_names()  # the step left nothing behind
    check.close()
    monkeypatch.undo()
    store = Store.open(path)
    assert m.applied(store.db) == {v for v, _ in m.MIGRATIONS} and store.integrity_ok()
    store.close()
