"""nfcpy's udp driver on loopback, for the nfcpy tests: a free port and a running reader.

Everything runs over nfcpy's real ``udp`` driver on 127.0.0.1: the reader
under test opens ``udp:127.0.0.1:PORT`` and the emulated card listens on
that port. No part of nfcpy is replaced.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
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
    """A loopback UDP port that was free just now, and that names no service.

    nfcpy's UDP driver reads its port back through ``getnameinfo`` without
    ``NI_NUMERICSERV``: a port /etc/services names (60179 is "fido") comes back as
    that name and the driver fails on ``int("fido")``. The kernel's free ports are
    drawn from a range that holds a few such ports.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        # asked as the driver asks: a port that comes back as a name is drawn again
        if socket.getnameinfo(("127.0.0.1", port), socket.NI_NUMERICHOST)[1].isdigit():
            return port


def udp_path(port: int) -> str:
    return f"udp:127.0.0.1:{port}"


#: The names of the threads the NFC layer starts: the reader's worker
#: (cardio.readers._nfc_worker) and an emulated card's (cardio.emulators).
NFC_THREAD_PREFIXES = ("nfc-reader", "nfc-emu-")


def nfc_threads() -> list[threading.Thread]:
    """The live threads of the NFC layer in this process (by the names it gives them).

    Not ``threading.active_count()``: other threads of the test process (a centre's
    output pumps, an HTTP pool of an earlier test) come and go while a test runs.
    """
    return [t for t in threading.enumerate() if t.name.startswith(NFC_THREAD_PREFIXES)]


def udp_sockets() -> set[int]:
    """The file descriptors of the UDP sockets this process holds open, bound or not.

    nfcpy's udp driver and the emulated cards talk UDP and nothing else in the test
    process does, so these are the NFC layer's sockets; counting every file
    descriptor would count what other threads open and close meanwhile.
    """
    held: set[int] = set()
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if not os.readlink(f"/proc/self/fd/{fd}").startswith("socket:["):
                continue
            probe = socket.socket(fileno=fd)  # asks the kernel; detached below, never closed
        except OSError:  # closed since the listing
            continue
        try:
            if probe.type == socket.SOCK_DGRAM and probe.family in (
                socket.AF_INET,
                socket.AF_INET6,
            ):
                held.add(fd)
        finally:
            probe.detach()
    return held


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
