"""The local store: tickets, the outbox and the cached catalog.

Durability is chosen on purpose: WAL with ``synchronous=FULL``, so a ticket
whose number the citizen has seen survives a power cut the moment
:meth:`Store.issue_ticket` returns (``NORMAL`` could lose the last commits).
The cost, one fsync per ticket, is milliseconds on a kiosk's SSD.

Ticket numbers (foundation): a per-kiosk counter per office, service and
day. Leased number blocks from the central server replace this when
several kiosks share a queue (see docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from offline_store.errors import StoreError, translate
from offline_store.migrations import migrate


@dataclass(frozen=True)
class StoredTicket:
    id: str
    number: str
    office_id: str
    service_id: str
    day: dt.date
    counter: str
    issued_at: dt.datetime


@dataclass(frozen=True)
class OutboxItem:
    key: str
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    created_at: str

    def __repr__(self) -> str:  # the payload holds personal data
        return f"OutboxItem(key={self.key}, kind={self.kind}, state={self.state})"


class Store:
    def __init__(self, db: sqlite_utils.Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        # One connection shared by the GUI thread and workers: transactions
        # must not interleave, so every public method holds this lock.
        self.lock = threading.RLock()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating if needed) and migrate the store at ``path``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
        except OSError as exc:
            raise StoreError(f"cannot open the store in {path.parent}: {exc.strerror}") from exc
        except sqlite3.Error as exc:
            raise translate(exc) from exc
        with _translated():
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = sqlite_utils.Database(conn)
            migrate(db)
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    # -- tickets ---------------------------------------------------------------
    def issue_ticket(
        self,
        *,
        office_id: str,
        service_id: str,
        prefix: str,
        counter: str,
        payload: Mapping[str, Any],
        now: dt.datetime,
    ) -> StoredTicket:
        """Allocate the next number and write the ticket and its outbox row at once.

        Either both rows exist afterwards or neither does.
        """
        day = now.date()
        key = str(uuid.uuid4())
        with self.lock, _translated(), self.db.atomic():
            row = self.db.execute(
                "INSERT INTO ticket_counters (office_id, service_id, day, last)"
                " VALUES (?, ?, ?, 1)"
                " ON CONFLICT (office_id, service_id, day) DO UPDATE SET last = last + 1"
                " RETURNING last",
                [office_id, service_id, day.isoformat()],
            ).fetchone()
            number = f"{prefix}-{row[0]:03d}"
            ticket = StoredTicket(key, number, office_id, service_id, day, counter, now)
            self.db.table("tickets").insert(
                {
                    "id": key,
                    "number": number,
                    "office_id": office_id,
                    "service_id": service_id,
                    "day": day.isoformat(),
                    "counter": counter,
                    "issued_at": now.isoformat(),
                    "printed": 0,
                    "print_fault": "",
                }
            )
            body = {**payload, "ticket": {"number": number, "issued_at": now.isoformat()}}
            self.db.table("outbox").insert(
                {
                    "key": key,
                    "kind": "service_registration",
                    "payload": json.dumps(body, ensure_ascii=False, sort_keys=True),
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now.isoformat(),
                    "last_error": "",
                    "created_at": now.isoformat(),
                }
            )
        return ticket

    def record_print(self, ticket_id: str, *, printed: bool, fault: str = "") -> None:
        with self.lock, _translated(), self.db.atomic():
            self.db.table("tickets").update(
                ticket_id, {"printed": int(printed), "print_fault": fault}
            )

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        with self.lock, _translated():
            return dict(self.db.table("tickets").get(ticket_id))

    def tickets_count(self) -> int:
        with self.lock, _translated():
            return self.db.table("tickets").count

    # -- outbox ----------------------------------------------------------------
    def outbox(self, state: str = "pending", limit: int = 100) -> list[OutboxItem]:
        with self.lock, _translated():
            rows = self.db.table("outbox").rows_where(
                "state = ?", [state], order_by="created_at", limit=limit
            )
            return [
                OutboxItem(
                    r["key"],
                    r["kind"],
                    json.loads(r["payload"]),
                    r["state"],
                    r["attempts"],
                    r["created_at"],
                )
                for r in rows
            ]

    # -- catalog cache ---------------------------------------------------------
    def save_catalog(self, body: Mapping[str, Any], etag: str | None, version: str) -> None:
        with self.lock, _translated(), self.db.atomic():
            self.db.table("catalog_cache").upsert(
                {
                    "id": 1,
                    "version": version,
                    "etag": etag or "",
                    "body": json.dumps(body, ensure_ascii=False),
                    "fetched_at": dt.datetime.now(dt.UTC).isoformat(),
                },
                pk="id",
            )

    def load_catalog(self) -> tuple[dict[str, Any], str | None] | None:
        """The last catalog fetched and its ETag, or None if never fetched."""
        with self.lock, _translated():
            rows = list(self.db.table("catalog_cache").rows_where("id = 1"))
        if not rows:
            return None
        body = json.loads(rows[0]["body"])
        return body, rows[0]["etag"] or None

    # -- health ----------------------------------------------------------------
    def integrity_ok(self) -> bool:
        with self.lock, _translated():
            result = self.db.execute("PRAGMA integrity_check").fetchone()
        return bool(result and result[0] == "ok")


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc) from exc
