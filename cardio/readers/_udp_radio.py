"""nfcpy's ``udp`` driver as a reader, with every answer paired to the command it answers.

Over a real radio the reader's chip pairs each answer with its command: an answer the
reader gave up on is never taken for the next one. nfcpy's ``udp`` driver has no such
pairing: a datagram is an answer to whatever was sent last. nfcpy gives a Type 2 READ
5 ms (a real NTAG answers in under one) before it sends it again; a tag that answered
later had its answer to the first READ taken for the second, the second's for the next
page's READ, and its record came back with a block of 16 bytes repeated in it.

How :func:`reader_device` pairs them: an answer comes back to the UDP port its frame was
sent from (the emulated tags of :mod:`cardio.emulators` answer each command to where it
came from), and no port sends a second frame while it still owes the answer to its first.
A frame not answered in time leaves its socket owing: the next frame goes out from a
fresh socket on a new port, and the owing one is held open, never read again, until its
answer has come or :data:`HOLD_S` has passed, so that meanwhile the kernel gives its port
to no other socket. A late answer lands where nobody reads, however late it comes; only
one later than :data:`HOLD_S` could reach a port given out again. A port that owes
nothing drops whatever reached it before it sends its next frame (a tag's answer that
came twice): as over a radio, only what comes after a frame can answer it.

Waits: every command waits at least :data:`LEAST_WAIT_S` for its answer (nfcpy's own
wait for a Type 2 presence check), so a slow thread is not taken for a silent tag. A
command sent after one went unanswered waits :data:`LEAST_WAIT_S` longer: the tag
answers in order, so its answer comes after the late one. A tag gone from the field is
thus noticed after nfcpy's waits and :data:`LEAST_WAIT_S` more per command sent after one
went unanswered.

A plain nfcpy emulator answers to the port that activated it: through this reader it
is read until a command goes unanswered, then taken for gone and sensed again.
"""

from __future__ import annotations

import logging
import platform
import select
import socket
import time
from types import ModuleType
from typing import Any

log = logging.getLogger("cardio.readers.nfc")

#: The least time a command waits for its answer; the extra wait after one went unanswered.
LEAST_WAIT_S = 0.1
#: How long a socket owing a late answer keeps its port: far longer than any wait of
#: nfcpy's (1 s for a SENS_RES; 4.95 s, ISO-DEP's longest frame waiting time, at most).
HOLD_S = 10.0


def reader_device(nfc: ModuleType, host: str, port: int) -> Any:
    """``nfc``'s udp driver for a reader of the tags emulated at ``host:port``."""
    udp_driver: Any = nfc.clf.udp.Device
    timeout_error: type[Exception] = nfc.clf.TimeoutError

    class PairedUdpDevice(udp_driver):  # type: ignore[misc]
        socket: Any

        #: The socket sent a frame whose answer has not come: it sends no other.
        owing = False
        #: The last command went unanswered: the tag answers that one before the next.
        retrying = False

        def __init__(self, host: str, port: int) -> None:
            #: Sockets owing a late answer, each with the time it may be closed.
            self.held: list[tuple[float, socket.socket]] = []
            super().__init__(host, port)

        def send_cmd_recv_rsp(self, target: Any, data: Any, timeout: float) -> Any:
            wait = max(timeout, LEAST_WAIT_S) if timeout > 0 else timeout
            if wait > 0 and self.retrying:
                wait += LEAST_WAIT_S
            try:
                answer = super().send_cmd_recv_rsp(target, data, wait)
            except timeout_error:
                self.retrying = data is not None
                raise
            self.retrying = False
            return answer

        def _send_data(self, brty: str, data: Any, addr: tuple[str, int]) -> None:
            if brty == "RFOFF":  # the field switched off: nothing answers it
                super()._send_data(brty, data, addr)
                return
            if self.owing:
                self._hold_socket()
            else:
                self._drop_strays()
            super()._send_data(brty, data, addr)
            self.owing = True

        def _recv_data(self, timeout: float | None, *brty_list: str) -> Any:
            received = super()._recv_data(timeout, *brty_list)
            self.owing = False
            return received

        def mute(self) -> None:
            if self.socket is not None and self.owing:
                self._hold_socket()
            self.retrying = False
            super().mute()

        def close(self) -> None:
            super().close()
            for _until, held in self.held:
                held.close()
            self.held.clear()

        def _drop_strays(self) -> None:
            """Drop what reached this port before its next frame goes out: it answers
            nothing that frame asks (a tag's answer that came twice, say)."""
            if self.socket is None:
                return
            dropped = 0
            while select.select([self.socket], [], [], 0)[0]:
                self.socket.recvfrom(1024)
                dropped += 1
            if dropped:
                log.debug("NFC reader: dropped %d frame(s) that answered no command", dropped)

        def _hold_socket(self) -> None:
            """Hold the owing socket, unread, and go on from a fresh one on a new port."""
            now = time.monotonic()
            kept = []
            for until, held in self.held:
                if until <= now or select.select([held], [], [], 0)[0]:
                    held.close()  # answered (it owed one answer), or held long enough
                else:
                    kept.append((until, held))
            log.debug("NFC reader: a frame went unanswered; the next goes from a new port")
            self.held = [*kept, (now + HOLD_S, self.socket)]
            self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.owing = False

    device = PairedUdpDevice(host, port)
    # named as nfcpy names its own (``kiosk doctor`` shows it so)
    device._vendor_name = platform.uname()[0]
    device._device_name, device._chipset_name = "IP-Stack", "UDP"
    device._path = f"udp:{host}:{port}"
    return device
