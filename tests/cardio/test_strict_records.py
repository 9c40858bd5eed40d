"""Nothing outside the signature, no control characters, bounded NDEF records and UIDs.

Each refusal is ``malformed``, whether the kiosk trusts an issuer or not, and
whether the record comes from the citizen card application or an NDEF tag.
"""

from __future__ import annotations

import cbor2
import pytest

from cardio import card_tamper, signed_record
from cardio.apdu import GET_UID
from cardio.card_image import CardImage, CardImageError
from cardio.citizen import Assurance
from cardio.citizen_applet import MAX_RECORD, CitizenCardApplet
from cardio.citizen_card import read_identity
from cardio.errors import MalformedCard, Reason
from cardio.issuing import IssueError
from cardio.ndef_cose import NDEF_TYPE, StaticNdefTag, find_cose
from cardio.trust import TrustStore

from .card_helpers import DEMO_ISSUER, DEMO_TRUST, NOW, UID, citizen_claims, demo_issued, read

GOOD = demo_issued()
RECORD = GOOD.record or b""
BOTH = pytest.mark.parametrize("trust", [DEMO_TRUST, None], ids=["trusted", "no-trust-list"])


def malformed(image: CardImage, trust: TrustStore | None) -> MalformedCard:
    with pytest.raises(MalformedCard) as caught:
        read(image.applet(), trust)
    assert caught.value.reason is Reason.MALFORMED
    return caught.value


def with_record(record: bytes) -> CardImage:
    return CardImage(UID, record, GOOD.card_key)


def test_the_good_record_is_one_deterministic_cose_sign1() -> None:
    assert RECORD[:2] == bytes.fromhex("D2 84")  # tag 18, array of 4
    assert RECORD[2:16] == bytes.fromhex("4D A2 01 26 04 48") + DEMO_ISSUER.kid
    assert RECORD[16] == 0xA0  # unprotected: the empty map
    assert RECORD[-66:-64] == bytes.fromhex("58 40")  # the 64-byte signature ends the record
    assert read(GOOD.applet()).assurance is Assurance.CLONE_PROOF


@BOTH
@pytest.mark.parametrize("extra", [b"\x00", b"\xa0", RECORD], ids=["zero", "empty-map", "copy"])
def test_bytes_after_the_cose_structure_are_malformed(
    trust: TrustStore | None, extra: bytes
) -> None:
    image = card_tamper.trailing(GOOD, extra)
    assert image.record == RECORD + extra
    assert "after the record" in malformed(image, trust).detail


@BOTH
def test_an_entry_in_the_unprotected_header_is_malformed(trust: TrustStore | None) -> None:
    image = card_tamper.unprotected(GOOD)  # {4 (kid): h'78'}
    assert image.record == RECORD[:16] + bytes.fromhex("A1 04 41 78") + RECORD[17:]
    assert "unprotected" in malformed(image, trust).detail
    other = card_tamper.unprotected(GOOD, {"note": "hello"})
    assert "unprotected" in malformed(other, trust).detail


@BOTH
def test_an_over_long_cbor_head_is_malformed(trust: TrustStore | None) -> None:
    # The empty unprotected map written with a 1-byte length (B8 00) instead of A0.
    record = RECORD[:16] + bytes.fromhex("B8 00") + RECORD[17:]
    assert "deterministic" in malformed(with_record(record), trust).detail


def _signed_payload(payload: bytes) -> CardImage:
    record = signed_record.sign_payload(payload, DEMO_ISSUER.private_key, DEMO_ISSUER.kid)
    return with_record(record)


@BOTH
def test_bytes_after_the_claims_inside_the_signature_are_malformed(
    trust: TrustStore | None,
) -> None:
    _, claims = signed_record.unverified_claims(RECORD)
    payload = cbor2.dumps(claims, canonical=True)
    assert "after the claims" in malformed(_signed_payload(payload + b"\x00"), trust).detail
    assert read(_signed_payload(payload).applet(), trust).citizen is not None


@BOTH
def test_a_claim_given_twice_inside_the_signature_is_malformed(trust: TrustStore | None) -> None:
    _, claims = signed_record.unverified_claims(RECORD)
    payload = cbor2.dumps(claims, canonical=True)
    assert payload[0] == 0xA4  # a map of four claims: iss, exp, iat, citizen
    twice = bytes([0xA5]) + payload[1:] + bytes.fromhex("01 62 58 58")  # and 1 (iss): "XX"
    assert "deterministic" in malformed(_signed_payload(twice), trust).detail


REFUSED = {
    "NUL": "\x00",
    "ESC": "\x1b",
    "newline": "\n",
    "tab": "\t",
    "DEL": "\x7f",
    "NEL (C1)": "\x85",
    "CSI (C1)": "\x9b",
    "ALM": "\u061c",
    "LRM": "\u200e",
    "RLM": "\u200f",
    "LRE": "\u202a",
    "RLE": "\u202b",
    "PDF": "\u202c",
    "LRO": "\u202d",
    "RLO": "\u202e",
    "LRI": "\u2066",
    "RLI": "\u2067",
    "FSI": "\u2068",
    "PDI": "\u2069",
    "zero-width space": "\u200b",
    "line separator": "\u2028",
}


@BOTH
@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize("field", ["full_name", "card_number", "sex", "nik"])
def test_control_and_bidi_characters_in_signed_claims_are_malformed(
    trust: TrustStore | None, char: str, field: str
) -> None:
    value = str(citizen_claims()[field])
    claims = citizen_claims(**{field: value[:2] + char + value[2:]})
    image = demo_issued(claims, check=False)
    assert f"U+{ord(char):04X}" in malformed(image, trust).detail


def test_a_control_character_in_the_address_is_malformed() -> None:
    address = {**citizen_claims()["address"], "street": "Jl. Sudirman\x00 No. 1"}
    image = demo_issued(citizen_claims(address=address), check=False)
    assert "address.street" in malformed(image, DEMO_TRUST).detail


def test_the_issuer_tool_refuses_such_claims_too() -> None:
    with pytest.raises(IssueError, match="U\\+202E"):
        demo_issued(citizen_claims(full_name="Siti \u202enimA"))


def test_the_bidi_tamper_is_a_genuine_signature_over_a_right_to_left_override() -> None:
    image = card_tamper.bidi_name(DEMO_ISSUER, citizen_claims(), now=NOW, uid=UID)
    _, claims = signed_record.unverified_claims(image.record or b"")
    assert claims[signed_record.CLAIM_CITIZEN]["full_name"] == "Siti \u202ehanimA"
    assert "U+202E" in malformed(image, DEMO_TRUST).detail


@pytest.mark.parametrize(
    "name",
    [
        "Ni Luh Putu Ayu Śrī",
        "Muhammad 'Ali bin Abdullah",
        "محمد عبد الله",
        "ꦱꦶꦠꦶ ꦄꦩꦶꦤꦃ",
        "Dewi-Sartika",
    ],
)
def test_names_in_any_script_still_read(name: str) -> None:
    identity = read(demo_issued(citizen_claims(full_name=name)).applet())
    assert identity.citizen is not None and identity.citizen.full_name == name


# --- NDEF: the same 4096-byte bound as the card file --------------------------------------


def test_an_ndef_record_over_4096_bytes_is_malformed() -> None:
    assert MAX_RECORD == 4096
    assert find_cose([(NDEF_TYPE, bytes(4096))]) == bytes(4096)
    with pytest.raises(MalformedCard, match="4097 bytes"):
        find_cose([(NDEF_TYPE, bytes(4097))])
    with pytest.raises(MalformedCard, match="0 bytes"):
        find_cose([(NDEF_TYPE, b"")])
    padded = RECORD + b"\x00" * (4097 - len(RECORD))
    for trust in (DEMO_TRUST, None):
        with pytest.raises(MalformedCard, match="4097 bytes"):
            read_identity(StaticNdefTag(UID, [(NDEF_TYPE, padded)]), trust, now=lambda: NOW)


@BOTH
def test_the_ndef_path_refuses_what_the_card_path_refuses(trust: TrustStore | None) -> None:
    for bad in (card_tamper.trailing(GOOD), card_tamper.unprotected(GOOD)):
        with pytest.raises(MalformedCard):
            read_identity(bad.ndef_tag(), trust, now=lambda: NOW)


# --- UIDs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [4, 7, 8, 10])
def test_uids_of_4_7_8_or_10_bytes_read(length: int) -> None:
    uid = bytes(range(1, length + 1))
    identity = read(CitizenCardApplet(uid=uid, record=None))
    assert identity.uid == uid and identity.citizen is None
    assert read(CitizenCardApplet(uid=uid, record=GOOD.applet().record, card_key=GOOD.card_key))


@pytest.mark.parametrize("length", [0, 1, 3, 5, 6, 9, 11, 64, 254])
def test_a_uid_of_any_other_length_is_malformed(length: int) -> None:
    answer = bytes(range(length)) + b"\x90\x00"
    with pytest.raises(MalformedCard, match=f"UID of {length} bytes"):
        read(GOOD.applet(), rewrite={GET_UID: answer})
    with pytest.raises(MalformedCard):
        read_identity(StaticNdefTag(bytes(length), [(NDEF_TYPE, RECORD)]), DEMO_TRUST)


@pytest.mark.parametrize("uid", ["0102030405", "010203040506070809", "01" * 11])
def test_a_card_image_with_such_a_uid_does_not_load(uid: str) -> None:
    data = {**GOOD.to_json(), "uid": uid}
    with pytest.raises(CardImageError, match="4, 7, 8 or 10"):
        CardImage.from_json(data)
