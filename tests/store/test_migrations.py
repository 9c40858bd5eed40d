"""Upgrades: a store at every earlier version, holding realistic rows, reaches the latest
schema with its data intact, its personal data encrypted and ``integrity_check`` ok."""

from __future__ import annotations

import datetime as dt
import json
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from offline_store import Store, StoreError
from offline_store import migrations as m
from offline_store.crypto import RowCipher, create_key
from offline_store.models import OutboxState, utc_text
from testkit.hospital_kiosk import doctor
from testkit.stored_tickets import NAME, NIK, NOW, WIB, payload, raw_bytes
from testkit.todays_bookings import booking

#: The newest version :func:`seed` knows how to fill; extend it with each migration.
SEEDED_UP_TO = 10
UNKEPT_TICKET_ID = "5f0c2a3e-9d1b-4e7a-8c6f-0a1b2c3d4e5f"
ROOT = Path(__file__).resolve().parents[2]


def build(path: Path, upto: int) -> tuple[sqlite_utils.Database, RowCipher]:
    """A store file at version ``upto``, built as a kiosk of that version built it
    (seeded through sqlite-utils, whose writes commit as they go)."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    db = sqlite_utils.Database(conn)
    cipher = RowCipher(create_key(path.parent / "store.key"))
    assert m.migrate(conn, cipher, upto=upto) == list(range(1, upto + 1))
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
    if version >= 8:
        db.execute(
            "INSERT INTO doctors_today (schedule_id, office_id, day, doctor) VALUES (?, ?, ?, ?)",
            ["s-ani", "pku", NOW.date().isoformat(), json.dumps(doctor().to_json())],
        )
    if version >= 9:  # a desk's cancel the centre answered: its outcome kept
        db.execute(
            "INSERT INTO outbox (key, kind, payload, state, attempts, next_attempt_at,"
            " created_at, delivered_at, outcome) VALUES ('cancel-t', 'visit_cancel', NULL,"
            " 'delivered', 1, ?, ?, ?, 'done')",
            [utc_text(NOW)] * 3,
        )
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
    assert m.applied(store.conn) == {v for v, _ in m.MIGRATIONS}
    assert store.integrity_ok()
    for key, number, service in kept["tickets"]:
        row = store.ticket(key)
        assert (row["number"], row["service_id"], row["number_source"]) == (
            number,
            service,
            "counter",
        )
    items = {
        i.key: i
        for s in (OutboxState.PENDING, OutboxState.SENDING, OutboxState.DEAD)
        for i in store.outbox(s)
    }
    assert {key: item.payload for key, item in items.items()} == kept["sent"]
    assert [i.key for i in store.pending_batch(10, NOW + dt.timedelta(hours=1))][:1] == [
        kept["tickets"][0][0]
    ]  # still oldest first, local times now in UTC
    # 0010: each text as the store writes one now, which the sender sends as it is
    texts = store.pending_texts(10, NOW + dt.timedelta(hours=2))  # the claim above lapsed
    assert texts and all(
        t.payload_json
        == json.dumps(kept["sent"][t.key], ensure_ascii=False, sort_keys=True).encode()
        for t in texts
    )
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
    siti = booking(NOW.date())  # 0007: today's bookings are cached from the upgrade on
    store.save_bookings(siti.office_id, siti.day, [siti], etag=None, now=NOW)
    assert store.booking_by_code(siti.code, siti.day) == siti
    ani = doctor()  # 0008: today's doctors are cached from the upgrade on
    store.save_doctors("pku", NOW.date(), [ani], now=NOW)
    assert store.doctors_today("pku", NOW.date()) == [ani]
    store.close()
    assert [s for s in secrets if s in raw_bytes(path)] == []


def test_a_failed_step_leaves_the_store_at_the_step_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kiosk.db"
    db, cipher = build(path, 4)
    seed(db, cipher, 4)
    db.close()

    def half_done(run: m.Run, cipher: RowCipher) -> None:
        run("CREATE TABLE ticket_leases (id INTEGER PRIMARY KEY)")
        raise sqlite3.OperationalError("power cut")

    monkeypatch.setattr(m, "MIGRATIONS", [*m.MIGRATIONS[:4], (5, half_done)])
    with pytest.raises(StoreError):
        Store.open(path)
    check = sqlite_utils.Database(path)
    assert m.applied(check.conn) == {1, 2, 3, 4}
    assert "ticket_leases" not in check.table_names()  # the step left nothing behind
    check.close()
    monkeypatch.undo()
    store = Store.open(path)
    assert m.applied(store.conn) == {v for v, _ in m.MIGRATIONS} and store.integrity_ok()
    store.close()


def _statements_per_step(tmp_path: Path) -> dict[int, int]:
    """How many statements each real step runs on a seeded store of the version before."""
    counts: dict[int, int] = {}
    for version in range(1, m.LATEST + 1):
        path = tmp_path / "count" / str(version) / "kiosk.db"
        path.parent.mkdir(parents=True)
        db, cipher = build(path, version - 1)
        if version > 1:
            seed(db, cipher, version - 1)

        def count(step: int, done: int) -> None:
            counts[step] = max(counts.get(step, 0), done)

        m.migrate(db.conn, cipher, upto=version, progress=count)
        db.close()
    return counts


@pytest.mark.timeout(120)
@pytest.mark.parametrize("version", range(1, m.LATEST + 1))
def test_a_kill_inside_each_real_step_leaves_a_store_that_opens_and_migrates(
    tmp_path: Path, version: int
) -> None:
    total = _statements_per_step(tmp_path)[version]
    for kill_after in sorted({1, (total + 1) // 2, total}):
        path = tmp_path / f"after-{kill_after}" / "kiosk.db"
        path.parent.mkdir()
        db, cipher = build(path, version - 1)
        kept = seed(db, cipher, version - 1) if version > 1 else None
        db.close()
        step_args = [str(version), str(kill_after)]
        child = subprocess.run(
            [sys.executable, "-m", "testkit.killable_migration", str(path), *step_args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
        check = sqlite_utils.Database(path)
        assert m.applied(check.conn) == set(range(1, version))  # the step did not commit
        check.close()

        store = Store.open(path)  # the next start finishes the upgrade
        assert m.applied(store.conn) == {v for v, _ in m.MIGRATIONS}
        assert store.integrity_ok()
        if kept is not None:
            for key, number, _service in kept["tickets"]:
                assert store.ticket(key)["number"] == number
            items = {
                i.key: i
                for s in (OutboxState.PENDING, OutboxState.SENDING, OutboxState.DEAD)
                for i in store.outbox(s)
            }
            assert {key: item.payload for key, item in items.items()} == kept["sent"]
        store.close()


def test_a_step_that_would_end_its_transaction_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kiosk.db"
    db, _ = build(path, 5)
    db.close()

    def commits(run: m.Run, cipher: RowCipher) -> None:
        run("CREATE TABLE number_requests (ticket_id TEXT PRIMARY KEY)")
        run("COMMIT")

    def two_at_once(run: m.Run, cipher: RowCipher) -> None:
        run("CREATE TABLE number_requests (ticket_id TEXT); CREATE INDEX x ON number_requests (1)")

    for step, error in ((commits, "may not run COMMIT"), (two_at_once, "one statement")):
        monkeypatch.setattr(m, "MIGRATIONS", [*m.MIGRATIONS[:5], (6, step)])
        with pytest.raises((StoreError, sqlite3.ProgrammingError, sqlite3.Warning), match=error):
            Store.open(path)
        check = sqlite_utils.Database(path)
        assert m.applied(check.conn) == {1, 2, 3, 4, 5}
        assert "number_requests" not in check.table_names()
        check.close()


def test_statements_split_only_where_a_statement_ends() -> None:
    script = "CREATE TABLE a (x TEXT DEFAULT ';');\n-- a; comment\nCREATE INDEX b ON a (x);\n"
    assert m.statements(script) == [
        "CREATE TABLE a (x TEXT DEFAULT ';')",
        "-- a; comment\nCREATE INDEX b ON a (x)",
    ]
    with pytest.raises(ValueError, match="incomplete"):
        m.statements("INSERT INTO a VALUES ('x;")


def test_an_outcome_the_centre_gave_is_kept_with_the_delivered_item(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "kiosk.db")
    store.enqueue_submission("cancel-a", "visit_cancel", {"ticket_id": "a"}, NOW)
    store.enqueue_submission("cancel-b", "visit_cancel", {"ticket_id": "b"}, NOW)
    store.pending_batch(10, NOW)
    store.mark_delivered(["cancel-a"], NOW, {"cancel-a": "done"})
    assert store.outcomes(["cancel-a", "cancel-b", "cancel-c"]) == {
        "cancel-a": (OutboxState.DELIVERED, "done"),
        "cancel-b": (OutboxState.SENDING, ""),
    }
    store.close()


def _at_version_9_with(path: Path, texts: dict[str, bytes]) -> None:
    """A store at version 9 whose outbox holds ``texts``, sealed as 0003 sealed whatever
    text 0001 kept."""
    db, cipher = build(path, 9)
    for i, (key, text) in enumerate(texts.items()):
        at = utc_text(NOW + dt.timedelta(seconds=i))
        db.execute(
            "INSERT INTO outbox (key, kind, payload, state, attempts, next_attempt_at,"
            " created_at) VALUES (?, 'service_registration', ?, 'pending', 0, ?, ?)",
            [key, cipher.seal("outbox", key, text), at, at],
        )
    db.close()


def test_0010_seals_each_old_payload_anew_as_one_json_object_the_sender_can_send(
    tmp_path: Path,
) -> None:
    """Old writers' texts (escaped, spaced, a lone surrogate kept escaped) are sealed
    anew as the store writes them; the sender's claim sends each, none blocks the rest."""
    path = tmp_path / "kiosk.db"
    plain = {"office_id": "pku", "values": {"name": "Siti Rahmawati"}}
    odd = {"office_id": "pku", "values": {"name": "Sit\ud800i"}}
    _at_version_9_with(
        path,
        {
            "a-escaped": json.dumps({**plain, "note": "Jalan \u00e9"}).encode(),
            "b-spaced": b"  " + json.dumps(plain).encode() + b"\n",
            "c-surrogate": b" " + json.dumps(odd).encode(),
            "d-plain": json.dumps(plain, ensure_ascii=False).encode(),
        },
    )
    store = Store.open(path)
    texts = {t.key: t.payload_json for t in store.pending_texts(10, NOW + dt.timedelta(hours=1))}
    assert set(texts) == {"a-escaped", "b-spaced", "c-surrogate", "d-plain"}
    for text in texts.values():
        assert text.startswith(b"{") and isinstance(json.loads(text), dict)
        text.decode("utf-8")  # strict: the request is UTF-8
    assert json.loads(texts["c-surrogate"])["values"]["name"] == "Sit\ud800i"
    store.close()


def test_0010_makes_a_payload_that_is_no_json_object_a_dead_letter_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    """A text edited on disk before 0003 (an object, then more members): sent as it was,
    it would have filed its body under another item's key at the centre. It is a dead
    letter; the others go on."""
    path = tmp_path / "kiosk.db"
    good = json.dumps({"office_id": "pku", "values": {}}).encode()
    _at_version_9_with(
        path,
        {
            "a-good": good,
            "b-spliced": good + b',"key":"a-good"',
            "c-array": b"[1, 2]",
            "d-good": good,
        },
    )
    store = Store.open(path)
    sent = [t.key for t in store.pending_texts(10, NOW + dt.timedelta(hours=1))]
    assert sent == ["a-good", "d-good"]
    dead = {
        row[0]: row[1]
        for row in store.db.execute(
            "SELECT key, last_error FROM outbox WHERE state = 'dead'"
        ).fetchall()
    }
    assert dead == {
        "b-spliced": "unreadable payload: JSONDecodeError",
        "c-array": "unreadable payload: ValueError",
    }
    store.close()
