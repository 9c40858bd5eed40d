"""The citizen card application, asserted as exact bytes on both sides."""

from __future__ import annotations

import cbor2
import pytest

from cardio.apdu import GET_UID, read_binary, select_aid
from cardio.citizen import Assurance, Sex
from cardio.citizen_card import AID, CitizenCardApplet, encode_record, read_identity
from cardio.demo_cards import DEMO_CARDS, demo_card
from cardio.errors import CardError, MalformedCard, UnsupportedCard
from cardio.simulated import READER_NAME, SimulatedReader

SITI = demo_card("siti")


class Recorder:
    """A card connection that records every command and lets a test alter answers."""

    def __init__(self, applet: CitizenCardApplet, rewrite: dict[bytes, bytes] | None = None):
        self.applet = applet
        self.rewrite = rewrite or {}
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        return self.rewrite.get(apdu, self.applet.execute(apdu))


def test_commands_are_exact_bytes() -> None:
    assert bytes.fromhex("FFCA000000") == GET_UID
    assert select_aid(AID) == bytes.fromhex("00A4040C0AF0414E4A554E47414E01")
    assert read_binary(2, 0xE0) == bytes.fromhex("00B00002E0")
    assert read_binary(0x0102, 5) == bytes.fromhex("00B0010205")


def test_record_is_length_then_canonical_cbor() -> None:
    assert SITI.claims is not None
    record = encode_record(SITI.claims)
    body = record[2:]
    assert int.from_bytes(record[:2], "big") == len(body)
    assert body[0] == 0xA5  # a CBOR map of five pairs
    assert cbor2.loads(body) == SITI.claims


def test_kiosk_reads_a_citizen_card_with_this_exact_dialogue() -> None:
    card = Recorder(SITI.applet())
    identity = read_identity(card)
    record_len = len(encode_record(SITI.claims or {})) - 2
    assert card.sent == [
        bytes.fromhex("FFCA000000"),  # GET UID
        bytes.fromhex("00A4040C0AF0414E4A554E47414E01"),  # SELECT AID
        bytes.fromhex("00B0000002"),  # READ BINARY: length
        bytes([0x00, 0xB0, 0x00, 0x02, record_len]),  # READ BINARY: the record
    ]
    assert identity.uid == SITI.uid
    assert identity.assurance is Assurance.UNVERIFIED
    assert identity.citizen is not None
    assert (identity.citizen.full_name, identity.citizen.sex) == ("Siti Aminah", Sex.FEMALE)


def test_long_records_are_read_in_chunks() -> None:
    claims = {**(SITI.claims or {}), "full_name": "Siti " + "A" * 500}
    card = Recorder(CitizenCardApplet(uid=b"\x01\x02\x03\x04", record=encode_record(claims)))
    identity = read_identity(card)
    reads = [c for c in card.sent if c[1] == 0xB0]
    assert [c[4] for c in reads[1:-1]] == [0xE0] * (len(reads) - 2)
    assert identity.citizen is not None and identity.citizen.full_name.endswith("A" * 500)


def test_uid_only_card_gives_uid_and_no_citizen() -> None:
    card = Recorder(demo_card("ektp").applet())
    identity = read_identity(card)
    assert identity.citizen is None and identity.uid == bytes.fromhex("08C0FFEE")
    assert len(card.sent) == 2  # no READ BINARY after 6A82


def test_broken_demo_card_is_malformed_naming_the_field() -> None:
    with pytest.raises(MalformedCard, match="nik"):
        read_identity(Recorder(demo_card("rusak").applet()))


@pytest.mark.parametrize(
    ("rewrite", "error"),
    [
        ({GET_UID: bytes.fromhex("6A81")}, UnsupportedCard),
        ({GET_UID: b"\x90"}, MalformedCard),  # no room for a status word
        ({select_aid(AID): bytes.fromhex("6985")}, UnsupportedCard),
        ({read_binary(0, 2): bytes.fromhex("0000") + b"\x90\x00"}, MalformedCard),
        ({read_binary(0, 2): bytes.fromhex("FFFF") + b"\x90\x00"}, MalformedCard),
        ({read_binary(0, 2): b"\x00" + b"\x90\x00"}, MalformedCard),
        ({read_binary(0, 2): bytes.fromhex("6282")}, MalformedCard),
    ],
)
def test_odd_answers_become_reasons_not_crashes(
    rewrite: dict[bytes, bytes], error: type[CardError]
) -> None:
    with pytest.raises(error):
        read_identity(Recorder(SITI.applet(), rewrite))


@pytest.mark.parametrize(
    "body",
    [b"\xff\xff\xff", cbor2.dumps([1, 2, 3]), cbor2.dumps({"nik": 5}), cbor2.dumps({})],
)
def test_records_that_are_not_claims_are_malformed(body: bytes) -> None:
    record = len(body).to_bytes(2, "big") + body
    with pytest.raises(MalformedCard):
        read_identity(Recorder(CitizenCardApplet(uid=b"\x01\x02\x03\x04", record=record)))


def test_truncated_record_is_malformed() -> None:
    record = encode_record(SITI.claims or {})
    card = CitizenCardApplet(uid=b"\x01\x02\x03\x04", record=record[:-10])
    with pytest.raises(MalformedCard):
        read_identity(Recorder(card))


def test_simulated_reader_reads_every_demo_card_or_says_why() -> None:
    reader = SimulatedReader()
    events: list[object] = []
    reader.start(events.append)
    for card in DEMO_CARDS:
        reader.tap(card.applet())
        with reader.connect(READER_NAME) as connection:
            if card.key == "rusak":
                with pytest.raises(MalformedCard):
                    read_identity(connection)
            else:
                assert read_identity(connection).uid == card.uid
    reader.remove()
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "ReaderAdded" and kinds.count("CardPresented") == len(DEMO_CARDS)
    assert kinds.count("CardRemoved") == len(DEMO_CARDS)


def test_a_card_removed_mid_read_is_reported() -> None:
    reader = SimulatedReader()
    reader.start(lambda _e: None)
    reader.tap(SITI.applet())
    with reader.connect(READER_NAME) as connection:
        reader.remove()
        with pytest.raises(CardError) as caught:
            read_identity(connection)
    assert caught.value.reason.value == "removed_during_read"
