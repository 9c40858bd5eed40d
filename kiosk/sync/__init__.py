"""The kiosk's sync engine (issue #5): everything the kiosk sends to and fetches from
the central server, on one background thread, through :mod:`kiosk.client.client`.

See docs/sync.md. No Qt: the UI reads :meth:`SyncEngine.status` or subscribes.
"""

from kiosk.sync.backoff import Backoff
from kiosk.sync.engine import StepReport, SyncEngine
from kiosk.sync.heartbeat import DeviceHealth, PartHealth
from kiosk.sync.push import PushResult
from kiosk.sync.status import SyncStatus

__all__ = [
    "Backoff",
    "DeviceHealth",
    "PartHealth",
    "PushResult",
    "StepReport",
    "SyncEngine",
    "SyncStatus",
]
