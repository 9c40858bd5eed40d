"""nfcpy's ``udp`` driver as a reader, with answers paired to the commands they answer.

Over a real radio the reader's chip pairs each answer with its command: an answer the
reader gave up on is never taken for the next one. nfcpy's ``udp`` driver has no such
pairing. A datagram is an answer to whatever was sent last, and nfcpy gives a Type 2
READ 5 ms (a real NTAG answers in under one) before it sends it again. On a busy machine
the emulated tag answered after 6 ms: the answer to the first READ was taken for the
second, the second's for the next page's READ, and the tag's record came back with a
block of 16 bytes repeated in it.

:func:`reader_device` is that driver with two changes, for readers only (the emulators'
side is :mod:`cardio.emulators._nfc_emulator_base`):

- every command waits at least :data:`LEAST_WAIT_S` for its answer (nfcpy's own wait
  for a Type 2 presence check), so a slow thread is not taken for a silent tag;
- after a command went unanswered, the next one first waits up to
  :data:`LEAST_WAIT_S` for the late answer and drops it; any other datagram already
  waiting is dropped too. A tag gone from the field delays its removal by that wait
  once per retry.
"""

from __future__ import annotations

import logging
import platform
import select
import time
from types import ModuleType
from typing import Any

log = logging.getLogger("cardio.readers.nfc")

#: The least time a command waits for its answer, and a late answer is waited for.
LEAST_WAIT_S = 0.1


def reader_device(nfc: ModuleType, host: str, port: int) -> Any:
    """``nfc``'s udp driver for a reader of the tags emulated at ``host:port``."""
    udp_driver: Any = nfc.clf.udp.Device
    timeout_error: type[Exception] = nfc.clf.TimeoutError

    class PairedUdpDevice(udp_driver):  # type: ignore[misc]
        socket: Any

        #: A command was sent and its answer not received: it may still come.
        owed = False

        def send_cmd_recv_rsp(self, target: Any, data: Any, timeout: float) -> Any:
            if data is not None:
                self._drop_late_answers()
            wait = max(timeout, LEAST_WAIT_S) if timeout > 0 else timeout
            try:
                answer = super().send_cmd_recv_rsp(target, data, wait)
            except timeout_error:
                self.owed = data is not None
                raise
            return answer

        def _drop_late_answers(self) -> None:
            """Drop what was answered to commands given up on (up to one late answer)."""
            if self.socket is None:
                return
            until = time.monotonic() + (LEAST_WAIT_S if self.owed else 0.0)
            while True:
                left = max(0.0, until - time.monotonic())
                if not select.select([self.socket], [], [], left)[0]:
                    break
                late, _addr = self.socket.recvfrom(1024)
                log.debug("NFC reader: dropped a late answer (%d bytes)", len(late))
                if self.owed:  # the one it waited for: drop only what else is there now
                    self.owed, until = False, 0.0
            self.owed = False

    device = PairedUdpDevice(host, port)
    # named as nfcpy names its own (``kiosk doctor`` shows it so)
    device._vendor_name = platform.uname()[0]
    device._device_name, device._chipset_name = "IP-Stack", "UDP"
    device._path = f"udp:{host}:{port}"
    return device
