"""The emulator's ISO 14443-4 card side, frame by frame (no radio, no nfcpy)."""

from __future__ import annotations

from cardio.emulators._nfc_isodep import CardApplet, IsoDepTarget, build_ats

UID = bytes.fromhex("04A1B2C3D4E5F6")


class Echo:
    """Card logic that answers every APDU with its own bytes and 9000."""

    def __init__(self, reply: bytes | None = None) -> None:
        self.reply = reply
        self.commands: list[bytes] = []

    def execute(self, command: bytes) -> bytes:
        self.commands.append(command)
        return (self.reply if self.reply is not None else command) + b"\x90\x00"


class Broken:
    def execute(self, command: bytes) -> bytes:
        raise RuntimeError("card logic bug")


def activated(applet: CardApplet, rats: str = "E080") -> IsoDepTarget:
    target = IsoDepTarget(applet)
    assert target.activate(bytes.fromhex(rats)) == bytes.fromhex("0578 00 A0 00")
    return target


def test_the_ats_offers_256_byte_frames_106_kbps_and_fwi_10() -> None:
    # TL 05, T0 78 (TA TB TC follow, FSCI 8), TA 00, TB A0 (FWI 10, SFGI 0), TC 00
    assert build_ats() == bytes.fromhex("05 78 00 A0 00")
    assert build_ats(fwi=8, historical=b"\x80") == bytes.fromhex("06 78 00 80 00 80")


def test_rats_is_answered_and_anything_else_first_is_not() -> None:
    target = IsoDepTarget(Echo())
    assert target.handle(bytes.fromhex("02 00A4040C")) is None  # not activated yet
    assert target.activate(bytes.fromhex("26")) is None
    assert target.activate(bytes.fromhex("E0 80")) == bytes.fromhex("05 78 00 A0 00")
    assert target.active


def test_i_blocks_alternate_block_numbers_starting_from_zero() -> None:
    card = Echo()
    target = activated(card)
    assert target.handle(bytes.fromhex("02 00A4040C")) == bytes.fromhex("02 00A4040C 9000")
    assert target.handle(bytes.fromhex("03 00B00000")) == bytes.fromhex("03 00B00000 9000")
    assert target.handle(bytes.fromhex("02 00B00002")) == bytes.fromhex("02 00B00002 9000")
    assert card.commands == [bytes.fromhex(h) for h in ("00A4040C", "00B00000", "00B00002")]


def test_presence_check_nak_gets_an_ack_and_a_lost_block_is_sent_again() -> None:
    target = activated(Echo())
    assert target.handle(bytes.fromhex("B2")) == bytes.fromhex("A3")  # R(NAK) 0: R(ACK) 1
    assert target.handle(bytes.fromhex("02 0001")) == bytes.fromhex("02 0001 9000")
    assert target.handle(bytes.fromhex("B3")) == bytes.fromhex("A2")  # nfcpy's presence check
    assert target.handle(bytes.fromhex("B2")) == bytes.fromhex("02 0001 9000")  # resend
    assert target.handle(bytes.fromhex("A2")) == bytes.fromhex("02 0001 9000")  # resend


def test_chained_command_blocks_are_acknowledged_and_joined() -> None:
    card = Echo(reply=b"")
    target = activated(card)
    assert target.handle(bytes.fromhex("12 00D60000")) == bytes.fromhex("A2")
    assert target.handle(bytes.fromhex("13 0401020304")) == bytes.fromhex("A3")
    assert target.handle(bytes.fromhex("02 05")) == bytes.fromhex("02 9000")
    assert card.commands == [bytes.fromhex("00D60000 0401020304 05")]


def test_a_response_longer_than_the_frame_is_chained() -> None:
    long_reply = bytes(range(256)) + bytes(44)  # 300 bytes + 9000
    target = activated(Echo(reply=long_reply))
    first = target.handle(bytes.fromhex("02 00B00000"))
    assert first == bytes.fromhex("12") + long_reply[:253]  # FSD 256 - PCB - CRC
    assert target.handle(bytes.fromhex("A3")) == bytes.fromhex("03") + long_reply[253:] + (
        b"\x90\x00"
    )


def test_smaller_fsd_from_rats_gives_smaller_chunks() -> None:
    target = IsoDepTarget(Echo(reply=bytes(40)))
    target.activate(bytes.fromhex("E0 20"))  # FSDI 2: 32-byte frames
    assert target.handle(bytes.fromhex("02 00")) == b"\x12" + bytes(29)
    assert target.handle(bytes.fromhex("A3")) == b"\x03" + bytes(11) + b"\x90\x00"


def test_deselect_ends_the_session() -> None:
    target = activated(Echo())
    assert target.handle(bytes.fromhex("C2")) == bytes.fromhex("C2")
    assert not target.active
    assert target.handle(bytes.fromhex("02 0001")) is None


def test_blocks_with_cid_or_nad_are_ignored() -> None:
    target = activated(Echo())
    assert target.handle(bytes.fromhex("0A 01 00A4")) is None  # CID follows
    assert target.handle(bytes.fromhex("06 00 00A4")) is None  # NAD follows


def test_failing_card_logic_answers_6f00() -> None:
    target = activated(Broken())
    assert target.handle(bytes.fromhex("02 00A4040C")) == bytes.fromhex("02 6F00")
