"""The ATRs a PC/SC reader reports for contactless cards (PC/SC part 3, section 3.1.3.2.3).

A PC/SC reader builds an ATR for every contactless card; the nfc backend
builds the same bytes for :class:`cardio.readers.events.CardPresented`, so the
kiosk sees one kind of ATR whichever stack read the card:

- ISO 14443-4 (ISO-DEP) cards: ``3B 8n 80 01`` + the ATS historical bytes +
  TCK (:func:`contactless_atr`). nfcpy 1.0.4 does not keep the ATS it
  receives (``Type4ATag`` parses and drops it), so the nfc backend reports no
  historical bytes: ``3B 80 80 01 01`` (:data:`ISO_DEP_ATR`).
- Storage tags (NFC Forum Type 1, 2 and 3): ``3B 8F 80 01 80 4F 0C`` + the
  PC/SC RID ``A0 00 00 03 06`` + standard byte SS + card name NN NN +
  ``00 00 00 00`` + TCK. SS is 03 (ISO 14443 A part 3) for Type 1 and 2, 11
  (FeliCa) for Type 3; NN NN is 00 03 (MIFARE Ultralight, as readers report
  NTAG21x too), 00 3B (FeliCa) or 00 00 (unknown).
"""

from __future__ import annotations

from functools import reduce

PCSC_RID = bytes.fromhex("A000000306")
SS_ISO14443A_3 = 0x03
SS_FELICA = 0x11
NAME_ULTRALIGHT = 0x0003
NAME_FELICA = 0x003B
NAME_UNKNOWN = 0x0000


def _xor(data: bytes) -> int:
    return reduce(lambda acc, byte: acc ^ byte, data, 0)


def contactless_atr(historical: bytes = b"") -> bytes:
    """The ATR a PC/SC reader builds for an ISO 14443-4 Type A card.

    PC/SC part 3 (ATR of contactless ISO 14443-4 cards): ``3B 8n 80 01``,
    then the ``n`` historical bytes of the card's ATS, then TCK, the XOR of
    every byte from T0 on. With no historical bytes this is
    ``3B 80 80 01 01`` (T=1 offered); a DESFire EV1 (historical byte 80)
    reads ``3B 81 80 01 80 80``.
    """
    if len(historical) > 15:
        raise ValueError("at most 15 historical bytes")
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    return b"\x3b" + body + bytes([_xor(body)])


#: The ATR the nfc backend reports for every ISO-DEP card (see module doc).
ISO_DEP_ATR = contactless_atr()


def storage_card_atr(standard: int, card_name: int) -> bytes:
    """PC/SC part 3 ATR of a storage card (no ISO 14443-4)."""
    body = (
        bytes.fromhex("8F8001804F0C")
        + PCSC_RID
        + bytes([standard, card_name >> 8, card_name & 0xFF])
        + bytes(4)
    )
    return b"\x3b" + body + bytes([_xor(body)])


def atr_for_tag_type(tag_type: str) -> bytes:
    """The ATR for an nfcpy tag type name (``Type2Tag``, ``Type3Tag``, ``Type4Tag``…)."""
    if tag_type == "Type4Tag":
        return ISO_DEP_ATR
    if tag_type == "Type2Tag":
        return storage_card_atr(SS_ISO14443A_3, NAME_ULTRALIGHT)
    if tag_type == "Type3Tag":
        return storage_card_atr(SS_FELICA, NAME_FELICA)
    return storage_card_atr(SS_ISO14443A_3, NAME_UNKNOWN)
