"""Caches of what the centre sent (catalog, trust list, revocations, citizen
records) and the sync log.

Caches live in the same file and under the same ``synchronous=FULL`` as the
tickets (see store.py for why). Citizen records are personal data: they are
sealed (crypto.py), found by an HMAC of the card number or NIK rather than the
number itself, hidden once ``expires_at`` passes and deleted by :meth:`purge`.
Only a verified card's record is cached (the kiosk's read effect decides): never
one found through a UID-only card, whose holder only a date of birth the centre
confirmed may unlock, so offline a UID never reveals anything.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from offline_store._base import StoreBase
from offline_store.errors import BadValue
from offline_store.models import (
    CachedDocument,
    Purged,
    SyncLogEntry,
    SyncResult,
    TrustName,
    from_text,
    utc_text,
)

SYNC_LOG_KEEP = dt.timedelta(days=30)
LEASES_KEEP = dt.timedelta(days=7)
MAX_DETAIL_CHARS = 500


class CacheMixin(StoreBase):
    # -- catalog -----------------------------------------------------------------
    def save_catalog(
        self,
        body: Mapping[str, Any],
        etag: str | None,
        version: str,
        now: dt.datetime | None = None,
    ) -> None:
        fetched = utc_text(now or dt.datetime.now(dt.UTC))
        text = json.dumps(body, ensure_ascii=False)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO catalog_cache (id, version, etag, body, fetched_at)"
                " VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version ="
                " excluded.version, etag = excluded.etag, body = excluded.body,"
                " fetched_at = excluded.fetched_at",
                [version, etag or "", text, fetched],
            )

    def load_catalog(self) -> tuple[dict[str, Any], str | None] | None:
        """The last catalog fetched and its ETag, or None if never fetched."""
        document = self.catalog_document()
        if document is None:
            return None
        return json.loads(document.body), document.etag

    def catalog_document(self) -> CachedDocument | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT body, version, etag, fetched_at FROM catalog_cache WHERE id = 1"
            ).fetchone()
        if row is None:
            return None
        return CachedDocument(row[0].encode(), row[1], row[2] or None, from_text(row[3]))

    # -- trust list and revocations ------------------------------------------------
    def save_trust(
        self, name: TrustName, body: bytes, *, version: str, etag: str | None, now: dt.datetime
    ) -> None:
        """Keep the exact bytes of a trust or revocation list (signatures stay checkable)."""
        if name not in ("trust_list", "revocations"):
            raise BadValue(f"unknown trust document {name!r}")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO trust_cache VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE"
                " SET body = excluded.body, version = excluded.version, etag = excluded.etag,"
                " fetched_at = excluded.fetched_at",
                [name, bytes(body), version, etag or "", utc_text(now)],
            )

    def load_trust(self, name: TrustName) -> CachedDocument | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT body, version, etag, fetched_at FROM trust_cache WHERE name = ?", [name]
            ).fetchone()
        if row is None:
            return None
        return CachedDocument(bytes(row[0]), row[1], row[2] or None, from_text(row[3]))

    # -- citizen records -----------------------------------------------------------
    def put_citizen_record(
        self,
        lookup: str,
        record: Mapping[str, Any],
        now: dt.datetime,
        *,
        ttl_s: float | None = None,
    ) -> None:
        """Cache ``record`` under a card number or NIK for ``ttl_s`` (``store.record_ttl_s``)."""
        ttl = dt.timedelta(seconds=self.record_ttl_s if ttl_s is None else ttl_s)
        key_hash = self.cipher.lookup_key(lookup)
        sealed = self._seal_json("citizen_records", key_hash, record)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO citizen_records VALUES (?, ?, ?, ?) ON CONFLICT (key_hash) DO UPDATE"
                " SET record = excluded.record, fetched_at = excluded.fetched_at,"
                " expires_at = excluded.expires_at",
                [key_hash, sealed, utc_text(now), utc_text(now + ttl)],
            )

    def get_citizen_record(self, lookup: str, now: dt.datetime) -> dict[str, Any] | None:
        """The cached record, or None if absent or expired (:class:`StoreTampered` if altered)."""
        key_hash = self.cipher.lookup_key(lookup)
        with self._read() as conn:
            row = conn.execute(
                "SELECT record FROM citizen_records WHERE key_hash = ? AND expires_at > ?",
                [key_hash, utc_text(now)],
            ).fetchone()
        return None if row is None else self._open_json("citizen_records", key_hash, row[0])

    def purge(self, now: dt.datetime) -> Purged:
        """Delete expired citizen records, sync-log rows past 30 days and leases past 7."""
        with self._write() as conn:
            records = conn.execute(
                "DELETE FROM citizen_records WHERE expires_at <= ?", [utc_text(now)]
            ).rowcount
            log_rows = conn.execute(
                "DELETE FROM sync_log WHERE finished_at < ?", [utc_text(now - SYNC_LOG_KEEP)]
            ).rowcount
            leases = conn.execute(
                "DELETE FROM ticket_leases WHERE day < ?",
                [(now.date() - LEASES_KEEP).isoformat()],
            ).rowcount
        return Purged(citizen_records=records, sync_log=log_rows, leases=leases)

    # -- sync log ------------------------------------------------------------------
    def sync_log(
        self,
        task: str,
        result: SyncResult,
        *,
        started_at: dt.datetime,
        finished_at: dt.datetime,
        detail: str = "",
    ) -> None:
        """Record one sync run (``detail`` must never carry personal data)."""
        if result not in tuple(SyncResult):
            raise BadValue("a sync result is 'ok' or 'failed'")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sync_log (task, result, started_at, finished_at, detail)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    task,
                    result,
                    utc_text(started_at),
                    utc_text(finished_at),
                    detail[:MAX_DETAIL_CHARS],
                ],
            )

    def last_sync(
        self, task: str | None = None, result: SyncResult | None = None
    ) -> SyncLogEntry | None:
        """The latest run, of ``task`` and with ``result`` if given."""
        entries = self.sync_history(1, task=task, result=result)
        return entries[0] if entries else None

    def sync_history(
        self, limit: int = 50, *, task: str | None = None, result: SyncResult | None = None
    ) -> list[SyncLogEntry]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT task, result, started_at, finished_at, detail FROM sync_log"
                " WHERE (?1 IS NULL OR task = ?1) AND (?2 IS NULL OR result = ?2)"
                " ORDER BY finished_at DESC, id DESC LIMIT ?3",
                [task, result, limit],
            ).fetchall()
        return [
            SyncLogEntry(t, SyncResult(r), from_text(started), from_text(finished), d)
            for t, r, started, finished, d in rows
        ]
