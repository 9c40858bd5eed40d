"""The hospital desk's calls to the centre (``kiosk run --desk``): plain data, strict parsing.

``POST /api/v1/hospital/patients/find`` finds a patient of the kiosk's office by
No. RM, NIK, BPJS card number, or name with date of birth (a list to choose
from); ``POST /api/v1/hospital/patients`` registers a new one and answers their
No. RM (docs/central-api.md); today's doctors are the kiosk's own call
(:meth:`~kiosk.client.client.CentralClient.doctors_today`). Unlike the kiosk's
keypad (:mod:`kiosk.client.hospital`), the desk finds by name too, gets a list,
and keeps each patient typed (:class:`DeskPatient`). Every call goes through
:class:`~kiosk.client.client.CentralClient`'s one sending place (its deadline
and size cap); personal data travels in JSON bodies only and never in an error
message or a ``repr``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from contract.hospital import DoctorToday
from kiosk.client.client import CentralClient
from kiosk.client.errors import AnswerError, CentralRefused
from kiosk.privacy import private_repr

FIND_PATH = "/api/v1/hospital/patients/find"
PATIENTS_PATH = "/api/v1/hospital/patients"

#: The most patients one answer may hold (the centre sends at most 10 for a name).
MAX_PATIENTS = 10
_MAX_TEXT = 200
_SEXES = ("L", "P", "")


class FindBy(StrEnum):
    """What the clerk typed: the patient's No. RM, NIK, BPJS card number, or name."""

    NORM = "norm"
    NIK = "nik"
    NOMORKARTU = "nomorkartu"
    NAME = "name"


@private_repr("nik", "nomorkartu", "name", "birth_date", "phone", "address")
@dataclass(frozen=True)
class DeskPatient:
    """A patient of the office as the centre keeps them (``norm`` "": none yet)."""

    norm: str
    nik: str
    nomorkartu: str
    name: str
    birth_date: dt.date | None
    sex: str = ""
    phone: str = ""
    address: str = ""

    def to_json(self) -> dict[str, str]:
        """The body of ``POST /api/v1/hospital/patients`` (no ``norm``: the centre gives it)."""
        body = {
            "nik": self.nik,
            "name": self.name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "sex": self.sex,
        }
        for key in ("nomorkartu", "phone", "address"):
            if value := getattr(self, key):
                body[key] = value
        return body


def _text(data: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > _MAX_TEXT or (required and not value):
        raise AnswerError(f"{key!r} is not a string")
    return value


def _birth_date(text: str) -> dt.date:
    """A patient's date of birth read from an answer. The ``ValueError`` of one that is
    no date quotes it, and it is still hers: raised outside the handler, that error is
    neither the refusal's cause nor its context, so no traceback writes the value."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise AnswerError("'birth_date' is not a date")


def parse_patient(data: Any) -> DeskPatient:
    if not isinstance(data, dict):
        raise AnswerError("a patient is not an object")
    raw_birth = _text(data, "birth_date")
    birth = _birth_date(raw_birth) if raw_birth else None
    sex = _text(data, "sex")
    if sex not in _SEXES:
        raise AnswerError("'sex' is not L or P")
    return DeskPatient(
        norm=_text(data, "norm"),
        nik=_text(data, "nik"),
        nomorkartu=_text(data, "nomorkartu"),
        name=_text(data, "name", required=True),
        birth_date=birth,
        sex=sex,
        phone=_text(data, "phone"),
        address=_text(data, "address"),
    )


class PatientList(tuple[DeskPatient, ...]):
    """The patients found, and whether the centre has more than it answered (``more``:
    a name shared by more than :data:`MAX_PATIENTS` born that day; the desk asks for
    more of the name). A tuple, so every caller that lists patients reads it as one."""

    more: bool

    def __new__(cls, patients: Iterable[DeskPatient] = (), *, more: bool = False) -> PatientList:
        found = super().__new__(cls, patients)
        found.more = more
        return found


def parse_patients(data: Mapping[str, Any]) -> PatientList:
    rows = data.get("patients")
    if not isinstance(rows, list) or len(rows) > MAX_PATIENTS:
        raise AnswerError(f"'patients' is not a list of at most {MAX_PATIENTS}")
    more = data.get("more", False)
    if not isinstance(more, bool):
        raise AnswerError("'more' is not true or false")
    return PatientList((parse_patient(row) for row in rows), more=more)


_DIGITS = {FindBy.NORM: (1, 10), FindBy.NIK: (16, 16), FindBy.NOMORKARTU: (13, 13)}


def check_key(by: FindBy, value: str, birth_date: dt.date | None) -> str | None:
    """Why ``value`` cannot be looked up by ``by`` (a message key of ui/texts.py), or None.

    Every key goes with the patient's date of birth: a number alone names no one.
    """
    if by is FindBy.NAME:
        if not 2 <= len(value.strip()) <= 100:
            return "desk_bad_name"
    else:
        low, high = _DIGITS[by]
        if not re.fullmatch(rf"[0-9]{{{low},{high}}}", value):
            return f"desk_bad_{by.value}"
    if birth_date is None:
        return "desk_bad_birth_date"
    return None


def find_patients(
    client: CentralClient,
    by: FindBy,
    value: str,
    birth_date: dt.date,
    *,
    deadline_s: float = 3.0,
) -> PatientList:
    """The patients the key finds (one for a number; up to 10 for a name); () for none.

    A wrong date of birth finds no one, as an unknown key does (the centre's
    404 ``unknown_patient``). Raises the client's :class:`CentralError` otherwise.
    """
    # "desk": said for centres of before 0024_kiosk_desk. The centre answers the phone
    # and address and allows a name search only to a kiosk staff enrolled as a desk
    # (docs/desk.md), whatever this says; a refusal's reason is shown to the clerk.
    body = {"by": by.value, "value": value, "birth_date": birth_date.isoformat(), "desk": True}
    try:
        data = client._call("POST", FIND_PATH, body, ok=(200,), timeout_s=deadline_s, kind="list")
    except CentralRefused as exc:
        if exc.status == 404 and exc.code == "unknown_patient":
            return PatientList()
        raise
    return client._parse(FIND_PATH, parse_patients, data)


def register_patient(
    client: CentralClient, patient: DeskPatient, *, deadline_s: float = 3.0
) -> str:
    """The No. RM the office gives ``patient`` (the one they have if their NIK has one)."""
    data = client._call("POST", PATIENTS_PATH, patient.to_json(), timeout_s=deadline_s)
    return client._parse(PATIENTS_PATH, parse_norm, data)


def parse_norm(data: Mapping[str, Any]) -> str:
    norm = data.get("norm")
    if not isinstance(norm, str) or not re.fullmatch(r"[0-9]{1,10}", norm):
        raise AnswerError("'norm' is not a No. RM")
    return norm


def doctors_today(client: CentralClient) -> tuple[DoctorToday, ...]:
    """Today's doctors of the kiosk's office, with the quota left as of now.

    The kiosk's own strict reading (:meth:`CentralClient.doctors_today`); a centre
    without the hospital routes has none.
    """
    answer = client.doctors_today()
    return answer.doctors if answer is not None else ()
