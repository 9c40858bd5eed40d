"""Caches (catalog, trust list, revocations, citizen records), the sync log, purging."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from offline_store import BadValue, CachedDocument, Store
from testkit.stored_tickets import NAME, NIK, NOW

MINUTE = dt.timedelta(minutes=1)
TRUST = b'{"version": "t-7", "issuers": []}'


def test_catalog_document_keeps_version_etag_and_fetch_time(store: Store) -> None:
    assert store.catalog_document() is None
    store.save_catalog({"version": "v3", "services": []}, '"e3"', "v3", now=NOW)
    document = store.catalog_document()
    assert document is not None
    assert (document.version, document.etag, document.fetched_at) == ("v3", '"e3"', NOW)
    assert store.load_catalog() == ({"version": "v3", "services": []}, '"e3"')


def test_trust_documents_keep_their_exact_bytes(store: Store) -> None:
    assert store.load_trust("trust_list") is None
    store.save_trust("trust_list", TRUST, version="t-7", etag='"x"', now=NOW)
    store.save_trust("revocations", b"{}", version="r-1", etag=None, now=NOW)
    assert store.load_trust("trust_list") == CachedDocument(TRUST, "t-7", '"x"', NOW)
    store.save_trust("trust_list", TRUST + b" ", version="t-8", etag='"y"', now=NOW + MINUTE)
    newer = store.load_trust("trust_list")
    assert newer is not None and (newer.body, newer.version) == (TRUST + b" ", "t-8")
    assert store.load_trust("revocations") == CachedDocument(b"{}", "r-1", None, NOW)


def test_only_the_two_trust_documents_are_kept(store: Store) -> None:
    with pytest.raises(BadValue):
        store.save_trust("anything", b"", version="1", etag=None, now=NOW)  # type: ignore[arg-type]


def test_a_citizen_record_expires_after_the_configured_ttl(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "kiosk.db", record_ttl_s=600)
    store.put_citizen_record(NIK, {"name": NAME, "rm": "RM-1"}, NOW)
    assert store.get_citizen_record(NIK, NOW + 9 * MINUTE) == {"name": NAME, "rm": "RM-1"}
    assert store.get_citizen_record("3171012345670002", NOW) is None
    assert store.get_citizen_record(NIK, NOW + 10 * MINUTE) is None  # hidden at once
    assert store.db.execute("SELECT count(*) FROM citizen_records").fetchone() == (1,)
    assert store.purge(NOW + 10 * MINUTE).citizen_records == 1  # and gone on purge
    assert store.db.execute("SELECT count(*) FROM citizen_records").fetchone() == (0,)
    store.close()


def test_a_fresh_fetch_replaces_the_record_and_its_expiry(store: Store) -> None:
    store.put_citizen_record(NIK, {"phone": "0811"}, NOW, ttl_s=60)
    store.put_citizen_record(NIK, {"phone": "0812"}, NOW + MINUTE, ttl_s=60)
    assert store.get_citizen_record(NIK, NOW + 90 * dt.timedelta(seconds=1)) == {"phone": "0812"}
    assert store.purge(NOW + 90 * dt.timedelta(seconds=1)).citizen_records == 0


def test_purge_keeps_what_is_still_valid(store: Store) -> None:
    store.put_citizen_record("a", {"x": 1}, NOW, ttl_s=60)
    store.put_citizen_record("b", {"x": 2}, NOW, ttl_s=3600)
    store.sync_log("outbox", "ok", started_at=NOW - dt.timedelta(days=40), finished_at=NOW)
    store.sync_log(
        "outbox",
        "ok",
        started_at=NOW - dt.timedelta(days=40),
        finished_at=NOW - dt.timedelta(days=31),
    )
    purged = store.purge(NOW + 2 * MINUTE)
    assert (purged.citizen_records, purged.sync_log) == (1, 1)
    assert store.get_citizen_record("b", NOW + 2 * MINUTE) == {"x": 2}
    assert len(store.sync_history()) == 1


def test_purge_drops_leases_of_days_long_past(store: Store) -> None:
    for days_ago in (0, 7, 8):
        store.add_lease(
            lease_id=f"L{days_ago}",
            office_id="pku",
            service_id="poli",
            day=NOW.date() - dt.timedelta(days=days_ago),
            start=1,
            end=5,
            expires_at=NOW,
            now=NOW,
        )
    assert store.purge(NOW).leases == 1
    assert store.db.execute("SELECT count(*) FROM ticket_leases").fetchone() == (2,)


def test_the_sync_log_says_what_ran_when_and_how_it_ended(store: Store) -> None:
    assert store.last_sync() is None
    store.sync_log("catalog", "ok", started_at=NOW, finished_at=NOW + MINUTE, detail="304")
    store.sync_log(
        "outbox", "failed", started_at=NOW + MINUTE, finished_at=NOW + 2 * MINUTE, detail="503"
    )
    store.sync_log("outbox", "ok", started_at=NOW + 3 * MINUTE, finished_at=NOW + 4 * MINUTE)
    last = store.last_sync()
    assert last is not None and (last.task, last.result, last.finished_at) == (
        "outbox",
        "ok",
        NOW + 4 * MINUTE,
    )
    failed = store.last_sync("outbox", "failed")
    assert failed is not None and failed.detail == "503"
    catalog = store.last_sync("catalog")
    assert catalog is not None and catalog.started_at == NOW
    assert [e.task for e in store.sync_history(2)] == ["outbox", "outbox"]


def test_a_sync_result_is_ok_or_failed(store: Store) -> None:
    with pytest.raises(BadValue):
        store.sync_log("outbox", "meh", started_at=NOW, finished_at=NOW)  # type: ignore[arg-type]
