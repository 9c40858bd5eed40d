"""Nothing outside the signature, no control characters, bounded NDEF records and UIDs.

Each refusal is ``malformed``, whether the kiosk trusts an issuer or not, and
whether the record comes from the citizen card application or an NDEF tag.
"""

from __future__ import annotations

import cbor2
import pytest

from cardio.card import signed_record
from cardio.card.apdu import GET_UID
from cardio.card.citizen_card import read_identity
from cardio.card.layout import MAX_RECORD
from cardio.card.ndef_cose import NDEF_TYPE, StaticNdefTag, find_cose
from cardio.emulators import card_tamper
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.errors import CardImageError, IssueError, MalformedCard, Reason
from cardio.issuing.card_image import CardImage
from contract.assurance import Assurance
from contract.trust import TrustStore
from testkit.cards import DEMO_ISSUER, DEMO_TRUST, NOW, UID, citizen_claims, demo_issued, read

GOOD = demo_issued()
RECORD = GOOD.record or b""
BOTH = pytest.mark.parametrize("trust", [DEMO_TRUST, None], ids=["trusted", "no-trust-list"])


def malformed(image: CardImage, trust: TrustStore | None) -> MalformedCard:
    with pytest.raises(MalformedCard) as caught:
        read(CitizenCardApplet.from_image(image), trust)
    assert caught.value.reason is Reason.MALFORMED
    return caught.value


def with_record(record: bytes) -> CardImage:
    return CardImage(UID, record, GOOD.card_key)


def test_the_good_record_is_one_deterministic_cose_sign1() -> None:
    assert RECORD[:2] == bytes.fromhex("D2 84")  # tag 18, array of 4
    assert RECORD[2:16] == bytes.fromhex("4D A2 01 26 04 48") + DEMO_ISSUER.kid
    assert RECORD[16] == 0xA0  # unprotected: the empty map
    assert RECORD[-66:-64] == bytes.fromhex("58 40")  # the 64-byte signature ends the record
    assert read(CitizenCardApplet.from_image(GOOD)).assurance is Assurance.CLONE_PROOF


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
    assert read(CitizenCardApplet.from_image(_signed_payload(payload)), trust).citizen is not None


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
    identity = read(CitizenCardApplet.from_image(demo_issued(citizen_claims(full_name=name))))
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
    assert read(
        CitizenCardApplet(
            uid=uid, record=CitizenCardApplet.from_image(GOOD).record, card_key=GOOD.card_key
        )
    )


@pytest.mark.parametrize("length", [0, 1, 3, 5, 6, 9, 11, 64, 254])
def test_a_uid_of_any_other_length_is_malformed(length: int) -> None:
    answer = bytes(range(length)) + b"\x90\x00"
    with pytest.raises(MalformedCard, match=f"UID of {length} bytes"):
        read(CitizenCardApplet.from_image(GOOD), rewrite={GET_UID: answer})
    with pytest.raises(MalformedCard):
        read_identity(StaticNdefTag(bytes(length), [(NDEF_TYPE, RECORD)]), DEMO_TRUST)


@pytest.mark.parametrize("uid", ["0102030405", "010203040506070809", "01" * 11])
def test_a_card_image_with_such_a_uid_does_not_load(uid: str) -> None:
    data = {**GOOD.to_json(), "uid": uid}
    with pytest.raises(CardImageError, match="4, 7, 8 or 10"):
        CardImage.from_json(data)


# --- Blank fillers, private use, unassigned code points -------------------------------------

BLANK_LOOKING = {
    "hangul filler": "\u3164",
    "halfwidth hangul filler": "\uffa0",
    "hangul choseong filler": "\u115f",
    "hangul jungseong filler": "\u1160",
    "braille blank": "\u2800",
    "khmer vowel inherent aq": "\u17b4",
    "khmer vowel inherent aa": "\u17b5",
    "variation selector 16": "\ufe0f",
    "private use (Co)": "\ue000",
    "supplementary private use (Co)": "\U000f0000",
    "noncharacter FFFF (Cn)": "\uffff",
    "unassigned (Cn)": "\u0378",
}


@BOTH
@pytest.mark.parametrize("char", BLANK_LOOKING.values(), ids=BLANK_LOOKING.keys())
def test_blank_fillers_private_use_and_unassigned_characters_are_malformed(
    trust: TrustStore | None, char: str
) -> None:
    image = demo_issued(citizen_claims(full_name=f"Siti{char}Aminah"), check=False)
    _, claims = signed_record.unverified_claims(image.record or b"")
    payload = cbor2.dumps(claims[signed_record.CLAIM_CITIZEN]["full_name"])
    assert char.encode() in payload  # the character is really inside the signed record
    assert f"U+{ord(char):04X}" in malformed(image, trust).detail
    alone = demo_issued(citizen_claims(full_name=char * 3), check=False)
    assert f"U+{ord(char):04X}" in malformed(alone, trust).detail


@BOTH
@pytest.mark.parametrize("name", ["\u0301\u0301", " \u0301 ", "\u200a\u0308"])
def test_a_name_that_shows_nothing_is_malformed(trust: TrustStore | None, name: str) -> None:
    image = demo_issued(citizen_claims(full_name=name), check=False)
    assert "shows nothing" in malformed(image, trust).detail


def test_the_issuer_tool_refuses_blank_fillers_too() -> None:
    with pytest.raises(IssueError, match="U\\+3164"):
        demo_issued(citizen_claims(full_name="\u3164\u3164"))


# --- Keys: integers for the claims, text for the citizen map ---------------------------------


@BOTH
def test_a_true_key_is_not_the_issuer_claim(trust: TrustStore | None) -> None:
    _, claims = signed_record.unverified_claims(RECORD)
    iss = claims.pop(1)
    payload = cbor2.dumps({**claims, True: iss}, canonical=True)
    assert bytes.fromhex("F5 6B") + b"ID-PKU-DEMO" in payload  # true: "ID-PKU-DEMO"
    assert "claim key is not an integer" in malformed(_signed_payload(payload), trust).detail


@BOTH
@pytest.mark.parametrize("key", ["1", b"\x01", 7.5], ids=["text", "bytes", "float"])
def test_a_claim_key_that_is_not_an_integer_is_malformed(
    trust: TrustStore | None, key: object
) -> None:
    _, claims = signed_record.unverified_claims(RECORD)
    payload = cbor2.dumps({**claims, key: "x"}, canonical=True)
    assert "claim key is not an integer" in malformed(_signed_payload(payload), trust).detail


@BOTH
@pytest.mark.parametrize(
    ("key", "encoded"),
    [(True, "F5"), (1, "01"), (b"nik", "43 6E 69 6B")],
    ids=["true", "integer", "bytes"],
)
def test_a_citizen_map_key_that_is_not_text_is_malformed(
    trust: TrustStore | None, key: object, encoded: str
) -> None:
    image = demo_issued({**citizen_claims(), key: "x"}, check=False)  # type: ignore[dict-item]
    assert bytes.fromhex(encoded + " 61 78") in (image.record or b"")
    assert "key of the citizen map is not text" in malformed(image, trust).detail


@BOTH
def test_an_address_key_that_is_not_text_is_malformed(trust: TrustStore | None) -> None:
    address = {**citizen_claims()["address"], 7: "x"}
    image = demo_issued(citizen_claims(address=address), check=False)
    assert "key of field 'address' is not text" in malformed(image, trust).detail


@BOTH
@pytest.mark.parametrize(
    "claims",
    [
        citizen_claims(note="Siti \u202eAminah"),
        citizen_claims(extra={"deep": ["ok", "\u202e"]}),
        citizen_claims(address={**citizen_claims()["address"], "rt2": "\u202e"}),
        citizen_claims(**{"nik\x00": "x"}),
    ],
    ids=["unknown-claim", "nested-unknown", "unknown-address-key", "key-with-nul"],
)
def test_refused_characters_anywhere_in_the_citizen_map_are_malformed(
    trust: TrustStore | None, claims: dict[str, object]
) -> None:
    assert "control character" in malformed(demo_issued(claims, check=False), trust).detail


@BOTH
def test_refused_characters_in_an_unknown_claim_outside_the_citizen_map_are_malformed(
    trust: TrustStore | None,
) -> None:
    _, claims = signed_record.unverified_claims(RECORD)
    payload = cbor2.dumps({**claims, 99: "\u202e"}, canonical=True)
    assert "claim 99 holds the control character U+202E" in (
        malformed(_signed_payload(payload), trust).detail
    )


# --- Version 0: as strict as the signed record ----------------------------------------------


def _version_0() -> bytes:
    flat = {k: v for k, v in citizen_claims().items() if isinstance(v, str)}
    return cbor2.dumps(flat, canonical=True)


def test_a_version_0_record_in_deterministic_cbor_reads_without_trust() -> None:
    identity = read(CitizenCardApplet.from_image(with_record(_version_0())), None)
    assert identity.assurance is Assurance.UNVERIFIED


def test_an_indefinite_length_version_0_record_is_malformed() -> None:
    definite = _version_0()
    assert definite[0] == 0xA7  # a map of seven text claims
    indefinite = b"\xbf" + definite[1:] + b"\xff"
    assert cbor2.loads(indefinite) == cbor2.loads(definite)
    assert "deterministic" in malformed(with_record(indefinite), None).detail


def test_a_version_0_record_in_another_key_order_is_malformed() -> None:
    flat = cbor2.loads(_version_0())
    unordered = cbor2.dumps(dict(reversed(list(flat.items()))))
    assert unordered != _version_0()
    assert "deterministic" in malformed(with_record(unordered), None).detail
