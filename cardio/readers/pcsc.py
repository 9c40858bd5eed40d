"""PC/SC backend: readers served by pcscd (pcsc-lite) or WinSCard, via pyscard.

pyscard is an optional extra (``anjungan[pcsc]``) and is imported only when a
method needs it, so importing this module never fails. Every call that can
meet a stopped or restarted card service establishes its own PC/SC context:
nothing here caches a context or card handle across taps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cardio.errors import (
    CardError,
    CardRemovedDuringRead,
    CardServiceUnavailable,
    MalformedCard,
    ReaderUnavailable,
)
from cardio.readers._pcsc_watch import PcscWatcher
from cardio.readers.events import ReaderListener
from cardio.readers.pcsc_scard import (
    codes,
    describe,
    error_for,
    establish,
    list_readers,
    load_scard,
    service_down_codes,
)
from cardio.readers.reader import CardConnection, Reader

#: After a transfer fails, how long to watch the reader for the card leaving
#: before calling the failure a card error. pcscd polls readers such as vpcd
#: every 0.4 s, so a removal can take that long to show, and longer on a busy
#: machine: three polls (0.6 s, 1.5 polls, was passed in a full test run, and the
#: pulled card was told as an unreadable one). Only a failed transfer waits.
REMOVAL_GRACE_S = 1.2


class PcscConnection:
    """One SCardConnect handle to the card on one reader, for one tap."""

    def __init__(self, scard: Any, context: int, handle: int, protocol: int, reader: str):
        self._scard = scard
        self._context = context
        self._handle = handle
        self._protocol = protocol
        self.reader = reader

    def transmit(self, apdu: bytes) -> bytes:
        scard = self._scard
        hresult, response = scard.SCardTransmit(self._handle, self._protocol, list(apdu))
        if hresult == scard.SCARD_S_SUCCESS and len(response) >= 2:
            return bytes(response)
        # A card leaving mid-APDU surfaces as a failed transfer, or (vpcd) as
        # an empty "successful" one; the reader reports the removal a little later.
        if hresult == scard.SCARD_S_SUCCESS:
            detail = f"SCardTransmit: {len(response)}-byte response without a status word"
            raise self._explain(MalformedCard(detail))
        error = error_for(scard, hresult, "SCardTransmit")
        if hresult in codes(scard, "SCARD_E_NOT_TRANSACTED", "SCARD_F_COMM_ERROR"):
            raise self._explain(error)
        raise error

    def _explain(self, error: CardError) -> CardError:
        """Why a transfer failed: watch the reader for up to :data:`REMOVAL_GRACE_S`."""
        scard = self._scard
        deadline = time.monotonic() + REMOVAL_GRACE_S
        state = scard.SCARD_STATE_UNAWARE
        first: int | None = None
        while True:
            wait_ms = 0 if first is None else int((deadline - time.monotonic()) * 1000)
            if wait_ms < 0:
                return error
            hresult, states = scard.SCardGetStatusChange(
                self._context, wait_ms, [(self.reader, state)]
            )
            if hresult == scard.SCARD_E_TIMEOUT:
                return error  # the card is still there: it failed to answer
            if hresult in service_down_codes(scard):
                # pcscd stopped or died under the read. Keep the failed call in
                # the detail: it says what the citizen's read was doing.
                down = describe(scard, hresult, "SCardGetStatusChange")
                return CardServiceUnavailable(f"{error.detail}; card service gone ({down})")
            if hresult != scard.SCARD_S_SUCCESS:
                return error_for(scard, hresult, "SCardGetStatusChange")
            state = int(states[0][1]) & ~scard.SCARD_STATE_CHANGED
            if state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                return ReaderUnavailable(error.detail)
            if first is None:
                first = state
            # The upper 16 bits count insertions and removals (pcsc-lite, WinSCard).
            if state & scard.SCARD_STATE_EMPTY or (state >> 16) != (first >> 16):
                return CardRemovedDuringRead(error.detail)


class PcscReader(Reader):
    """Readers of the local PC/SC service.

    ``reader_filter`` keeps only readers whose name contains it (empty: all).
    ``poll_interval_s`` bounds how long the watcher blocks in one
    ``SCardGetStatusChange`` before it lists readers again; card events and,
    on pcsc-lite, reader hot-plug wake it sooner.
    """

    backend = "pcsc"

    def __init__(self, reader_filter: str = "", poll_interval_s: float = 0.5) -> None:
        self.reader_filter = reader_filter
        self.poll_interval_s = poll_interval_s
        self._watcher: PcscWatcher | None = None
        self._lock = threading.Lock()

    def _wanted(self, name: str) -> bool:
        return self.reader_filter in name

    def start(self, listener: ReaderListener) -> None:
        with self._lock:
            if self._watcher is not None:
                raise RuntimeError("PcscReader already started")
            self._watcher = PcscWatcher(listener, self._wanted, self.poll_interval_s)
            self._watcher.start()

    def stop(self) -> None:
        with self._lock:
            watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def readers(self) -> list[str]:
        try:
            scard = load_scard()
            context = establish(scard)
        except CardServiceUnavailable:
            return []
        try:
            return [n for n in list_readers(scard, context) if self._wanted(n)]
        except CardError:
            return []
        finally:
            scard.SCardReleaseContext(context)

    @contextmanager
    def connect(self, reader: str) -> Iterator[CardConnection]:
        scard = load_scard()
        context = establish(scard)
        try:
            hresult, handle, protocol = scard.SCardConnect(
                context,
                reader,
                scard.SCARD_SHARE_SHARED,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            )
            if hresult != scard.SCARD_S_SUCCESS:
                raise error_for(scard, hresult, f"SCardConnect to {reader!r}")
            try:
                yield PcscConnection(scard, context, handle, protocol, reader)
            finally:
                scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
        finally:
            scard.SCardReleaseContext(context)
