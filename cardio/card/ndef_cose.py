"""The signed citizen record on an NDEF tag (NTAG21x, FeliCa Lite, Type 4 NDEF).

The tag's NDEF message holds one media-type record (TNF 2) whose type is
:data:`NDEF_TYPE`, the COSE media type with its ``cose-type`` parameter
(RFC 9052 §9.1), and whose payload is the same COSE_Sign1 the citizen card
holds (without the card file's 2-byte length). The type field is the 40 ASCII
bytes ``application/cose; cose-type="cose-sign1"``; readers also accept the
bare ``application/cose`` (the CBOR tag 18 already says COSE_Sign1).

An NDEF tag is memory anyone can copy, so a good record on one reads as
``signed``, never ``clone_proof``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cardio.card import apdu
from cardio.card.layout import MAX_RECORD
from cardio.errors import MalformedCard

#: The record type written to tags: media type with its COSE parameter.
NDEF_TYPE = 'application/cose; cose-type="cose-sign1"'
MEDIA_TYPE = "application/cose"
COSE_TYPE = "cose-sign1"


def is_cose_sign1_type(record_type: str) -> bool:
    """True for ``application/cose`` with no ``cose-type`` or ``cose-type=cose-sign1``."""
    media, *params = (part.strip() for part in record_type.split(";"))
    if media.lower() != MEDIA_TYPE:
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "cose-type":
            return value.strip().strip('"').lower() == COSE_TYPE
    return True


def ndef_record(cose_sign1: bytes) -> tuple[str, bytes]:
    """The ``(type, payload)`` of the record to write on a tag."""
    return NDEF_TYPE, cose_sign1


def find_cose(records: Sequence[tuple[str, bytes]]) -> bytes | None:
    """The COSE_Sign1 payload of the tag's Anjungan record, or None if it has none.

    Two such records make the tag ambiguous, and a payload outside 1 to
    :data:`~cardio.card.layout.MAX_RECORD` bytes is refused as on the
    card: both :class:`MalformedCard`.
    """
    found = [payload for kind, payload in records if is_cose_sign1_type(kind)]
    if len(found) > 1:
        raise MalformedCard(f"{len(found)} COSE records on one tag")
    if found and not isinstance(found[0], bytes | bytearray):
        raise MalformedCard("COSE record payload is not bytes")
    if found and not 0 < len(found[0]) <= MAX_RECORD:  # the card file's bound
        raise MalformedCard(f"COSE record of {len(found[0])} bytes (1 to {MAX_RECORD})")
    return bytes(found[0]) if found else None


class StaticNdefTag:
    """An :class:`cardio.readers.reader.NdefConnection` over fixed records (tests, demos).

    Like a storage tag on a PC/SC or nfcpy reader, it answers GET UID and
    refuses every other APDU (``6E 00``: no ISO 7816-4 application).
    """

    def __init__(self, uid: bytes, records: Sequence[tuple[str, bytes]]) -> None:
        self.uid = uid
        self._records = list(records)

    def transmit(self, command: bytes) -> bytes:
        if command == apdu.GET_UID:
            return self.uid + apdu.status(apdu.SW_OK)
        return apdu.status(apdu.SW_CLA_NOT_SUPPORTED)

    def ndef_records(self) -> list[tuple[str, bytes]]:
        return list(self._records)
