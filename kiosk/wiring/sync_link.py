"""The sync engine attached to the running kiosk.

The engine (docs/sync.md) is the only thing that fetches the catalog and the
trust lists; :class:`SyncLink` holds what it handed over: the catalog in use,
whether the centre answered, and the engine itself for the issue effect (an
online number, a wake-up for the outbox). The engine's listeners run on its
thread; everything they change is handed to the GUI thread first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from cardio.readers.reader import Reader
from contract.catalog import Catalog
from contract.trust import TrustStore
from kiosk.errors import Failure
from kiosk.executor import Executor
from kiosk.sync import DeviceHealth, PartHealth, SyncEngine, SyncStatus
from kiosk.sync.heartbeat import HealthState
from kiosk.wiring.printer import PrinterHealth
from kiosk.wiring.trust import TrustKeeper

log = logging.getLogger(__name__)


class SyncLink:
    """What the kiosk has from its sync engine, once :meth:`attach` gave it one."""

    def __init__(self, executor: Executor, trust: TrustKeeper, changed: Callable[[], None]) -> None:
        self._executor = executor
        self._trust = trust
        #: Called on the GUI thread when the catalog in use or the online state changes.
        self._changed = changed
        self.engine: SyncEngine | None = None
        #: The catalog in use (the engine's, or the one it cached) and its ETag.
        self.catalog: Catalog | None = None
        self.catalog_etag: str | None = None
        #: Whether the centre answered the engine's last try; None: not asked yet.
        self.online: bool | None = None
        self._stopped = False

    def attach(self, engine: SyncEngine) -> None:
        """Take new catalogs, trust lists and status from ``engine``, on the GUI thread."""
        self.engine = engine
        call_soon = self._executor.call_soon
        engine.on_catalog(lambda catalog, etag: call_soon(lambda: self._synced(catalog, etag)))
        engine.on_trust(lambda trust: call_soon(lambda: self._trust_synced(trust)))
        engine.subscribe(lambda status: call_soon(lambda: self._status(status)))

    # -- the engine's thread --------------------------------------------------------
    def start(self) -> None:
        """Start the engine, unless the kiosk was stopped meanwhile."""
        if self.engine is not None and not self._stopped:
            self.engine.start()

    def resume(self) -> None:
        """The kiosk starts (again): a later :meth:`start` starts the engine."""
        self._stopped = False

    def stop(self) -> None:
        self._stopped = True
        if self.engine is not None:
            self.engine.stop()

    def refresh_documents(self) -> None:
        """The operator's reload: the engine fetches the catalog and the lists now."""
        if self.engine is not None:
            self.engine.refresh_documents()

    def status(self) -> SyncStatus | None:
        return self.engine.status() if self.engine is not None else None

    # -- what the engine kept, at the kiosk's start -----------------------------------
    def cached(self) -> tuple[Catalog, str | None] | None:
        """Install the trust lists the engine cached; the catalog it cached (any thread).

        On the store's worker, not the GUI thread: a tap in the first instants
        waits for this and must meet the cached revocations.
        """
        if self.engine is None:
            return None
        cached_trust = self.engine.cached_trust(self._trust.current)
        if cached_trust is not None:
            self._trust.install(cached_trust, "cached")
        return self.engine.cached_catalog()

    def take_cached(self, catalog: Catalog, etag: str | None) -> None:
        """The cached catalog, unless one is in use already (GUI thread)."""
        if self.catalog is None:
            self.catalog, self.catalog_etag = catalog, etag
            self._changed()

    def use_catalog(self, catalog: Catalog, etag: str | None = None) -> None:
        """Put ``catalog`` in use (GUI thread): the engine's, or a test's."""
        self.catalog, self.catalog_etag = catalog, etag
        self._changed()

    def office_name(self, office_id: str) -> str:
        """The office's name in the catalog in use; "" if it has none."""
        catalog = self.catalog
        try:
            return catalog.office(office_id).name if catalog else ""
        except KeyError:
            return ""

    # -- the engine's news, on the GUI thread ------------------------------------------
    def _synced(self, catalog: Catalog, etag: str | None) -> None:
        if etag is not None and etag == self.catalog_etag:
            return  # the cached copy taken at start is this one
        log.info("catalog %s in use (from the sync engine)", catalog.version)
        self.use_catalog(catalog, etag)

    def _trust_synced(self, trust: TrustStore) -> None:
        self._trust.install(trust, "central")

    def _status(self, status: SyncStatus) -> None:
        online = {"online": True, "offline": False}.get(status.connection)
        if online is not None and online != self.online:
            self.online = online
            self._changed()


def device_health(reader: Reader, printer: PrinterHealth) -> DeviceHealth:
    """Reader and printer health for the engine's heartbeat (any thread)."""
    try:
        readers = reader.readers()
        part = (
            PartHealth(HealthState.OK)
            if readers
            else PartHealth(HealthState.FAULT, Failure.NO_READER)
        )
    except Exception as exc:
        part = PartHealth(HealthState.FAULT, type(exc).__name__)
    return DeviceHealth(reader=part, printer=PartHealth(printer.state, printer.fault))
