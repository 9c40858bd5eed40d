"""Anti-clone: the card proves it holds the private key its signed record names.

The kiosk sends a fresh random challenge in INTERNAL AUTHENTICATE; the card
signs ``DOMAIN_PREFIX || challenge`` with ECDSA P-256 / SHA-256 and answers
the signature as raw ``r || s`` (two 32-byte big-endian integers, 64 bytes).
The kiosk verifies it with the card public key from the signed record. A copy
of the record on another card has no matching private key and fails.

The prefix separates these signatures from any other use of the card key, so
a signature obtained here can never be replayed as something else.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from cardio.card import apdu

#: ASCII "Anjungan INTERNAL AUTHENTICATE v1" followed by one 00 byte.
DOMAIN_PREFIX = b"Anjungan INTERNAL AUTHENTICATE v1\x00"
#: The kiosk's challenge length (bytes); the card accepts 16 to 32.
CHALLENGE_LENGTH = 32
#: Raw r || s for P-256.
SIGNATURE_LENGTH = 64
_COORD = 32


def new_challenge() -> bytes:
    """A fresh challenge from the operating system's CSPRNG, one per read."""
    return os.urandom(CHALLENGE_LENGTH)


def sign_challenge(card_key: ec.EllipticCurvePrivateKey, challenge: bytes) -> bytes:
    """Card side: the 64-byte raw signature over the prefixed challenge."""
    if not apdu.MIN_CHALLENGE <= len(challenge) <= apdu.MAX_CHALLENGE:
        raise ValueError("challenge length out of range")
    der = card_key.sign(DOMAIN_PREFIX + challenge, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return r.to_bytes(_COORD, "big") + s.to_bytes(_COORD, "big")


def verify_challenge(
    card_public_key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes
) -> bool:
    """Kiosk side: does ``signature`` prove possession of the card key?"""
    if len(signature) != SIGNATURE_LENGTH:
        return False
    r = int.from_bytes(signature[:_COORD], "big")
    s = int.from_bytes(signature[_COORD:], "big")
    if r == 0 or s == 0:
        return False
    try:
        card_public_key.verify(
            encode_dss_signature(r, s), DOMAIN_PREFIX + challenge, ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        return False
    return True
