"""The citizen card application, asserted as exact bytes on both sides."""

from __future__ import annotations

import cbor2
import pytest

from cardio.card.apdu import GET_UID, internal_authenticate, read_binary, select_aid
from cardio.card.citizen_card import read_identity
from cardio.card.layout import AID, card_file, encode_record
from cardio.card.signed_record import CLAIM_CITIZEN
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import DEMO_CARDS, demo_card
from cardio.errors import CardError, MalformedCard, Reason, UnsupportedCard
from cardio.readers.simulated import READER_NAME, SimulatedReader
from contract.assurance import Assurance
from contract.nik import Sex
from testkit.cards import CHALLENGE, DEMO_TRUST, NOW, Recorder, citizen_claims, demo_issued, read

SITI = demo_card("siti")
SITI_RECORD = SITI.image().record or b""


def test_commands_are_exact_bytes() -> None:
    assert bytes.fromhex("FFCA000000") == GET_UID
    assert select_aid(AID) == bytes.fromhex("00A4040C0AF0414E4A554E47414E01")
    assert read_binary(2, 0xE0) == bytes.fromhex("00B00002E0")
    assert read_binary(0x0102, 5) == bytes.fromhex("00B0010205")
    assert internal_authenticate(bytes(16)) == bytes.fromhex("0088000010") + bytes(16) + b"\x00"
    assert internal_authenticate(CHALLENGE) == (
        bytes.fromhex("0088000020")
        + bytes.fromhex("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF")
        + bytes.fromhex("B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF")
        + bytes.fromhex("00")
    )
    for bad in (bytes(15), bytes(33)):
        with pytest.raises(ValueError):
            internal_authenticate(bad)


def test_card_file_is_length_then_the_cose_sign1() -> None:
    file = card_file(SITI_RECORD)
    assert file[:2] == len(SITI_RECORD).to_bytes(2, "big")
    assert file[2:] == SITI_RECORD
    assert SITI_RECORD[0] == 0xD2  # CBOR tag 18: COSE_Sign1


def test_kiosk_reads_a_citizen_card_with_this_exact_dialogue() -> None:
    card = Recorder(SITI.applet())
    identity = read_identity(card, DEMO_TRUST, now=lambda: NOW, challenge=lambda: CHALLENGE)
    length = len(SITI_RECORD)
    assert length == 467  # the shipped demo card: two full chunks and 19 bytes
    assert card.sent == [
        bytes.fromhex("FFCA000000"),  # GET UID
        bytes.fromhex("00A4040C0AF0414E4A554E47414E01"),  # SELECT AID
        bytes.fromhex("00B0000002"),  # READ BINARY: length
        bytes.fromhex("00B00002E0"),  # READ BINARY: record bytes 0-223
        bytes.fromhex("00B000E2E0"),  # READ BINARY: record bytes 224-447
        bytes.fromhex("00B001C213"),  # READ BINARY: record bytes 448-466
        bytes.fromhex("0088000020") + CHALLENGE + b"\x00",  # INTERNAL AUTHENTICATE
    ]
    assert identity.uid == SITI.uid
    assert identity.assurance is Assurance.CLONE_PROOF
    assert identity.issuer == "ID-PKU-DEMO"
    assert identity.citizen is not None
    assert (identity.citizen.full_name, identity.citizen.sex) == ("Siti Aminah", Sex.FEMALE)


def test_card_answers_internal_authenticate_with_64_bytes_and_9000() -> None:
    applet = SITI.applet()
    assert applet.execute(select_aid(AID)) == b"\x90\x00"
    answer = applet.execute(internal_authenticate(CHALLENGE))
    assert len(answer) == 66 and answer[-2:] == b"\x90\x00"


@pytest.mark.parametrize(
    ("command", "sw"),
    [
        (bytes.fromhex("0088000010") + bytes(16), "9000"),  # Le omitted: still case 4 data
        (bytes.fromhex("008800000F") + bytes(15) + b"\x00", "6700"),  # challenge too short
        (bytes.fromhex("0088000021") + bytes(33) + b"\x00", "6700"),  # challenge too long
        (bytes.fromhex("0088000020") + bytes(10), "6700"),  # Lc promises more than sent
        (bytes.fromhex("0088010020") + bytes(32) + b"\x00", "6B00"),  # P1 not 00
        (bytes.fromhex("0088"), "6700"),  # not even a header
    ],
)
def test_internal_authenticate_status_words(command: bytes, sw: str) -> None:
    applet = SITI.applet()
    applet.execute(select_aid(AID))
    assert applet.execute(command)[-2:] == bytes.fromhex(sw)


def test_internal_authenticate_needs_the_application_selected() -> None:
    assert SITI.applet().execute(internal_authenticate(CHALLENGE)) == bytes.fromhex("6985")


def test_record_structure_is_the_documented_cose_sign1() -> None:
    message = cbor2.loads(SITI_RECORD)
    assert message.tag == 18
    protected, unprotected, payload, signature = message.value
    kid = next(iter(DEMO_TRUST.issuers))
    assert protected == bytes.fromhex("A2012604") + b"\x48" + kid  # {1: -7, 4: h'kid'}
    assert unprotected == {}
    assert len(signature) == 64
    claims = cbor2.loads(payload)
    assert payload[:1] == b"\xa4"  # four claims: iss, exp, iat, citizen
    assert payload[1:14] == bytes.fromhex("016B") + b"ID-PKU-DEMO"  # 1: "ID-PKU-DEMO"
    assert sorted(claims, key=abs) == [1, 4, 6, CLAIM_CITIZEN]
    assert CLAIM_CITIZEN == -65537 and bytes.fromhex("3A00010000") in payload
    citizen = claims[CLAIM_CITIZEN]
    assert set(citizen) == {
        "card_number",
        "nik",
        "full_name",
        "date_of_birth",
        "sex",
        "address",
        "blood_type",
        "bpjs_number",
        "card_key",
    }
    assert set(citizen["card_key"]) == {1, -1, -2, -3}  # kty EC2, crv P-256, x, y; no d
    assert (citizen["card_key"][1], citizen["card_key"][-1]) == (2, 1)


def test_long_records_are_read_in_chunks() -> None:
    claims = citizen_claims(full_name="Siti " + "A" * 500)
    applet = CitizenCardApplet.from_image(demo_issued(claims))
    card = Recorder(applet)
    identity = read_identity(card, DEMO_TRUST, now=lambda: NOW, challenge=lambda: CHALLENGE)
    reads = [c for c in card.sent if c[1] == 0xB0]
    assert [c[4] for c in reads[1:-1]] == [0xE0] * (len(reads) - 2)
    assert identity.citizen is not None and identity.citizen.full_name.endswith("A" * 500)


def test_uid_only_card_gives_uid_and_no_citizen() -> None:
    card = Recorder(demo_card("ektp").applet())
    identity = read_identity(card, DEMO_TRUST)
    assert identity.citizen is None and identity.uid == bytes.fromhex("08C0FFEE")
    assert identity.assurance is Assurance.UNVERIFIED
    assert len(card.sent) == 2  # no READ BINARY after 6A82


def test_without_a_trust_list_claims_are_read_but_unverified() -> None:
    identity = read(SITI.applet(), trust=None)
    assert identity.assurance is Assurance.UNVERIFIED
    assert identity.citizen is not None and identity.citizen.card_number == "PKU-000001"
    assert identity.issuer is None


def test_an_unsigned_version_0_record_is_unverified_without_trust_and_refused_with_it() -> None:
    assert SITI.claims is not None
    flat = {k: v for k, v in SITI.claims.items() if isinstance(v, str)}
    applet = CitizenCardApplet(uid=SITI.uid, record=encode_record(flat))
    assert encode_record(flat)[2] == 0xA7  # a plain CBOR map of seven text claims
    assert read(applet, trust=None).assurance is Assurance.UNVERIFIED
    with pytest.raises(MalformedCard):
        read(applet)


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
        ({read_binary(2, 0xE0): bytes.fromhex("9000")}, MalformedCard),  # empty chunk
    ],
)
def test_odd_answers_become_reasons_not_crashes(
    rewrite: dict[bytes, bytes], error: type[CardError]
) -> None:
    with pytest.raises(error):
        read(SITI.applet(), rewrite=rewrite)


def test_simulated_reader_reads_every_demo_card_or_says_why() -> None:
    reader = SimulatedReader()
    events: list[object] = []
    reader.start(events.append)
    for card in DEMO_CARDS:
        reader.tap(card.applet())
        with reader.connect(READER_NAME) as connection:
            try:
                outcome = read_identity(connection, DEMO_TRUST, now=lambda: NOW).assurance.value
            except CardError as exc:
                outcome = exc.reason.value
        assert outcome == card.expect, card.key
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
            read_identity(connection, DEMO_TRUST)
    assert caught.value.reason is Reason.REMOVED_DURING_READ
