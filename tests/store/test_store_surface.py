"""The store's public surface, and the configuration keys that reach it."""

from __future__ import annotations

from pathlib import Path

import offline_store
from kiosk.config import Config, parse_config
from offline_store import DEFAULT_RECORD_TTL_S, KEY_FILE_NAME, StoreError

#: What the sync engine, the controller and the CLI may import.
PUBLIC = {
    "DEFAULT_RECORD_TTL_S",
    "KEY_FILE_NAME",
    "BadValue",
    "CachedDocument",
    "LeaseConflict",
    "LeaseState",
    "OutboxItem",
    "OutboxStats",
    "Purged",
    "Store",
    "StoreCorrupt",
    "StoreError",
    "StoreFull",
    "StoreKeyError",
    "StoreTampered",
    "StoredTicket",
    "SyncLogEntry",
    "format_number",
}

SYNC_ENGINE_API = {
    "pending_batch",
    "mark_delivered",
    "mark_failed",
    "mark_dead",
    "retry_dead",
    "outbox_stats",
    "add_lease",
    "release_lease",
    "lease_state",
    "set_kiosk_code",
    "kiosk_code",
    "save_catalog",
    "load_catalog",
    "catalog_document",
    "save_trust",
    "load_trust",
    "put_citizen_record",
    "get_citizen_record",
    "purge",
    "sync_log",
    "last_sync",
    "sync_history",
    "enqueue_submission",
}


def test_the_exported_names_are_pinned() -> None:
    assert set(offline_store.__all__) == PUBLIC
    assert all(hasattr(offline_store, name) for name in PUBLIC)


def test_the_sync_engine_api_exists() -> None:
    assert set(dir(offline_store.Store)) >= SYNC_ENGINE_API


def test_every_store_error_is_a_store_error() -> None:
    errors = [getattr(offline_store, n) for n in PUBLIC if n.startswith(("Store", "Bad", "Lease"))]
    exceptions = [e for e in errors if isinstance(e, type) and issubclass(e, Exception)]
    assert len(exceptions) == 7 and all(issubclass(e, StoreError) for e in exceptions)


def test_the_key_file_defaults_to_the_data_dir_and_can_be_moved() -> None:
    config = parse_config({"kiosk": {"data_dir": "/srv/kiosk"}})
    assert config.store_key_path == Path("/srv/kiosk") / KEY_FILE_NAME
    assert config.store_key_path.parent == config.store_path.parent
    moved = parse_config({"store": {"key_file": "/etc/anjungan/store.key"}})
    assert moved.store_key_path == Path("/etc/anjungan/store.key")


def test_the_record_ttl_default_is_the_store_default() -> None:
    assert Config().store.record_ttl_s == DEFAULT_RECORD_TTL_S
    assert parse_config({"store": {"record_ttl_s": 600}}).store.record_ttl_s == 600.0
