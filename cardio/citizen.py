"""What a card tells the kiosk about its holder."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cardio.errors import MalformedCard

_NIK = re.compile(r"\d{16}")


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class Assurance(StrEnum):
    """How far the kiosk can trust who the card says its holder is.

    ``unverified``: only a UID (or an unsigned record); anyone could copy it.
    Signed and clone-proof levels arrive with the signed card format.
    """

    UNVERIFIED = "unverified"
    SIGNED = "signed"
    CLONE_PROOF = "clone_proof"


@dataclass(frozen=True)
class Citizen:
    """The holder's claims as read from the card."""

    card_number: str
    nik: str
    full_name: str
    date_of_birth: dt.date
    sex: Sex

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Citizen:
        """Build from a claims map; raise :class:`MalformedCard` naming the bad field."""
        card_number = _text(claims, "card_number")
        nik = _text(claims, "nik")
        if not _NIK.fullmatch(nik):
            raise MalformedCard("field 'nik' is not 16 digits")
        full_name = _text(claims, "full_name")
        try:
            dob = dt.date.fromisoformat(_text(claims, "date_of_birth"))
        except ValueError:
            raise MalformedCard("field 'date_of_birth' is not an ISO date") from None
        try:
            sex = Sex(_text(claims, "sex"))
        except ValueError:
            raise MalformedCard("field 'sex' is not F or M") from None
        return cls(card_number, nik, full_name, dob, sex)

    def __repr__(self) -> str:  # personal data never reaches a log by accident
        return f"Citizen(card_number=<hidden>, nik=<{len(self.nik)} digits>)"

    def to_claims(self) -> dict[str, str]:
        return {
            "card_number": self.card_number,
            "nik": self.nik,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex.value,
        }


def _text(claims: Mapping[str, Any], key: str) -> str:
    value = claims.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedCard(f"field '{key}' is missing or empty")
    return value.strip()


@dataclass(frozen=True)
class CardIdentity:
    """The result of one successful read: the UID, the holder if known, and trust."""

    uid: bytes
    citizen: Citizen | None
    assurance: Assurance

    def __repr__(self) -> str:  # never print personal data by accident
        return f"CardIdentity(uid=<{len(self.uid)} bytes>, assurance={self.assurance.value})"


#: Assurance levels from weakest to strongest, for "is this enough?" checks.
ASSURANCE_ORDER = {Assurance.UNVERIFIED: 0, Assurance.SIGNED: 1, Assurance.CLONE_PROOF: 2}
