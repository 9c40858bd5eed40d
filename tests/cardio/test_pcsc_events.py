"""Reader and card events from a real pcscd, including the service going away."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from cardio.card import apdu
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.vpcd import DEFAULT_ATR, VpcdCard
from cardio.readers.events import (
    CardPresented,
    CardRemoved,
    ReaderAdded,
    ReaderEvent,
    ReaderRemoved,
)
from cardio.readers.pcsc import PcscReader
from testkit.pcscd import FRIENDLY_NAME, READER, SECOND_READER, Pcscd
from testkit.reader_events import EventLog
from testkit.waits import wait_until

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]

UID = bytes.fromhex("04A1B2C3D4E5F6")
#: What the kiosk sees of the card's ATR: vpcd hands on the card's own bytes.
ATR = bytes.fromhex("3B 80 80 01 01")


def watcher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "pcsc-watch"]


def test_reader_and_card_events(pcscd: Pcscd, events: EventLog) -> None:
    assert DEFAULT_ATR == ATR
    reader = PcscReader(reader_filter=FRIENDLY_NAME, poll_interval_s=0.2)
    reader.start(events)
    try:
        added = events.wait_for(ReaderAdded(READER))
        events.wait_for(ReaderAdded(SECOND_READER))
        card = VpcdCard(CitizenCardApplet(uid=UID, record=None), port=pcscd.port)
        with card:
            presented = events.wait_for(CardPresented(READER, ATR))
            assert presented > added
            # The reader is usable as soon as the event says so.
            with reader.connect(READER) as conn:
                assert conn.transmit(apdu.GET_UID) == UID + b"\x90\x00"
        removed = events.wait_for(CardRemoved(READER), after=presented)
    finally:
        started = time.monotonic()
        reader.stop()
        stop_took = time.monotonic() - started
    assert stop_took < 1.0
    assert watcher_threads() == []
    assert events.snapshot() == [
        ReaderAdded(READER),
        ReaderAdded(SECOND_READER),
        CardPresented(READER, ATR),
        CardRemoved(READER),
    ]
    assert removed == 3
    reader.stop()  # idempotent


def test_a_card_already_on_the_reader_is_reported_at_start(pcscd: Pcscd, events: EventLog) -> None:
    with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=pcscd.port):
        pcscd.wait_card()
        reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
        reader.start(events)
        try:
            events.wait_for(CardPresented(READER, ATR))
        finally:
            reader.stop()
    assert events.snapshot() == [ReaderAdded(READER), CardPresented(READER, ATR)]


def test_stop_is_prompt_even_with_a_long_poll_interval(pcscd: Pcscd, events: EventLog) -> None:
    reader = PcscReader(poll_interval_s=30.0)
    reader.start(events)
    events.wait_for(ReaderAdded(READER))
    started = time.monotonic()
    reader.stop()
    assert time.monotonic() - started < 1.0  # SCardCancel ended the wait
    assert watcher_threads() == []


def test_a_listener_that_raises_does_not_stop_the_watcher(
    pcscd: Pcscd, events: EventLog, caplog: pytest.LogCaptureFixture
) -> None:
    def listener(event: ReaderEvent) -> None:
        events(event)
        raise RuntimeError("listener bug")

    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    with caplog.at_level(logging.ERROR, logger="cardio"):
        reader.start(listener)
        try:
            events.wait_for(ReaderAdded(READER))
            with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=pcscd.port):
                events.wait_for(CardPresented(READER, ATR))
        finally:
            reader.stop()
    assert "listener bug" in caplog.text


def test_watcher_survives_the_service_being_down_and_recovers(
    pcscd: Pcscd, events: EventLog, caplog: pytest.LogCaptureFixture
) -> None:
    pcscd.stop()
    reader = PcscReader(reader_filter=FRIENDLY_NAME, poll_interval_s=0.2)
    with caplog.at_level(logging.INFO, logger="cardio"):
        reader.start(events)
        try:
            # Several failed attempts to reach pcscd (backoff 0.25, 0.5, 1 s).
            wait_until(
                lambda: "card service unavailable" in caplog.text, 5.0, "the watcher to retry"
            )
            time.sleep(1.0)
            assert len(watcher_threads()) == 1
            assert events.snapshot() == []
            pcscd.start()
            events.wait_for(ReaderAdded(READER))
            with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=pcscd.port):
                events.wait_for(CardPresented(READER, ATR))
                with reader.connect(READER) as conn:
                    assert conn.transmit(apdu.GET_UID) == UID + b"\x90\x00"
        finally:
            reader.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert caplog.text.count("card service unavailable") == 1  # said once, not per retry


def test_watcher_survives_pcscd_dying_and_recovers(pcscd: Pcscd, events: EventLog) -> None:
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=pcscd.port) as card:
            presented = events.wait_for(CardPresented(READER, ATR))
            pcscd.stop()  # the card is still in the field
            removed = events.wait_for(CardRemoved(READER), after=presented)
            gone = events.wait_for(ReaderRemoved(READER), after=removed)
            assert reader.readers() == []
            wait_until(lambda: not card.inserted, 5.0, "vpcd to drop the card's connection")
        pcscd.start()
        back = events.wait_for(ReaderAdded(READER), after=gone)
        with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=pcscd.port):
            events.wait_for(CardPresented(READER, ATR), after=back)
    finally:
        reader.stop()
    assert events.snapshot() == [
        ReaderAdded(READER),
        CardPresented(READER, ATR),
        CardRemoved(READER),
        ReaderRemoved(READER),
        ReaderAdded(READER),
        CardPresented(READER, ATR),
    ]
