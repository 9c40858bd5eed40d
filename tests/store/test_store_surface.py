"""The store's public surface, and the configuration keys that reach it.

The exported names are not listed again here: the tests derive them from what
the package's modules define (every error, every model, the store itself).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import FunctionType, ModuleType

import offline_store
import offline_store.errors
import offline_store.models
from kiosk.config import Config, parse_config
from offline_store import DEFAULT_RECORD_TTL_S, KEY_FILE_NAME, StoreError, StoreFull, StoreReason

#: Modules the package keeps to itself: nothing exported comes from them.
INTERNAL = {
    "offline_store._base",
    "offline_store.crypto",
    "offline_store.migrations",
    "offline_store.opening",
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


def _defined_in(module: ModuleType) -> dict[str, type]:
    """The public classes ``module`` itself defines (not those it imports)."""
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and not name.startswith("_")
    }


def _store_modules() -> list[ModuleType]:
    folder = Path(offline_store.__file__).parent
    names = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    return [importlib.import_module(f"offline_store.{name}") for name in names]


def test_every_exported_name_is_the_stores_own() -> None:
    assert len(set(offline_store.__all__)) == len(offline_store.__all__)
    for name in offline_store.__all__:
        value = getattr(offline_store, name)
        if isinstance(value, type | FunctionType):
            assert value.__module__.startswith("offline_store."), name
            assert value.__module__ not in INTERNAL, f"{name} comes from an internal module"
            assert value.__name__ == name, f"{name} is exported under another name"


def test_every_error_and_every_model_is_exported() -> None:
    # what callers catch and what the store hands back: all of it, nothing more
    public = set(offline_store.__all__)
    for module in (offline_store.errors, offline_store.models):
        assert set(_defined_in(module)) <= public, module.__name__
    assert {"Store", "format_number"} <= public


def test_every_error_lives_in_the_errors_module() -> None:
    elsewhere = {
        f"{module.__name__}.{name}"
        for module in _store_modules()
        if module is not offline_store.errors
        for name, value in _defined_in(module).items()
        if issubclass(value, BaseException)
    }
    assert elsewhere == set()


def test_every_store_error_is_a_store_error_with_a_stable_reason() -> None:
    errors = [e for e in _defined_in(offline_store.errors).values() if issubclass(e, Exception)]
    assert StoreError in errors and StoreFull in errors
    for error in errors:
        assert issubclass(error, StoreError), error
        assert isinstance(error.reason, StoreReason), error
        assert error.reason == error.reason.value  # the code logs and screens compare


def test_the_sync_engine_api_exists() -> None:
    assert set(dir(offline_store.Store)) >= SYNC_ENGINE_API


def test_the_key_file_defaults_to_the_data_dir_and_can_be_moved() -> None:
    config = parse_config({"kiosk": {"data_dir": "/srv/kiosk"}})
    assert config.store_key_path == Path("/srv/kiosk") / KEY_FILE_NAME
    assert config.store_key_path.parent == config.store_path.parent
    moved = parse_config({"store": {"key_file": "/etc/anjungan/store.key"}})
    assert moved.store_key_path == Path("/etc/anjungan/store.key")


def test_the_record_ttl_default_is_the_store_default() -> None:
    assert Config().store.record_ttl_s == DEFAULT_RECORD_TTL_S
    assert parse_config({"store": {"record_ttl_s": 600}}).store.record_ttl_s == 600.0
