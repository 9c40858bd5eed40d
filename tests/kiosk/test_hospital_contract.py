"""What kiosk and centre share about a hospital: polis in the catalog, today's doctors,
a registration's ``hospital`` object and the one rule for the estimated time."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.settings import DEMO_CATALOG_PATH
from contract.catalog import Catalog
from contract.errors import CatalogError, HospitalError
from contract.hospital import (
    PATIENT_KEY_LIMITS,
    DoctorToday,
    HospitalRequest,
    PatientKeys,
    Payer,
    PlaceRequest,
    TaskId,
    estimate,
    is_bpjs_number,
    parse_hhmm,
)

DOCTOR = {
    "schedule_id": "rsud-dalam-andi-1",
    "service_id": "poli-dalam",
    "kodepoli": "INT",
    "kodedokter": "12345",
    "doctor_name": "dr. Andi Pratama, Sp.PD",
    "starts": "08:00",
    "ends": "14:00",
    "quota_jkn": 30,
    "left_jkn": 0,
    "quota_non_jkn": 10,
    "left_non_jkn": 4,
    "minutes_per_patient": 10,
}


def demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))
    return data


def test_the_demo_hospital_has_its_polis() -> None:
    catalog = Catalog.from_json(demo())
    polis = {s.id: s.poli for s in catalog.services_for("rsud-pku")}
    assert {k: v.kodepoli if v else None for k, v in polis.items()} == {
        "poli-dalam": "INT",
        "poli-anak": "ANA",
        "poli-gigi": "GIG",
        "farmasi": None,
    }
    # each poli names its SATUSEHAT Location, so the demo's Encounters can be sent
    assert all(v.location_id for v in polis.values() if v is not None)


@pytest.mark.parametrize(
    ("poli", "message"),
    [
        ({"kodepoli": ""}, "kodepoli: must be a non-empty string"),
        ({"kodepoli": "IN T"}, "kodepoli: at most 16 letters or digits"),
        ({"kodepoli": "INT", "kode": "x"}, "poli.kode: unknown field"),
        ("INT", "poli: must be an object"),
    ],
)
def test_a_bad_poli_names_its_path(poli: Any, message: str) -> None:
    data = demo()
    [dalam] = [s for s in data["services"] if s["id"] == "poli-dalam"]
    dalam["poli"] = poli
    with pytest.raises(CatalogError, match=message):
        Catalog.from_json(data)


def test_only_a_health_service_is_a_poli() -> None:
    data = copy.deepcopy(demo())
    [ktp] = [s for s in data["services"] if s["id"] == "ktp-cetak-ulang"]
    ktp["poli"] = {"kodepoli": "INT"}
    with pytest.raises(CatalogError, match="only a 'kesehatan' service is a poli"):
        Catalog.from_json(data)


def test_a_doctor_today_goes_there_and_back() -> None:
    doctor = DoctorToday.from_json(DOCTOR)
    assert doctor.to_json() == {**DOCTOR, "closed": False}  # absent: still open
    assert DoctorToday.from_json(doctor.to_json()) == doctor
    assert (doctor.left(Payer.JKN), doctor.left(Payer.UMUM)) == (0, 4)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"starts": "8:00"}, "doctor.starts"),
        ({"left_jkn": -1}, "doctor.left_jkn"),
        ({"quota_jkn": True}, "doctor.quota_jkn"),
        ({"doctor_name": ""}, "doctor.doctor_name"),
    ],
)
def test_a_bad_doctor_names_its_path(change: dict[str, Any], path: str) -> None:
    with pytest.raises(HospitalError, match=path):
        DoctorToday.from_json({**DOCTOR, **change})


def test_a_hospital_request_is_read_strictly_and_hides_personal_fields() -> None:
    request = HospitalRequest.from_json(
        {"schedule_id": "s1", "payer": "jkn", "norm": "000123", "nomorkartu": "0001234567890"}
    )
    assert (request.payer, request.jeniskunjungan, request.new_patient) == (Payer.JKN, 1, False)
    assert HospitalRequest.from_json(request.to_json()) == request
    assert "000123" not in repr(request) and "0001234567890" not in repr(request)
    for bad, path in (
        ({"payer": "gratis"}, "hospital.payer"),
        ({"nomorkartu": "123"}, "hospital.nomorkartu: must be 13 digits"),
        ({"jeniskunjungan": 5}, "hospital.jeniskunjungan"),
        ({"new_patient": "no"}, "hospital.new_patient"),
        ({"extra": 1}, "hospital.extra: unknown field"),
    ):
        with pytest.raises(HospitalError, match=path):
            HospitalRequest.from_json({"schedule_id": "s1", "payer": "jkn", **bad})


SITI_KEYS = {
    "norm": "000123",
    "nomorkartu": "0001234567890",
    "nik": "1471015203850001",
    "card_number": "PKU-000001",
    "full_name": "Siti Aminah",
    "birth_date": "1985-03-12",
}


def test_an_allocates_place_names_the_patient_by_the_registrations_keys() -> None:
    request = HospitalRequest(
        schedule_id="s1", payer=Payer.JKN, norm="000123", nomorkartu="0001234567890"
    )
    body = {
        "card_number": "PKU-000001",
        "values": {"full_name": "Siti Aminah", "nik": "1471015203850001", "phone": "0812"},
    }
    body["values"]["date_of_birth"] = "1985-03-12"  # the demo form's name for it
    place = PlaceRequest.of(request, body)
    assert place.to_json() == {"schedule_id": "s1", "payer": "jkn", **SITI_KEYS}
    assert PlaceRequest.from_json(place.to_json()) == place
    assert all(value not in repr(place) for value in SITI_KEYS.values())
    # a kiosk older than the keys: a place that names no patient
    old = PlaceRequest.from_json({"schedule_id": "s1", "payer": "umum"})
    assert not old.patient.given() and old.to_json() == {"schedule_id": "s1", "payer": "umum"}
    # a name or card that is no text is no key; a NIK or date of birth that is none, refused
    odd = PatientKeys.of_registration(request, {"card_number": 7, "values": {"full_name": 1}})
    assert (odd.card_number, odd.full_name) == ("", "")
    for values in ({"nik": 1471015203850001}, {"birth_date": 19850312}):
        with pytest.raises(HospitalError, match="must be a string"):
            PatientKeys.of_registration(request, {"values": values})


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        ({"nomorkartu": "123"}, "hospital.nomorkartu: must be 13 digits"),
        ({"norm": "1" * 33}, "hospital.norm: at most 32"),
        ({"nik": "1" * 33}, "hospital.nik: at most 32"),
        ({"full_name": "x" * 201}, "hospital.full_name: at most 200"),
        ({"card_number": "PKU\x00"}, "hospital.card_number: must not hold control"),
        ({"birth_date": 1985}, "hospital.birth_date: must be a string"),
        ({"new_patient": True}, "hospital.new_patient: unknown field"),
        ({"payer": "gratis"}, "hospital.payer"),
    ],
)
def test_a_place_is_read_strictly_and_never_quotes_a_key(bad: dict[str, Any], path: str) -> None:
    with pytest.raises(HospitalError, match=path) as refused:
        PlaceRequest.from_json({"schedule_id": "s1", "payer": "jkn", **bad})
    assert all(str(value) not in str(refused.value) for value in bad.values() if value != "gratis")


def test_keys_are_fitted_to_what_an_allocate_carries_and_an_unfit_one_left_out() -> None:
    keys = PatientKeys(**{**SITI_KEYS, "full_name": " Siti\n\tAminah\r\n"})
    fitted, left_out = keys.fitted()
    assert fitted == PatientKeys(**SITI_KEYS) and left_out == ()
    odd = PatientKeys(
        **{**SITI_KEYS, "full_name": "Siti\x07Aminah", "nomorkartu": "123", "norm": "1" * 33}
    )
    fitted, left_out = odd.fitted()
    assert left_out == ("norm", "nomorkartu", "full_name")
    assert fitted.to_json() == {k: v for k, v in SITI_KEYS.items() if k not in left_out}


_KEY_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Z", "Cc")), max_size=240
)


@settings(max_examples=300, deadline=None)
@given(keys=st.fixed_dictionaries({name: _KEY_TEXT for name in PATIENT_KEY_LIMITS}))
def test_fitted_keys_are_always_taken_and_keep_every_key_that_fits(keys: dict[str, str]) -> None:
    """Whatever a form or a card holds: the fitted keys pass the contract's own check, a
    key that fitted is sent as it was (a name with its white space made one space, as the
    centre compares names), and every key dropped is named."""
    fitted, left_out = PatientKeys(**keys).fitted()
    sent = {"schedule_id": "s1", "payer": "jkn", **fitted.to_json()}
    assert PlaceRequest.from_json(sent).patient == fitted
    for name, value in keys.items():
        expected = " ".join(value.split()) if name == "full_name" else value
        if name in left_out:
            assert getattr(fitted, name) == "" and expected, name
        else:
            assert getattr(fitted, name) == expected, name


def test_the_estimated_time_is_one_rule() -> None:
    assert estimate(dt.time(8, 0), 1, 10) == dt.time(8, 0)
    assert estimate(dt.time(8, 0), 7, 10) == dt.time(9, 0)
    assert estimate(dt.time(20, 0), 100, 15) == dt.time(23, 59)  # capped at the day's end
    with pytest.raises(HospitalError):
        estimate(dt.time(8, 0), 0, 10)


def test_bpjs_words() -> None:
    assert (Payer.JKN.bpjs, Payer.UMUM.bpjs) == ("JKN", "NON JKN")
    assert [int(t) for t in TaskId] == [1, 2, 3, 4, 5, 6, 7, 99]


@pytest.mark.parametrize(
    "value",
    ["0\u0668:00", "08:\u0660\u0660", "0\u0968:30"],  # Arabic-Indic, Devanagari digits
    ids=["arabic-hour", "arabic-minutes", "devanagari-hour"],
)
def test_hours_of_other_scripts_digits_are_no_time(value: str) -> None:
    with pytest.raises(HospitalError):
        parse_hhmm(value)


def test_a_bpjs_number_is_thirteen_ascii_digits() -> None:
    assert is_bpjs_number("0001234567890")
    assert not is_bpjs_number("000123456789\u0660")
