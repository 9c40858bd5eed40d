"""Where the record sits on the Anjungan citizen card: the application and its file.

The card holds one ISO 7816-4 application, :data:`AID`, whose transparent
elementary file is a 2-byte big-endian length followed by the record
(:func:`card_file`); a record is 1 to :data:`MAX_RECORD` bytes. The kiosk
reads this layout (:mod:`cardio.card.citizen_card`), the issuer writes it
(:mod:`cardio.issuing`), and the emulators serve it. Byte level:
docs/card-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cbor2

#: Proprietary AID (RID F0 = unregistered/national use) for the citizen card.
AID = bytes.fromhex("F0414E4A554E47414E01")  # F0 "ANJUNGAN" 01

#: Upper bound on a record; anything longer is refused before it is read.
MAX_RECORD = 4096


def card_file(record: bytes) -> bytes:
    """The card's elementary file for a record: 2-byte big-endian length, then the record."""
    if not 0 < len(record) <= MAX_RECORD:
        raise ValueError(f"a record is 1 to {MAX_RECORD} bytes")
    return len(record).to_bytes(2, "big") + record


def encode_record(claims: Mapping[str, Any]) -> bytes:
    """The elementary file of a **version 0, unsigned** record (a plain CBOR map).

    Only a kiosk that trusts no issuer reads it, as ``unverified``; a kiosk
    with a trust list refuses it as malformed. For transport tests only.
    """
    return card_file(cbor2.dumps(dict(claims), canonical=True))
