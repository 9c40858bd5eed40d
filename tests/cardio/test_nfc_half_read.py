"""A tag whose NDEF read breaks part-way is never taken for a tag with no message.

nfcpy answers "no NDEF" both for a tag that declares none and for one that stopped
answering in the middle of its message. A tag still in the field that broke off both
reads gave [], as a blank tag does, and the kiosk took it for a card without data.
Everything runs over nfcpy's real ``udp`` driver with the emulated tags of
:mod:`cardio.emulators`; a tag stops answering by not sending its answers, no sleeps.
"""

from __future__ import annotations

from typing import Any

import pytest

from cardio.card import apdu
from cardio.emulators.nfc_emulator import NtagEmulator, Type3NdefEmulator, mime_message
from cardio.errors import CardRemovedDuringRead, Reason
from cardio.readers.atr import ISO_DEP_ATR, atr_for_tag_type
from cardio.readers.events import CardPresented, CardRemoved, ReaderAdded
from cardio.readers.nfc import NfcReader
from cardio.readers.reader import NdefConnection
from testkit.breaking_tags import (
    FIRST_RECORD_PAGE,
    BreakingNtag,
    BreakingType3Tag,
    BreakingType4Tag,
    FelicaWithoutNdef,
)
from testkit.nfc_udp import NFC_EVENT_DEADLINE_S, free_udp_port, running_reader, udp_path

pytestmark = pytest.mark.timeout(60)

MIME = "application/x-anjungan-card"
PAYLOAD = bytes(range(256)) + b"signed claims"
PRESENTED = atr_for_tag_type("Type2Tag")


class NoCapabilityNtag(NtagEmulator):
    """A Type 2 tag with no capability container: not formatted for NDEF at all."""

    def __init__(self, path: str) -> None:
        super().__init__(mime_message(MIME, PAYLOAD), path)
        self.memory = self.memory[:12] + bytes(4) + self.memory[16:]


class NoMessageNtag(BreakingNtag):
    """A Type 2 tag formatted for NDEF (a capability container) with no NDEF Message
    TLV: its data area starts with the Terminator TLV. It answers every READ."""

    def __init__(self, path: str) -> None:
        super().__init__(mime_message(MIME, PAYLOAD), path, silent_from=256)
        self.memory = self.memory[:16] + b"\xfe" + self.memory[17:]


class ControlTlvNtag(BreakingNtag):
    """A Type 2 tag whose NDEF Message TLV starts on page 8, after a Lock Control TLV
    (its lock bits past the end of memory) and NULL TLVs filling pages 4 to 7."""

    def __init__(self, path: str, silent_from: int) -> None:
        super().__init__(mime_message(MIME, PAYLOAD), path, silent_from)
        control = bytes.fromhex("0103F01047") + bytes(11)
        self.memory = self.memory[:16] + control + self.memory[16:-16]


class ProprietaryTlvNtag(BreakingNtag):
    """A Type 2 tag whose NDEF Message TLV follows a Proprietary TLV of 256 bytes, its
    three-byte length (``FF 01 00``) split across the end of the second READ (bytes
    31 and 32), after NULL TLVs: a layout the Type 2 specification allows."""

    def __init__(self, path: str) -> None:
        super().__init__(mime_message(MIME, PAYLOAD), path, silent_from=256)
        proprietary = bytes(13) + b"\xfd\xff\x01\x00" + bytes(256)
        capability = b"\xe1\x10\x50\x0f"  # 640 bytes of data area
        self.memory = self.memory[:12] + capability + proprietary + self.memory[16:]


def read_records(reader: NfcReader) -> list[tuple[str, bytes]]:
    with reader.connect(reader.name) as conn:
        assert isinstance(conn, NdefConnection)
        return conn.ndef_records()


def test_a_tag_that_breaks_off_both_reads_in_the_field_is_a_read_interrupted() -> None:
    """Its capability container and the head of its record came; the rest never did,
    on the read and on the read sent again after it answered the presence check. That
    is the half-read error the kiosk asks to tap again for, not "no message"; the tag
    stays held (no CardRemoved for a tag still in the field), so it is read afresh on
    the next tap, not over and over while it lies there."""
    path = udp_path(free_udp_port())
    tag = BreakingNtag(mime_message(MIME, PAYLOAD), path, silent_from=8)
    with running_reader(path) as (reader, events), tag:
        presented = CardPresented(reader.name, PRESENTED)
        tapped = events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            with pytest.raises(CardRemovedDuringRead) as caught:
                conn.ndef_records()
            uid = conn.transmit(apdu.GET_UID)  # answered: the card is still held
        asked_after = list(tag.reads)
        tag.remove()
        events.wait_for(CardRemoved(reader.name), tapped, NFC_EVENT_DEADLINE_S)
        seen = events.snapshot()
    assert caught.value.reason is Reason.REMOVED_DURING_READ
    assert uid == NtagEmulator.UID + b"\x90\x00"
    # no removal while it lay there, and no tap that nobody made
    assert seen == [ReaderAdded(reader.name), presented, CardRemoved(reader.name)]
    # both reads got the capability container and the record's first pages, then broke
    assert asked_after.count(FIRST_RECORD_PAGE) == 2
    assert 8 in asked_after and not any(page > 8 for page in asked_after)


def test_a_tag_that_breaks_off_once_then_answers_gives_its_record() -> None:
    """A tag that paused is read once more while it is in the field: its record."""
    path = udp_path(free_udp_port())
    tag = BreakingNtag(mime_message(MIME, PAYLOAD), path, silent_from=8, broken_reads=1)
    with running_reader(path) as (reader, events), tag:
        events.wait_for(CardPresented(reader.name, PRESENTED), timeout_s=NFC_EVENT_DEADLINE_S)
        records = read_records(reader)
    assert records == [(MIME, PAYLOAD)]
    assert tag.reads.count(FIRST_RECORD_PAGE) == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda path: NtagEmulator(b"", path),
        lambda path: NoCapabilityNtag(path),
        lambda path: NoMessageNtag(path),
    ],
    ids=["an empty NDEF message", "no capability container", "no NDEF message TLV"],
)
def test_a_tag_that_declares_no_message_has_no_records(make: Any) -> None:
    path = udp_path(free_udp_port())
    with running_reader(path) as (reader, events), make(path):
        events.wait_for(CardPresented(reader.name, PRESENTED), timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == []


def test_a_tag_that_answers_every_page_gives_its_record() -> None:
    path = udp_path(free_udp_port())
    tag = BreakingNtag(mime_message(MIME, PAYLOAD), path, silent_from=256)
    with running_reader(path) as (reader, events), tag:
        events.wait_for(CardPresented(reader.name, PRESENTED), timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == [(MIME, PAYLOAD)]
    assert tag.reads.count(FIRST_RECORD_PAGE) == 1  # read once: nothing broke


def test_a_type3_tag_that_breaks_off_both_reads_in_the_field_is_a_read_interrupted() -> None:
    """A FeliCa tag: its attribute block and the first twelve blocks of its message came,
    the rest never did, on both reads, while it answered every polling."""
    path = udp_path(free_udp_port())
    tag = BreakingType3Tag(mime_message(MIME, PAYLOAD), path, silent_from=13)
    with running_reader(path, targets=("212F",)) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type3Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            with pytest.raises(CardRemovedDuringRead):
                conn.ndef_records()
            uid = conn.transmit(apdu.GET_UID)  # answered: the card is still held
    assert uid == BreakingType3Tag.IDM + b"\x90\x00"
    assert tag.blocks.count(0) == 2 and 13 in tag.blocks  # two reads, each broken off


@pytest.mark.parametrize("broken_reads", [0, 1], ids=["never", "the first read"])
def test_a_type3_tag_read_whole_gives_its_record(broken_reads: int) -> None:
    path = udp_path(free_udp_port())
    tag = BreakingType3Tag(mime_message(MIME, PAYLOAD), path, 13, broken_reads)
    with running_reader(path, targets=("212F",)) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type3Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == [(MIME, PAYLOAD)]
    assert tag.blocks.count(0) == 1 + broken_reads


def test_a_type3_tag_with_an_empty_message_has_no_records() -> None:
    path = udp_path(free_udp_port())
    tag = Type3NdefEmulator(b"", path)
    with running_reader(path, targets=("212F",)) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type3Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == []


def test_a_type4_tag_that_breaks_off_both_reads_in_the_field_is_a_read_interrupted() -> None:
    """An ISO-DEP Type 4 Tag: the capability container and the first part of its NDEF
    file came, the rest never did, while it answered the presence check."""
    path = udp_path(free_udp_port())
    tag = BreakingType4Tag(mime_message(MIME, PAYLOAD), path, silent_from=200)
    with running_reader(path) as (reader, events), tag:
        events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            with pytest.raises(CardRemovedDuringRead):
                conn.ndef_records()
            uid = conn.transmit(apdu.GET_UID)  # answered: the card is still held
    assert uid == tag.uid + b"\x90\x00"
    reads = [c for c in tag.commands if c[1] == 0xB0]
    assert any(int.from_bytes(c[2:4], "big") >= 200 for c in reads)


def test_a_type4_tag_read_whole_gives_its_record() -> None:
    path = udp_path(free_udp_port())
    tag = BreakingType4Tag(mime_message(MIME, PAYLOAD), path, 200, broken_reads=0)
    with running_reader(path) as (reader, events), tag:
        events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == [(MIME, PAYLOAD)]


def test_a_tag_without_a_message_is_read_once() -> None:
    """nfcpy's "no NDEF" with no command failed is the tag's own word: it was read a
    second time, as if the read might have broken."""
    path = udp_path(free_udp_port())
    tag = NoMessageNtag(path)
    with running_reader(path) as (reader, events), tag:
        events.wait_for(CardPresented(reader.name, PRESENTED), timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == []
    assert tag.reads.count(FIRST_RECORD_PAGE) == 1


def test_a_felica_card_without_the_ndef_system_has_no_records() -> None:
    """A FeliCa Standard card (transit, e-money, a phone) has no system 12FC and does
    not answer nfcpy's polling for it. That is the card saying it holds no NDEF, not a
    read that broke: no records, and the card is still held (a UID-only card)."""
    path = udp_path(free_udp_port())
    with running_reader(path, targets=("212F",)) as (reader, events), FelicaWithoutNdef(b"", path):
        presented = CardPresented(reader.name, atr_for_tag_type("Type3Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            assert conn.ndef_records() == []
            uid = conn.transmit(apdu.GET_UID)
    assert uid == FelicaWithoutNdef.IDM + b"\x90\x00"


def _silent_select(path: str) -> BreakingType4Tag:
    tag = BreakingType4Tag(mime_message(MIME, PAYLOAD), path, silent_from=0x10000)
    tag.silent_to_ndef_select = True
    return tag


@pytest.mark.parametrize(
    ("make", "targets", "presented"),
    [
        (lambda path: BreakingNtag(mime_message(MIME, PAYLOAD), path, 4), ("106A",), PRESENTED),
        (lambda path: ControlTlvNtag(path, silent_from=8), ("106A",), PRESENTED),
        (
            lambda path: BreakingType3Tag(mime_message(MIME, PAYLOAD), path, silent_from=0),
            ("212F",),
            atr_for_tag_type("Type3Tag"),
        ),
        (_silent_select, ("106A",), ISO_DEP_ATR),
    ],
    ids=[
        "Type 2: capability container, then silent",
        "Type 2: silent before the NDEF TLV after a control TLV",
        "Type 3: polled for 12FC, silent to the attribute block",
        "Type 4: silent to the NDEF application's SELECT",
    ],
)
def test_a_tag_silent_before_it_shows_a_message_has_no_records(
    make: Any, targets: tuple[str, ...], presented: bytes
) -> None:
    """nfcpy was still asking whether the tag holds NDEF at all: a tag that goes silent
    then has shown no message, so it has none, as nfcpy says, while it stays held."""
    path = udp_path(free_udp_port())
    with running_reader(path, targets=targets) as (reader, events), make(path):
        events.wait_for(CardPresented(reader.name, presented), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            assert conn.ndef_records() == []
            assert conn.transmit(apdu.GET_UID).endswith(b"\x90\x00")  # still held


def test_a_tag_that_breaks_after_its_ndef_tlv_behind_a_control_tlv_is_a_read_interrupted() -> None:
    """The NDEF TLV on page 8, after the Lock Control TLV: once page 8 came, the tag
    showed its message, and its silence after that is a read cut short."""
    path = udp_path(free_udp_port())
    tag = ControlTlvNtag(path, silent_from=12)
    with running_reader(path) as (reader, events), tag:
        events.wait_for(CardPresented(reader.name, PRESENTED), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            assert isinstance(conn, NdefConnection)
            with pytest.raises(CardRemovedDuringRead):
                conn.ndef_records()
    assert 8 in tag.reads and tag.reads.count(FIRST_RECORD_PAGE) == 2


def test_a_control_tlv_tag_read_whole_gives_its_record() -> None:
    """The tag of the tests above, answering every page: the walk past the control TLV
    reaches the record nfcpy reads."""
    path = udp_path(free_udp_port())
    with running_reader(path) as (reader, events), ControlTlvNtag(path, silent_from=256):
        events.wait_for(CardPresented(reader.name, PRESENTED), timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == [(MIME, PAYLOAD)]


def test_a_tag_with_a_long_tlv_before_its_message_gives_its_record() -> None:
    """The walk to the NDEF TLV read a length split across two READs before the second
    came, and its error escaped nfcpy: "unexpected error", a damaged card, every tap."""
    path = udp_path(free_udp_port())
    with running_reader(path) as (reader, events), ProprietaryTlvNtag(path):
        events.wait_for(CardPresented(reader.name, PRESENTED), timeout_s=NFC_EVENT_DEADLINE_S)
        assert read_records(reader) == [(MIME, PAYLOAD)]
