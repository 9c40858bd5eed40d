"""Reading cards through nfcpy's real udp driver and the emulators that ship in cardio."""

from __future__ import annotations

import select
import threading
import time
from typing import Any

import pytest

from cardio.card import apdu
from cardio.card.layout import AID, encode_record
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.nfc_emulator import (
    IsoDepEmulator,
    NtagEmulator,
    Type3NdefEmulator,
    mime_message,
)
from cardio.emulators.nfc_tags import Type4NdefApplet
from cardio.errors import CardRemovedDuringRead, EmulatorPortInUse, ReaderUnavailable
from cardio.readers import nfcpy_loader
from cardio.readers._udp_radio import LEAST_WAIT_S
from cardio.readers.atr import ISO_DEP_ATR, atr_for_tag_type
from cardio.readers.events import CardPresented, ReaderAdded, ReaderEvent
from cardio.readers.nfc import NfcReader
from cardio.readers.reader import NdefConnection
from testkit.cards import RecordingApplet
from testkit.nfc_udp import NFC_EVENT_DEADLINE_S, free_udp_port, running_reader, udp_path

pytestmark = pytest.mark.timeout(60)

UID = bytes.fromhex("04A1B2C3D4E5F6")
CLAIMS = {
    "card_number": "AJG-2026-000017",
    "nik": "1471014101900001",
    "full_name": "Siti Aminah",
    "date_of_birth": "1990-01-01",
    "sex": "F",
}
MIME = "application/x-anjungan-card"


def citizen_card() -> RecordingApplet:
    return RecordingApplet(CitizenCardApplet(uid=UID, record=encode_record(CLAIMS)))


def test_iso_dep_card_at_the_apdu_level() -> None:
    path = udp_path(free_udp_port())
    card = citizen_card()
    record = encode_record(CLAIMS)
    with running_reader(path) as (reader, events), IsoDepEmulator(card, path, uid=UID):
        events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            uid = conn.transmit(apdu.GET_UID)
            selected = conn.transmit(apdu.select_aid(AID))
            head = conn.transmit(apdu.read_binary(0, 2))
            body = conn.transmit(apdu.read_binary(2, len(record) - 2))
    name = reader.name
    assert events.snapshot()[:2] == [ReaderAdded(name), CardPresented(name, ISO_DEP_ATR)]
    assert uid == UID + b"\x90\x00"
    assert selected == b"\x90\x00"
    assert head + body == record[:2] + b"\x90\x00" + record[2:] + b"\x90\x00"
    # GET UID never reached the card: the connection answered it, as a PC/SC reader does.
    assert card.commands == [
        bytes.fromhex("00 A4 04 0C 0A") + AID,
        bytes.fromhex("00 B0 00 00 02"),
        bytes([0x00, 0xB0, 0x00, 0x02, len(record) - 2]),
    ]
    assert card.resets == 1  # one activation


def test_a_response_longer_than_one_frame_arrives_whole() -> None:
    path = udp_path(free_udp_port())
    claims = dict(CLAIMS, full_name="Siti " + "Aminah " * 60)
    record = encode_record(claims)
    assert len(record) > 256
    card = CitizenCardApplet(uid=UID, record=record)
    with running_reader(path) as (reader, events), IsoDepEmulator(card, path):
        events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            conn.transmit(apdu.select_aid(AID))
            # Le 00 asks for 256 bytes: more than the 253 one ISO-DEP frame carries.
            response = conn.transmit(bytes.fromhex("00 B0 00 00 00"))
    assert response == record[:256] + b"\x90\x00"


def test_type3_tag_with_an_ndef_mime_record() -> None:
    path = udp_path(free_udp_port())
    payload = bytes(range(256)) + b"signed claims"
    tag = Type3NdefEmulator.mime(MIME, payload, path)
    with running_reader(path, targets=("212F",)) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type3Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            records = conn.ndef_records()
            uid = conn.transmit(apdu.GET_UID)
            selected = conn.transmit(apdu.select_aid(AID))
            other = conn.transmit(bytes.fromhex("FF B0 00 00 10"))
    assert records == [(MIME, payload)]
    assert uid == Type3NdefEmulator.IDM + b"\x90\x00"  # the IDm is a FeliCa tag's UID
    assert selected == bytes.fromhex("6E00")  # no ISO 7816 behind a Type 3 tag
    assert other == bytes.fromhex("6D00")


def test_ntag_with_an_ndef_mime_record() -> None:
    path = udp_path(free_udp_port())
    payload = bytes(range(256)) + b"signed claims"
    tag = NtagEmulator.mime(MIME, payload, path)
    assert tag.version[6] == 0x11  # the message needs an NTAG215
    with running_reader(path) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type2Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            records = conn.ndef_records()
            uid = conn.transmit(apdu.GET_UID)
            selected = conn.transmit(apdu.select_aid(AID))
    assert records == [(MIME, payload)]
    assert uid == NtagEmulator.UID + b"\x90\x00"
    assert selected == bytes.fromhex("6E00")


class SlowNtag(NtagEmulator):
    """An NTAG whose answer to the first READ of one page comes late: ``delay_s`` late,
    or (``delay_s`` None) only once the reader has gone on to read the next page."""

    PAGE = 8  # within the NDEF message, after the capability container's READ

    def __init__(self, message: bytes, path: str, delay_s: float | None) -> None:
        super().__init__(message, path)
        self.delay_s = delay_s
        self.reads: list[int] = []
        #: The answer held back, and the address its READ came from.
        self.held: tuple[tuple[str, int], bytes] | None = None

    def answer(self, command: bytes) -> bytes:
        if command[:1] == b"\x30":
            self.reads.append(command[1])
            if self.delay_s and self._first_read_of_the_page():
                time.sleep(self.delay_s)
        return super().answer(command)

    def _exchange(self, nfc: Any, clf: Any, response: bytes | None) -> bytes | None:
        if self.delay_s is None and self._first_read_of_the_page() and response is not None:
            self.held, response = (clf.target._addr, response), None
        elif self.held is not None and self.reads[-1] != self.PAGE:
            (address, late), self.held = self.held, None
            clf.device._send_data("106A", bytearray(late), address)  # before this READ's answer
        return super()._exchange(nfc, clf, response)

    def _first_read_of_the_page(self) -> bool:
        return self.reads[-1:] == [self.PAGE] and self.reads.count(self.PAGE) == 1


def read_records(reader: NfcReader) -> list[tuple[str, bytes]]:
    with reader.connect(reader.name) as conn:
        assert isinstance(conn, NdefConnection)
        return conn.ndef_records()


@pytest.mark.parametrize(
    "delay_s",
    [0.03, 0.15, 0.25, 0.8, 3.0, None],
    ids=[
        "past the 5 ms nfcpy gives a READ",
        "past the reader's least wait",
        "past the READ sent again",
        "past every READ sent again",
        "past the presence check",
        "after the next page's READ",
    ],
)
def test_a_tag_answering_a_read_late_gives_its_record_unchanged(delay_s: float | None) -> None:
    """Over UDP an answer is paired with no command: the late answer to a READ sent again
    was taken for the next page's, and the record came back with 16 bytes repeated in
    it. Each answer reaches only the port its READ went from; the READ sent again is
    answered. A tag that answers the presence check after a failed read is read once
    more, not taken for one without a message. A tag silent for longer than a reader
    waits is taken for gone, as over a radio; it answers the next tap, and its record
    is read whole."""
    path = udp_path(free_udp_port())
    payload = bytes(range(256)) + b"signed claims"
    tag = SlowNtag(mime_message(MIME, payload), path, delay_s)
    with running_reader(path) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type2Tag"))
        tapped = events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        try:
            records = read_records(reader)
        except CardRemovedDuringRead:
            events.wait_for(presented, tapped + 1, timeout_s=NFC_EVENT_DEADLINE_S)
            records = read_records(reader)
    assert records == [(MIME, payload)]
    asked = tag.reads.count(SlowNtag.PAGE)
    assert asked == 1 if delay_s is not None and delay_s < LEAST_WAIT_S else asked >= 2


class EchoingNtag(NtagEmulator):
    """An NTAG that sends its answer to a READ of ``echoed`` twice, once set."""

    def __init__(self, message: bytes, path: str) -> None:
        super().__init__(message, path)
        self.echoed: int | None = None
        self.last: bytes = b""

    def answer(self, command: bytes) -> bytes:
        self.last = command
        return super().answer(command)

    def _exchange(self, nfc: Any, clf: Any, response: bytes | None) -> bytes | None:
        if response is not None and self.last == bytes([0x30, self.echoed or 0]):
            clf.device._send_data("106A", bytearray(response), clf.target._addr)
        return super()._exchange(nfc, clf, response)


def test_an_answer_that_came_twice_is_not_taken_for_the_next_reads() -> None:
    """Nothing that reached the reader before a command went out answers that command,
    as over a radio. A tag's answer that came twice stayed on the reader's port and was
    taken for the next READ's: the page read was the page before."""
    nfc = nfcpy_loader.load()
    path = udp_path(free_udp_port())
    tag = EchoingNtag(mime_message(MIME, bytes(range(256))), path)
    clf = nfcpy_loader.frontend(nfcpy_loader.open_device(path))
    try:
        with tag:
            target = None
            for _ in range(5):  # 1 s each; a card binds its port before present() returns
                target = target or clf.sense(nfc.clf.RemoteTarget("106A"), iterations=1)
            assert target is not None
            ntag = nfc.tag.activate(clf, target)
            tag.echoed = 4
            first = ntag.read(4)
            # the second copy is on the reader's port before the next READ goes out
            assert select.select([clf.device.socket], [], [], NFC_EVENT_DEADLINE_S)[0]
            second = ntag.read(8)
            third = ntag.read(12)
    finally:
        clf.close()
    assert bytes(first + second + third) == tag.memory[16:64]


def test_type4_tag_with_an_ndef_mime_record() -> None:
    path = udp_path(free_udp_port())
    payload = bytes(range(256)) * 2  # longer than one READ BINARY
    card = Type4NdefApplet(mime_message(MIME, payload), uid=UID)
    with running_reader(path) as (reader, events), IsoDepEmulator(card, path):
        events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            records = conn.ndef_records()
            uid = conn.transmit(apdu.GET_UID)
    assert records == [(MIME, payload)]
    assert uid == UID + b"\x90\x00"


def test_iso_dep_card_without_an_ndef_application_has_no_records() -> None:
    path = udp_path(free_udp_port())
    with running_reader(path) as (reader, events), IsoDepEmulator(citizen_card(), path, uid=UID):
        events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            assert conn.ndef_records() == []
            assert conn.transmit(apdu.select_aid(AID)) == b"\x90\x00"


def test_card_removed_between_apdus() -> None:
    path = udp_path(free_udp_port())
    emulator = IsoDepEmulator(citizen_card(), path, uid=UID)
    with running_reader(path) as (reader, events):
        try:
            emulator.present()
            events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
            with reader.connect(reader.name) as conn:
                assert conn.transmit(apdu.select_aid(AID)) == b"\x90\x00"
                emulator.remove()
                with pytest.raises(CardRemovedDuringRead):
                    conn.transmit(apdu.read_binary(0, 2))
                with pytest.raises(CardRemovedDuringRead):
                    conn.transmit(apdu.GET_UID)  # the UID is not answered for a card that left
        finally:
            emulator.remove()


class LeavesDuringRead:
    """A card that leaves the field while it works on READ BINARY: no answer is sent."""

    def __init__(self, inner: CitizenCardApplet) -> None:
        self.inner = inner
        self.emulator: IsoDepEmulator | None = None
        self.removing: threading.Thread | None = None

    def execute(self, command: bytes) -> bytes:
        if command[1] == 0xB0 and self.emulator is not None:
            self.removing = threading.Thread(target=self.emulator.remove)
            self.removing.start()
            time.sleep(0.05)  # remove() stops the emulator before this answer goes out
        return self.inner.execute(command)


def test_card_removed_during_an_apdu() -> None:
    path = udp_path(free_udp_port())
    card = LeavesDuringRead(CitizenCardApplet(uid=UID, record=encode_record(CLAIMS)))
    emulator = card.emulator = IsoDepEmulator(card, path, uid=UID)
    with running_reader(path) as (reader, events):
        try:
            emulator.present()
            events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
            with reader.connect(reader.name) as conn:
                assert conn.transmit(apdu.select_aid(AID)) == b"\x90\x00"
                started = time.monotonic()
                with pytest.raises(CardRemovedDuringRead):
                    conn.transmit(apdu.read_binary(0, 2))
                # nfcpy waits one FWT (309 ms), retries R(NAK) three times, then we
                # check presence once more: about 1.6 s.
                assert time.monotonic() - started < 3.0
        finally:
            emulator.remove()
            if card.removing is not None:
                card.removing.join(5)


def test_connect_without_a_card_or_to_another_reader() -> None:
    path = udp_path(free_udp_port())
    with running_reader(path) as (reader, events):
        events.wait_for(ReaderAdded(reader.name), timeout_s=NFC_EVENT_DEADLINE_S)
        assert reader.readers() == [reader.name]
        with pytest.raises(CardRemovedDuringRead), reader.connect(reader.name):
            pass
        with pytest.raises(ReaderUnavailable), reader.connect("nfcpy usb"):
            pass
    with pytest.raises(ReaderUnavailable), NfcReader(path).connect(f"nfcpy {path}"):
        pass  # not started: the reader's thread owns the device


def test_a_listener_may_read_inside_its_callback() -> None:
    path = udp_path(free_udp_port())
    reader = NfcReader(path, targets=("106A",))
    answers: list[bytes] = []
    done = threading.Event()

    def listener(event: ReaderEvent) -> None:
        if isinstance(event, CardPresented):
            with reader.connect(event.reader) as conn:
                answers.append(conn.transmit(apdu.GET_UID))
                answers.append(conn.transmit(apdu.select_aid(AID)))
            done.set()

    reader.start(listener)
    try:
        with IsoDepEmulator(citizen_card(), path, uid=UID):
            assert done.wait(NFC_EVENT_DEADLINE_S)
    finally:
        reader.stop()
    assert answers == [UID + b"\x90\x00", b"\x90\x00"]


def test_a_second_emulator_on_the_same_port_raises() -> None:
    path = udp_path(free_udp_port())
    with IsoDepEmulator(citizen_card(), path, uid=UID):
        second = Type3NdefEmulator.mime(MIME, b"x", path)
        with pytest.raises(EmulatorPortInUse):
            second.present()
        assert not second.presented
