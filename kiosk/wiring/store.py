"""The kiosk's local store, opened where and how the configuration says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.config import Config

if TYPE_CHECKING:
    from offline_store import Store


def open_store(config: Config, *, deferred: bool = False) -> Store:
    """The store at ``store_path`` with its key file and record TTL; raises ``StoreError``
    (``deferred``: on first use, see :meth:`offline_store.Store.open`)."""
    from offline_store import Store

    return Store.open(
        config.store_path,
        key_file=config.store_key_path,
        record_ttl_s=config.store.record_ttl_s,
        deferred=deferred,
    )
