"""A hospital's patient without a card: found by number and date of birth at the centre.

The keypad's No. RM, BPJS card number or NIK and the typed date of birth go to
``POST /api/v1/hospital/patients/find`` (with the citizen's short deadline); the
centre counts it in the kiosk's lookup budget and audits it. An unknown patient
and a wrong date of birth are one answer ("Data tidak ditemukan"). The patient
found becomes the session's identity, ``unverified`` (no card vouches for it),
and their record (No. RM, phone, BPJS number) pre-fills the form as a card's
record would. Every failure is an answer the session can show, never an exception.
"""

from __future__ import annotations

import datetime as dt
import logging

from cardio.card.citizen import CardIdentity, Citizen
from contract.assurance import Assurance
from contract.nik import Sex
from kiosk.client.errors import CentralError
from kiosk.client.hospital import Patient
from kiosk.errors import SessionProblem
from kiosk.lookups.centre import CentreAccess
from kiosk.session.events import FindPatient, PatientFound

log = logging.getLogger(__name__)

_SEXES = {"F": Sex.FEMALE, "P": Sex.FEMALE, "M": Sex.MALE, "L": Sex.MALE}


class Patients:
    def __init__(self, centre: CentreAccess, *, deadline_s: float) -> None:
        self._centre = centre
        self._deadline_s = deadline_s

    def find(self, effect: FindPatient) -> PatientFound:
        if not self._centre.may_ask():
            return PatientFound(
                effect.session, problem=SessionProblem.PATIENT_UNAVAILABLE, asked=effect.asked
            )
        try:
            patient = self._centre.client.find_patient(
                effect.key.value, effect.value, effect.birth_date, deadline_s=self._deadline_s
            )
        except CentralError as exc:
            log.warning("patient not looked up: %s", exc)
            return PatientFound(
                effect.session, problem=SessionProblem.PATIENT_UNAVAILABLE, asked=effect.asked
            )
        if patient is None:
            log.info("patient lookup: not found")
            return PatientFound(
                effect.session, problem=SessionProblem.PATIENT_UNKNOWN, asked=effect.asked
            )
        identity = patient_identity(patient, effect.birth_date)
        if identity is None:
            log.warning("patient lookup: the centre's answer names no usable patient")
            return PatientFound(
                effect.session, problem=SessionProblem.PATIENT_UNAVAILABLE, asked=effect.asked
            )
        log.info("patient lookup: found")
        return PatientFound(effect.session, identity, patient_record(patient), asked=effect.asked)


def patient_identity(patient: Patient, birth_date: dt.date) -> CardIdentity | None:
    """The patient as a session's identity (no card: no UID, ``unverified``)."""
    nik, name = patient.get("nik"), patient.get("name")
    sex = _SEXES.get(patient.get("sex").upper()[:1])
    if len(nik) != 16 or not nik.isdigit() or not name or sex is None:
        return None
    citizen = Citizen(
        card_number="",
        nik=nik,
        full_name=name,
        date_of_birth=birth_date,
        sex=sex,
        bpjs_number=patient.get("nomorkartu") or None,
    )
    return CardIdentity(uid=b"", citizen=citizen, assurance=Assurance.UNVERIFIED)


def patient_record(patient: Patient) -> dict[str, str]:
    """What pre-fills ``record.…`` fields: the No. RM, the phone, the BPJS number."""
    record = {
        "medical_record_number": patient.get("norm"),
        "phone": patient.get("phone"),
        "bpjs_number": patient.get("nomorkartu"),
    }
    return {key: value for key, value in record.items() if value}
