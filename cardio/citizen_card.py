"""The Anjungan citizen card application, both sides of the wire.

Card side: :class:`CitizenCardApplet` answers APDUs like a real card would
(``execute(apdu) -> response``). The simulated reader talks to it directly
and the vpcd/nfcpy emulators serve it to real card stacks, so the demo and
the tests run the same card logic.

Kiosk side: :func:`read_identity` reads any card on a
:class:`cardio.reader.CardConnection`.

Record format (version 0, unsigned; see docs/card-format.md): the elementary
file holds a 2-byte big-endian length followed by a CBOR map of claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cbor2

from cardio import apdu
from cardio.citizen import Assurance, CardIdentity, Citizen
from cardio.errors import CardError, MalformedCard, UnsupportedCard
from cardio.reader import CardConnection

#: Proprietary AID (RID F0 = unregistered/national use) for the citizen card.
AID = bytes.fromhex("F0414E4A554E47414E01")  # F0 "ANJUNGAN" 01

#: Upper bound on a record; anything longer is refused before it is read.
MAX_RECORD = 4096


def encode_record(claims: Mapping[str, Any]) -> bytes:
    """The bytes of the card's elementary file for ``claims``."""
    body = cbor2.dumps(dict(claims), canonical=True)
    if len(body) > MAX_RECORD:
        raise ValueError("record too large for the card")
    return len(body).to_bytes(2, "big") + body


class CitizenCardApplet:
    """Card-side logic of a citizen card (or of a UID-only card if no record)."""

    def __init__(self, uid: bytes, record: bytes | None) -> None:
        self.uid = uid
        self.record = record
        self._selected = False

    def reset(self) -> None:
        self._selected = False

    def execute(self, command: bytes) -> bytes:
        if len(command) < 4:
            return apdu.status(apdu.SW_WRONG_LENGTH)
        cla, ins, p1, p2 = command[:4]
        if cla == 0xFF and ins == 0xCA:
            return self.uid + apdu.status(apdu.SW_OK)
        if cla != 0x00:
            return apdu.status(apdu.SW_CLA_NOT_SUPPORTED)
        if ins == 0xA4:
            return self._select(p1, command[5 : 5 + command[4]] if len(command) > 5 else b"")
        if ins == 0xB0:
            le = command[4] if len(command) > 4 else 0
            return self._read_binary((p1 << 8) | p2, le or 256)
        return apdu.status(apdu.SW_INS_NOT_SUPPORTED)

    def _select(self, p1: int, aid: bytes) -> bytes:
        if p1 == 0x04 and aid == AID and self.record is not None:
            self._selected = True
            return apdu.status(apdu.SW_OK)
        self._selected = False
        return apdu.status(apdu.SW_FILE_NOT_FOUND)

    def _read_binary(self, offset: int, le: int) -> bytes:
        if not self._selected or self.record is None:
            return apdu.status(apdu.SW_CONDITIONS_NOT_SATISFIED)
        if offset > len(self.record):
            return apdu.status(apdu.SW_WRONG_P1P2)
        return self.record[offset : offset + le] + apdu.status(apdu.SW_OK)


def read_identity(card: CardConnection) -> CardIdentity:
    """Read whatever card is on ``card``: a citizen card, or just a UID.

    Raises :class:`cardio.errors.CardError` subclasses, never anything else.
    """
    try:
        uid_resp = apdu.Response.parse(card.transmit(apdu.GET_UID))
        if not uid_resp.ok or not uid_resp.data:
            raise UnsupportedCard(f"GET UID answered {uid_resp.sw:04X}")
        uid = uid_resp.data
        selected = apdu.Response.parse(card.transmit(apdu.select_aid(AID)))
        if selected.sw in (
            apdu.SW_FILE_NOT_FOUND,
            apdu.SW_INS_NOT_SUPPORTED,
            apdu.SW_CLA_NOT_SUPPORTED,
        ):
            return CardIdentity(uid=uid, citizen=None, assurance=Assurance.UNVERIFIED)
        if not selected.ok:
            raise UnsupportedCard(f"SELECT answered {selected.sw:04X}")
        record = _read_record(card)
        try:
            claims = cbor2.loads(record)
        except Exception as exc:  # cbor2 raises several unrelated types
            raise MalformedCard(f"record is not CBOR: {type(exc).__name__}") from None
        if not isinstance(claims, dict):
            raise MalformedCard("record is not a CBOR map")
        citizen = Citizen.from_claims(claims)
        return CardIdentity(uid=uid, citizen=citizen, assurance=Assurance.UNVERIFIED)
    except CardError:
        raise
    except Exception as exc:  # a backend bug must still become a reason
        raise MalformedCard(f"unexpected {type(exc).__name__} while reading") from exc


def _read_record(card: CardConnection) -> bytes:
    head = _read(card, 0, 2)
    if len(head) != 2:
        raise MalformedCard("record header truncated")
    length = int.from_bytes(head, "big")
    if length == 0 or length > MAX_RECORD:
        raise MalformedCard(f"record length {length} out of range")
    body = bytearray()
    while len(body) < length:
        chunk = _read(card, 2 + len(body), min(apdu.READ_CHUNK, length - len(body)))
        if not chunk:
            raise MalformedCard("record truncated")
        body += chunk
    return bytes(body[:length])


def _read(card: CardConnection, offset: int, length: int) -> bytes:
    resp = apdu.Response.parse(card.transmit(apdu.read_binary(offset, length)))
    if not resp.ok:
        raise MalformedCard(f"READ BINARY at {offset} answered {resp.sw:04X}")
    return resp.data
