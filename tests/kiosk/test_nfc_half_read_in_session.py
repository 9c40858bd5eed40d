"""What the citizen sees of an NFC tag whose read broke off, and of a card without NDEF.

A tag that answered its capability container and the head of its record, then nothing
more, on both reads, while it answered every presence check, was taken for a card
without data; the kiosk now fails the read as one cut short, with the message for
that, and one log line that names no data. A FeliCa card without the NDEF system (a
transit or e-money card, a phone) does not answer nfcpy's polling for it: that is a
card without NDEF, a UID-only card, never a read cut short.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from cardio.emulators.nfc_emulator import mime_message
from cardio.errors import Reason
from cardio.readers.events import CardPresented, CardRemoved, ReaderEvent, ReaderListener
from cardio.readers.nfc import NfcReader
from contract.assurance import Assurance
from contract.catalog import Catalog
from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.executor import InlineExecutor
from kiosk.session.machine import Phase, SessionState
from testkit.breaking_tags import BreakingNtag, FelicaWithoutNdef
from testkit.kiosk_controller import started_controller
from testkit.nfc_udp import NFC_EVENT_DEADLINE_S, free_udp_port, udp_path
from testkit.reader_events import EventLog
from testkit.waits import wait_for
from ui.problems import PROBLEMS
from ui.texts import TEXTS

pytestmark = pytest.mark.timeout(60)

NIK = "1471014101900001"
RECORD = mime_message("application/x-anjungan-card", f"NIK {NIK} ".encode() * 20)
#: The record's first NIK lies in bytes 57 to 72 of the tag, the pages of the READs
#: of pages 12 and 16: a tag silent from page 20 on gave it before it broke off.
SILENT_FROM = 20


class HeardReader(NfcReader):
    """An :class:`NfcReader` that logs each event once the kiosk has handled it."""

    def __init__(self, path: str, targets: Sequence[str]) -> None:
        super().__init__(path, targets=targets)
        self.heard = EventLog()

    def start(self, listener: ReaderListener) -> None:
        def handled(event: ReaderEvent) -> None:
            listener(event)
            self.heard(event)

        super().start(handled)


def one_tap(
    tmp_path: Path,
    catalog: Catalog,
    tag: Callable[[str], AbstractContextManager[Any]],
    targets: Sequence[str] = ("106A",),
) -> tuple[list[SessionState], Any]:
    """Every outcome of a tap of ``tag`` (made for the reader's path), from its arrival
    until the kiosk has handled its removal; and the tag."""
    path = udp_path(free_udp_port())
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path)),
        printer=PrinterSection(output_dir=str(tmp_path)),
    )
    outcomes: list[SessionState] = []
    settled = threading.Event()

    def seen(state: SessionState) -> None:
        if state.phase not in (Phase.IDLE, Phase.READING):
            outcomes.append(state)
            settled.set()

    reader = HeardReader(path, targets)
    with started_controller(
        config,
        catalog,
        executor=InlineExecutor(),
        clock=time.monotonic,
        now=lambda: dt.datetime(2026, 11, 22, 9, 40, tzinfo=dt.UTC),
        reader=reader,
    ) as kiosk:
        kiosk.subscribe(seen)
        with tag(path) as tapped:
            wait_for(settled, "the tap's outcome", 4 * NFC_EVENT_DEADLINE_S)
        presented = next(e for e in reader.heard.snapshot() if isinstance(e, CardPresented))
        arrived = reader.heard.snapshot().index(presented)
        reader.heard.wait_for(CardRemoved(reader.name), arrived, NFC_EVENT_DEADLINE_S)
    return outcomes, tapped


def test_a_tag_that_breaks_off_its_read_asks_the_citizen_to_tap_again(
    tmp_path: Path, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    outcomes, tag = one_tap(
        tmp_path, catalog, lambda path: BreakingNtag(RECORD, path, silent_from=SILENT_FROM)
    )
    assert [(s.phase, s.problem, s.identity) for s in outcomes] == [
        (Phase.ERROR, Reason.REMOVED_DURING_READ, None)
    ]
    notice = PROBLEMS[Reason.REMOVED_DURING_READ]
    assert TEXTS[notice.todo] == "Tempelkan kartu lagi dan tahan sampai selesai dibaca."
    failed = [r for r in caplog.records if r.getMessage().startswith("card read failed")]
    assert [(r.levelno, r.name) for r in failed] == [(logging.WARNING, "kiosk.controller")]
    assert "removed_during_read" in failed[0].getMessage()
    # the tag gave the pages that hold the NIK, on both reads; no log line names it
    assert tag.reads.count(16) == 2 and max(tag.reads) == SILENT_FROM
    assert NIK not in caplog.text
    assert NIK.encode().hex() not in caplog.text.lower()


def test_a_felica_card_without_ndef_is_a_uid_only_card(tmp_path: Path, catalog: Catalog) -> None:
    """It was "Kartu terangkat terlalu cepat" on every tap: nfcpy's polling for the
    NDEF system, which such a card does not answer, was taken for a read cut short."""
    outcomes, _ = one_tap(tmp_path, catalog, lambda path: FelicaWithoutNdef(b"", path), ("212F",))
    assert len(outcomes) == 1
    identity = outcomes[0].identity
    assert (outcomes[0].phase, outcomes[0].problem) == (Phase.IDENTIFIED, None)
    assert identity is not None
    assert (identity.uid, identity.citizen, identity.assurance) == (
        FelicaWithoutNdef.IDM,
        None,
        Assurance.UNVERIFIED,
    )
