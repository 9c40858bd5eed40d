"""Events a :class:`cardio.readers.reader.Reader` emits to its listener."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReaderAdded:
    reader: str


@dataclass(frozen=True)
class ReaderRemoved:
    reader: str


@dataclass(frozen=True)
class CardPresented:
    reader: str
    atr: bytes = b""


@dataclass(frozen=True)
class CardRemoved:
    reader: str


ReaderEvent = ReaderAdded | ReaderRemoved | CardPresented | CardRemoved
ReaderListener = Callable[[ReaderEvent], None]
