"""Mobile JKN's side of the WS RS tests: a hospital centre that takes its calls, a
doctor to book, a patient, the ``/antrean`` body, and a kiosk's ticket to check in.

The WS RS tests (tests/central/test_wsrs_bookings.py, test_wsrs_races.py) start
centres with an integrations file naming BPJS's stand-in and the WS RS account
(:func:`integrations_file`), log in as Mobile JKN (:func:`wsrs_token`), give the
demo hospital's Poli Anak a doctor of their own through the staff API
(:func:`put_doctor`) and book for patients the city's records do not hold
(:func:`new_patient`, :func:`ambil_body`); :func:`booked` books one for today, and
:func:`lapse` puts its slot and grace in the past.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Connection, update

from central.access.audit import utc_now
from central.tables import bookings
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_accounts import bearer
from testkit.centre_hospital import (
    HOSPITAL,
    HospitalCentre,
    own_hospital_centre,
    patient_numbers,
    put_schedule,
)
from testkit.centre_requests import new_id, registration, today

USERNAME = "bpjs-mjkn"
PASSWORD = "rahasia-uji-ws-rs-0002"  # noqa: S105 - the tests' own account
OFFICE = HOSPITAL
POLI = "poli-anak"
KODEPOLI = "ANA"
BASE = "/api/v1/wsrs"
_doctors = itertools.count(70001)


def integrations_file(folder: Path, standin: BpjsStandIn, *, extra: str = "") -> Path:
    """An integrations file (0600) in ``folder``: BPJS at ``standin``, the WS RS account,
    and ``extra`` TOML lines of the ``[bpjs]`` table."""
    config = folder / "integrations.toml"
    config.write_text(
        "[bpjs]\n"
        f'antrean_url = "{standin.url}"\n'
        f'cons_id = "{standin.cons_id}"\n'
        f'secret_key = "{standin.secret}"\n'
        f'user_key = "{standin.user_key}"\n'
        f'ws_rs_username = "{USERNAME}"\n'
        f'ws_rs_password = "{PASSWORD}"\n' + extra,
        encoding="utf-8",
    )
    config.chmod(0o600)
    return config


def own_wsrs_hospital_centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[HospitalCentre]:
    """For a module fixture: :func:`testkit.centre_hospital.own_hospital_centre` with its
    WS RS account and BPJS's stand-in configured (:func:`integrations_file`); the
    stand-in closed after."""
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    config = integrations_file(tmp_path_factory.mktemp(name), standin)
    yield from own_hospital_centre(request, tmp_path_factory, name, "--integrations", str(config))


def wsrs_token(url: str) -> str:
    """Mobile JKN's token from the centre at ``url`` (``GET …/token``)."""
    answer = requests.get(
        f"{url}{BASE}/token",
        headers={"x-username": USERNAME, "x-password": PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["response"]["token"]
    return token


def put_doctor(
    url: str,
    staff: str,
    day: dt.date,
    *,
    name: str = "Uji",
    starts: str = "08:00",
    ends: str = "12:00",
    quota_jkn: int = 5,
    minutes: int = 10,
) -> int:
    """A doctor of Poli Anak, "dr. {name} {kode}, Sp.A" (schedule ``{name}-{kode}`` in
    lower case), with hours on ``day``'s weekday, put by ``staff``; their ``kodedokter``."""
    kode = next(_doctors)
    answer = put_schedule(
        url,
        staff,
        service_id=POLI,
        kodedokter=str(kode),
        doctor_name=f"dr. {name} {kode}, Sp.A",
        weekday=day.isoweekday(),
        starts=starts,
        ends=ends,
        quota_jkn=quota_jkn,
        quota_non_jkn=3,
        minutes=minutes,
        schedule_id=f"{name.lower()}-{kode}",
    )
    assert answer.status_code in (200, 201), answer.text
    return kode


def new_patient() -> dict[str, str]:
    """A NIK the city's records do not hold (a man born 15 May 1990) and a card number."""
    nik, nomorkartu = patient_numbers()
    return {"nik": nik, "nomorkartu": nomorkartu}


def ambil_body(patient: dict[str, str], kode: int, day: dt.date, hours: str) -> dict[str, Any]:
    """The body of ``POST /antrean``: ``patient`` books doctor ``kode`` on ``day``."""
    return {
        "nomorkartu": patient["nomorkartu"],
        "nik": patient["nik"],
        "nohp": "081234567890",
        "kodepoli": KODEPOLI,
        "norm": patient.get("norm", ""),
        "tanggalperiksa": day.isoformat(),
        "kodedokter": kode,
        "jampraktek": hours,
        "jeniskunjungan": 1,
        "nomorreferensi": "0001R0040116A000001",
    }


def booked(url: str, kode: int, patient: dict[str, str] | None = None) -> str:
    """A Mobile JKN booking of ``patient`` (a new one: ``None``) at the doctor ``kode``
    today, at the centre at ``url``: its code."""
    answer = requests.post(
        f"{url}{BASE}/antrean",
        json=ambil_body(patient or new_patient(), kode, today(), "00:00-23:59"),
        headers={"x-token": wsrs_token(url), "x-username": USERNAME},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["metadata"]["code"] in (200, 202), answer.text  # 202: a new patient
    code: str = answer.json()["response"]["kodebooking"]
    return code


def lapse(conn: Connection, code: str) -> None:
    """Mobile JKN booking ``code``'s slot and grace over, in ``conn``'s transaction."""
    conn.execute(
        update(bookings)
        .where(bookings.c.code == code)
        .values(no_show_after=utc_now() - dt.timedelta(minutes=1))
    )


def poli_ticket(
    url: str,
    kiosk: str,
    *,
    place: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """A Poli Anak ticket numbered online by ``kiosk`` (taking the doctor's ``place``
    with it when given), and its registration as the kiosk's outbox sends it:
    ``(ticket_id, item)``."""
    ticket_id = new_id()
    body: dict[str, Any] = {"ticket_id": ticket_id, "service_id": POLI}
    if place is not None:
        body["hospital"] = place
    made = requests.post(
        f"{url}/api/v1/tickets/allocate", json=body, headers=bearer(kiosk), timeout=30
    )
    assert made.status_code == 201, made.text
    display = made.json()["display"]
    return ticket_id, registration(
        ticket_id, POLI, display, "online", values=values, office_id=OFFICE
    )
