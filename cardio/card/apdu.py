"""ISO 7816-4 command APDUs and status words used by the kiosk.

Kept as exact bytes so tests can assert what crosses the wire.
"""

from __future__ import annotations

from dataclasses import dataclass

from cardio.errors import MalformedCard

#: PC/SC pseudo-APDU: the reader answers with the card's UID (PC/SC part 3).
GET_UID = bytes.fromhex("FFCA000000")
#: The UID lengths a card may give (bytes): ISO/IEC 14443-3 type A single,
#: double and triple size (4, 7, 10; type B's PUPI is 4 too) and the 8-byte
#: FeliCa IDm (JIS X 6319-4) of FeliCa Lite tags. Any other is malformed.
UID_LENGTHS = frozenset({4, 7, 8, 10})

SW_OK = 0x9000
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_WRONG_LENGTH = 0x6700
SW_CONDITIONS_NOT_SATISFIED = 0x6985

#: Largest READ BINARY chunk the kiosk asks for (short Le, no chaining).
READ_CHUNK = 0xE0

#: Challenge lengths INTERNAL AUTHENTICATE accepts (bytes).
MIN_CHALLENGE = 16
MAX_CHALLENGE = 32


def select_aid(aid: bytes) -> bytes:
    """SELECT by DF name (AID), first or only occurrence, FCI not requested."""
    if not 5 <= len(aid) <= 16:
        raise ValueError("an AID is 5 to 16 bytes")
    return bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid


def read_binary(offset: int, length: int) -> bytes:
    """READ BINARY of ``length`` bytes (1..256) at ``offset`` (< 0x8000)."""
    if not 0 <= offset < 0x8000:
        raise ValueError("offset out of range for READ BINARY")
    if not 1 <= length <= 256:
        raise ValueError("length out of range for a short Le")
    return bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, length & 0xFF])


def internal_authenticate(challenge: bytes) -> bytes:
    """INTERNAL AUTHENTICATE (ISO 7816-4 §11.5.2), case 4: ``00 88 00 00 Lc challenge 00``.

    P1 = 00 and P2 = 00: algorithm and key implied by the selected application.
    """
    if not MIN_CHALLENGE <= len(challenge) <= MAX_CHALLENGE:
        raise ValueError(f"a challenge is {MIN_CHALLENGE} to {MAX_CHALLENGE} bytes")
    return bytes([0x00, 0x88, 0x00, 0x00, len(challenge)]) + challenge + b"\x00"


@dataclass(frozen=True)
class Response:
    """A response APDU split into data and status word."""

    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise MalformedCard(f"response of {len(raw)} bytes has no status word")
        return cls(data=bytes(raw[:-2]), sw=(raw[-2] << 8) | raw[-1])

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


def status(sw: int) -> bytes:
    """The two status bytes for ``sw``."""
    return bytes([sw >> 8, sw & 0xFF])
