"""Opening the store at the kiosk's start, and again while it cannot be opened.

Opening the store creates or migrates its file, so it runs on a worker once
the first screen is up (:meth:`StoreStartup.load`). It takes
up what the sync engine cached there: the trust lists before any card is read,
the catalog before the first greeting. A store that cannot be opened puts the
kiosk out of service (:attr:`StoreStartup.failure`): it could not keep a
ticket. :meth:`StoreStartup.retry` tries again; once it opens, the sync engine
starts. Once the opening has settled, :func:`warm_up` loads, off the GUI
thread, the heavy modules the first tap and ticket will need.

The start itself runs with Python's cyclic garbage collector held off
(:func:`hold_collector`, from before the window's modules are imported until the
store has settled): the imports and the window make some hundreds of thousands of
objects that live as long as the kiosk, and the ~90 collections they would set off
find nothing to free. Once the store has settled they are frozen out of every later
collection and the collector runs again (:func:`release_collector`).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.errors import Failure
from offline_store import Store, StoreError

if TYPE_CHECKING:
    # Names for the types alone: `kiosk run` imports this module, to hold the
    # collector, before the rest of the kiosk.
    from contract.catalog import Catalog
    from kiosk.executor import Executor
    from kiosk.wiring.sync_link import SyncLink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreLoaded:
    """What the kiosk starts from, out of its store: ``error`` if it cannot be opened."""

    error: str | None = None
    catalog: Catalog | None = None
    etag: str | None = None


class StoreStartup:
    def __init__(
        self, store: Store, sync: SyncLink, executor: Executor, changed: Callable[[], None]
    ) -> None:
        self._store = store
        self._sync = sync
        self._executor = executor
        #: Called on the GUI thread when the store becomes unusable or usable again.
        self._changed = changed
        #: Why the store cannot be opened, while it cannot: the kiosk is out of service.
        self.failure: str | None = None
        #: The first opening has finished, opened or not (GUI thread): the kiosk is up.
        self.settled = False
        self._lock = threading.Lock()
        self._loaded: StoreLoaded | None = None
        #: The last ticket a previous run stored (read at the first opening); its
        #: prints without an outcome are settled once the kiosk is ready.
        self._settle_upto: int | None = None

    def load(self) -> None:
        """Open the store on a worker; then take its catalog and start the sync engine."""
        self._executor.run_in_background(self.open, self._ready, self._broke)

    def retry(self) -> None:
        """Out of service: try again (the window's minute timer calls it)."""
        if self.failure is not None:
            self.load()

    def open(self) -> StoreLoaded:
        """Open the store and read the kiosk's starting point from it, once (any thread).

        A card read in the first instants calls it too, and waits for the load
        under way rather than read without the cached revocations.
        """
        with self._lock:
            if self._loaded is None or self._loaded.error is not None:
                self._loaded = self._read()
            return self._loaded

    def catch_up(self) -> None:
        """A tap before :meth:`load` finished opened the store: take its cached catalog (GUI)."""
        loaded = self._loaded
        if loaded is not None and loaded.error is None:
            self._take_catalog(loaded)

    def _read(self) -> StoreLoaded:
        try:
            self._store.ensure_open()
            # Before any ticket of this run: the tickets up to here whose print has no
            # outcome were left so by a run that stopped between storing and printing
            # them (settled once the kiosk is ready: it reads every ticket).
            mark = self._store.last_ticket_mark()
        except StoreError as exc:
            log.error("local store unusable, the kiosk is out of service: %s", exc)
            return StoreLoaded(error=str(exc))
        if self._settle_upto is None:
            self._settle_upto = mark
        cached = self._sync.cached()
        if cached is None:
            return StoreLoaded()
        catalog, etag = cached
        return StoreLoaded(catalog=catalog, etag=etag)

    def _ready(self, loaded: StoreLoaded) -> None:
        first = not self.settled
        self.settled = True
        release_collector()  # the start is over, opened or not
        if loaded.error is not None:
            self.failure = loaded.error
            self._changed()
            return
        if self.failure is not None:
            log.info("local store usable again: back in service")
            self.failure = None
            self._changed()
        elif first:
            self._changed()
        self._take_catalog(loaded)
        self._sync.start()
        self._settle_prints()

    def _settle_prints(self) -> None:
        """Mark the tickets a stopped run left with no print outcome (off the GUI thread)."""
        upto, self._settle_upto = self._settle_upto, None
        if not upto:
            return
        store = self._store

        def settle() -> int:
            return store.settle_unrecorded_prints(Failure.INTERRUPTED, upto)

        def settled(left: int) -> None:
            if left:
                log.warning(
                    "%d ticket(s) stored before the last stop have no print outcome: marked %s",
                    left,
                    Failure.INTERRUPTED.value,
                )

        self._executor.run_in_background(
            settle, settled, lambda exc: log.error("prints left unsettled: %s", exc)
        )

    def _broke(self, exc: Exception) -> None:
        self._ready(StoreLoaded(error=f"{type(exc).__name__}: {exc}"))

    def _take_catalog(self, loaded: StoreLoaded) -> None:
        if loaded.catalog is not None:
            self._sync.take_cached(loaded.catalog, loaded.etag)


#: Whether :func:`hold_collector` holds the collector off (and it is ours to release).
_held = False


def hold_collector() -> None:
    """Hold the cyclic garbage collector off for the kiosk's start; call it before the
    window's modules are imported. The store's first settling releases it (and
    :func:`release_collector` may be called any time after, to be sure)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collector() -> None:
    """End :func:`hold_collector`: what the start made is frozen out of later
    collections (it lives as long as the kiosk), and the collector runs again.
    Does nothing unless the collector was held by :func:`hold_collector`."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()


def warm_up(executor: Executor) -> None:
    """Load, off the GUI thread, what the first tap and ticket will need.

    The COSE library and reportlab are imported on first use so the attract
    screen comes up fast; call this once the store's opening has settled (sooner,
    the imports would hold the interpreter while the store opens).
    """
    executor.run_in_background(_import_heavy_modules, lambda _: None, lambda _: None)


def _import_heavy_modules() -> None:
    import cwt  # noqa: F401  (verifying the first card)

    from printing.layouts import fonts, ticket  # noqa: F401  (reportlab, for the first ticket)

    fonts.document_fonts()  # register the embedded fonts once
    from printing.layouts.qr import qr_matrix

    qr_matrix("warm-up")  # reportlab's barcode package, ~0.3 s on first import
    from kiosk import code_cache

    code_cache.save()  # the dataclasses' methods compiled by this start, for the next
