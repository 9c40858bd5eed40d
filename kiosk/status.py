"""What the screens read of the running kiosk: one immutable snapshot.

:func:`kiosk_status` builds a :class:`KioskStatus` from the parts that keep
each figure (the store's start-up, the printer, the sync engine's link, the
queue, the trust store); the controller hands one out on request
(``KioskController.status()``) and tells its status listeners when a part
changed. A reader takes the snapshot whole and never writes back: changes go
through the controller's methods or the session's events. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.catalog import Catalog
from contract.trust import TrustStore
from kiosk.client.info import QueueState
from kiosk.lookups.office_queue import QueueRefresh
from kiosk.printer_refresh import PrinterRefresh
from kiosk.startup import StoreStartup
from kiosk.sync import SyncStatus
from kiosk.wiring.printer import PrinterHealth
from kiosk.wiring.sync_link import SyncLink
from kiosk.wiring.trust import TrustKeeper


@dataclass(frozen=True)
class KioskStatus:
    #: Why the store cannot be opened, while it cannot: the kiosk is out of service.
    store_failure: str | None
    printer: PrinterHealth
    #: Whether the sync engine last reached the centre; None: not asked yet.
    online: bool | None
    #: The sync engine's own status; None without an engine.
    sync: SyncStatus | None
    #: The catalog in use (the sync engine's, or the one it cached) and its ETag.
    catalog: Catalog | None
    catalog_etag: str | None
    #: The office's queues as the centre last told them; None until asked, or offline.
    queue: QueueState | None
    #: The trust store card reads are verified against now.
    trust: TrustStore
    #: The language the screens speak now.
    language: str
    #: The "A+" mode: the screens' type at ``LARGER_TEXT`` times, for this session.
    larger_text: bool = False
    #: The store's first opening has finished, opened or not (``store_failure``).
    store_settled: bool = False

    @property
    def out_of_service(self) -> bool:
        """No ticket could be kept: taps are ignored and the screen says so."""
        return self.store_failure is not None

    @property
    def printer_ok(self) -> bool:
        """Paper may be promised: the printer is not known to be faulty."""
        return self.printer.ok


def kiosk_status(
    *,
    startup: StoreStartup,
    printer: PrinterRefresh,
    sync: SyncLink,
    queue: QueueRefresh,
    trust: TrustKeeper,
    language: str,
    larger_text: bool = False,
) -> KioskStatus:
    """The kiosk's status now, from the parts that keep it."""
    return KioskStatus(
        store_failure=startup.failure,
        printer=printer.health,
        online=sync.online,
        sync=sync.status(),
        catalog=sync.catalog,
        catalog_etag=sync.catalog_etag,
        queue=queue.state,
        trust=trust.current,
        language=language,
        larger_text=larger_text,
        store_settled=startup.settled,
    )
