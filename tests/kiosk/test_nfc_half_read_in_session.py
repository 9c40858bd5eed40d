"""A tag whose read broke off while it lay on the reader asks the citizen to tap again.

The tag answered its capability container and the head of its record, then nothing
more, on both reads, while it answered every presence check. The kiosk took it for
a card without data and went on as if it had none; it now fails the read as one cut
short, with the message for that, and one log line that names no data.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from pathlib import Path

import pytest

from cardio.emulators.nfc_emulator import mime_message
from cardio.errors import Reason
from cardio.readers.nfc import NfcReader
from contract.catalog import Catalog
from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.executor import InlineExecutor
from kiosk.session.machine import Phase, SessionState
from testkit.breaking_tags import BreakingNtag
from testkit.kiosk_controller import started_controller
from testkit.nfc_udp import NFC_EVENT_DEADLINE_S, free_udp_port, udp_path
from testkit.waits import wait_for
from ui.problems import PROBLEMS
from ui.texts import TEXTS

pytestmark = pytest.mark.timeout(60)

NIK = "1471014101900001"
RECORD = mime_message("application/x-anjungan-card", f"NIK {NIK} ".encode() * 20)


def test_a_tag_that_breaks_off_its_read_asks_the_citizen_to_tap_again(
    tmp_path: Path, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
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

    with started_controller(
        config,
        catalog,
        executor=InlineExecutor(),
        clock=time.monotonic,
        now=lambda: dt.datetime(2026, 11, 22, 9, 40, tzinfo=dt.UTC),
        reader=NfcReader(path),
    ) as kiosk:
        kiosk.subscribe(seen)
        with BreakingNtag(RECORD, path, silent_from=8):
            wait_for(settled, "the tap's outcome", 4 * NFC_EVENT_DEADLINE_S)
    state = outcomes[0]
    assert (state.phase, state.problem, state.identity) == (
        Phase.ERROR,
        Reason.REMOVED_DURING_READ,
        None,
    )
    notice = PROBLEMS[Reason.REMOVED_DURING_READ]
    assert TEXTS[notice.todo] == "Tempelkan kartu lagi dan tahan sampai selesai dibaca."
    failed = [r for r in caplog.records if r.getMessage().startswith("card read failed")]
    assert [(r.levelno, r.name) for r in failed] == [(logging.WARNING, "kiosk.controller")]
    assert "removed_during_read" in failed[0].getMessage()
    assert NIK not in caplog.text
