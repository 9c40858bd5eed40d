"""The thread behind :meth:`cardio.readers.pcsc.PcscReader.start`.

It blocks in ``SCardGetStatusChange`` on every wanted reader plus pcsc-lite's
``\\\\?PnP?\\Notification`` pseudo-reader (which wakes it when readers come and
go), re-lists readers at least every poll interval (for stacks without PnP
notification), and turns state changes into :mod:`cardio.readers.events`. When the
service is missing or dies, it reports every reader as removed, then
re-establishes its context with backoff until the service is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from cardio.errors import CardError, CardServiceUnavailable
from cardio.readers import pcsc_scard as pcsc
from cardio.readers.events import (
    CardPresented,
    CardRemoved,
    ReaderAdded,
    ReaderEvent,
    ReaderListener,
    ReaderRemoved,
)

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
BACKOFF_MIN_S = 0.25
BACKOFF_MAX_S = 2.0


class PcscWatcher:
    """Watches readers and cards on a daemon thread until :meth:`stop`."""

    def __init__(
        self, listener: ReaderListener, wanted: Callable[[str], bool], poll_interval_s: float
    ) -> None:
        self._listener = listener
        self._wanted = wanted
        self._timeout_ms = max(1, int(poll_interval_s * 1000))
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # guards _context against stop()'s SCardCancel
        self._context: int | None = None
        self._scard: Any = None
        self._states: dict[str, int] = {}  # reader -> last event state, CHANGED cleared
        self._thread = threading.Thread(target=self._run, name="pcsc-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stopping.set()
        if not self._thread.is_alive():
            return
        deadline = time.monotonic() + timeout_s
        while self._thread.is_alive() and time.monotonic() < deadline:
            # A cancel that lands between two waits is lost: cancel again.
            with self._lock:
                if self._context is not None:
                    self._scard.SCardCancel(self._context)
            self._thread.join(0.05)
        if self._thread.is_alive():
            log.warning("PC/SC watcher did not stop within %.1f s", timeout_s)

    def _run(self) -> None:
        backoff = BACKOFF_MIN_S
        service_was_up = True
        while not self._stopping.is_set():
            try:
                healthy = self._session()
            except CardServiceUnavailable as exc:
                if service_was_up:
                    log.warning("card service unavailable, retrying: %s", exc.detail)
                service_was_up = False
                healthy = False
            except Exception:  # never let the watcher die; log and start over
                log.exception("PC/SC watcher failed; restarting")
                healthy = False
            else:
                service_was_up = True
            self._forget_all()
            backoff = BACKOFF_MIN_S if healthy else min(backoff * 2, BACKOFF_MAX_S)
            self._stopping.wait(backoff)

    def _session(self) -> bool:
        """Watch on one context until the service fails; True if it ever worked."""
        scard = self._scard = pcsc.load_scard()
        context = pcsc.establish(scard)
        with self._lock:
            self._context = context
        try:
            if self._stopping.is_set():
                return True
            return self._watch(scard, context)
        finally:
            with self._lock:
                self._context = None
            scard.SCardReleaseContext(context)

    def _watch(self, scard: Any, context: int) -> bool:
        down = pcsc.service_down_codes(scard)
        healthy = False
        pnp_state: int | None = 0  # None: this stack has no PnP notification
        while not self._stopping.is_set():
            try:
                names = [n for n in pcsc.list_readers(scard, context) if self._wanted(n)]
            except CardError as exc:
                log.info("listing readers failed: %s", exc.detail)
                return healthy
            self._sync_readers(names)
            query = [(n, self._states[n]) for n in names]
            if pnp_state is not None:
                query.append((PNP_NOTIFICATION, pnp_state))
            hresult, changes = scard.SCardGetStatusChange(context, self._timeout_ms, query)
            if hresult == scard.SCARD_E_CANCELLED:
                return True
            if hresult in down:
                log.info("card service lost: %s", pcsc.describe(scard, hresult, "wait"))
                return healthy
            healthy = True
            if hresult != scard.SCARD_S_SUCCESS:
                continue  # timeout, or a reader vanished: list again
            for name, event, atr in changes:
                event = int(event) & ~scard.SCARD_STATE_CHANGED
                if name != PNP_NOTIFICATION:
                    self._update(scard, name, event, bytes(atr))
                elif event & scard.SCARD_STATE_UNKNOWN:
                    pnp_state = None
                else:
                    pnp_state = event
        return True

    def _sync_readers(self, names: list[str]) -> None:
        for gone in [n for n in self._states if n not in names]:
            self._drop(gone)
        for new in names:
            if new not in self._states:
                self._states[new] = 0  # SCARD_STATE_UNAWARE: report the current state
                self._emit(ReaderAdded(new))

    def _update(self, scard: Any, name: str, event: int, atr: bytes) -> None:
        if name not in self._states or event & scard.SCARD_STATE_UNKNOWN:
            return  # removed between listing and waiting; the next listing drops it
        before = self._states[name]
        self._states[name] = event
        was = bool(before & scard.SCARD_STATE_PRESENT)
        now = bool(event & scard.SCARD_STATE_PRESENT)
        # The upper 16 bits count card events: a card swapped between two
        # waits keeps PRESENT set but moves the counter.
        swapped = was and now and before >> 16 != event >> 16
        if was and (not now or swapped):
            self._emit(CardRemoved(name))
        if now and (not was or swapped):
            self._emit(CardPresented(name, atr))

    def _drop(self, name: str) -> None:
        state = self._states.pop(name)
        if self._scard is not None and state & self._scard.SCARD_STATE_PRESENT:
            self._emit(CardRemoved(name))
        self._emit(ReaderRemoved(name))

    def _forget_all(self) -> None:
        if self._stopping.is_set():
            self._states.clear()
            return
        for name in list(self._states):
            self._drop(name)

    def _emit(self, event: ReaderEvent) -> None:
        try:
            self._listener(event)
        except Exception:
            log.exception("reader listener failed on %s", type(event).__name__)
