"""Numbered schema migrations, recorded in ``_migrations`` and run at start.

Append new steps; never change what one that has shipped does (0001 is in the
field). Each step runs in one ``BEGIN IMMEDIATE`` transaction together with its
``_migrations`` row, so a kiosk killed mid-upgrade restarts from the last step
that committed, with nothing of the half-done step left behind.

That only holds if no step commits on its own, so a step never sees the
connection: it gets a :data:`Run` that executes **one statement at a time**
inside the step's transaction and refuses anything that would end it
(``COMMIT``, ``BEGIN``, ``ROLLBACK``, ``VACUUM`` ...). No ``executescript``
(which commits first), no sqlite-utils table helpers. After every statement
and after the step the runner checks the transaction is still open, and
raises :class:`MigrationError` if not. Steps get the store's
:class:`RowCipher`, because 0003 encrypts the plaintext payloads 0001 wrote.

| Step | What it does |
|---|---|
| 0001 | tickets, outbox (plaintext), per-kiosk ticket counters, catalog cache |
| 0002 | ``store_meta``: the key check and the kiosk's code (fallback numbers) |
| 0003 | outbox v2: encrypted payloads, states with a CHECK, ``delivered_at``, due index |
| 0004 | caches: trust list and revocations, citizen records (encrypted), sync log |
| 0005 | ``ticket_leases`` (central blocks + the fallback counter, which replaces |
|      | ``ticket_counters``) and ``tickets.number_source`` |
| 0006 | ``number_requests``: online numbers asked for and not yet kept in a ticket |
| 0007 | ``bookings_today`` (today's bookings of the office, sealed, found by HMACs) and |
|      | ``bookings_meta`` (which office and day the cache is, its ETag) |
| 0008 | ``doctors_today`` (today's doctors of the office with their places, and the |
|      | places taken here offline) and ``doctors_meta`` (which office and day) |
| 0009 | ``outbox.outcome``: the centre's one-word outcome of a delivered item |
| 0010 | every undelivered outbox payload sealed anew as the store writes one (one JSON |
|      | object, UTF-8): the sender sends the text as it is; one unreadable is dead |
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from offline_store.crypto import RowCipher
from offline_store.errors import MigrationError, StoreCorrupt
from offline_store.models import utc_text

#: Executes one SQL statement inside the step's transaction.
Run = Callable[..., sqlite3.Cursor]
Step = Callable[[Run, RowCipher], None]
#: Called after each statement of a step with (version, statements so far);
#: the upgrade tests kill the process from here.
Progress = Callable[[int, int], None]


#: Statements that would end, nest or escape the step's transaction.
_TRANSACTION_CONTROL = re.compile(
    r"\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|ATTACH|DETACH)\b", re.IGNORECASE
)


def _m001_initial(run: Run, cipher: RowCipher) -> None:
    # The statements sqlite-utils wrote for 0001 when it shipped, word for word.
    run(
        'CREATE TABLE "ticket_counters" (\n   "office_id" TEXT,\n   "service_id" TEXT,\n'
        '   "day" TEXT,\n   "last" INTEGER,\n'
        '   PRIMARY KEY ("office_id", "service_id", "day")\n)'
    )
    run(
        'CREATE TABLE "tickets" (\n   "id" TEXT PRIMARY KEY,\n   "number" TEXT NOT NULL,\n'
        '   "office_id" TEXT NOT NULL,\n   "service_id" TEXT NOT NULL,\n'
        '   "day" TEXT NOT NULL,\n   "counter" TEXT,\n   "issued_at" TEXT NOT NULL,\n'
        '   "printed" INTEGER,\n   "print_fault" TEXT\n)'
    )
    run(
        'CREATE UNIQUE INDEX "idx_tickets_office_id_service_id_day_number"\n'
        '    ON "tickets" ("office_id", "service_id", "day", "number")'
    )
    run(
        'CREATE TABLE "outbox" (\n   "key" TEXT PRIMARY KEY,\n   "kind" TEXT NOT NULL,\n'
        '   "payload" TEXT NOT NULL,\n   "state" TEXT NOT NULL DEFAULT \'pending\',\n'
        '   "attempts" INTEGER DEFAULT 0,\n   "next_attempt_at" TEXT,\n'
        '   "last_error" TEXT DEFAULT \'\',\n   "created_at" TEXT NOT NULL\n)'
    )
    run('CREATE INDEX "idx_outbox_state_created_at"\n    ON "outbox" ("state", "created_at")')
    run(
        'CREATE TABLE "catalog_cache" (\n   "id" INTEGER PRIMARY KEY,\n   "version" TEXT,\n'
        '   "etag" TEXT,\n   "body" TEXT,\n   "fetched_at" TEXT\n)'
    )


def _m002_store_meta(run: Run, cipher: RowCipher) -> None:
    run("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    run("INSERT INTO store_meta VALUES ('key_check', ?)", [cipher.key_check()])


def _m003_outbox_v2(run: Run, cipher: RowCipher) -> None:
    run(
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
    rows = run(
        "SELECT key, kind, payload, state, attempts, next_attempt_at, last_error, created_at"
        " FROM outbox"
    ).fetchall()
    for key, kind, payload, state, attempts, next_at, error, created in rows:
        created_utc = utc_text(dt.datetime.fromisoformat(created))
        delivered = state == "delivered"
        plain = payload.encode() if isinstance(payload, str) else bytes(payload)
        sealed = None if delivered else cipher.seal("outbox", key, plain)
        run(
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
    run("DROP TABLE outbox")
    run("ALTER TABLE outbox_v2 RENAME TO outbox")
    run("CREATE INDEX outbox_due ON outbox (state, next_attempt_at)")
    run("CREATE INDEX outbox_age ON outbox (state, created_at)")


def _m004_caches(run: Run, cipher: RowCipher) -> None:
    for statement in statements(
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
    ):
        run(statement)


def _m005_leases(run: Run, cipher: RowCipher) -> None:
    for statement in statements(
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
    ):
        run(statement)
    run(
        "INSERT INTO ticket_leases (office_id, service_id, day, source, block_start, next,"
        " leased_at) SELECT office_id, service_id, day, 'fallback', 1, last + 1, ?"
        " FROM ticket_counters",
        [utc_text(dt.datetime.now(dt.UTC))],
    )
    run("DROP TABLE ticket_counters")


def _m006_number_requests(run: Run, cipher: RowCipher) -> None:
    for statement in statements(
        """
        CREATE TABLE number_requests (
            ticket_id TEXT PRIMARY KEY,
            requested_at TEXT NOT NULL
        );
        CREATE INDEX number_requests_age ON number_requests (requested_at);
        """
    ):
        run(statement)


def _m007_bookings(run: Run, cipher: RowCipher) -> None:
    for statement in statements(
        """
        CREATE TABLE bookings_today (
            code_hash TEXT PRIMARY KEY,  -- HMAC of the booking code (crypto.py)
            nik_hash TEXT,  -- HMAC of the NIK it was made with, if any
            card_hash TEXT,  -- HMAC of the card number it was made with, if any
            day TEXT NOT NULL,  -- the office's day, YYYY-MM-DD
            booking BLOB NOT NULL,  -- sealed JSON
            checked_in_ticket TEXT  -- the ticket this kiosk checked it in with
        );
        CREATE INDEX bookings_today_nik ON bookings_today (nik_hash);
        CREATE INDEX bookings_today_card ON bookings_today (card_hash);
        CREATE INDEX bookings_today_day ON bookings_today (day);
        CREATE TABLE bookings_meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            office_id TEXT NOT NULL,
            day TEXT NOT NULL,
            etag TEXT NOT NULL DEFAULT '',
            fetched_at TEXT NOT NULL,
            count INTEGER NOT NULL
        );
        """
    ):
        run(statement)


def _m008_doctors(run: Run, cipher: RowCipher) -> None:
    for statement in statements(
        """
        CREATE TABLE doctors_today (
            schedule_id TEXT PRIMARY KEY,
            office_id TEXT NOT NULL,
            day TEXT NOT NULL,  -- the office's day, YYYY-MM-DD
            doctor TEXT NOT NULL,  -- contract.hospital.DoctorToday as JSON
            taken_jkn INTEGER NOT NULL DEFAULT 0,  -- places taken here offline since
            taken_non_jkn INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE doctors_meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            office_id TEXT NOT NULL,
            day TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            count INTEGER NOT NULL
        );
        """
    ):
        run(statement)


def _m009_outbox_outcome(run: Run, cipher: RowCipher) -> None:
    # The centre's one-word outcome of a delivered item, for kinds that have one
    # (a visit_cancel: cancelled, done, unknown_visit); never personal data.
    run("ALTER TABLE outbox ADD COLUMN outcome TEXT NOT NULL DEFAULT ''")


def _m010_outbox_texts(run: Run, cipher: RowCipher) -> None:
    # The sender puts each payload's text into its request as it is, trusting the seal
    # to prove the store wrote it: one JSON object, UTF-8. 0003 sealed whatever text
    # 0001 kept (an old writer's, or one edited on disk before then). Each is read and
    # sealed anew as the store writes a payload now; one that is not a JSON object is
    # a dead letter, as the sender marks a row it cannot open, never a blocked outbox.
    rows = run("SELECT key, payload FROM outbox WHERE payload IS NOT NULL").fetchall()
    for key, sealed in rows:
        try:
            value = json.loads(cipher.open("outbox", key, bytes(sealed)))
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
            try:
                plain = text.encode()
            except UnicodeEncodeError:  # a lone surrogate: kept escaped, the centre decides
                plain = json.dumps(value, sort_keys=True).encode()
        except (StoreCorrupt, ValueError, RecursionError) as exc:
            reason = f"unreadable payload: {type(exc).__name__}"
            run(
                "UPDATE outbox SET state = 'dead', last_error = ? WHERE key = ?",
                [reason, key],
            )
            continue
        run("UPDATE outbox SET payload = ? WHERE key = ?", [cipher.seal("outbox", key, plain), key])


def statements(script: str) -> list[str]:
    """The statements of ``script``, each without its ``;``, to run one by one.

    A ``;`` inside a string or a comment does not split (``sqlite3.complete_statement``).
    """
    found, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            found.append(pending.strip().removesuffix(";").rstrip())
            pending = ""
    if pending.strip(" \n\t;"):
        raise ValueError(f"an incomplete statement: {pending.strip()[:40]!r}")
    return [statement for statement in found if statement]


MIGRATIONS: list[tuple[int, Step]] = [
    (1, _m001_initial),
    (2, _m002_store_meta),
    (3, _m003_outbox_v2),
    (4, _m004_caches),
    (5, _m005_leases),
    (6, _m006_number_requests),
    (7, _m007_bookings),
    (8, _m008_doctors),
    (9, _m009_outbox_outcome),
    (10, _m010_outbox_texts),
]
LATEST = MIGRATIONS[-1][0]


def applied(conn: sqlite3.Connection) -> set[int]:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if not found:
        return set()
    return {row[0] for row in conn.execute("SELECT version FROM _migrations")}


def migrate(
    conn: sqlite3.Connection,
    cipher: RowCipher,
    upto: int = LATEST,
    *,
    progress: Progress | None = None,
) -> list[int]:
    """Apply every pending migration up to ``upto``, each in its own transaction.

    Returns the versions that ran. ``upto`` exists for the upgrade tests, which
    build each older schema this way; ``progress`` for the tests that kill the
    process inside a step.
    """
    if conn.in_transaction:
        raise MigrationError("migrations must start outside a transaction")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
    )
    ran = []
    for version, step in MIGRATIONS:
        if version > upto:
            break
        if version in applied(conn):
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version not in applied(conn):  # another process may have run it meanwhile
                step(_runner(conn, version, progress), cipher)
                _still_open(conn, version)
                conn.execute(
                    "INSERT INTO _migrations (version, applied_at) VALUES (?, ?)",
                    [version, dt.datetime.now(dt.UTC).isoformat()],
                )
                ran.append(version)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return ran


def _runner(conn: sqlite3.Connection, version: int, progress: Progress | None) -> Run:
    done = 0

    def run(sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        nonlocal done
        if _TRANSACTION_CONTROL.match(sql):
            raise MigrationError(f"migration {version:04d} may not run {sql.split()[0]}")
        _still_open(conn, version)
        cursor = conn.execute(sql, parameters)  # one statement, or ProgrammingError
        _still_open(conn, version)
        done += 1
        if progress is not None:
            progress(version, done)
        return cursor

    return run


def _still_open(conn: sqlite3.Connection, version: int) -> None:
    if not conn.in_transaction:
        raise MigrationError(f"migration {version:04d} ended its transaction early")
