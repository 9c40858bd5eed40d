"""What a card tells the kiosk about its holder, and how far to trust it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cardio.errors import MalformedCard
from contract.assurance import Assurance
from contract.errors import NikError
from contract.nik import Nik, Sex, parse_nik

__all__ = ["Address", "CardIdentity", "Citizen"]

_RT_RW = re.compile(r"\d{1,3}")
_BLOOD_TYPE = re.compile(r"(A|B|AB|O)[+-]?")
_BPJS = re.compile(r"\d{13}")
#: Keys of the address map, in the order forms show them.
ADDRESS_KEYS = ("street", "rt", "rw", "kelurahan", "kecamatan", "city")


@dataclass(frozen=True)
class Address:
    street: str
    rt: str
    rw: str
    kelurahan: str
    kecamatan: str
    city: str

    def __repr__(self) -> str:  # an address is personal data
        return "Address(<hidden>)"

    @classmethod
    def from_claims(cls, claims: Any) -> Address:
        if not isinstance(claims, Mapping):
            raise MalformedCard("field 'address' is not a map")
        values = {key: _text(claims, key, prefix="address.") for key in ADDRESS_KEYS}
        for key in ("rt", "rw"):
            if not _RT_RW.fullmatch(values[key]):
                raise MalformedCard(f"field 'address.{key}' is not 1 to 3 digits")
        return cls(**values)

    def to_claims(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in ADDRESS_KEYS}


@dataclass(frozen=True)
class Citizen:
    """The holder's claims as read from the card."""

    card_number: str
    nik: str
    full_name: str
    date_of_birth: dt.date
    sex: Sex
    address: Address | None = None
    blood_type: str | None = None
    bpjs_number: str | None = None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Citizen:
        """Build from a claims map; raise :class:`MalformedCard` naming the bad field.

        Checks each field's shape; :meth:`check_nik` checks the NIK itself.
        """
        card_number = _text(claims, "card_number")
        nik = _text(claims, "nik")
        if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
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
        address = Address.from_claims(claims["address"]) if "address" in claims else None
        blood_type = _optional(claims, "blood_type", _BLOOD_TYPE, "A, B, AB or O (+/-)")
        bpjs_number = _optional(claims, "bpjs_number", _BPJS, "13 digits")
        return cls(card_number, nik, full_name, dob, sex, address, blood_type, bpjs_number)

    def check_nik(self, reference: dt.date | None = None) -> Nik:
        """Parse the NIK; :class:`MalformedCard` if it cannot exist.

        Whether it agrees with the date of birth and sex is :meth:`Nik.matches`.
        """
        try:
            return parse_nik(self.nik, reference=reference)
        except NikError as exc:
            raise MalformedCard(f"field 'nik': {exc}") from None

    def __repr__(self) -> str:  # personal data never reaches a log by accident
        return f"Citizen(card_number=<hidden>, nik=<{len(self.nik)} digits>)"

    def to_claims(self) -> dict[str, str]:
        """Flat text claims for the form pre-fill (``card.<key>`` in the catalog).

        The address is flattened to its keys (``street``, ``rt``, ``rw``,
        ``kelurahan``, ``kecamatan``, ``city``); absent optional fields are left out.
        """
        flat = {
            "card_number": self.card_number,
            "nik": self.nik,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex.value,
        }
        if self.address is not None:
            flat.update(self.address.to_claims())
        if self.blood_type is not None:
            flat["blood_type"] = self.blood_type
        if self.bpjs_number is not None:
            flat["bpjs_number"] = self.bpjs_number
        return flat

    def to_record(self) -> dict[str, Any]:
        """The nested citizen map as the signed record holds it (without the card key)."""
        record: dict[str, Any] = {
            key: value for key, value in self.to_claims().items() if key not in ADDRESS_KEYS
        }
        if self.address is not None:
            record["address"] = self.address.to_claims()
        return record


#: Unicode categories no claim may hold (docs/card-format.md, "Text claims"):
#: Cc the C0 and C1 controls (NUL, tab, newline, ESC ...), Cf the invisible
#: format characters (every bidi control U+061C, U+200E/F, U+202A-E,
#: U+2066-9, and zero-width ones), Zl/Zp the line and paragraph separators,
#: Cs lone surrogates, Co private use (no agreed glyph) and Cn unassigned code
#: points and noncharacters (U+FFFF ...). They would reorder or hide what staff
#: see and print. Cn is as of the Unicode version of Python's ``unicodedata``.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})

#: Characters of ordinary categories that draw nothing (blank fillers): the
#: Hangul fillers, the Braille blank, the Khmer inherent vowels, the combining
#: grapheme joiner, the Mongolian free variation selectors and the variation
#: selectors. A name made of them would look empty or like another name.
BLANK_FILLERS = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800}
    | {0x3164, 0xFFA0}
    | set(range(0xFE00, 0xFE10))
    | set(range(0xE0100, 0xE01F0))
)


def refused_character(text: str) -> str | None:
    """The first character of ``text`` a claim may not hold, as ``U+XXXX``, or None."""
    for char in text:
        if ord(char) in BLANK_FILLERS or unicodedata.category(char) in REFUSED_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def is_blank(text: str) -> bool:
    """True if ``text`` shows nothing: no letter, digit, punctuation or symbol
    (only spaces, combining marks and blank fillers)."""
    return not any(
        unicodedata.category(char)[0] in "LNPS" and ord(char) not in BLANK_FILLERS for char in text
    )


def _text(claims: Mapping[str, Any], key: str, prefix: str = "") -> str:
    value = claims.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedCard(f"field '{prefix}{key}' is missing or empty")
    refused = refused_character(value)
    if refused is not None:
        raise MalformedCard(f"field '{prefix}{key}' holds the control character {refused}")
    if is_blank(value):
        raise MalformedCard(f"field '{prefix}{key}' shows nothing (blank characters only)")
    return value.strip()


def _optional(claims: Mapping[str, Any], key: str, shape: re.Pattern[str], what: str) -> str | None:
    if key not in claims:
        return None
    value = _text(claims, key)
    if not shape.fullmatch(value):
        raise MalformedCard(f"field '{key}' is not {what}")
    return value


@dataclass(frozen=True)
class CardIdentity:
    """The result of one successful read: the UID, the holder if known, and trust.

    ``issuer`` and ``expires`` come from a verified record (None otherwise).
    """

    uid: bytes
    citizen: Citizen | None
    assurance: Assurance
    issuer: str | None = None
    expires: dt.datetime | None = None

    def __repr__(self) -> str:  # never print personal data by accident
        return f"CardIdentity(uid=<{len(self.uid)} bytes>, assurance={self.assurance.value})"
