"""Numbered schema migrations, recorded in ``_migrations`` and run at start.

Append new steps; never edit one that has shipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlite_utils


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


MIGRATIONS: list[tuple[int, Callable[[sqlite_utils.Database], None]]] = [
    (1, _m001_initial),
]


def applied(db: sqlite_utils.Database) -> set[int]:
    if "_migrations" not in db.table_names():
        return set()
    return {row["version"] for row in db.table("_migrations").rows}


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply every pending migration, each in its own transaction. Returns what ran."""
    if "_migrations" not in db.table_names():
        db.table("_migrations").create({"version": int, "applied_at": str}, pk="version")
    done = applied(db)
    ran = []
    for version, step in MIGRATIONS:
        if version in done:
            continue
        with db.atomic():
            step(db)
            db.table("_migrations").insert(
                {"version": version, "applied_at": dt.datetime.now(dt.UTC).isoformat()}
            )
        ran.append(version)
    return ran
