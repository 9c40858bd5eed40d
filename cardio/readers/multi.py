"""Several reader backends behind one :class:`Reader` (e.g. a desk with two stacks)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager

from cardio.errors import ReaderUnavailable
from cardio.readers.events import ReaderAdded, ReaderEvent, ReaderListener, ReaderRemoved
from cardio.readers.reader import CardConnection, Reader


class MultiReader(Reader):
    """Merges the events of several backends; connects through the one that owns a reader."""

    backend = "multi"

    def __init__(self, readers: Sequence[Reader]) -> None:
        if not readers:
            raise ValueError("MultiReader needs at least one reader")
        self.members = list(readers)
        self._owner: dict[str, Reader] = {}
        self._lock = threading.Lock()

    def start(self, listener: ReaderListener) -> None:
        for member in self.members:
            member.start(self._forward(member, listener))

    def _forward(self, member: Reader, listener: ReaderListener) -> ReaderListener:
        def forward(event: ReaderEvent) -> None:
            with self._lock:
                if isinstance(event, ReaderAdded):
                    self._owner[event.reader] = member
                elif isinstance(event, ReaderRemoved):
                    self._owner.pop(event.reader, None)
            listener(event)

        return forward

    def stop(self) -> None:
        for member in self.members:
            member.stop()

    def readers(self) -> list[str]:
        return [name for member in self.members for name in member.readers()]

    def connect(self, reader: str) -> AbstractContextManager[CardConnection]:
        with self._lock:
            owner = self._owner.get(reader)
        if owner is None:
            owner = next((m for m in self.members if reader in m.readers()), None)
        if owner is None:
            raise ReaderUnavailable(f"no backend has a reader named {reader!r}")
        return owner.connect(reader)
