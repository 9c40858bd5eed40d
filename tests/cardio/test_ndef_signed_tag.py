"""The signed record on an NDEF tag: "signed", never "clone_proof"."""

from __future__ import annotations

import pytest

from cardio.card.citizen_card import read_identity
from cardio.card.ndef_cose import NDEF_TYPE, StaticNdefTag, find_cose, is_cose_sign1_type
from cardio.emulators import card_tamper
from cardio.emulators.demo_cards import demo_card
from cardio.errors import CardRejected, MalformedCard, Reason
from cardio.readers.reader import CardConnection, NdefConnection
from contract.assurance import Assurance
from testkit.cards import DEMO_TRUST, NOW

SITI = demo_card("siti").image()


def test_the_record_type_is_the_cose_media_type_with_its_parameter() -> None:
    assert NDEF_TYPE == 'application/cose; cose-type="cose-sign1"'
    assert len(NDEF_TYPE.encode("ascii")) == 40  # fits the 1-byte TYPE LENGTH


def test_ndeflib_writes_it_as_a_media_type_record() -> None:
    ndef = pytest.importorskip("ndef")
    record_type, payload = SITI.ndef_tag().ndef_records()[0]
    message = b"".join(ndef.message_encoder([ndef.Record(record_type, "", payload)]))
    assert message[0] == 0xC2  # MB, ME, TNF 2 (media type); SR clear: payload > 255 bytes
    assert message[1] == 40  # TYPE LENGTH
    assert message[2:6] == len(payload).to_bytes(4, "big")  # PAYLOAD LENGTH
    assert message[6 : 6 + 40] == NDEF_TYPE.encode("ascii")  # TYPE
    assert message[6 + 40 :] == payload
    [decoded] = list(ndef.message_decoder(message))
    assert (decoded.type, decoded.data) == (NDEF_TYPE, SITI.record)


@pytest.mark.parametrize(
    ("record_type", "ours"),
    [
        ('application/cose; cose-type="cose-sign1"', True),
        ("application/cose;cose-type=cose-sign1", True),
        ("Application/COSE", True),
        ('application/cose; cose-type="cose-mac0"', False),
        ("application/cbor", False),
        ("urn:nfc:wkt:T", False),
    ],
)
def test_which_record_types_are_read(record_type: str, ours: bool) -> None:
    assert is_cose_sign1_type(record_type) is ours


def test_a_good_record_on_a_tag_is_signed_not_clone_proof() -> None:
    tag = SITI.ndef_tag()
    assert isinstance(tag, CardConnection) and isinstance(tag, NdefConnection)
    identity = read_identity(tag, DEMO_TRUST, now=lambda: NOW)
    assert identity.assurance is Assurance.SIGNED
    assert identity.uid == SITI.uid
    assert identity.citizen is not None and identity.citizen.full_name == "Siti Aminah"


def test_without_a_trust_list_the_tag_is_unverified() -> None:
    identity = read_identity(SITI.ndef_tag(), None, now=lambda: NOW)
    assert identity.assurance is Assurance.UNVERIFIED and identity.citizen is not None


def test_a_tag_without_our_record_gives_its_uid_only() -> None:
    tag = StaticNdefTag(bytes.fromhex("04AABBCCDDEEFF"), [("urn:nfc:wkt:U", b"\x04example.org")])
    identity = read_identity(tag, DEMO_TRUST, now=lambda: NOW)
    assert identity.citizen is None and identity.assurance is Assurance.UNVERIFIED


def test_a_forged_record_on_a_tag_is_refused_like_on_a_card() -> None:
    forged = card_tamper.forged(SITI).ndef_tag()
    with pytest.raises(CardRejected) as caught:
        read_identity(forged, DEMO_TRUST, now=lambda: NOW)
    assert caught.value.reason is Reason.BAD_SIGNATURE


def test_two_cose_records_make_the_tag_malformed() -> None:
    record = SITI.record or b""
    with pytest.raises(MalformedCard):
        find_cose([(NDEF_TYPE, record), ("application/cose", record)])
    tag = StaticNdefTag(SITI.uid, [(NDEF_TYPE, record), (NDEF_TYPE, record)])
    with pytest.raises(MalformedCard):
        read_identity(tag, DEMO_TRUST, now=lambda: NOW)
