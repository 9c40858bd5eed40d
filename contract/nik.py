"""The Indonesian NIK (Nomor Induk Kependudukan): parse, check, cross-check.

A NIK is 16 digits, ``PP RR DD ddmmyy ssss``:

* ``PP`` province code, one of the 38 provinces (:data:`PROVINCES`, the codes
  BPS and Dukcapil use, e.g. ``14`` Riau, ``94`` Papua);
* ``RR`` regency or city (kabupaten/kota) code, ``01``–``99``;
* ``DD`` district (kecamatan) code, ``01``–``99``;
* ``ddmmyy`` date of birth, with 40 added to the day for women
  (``52`` = the 12th, female);
* ``ssss`` serial number, ``0001``–``9999``.

The NIK carries the year of birth as two digits only. **Century rule**: the
birth year is the latest year ending in ``yy`` such that the birth date is not
after the reference date (the card's issue date, else today). A NIK therefore
always gives an age from 0 to 99 on that date; a centenarian's NIK resolves
100 years too late. That is why :meth:`Nik.matches` compares day, month, the
two-digit year and sex with the claims, never the resolved century.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from contract.errors import NikError, NikReason


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


#: Province codes of the 38 provinces (BPS/Dukcapil codes, 2023).
PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua Barat",
    "92": "Papua Barat Daya",
    "94": "Papua",
    "95": "Papua Selatan",
    "96": "Papua Tengah",
    "97": "Papua Pegunungan",
}

#: Added to the day of birth in a woman's NIK.
FEMALE_DAY_OFFSET = 40


@dataclass(frozen=True)
class Nik:
    """A parsed NIK. Its repr shows only the region codes: the rest is personal."""

    province: str
    regency: str
    district: str
    birth_date: dt.date
    sex: Sex
    serial: str

    def __repr__(self) -> str:
        return f"Nik(province={self.province}, regency={self.regency}, <rest hidden>)"

    @property
    def province_name(self) -> str:
        return PROVINCES[self.province]

    def matches(self, date_of_birth: dt.date, sex: Sex) -> bool:
        """True if the NIK agrees with a date of birth and sex from elsewhere.

        Compares day, month, the two-digit year and sex (see the century rule).
        """
        return (
            sex is self.sex
            and date_of_birth.day == self.birth_date.day
            and date_of_birth.month == self.birth_date.month
            and date_of_birth.year % 100 == self.birth_date.year % 100
        )


def parse_nik(nik: str, *, reference: dt.date | None = None) -> Nik:
    """Parse and check ``nik``; raise :class:`NikError` naming the bad part.

    ``reference`` resolves the century of the birth year (default: today).
    """
    if not isinstance(nik, str) or len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        raise NikError(NikReason.LENGTH, "a NIK is exactly 16 digits")
    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    day, month, yy, serial = int(nik[6:8]), int(nik[8:10]), int(nik[10:12]), nik[12:16]
    if province not in PROVINCES:
        raise NikError(NikReason.PROVINCE, f"province code {province} does not exist")
    if regency == "00":
        raise NikError(NikReason.REGENCY, "regency code 00 does not exist")
    if district == "00":
        raise NikError(NikReason.DISTRICT, "district code 00 does not exist")
    sex = Sex.MALE
    if day > FEMALE_DAY_OFFSET:
        sex, day = Sex.FEMALE, day - FEMALE_DAY_OFFSET
    if serial == "0000":
        raise NikError(NikReason.SERIAL, "serial number 0000 does not exist")
    birth = _birth_date(day, month, yy, reference or dt.date.today())
    return Nik(province, regency, district, birth, sex, serial)


def _birth_date(day: int, month: int, yy: int, reference: dt.date) -> dt.date:
    if not 1 <= month <= 12:
        raise NikError(NikReason.MONTH, "the month of birth does not exist")
    if not 1 <= day <= 31:
        raise NikError(NikReason.DAY, "the day of birth is not 01-31 (or 41-71 for women)")
    year = reference.year - (reference.year - yy) % 100
    for candidate in (year, year - 100):
        try:
            born = dt.date(candidate, month, day)
        except ValueError:
            continue  # 29 February in a year that has none: try the century before
        if born <= reference:
            return born
    raise NikError(NikReason.DATE, "the date of birth does not exist")
