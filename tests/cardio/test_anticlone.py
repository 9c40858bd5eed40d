"""Anti-clone: the card signs a fresh challenge with the key its signed record names."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from cardio.card.card_auth import DOMAIN_PREFIX, sign_challenge, verify_challenge
from cardio.card.citizen_card import read_identity
from cardio.emulators import card_tamper
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import demo_card
from cardio.errors import CardRejected, Reason
from contract.assurance import Assurance
from testkit.cards import CHALLENGE, DEMO_TRUST, NOW, Recorder, read

KEY = ec.generate_private_key(ec.SECP256R1())


def test_the_domain_prefix_is_documented_ascii_and_a_zero_byte() -> None:
    assert DOMAIN_PREFIX == b"Anjungan INTERNAL AUTHENTICATE v1\x00"
    assert DOMAIN_PREFIX.hex().upper() == (
        "416E6A756E67616E20494E5445524E414C2041555448454E5449434154452076" + "3100"
    )


def test_the_answer_is_raw_r_and_s_over_prefix_and_challenge() -> None:
    signature = sign_challenge(KEY, CHALLENGE)
    assert len(signature) == 64
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    der = encode_dss_signature(r, s)
    KEY.public_key().verify(der, DOMAIN_PREFIX + CHALLENGE, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):  # the bare challenge is never what is signed
        KEY.public_key().verify(der, CHALLENGE, ec.ECDSA(hashes.SHA256()))
    assert verify_challenge(KEY.public_key(), CHALLENGE, signature)


def test_a_signature_proves_only_its_own_challenge_and_key() -> None:
    signature = sign_challenge(KEY, CHALLENGE)
    other_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert not verify_challenge(KEY.public_key(), bytes(32), signature)
    assert not verify_challenge(other_key, CHALLENGE, signature)
    assert not verify_challenge(KEY.public_key(), CHALLENGE, signature[:-1])
    assert not verify_challenge(KEY.public_key(), CHALLENGE, bytes(64))


def test_every_read_sends_a_fresh_32_byte_challenge() -> None:
    challenges = []
    for _ in range(3):
        card = Recorder(demo_card("siti").applet())
        identity = read_identity(card, DEMO_TRUST, now=lambda: NOW)
        assert identity.assurance is Assurance.CLONE_PROOF
        command = card.sent[-1]
        assert command[:5] == bytes.fromhex("0088000020") and command[-1] == 0x00
        challenges.append(command[5:-1])
    assert len({bytes(c) for c in challenges}) == 3
    assert all(len(c) == 32 for c in challenges)


def test_a_copy_of_the_record_on_another_card_fails() -> None:
    genuine = demo_card("siti").image()
    copy = card_tamper.cloned(genuine)
    assert copy.record == genuine.record and copy.uid == genuine.uid
    assert read(CitizenCardApplet.from_image(genuine)).assurance is Assurance.CLONE_PROOF
    with pytest.raises(CardRejected) as caught:
        read(CitizenCardApplet.from_image(copy))
    assert caught.value.reason is Reason.CLONE_SUSPECTED


def test_a_replayed_answer_does_not_prove_a_new_challenge() -> None:
    genuine = demo_card("siti").image()
    recorded = Recorder(CitizenCardApplet.from_image(genuine))
    read_identity(recorded, DEMO_TRUST, now=lambda: NOW, challenge=lambda: CHALLENGE)
    old_answer = recorded.applet.execute(recorded.sent[-1])
    copy = card_tamper.cloned(genuine)

    class Replaying(Recorder):
        def transmit(self, apdu: bytes) -> bytes:
            return old_answer if apdu[1] == 0x88 else super().transmit(apdu)

    fresh = bytes(range(32))
    with pytest.raises(CardRejected) as caught:
        read_identity(
            Replaying(CitizenCardApplet.from_image(copy)),
            DEMO_TRUST,
            now=lambda: NOW,
            challenge=lambda: fresh,
        )
    assert caught.value.reason is Reason.CLONE_SUSPECTED
