"""READ BINARY answers must be exactly as long as the kiosk asked (docs/card-format.md).

A card whose answer is longer than Le, or shorter (but not empty), is lying about
its file: **malformed**, whether the kiosk trusts an issuer or not.
"""

from __future__ import annotations

import pytest

from cardio.card.apdu import read_binary
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.errors import MalformedCard, Reason
from contract.assurance import Assurance
from contract.trust import TrustStore
from testkit.cards import DEMO_TRUST, demo_issued, read

GOOD = demo_issued()
RECORD = GOOD.record or b""
FILE = len(RECORD).to_bytes(2, "big") + RECORD
OK = bytes.fromhex("90 00")
BOTH = pytest.mark.parametrize("trust", [DEMO_TRUST, None], ids=["trusted", "no-trust-list"])

HEADER = bytes.fromhex("00 B0 00 00 02")
FIRST_CHUNK = bytes.fromhex("00 B0 00 02 E0")  # 224 bytes at offset 2
LAST_OFFSET = 2 + 224 * ((len(RECORD) - 1) // 224)
LAST_LE = len(RECORD) + 2 - LAST_OFFSET


def refused(rewrite: dict[bytes, bytes], trust: TrustStore | None) -> str:
    with pytest.raises(MalformedCard) as caught:
        read(CitizenCardApplet.from_image(GOOD), trust, rewrite=rewrite)
    assert caught.value.reason is Reason.MALFORMED
    return caught.value.detail


def test_the_commands_are_the_documented_bytes() -> None:
    assert read_binary(0, 2) == HEADER
    assert read_binary(2, 224) == FIRST_CHUNK
    assert len(RECORD) > 224  # the demo record needs at least two body chunks
    assert read(CitizenCardApplet.from_image(GOOD)).assurance is Assurance.CLONE_PROOF
    # The honest answers, fed back as rewrites, still read: the rewrite itself is harmless.
    honest = {FIRST_CHUNK: FILE[2:226] + OK}
    assert (
        read(CitizenCardApplet.from_image(GOOD), rewrite=honest).assurance is Assurance.CLONE_PROOF
    )


@BOTH
def test_an_answer_longer_than_asked_is_malformed(trust: TrustStore | None) -> None:
    last = read_binary(LAST_OFFSET, LAST_LE)
    detail = refused({last: FILE[LAST_OFFSET:] + b"\x00" + OK}, trust)
    assert f"{LAST_LE + 1} bytes, {LAST_LE} asked" in detail
    assert "225 bytes, 224 asked" in refused({FIRST_CHUNK: FILE[2:227] + OK}, trust)


@BOTH
def test_a_header_longer_than_asked_is_malformed(trust: TrustStore | None) -> None:
    assert "3 bytes, 2 asked" in refused({HEADER: FILE[:3] + OK}, trust)


@BOTH
def test_a_chunk_shorter_than_asked_is_malformed(trust: TrustStore | None) -> None:
    assert "112 bytes, 224 asked" in refused({FIRST_CHUNK: FILE[2:114] + OK}, trust)
    assert "1 bytes, 2 asked" in refused({HEADER: FILE[:1] + OK}, trust)


@BOTH
def test_an_empty_chunk_is_malformed(trust: TrustStore | None) -> None:
    assert "0 bytes, 224 asked" in refused({FIRST_CHUNK: OK}, trust)
