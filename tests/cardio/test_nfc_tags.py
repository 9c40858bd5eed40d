"""ATRs, GET UID answers and Type 3 attribute blocks of the nfc backend, as exact bytes."""

from __future__ import annotations

import pytest

from cardio.emulators.nfc_tags import (
    Type4NdefApplet,
    ndef_tlv,
    ntag_memory,
    type3_attribute_block,
    type_a_sens_res,
)
from cardio.readers._nfc_ops import get_uid
from cardio.readers.atr import ISO_DEP_ATR, atr_for_tag_type

UID = bytes.fromhex("04A1B2C3D4E5F6")


def test_atrs_are_those_pcsc_readers_report() -> None:
    iso_dep = bytes.fromhex("3B 80 80 01 01")  # ISO 14443-4, no historical bytes
    assert iso_dep == ISO_DEP_ATR
    assert atr_for_tag_type("Type4Tag") == iso_dep
    # MIFARE Ultralight / NTAG21x on an ACR122U or ACR1252U:
    assert atr_for_tag_type("Type2Tag") == bytes.fromhex(
        "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00 68"
    )
    # FeliCa on the same readers:
    assert atr_for_tag_type("Type3Tag") == bytes.fromhex(
        "3B 8F 80 01 80 4F 0C A0 00 00 03 06 11 00 3B 00 00 00 00 42"
    )
    assert atr_for_tag_type("Type1Tag") == bytes.fromhex(
        "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 00 00 00 00 00 6B"
    )


@pytest.mark.parametrize(
    ("command", "response"),
    [
        ("FFCA000000", "04A1B2C3D4E5F6 9000"),  # Le 00: the whole UID
        ("FFCA000007", "04A1B2C3D4E5F6 9000"),
        ("FFCA000004", "6C07"),  # Le too short: the right length
        ("FFCA000010", "04A1B2C3D4E5F6 6282"),  # Le too long: end of data
        ("FFCA010000", "6A81"),  # ATS historical bytes: nfcpy does not keep the ATS
        ("FFCA020000", "6B00"),
        ("FFCA0000", "6700"),
    ],
)
def test_get_uid_answers_as_a_pcsc_reader(command: str, response: str) -> None:
    assert get_uid(UID, bytes.fromhex(command)) == bytes.fromhex(response)


def test_sens_res_carries_the_uid_size() -> None:
    assert type_a_sens_res(bytes(4)) == bytes.fromhex("0400")
    assert type_a_sens_res(UID) == bytes.fromhex("4400")
    assert type_a_sens_res(bytes(10)) == bytes.fromhex("8400")
    with pytest.raises(ValueError):
        type_a_sens_res(bytes(5))


def test_type3_attribute_block() -> None:
    # Ver 1.0, Nbr 12, Nbw 1, Nmaxb 3, 4 x 00, WriteF 00, RWFlag 00 (read only),
    # Ln 46, checksum 0x004E = sum of the first 14 bytes.
    assert type3_attribute_block(46, 3, 12) == bytes.fromhex(
        "10 0C 01 0003 00000000 00 00 00002E 004E"
    )
    with pytest.raises(ValueError):
        type3_attribute_block(49, 3, 12)


def test_ndef_tlv_short_and_long() -> None:
    assert ndef_tlv(b"\xd0\x00\x00") == bytes.fromhex("03 03 D00000 FE")
    assert ndef_tlv(bytes(300))[:4] == bytes.fromhex("03 FF 012C")
    assert ndef_tlv(bytes(300))[-1:] == b"\xfe"


def test_ntag213_memory_holds_a_short_message() -> None:
    memory, version = ntag_memory(bytes.fromhex("04E1A2B3C4D580"), bytes.fromhex("D00000"))
    assert version == bytes.fromhex("0004040201000F03")  # NTAG213
    assert len(memory) == 45 * 4
    assert memory[:16] == bytes.fromhex(
        "04E1A2 CF"  # UID0-2, BCC0 = 88 ^ 04 ^ E1 ^ A2
        "B3C4D580"  # UID3-6
        "22 48 0000"  # BCC1 = B3 ^ C4 ^ D5 ^ 80, internal, static lock bytes
        "E1 10 12 0F"  # capability container: NDEF 1.0, 144 bytes, read-only
    )
    assert memory[16:22] == bytes.fromhex("03 03 D00000 FE")
    assert memory[22:] == bytes(45 * 4 - 22)


def test_a_longer_message_picks_ntag215_then_216() -> None:
    uid = bytes.fromhex("04E1A2B3C4D580")
    memory, version = ntag_memory(uid, bytes(300))
    assert (version[6], len(memory), memory[14]) == (0x11, 135 * 4, 504 // 8)
    memory, version = ntag_memory(uid, bytes(600))
    assert (version[6], len(memory), memory[14]) == (0x13, 231 * 4, 888 // 8)
    with pytest.raises(ValueError):
        ntag_memory(uid, bytes(900))


def test_type4_ndef_applet_serves_the_capability_container_and_the_message() -> None:
    card = Type4NdefApplet(bytes.fromhex("D00000"))
    assert card.execute(bytes.fromhex("00A4040007 D2760000850101 00")) == bytes.fromhex("9000")
    assert card.execute(bytes.fromhex("00A4000C02 E103")) == bytes.fromhex("9000")
    assert card.execute(bytes.fromhex("00B000000F")) == bytes.fromhex(
        "000F 20 00FF 00FF 0406 E104 0005 00 FF 9000"
    )
    assert card.execute(bytes.fromhex("00A4000C02 E104")) == bytes.fromhex("9000")
    assert card.execute(bytes.fromhex("00B0000005")) == bytes.fromhex("0003 D00000 9000")
    assert card.execute(bytes.fromhex("00A4040007 D2760000850100 00")) == bytes.fromhex("6A82")
    assert card.execute(bytes.fromhex("00B0000002")) == bytes.fromhex("6986")
