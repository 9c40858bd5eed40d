"""Emulated tags that break off their NDEF read part-way while they stay in the field.

A tag stops answering by not sending its answers (no sleeps): the reader's command
goes unanswered, as over a radio when the tag browns out or slips to the field's edge.
"""

from __future__ import annotations

from typing import Any

from cardio.emulators.nfc_emulator import NtagEmulator

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
