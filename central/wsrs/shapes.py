"""The WS RS request bodies and answers, exactly as BPJS's catalog gives them.

Every answer is the Antrean envelope ``{"metadata": {"code", "message"}}``, with
a ``response`` object when there is one. ``code`` 200 is success, 201 failure
(the ``message`` says why, in the patient's words: Mobile JKN shows it), and
ambil antrean answers 202 for a patient the hospital has no No. RM for yet
(Mobile JKN then calls pasien baru). Field names, types and examples:
docs/bpjs-wsrs.md, which cites the sources.

The parsers here take the decoded JSON object and return a frozen request, or
raise :class:`Invalid` with the message to answer (Bahasa Indonesia first,
English after a slash). They never echo a value back: a NIK, a card number or
a name stays out of answers and logs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from central.errors import WsrsInvalid as Invalid
from contract.shown import shown_kodebooking, shown_repr

__all__ = [
    "AmbilAntrean",
    "BatalAntrean",
    "CheckInAntrean",
    "Invalid",
    "PasienBaru",
    "StatusAntrean",
    "failed",
    "ok",
    "parse_ambil",
    "parse_batal",
    "parse_checkin",
    "parse_kodebooking",
    "parse_pasien_baru",
    "parse_status",
]

#: ``metadata.code`` values (BPJS's catalog: 200 sukses, 201 gagal, 202 pasien baru).
OK = 200
FAILED = 201
NEW_PATIENT = 202

# ASCII digits only ([0-9], never \d: Python's \d takes any script's digits), whole
# strings only (fullmatch: "$" would let a trailing newline through).
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_PHONE = re.compile(r"\+?[0-9]{8,15}")
#: ``date.fromisoformat`` also takes ISO week dates (``2026-W49-7``) and compact forms.
_YMD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def ok(
    response: dict[str, Any] | None = None, *, message: str = "Ok", code: int = OK
) -> dict[str, Any]:
    """A success envelope (``response`` omitted when ``None``, as batal and check-in answer)."""
    body: dict[str, Any] = {}
    if response is not None:
        body["response"] = response
    body["metadata"] = {"message": message, "code": code}
    return body


def failed(message: str) -> dict[str, Any]:
    """A failure envelope: ``metadata.code`` 201 and the reason."""
    return {"metadata": {"message": message, "code": FAILED}}


# -- fields -----------------------------------------------------------------------------


def _missing(name: str) -> Invalid:
    return Invalid(f"{name} wajib diisi / {name} is required")


def _text(body: dict[str, Any], name: str, *, max_len: int, required: bool = True) -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name} harus berupa teks / {name} must be a string")
    value = value.strip()
    if required and not value:
        raise _missing(name)
    if len(value) > max_len or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise Invalid(f"{name} tidak valid / {name} is not valid")
    return value


def _digits(body: dict[str, Any], name: str, length: int, *, required: bool = True) -> str:
    value = _text(body, name, max_len=length, required=required)
    if value and (len(value) != length or not value.isascii() or not value.isdigit()):
        raise Invalid(f"{name} harus {length} digit angka / {name} must be {length} digits")
    return value


def _whole(body: dict[str, Any], name: str, *, lowest: int, highest: int) -> int:
    """A whole number, given as a JSON number (the catalog) or a string of digits."""
    value = body.get(name)
    if value is None or value == "":
        raise _missing(name)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise Invalid(f"{name} harus berupa angka yang valid / {name} must be a valid number")
    return value


def _date(body: dict[str, Any], name: str) -> dt.date:
    value = _text(body, name, max_len=10)
    try:
        if not _YMD.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            f"Format {name} tidak sesuai, gunakan YYYY-MM-DD / {name} must be YYYY-MM-DD"
        ) from None


def _hours(body: dict[str, Any]) -> tuple[str, str]:
    value = _text(body, "jampraktek", max_len=11).replace(" ", "")
    starts, dash, ends = value.partition("-")
    if not dash or not _HHMM.fullmatch(starts) or not _HHMM.fullmatch(ends) or starts >= ends:
        raise Invalid(
            "Format jampraktek tidak sesuai, contoh 08:00-12:00 / "
            "jampraktek must look like 08:00-12:00"
        )
    return starts, ends


def _phone(body: dict[str, Any], *, required: bool) -> str:
    nohp = _text(body, "nohp", max_len=20, required=required)
    if (nohp or required) and not _PHONE.fullmatch(nohp.replace("-", "").replace(" ", "")):
        raise Invalid("nohp tidak valid / nohp is not a valid phone number")
    return nohp


# -- requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusAntrean:
    """Status antrean: a doctor's queue on a day (to plan the visit)."""

    kodepoli: str
    kodedokter: int
    tanggalperiksa: dt.date
    starts: str
    ends: str


@dataclass(frozen=True)
class AmbilAntrean:
    """Ambil antrean: a JKN patient books a place in a doctor's queue."""

    kodepoli: str
    kodedokter: int
    tanggalperiksa: dt.date
    starts: str
    ends: str
    jeniskunjungan: int
    nomorreferensi: str
    nomorkartu: str = field(repr=False)
    nik: str = field(repr=False)
    nohp: str = field(repr=False)
    norm: str = field(repr=False)


@shown_repr(kodebooking=shown_kodebooking)
@dataclass(frozen=True)
class BatalAntrean:
    kodebooking: str
    keterangan: str


@shown_repr(kodebooking=shown_kodebooking)
@dataclass(frozen=True)
class CheckInAntrean:
    kodebooking: str
    #: When the patient checked in, as BPJS sends it (epoch milliseconds).
    waktu_ms: int


@dataclass(frozen=True)
class PasienBaru:
    """Info pasien baru: who the patient is, for a new No. RM. Every field personal."""

    nomorkartu: str = field(repr=False)
    nik: str = field(repr=False)
    nomorkk: str = field(repr=False)
    nama: str = field(repr=False)
    jeniskelamin: str = field(repr=False)
    tanggallahir: dt.date = field(repr=False)
    nohp: str = field(repr=False)
    alamat: str = field(repr=False)


def parse_status(body: dict[str, Any]) -> StatusAntrean:
    kodepoli = _text(body, "kodepoli", max_len=16)
    kodedokter = _whole(body, "kodedokter", lowest=1, highest=10**12)
    tanggalperiksa = _date(body, "tanggalperiksa")
    starts, ends = _hours(body)
    return StatusAntrean(kodepoli, kodedokter, tanggalperiksa, starts, ends)


def parse_ambil(body: dict[str, Any]) -> AmbilAntrean:
    # In the catalog's order, so the first problem named is the first field.
    nomorkartu = _digits(body, "nomorkartu", 13)
    nik = _digits(body, "nik", 16)
    nohp = _phone(body, required=True)
    kodepoli = _text(body, "kodepoli", max_len=16)
    norm = _text(body, "norm", max_len=20, required=False)
    tanggalperiksa = _date(body, "tanggalperiksa")
    kodedokter = _whole(body, "kodedokter", lowest=1, highest=10**12)
    starts, ends = _hours(body)
    return AmbilAntrean(
        nomorkartu=nomorkartu,
        nik=nik,
        nohp=nohp,
        kodepoli=kodepoli,
        norm=norm,
        tanggalperiksa=tanggalperiksa,
        kodedokter=kodedokter,
        starts=starts,
        ends=ends,
        jeniskunjungan=_whole(body, "jeniskunjungan", lowest=1, highest=4),
        nomorreferensi=_text(body, "nomorreferensi", max_len=40),
    )


def parse_kodebooking(body: dict[str, Any]) -> str:
    return _text(body, "kodebooking", max_len=40)


def parse_batal(body: dict[str, Any]) -> BatalAntrean:
    return BatalAntrean(
        kodebooking=parse_kodebooking(body),
        keterangan=_text(body, "keterangan", max_len=200, required=False),
    )


def parse_checkin(body: dict[str, Any]) -> CheckInAntrean:
    return CheckInAntrean(
        kodebooking=parse_kodebooking(body),
        waktu_ms=_whole(body, "waktu", lowest=1, highest=10**14),
    )


def parse_pasien_baru(body: dict[str, Any]) -> PasienBaru:
    nomorkartu = _digits(body, "nomorkartu", 13)
    nik = _digits(body, "nik", 16)
    nomorkk = _digits(body, "nomorkk", 16, required=False)
    nama = _text(body, "nama", max_len=100)
    sex = _text(body, "jeniskelamin", max_len=1).upper()
    if sex not in ("L", "P"):
        raise Invalid("jeniskelamin harus L atau P / jeniskelamin must be L or P")
    return PasienBaru(
        nomorkartu=nomorkartu,
        nik=nik,
        nomorkk=nomorkk,
        nama=nama,
        jeniskelamin=sex,
        tanggallahir=_date(body, "tanggallahir"),
        nohp=_phone(body, required=False),
        alamat=_text(body, "alamat", max_len=300, required=False),
    )
