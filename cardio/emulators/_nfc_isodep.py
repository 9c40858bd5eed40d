"""The card side of ISO/IEC 14443-4 (ISO-DEP) for the NFC emulator.

Pure protocol logic, no I/O: :class:`IsoDepTarget` turns the frames a
reader sends after anticollision (RATS, then I-, R- and S-blocks) into the
frames a Type 4A card answers, and hands each complete command APDU to card
logic with ``execute(apdu) -> response``. :mod:`cardio.emulators.nfc_emulator` carries
the frames over nfcpy's ``udp`` driver.

What it implements (ISO/IEC 14443-4:2018, 5.1 and 7.5):

- RATS → ATS ``TL T0 TA TB TC``: FSCI 8 (the card takes 256-byte frames),
  only 106 kbit/s (TA 00), the configured FWI and SFGI 0 (TB), neither CID
  nor NAD (TC 00), no historical bytes unless given.
- Block numbers: the card's starts at 1 and toggles on every I-block
  received (rule D). R(NAK) with the card's current number repeats the last
  block, with the other number gets R(ACK) (rules 11, 12). R(ACK) with the
  card's number repeats the last block (rule 11).
- Chaining both ways: chained command I-blocks are acknowledged with R(ACK)
  and joined; a response longer than the reader's frame (FSD from RATS,
  less the PCB and two CRC bytes: 253 bytes for nfcpy's FSD of 256) is sent
  chained and continued on each R(ACK).
- S(DESELECT) is answered and ends the session; S(WTX) is never sent, so
  card logic must answer within the frame waiting time
  (``4096 / 13.56 MHz × 2^FWI``: 309 ms at the default FWI 10).

Blocks with a CID or NAD byte are ignored (the ATS offers neither).
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)

#: Frame sizes for FSDI/FSCI 0..8 (ISO/IEC 14443-4, table 1).
FRAME_SIZES = (16, 24, 32, 40, 48, 64, 96, 128, 256)
#: PCB plus the two CRC bytes every frame carries on air.
FRAME_OVERHEAD = 3

PCB_I = 0x02
PCB_R_ACK = 0xA2
PCB_R_NAK = 0xB2
PCB_S_DESELECT = 0xC2
CHAINING = 0x10
BLOCK_NUMBER = 0x01
CID_OR_NAD = 0x0C

#: Answered when the card logic itself fails (ISO 7816-4: no precise diagnosis).
SW_NO_PRECISE_DIAGNOSIS = bytes.fromhex("6F00")


class CardApplet(Protocol):
    """Card logic behind the emulated card."""

    def execute(self, command: bytes) -> bytes: ...


def build_ats(fwi: int = 10, historical: bytes = b"") -> bytes:
    """The ATS: FSCI 8, 106 kbit/s only, ``fwi``, SFGI 0, no CID/NAD."""
    if not 0 <= fwi <= 14:
        raise ValueError("FWI is 0..14")
    body = bytes([0x78, 0x00, fwi << 4, 0x00]) + historical  # T0 TA TB TC
    if len(body) + 1 > 0xFF:
        raise ValueError("too many historical bytes")
    return bytes([len(body) + 1]) + body


class IsoDepTarget:
    """One ISO-DEP card session: feed it reader frames, send what it returns.

    :meth:`activate` answers RATS; :meth:`handle` answers every later frame,
    or returns None where the card stays silent. ``active`` turns False after
    S(DESELECT).
    """

    def __init__(self, applet: CardApplet, fwi: int = 10, historical: bytes = b"") -> None:
        self.applet = applet
        self.ats = build_ats(fwi, historical)
        self.active = False
        self._max_inf = FRAME_SIZES[8] - FRAME_OVERHEAD
        self._number = 1
        self._last: bytes = b""
        self._command = bytearray()
        self._pending = b""  # response bytes still to send in chained I-blocks

    def activate(self, rats: bytes) -> bytes | None:
        """Answer RATS (``E0 <FSDI|CID>``) with the ATS and reset the session."""
        if len(rats) != 2 or rats[0] != 0xE0:
            return None
        self._max_inf = FRAME_SIZES[min(rats[1] >> 4, 8)] - FRAME_OVERHEAD
        self._number = 1
        self._command.clear()
        self._pending = b""
        self._last = self.ats
        self.active = True
        return self.ats

    def handle(self, frame: bytes) -> bytes | None:
        """The card's answer to one block from the reader, or None for silence."""
        if not self.active or not frame:
            return None
        pcb = frame[0]
        if pcb & CID_OR_NAD:
            # the block's PCB and length only: its APDU may carry a PIN or a record
            log.debug("ignoring a block with CID or NAD: PCB %02X, %d bytes", pcb, len(frame))
            return None
        if pcb & 0xE2 == PCB_I:
            return self._i_block(pcb, frame[1:])
        if pcb & 0xEE == PCB_R_ACK:
            return self._r_block(pcb)
        if pcb & 0xF7 == PCB_S_DESELECT:
            self.active = False
            return bytes([PCB_S_DESELECT])
        log.debug("ignoring an unexpected block: PCB %02X, %d bytes", pcb, len(frame))
        return None

    def _i_block(self, pcb: int, inf: bytes) -> bytes:
        self._number ^= 1  # rule D: toggle on every I-block received
        self._command += inf
        if pcb & CHAINING:
            return self._send(bytes([PCB_R_ACK | self._number]))
        command, self._command = bytes(self._command), bytearray()
        try:
            self._pending = self.applet.execute(command)
        except Exception:
            log.exception("card logic failed on a %d-byte APDU", len(command))
            self._pending = SW_NO_PRECISE_DIAGNOSIS
        return self._next_chunk()

    def _r_block(self, pcb: int) -> bytes | None:
        same_number = pcb & BLOCK_NUMBER == self._number
        if pcb & CHAINING:  # R(NAK)
            return self._last if same_number else bytes([PCB_R_ACK | self._number])
        if same_number:  # R(ACK) for our block: it was lost, send it again
            return self._last
        if self._pending:  # R(ACK) for our chained block: continue
            self._number ^= 1
            return self._next_chunk()
        return None

    def _next_chunk(self) -> bytes:
        chunk, self._pending = self._pending[: self._max_inf], self._pending[self._max_inf :]
        chaining = CHAINING if self._pending else 0
        return self._send(bytes([PCB_I | chaining | self._number]) + chunk)

    def _send(self, block: bytes) -> bytes:
        self._last = block
        return block
