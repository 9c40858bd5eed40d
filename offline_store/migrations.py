"""Numbered schema migrations, recorded in ``_migrations`` and run at start.

Append new steps; never edit one that has shipped (0001 is in the field).
Each step runs in its own ``BEGIN IMMEDIATE`` transaction together with its
``_migrations`` row, so a kiosk killed mid-upgrade restarts from the last step
that committed. Steps get the store's :class:`RowCipher`, because 0003 encrypts
the plaintext payloads 0001 wrote.

| Step | What it does |
|---|---|
| 0001 | tickets, outbox (plaintext), per-kiosk ticket counters, catalog cache |
| 0002 | ``store_meta``: the key check and the kiosk's code (fallback numbers) |
| 0003 | outbox v2: encrypted payloads, states with a CHECK, ``delivered_at``, due index |
| 0004 | caches: trust list and revocations, citizen records (encrypted), sync log |
| 0005 | ``ticket_leases`` (central blocks + the fallback counter, which replaces |
|      | ``ticket_counters``) and ``tickets.number_source`` |
| 0006 | ``number_requests``: online numbers asked for and not yet kept in a ticket |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlite_utils

from offline_store.crypto import RowCipher
from offline_store.models import utc_text

Step = Callable[[sqlite_utils.Database, RowCipher], None]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.table("ticket_counters").create(
        {"office_id": str, "service_id": str, "day": str, "last": int},
        pk=("office_id", "service_id", "day"),
    )
    db.table("tickets").create(
        {
            "id": str,  # the client idempotency key, also the outbox key
            "number": str,
            "office_id": str,
            "service_id": str,
            "day": str,
            "counter": str,
            "issued_at": str,
            "printed": int,
            "print_fault": str,
        },
        pk="id",
        not_null={"number", "office_id", "service_id", "day", "issued_at"},
    )
    db.table("tickets").create_index(["office_id", "service_id", "day", "number"], unique=True)
    db.table("outbox").create(
        {
            "key": str,
            "kind": str,
            "payload": str,
            "state": str,
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "created_at": str,
        },
        pk="key",
        not_null={"kind", "payload", "state", "created_at"},
        defaults={"state": "pending", "attempts": 0, "last_error": ""},
    )
    db.table("outbox").create_index(["state", "created_at"])
    db.table("catalog_cache").create(
        {"id": int, "version": str, "etag": str, "body": str, "fetched_at": str}, pk="id"
    )


def _m002_store_meta(db: sqlite_utils.Database, cipher: RowCipher) -> None:
    db.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    db.execute("INSERT INTO store_meta VALUES ('key_check', ?)", [cipher.key_check()])


def _m003_outbox_v2(db: sqlite_utils.Database, cipher: RowCipher) -> None:
    db.execute(
        """CREATE TABLE outbox_v2 (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            payload BLOB,  -- sealed JSON (crypto.py); NULL once the centre has it
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,  -- UTC; for 'sending': when the claim lapses
            last_error TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,  -- UTC
            delivered_at TEXT,
            CHECK ((state = 'delivered') = (payload IS NULL))
        )"""
    )
    rows = db.execute(
        "SELECT key, kind, payload, state, attempts, next_attempt_at, last_error, created_at"
        " FROM outbox"
    ).fetchall()
    for key, kind, payload, state, attempts, next_at, error, created in rows:
        created_utc = utc_text(dt.datetime.fromisoformat(created))
        delivered = state == "delivered"
        plain = payload.encode() if isinstance(payload, str) else bytes(payload)
        sealed = None if delivered else cipher.seal("outbox", key, plain)
        db.execute(
            "INSERT INTO outbox_v2 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                key,
                kind,
                sealed,
                state if state in ("sending", "delivered", "dead") else "pending",
                attempts or 0,
                utc_text(dt.datetime.fromisoformat(next_at)) if next_at else created_utc,
                error or "",
                created_utc,
                created_utc if delivered else None,
            ],
        )
    db.execute("DROP TABLE outbox")
    db.execute("ALTER TABLE outbox_v2 RENAME TO outbox")
    db.execute("CREATE INDEX outbox_due ON outbox (state, next_attempt_at)")
    db.execute("CREATE INDEX outbox_age ON outbox (state, created_at)")


def _m004_caches(db: sqlite_utils.Database, cipher: RowCipher) -> None:
    db.executescript(
        """
        CREATE TABLE trust_cache (
            name TEXT PRIMARY KEY CHECK (name IN ('trust_list', 'revocations')),
            body BLOB NOT NULL,  -- the exact bytes the centre sent
            version TEXT NOT NULL,
            etag TEXT NOT NULL DEFAULT '',
            fetched_at TEXT NOT NULL
        );
        CREATE TABLE citizen_records (
            key_hash TEXT PRIMARY KEY,  -- HMAC of the card number or NIK (crypto.py)
            record BLOB NOT NULL,  -- sealed JSON
            fetched_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX citizen_records_expiry ON citizen_records (expires_at);
        CREATE TABLE sync_log (
            id INTEGER PRIMARY KEY,
            task TEXT NOT NULL,
            result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sync_log_task ON sync_log (task, finished_at);
        """
    )


def _m005_leases(db: sqlite_utils.Database, cipher: RowCipher) -> None:
    db.executescript(
        """
        CREATE TABLE ticket_leases (
            id INTEGER PRIMARY KEY,
            office_id TEXT NOT NULL,
            service_id TEXT NOT NULL,
            day TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('central', 'fallback')),
            lease_id TEXT NOT NULL DEFAULT '',
            block_start INTEGER NOT NULL CHECK (block_start >= 1),
            block_end INTEGER,
            next INTEGER NOT NULL CHECK (next >= block_start),
            leased_at TEXT NOT NULL,
            expires_at TEXT,
            CHECK ((source = 'central')
                   = (block_end IS NOT NULL AND expires_at IS NOT NULL AND lease_id != '')),
            CHECK (block_end IS NULL OR (block_end >= block_start AND next <= block_end + 1))
        );
        CREATE UNIQUE INDEX ticket_leases_fallback
            ON ticket_leases (office_id, service_id, day) WHERE source = 'fallback';
        CREATE UNIQUE INDEX ticket_leases_id ON ticket_leases (lease_id) WHERE source = 'central';
        CREATE INDEX ticket_leases_queue
            ON ticket_leases (office_id, service_id, day, source, block_start);
        ALTER TABLE tickets ADD COLUMN number_source TEXT NOT NULL DEFAULT 'counter';
        """
    )
    db.execute(
        "INSERT INTO ticket_leases (office_id, service_id, day, source, block_start, next,"
        " leased_at) SELECT office_id, service_id, day, 'fallback', 1, last + 1, ?"
        " FROM ticket_counters",
        [utc_text(dt.datetime.now(dt.UTC))],
    )
    db.execute("DROP TABLE ticket_counters")


def _m006_number_requests(db: sqlite_utils.Database, cipher: RowCipher) -> None:
    db.executescript(
        """
        CREATE TABLE number_requests (
            ticket_id TEXT PRIMARY KEY,
            requested_at TEXT NOT NULL
        );
        CREATE INDEX number_requests_age ON number_requests (requested_at);
        """
    )


def _shipped(step: Callable[[sqlite_utils.Database], None]) -> Step:
    return lambda db, _cipher: step(db)


MIGRATIONS: list[tuple[int, Step]] = [
    (1, _shipped(_m001_initial)),
    (2, _m002_store_meta),
    (3, _m003_outbox_v2),
    (4, _m004_caches),
    (5, _m005_leases),
    (6, _m006_number_requests),
]
LATEST = MIGRATIONS[-1][0]


def applied(db: sqlite_utils.Database) -> set[int]:
    if "_migrations" not in db.table_names():
        return set()
    return {row["version"] for row in db.table("_migrations").rows}


def migrate(db: sqlite_utils.Database, cipher: RowCipher, upto: int = LATEST) -> list[int]:
    """Apply every pending migration up to ``upto``, each in its own transaction.

    Returns the versions that ran. ``upto`` exists for the upgrade tests, which
    build each older schema this way.
    """
    if "_migrations" not in db.table_names():
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
        )
    ran = []
    for version, step in MIGRATIONS:
        if version > upto:
            break
        if version in applied(db):
            continue
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            if version not in applied(db):  # another process may have run it meanwhile
                step(db, cipher)
                db.execute(
                    "INSERT INTO _migrations (version, applied_at) VALUES (?, ?)",
                    [version, dt.datetime.now(dt.UTC).isoformat()],
                )
                ran.append(version)
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    return ran
