"""docs/card-format.md's worked example and constants are those of the shipped code."""

from __future__ import annotations

import re
from pathlib import Path

import cbor2

from cardio.card.card_auth import DOMAIN_PREFIX
from cardio.card.layout import AID
from cardio.card.ndef_cose import NDEF_TYPE
from cardio.card.signed_record import CLAIM_CITIZEN
from cardio.emulators.demo_cards import demo_card
from cardio.errors import Reason
from contract.nik import PROVINCES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "card-format.md").read_text("utf-8")
RECORD = demo_card("siti").image().record or b""


def spaced(data: bytes) -> str:
    return data.hex(" ").upper()


def test_the_worked_example_is_the_shipped_demo_card() -> None:
    message = cbor2.loads(RECORD)
    protected, _, payload, signature = message.value
    claims = cbor2.loads(payload)
    kid = cbor2.loads(protected)[4]
    assert f"`kid` `{spaced(kid)}`" in DOC
    assert f"is `{spaced(len(RECORD).to_bytes(2, 'big'))}` ({len(RECORD)})" in DOC
    assert f"4D {spaced(protected)}" in DOC
    assert f"59 {spaced(len(payload).to_bytes(2, 'big'))}  " in DOC
    assert f"bstr({len(payload)}) payload" in DOC
    assert f"04 1A {spaced(claims[4].to_bytes(4, 'big'))}  " in DOC
    assert f"06 1A {spaced(claims[6].to_bytes(4, 'big'))}  " in DOC
    assert f"58 40 {spaced(signature[:4])} … {spaced(signature[-4:])}" in DOC
    assert f'"kid": "{kid.hex()}"' in DOC


def test_the_documented_constants_are_the_codes() -> None:
    assert spaced(AID) in DOC
    assert f"`{CLAIM_CITIZEN}`" in DOC
    assert NDEF_TYPE in DOC
    assert spaced(DOMAIN_PREFIX) in DOC.upper()
    assert DOMAIN_PREFIX[:-1].decode("ascii") in DOC
    for reason in Reason:
        assert re.search(rf"^\| `{reason.value}` \|", DOC, re.M), reason
    assert "38 codes" in DOC and len(PROVINCES) == 38
