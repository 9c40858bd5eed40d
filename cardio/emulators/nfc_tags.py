"""What emulated tags hold: SENS_RES, Type 2 and 3 memory, a Type 4 NDEF card.

The emulators of :mod:`cardio.emulators.nfc_emulator` present these to nfcpy's
udp driver; the ATR a reader reports for each tag type is the readers'
business (:mod:`cardio.readers.atr`).
"""

from __future__ import annotations


def type_a_sens_res(uid: bytes) -> bytes:
    """SENS_RES (ATQA) for a Type A UID: the size bits, anticollision bit 3 set."""
    sizes = {4: 0x04, 7: 0x44, 10: 0x84}
    if len(uid) not in sizes:
        raise ValueError("a Type A UID is 4, 7 or 10 bytes")
    return bytes([sizes[len(uid)], 0x00])


def type3_attribute_block(length: int, data_blocks: int, blocks_per_read: int) -> bytes:
    """NFC Forum Type 3 Tag attribute information block, version 1.0, read-only.

    Ver, Nbr, Nbw, Nmaxb (2), four zero bytes, WriteF 00, RWFlag 00 (read
    only), Ln (3), checksum (2): the sum of the first 14 bytes.
    """
    if not 1 <= blocks_per_read <= 15:
        raise ValueError("Nbr is 1..15")
    if length > data_blocks * 16 or length >= 1 << 24:
        raise ValueError("NDEF length does not fit")
    head = (
        bytes([0x10, blocks_per_read, 1])
        + data_blocks.to_bytes(2, "big")
        + bytes(4)
        + bytes([0x00, 0x00])
        + length.to_bytes(3, "big")
    )
    return head + (sum(head) & 0xFFFF).to_bytes(2, "big")


#: NXP NTAG21x products: (user memory bytes, GET_VERSION storage-size byte, name).
NTAG_PRODUCTS = ((144, 0x0F, "NTAG213"), (504, 0x11, "NTAG215"), (888, 0x13, "NTAG216"))
#: Pages after the user memory: dynamic lock bits, CFG0, CFG1, PWD, PACK.
NTAG_CONFIG_PAGES = 5


def ndef_tlv(message: bytes) -> bytes:
    """An NDEF Message TLV (short or three-byte length) and the Terminator TLV."""
    if len(message) < 0xFF:
        return bytes([0x03, len(message)]) + message + b"\xfe"
    if len(message) > 0xFFFE:
        raise ValueError("NDEF message too long for a TLV")
    return b"\x03\xff" + len(message).to_bytes(2, "big") + message + b"\xfe"


def ntag_memory(uid: bytes, message: bytes) -> tuple[bytes, bytes]:
    """(memory, GET_VERSION answer) of the smallest NTAG21x holding ``message`` read-only.

    Pages 0-2: UID with its check bytes (BCC0 = 88 ⊕ UID0-2, BCC1 = UID3-6),
    internal byte 48, static lock bytes 00 00; page 3: capability container
    ``E1 10 <size/8> 0F`` (mapping 1.0, read freely, never written); then the
    NDEF TLV in the user memory, then the configuration pages, all zero.
    """
    if len(uid) != 7 or uid[0] != 0x04:
        raise ValueError("an NTAG UID is 7 bytes starting with NXP's 04")
    tlv = ndef_tlv(message)
    fitting = [(size, storage) for size, storage, _ in NTAG_PRODUCTS if len(tlv) <= size]
    if not fitting:
        raise ValueError(f"an NDEF message of {len(message)} bytes does not fit an NTAG216")
    size, storage = fitting[0]
    bcc0 = 0x88 ^ uid[0] ^ uid[1] ^ uid[2]
    bcc1 = uid[3] ^ uid[4] ^ uid[5] ^ uid[6]
    header = uid[:3] + bytes([bcc0]) + uid[3:] + bytes([bcc1, 0x48, 0x00, 0x00])
    header += bytes([0xE1, 0x10, size // 8, 0x0F])
    memory = header + tlv + bytes(size - len(tlv) + 4 * NTAG_CONFIG_PAGES)
    version = bytes([0x00, 0x04, 0x04, 0x02, 0x01, 0x00, storage, 0x03])
    return memory, version


NDEF_AID = bytes.fromhex("D2760000850101")  # NFC Forum Type 4 Tag, mapping 2.0
CC_FILE = bytes.fromhex("E103")
NDEF_FILE = bytes.fromhex("E104")


class Type4NdefApplet:
    """Card logic of an NFC Forum Type 4 Tag (mapping 2.0) holding ``message``, read-only.

    SELECT the NDEF application, SELECT the capability container (E103) or
    the NDEF file (E104), READ BINARY; everything else ``6D00``. Serve it
    with :class:`cardio.emulators.nfc_emulator.IsoDepEmulator`.
    """

    def __init__(self, message: bytes, uid: bytes = bytes.fromhex("04A1B2C3D4E5F6")) -> None:
        self.uid = uid
        ndef_file = len(message).to_bytes(2, "big") + message
        control_tlv = b"\x04\x06" + NDEF_FILE + len(ndef_file).to_bytes(2, "big") + b"\x00\xff"
        # CCLEN, mapping 2.0, MLe 00FF, MLc 00FF, NDEF File Control TLV (read free, no write)
        cc = bytes.fromhex("000F 20 00FF 00FF") + control_tlv
        self._files = {CC_FILE: cc, NDEF_FILE: ndef_file}
        self._app = False
        self._file: bytes | None = None

    def reset(self) -> None:
        self._app, self._file = False, None

    def execute(self, command: bytes) -> bytes:
        if len(command) < 4 or command[0] != 0x00:
            return bytes.fromhex("6E00")
        ins, p1, p2 = command[1], command[2], command[3]
        data = command[5 : 5 + command[4]] if len(command) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:
            self._app, self._file = data == NDEF_AID, None
            return bytes.fromhex("9000" if self._app else "6A82")
        if ins == 0xA4 and p1 == 0x00 and self._app and data in self._files:
            self._file = self._files[data]
            return bytes.fromhex("9000")
        if ins == 0xA4:
            return bytes.fromhex("6A82")
        if ins == 0xB0 and self._file is not None:
            offset, le = (p1 << 8) | p2, (command[4] if len(command) == 5 else 0) or 256
            if offset > len(self._file):
                return bytes.fromhex("6B00")
            return self._file[offset : offset + le] + b"\x90\x00"
        if ins == 0xB0:
            return bytes.fromhex("6986")  # command not allowed: no file selected
        return bytes.fromhex("6D00")
