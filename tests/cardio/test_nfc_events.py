"""Reader and card events of the nfcpy backend; a missing device; taps without leaks."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from cardio.card import apdu
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.nfc_emulator import (
    IsoDepEmulator,
    NtagEmulator,
    Type3NdefEmulator,
    mime_message,
)
from cardio.errors import CardRemovedDuringRead, ReaderUnavailable
from cardio.readers import nfcpy_loader
from cardio.readers._nfc_worker import target_words
from cardio.readers.atr import ISO_DEP_ATR, atr_for_tag_type
from cardio.readers.events import CardPresented, CardRemoved, ReaderAdded
from cardio.readers.nfc import NfcReader
from cardio.readers.reader import NdefConnection
from testkit.nfc_udp import (
    NFC_EVENT_DEADLINE_S,
    free_udp_port,
    nfc_threads,
    running_reader,
    udp_path,
    udp_sockets,
)
from testkit.reader_events import EventLog

pytestmark = pytest.mark.timeout(120)

UID = bytes.fromhex("04A1B2C3D4E5F6")
MIME = "application/x-anjungan-card"


def test_present_and_remove_give_card_events() -> None:
    path = udp_path(free_udp_port())
    emulator = IsoDepEmulator(CitizenCardApplet(uid=UID, record=None), path)
    with running_reader(path) as (reader, events):
        try:
            name = reader.name
            assert events.wait_for(ReaderAdded(name), timeout_s=NFC_EVENT_DEADLINE_S) == 0
            emulator.present()
            first = events.wait_for(CardPresented(name, ISO_DEP_ATR), 1, NFC_EVENT_DEADLINE_S)
            removed_at = time.monotonic()
            emulator.remove()
            gone = events.wait_for(CardRemoved(name), first, NFC_EVENT_DEADLINE_S)
            # presence interval (0.25 s) plus one frame waiting time (0.31 s)
            assert time.monotonic() - removed_at < 1.5
            emulator.present()
            events.wait_for(CardPresented(name, ISO_DEP_ATR), gone, NFC_EVENT_DEADLINE_S)
        finally:
            emulator.remove()
    assert events.snapshot() == [
        ReaderAdded(name),
        CardPresented(name, ISO_DEP_ATR),
        CardRemoved(name),
        CardPresented(name, ISO_DEP_ATR),
    ]  # stop() reports nothing more


def test_type3_tag_events() -> None:
    path = udp_path(free_udp_port())
    tag = Type3NdefEmulator.mime("text/plain", b"halo", path)
    with running_reader(path, targets=("106A", "212F")) as (reader, events):
        try:
            tag.present()
            presented = CardPresented(reader.name, atr_for_tag_type("Type3Tag"))
            index = events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
            tag.remove()
            events.wait_for(CardRemoved(reader.name), index, NFC_EVENT_DEADLINE_S)
        finally:
            tag.remove()


def test_a_tag_swapped_for_another_is_removed_and_the_other_presented() -> None:
    """A Type A tag coming into the field answers nothing until a reader selects it
    (ISO/IEC 14443-3). The emulated NTAG answered whatever came first, the presence
    check of the tag it replaced too: the swap was never reported, and the first tag's
    connection read the second tag's message."""
    path = udp_path(free_udp_port())
    first = NtagEmulator(mime_message(MIME, b"first"), path, uid=bytes.fromhex("04A1A1A1A1A1A1"))
    second = NtagEmulator(mime_message(MIME, b"second"), path, uid=bytes.fromhex("04B2B2B2B2B2B2"))
    presented = CardPresented(f"nfcpy {path}", atr_for_tag_type("Type2Tag"))
    with running_reader(path) as (reader, events):
        try:
            first.present()
            tapped = events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
            with reader.connect(reader.name) as conn:
                assert isinstance(conn, NdefConnection)
                first.remove()
                second.present()
                with pytest.raises(CardRemovedDuringRead):
                    conn.ndef_records()
            removed = events.wait_for(CardRemoved(reader.name), tapped, NFC_EVENT_DEADLINE_S)
            events.wait_for(presented, removed, NFC_EVENT_DEADLINE_S)
            with reader.connect(reader.name) as conn:
                assert isinstance(conn, NdefConnection)
                assert conn.transmit(apdu.GET_UID) == second.uid + b"\x90\x00"
                records = conn.ndef_records()
        finally:
            first.remove()
            second.remove()
    assert records == [(MIME, b"second")]


@pytest.mark.parametrize("path", ["usb:054c:06c3", "usb"])
def test_a_missing_usb_reader_is_retried_quietly_and_stops_promptly(path: str) -> None:
    events = EventLog()
    reader = NfcReader(path)
    # The NFC layer's own threads: the test process's others (an earlier test's HTTP
    # pool, a centre's output pumps) come and go meanwhile.
    threads = nfc_threads()
    reader.start(events)
    try:
        time.sleep(0.6)  # a few open attempts with backoff
        assert reader.readers() == []
        with pytest.raises(ReaderUnavailable), reader.connect(reader.name):
            pass
    finally:
        started = time.monotonic()
        reader.stop()
        stopped_in = time.monotonic() - started
    assert stopped_in < 0.5
    assert events.snapshot() == []
    for thread in nfc_threads():  # stopping, on a busy machine: a leaked one never ends
        thread.join(NFC_EVENT_DEADLINE_S)
    assert nfc_threads() == threads == []


@pytest.mark.slow
def test_twenty_taps_leak_no_threads_or_sockets() -> None:
    path = udp_path(free_udp_port())
    emulator = IsoDepEmulator(CitizenCardApplet(uid=UID, record=None), path)
    # Only the NFC layer's own threads and sockets: the test process's other threads
    # (an earlier test's HTTP pool, a centre's output pumps) open and close files meanwhile.
    threads, sockets = nfc_threads(), udp_sockets()
    with running_reader(path) as (reader, events):
        try:
            after = 0
            for _ in range(20):
                emulator.present()
                after = events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), after)
                with reader.connect(reader.name) as conn:
                    assert conn.transmit(apdu.GET_UID) == UID + b"\x90\x00"
                    assert conn.transmit(bytes.fromhex("00 B0 00 00 02")) == bytes.fromhex("6985")
                emulator.remove()
                after = events.wait_for(CardRemoved(reader.name), after)
        finally:
            emulator.remove()
    presented = [e for e in events.snapshot() if isinstance(e, CardPresented)]
    assert len(presented) == 20
    for thread in nfc_threads():  # stopping, on a busy machine: a leaked one never ends
        thread.join(NFC_EVENT_DEADLINE_S)
    assert nfc_threads() == threads == []
    assert udp_sockets() == sockets


class ShortAtsCard(IsoDepEmulator):
    """A Type 4A card that answers RATS with an ATS cut short (its length byte says 5,
    two bytes come): nfcpy cannot activate it, and the reader says so in its log."""

    def _serve(self, nfc: Any, clf: Any, activated: Any, stop: threading.Event) -> None:
        if activated.tt4_cmd is None or not clf.device.selected:
            return
        self._exchange(nfc, clf, bytes.fromhex("0578"))


def test_a_card_that_cannot_be_activated_is_logged_without_its_uid(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A UID names its card's holder to whoever has the city's list of UIDs: the log
    line of a card nfcpy could not activate says why, never the UID (as a card read's
    line says ``uid=<7 bytes>``)."""
    path = udp_path(free_udp_port())
    emulator = ShortAtsCard(CitizenCardApplet(uid=UID, record=None), path)
    worker = "cardio.readers._nfc_worker"
    with caplog.at_level(logging.INFO, logger=worker), running_reader(path) as (reader, events):
        try:
            events.wait_for(ReaderAdded(reader.name), timeout_s=NFC_EVENT_DEADLINE_S)
            emulator.present()
            deadline = time.monotonic() + NFC_EVENT_DEADLINE_S
            while not [r for r in caplog.records if r.name == worker]:
                assert time.monotonic() < deadline, "the failed activation was not logged"
                time.sleep(0.05)
        finally:
            emulator.remove()
    lines = [r.getMessage() for r in caplog.records if r.name == worker]
    assert "could not activate" in lines[0]  # the line this is about
    assert [line for line in lines if UID.hex() in line.lower()] == [], lines[0]


@pytest.mark.parametrize(
    ("brty", "answer", "said"),
    [
        ("106A", {"sdd_res": UID, "sens_res": b"\x44\x00", "sel_res": b"\x20"}, "uid=<7 bytes>"),
        # Type F: the IDm, bytes 1-8 of SENSF_RES; Type B: the PUPI, bytes 1-4 of SENSB_RES
        ("212F", {"sensf_res": bytes.fromhex("01") + UID + b"\x01" + bytes(8)}, "uid=<8 bytes>"),
        ("106B", {"sensb_res": bytes.fromhex("50") + UID[:4] + bytes(7)}, "uid=<4 bytes>"),
    ],
)
def test_a_sensed_target_is_written_for_the_log_with_its_uid_length_only(
    brty: str, answer: dict[str, bytes], said: str
) -> None:
    """Every type of card nfcpy senses is named in a log line by its kind and its UID's
    length, as a card read's line is: not by nfcpy's repr, which writes the UID."""
    target = nfcpy_loader.load().clf.RemoteTarget(brty, **answer)
    assert UID[:4].hex() in str(target).lower()  # what nfcpy's own words would write
    words = target_words(target)
    assert words == f"{brty} {said}"
    assert UID[:4].hex() not in words.lower()
