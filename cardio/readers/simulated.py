"""A reader with no hardware: demo and test cards tapped by calling :meth:`tap`.

It ships in the package (the demo uses it) and talks to the same card-side
logic the virtual cards serve to pcscd, so a simulated tap exercises the
kiosk's real read path, APDU by APDU.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from cardio.errors import CardRemovedDuringRead, ReaderUnavailable
from cardio.readers.events import CardPresented, CardRemoved, ReaderAdded, ReaderListener
from cardio.readers.reader import CardConnection, Reader

READER_NAME = "Simulated reader 0"
#: ATR of a contactless ISO 14443-4 card as a PC/SC part 3 reader reports it.
SIMULATED_ATR = bytes.fromhex("3B8880010000000000718100F9")


class Applet(Protocol):
    def execute(self, command: bytes) -> bytes: ...

    def reset(self) -> None: ...


class _Connection:
    def __init__(self, reader: SimulatedReader, applet: Applet) -> None:
        self._reader = reader
        self._applet = applet

    def transmit(self, apdu: bytes) -> bytes:
        if self._reader.current is not self._applet:
            raise CardRemovedDuringRead("the card left the simulated reader")
        return self._applet.execute(apdu)


class SimulatedReader(Reader):
    backend = "simulated"

    def __init__(self, name: str = READER_NAME) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._listener: ReaderListener | None = None
        self.current: Applet | None = None

    def start(self, listener: ReaderListener) -> None:
        self._listener = listener
        listener(ReaderAdded(self.name))

    def stop(self) -> None:
        self._listener = None

    def readers(self) -> list[str]:
        return [self.name]

    def tap(self, applet: Applet) -> None:
        """Put ``applet`` on the reader (removing any card already there)."""
        self.remove()
        with self._lock:
            applet.reset()
            self.current = applet
        self._emit(CardPresented(self.name, SIMULATED_ATR))

    def remove(self) -> None:
        with self._lock:
            had_card = self.current is not None
            self.current = None
        if had_card:
            self._emit(CardRemoved(self.name))

    def _emit(self, event: CardPresented | CardRemoved) -> None:
        listener = self._listener
        if listener is not None:
            listener(event)

    @contextmanager
    def connect(self, reader: str) -> Iterator[CardConnection]:
        if reader != self.name:
            raise ReaderUnavailable(f"no simulated reader named {reader!r}")
        applet = self.current
        if applet is None:
            raise CardRemovedDuringRead("no card on the simulated reader")
        yield _Connection(self, applet)
