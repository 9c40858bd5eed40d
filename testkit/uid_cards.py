"""UID-only cards for the PC/SC robustness tests, and the reads a test runs on them.

The cards answer through vpcd to the real pcscd that the ``pcscd`` fixture
started (see :mod:`testkit.pcscd`).
"""

from __future__ import annotations

import threading
import time

from cardio.card import apdu
from cardio.emulators.vpcd import DEFAULT_ATR, VpcdCard
from cardio.readers.events import CardPresented, CardRemoved
from cardio.readers.pcsc import PcscReader
from testkit.reader_events import EventLog

UID = bytes.fromhex("04A1B2C3D4E5F6")
#: The ATR the watcher reports: vpcd hands on the virtual card's own bytes.
ATR = DEFAULT_ATR
UID_RESPONSE = UID + b"\x90\x00"

#: INTERNAL AUTHENTICATE with an 8-byte challenge: the step a real card takes
#: longest over (it signs), so the one the slow card takes its time on.
SLOW_COMMAND = bytes.fromhex("00 88 00 00 08 0102030405060708 00")

#: The longest a read may go on once pcscd or the card is gone: the backend's
#: removal grace (0.6 s) plus scheduling slack on a busy two-core machine.
READ_DEADLINE_S = 2.0


class UidCard:
    """A UID-only card: answers GET UID, refuses everything else."""

    def execute(self, command: bytes) -> bytes:
        if command[:2] == b"\xff\xca":
            return UID_RESPONSE
        return apdu.status(apdu.SW_INS_NOT_SUPPORTED)


class SlowCard(UidCard):
    """A card that takes up to ``delay_s`` over :data:`SLOW_COMMAND`.

    ``started`` is set once the command has reached the card, so a test knows
    the read is in flight without guessing with sleeps; :meth:`release` ends
    the wait at once (teardown).
    """

    def __init__(self, delay_s: float = 10.0) -> None:
        self.delay_s = delay_s
        self.started = threading.Event()
        self._release = threading.Event()

    def execute(self, command: bytes) -> bytes:
        if command == SLOW_COMMAND:
            self.started.set()
            self._release.wait(self.delay_s)
            return bytes.fromhex("A5A5A5A5 9000")
        return super().execute(command)

    def release(self) -> None:
        self._release.set()


class BackgroundRead:
    """One tap's read on a thread of its own: connect, GET UID, the slow command."""

    def __init__(self, reader: PcscReader, name: str) -> None:
        self._reader = reader
        self._name = name
        self.error: BaseException | None = None
        self.responses: list[bytes] = []
        self.finished_at: float | None = None
        self._thread = threading.Thread(target=self._run, name="background-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._reader.connect(self._name) as conn:
                self.responses.append(conn.transmit(apdu.GET_UID))
                self.responses.append(conn.transmit(SLOW_COMMAND))
        except BaseException as exc:
            self.error = exc
        finally:
            self.finished_at = time.monotonic()

    def join(self, timeout_s: float) -> float:
        """Wait for the read to end; return when it ended (``time.monotonic()``)."""
        self._thread.join(timeout_s)
        if self._thread.is_alive() or self.finished_at is None:
            raise AssertionError(f"the read still runs {timeout_s} s later")
        return self.finished_at


def tap_and_read(reader: PcscReader, events: EventLog, name: str, port: int) -> tuple[int, int]:
    """Present a UID card on ``port``, read it once the event says so, take it away.

    Returns the indexes of the CardPresented and CardRemoved events.
    """
    start = len(events.snapshot())
    with VpcdCard(UidCard(), port=port):
        presented = events.wait_for(CardPresented(name, ATR), after=start)
        with reader.connect(name) as conn:
            assert conn.transmit(apdu.GET_UID) == UID_RESPONSE
    removed = events.wait_for(CardRemoved(name), after=presented)
    return presented, removed
