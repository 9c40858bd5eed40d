"""The heartbeat: what the operator's fleet view shows about this kiosk.

Reader and printer health come from the running kiosk (a callable the
controller gives the engine); outbox figures, leases and the catalog version
from the store. Nothing personal: states, counts, times, versions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kiosk.sync.leases import usable_central_leases
from offline_store import Store


class HealthState(StrEnum):
    """A part's health (reader, printer), as the operator and the fleet view see it."""

    UNKNOWN = "unknown"
    OK = "ok"
    FAULT = "fault"


@dataclass(frozen=True)
class PartHealth:
    state: HealthState = HealthState.UNKNOWN
    #: A short fault code or reason, "" when well.
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"state": self.state, "detail": self.detail[:200]}


@dataclass(frozen=True)
class DeviceHealth:
    reader: PartHealth = PartHealth()
    printer: PartHealth = PartHealth()


def kiosk_version() -> str:
    from importlib import metadata  # on the first heartbeat, not at the kiosk's start

    try:
        return metadata.version("anjungan")
    except metadata.PackageNotFoundError:
        return "unknown"


def heartbeat_body(store: Store, now: dt.datetime, health: DeviceHealth) -> dict[str, Any]:
    stats = store.outbox_stats(now)
    document = store.catalog_document()
    leases = [lease.to_json() for lease in usable_central_leases(store.lease_state(now))]
    return {
        "sent_at": now.isoformat(),
        "version": kiosk_version(),
        "reader": health.reader.to_json(),
        "printer": health.printer.to_json(),
        "outbox": {
            "pending": stats.depth,
            "dead": stats.dead,
            "oldest_pending_age_s": stats.oldest_unsent_age_s,
        },
        "leases": leases,
        "catalog_version": document.version if document is not None else None,
    }
