"""What pcscd did and holds: the commands and client sessions of its ``--debug``
log, and the threads and file descriptors a leak would grow (the PC/SC layer's
threads here, pcscd's threads and file descriptors)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from testkit.pcscd import Pcscd


def log_text(daemon: Pcscd) -> str:
    return daemon.log_path.read_text(errors="replace")


def commands(log: str) -> Counter[str]:
    """How many of each client command pcscd received, from its ``--debug`` log."""
    return Counter(re.findall(r"Received command: (\w+) from client", log))


@dataclass
class ClientSession:
    """One client connection to pcscd (one PC/SC context), as its log tells it."""

    client: int
    commands: list[str]
    closed: bool = False


def client_sessions(log: str) -> list[ClientSession]:
    """pcscd's ``--debug`` log split per client connection, in order of first sight.

    pcscd numbers clients by socket and reuses the numbers, so a session ends
    at its "Client die". Other programs on this host may use the same pcscd
    (its socket is fixed): pick sessions by what they did, not by count.
    """
    sessions: list[ClientSession] = []
    live: dict[int, ClientSession] = {}
    pattern = re.compile(r"Received command: (\w+) from client (\d+)|Client die: (\d+)")
    for match in pattern.finditer(log):
        command, client, died = match.groups()
        if died is not None:
            ended = live.pop(int(died), None)
            if ended is not None:
                ended.closed = True
            continue
        session = live.get(int(client))
        if session is None:
            session = live[int(client)] = ClientSession(int(client), [])
            sessions.append(session)
        session.commands.append(command)
    return sessions


def card_handles(log: str) -> list[str]:
    """Every card handle pcscd handed out (one per successful SCardConnect)."""
    return re.findall(r"hCard Identity: (\w+)", log)


#: The names of the threads the PC/SC layer starts in this process: the reader's
#: watcher (cardio.readers._pcsc_watch) and an emulated card's (cardio.emulators.vpcd).
PCSC_THREAD_PREFIXES = ("pcsc-watch", "vpcd-card-")


@dataclass(frozen=True)
class Resources:
    """What a leak would grow: the PC/SC layer's threads here, and pcscd's.

    Not every file descriptor and thread of this process: its other threads (an
    earlier test's HTTP pool, a centre's output pumps) open and close them while a
    test runs. A PC/SC context or card handle left open here holds its connection
    open in pcscd, and pcscd runs a thread per connection: pcscd's counts show it.
    """

    pcsc_threads: int
    pcscd_threads: int
    pcscd_fds: int


def resources(daemon: Pcscd) -> Resources:
    process = daemon.process
    assert process is not None, "pcscd is not running"
    proc = Path(f"/proc/{process.pid}")
    return Resources(
        pcsc_threads=sum(t.name.startswith(PCSC_THREAD_PREFIXES) for t in threading.enumerate()),
        # pcscd runs one thread per client connection (per PC/SC context).
        pcscd_threads=len(os.listdir(proc / "task")),
        pcscd_fds=len(os.listdir(proc / "fd")),
    )


def settled_resources(daemon: Pcscd, timeout_s: float = 3.0) -> Resources:
    """:func:`resources` once two readings 0.2 s apart agree.

    pcscd ends a client's thread a moment after the client has gone, so a
    reading taken right after a PC/SC call may still count it.
    """
    deadline = time.monotonic() + timeout_s
    last = resources(daemon)
    while True:
        time.sleep(0.2)
        now = resources(daemon)
        if now == last or time.monotonic() > deadline:
            return now
        last = now
