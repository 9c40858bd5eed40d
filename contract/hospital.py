"""Hospital registration: today's doctors, what a registration carries, the estimated time.

A hospital is an office whose ``kesehatan`` services carry a ``poli``
(contract/catalog.py); each poli has doctors' schedules with a quota of
patients for JKN (BPJS) and for paying ("umum") patients. The kiosk caches
:class:`DoctorToday` rows from ``GET /api/v1/hospital/doctors/today`` and sends a
:class:`HospitalRequest` in the ``hospital`` object of a registration
(docs/hospital.md, docs/central-api.md). The allocate that numbers a poli's
ticket online carries a :class:`PlaceRequest`: the doctor, the payer and the
:class:`PatientKeys` the registration will carry, so the centre refuses a
patient it would refuse at the registration before a number or a place is
used. :func:`estimate` is the one rule for the estimated time, so a kiosk
offline prints what the centre would say.

Plain data, no I/O. ``from_json`` is strict: a missing or mistyped field is a
:class:`HospitalError` naming the path, never a half-filled object.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from contract.errors import HospitalError

__all__ = [
    "JENIS_KUNJUNGAN",
    "DoctorToday",
    "HospitalError",
    "HospitalRequest",
    "PatientKeys",
    "Payer",
    "PlaceRequest",
    "TaskId",
    "estimate",
    "is_bpjs_number",
    "parse_hhmm",
]

_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
#: C0 and C1 control characters and DEL: no patient key holds one (PostgreSQL refuses
#: NUL in text outright, so such a key would never even be looked up).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BPJS = re.compile(r"^[0-9]{13}$")  # [0-9]: a \d would take other scripts' digits too

#: BPJS ``jeniskunjungan``: 1 referral from a first-level facility (FKTP),
#: 2 internal referral, 3 follow-up (kontrol), 4 referral between hospitals.
JENIS_KUNJUNGAN = (1, 2, 3, 4)


class Payer(StrEnum):
    """Who pays: BPJS's words are "JKN" and "NON JKN"."""

    JKN = "jkn"
    UMUM = "umum"

    @property
    def bpjs(self) -> str:
        """The ``jenispasien`` BPJS Antrean expects."""
        return "JKN" if self is Payer.JKN else "NON JKN"


class TaskId(IntEnum):
    """BPJS Antrean RS ``taskid`` as a visit moves (``antrean/updatewaktu``)."""

    WAIT_ADMISSION = 1
    ADMISSION = 2
    WAIT_POLI = 3
    POLI = 4
    WAIT_PHARMACY = 5
    PHARMACY = 6
    MEDICINE_READY = 7
    CANCELLED = 99


def parse_hhmm(value: str) -> dt.time:
    """``"HH:MM"`` (24 h) as a time; :class:`HospitalError` for anything else."""
    if not isinstance(value, str) or not _HHMM.match(value):
        raise HospitalError(f"{value!r}: must be a time HH:MM")
    return dt.time(int(value[:2]), int(value[3:]))


def is_bpjs_number(value: str) -> bool:
    """Whether ``value`` is a BPJS card number (``nomorkartu``): thirteen digits."""
    return bool(_BPJS.match(value))


def estimate(starts: dt.time, angka: int, minutes_per_patient: int) -> dt.time:
    """When patient number ``angka`` (from 1) is likely seen: starts + (angka-1) × minutes.

    Capped at 23:59 of the same day: a late estimate is still an estimate.
    """
    if angka < 1 or minutes_per_patient < 0:
        raise HospitalError("angka from 1, minutes not negative")
    minutes = starts.hour * 60 + starts.minute + (angka - 1) * minutes_per_patient
    minutes = min(minutes, 23 * 60 + 59)
    return dt.time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class DoctorToday:
    """One doctor's schedule today at a poli, with the quota left as of now."""

    schedule_id: str
    service_id: str
    kodepoli: str
    kodedokter: str
    doctor_name: str
    starts: str
    ends: str
    quota_jkn: int
    left_jkn: int
    quota_non_jkn: int
    left_non_jkn: int
    minutes_per_patient: int
    #: The doctor's hours are over for today (``ends`` passed in the office's zone):
    #: listed, not bookable. Optional on the wire (absent: ``False``).
    closed: bool = False

    def left(self, payer: Payer) -> int:
        return self.left_jkn if payer is Payer.JKN else self.left_non_jkn

    def closed_at(self, local_now: dt.time) -> bool:
        """Whether the hours are over at ``local_now`` (the office's clock), or said so."""
        return self.closed or parse_hhmm(self.ends) <= local_now.replace(tzinfo=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "schedule_id": self.schedule_id,
            "service_id": self.service_id,
            "kodepoli": self.kodepoli,
            "kodedokter": self.kodedokter,
            "doctor_name": self.doctor_name,
            "starts": self.starts,
            "ends": self.ends,
            "quota_jkn": self.quota_jkn,
            "left_jkn": self.left_jkn,
            "quota_non_jkn": self.quota_non_jkn,
            "left_non_jkn": self.left_non_jkn,
            "minutes_per_patient": self.minutes_per_patient,
            "closed": self.closed,
        }

    @classmethod
    def from_json(cls, data: Any, path: str = "doctor") -> DoctorToday:
        obj = _mapping(data, path)
        for key in ("starts", "ends"):
            try:
                parse_hhmm(_string(obj, key, path))
            except HospitalError:
                raise HospitalError(f"{path}.{key}: must be a time HH:MM") from None
        return cls(
            schedule_id=_string(obj, "schedule_id", path),
            service_id=_string(obj, "service_id", path),
            kodepoli=_string(obj, "kodepoli", path),
            kodedokter=_string(obj, "kodedokter", path),
            doctor_name=_string(obj, "doctor_name", path),
            starts=obj["starts"],
            ends=obj["ends"],
            quota_jkn=_count(obj, "quota_jkn", path),
            left_jkn=_count(obj, "left_jkn", path),
            quota_non_jkn=_count(obj, "quota_non_jkn", path),
            left_non_jkn=_count(obj, "left_non_jkn", path),
            minutes_per_patient=_count(obj, "minutes_per_patient", path),
            closed=_flag(obj, "closed", path),
        )


@dataclass(frozen=True)
class HospitalRequest:
    """The ``hospital`` object of a registration: which doctor, who pays, which patient.

    ``norm`` (the hospital's No. RM) and ``nomorkartu`` (BPJS card number) are
    ``""`` when unknown; a new patient gets a No. RM at the centre.
    """

    schedule_id: str
    payer: Payer
    norm: str = field(default="", repr=False)
    nomorkartu: str = field(default="", repr=False)
    new_patient: bool = False
    jeniskunjungan: int = 1
    nomorreferensi: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "schedule_id": self.schedule_id,
            "payer": self.payer.value,
            "norm": self.norm,
            "nomorkartu": self.nomorkartu,
            "new_patient": self.new_patient,
            "jeniskunjungan": self.jeniskunjungan,
            "nomorreferensi": self.nomorreferensi,
        }

    @classmethod
    def from_json(cls, data: Any, path: str = "hospital") -> HospitalRequest:
        obj = _mapping(data, path)
        unknown = sorted(set(obj) - _REQUEST_KEYS)
        if unknown:
            raise HospitalError(f"{path}.{unknown[0]}: unknown field")
        schedule_id = _string(obj, "schedule_id", path)
        try:
            payer = Payer(str(obj.get("payer")))
        except ValueError:
            raise HospitalError(f"{path}.payer: must be 'jkn' or 'umum'") from None
        norm = _string(obj, "norm", path, default="")
        if len(norm) > 32:
            raise HospitalError(f"{path}.norm: at most 32 characters")
        nomorkartu = _string(obj, "nomorkartu", path, default="")
        if nomorkartu and not is_bpjs_number(nomorkartu):
            raise HospitalError(f"{path}.nomorkartu: must be 13 digits")
        new_patient = obj.get("new_patient", False)
        if not isinstance(new_patient, bool):
            raise HospitalError(f"{path}.new_patient: must be true or false")
        jenis = obj.get("jeniskunjungan", 1)
        if isinstance(jenis, bool) or jenis not in JENIS_KUNJUNGAN:
            raise HospitalError(f"{path}.jeniskunjungan: must be 1, 2, 3 or 4")
        referensi = _string(obj, "nomorreferensi", path, default="")
        if len(referensi) > 64:
            raise HospitalError(f"{path}.nomorreferensi: at most 64 characters")
        return cls(
            schedule_id=schedule_id,
            payer=payer,
            norm=norm,
            nomorkartu=nomorkartu,
            new_patient=new_patient,
            jeniskunjungan=int(jenis),
            nomorreferensi=referensi,
        )


_REQUEST_KEYS = {
    "schedule_id",
    "payer",
    "norm",
    "nomorkartu",
    "new_patient",
    "jeniskunjungan",
    "nomorreferensi",
}

#: The longest of each key :class:`PatientKeys` takes (``nomorkartu``: 13 digits or
#: none). A NIK or a date of birth of the wrong form is taken as text and refused by
#: the centre's check of the patient (``invalid_patient``), never cut to fit.
PATIENT_KEY_LIMITS = {
    "norm": 32,
    "nomorkartu": 13,
    "nik": 32,
    "card_number": 64,
    "full_name": 200,
    "birth_date": 32,
}


def _key_problem(name: str, value: str) -> str:
    """Why ``value`` is no patient key ``name`` :class:`PatientKeys` takes ("" if it is)."""
    if len(value) > PATIENT_KEY_LIMITS[name]:
        return f"at most {PATIENT_KEY_LIMITS[name]} characters"
    if _CONTROL.search(value):
        return "must not hold control characters"
    if name == "nomorkartu" and value and not is_bpjs_number(value):
        return "must be 13 digits"
    return ""


@dataclass(frozen=True)
class PatientKeys:
    """What names a poli registration's patient, as the centre checks it: the hospital's
    No. RM (``norm``), the BPJS card number, the NIK, the city card's number, and the
    name and date of birth (``YYYY-MM-DD``) as typed; ``""`` where not given.

    A registration carries them in its body (:meth:`of_registration` reads them
    there); the allocate that numbers its ticket online carries the same ones in
    its ``hospital`` part (:class:`PlaceRequest`), so the centre refuses, before a
    number or a place is used, a patient it would refuse at the registration (one
    with a visit at the poli that day, keys naming different people). Personal
    data: no ``repr`` shows them, and no message of :meth:`from_json` quotes one.
    """

    norm: str = field(default="", repr=False)
    nomorkartu: str = field(default="", repr=False)
    nik: str = field(default="", repr=False)
    card_number: str = field(default="", repr=False)
    full_name: str = field(default="", repr=False)
    birth_date: str = field(default="", repr=False)

    def given(self) -> bool:
        """Whether any key names the patient (none: nothing to check them by)."""
        return any(self.to_json().values())

    def to_json(self) -> dict[str, str]:
        """The keys given, by their wire names (``""`` ones left out)."""
        keys = {name: str(getattr(self, name)) for name in PATIENT_KEY_LIMITS}
        return {name: value for name, value in keys.items() if value}

    @classmethod
    def from_json(cls, data: Any, path: str = "hospital") -> PatientKeys:
        """The keys of ``data`` (an object that may hold others too): each a string
        within :data:`PATIENT_KEY_LIMITS` without control characters, ``nomorkartu`` 13
        digits; absent is ``""``.
        :class:`HospitalError` names the path, never the value."""
        obj = _mapping(data, path)
        keys: dict[str, str] = {}
        for name in PATIENT_KEY_LIMITS:
            value = obj.get(name, "")
            if not isinstance(value, str):
                raise HospitalError(f"{path}.{name}: must be a string")
            problem = _key_problem(name, value)
            if problem:
                raise HospitalError(f"{path}.{name}: {problem}")
            keys[name] = value
        return cls(**keys)

    def fitted(self) -> tuple[PatientKeys, tuple[str, ...]]:
        """These keys as an allocate can carry them (:meth:`from_json` takes every one),
        and the names of the keys left out.

        A name's runs of white space (a newline, a tab) are one space: the centre
        compares names so, and nothing is lost. A key that still does not fit (longer
        than :data:`PATIENT_KEY_LIMITS`, a control character, a BPJS number not of 13
        digits) is left out, never cut to fit: the centre checks the patient by the
        others before numbering the ticket (one refused key would have it refused, and
        the kiosk number it unchecked), and the registration, which carries every key
        as given, by all of them.
        """
        keys = {name: str(getattr(self, name)) for name in PATIENT_KEY_LIMITS}
        keys["full_name"] = " ".join(keys["full_name"].split())
        left_out = tuple(name for name, value in keys.items() if _key_problem(name, value))
        for name in left_out:
            keys[name] = ""
        return PatientKeys(**keys), left_out

    @classmethod
    def of_registration(cls, request: HospitalRequest, body: Mapping[str, Any]) -> PatientKeys:
        """The keys a registration's ``body`` with the ``hospital`` object ``request``
        names its patient by: No. RM and BPJS number from ``request``, the NIK, name and
        date of birth (``birth_date``, else ``date_of_birth``) from its ``values``, the
        city card's number from ``card_number``. A name or card number that is no text
        is not a key; a NIK or date of birth that is no text is :class:`HospitalError`
        (the centre refuses such a patient, ``invalid_patient``)."""
        values = body.get("values")
        values = values if isinstance(values, Mapping) else {}
        nik = values.get("nik")
        birth = values.get("birth_date") or values.get("date_of_birth")
        for key, value in (("nik", nik), ("birth_date", birth)):
            if value is not None and not isinstance(value, str):
                raise HospitalError(f"values.{key}: must be a string")
        name, card = values.get("full_name"), body.get("card_number")
        return cls(
            norm=request.norm,
            nomorkartu=request.nomorkartu,
            nik=nik or "",
            card_number=card if isinstance(card, str) else "",
            full_name=name if isinstance(name, str) else "",
            birth_date=birth or "",
        )


@dataclass(frozen=True)
class PlaceRequest:
    """The ``hospital`` part of an allocate (``POST /api/v1/tickets/allocate``): the
    doctor's schedule, the payer, and the :class:`PatientKeys` of the registration to
    come. An allocate without keys (a kiosk older than them) names no patient: the
    centre then checks the patient only when the registration arrives."""

    schedule_id: str
    payer: Payer
    patient: PatientKeys = PatientKeys()

    def to_json(self) -> dict[str, str]:
        return {
            "schedule_id": self.schedule_id,
            "payer": self.payer.value,
            **self.patient.to_json(),
        }

    @classmethod
    def of(cls, request: HospitalRequest, body: Mapping[str, Any]) -> PlaceRequest:
        """The place a registration's ``body`` (its ``hospital`` object ``request``) asks
        for, naming its patient by the very keys the registration carries."""
        return cls(request.schedule_id, request.payer, PatientKeys.of_registration(request, body))

    @classmethod
    def from_json(cls, data: Any, path: str = "hospital") -> PlaceRequest:
        obj = _mapping(data, path)
        unknown = sorted(set(obj) - {"schedule_id", "payer", *PATIENT_KEY_LIMITS})
        if unknown:
            raise HospitalError(f"{path}.{unknown[0]}: unknown field")
        try:
            payer = Payer(str(obj.get("payer")))
        except ValueError:
            raise HospitalError(f"{path}.payer: must be 'jkn' or 'umum'") from None
        return cls(_string(obj, "schedule_id", path), payer, PatientKeys.from_json(obj, path))


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise HospitalError(f"{path}: must be an object")
    return value


def _string(obj: Mapping[str, Any], key: str, path: str, *, default: str | None = None) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise HospitalError(f"{path}.{key}: must be a non-empty string")
    if len(value) > 200:
        raise HospitalError(f"{path}.{key}: at most 200 characters")
    return value


def _flag(obj: Mapping[str, Any], key: str, path: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise HospitalError(f"{path}.{key}: must be true or false")
    return value


def _count(obj: Mapping[str, Any], key: str, path: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise HospitalError(f"{path}.{key}: must be a whole number, not negative")
    return value
