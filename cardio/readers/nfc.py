"""nfcpy backend: USB NFC readers driven directly over libusb (no PC/SC).

nfcpy (optional extra ``anjungan[nfc]``) is imported only by the reader's
thread, so ``import cardio.readers.nfc`` works without it. The device path is
nfcpy's: ``usb`` (the first supported reader), ``usb:VID:PID``,
``usb:BUS:DEV``, ``tty:USB0:pn532`` or ``udp:HOST:PORT`` (nfcpy's simulated
radio, which :mod:`cardio.emulators.nfc_emulator` serves cards on).

**Threads.** nfcpy's frontend, driver and tag objects are not safe to share:
an ISO-DEP tag keeps its block number in the tag object, and a presence
check slipped between a command and its response would break the session.
So one daemon thread (:mod:`cardio.readers._nfc_worker`) owns them all. It senses
for tags (106A and 212F by default: ISO-DEP Type 4A, Type 2, Type 3), and
while a tag is in the field it waits on a request queue, checking the tag's
presence whenever no request came for ``presence_interval_s``. A connection
hands each command to that thread and waits for the answer (at most
``apdu_timeout_s``). A queue was chosen over a lock because the worker must
keep the frontend between requests anyway (for presence checks), and a
queue lets it fail every waiting request the moment the card is gone.
Listeners are called on that thread; one that reads the card inside its
callback has its requests run there directly instead of queued.

**Events.** ReaderAdded when the device opens, ReaderRemoved when it fails
(unplugged); a missing or busy device is retried with backoff, never
raised. CardPresented carries a PC/SC-style ATR (:mod:`cardio.readers.atr`),
CardRemoved follows when the tag stops answering its presence check.
Over ``udp`` a search that finds nothing takes 1 s per target type (the
driver's fixed wait), so a tap can take that long to show and ``stop()``
that long to return; USB readers search in milliseconds.

**Connections.** ``GET UID`` (``FF CA 00 00 00``) is answered by the
connection from the tag's identifier (UID, or IDm for FeliCa), as a PC/SC
reader would, so the kiosk reads cards the same way on both stacks. On an
ISO-DEP tag every other APDU goes to the card unchanged. Tags without
ISO-DEP answer nothing but GET UID (``6D00`` for another ``FF`` command,
``6E00`` for any other class) and offer their NDEF message through
``ndef_records()``, which ISO-DEP tags offer too (the Type 4 NDEF
application, read with SELECTs that change the card's current file).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from cardio.card import apdu
from cardio.errors import CardRemovedDuringRead, ReaderUnavailable
from cardio.readers._nfc_ops import exchange_apdu, get_uid, read_ndef
from cardio.readers._nfc_worker import HeldCard, NfcWorker
from cardio.readers.events import ReaderListener
from cardio.readers.reader import CardConnection, Reader

DEFAULT_TARGETS = ("106A", "212F")


class NfcConnection:
    """A connection to the tag on an nfcpy reader, for one tap."""

    def __init__(self, worker: NfcWorker, card: HeldCard, timeout_s: float) -> None:
        self._worker = worker
        self._card = card
        self._timeout_s = timeout_s
        #: nfcpy's tag type: ``Type4Tag`` (ISO-DEP), ``Type2Tag``, ``Type3Tag``…
        self.tag_type = card.tag_type
        self.identifier = card.identifier

    def transmit(self, command: bytes) -> bytes:
        if self._worker.held() is not self._card:
            raise CardRemovedDuringRead("the card has left the reader")
        if command[:2] == apdu.GET_UID[:2]:
            return get_uid(self.identifier, command)
        return self._transmit(command)

    def _transmit(self, command: bytes) -> bytes:
        cla = command[0] if command else 0
        sw = apdu.SW_INS_NOT_SUPPORTED if cla == 0xFF else apdu.SW_CLA_NOT_SUPPORTED
        return apdu.status(sw)

    def ndef_records(self) -> list[tuple[str, bytes]]:
        """The tag's NDEF records as (record type, payload); [] if it has none.

        The type is ndeflib's: a MIME type (``application/x-…``), or
        ``urn:nfc:wkt:T`` and the like for NFC Forum well-known types. A read that
        broke part-way is :class:`CardRemovedDuringRead`, whether the tag left or stayed
        in the field (see :func:`cardio.readers._nfc_ops.read_ndef`): never [].
        """
        records = self._worker.call(self._card, read_ndef, self._timeout_s)
        if records is None:  # raised here, not on the worker: the tag stays held
            raise CardRemovedDuringRead("the tag stopped answering part-way through its NDEF")
        return records


class IsoDepConnection(NfcConnection):
    """A connection to an ISO 14443-4 tag: APDUs go to the card."""

    def _transmit(self, command: bytes) -> bytes:
        def send(tag: Any) -> bytes:
            return exchange_apdu(tag, command)

        return self._worker.call(self._card, send, self._timeout_s)


class NfcReader(Reader):
    """One nfcpy device, reported as one reader named :attr:`name`.

    ``poll_interval_s`` is the pause between two searches for a tag;
    ``presence_interval_s`` how long a held tag may stay silent before its
    presence is checked (removal shows within that plus the tag's frame
    waiting time); ``apdu_timeout_s`` bounds each request to the reader.
    ``targets`` are nfcpy bitrate/type names to sense (``106B`` adds Type 4B).
    """

    backend = "nfc"

    def __init__(
        self,
        path: str = "usb",
        *,
        name: str = "",
        poll_interval_s: float = 0.1,
        presence_interval_s: float = 0.25,
        apdu_timeout_s: float = 5.0,
        stop_timeout_s: float = 3.0,
        targets: Sequence[str] = DEFAULT_TARGETS,
    ) -> None:
        if not path:
            raise ValueError("an nfcpy device path is required (usb, usb:VID:PID, udp:HOST:PORT)")
        self.path = path
        self.name = name or f"nfcpy {path}"
        self.poll_interval_s = poll_interval_s
        self.presence_interval_s = presence_interval_s
        self.apdu_timeout_s = apdu_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.targets = tuple(targets)
        self._worker: NfcWorker | None = None
        self._lock = threading.Lock()

    def start(self, listener: ReaderListener) -> None:
        with self._lock:
            if self._worker is not None:
                raise RuntimeError("NfcReader already started")
            self._worker = NfcWorker(
                self.path,
                self.name,
                listener,
                self.targets,
                self.poll_interval_s,
                self.presence_interval_s,
            )
            self._worker.start()

    def stop(self) -> None:
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(self.stop_timeout_s)

    def readers(self) -> list[str]:
        worker = self._worker
        return [self.name] if worker is not None and worker.device_open else []

    @contextmanager
    def connect(self, reader: str) -> Iterator[CardConnection]:
        """A connection to the tag the reader holds now.

        Only while started: the reader's thread owns the device, so a reader
        that was never started (or is stopped) is :class:`ReaderUnavailable`.
        No tag in the field is :class:`CardRemovedDuringRead`.
        """
        worker = self._worker
        if reader != self.name or worker is None or not worker.device_open:
            raise ReaderUnavailable(f"no nfcpy reader named {reader!r} is connected")
        card = worker.held()
        if card is None:
            raise CardRemovedDuringRead(f"no card on {reader!r}")
        kind = IsoDepConnection if card.iso_dep else NfcConnection
        yield kind(worker, card, self.apdu_timeout_s)
