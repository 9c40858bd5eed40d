"""The card side of the Anjungan citizen card: an applet answering APDUs.

:class:`CitizenCardApplet` answers like a real card would
(``execute(apdu) -> response``). The simulated reader talks to it directly
and the vpcd/nfcpy emulators serve it to real card stacks, so the demo and
the tests run the same card logic. It serves the layout of
:mod:`cardio.card.layout`; commands and answers are in docs/card-format.md.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from cardio.card import apdu
from cardio.card.card_auth import sign_challenge
from cardio.card.layout import AID, card_file
from cardio.issuing.card_image import CardImage


class CitizenCardApplet:
    """Card-side logic of a citizen card (or of a UID-only card if no file).

    ``record`` is the elementary file (see :func:`cardio.card.layout.card_file`); ``card_key``
    the card's own private key for INTERNAL AUTHENTICATE (a card without one
    answers ``6D 00``, as a copy on a plain card would).
    """

    def __init__(
        self,
        uid: bytes,
        record: bytes | None,
        card_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> None:
        self.uid = uid
        self.record = record
        self.card_key = card_key
        self._selected = False

    @classmethod
    def from_image(cls, image: CardImage) -> CitizenCardApplet:
        """A fresh card applet serving a card image (one per insertion)."""
        file = card_file(image.record) if image.record is not None else None
        return cls(uid=image.uid, record=file, card_key=image.card_key)

    def __repr__(self) -> str:
        return f"CitizenCardApplet(uid=<{len(self.uid)} bytes>)"

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
        if ins == 0x88:
            return self._internal_authenticate(p1, p2, command[4:])
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

    def _internal_authenticate(self, p1: int, p2: int, body: bytes) -> bytes:
        """``00 88 00 00 Lc challenge [Le]``: sign the challenge with the card key."""
        if self.card_key is None:
            return apdu.status(apdu.SW_INS_NOT_SUPPORTED)
        if not self._selected:
            return apdu.status(apdu.SW_CONDITIONS_NOT_SATISFIED)
        if (p1, p2) != (0, 0):
            return apdu.status(apdu.SW_WRONG_P1P2)
        lc = body[0] if body else 0
        challenge = body[1 : 1 + lc]
        trailer = body[1 + lc :]
        if not apdu.MIN_CHALLENGE <= lc <= apdu.MAX_CHALLENGE or len(challenge) != lc:
            return apdu.status(apdu.SW_WRONG_LENGTH)
        if len(trailer) > 1:
            return apdu.status(apdu.SW_WRONG_LENGTH)
        return sign_challenge(self.card_key, challenge) + apdu.status(apdu.SW_OK)
