"""Pick a reader backend by its configured name; hardware stacks load lazily."""

from __future__ import annotations

from cardio.errors import ReaderConfigError
from cardio.readers.reader import Reader

BACKENDS = ("simulated", "pcsc", "nfc")


def make_reader(backend: str, *, reader_filter: str = "", path: str = "") -> Reader:
    """A reader for ``backend``; ``path`` is the nfcpy device path (``usb`` if empty)."""
    if backend == "simulated":
        from cardio.readers.simulated import SimulatedReader

        return SimulatedReader()
    if backend == "pcsc":
        from cardio.readers.pcsc import PcscReader

        return PcscReader(reader_filter=reader_filter)
    if backend == "nfc":
        from cardio.readers.nfc import NfcReader

        return NfcReader(path or "usb")
    raise ReaderConfigError(f"unknown card backend {backend!r}; known: {', '.join(BACKENDS)}")
