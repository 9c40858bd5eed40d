"""nfcpy's udp driver on loopback, for the nfcpy tests: a free port and a running reader.

Everything runs over nfcpy's real ``udp`` driver on 127.0.0.1: the reader
under test opens ``udp:127.0.0.1:PORT`` and the emulated card listens on
that port. No part of nfcpy is replaced.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest

from cardio.readers.nfc import NfcReader
from testkit.reader_events import EventLog

if importlib.util.find_spec("nfc") is None:
    if os.environ.get("CI"):
        raise RuntimeError("nfcpy is not installed (extra: nfc) and CI must run the nfc tests")
    pytest.skip("nfcpy is not installed (extra: nfc)", allow_module_level=True)

#: Long enough for one sense cycle over udp (1 s per target type with no
#: card: the driver's fixed wait) plus a presence check.
NFC_EVENT_DEADLINE_S = 5.0


def free_udp_port() -> int:
    """A loopback UDP port that was free just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def udp_path(port: int) -> str:
    return f"udp:127.0.0.1:{port}"


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@contextmanager
def running_reader(
    path: str, targets: Sequence[str] = ("106A",)
) -> Iterator[tuple[NfcReader, EventLog]]:
    """An :class:`NfcReader` on ``path``, started with an :class:`EventLog`; stopped after."""
    reader = NfcReader(path, targets=targets)
    events = EventLog()
    reader.start(events)
    try:
        yield reader, events
    finally:
        reader.stop()
