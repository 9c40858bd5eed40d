"""Every reason a card is refused, each produced by a real crafted card."""

from __future__ import annotations

import datetime as dt

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from cardio.card import signed_record
from cardio.card.apdu import internal_authenticate
from cardio.emulators import card_tamper
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.errors import CardError, CardRejected, CardRemovedDuringRead, MalformedCard, Reason
from cardio.issuing.card_image import CardImage
from cardio.issuing.issuer import generate_issuer_key, issue_card, sign_citizen
from contract.assurance import Assurance
from contract.trust import TrustStore, revocation_list_json, trust_list_json
from testkit.cards import (
    CHALLENGE,
    DEMO_ISSUER,
    DEMO_TRUST,
    NOW,
    UID,
    citizen_claims,
    demo_issued,
    read,
)

GOOD = demo_issued()


def reason_of(image: CardImage, trust: TrustStore = DEMO_TRUST, **kwargs: dt.datetime) -> Reason:
    with pytest.raises(CardRejected) as caught:
        read(CitizenCardApplet.from_image(image), trust, **kwargs)
    return caught.value.reason


def test_the_good_card_passes_as_clone_proof() -> None:
    identity = read(CitizenCardApplet.from_image(GOOD))
    assert identity.assurance is Assurance.CLONE_PROOF
    assert identity.expires == dt.datetime(2031, 1, 1, tzinfo=dt.UTC)  # five years on


def test_bad_signature_when_the_record_is_re_signed_under_the_issuers_kid() -> None:
    assert reason_of(card_tamper.forged(GOOD)) is Reason.BAD_SIGNATURE


def test_bad_signature_when_one_byte_of_a_claim_changed_after_signing() -> None:
    tampered = card_tamper.tampered(GOOD)
    assert tampered.record is not None and GOOD.record is not None
    assert len(tampered.record) == len(GOOD.record)
    assert sum(a != b for a, b in zip(tampered.record, GOOD.record, strict=True)) == 1
    assert reason_of(tampered) is Reason.BAD_SIGNATURE


def test_bad_signature_when_the_algorithm_is_not_es256() -> None:
    message = cbor2.loads(GOOD.record or b"")
    protected = cbor2.loads(message.value[0])
    message.value[0] = cbor2.dumps({**protected, 1: -35})  # ES384
    record = cbor2.dumps(message)
    assert reason_of(CardImage(UID, record, GOOD.card_key)) is Reason.BAD_SIGNATURE


def test_unknown_issuer_when_signed_by_a_key_not_on_the_trust_list() -> None:
    assert reason_of(card_tamper.forged(GOOD, keep_kid=False)) is Reason.UNKNOWN_ISSUER
    other_city = generate_issuer_key("ID-DUM", "Kota Dumai")
    assert reason_of(issue_card(other_city, citizen_claims())) is Reason.UNKNOWN_ISSUER


def test_unknown_issuer_when_the_record_names_another_issuer_than_its_key() -> None:
    claims = {**citizen_claims(), signed_record.CARD_KEY: signed_record.cose_key(_key())}
    record = sign_citizen(DEMO_ISSUER, claims, NOW - dt.timedelta(days=1), NOW + dt.timedelta(1))
    _, payload = signed_record.unverified_claims(record)
    payload[signed_record.CLAIM_ISS] = "ID-PKU"  # a trusted key, but not PKU's
    forged = signed_record.sign(payload, DEMO_ISSUER.private_key, DEMO_ISSUER.kid)
    assert reason_of(CardImage(UID, forged, None)) is Reason.UNKNOWN_ISSUER


def test_expired_from_the_expiry_second_on() -> None:
    assert reason_of(card_tamper.expired(DEMO_ISSUER, citizen_claims(), now=NOW)) is Reason.EXPIRED
    ends = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    card = demo_issued(expires=ends)
    assert (
        read(CitizenCardApplet.from_image(card), now=ends - dt.timedelta(seconds=1)).citizen
        is not None
    )
    assert reason_of(card, now=ends) is Reason.EXPIRED


def test_not_yet_valid_beyond_five_minutes_of_clock_skew() -> None:
    issued = NOW + dt.timedelta(days=30)
    assert reason_of(demo_issued(issued=issued)) is Reason.NOT_YET_VALID
    slightly_ahead = demo_issued(issued=NOW + dt.timedelta(minutes=4))
    assert read(CitizenCardApplet.from_image(slightly_ahead)).assurance is Assurance.CLONE_PROOF


def test_revoked_when_the_revocation_list_names_the_card() -> None:
    trust = TrustStore.from_json(
        trust_list_json([DEMO_ISSUER.issuer]),
        revocation_list_json({"ID-PKU-DEMO": ["PKU-000001"]}, version=7),
    )
    assert trust.revocation_version == 7
    assert reason_of(GOOD, trust) is Reason.REVOKED
    other = demo_issued(citizen_claims(card_number="PKU-000099"))
    assert read(CitizenCardApplet.from_image(other), trust).assurance is Assurance.CLONE_PROOF


def test_clone_suspected_when_the_record_is_copied_onto_another_card() -> None:
    assert reason_of(card_tamper.cloned(GOOD)) is Reason.CLONE_SUSPECTED


def test_clone_suspected_when_the_card_cannot_do_internal_authenticate() -> None:
    plain = CardImage(UID, GOOD.record, None)  # a plain card answers 6D00
    assert reason_of(plain) is Reason.CLONE_SUSPECTED


def test_clone_suspected_when_the_signature_answer_is_garbage() -> None:
    for answer in (bytes(64) + b"\x90\x00", b"\x01" * 63 + b"\x90\x00", b"\x90\x00"):
        with pytest.raises(CardRejected) as caught:
            read(
                CitizenCardApplet.from_image(GOOD),
                rewrite={internal_authenticate(CHALLENGE): answer},
            )
        assert caught.value.reason is Reason.CLONE_SUSPECTED


def test_nik_mismatch_when_the_nik_says_another_sex_or_birthday() -> None:
    man = citizen_claims(sex="M")  # Siti's NIK has day 52: a woman
    wrong_day = citizen_claims(date_of_birth="1985-03-13")
    for claims in (man, wrong_day):
        card = demo_issued(claims, check=False)
        assert reason_of(card) is Reason.NIK_MISMATCH
        with pytest.raises(CardRejected) as caught:
            read(
                CitizenCardApplet.from_image(card), trust=None
            )  # even unverified claims are checked
        assert caught.value.reason is Reason.NIK_MISMATCH


@pytest.mark.parametrize(
    "changes",
    [
        {"nik": "9971015203850001"},  # no province 99
        {"nik": "147101520385"},  # too short
        {"sex": "X"},
        {"date_of_birth": "12-03-1985"},
        {"date_of_birth": "2027-03-12"},  # born after the card was issued
        {"address": {"street": "Jl. Paus", "rt": "1234"}},
        {"blood_type": "C"},
        {"bpjs_number": "12345"},
        {"full_name": ""},
    ],
)
def test_malformed_when_a_signed_field_cannot_be_right(changes: dict[str, object]) -> None:
    card = demo_issued(citizen_claims(**changes), check=False)
    assert reason_of(card) is Reason.MALFORMED


def test_malformed_when_the_record_is_cut_short_or_not_cose() -> None:
    record = GOOD.record or b""
    for broken in (record[:200], record[:-1], b"\xd2\x84\x40\xa0\x40", cbor2.dumps([1, 2])):
        assert reason_of(CardImage(UID, broken, GOOD.card_key)) is Reason.MALFORMED


def test_malformed_when_the_card_key_is_not_a_public_p256_point() -> None:
    key = signed_record.cose_key(_key())
    bad_keys = [
        {**key, -4: b"\x01" * 32},  # carries a private key
        {**key, -1: 2},  # P-384
        {**key, -3: bytes(32)},  # not on the curve
        "not a key",
    ]
    for bad in bad_keys:
        claims = {**citizen_claims(), signed_record.CARD_KEY: bad}
        record = sign_citizen(DEMO_ISSUER, claims, NOW - dt.timedelta(1), NOW + dt.timedelta(1))
        assert reason_of(CardImage(UID, record, None)) is Reason.MALFORMED


def test_removed_during_read_when_the_card_leaves_before_the_proof() -> None:
    class LeavesOnAuthenticate(CitizenCardApplet):
        def execute(self, command: bytes) -> bytes:
            if command[1] == 0x88:
                raise CardRemovedDuringRead("the card left the field")
            return super().execute(command)

    image = CitizenCardApplet.from_image(GOOD)
    leaving = LeavesOnAuthenticate(image.uid, image.record, image.card_key)
    with pytest.raises(CardError) as caught:
        read(leaving)
    assert caught.value.reason is Reason.REMOVED_DURING_READ


def test_rejections_are_card_errors_with_a_stable_reason() -> None:
    rejected = CardRejected(Reason.REVOKED, "revoked by ID-PKU")
    assert isinstance(rejected, CardError) and rejected.reason is Reason.REVOKED
    assert isinstance(MalformedCard("x"), CardRejected)
    assert {r.value for r in Reason} >= {
        "bad_signature",
        "unknown_issuer",
        "expired",
        "not_yet_valid",
        "revoked",
        "clone_suspected",
        "malformed",
        "removed_during_read",
        "nik_mismatch",
    }


def _key() -> ec.EllipticCurvePublicKey:
    return ec.generate_private_key(ec.SECP256R1()).public_key()
