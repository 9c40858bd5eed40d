"""Emulated tags that break off their NDEF read part-way while they stay in the field.

A tag stops answering by not sending its answers (no sleeps): the reader's command
goes unanswered, as over a radio when the tag browns out or slips to the field's edge.
"""

from __future__ import annotations

from typing import Any

from cardio.emulators.nfc_emulator import IsoDepEmulator, NtagEmulator, Type3NdefEmulator
from cardio.emulators.nfc_tags import NDEF_AID, NDEF_FILE, Type4NdefApplet

#: The first page of the NDEF TLV (:func:`cardio.emulators.nfc_tags.ntag_memory`): a read
#: of an NTAG's NDEF message asks for it once.
FIRST_RECORD_PAGE = 4


class BreakingNtag(NtagEmulator):
    """An NTAG that answers no READ from page ``silent_from`` on, however often asked,
    during its first ``broken_reads`` reads of the NDEF message (all, if None), and
    every other command as an NTAG does: the presence check (READ of page 0) too.

    With ``silent_from`` 8 the tag breaks off after the first four pages of its record.
    """

    def __init__(
        self, message: bytes, path: str, silent_from: int, broken_reads: int | None = None
    ) -> None:
        super().__init__(message, path)
        self.silent_from = silent_from
        self.broken_reads = broken_reads
        #: The page of every READ the tag received, answered or not.
        self.reads: list[int] = []

    def answer(self, command: bytes) -> bytes:
        if command[:1] == b"\x30":
            self.reads.append(command[1])
        return super().answer(command)

    def _exchange(self, nfc: Any, clf: Any, response: bytes | None) -> bytes | None:
        started = self.reads.count(FIRST_RECORD_PAGE)
        breaking = self.broken_reads is None or started <= self.broken_reads
        if breaking and self.reads and self.reads[-1] >= self.silent_from:
            response = None  # no answer: wait for the reader's next command
        return super()._exchange(nfc, clf, response)


class BreakingType3Tag(Type3NdefEmulator):
    """A Type 3 Tag that answers no read asking for a block from ``silent_from`` on,
    however often asked, during its first ``broken_reads`` reads of the NDEF message
    (all, if None), and every other command as the tag does: the presence check (a
    polling) too. A read of the message starts with the attribute block, block 0.
    """

    def __init__(
        self, message: bytes, path: str, silent_from: int, broken_reads: int | None = None
    ) -> None:
        super().__init__(message, path)
        self.silent_from = silent_from
        self.broken_reads = broken_reads
        #: Every block a command asked for, answered or not.
        self.blocks: list[int] = []
        self._asked: list[int] = []  # the blocks the last command asked for

    def _read_block(self, number: int, rb: bool, re: bool) -> bytearray | None:
        self.blocks.append(number)
        self._asked.append(number)
        return super()._read_block(number, rb, re)

    def _process(self, tag: Any, command: bytes) -> bytes | None:
        self._asked = []
        return super()._process(tag, command)

    def _exchange(self, nfc: Any, clf: Any, response: bytes | None) -> bytes | None:
        breaking = self.broken_reads is None or self.blocks.count(0) <= self.broken_reads
        if breaking and any(block >= self.silent_from for block in self._asked):
            response = None  # no answer: wait for the reader's next command
        return super()._exchange(nfc, clf, response)


class FelicaWithoutNdef(Type3NdefEmulator):
    """A FeliCa card whose one system is 0003 (a FeliCa Standard transit or e-money
    card, a phone): no NDEF system 12FC. Like such a card it answers no polling for
    12FC, but every polling for its own system or for any (FFFF), so it stays held."""

    def _local_target(self, nfc: Any) -> Any:
        target = super()._local_target(nfc)
        target.sensf_res = target.sensf_res[:17] + bytearray(b"\x00\x03")
        return target


class BreakingType4Tag(IsoDepEmulator):
    """A Type 4 Tag that answers no READ BINARY of its NDEF file from offset ``silent_from``
    on during its first ``broken_reads`` reads of the NDEF message (all, if None), and
    every other command as :class:`Type4NdefApplet` does. A read of the message starts
    with the SELECT of the NDEF application.

    Over ISO-DEP the reader sends R(NAK) for a block that went unanswered, and checks
    the card's presence with one too: the card leaves the READ and nfcpy's R(NAK)s for it
    unanswered (``min(int(1 / FWT), 5)`` of them, nfcpy's count), then answers again.
    """

    def __init__(
        self, message: bytes, path: str, silent_from: int, broken_reads: int | None = None
    ) -> None:
        super().__init__(_BreakingNdefApplet(self, Type4NdefApplet(message)), path)
        self.silent_from = silent_from
        self.broken_reads = broken_reads
        #: Every APDU the card received.
        self.commands: list[bytes] = []
        fwt = 4096 / 13.56e6 * 2**self.fwi  # the frame waiting time, as nfcpy computes it
        self.retries = min(int(1 / fwt), 5)
        self.unanswered = 0  # answers still to hold back
        self._selected = b""
        #: Leave every SELECT of the NDEF application unanswered, as a card without it
        #: may: it never shows an NDEF message.
        self.silent_to_ndef_select = False

    def executed(self, command: bytes) -> None:
        self.commands.append(command)
        if command[1:3] == b"\xa4\x00":
            self._selected = command[5 : 5 + command[4]]
        started = sum(c[1:3] == b"\xa4\x04" and NDEF_AID in c for c in self.commands)
        breaking = self.broken_reads is None or started <= self.broken_reads
        offset = int.from_bytes(command[2:4], "big")
        reading = command[1] == 0xB0 and self._selected == NDEF_FILE
        if breaking and reading and offset >= self.silent_from:
            self.unanswered = 1 + self.retries
        if self.silent_to_ndef_select and command[1:3] == b"\xa4\x04" and NDEF_AID in command:
            self.unanswered = 1 + self.retries

    def _exchange(self, nfc: Any, clf: Any, response: bytes | None) -> bytes | None:
        if self.unanswered and response is not None:
            self.unanswered -= 1
            response = None  # no answer: wait for the reader's next frame
        return super()._exchange(nfc, clf, response)


class _BreakingNdefApplet:
    def __init__(self, card: BreakingType4Tag, applet: Type4NdefApplet) -> None:
        self.card, self.applet, self.uid = card, applet, applet.uid

    def reset(self) -> None:
        self.applet.reset()

    def execute(self, command: bytes) -> bytes:
        self.card.executed(command)
        return self.applet.execute(command)
