"""Readers coming and going under a running :class:`PcscReader`.

A vpcd reader cannot be unplugged: it exists while pcscd has its entry in
the reader configuration. pcsc-lite 1.9.9 as Debian builds it (udev hot-plug)
reads that configuration only at start: ``pcscd --hotplug`` (SIGUSR1)
reaches the daemon but does not rescan serial readers, vpcd's kind. And one
pcscd serves one vpcd entry: a second entry shares the driver's slots with
the first. So a reader appears and disappears here the one honest way the
stack allows: pcscd restarts with its entry gone or replaced, and the
watcher follows without being restarted itself (see docs/pcsc.md).
"""

from __future__ import annotations

import logging
import time

import pytest

from cardio.emulators.vpcd import VpcdCard
from cardio.errors import CardServiceUnavailable, ReaderUnavailable
from cardio.readers.events import CardPresented, CardRemoved, ReaderAdded, ReaderRemoved
from cardio.readers.pcsc import PcscReader
from testkit.pcscd import (
    FRIENDLY_NAME,
    READER,
    Pcscd,
    free_port_pair,
    rescan_readers,
    start_pcscd,
    write_reader_entry,
)
from testkit.pcscd_usage import card_handles, client_sessions, commands, log_text
from testkit.reader_events import EventLog
from testkit.uid_cards import ATR, UidCard, tap_and_read
from testkit.waits import wait_until

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]

#: The reader that takes the place of the fixture's own.
OTHER_NAME = "Anjungan Other VPCD"
OTHER_READER = f"{OTHER_NAME} 00 00"
#: Long enough for several watcher polls (0.2 s) and pcscd reader polls (0.4 s).
QUIET_WINDOW_S = 1.5


def test_readers_appear_and_disappear_across_restarts(
    pcscd: Pcscd, events: EventLog, caplog: pytest.LogCaptureFixture
) -> None:
    """The fixture's reader goes; the service comes back with no reader at
    all; then with another reader, which reads; then the first one again."""
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    own_entry = pcscd.config_dir / "vpcd"
    other_port = free_port_pair()
    with caplog.at_level(logging.WARNING, logger="cardio"):
        reader.start(events)
        try:
            events.wait_for(ReaderAdded(READER))

            pcscd.stop()
            own_entry.unlink()
            start_pcscd(pcscd, expect=None)  # the service, without any reader
            quiet_from = len(log_text(pcscd))
            time.sleep(QUIET_WINDOW_S)
            waits = commands(log_text(pcscd)[quiet_from:])["CMD_WAIT_READER_STATE_CHANGE"]
            assert waits <= 3 * QUIET_WINDOW_S / 0.2  # it blocks in each wait; it does not spin
            assert reader.readers() == []
            with pytest.raises(ReaderUnavailable), reader.connect(READER):
                pytest.fail("connected to a reader that is gone")

            pcscd.stop()
            other_entry = write_reader_entry(pcscd, "vpcd-other", OTHER_NAME, other_port)
            start_pcscd(pcscd, expect=OTHER_READER)
            events.wait_for(ReaderAdded(OTHER_READER))
            tap_and_read(reader, events, OTHER_READER, other_port)

            pcscd.stop()
            other_entry.unlink()
            write_reader_entry(pcscd, "vpcd", FRIENDLY_NAME, pcscd.port)
            start_pcscd(pcscd, expect=READER)
            back = events.wait_for(ReaderAdded(READER), after=1)
            assert reader.readers() == [READER]
            with pytest.raises(ReaderUnavailable), reader.connect(OTHER_READER):
                pytest.fail("connected to a reader that is gone")
            tap_and_read(reader, events, READER, pcscd.port)
        finally:
            reader.stop()
    assert events.snapshot() == [
        ReaderAdded(READER),
        ReaderRemoved(READER),  # pcscd stopped
        # (the service back without readers: nothing to report)
        ReaderAdded(OTHER_READER),
        CardPresented(OTHER_READER, ATR),
        CardRemoved(OTHER_READER),
        ReaderRemoved(OTHER_READER),
        ReaderAdded(READER),
        CardPresented(READER, ATR),
        CardRemoved(READER),
    ]
    assert back == 6
    # Restarts are weather, not faults: warnings at most, never an error.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_rescan_signal_changes_what_it_can_and_breaks_nothing(
    pcscd: Pcscd, events: EventLog
) -> None:
    """``pcscd --hotplug`` after the reader's entry is replaced by another one.

    A pcsc-lite that rescans serial readers would remove the first reader and
    add the other, and the watcher must then report both through the PnP
    notification, with no restart. pcsc-lite 1.9.9 here does neither: the
    signal is received and nothing changes, so no event may be emitted.
    """
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        assert pcscd.process is not None
        pid = pcscd.process.pid
        (pcscd.config_dir / "vpcd").unlink()
        other_port = free_port_pair()
        write_reader_entry(pcscd, "vpcd-other", OTHER_NAME, other_port)
        before = len(events.snapshot())
        rescan_readers(pcscd)
        wait_until(
            lambda: "Received signal: 10" in log_text(pcscd),
            5.0,
            "pcscd to log the rescan signal (SIGUSR1)",
        )
        time.sleep(QUIET_WINDOW_S)
        assert pcscd.process is not None and pcscd.process.pid == pid  # no restart
        listed = pcscd.list_readers()
        if OTHER_READER in listed:
            events.wait_for(ReaderRemoved(READER), after=before)
            events.wait_for(ReaderAdded(OTHER_READER), after=before)
            tap_and_read(reader, events, OTHER_READER, other_port)
        else:
            assert READER in listed
            assert events.snapshot()[before:] == []  # no spurious events either
            tap_and_read(reader, events, READER, pcscd.port)
    finally:
        reader.stop()


def test_pcscd_restart_under_a_running_reader_then_a_tap_reads(
    pcscd: Pcscd, events: EventLog
) -> None:
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        _, removed = tap_and_read(reader, events, READER, pcscd.port)
        pcscd.stop()
        gone = events.wait_for(ReaderRemoved(READER), after=removed)
        assert reader.readers() == []
        with pytest.raises(CardServiceUnavailable), reader.connect(READER):
            pytest.fail("connected without a card service")
        pcscd.start()
        back = events.wait_for(ReaderAdded(READER), after=gone)
        tap_and_read(reader, events, READER, pcscd.port)
    finally:
        reader.stop()
    assert events.snapshot() == [
        ReaderAdded(READER),
        CardPresented(READER, ATR),
        CardRemoved(READER),
        ReaderRemoved(READER),
        ReaderAdded(READER),
        CardPresented(READER, ATR),
        CardRemoved(READER),
    ]
    assert back == 4


def test_card_handles_are_acquired_per_tap(pcscd: Pcscd, events: EventLog) -> None:
    """pcscd's own log counts one SCardConnect per tap, none from the watcher,
    and a fresh handle each time, across a restart of pcscd."""
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        before = log_text(pcscd)
        for _ in range(2):
            tap_and_read(reader, events, READER, pcscd.port)
        pcscd.stop()
        gone = events.wait_for(ReaderRemoved(READER))
        pcscd.start()
        events.wait_for(ReaderAdded(READER), after=gone)
        for _ in range(2):
            tap_and_read(reader, events, READER, pcscd.port)
        time.sleep(QUIET_WINDOW_S)  # the watcher alone: no card traffic of its own
    finally:
        reader.stop()
    during = log_text(pcscd)[len(before) :]
    # Four connections asked for a card, one per tap (the watcher's never did),
    # each once, each closed after; and each got a handle of its own.
    taps = [s for s in client_sessions(during) if "CONNECT" in s.commands]
    assert [t.commands.count("CONNECT") for t in taps] == [1, 1, 1, 1]
    assert all(t.closed and "RELEASE_CONTEXT" in t.commands for t in taps)
    assert len(set(card_handles(during))) == 4


def test_a_card_present_through_a_restart_is_presented_again(
    pcscd: Pcscd, events: EventLog
) -> None:
    """The card stays in the field while pcscd restarts: vpcd drops it, the
    same card is presented again, and the watcher reports it afresh."""
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    card = VpcdCard(UidCard(), port=pcscd.port)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        card.insert()
        events.wait_for(CardPresented(READER, ATR))
        pcscd.stop()
        gone = events.wait_for(ReaderRemoved(READER))
        wait_until(lambda: not card.inserted, 5.0, "the card to see vpcd go")
        pcscd.start()
        back = events.wait_for(ReaderAdded(READER), after=gone)
        card.insert()
        events.wait_for(CardPresented(READER, ATR), after=back)
        with reader.connect(READER) as conn:
            assert conn.transmit(bytes.fromhex("FFCA000000"))[-2:] == b"\x90\x00"
    finally:
        card.remove()
        reader.stop()
