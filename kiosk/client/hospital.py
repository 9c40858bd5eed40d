"""Hospital answers as the centre sends them: plain data, no I/O.

``GET /api/v1/hospital/doctors/today`` (:func:`parse_doctors_today`) gives the
doctors practising today at the kiosk's office, each a
:class:`contract.hospital.DoctorToday` with the quota left as of the answer, at
most :data:`MAX_DOCTORS`. (``POST /api/v1/tickets/allocate`` with a ``hospital``
object answers with the place taken: :func:`kiosk.client.results.parse_place`.)
``POST /api/v1/hospital/patients/find`` with the patient found
(:func:`parse_patients`, personal data). Each parses strictly and raises
:class:`~kiosk.client.errors.AnswerError` for anything of the wrong shape: a
list the kiosk cannot read is never half cached (docs/central-api.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract.hospital import DoctorToday, HospitalError, parse_hhmm
from kiosk.client.errors import AnswerError
from kiosk.client.results import HospitalPlace, _day, _str
from kiosk.privacy import private_repr

#: The most doctors one answer may hold (a large hospital has some hundreds a day).
MAX_DOCTORS = 2000
#: The most patients a find answers with (the centre sends at most 10, for a name).
MAX_PATIENTS = 10
_MAX_TEXT = 200
__all__ = ["DoctorsToday", "HospitalPlace", "Patient", "parse_doctors_today", "parse_patients"]
PATIENT_KEYS = ("norm", "nik", "nomorkartu", "name", "birth_date", "sex", "phone", "address")


@dataclass(frozen=True)
class DoctorsToday:
    """The office's doctors of ``day``, as the centre counted their places."""

    office_id: str
    day: dt.date
    doctors: tuple[DoctorToday, ...]


@private_repr("fields")
@dataclass(frozen=True)
class Patient:
    """One patient the centre found: the keys of :data:`PATIENT_KEYS` ("" when unknown)."""

    fields: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.fields.get(key, "")


def parse_doctors_today(data: Mapping[str, Any]) -> DoctorsToday:
    """``GET /api/v1/hospital/doctors/today``: every row checked, or none taken."""
    office_id, day = _str(data, "office_id"), _day(data)
    rows = data.get("doctors")
    if not isinstance(rows, list):
        raise AnswerError("'doctors' missing or not a list")
    if len(rows) > MAX_DOCTORS:
        raise AnswerError(f"more than {MAX_DOCTORS} doctors")
    try:
        doctors = tuple(DoctorToday.from_json(row, f"doctors[{i}]") for i, row in enumerate(rows))
    except HospitalError as exc:
        raise AnswerError(str(exc)) from exc
    for doctor in doctors:
        if parse_hhmm(doctor.ends) <= parse_hhmm(doctor.starts):
            raise AnswerError("a doctor's hours end before they start")
        if doctor.left_jkn > doctor.quota_jkn or doctor.left_non_jkn > doctor.quota_non_jkn:
            raise AnswerError("a doctor has more places left than the quota")
    if len({d.schedule_id for d in doctors}) != len(doctors):
        raise AnswerError("a schedule repeats")
    return DoctorsToday(office_id, day, doctors)


def parse_patients(data: Mapping[str, Any]) -> tuple[Patient, ...]:
    """``POST /api/v1/hospital/patients/find``: the patients found (at least one)."""
    rows = data.get("patients")
    if not isinstance(rows, list) or not rows or len(rows) > MAX_PATIENTS:
        raise AnswerError(f"'patients' is not a list of 1 to {MAX_PATIENTS}")
    found = []
    for row in rows:
        if not isinstance(row, Mapping):
            raise AnswerError("a patient is not an object")
        values: dict[str, str] = {}
        for key in PATIENT_KEYS:
            value = row.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or len(value) > _MAX_TEXT:
                raise AnswerError(f"a patient's {key!r} is not a string")
            if value:
                values[key] = value
        found.append(Patient(values))
    return tuple(found)
