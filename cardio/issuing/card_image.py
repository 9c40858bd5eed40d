"""A card image: everything a card holds, as one JSON file.

``kiosk card issue`` writes one, ``kiosk card emulate`` presents one through
vpcd or nfcpy, and the demo cards are a set of them. The format
(docs/card-format.md, "Card image")::

    {
      "format": "anjungan-card-image/1",
      "label": "Siti Aminah",                      (optional, shown by demos)
      "uid": "04A1B2C3D4E5F6",                     (hex, 4, 7, 8 or 10 bytes)
      "record": "0oRNogEmBEg...",                  (base64 COSE_Sign1, or null)
      "card_private_key": "-----BEGIN PRIVATE KEY-----\\n..."
                                                   (PKCS#8 PEM, EC P-256, or null)
    }

The private key is the card's secret: a card image file is as sensitive as
the card itself and is written with mode 0600.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cardio.card.apdu import UID_LENGTHS
from cardio.card.layout import MAX_RECORD
from cardio.card.ndef_cose import StaticNdefTag, ndef_record
from cardio.errors import CardImageError
from cardio.issuing.secret_files import read_json, write_secret_json

CARD_IMAGE_FORMAT = "anjungan-card-image/1"


@dataclass(frozen=True)
class CardImage:
    """The UID, the signed record (COSE_Sign1 bytes) and the card's private key."""

    uid: bytes
    record: bytes | None
    card_key: ec.EllipticCurvePrivateKey | None = field(default=None, repr=False)
    label: str = ""

    def __repr__(self) -> str:  # the record is personal data, the key a secret
        return f"CardImage(uid=<{len(self.uid)} bytes>, label={self.label!r})"

    def ndef_tag(self) -> StaticNdefTag:
        """The same record as an NDEF tag would hold it (no key: tags cannot prove one)."""
        records = [ndef_record(self.record)] if self.record is not None else []
        return StaticNdefTag(self.uid, records)

    def to_json(self) -> dict[str, Any]:
        key = None
        if self.card_key is not None:
            key = self.card_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode("ascii")
        data: dict[str, Any] = {"format": CARD_IMAGE_FORMAT}
        if self.label:
            data["label"] = self.label
        data["uid"] = self.uid.hex().upper()
        data["record"] = base64.b64encode(self.record).decode("ascii") if self.record else None
        data["card_private_key"] = key
        return data

    @classmethod
    def from_json(cls, data: Any) -> CardImage:
        if not isinstance(data, dict):
            raise CardImageError("a card image is a JSON object")
        if data.get("format") != CARD_IMAGE_FORMAT:
            raise CardImageError(f"format must be {CARD_IMAGE_FORMAT!r}")
        label = data.get("label", "")
        if not isinstance(label, str):
            raise CardImageError("label must be text")
        return cls(_uid(data.get("uid")), _record(data.get("record")), _key(data), label)

    def save(self, path: Path) -> None:
        """Write the image (mode 0600: it holds the card's private key)."""
        write_secret_json(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> CardImage:
        data = read_json(path, CardImageError)
        try:
            return cls.from_json(data)
        except CardImageError as exc:
            raise CardImageError(f"{path}: {exc}") from None


def _uid(value: Any) -> bytes:
    try:
        uid = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        uid = b""
    if len(uid) not in UID_LENGTHS:
        raise CardImageError("uid must be 4, 7, 8 or 10 bytes in hex")
    return uid


def _record(value: Any) -> bytes | None:
    if value is None:
        return None
    try:
        record = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except (binascii.Error, ValueError):
        raise CardImageError("record is not base64") from None
    if not 0 < len(record) <= MAX_RECORD:
        raise CardImageError(f"record must be 1 to {MAX_RECORD} bytes")
    return record


def _key(data: dict[str, Any]) -> ec.EllipticCurvePrivateKey | None:
    pem = data.get("card_private_key")
    if pem is None:
        return None
    try:
        key = serialization.load_pem_private_key(str(pem).encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise CardImageError("card_private_key is not an unencrypted PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise CardImageError("card_private_key must be an EC P-256 key")
    return key
