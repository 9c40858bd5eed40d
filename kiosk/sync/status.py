"""What the sync engine tells the screens and the operator: one immutable snapshot.

The engine replaces the snapshot after every step; readers take it whole
(:meth:`StatusBoard.current`) or are called with each new one
(:meth:`StatusBoard.subscribe`, on the engine's thread: a UI hops to its own
thread before touching a widget). No Qt here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from contract.wire import LeaseSummary
from kiosk.sync.leases import usable_central_leases
from offline_store import Store

log = logging.getLogger(__name__)

#: ``unknown`` before the first try; ``refused``: the centre refuses this kiosk's credentials.
Connection = Literal["unknown", "online", "offline", "refused"]


@dataclass(frozen=True)
class SyncStatus:
    connection: Connection = "unknown"
    #: The last time a request to the centre succeeded.
    last_success: dt.datetime | None = None
    #: The last failure's text (no personal data), "" after a success.
    last_error: str = ""
    #: Items not yet delivered (pending + in flight), and the age of the oldest.
    outbox_depth: int = 0
    oldest_unsent_age_s: float | None = None
    #: Items the centre refused for good, waiting for an operator.
    dead: int = 0
    catalog_version: str | None = None
    kiosk_code: str | None = None
    #: Per queue and day: the numbers left in usable central leases, and when the
    #: last of them expires.
    leases: tuple[LeaseSummary, ...] = ()
    #: When the engine will next try to reach the centre (None: not scheduled).
    next_attempt: dt.datetime | None = None
    #: The centre's clock minus ours at the last heartbeat, in seconds.
    clock_skew_s: float | None = None
    #: Documents refused at the last look (an older trust or revocation list, a
    #: catalog the kiosk cannot use), each ``name: why``; () when all were taken.
    refused: tuple[str, ...] = ()

    @property
    def online(self) -> bool:
        return self.connection == "online"

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key, value in data.items():
            if isinstance(value, dt.datetime | dt.date):
                data[key] = value.isoformat()
        data["leases"] = [lease.to_json() for lease in self.leases]
        return data


class StatusBoard:
    """Holds the latest :class:`SyncStatus`; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status = SyncStatus()
        self._listeners: list[Callable[[SyncStatus], None]] = []

    def current(self) -> SyncStatus:
        with self._lock:
            return self._status

    def subscribe(self, listener: Callable[[SyncStatus], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def update(self, **changes: Any) -> SyncStatus:
        with self._lock:
            old = self._status
            self._status = new = dataclasses.replace(old, **changes)
            listeners = list(self._listeners) if new != old else []
        for listener in listeners:
            try:
                listener(new)
            except Exception:
                log.exception("sync status listener failed")
        return new


def store_figures(store: Store, now: dt.datetime) -> dict[str, Any]:
    """The status fields the store knows: outbox, catalog, kiosk code, leases.

    Raises :class:`offline_store.StoreError`.
    """
    stats = store.outbox_stats(now)
    document = store.catalog_document()
    leases: dict[tuple[str, dt.date], LeaseSummary] = {}
    for lease in usable_central_leases(store.lease_state(now)):
        key = (lease.service_id, lease.day)
        old = leases.get(key)
        left = (old.left if old else 0) + lease.left
        expiries = [e for e in (old.expires_at if old else None, lease.expires_at) if e]
        leases[key] = LeaseSummary(lease.service_id, lease.day, left, max(expiries, default=None))
    return {
        "outbox_depth": stats.depth,
        "oldest_unsent_age_s": stats.oldest_unsent_age_s,
        "dead": stats.dead,
        "catalog_version": document.version if document else None,
        "kiosk_code": store.kiosk_code(),
        "leases": tuple(leases.values()),
    }
