"""WS RS calls as BPJS's Mobile JKN sends them, against a real centre over HTTP.

Each test gives the demo hospital (``rsud-pku``, Poli Anak ``ANA``) a doctor of its own
through the staff API, then books, asks, cancels and checks in through
``/api/v1/wsrs/…`` and reads what the centre kept. A booking made here is checked in
at a kiosk with its code, as a patient would type it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update

from central.access.audit import audit_key
from central.database import Database
from central.office import bookings as office_bookings
from central.process import RunningCentral, start_central
from central.tables import (
    audit_log,
    bookings,
    citizens,
    hospital_visits,
    integration_outbox,
    medical_records,
)
from contract.bookings import is_valid_code
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_accounts import bearer, new_staff
from testkit.centre_hospital import hospital_kiosk, what_the_registration_did
from testkit.centre_requests import ZONE, results
from testkit.centres import BACKENDS, LOOSE_SERVER_ARGS, migrated_database
from testkit.mjkn import (
    BASE,
    KODEPOLI,
    OFFICE,
    POLI,
    USERNAME,
    ambil_body,
    integrations_file,
    lapse,
    new_patient,
    poli_ticket,
    put_doctor,
    wsrs_token,
)
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(180)

#: The demo patients: Siti Aminah (No. RM 000123) and Budi Santoso (000124).
SITI = {"nik": "1471015203850001", "nomorkartu": "0001234567890", "norm": "000123"}
BUDI = {"nik": "1471011708790002", "nomorkartu": "0001234567891", "norm": "000124"}
ENVELOPE = {"metadata"}


@dataclass(frozen=True)
class Hospital:
    url: str
    db: Database
    token: str
    staff: str
    #: BPJS Antrean RS, which hears what happens to a visit.
    bpjs: BpjsStandIn


@pytest.fixture(scope="module", params=BACKENDS)
def hospital(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Hospital]:
    folder: Path = tmp_path_factory.mktemp("wsrs-bookings")
    url = migrated_database(request, tmp_path_factory, str(request.param))
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    config = integrations_file(folder, standin, extra="retry_base_s = 0.2\nretry_max_s = 0.5\n")
    server: RunningCentral = start_central(
        seed_demo=True, db_url=url, extra_args=(*LOOSE_SERVER_ARGS, "--integrations", str(config))
    )
    db = Database(url)
    try:
        yield Hospital(server.url, db, wsrs_token(server.url), new_staff(db, server.url), standin)
    finally:
        db.dispose()
        server.stop()


def local_today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def doctor(h: Hospital, day: dt.date, **hours: Any) -> int:
    """A doctor of Poli Anak with ``hours`` (testkit/mjkn.py's) on ``day``'s weekday; their
    ``kodedokter``."""
    return put_doctor(h.url, h.staff, day, **hours)


def call(h: Hospital, path: str, body: Any) -> requests.Response:
    headers = {"x-token": h.token, "x-username": USERNAME}
    if isinstance(body, bytes | str):
        return requests.post(h.url + BASE + path, data=body, headers=headers, timeout=30)
    return requests.post(h.url + BASE + path, json=body, headers=headers, timeout=30)


def answered(response: requests.Response, code: int = 200) -> dict[str, Any]:
    """The envelope of an answered call (HTTP 200), its ``metadata.code`` checked."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["metadata"]["code"] == code, body
    return body


def refused(response: requests.Response, words: str, status: int = 200) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ENVELOPE and body["metadata"]["code"] == 201, body
    assert words in body["metadata"]["message"], body


def status_body(kode: int, day: dt.date, hours: str = "08:00-12:00") -> dict[str, Any]:
    return {
        "kodepoli": KODEPOLI,
        "kodedokter": kode,
        "tanggalperiksa": day.isoformat(),
        "jampraktek": hours,
    }


def visit_of(h: Hospital, code: str) -> Any:
    with h.db.read() as conn:
        return conn.execute(
            select(hospital_visits).where(hospital_visits.c.kodebooking == code)
        ).one()


def booking_of(h: Hospital, code: str) -> Any:
    with h.db.read() as conn:
        return conn.execute(select(bookings).where(bookings.c.code == code)).one()


def test_status_antrean_tells_the_doctors_day(hospital: Hospital) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)
    kode = doctor(hospital, tomorrow, quota_jkn=7)
    body = answered(call(hospital, "/antrean/status", status_body(kode, tomorrow)))
    assert body["response"] == {
        "namapoli": "Poli Anak",
        "namadokter": f"dr. Uji {kode}, Sp.A",
        "totalantrean": 0,
        "sisaantrean": 0,
        "antreanpanggil": "-",
        "sisakuotajkn": 7,
        "kuotajkn": 7,
        "sisakuotanonjkn": 3,
        "kuotanonjkn": 3,
        "keterangan": "",
    }
    assert body["metadata"] == {"message": "Ok", "code": 200}
    # kodedokter as a string of digits too; the other failures in words.
    answered(
        call(hospital, "/antrean/status", {**status_body(kode, tomorrow), "kodedokter": str(kode)})
    )
    refused(
        call(hospital, "/antrean/status", {**status_body(kode, tomorrow), "kodepoli": "XYZ"}),
        "Poli tidak ditemukan",
    )
    refused(
        call(hospital, "/antrean/status", status_body(kode, tomorrow, "09:00-12:00")),
        "Jam praktek tidak sesuai",
    )
    refused(
        call(hospital, "/antrean/status", status_body(kode + 50000, tomorrow)),
        "Jadwal dokter tidak ditemukan",
    )
    day_after = tomorrow + dt.timedelta(days=1)
    refused(
        call(hospital, "/antrean/status", status_body(kode, day_after)),
        "Jadwal dokter tidak ditemukan",
    )


def test_ambil_antrean_books_a_jkn_place_as_a_booking_and_a_visit(hospital: Hospital) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)
    kode = doctor(hospital, tomorrow, quota_jkn=5, minutes=12)
    body = answered(call(hospital, "/antrean", ambil_body(BUDI, kode, tomorrow, "08:00-12:00")))
    got = body["response"]
    code = got["kodebooking"]
    assert is_valid_code(code)
    start = dt.datetime.combine(tomorrow, dt.time(8, 0), tzinfo=ZONE)
    assert got == {
        "nomorantrean": "ANA-001",
        "angkaantrean": 1,
        "kodebooking": code,
        "norm": BUDI["norm"],
        "namapoli": "Poli Anak",
        "namadokter": f"dr. Uji {kode}, Sp.A",
        "estimasidilayani": int(start.timestamp() * 1000),
        "sisakuotajkn": 4,
        "kuotajkn": 5,
        "sisakuotanonjkn": 3,
        "kuotanonjkn": 3,
        "keterangan": got["keterangan"],
    }
    assert "kode booking" in got["keterangan"]
    booked = booking_of(hospital, code)
    assert (booked.source, booked.state, booked.service_id, booked.day) == (
        "mjkn",
        "booked",
        POLI,
        tomorrow,
    )
    assert (booked.starts_at, booked.ends_at, booked.phone) == ("08:00", "12:00", None)
    visit = visit_of(hospital, code)
    assert (visit.source, visit.state, visit.booking_code, visit.payer) == (
        "mjkn",
        "booked",
        code,
        "jkn",
    )
    assert (visit.norm, visit.nomorkartu, visit.new_patient, visit.ticket_id) == (
        BUDI["norm"],
        BUDI["nomorkartu"],
        False,
        None,
    )
    assert (visit.nomorreferensi, visit.jeniskunjungan, visit.jampraktek) == (
        "0001R0040116A000001",
        1,
        "08:00-12:00",
    )

    # The second patient is number 2, twelve minutes later; Budi again is refused.
    second = answered(call(hospital, "/antrean", ambil_body(SITI, kode, tomorrow, "08:00-12:00")))
    assert (second["response"]["angkaantrean"], second["response"]["nomorantrean"]) == (
        2,
        "ANA-002",
    )
    assert second["response"]["estimasidilayani"] - got["estimasidilayani"] == 12 * 60 * 1000
    refused(
        call(hospital, "/antrean", ambil_body(BUDI, kode, tomorrow, "08:00-12:00")),
        "sudah memiliki antrean",
    )
    status = answered(call(hospital, "/antrean/status", status_body(kode, tomorrow)))["response"]
    assert (status["totalantrean"], status["sisaantrean"], status["sisakuotajkn"]) == (2, 2, 3)


def test_a_card_of_another_nik_or_a_day_out_of_reach_books_nothing(hospital: Hospital) -> None:
    today = local_today()
    kode = doctor(hospital, today + dt.timedelta(days=2))
    far = doctor(hospital, today + dt.timedelta(days=31))
    day = today + dt.timedelta(days=2)
    mixed = {**BUDI, "nomorkartu": SITI["nomorkartu"]}
    refused(
        call(hospital, "/antrean", ambil_body(mixed, kode, day, "08:00-12:00")),
        "Nomor kartu tidak sesuai",
    )
    stranger = {**new_patient(), "nomorkartu": BUDI["nomorkartu"]}
    refused(
        call(hospital, "/antrean", ambil_body(stranger, kode, day, "08:00-12:00")),
        "Nomor kartu tidak sesuai",
    )
    yesterday = today - dt.timedelta(days=1)
    doctor(hospital, yesterday)
    refused(
        call(hospital, "/antrean", ambil_body(BUDI, kode, yesterday, "08:00-12:00")), "sudah lewat"
    )
    refused(
        call(
            hospital,
            "/antrean",
            ambil_body(BUDI, far, today + dt.timedelta(days=31), "08:00-12:00"),
        ),
        "30 hari",
    )
    with hospital.db.read() as conn:
        assert (
            conn.execute(select(citizens.c.id).where(citizens.c.nik == stranger["nik"])).first()
            is None
        )
    status = answered(call(hospital, "/antrean/status", status_body(kode, day)))["response"]
    assert (status["totalantrean"], status["sisakuotajkn"]) == (0, 5)


def test_the_last_jkn_place_goes_to_one_patient_only(hospital: Hospital) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)
    kode = doctor(hospital, tomorrow, quota_jkn=1)
    racers = [new_patient() for _ in range(4)]
    barrier = threading.Barrier(len(racers), timeout=60)

    def book(patient: dict[str, str]) -> dict[str, Any]:
        barrier.wait()
        response = call(hospital, "/antrean", ambil_body(patient, kode, tomorrow, "08:00-12:00"))
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    with ThreadPoolExecutor(len(racers)) as pool:
        answers = list(pool.map(book, racers))
    codes = sorted(a["metadata"]["code"] for a in answers)
    assert codes == [201, 201, 201, 202], answers  # new patients: 202, booked
    for a in answers:
        if a["metadata"]["code"] == 201:
            assert "Kuota JKN" in a["metadata"]["message"]
    with hospital.db.read() as conn:
        visits = conn.execute(
            select(hospital_visits.c.nik).where(hospital_visits.c.kodedokter == str(kode))
        ).all()
        # The losers left no booking and no record behind.
        made = conn.execute(
            select(citizens.c.nik).where(citizens.c.nik.in_([p["nik"] for p in racers]))
        ).all()
    assert len(visits) == 1 and len(made) == 1 and made[0].nik == visits[0].nik
    status = answered(call(hospital, "/antrean/status", status_body(kode, tomorrow)))["response"]
    assert (status["totalantrean"], status["sisakuotajkn"]) == (1, 0)


def test_a_new_patient_is_booked_with_202_then_gets_a_no_rm(hospital: Hospital) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)
    kode = doctor(hospital, tomorrow)
    patient = new_patient()
    body = answered(
        call(hospital, "/antrean", ambil_body(patient, kode, tomorrow, "08:00-12:00")), 202
    )
    code = body["response"]["kodebooking"]
    assert body["response"]["norm"] == ""
    assert "Pasien baru" in body["metadata"]["message"]
    assert (visit_of(hospital, code).new_patient, visit_of(hospital, code).norm) == (True, None)
    details = {
        "nomorkartu": patient["nomorkartu"],
        "nik": patient["nik"],
        "nomorkk": "1471020101900001",
        "nama": "Pasien Uji Baru",
        "jeniskelamin": "L",
        "tanggallahir": "1990-05-15",
        "nohp": "081234567899",
        "alamat": "Jl. Uji No. 1",
        "kodeprop": "14",
        "namaprop": "Riau",
        "kodedati2": "0227",
        "namadati2": "Kota Pekanbaru",
        "kodekec": "2801",
        "namakec": "Sukajadi",
        "kodekel": "D2801",
        "namakel": "Kampung Melayu",
        "rw": "001",
        "rt": "002",
    }
    refused(
        call(hospital, "/pasienbaru", {**details, "tanggallahir": "1991-05-15"}), "tidak sesuai NIK"
    )
    refused(call(hospital, "/pasienbaru", {**details, "jeniskelamin": "P"}), "tidak sesuai NIK")
    answer = answered(call(hospital, "/pasienbaru", details))
    norm = answer["response"]["norm"]
    assert len(norm) == 6 and norm.isdigit()
    assert (
        answer["metadata"]["message"] == "Harap datang ke admisi untuk melengkapi data rekam medis"
    )
    assert visit_of(hospital, code).norm == norm
    with hospital.db.read() as conn:
        person = conn.execute(select(citizens).where(citizens.c.nik == patient["nik"])).one()
        held = conn.execute(
            select(medical_records.c.medical_record_number).where(
                medical_records.c.citizen_id == person.id, medical_records.c.office_id == OFFICE
            )
        ).scalar_one()
    assert (person.full_name, person.birth_date, person.sex) == (
        "Pasien Uji Baru",
        dt.date(1990, 5, 15),
        "L",
    )
    assert (person.bpjs_number, person.family_card_number, held) == (
        patient["nomorkartu"],
        "1471020101900001",
        norm,
    )
    # Sent again: the same No. RM. A NIK without a booking: refused.
    assert answered(call(hospital, "/pasienbaru", details))["response"]["norm"] == norm
    other = new_patient()
    refused(call(hospital, "/pasienbaru", {**details, **other}), "Tidak ada antrean pasien baru")


def test_sisa_batal_and_check_in_on_a_booking(hospital: Hospital) -> None:
    today, tomorrow = local_today(), local_today() + dt.timedelta(days=1)
    now_kode = doctor(hospital, today, starts="00:00", ends="23:59", minutes=15)
    later_kode = doctor(hospital, tomorrow)
    first = answered(
        call(hospital, "/antrean", ambil_body(new_patient(), now_kode, today, "00:00-23:59")), 202
    )
    second = answered(
        call(hospital, "/antrean", ambil_body(new_patient(), now_kode, today, "00:00-23:59")), 202
    )
    sisa = answered(
        call(hospital, "/antrean/sisa", {"kodebooking": second["response"]["kodebooking"]})
    )
    assert sisa["response"] == {
        "nomorantrean": "ANA-002",
        "namapoli": "Poli Anak",
        "namadokter": f"dr. Uji {now_kode}, Sp.A",
        "sisaantrean": 2,
        "antreanpanggil": "-",
        "waktutunggu": 15 * 60,
        "keterangan": "",
    }
    code = first["response"]["kodebooking"]
    spaced = f"{code[:3]} {code[3:6]}-{code[6:]}"
    assert (
        answered(call(hospital, "/antrean/sisa", {"kodebooking": spaced}))["response"][
            "sisaantrean"
        ]
        == 1
    )
    waktu = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    assert answered(call(hospital, "/antrean/checkin", {"kodebooking": code, "waktu": waktu})) == {
        "metadata": {"message": "Ok", "code": 200}
    }
    visit = visit_of(hospital, code)
    assert visit.state == "checked_in" and visit.ticket_id is None
    assert abs(visit.checked_in_at.timestamp() * 1000 - waktu) < 1000

    late_patient = new_patient()
    later = answered(
        call(hospital, "/antrean", ambil_body(late_patient, later_kode, tomorrow, "08:00-12:00")),
        202,
    )
    later_code = later["response"]["kodebooking"]
    refused(call(hospital, "/antrean/sisa", {"kodebooking": later_code}), "hari pelayanan")
    refused(
        call(hospital, "/antrean/checkin", {"kodebooking": later_code, "waktu": waktu}),
        "hari pelayanan",
    )
    batal = call(
        hospital,
        "/antrean/batal",
        {"kodebooking": later_code, "keterangan": "Ada kebutuhan mendadak"},
    )
    assert answered(batal) == {"metadata": {"message": "Ok", "code": 200}}
    assert (booking_of(hospital, later_code).state, visit_of(hospital, later_code).state) == (
        "cancelled",
        "cancelled",
    )
    assert visit_of(hospital, later_code).cancel_reason == "Ada kebutuhan mendadak"
    refused(
        call(hospital, "/antrean/batal", {"kodebooking": later_code}), "sudah dibatalkan sebelumnya"
    )
    refused(call(hospital, "/antrean/sisa", {"kodebooking": later_code}), "sudah dibatalkan")
    status = answered(call(hospital, "/antrean/status", status_body(later_kode, tomorrow)))[
        "response"
    ]
    assert (status["totalantrean"], status["sisakuotajkn"]) == (0, 5)  # the place is back
    # The place is free again; the cancelled patient may book again.
    answered(
        call(hospital, "/antrean", ambil_body(late_patient, later_kode, tomorrow, "08:00-12:00")),
        202,
    )
    for unknown in ("123456780", "123456789", "abc"):
        refused(
            call(hospital, "/antrean/sisa", {"kodebooking": unknown}),
            "Kode booking tidak ditemukan",
        )


def test_a_mobile_jkn_booking_is_checked_in_at_a_kiosk_with_its_code(hospital: Hospital) -> None:
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59")
    patient = new_patient()
    booked = answered(
        call(hospital, "/antrean", ambil_body(patient, kode, today, "00:00-23:59")), 202
    )
    code = booked["response"]["kodebooking"]
    hospital.bpjs.booked(code)  # BPJS knows the booking Mobile JKN made
    kiosk = hospital_kiosk(hospital.url)[0]

    # The kiosk's cache of today: the booking with its doctor and hours.
    today_list = requests.get(
        f"{hospital.url}/api/v1/bookings/today", headers=bearer(kiosk), timeout=10
    )
    assert today_list.status_code == 200, today_list.text
    row = next(b for b in today_list.json()["bookings"] if b["code"] == code)
    assert (row["doctor"], row["hours"], row["service_id"], row["nik"]) == (
        f"dr. Uji {kode}, Sp.A",
        "00:00-23:59",
        POLI,
        patient["nik"],
    )

    ticket_id, item = poli_ticket(hospital.url, kiosk)
    item["body"]["booking_code"] = code
    (got,) = results(hospital.url, kiosk, [item])
    assert got["status"] == "accepted" and got["result"]["booking"] == "checked_in", got
    visit = visit_of(hospital, code)
    assert (visit.state, visit.ticket_id) == ("checked_in", ticket_id)
    assert visit.checked_in_at is not None
    assert (booking_of(hospital, code).state, booking_of(hospital, code).ticket_id) == (
        "checked_in",
        ticket_id,
    )
    # Sent again by the outbox: the same answer, the visit unchanged.
    (again,) = results(hospital.url, kiosk, [item])
    assert again["result"]["booking"] == "checked_in"
    assert visit_of(hospital, code).ticket_id == ticket_id
    # The check-in started the patient's waiting at BPJS: tasks 1, 2, 3, once, in order.
    wait_until(lambda: len(hospital.bpjs.tasks(code)) >= 3, 30, "tasks 1-3 at BPJS")
    assert hospital.bpjs.tasks(code) == [1, 2, 3]
    assert code not in hospital.bpjs.added  # Mobile JKN added it, not the hospital
    # At the hospital now: Mobile JKN can no longer cancel it.
    refused(call(hospital, "/antrean/batal", {"kodebooking": code}), "sudah check-in")


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/antrean", {}, "wajib diisi"),
        ("/antrean", {"nik": "1471011708790002"}, "nomorkartu wajib diisi"),
        (
            "/antrean/status",
            {
                "kodepoli": "ANA",
                "kodedokter": "abc",
                "tanggalperiksa": "2026-01-01",
                "jampraktek": "08:00-12:00",
            },
            "kodedokter",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": "ANA",
                "kodedokter": True,
                "tanggalperiksa": "2026-01-01",
                "jampraktek": "08:00-12:00",
            },
            "kodedokter",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": "ANA",
                "kodedokter": 1,
                "tanggalperiksa": "2026-13-01",
                "jampraktek": "08:00-12:00",
            },
            "YYYY-MM-DD",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": "ANA",
                "kodedokter": 1,
                "tanggalperiksa": "2026-01-01",
                "jampraktek": "8-12",
            },
            "jampraktek",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": "ANA",
                "kodedokter": 1,
                "tanggalperiksa": "2026-01-01",
                "jampraktek": "12:00-08:00",
            },
            "jampraktek",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": "A\x00",
                "kodedokter": 1,
                "tanggalperiksa": "2026-01-01",
                "jampraktek": "08:00-12:00",
            },
            "kodepoli tidak valid",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": ["ANA"],
                "kodedokter": 1,
                "tanggalperiksa": "2026-01-01",
                "jampraktek": "08:00-12:00",
            },
            "kodepoli harus berupa teks",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": "ANA",
                "kodedokter": 1,
                "tanggalperiksa": "2026-W49-7",
                "jampraktek": "08:00-12:00",
            },
            "YYYY-MM-DD",
        ),
        (
            "/antrean/status",
            {
                "kodepoli": "ANA",
                "kodedokter": 1,
                "tanggalperiksa": "2026-01-01",
                "jampraktek": "0\u0668:00-12:00",
            },
            "jampraktek",
        ),
        (
            "/antrean",
            {
                "nomorkartu": "0001234567891",
                "nik": "1471011708790002",
                "nohp": "\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",
            },
            "nohp tidak valid",
        ),
        (
            "/pasienbaru",
            {
                "nik": "1471011708790002",
                "nomorkartu": "0001234567891",
                "nama": "x",
                "jeniskelamin": "L",
                "tanggallahir": "1979-W33-5",
            },
            "YYYY-MM-DD",
        ),
        (
            "/pasienbaru",
            {
                "nik": "1471011708790002",
                "nomorkartu": "0001234567891",
                "nama": "x",
                "jeniskelamin": "L",
                "tanggallahir": "1979-08-17",
                "nohp": "\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",
            },
            "nohp tidak valid",
        ),
        ("/antrean/sisa", {"kodebooking": "9" * 1000}, "kodebooking tidak valid"),
        ("/antrean/checkin", {"kodebooking": "123456780", "waktu": 10**20}, "waktu"),
        ("/antrean/checkin", {"kodebooking": "123456780", "waktu": "kemarin"}, "waktu"),
        ("/antrean/batal", {"kodebooking": None}, "kodebooking wajib diisi"),
        (
            "/pasienbaru",
            {"nik": "١٤٧١٠١١٧٠٨٧٩٠٠٠٢", "nomorkartu": "0001234567891"},
            "nik harus 16 digit",
        ),
        (
            "/pasienbaru",
            {
                "nik": "1471011708790002",
                "nomorkartu": "0001234567891",
                "nama": "x",
                "jeniskelamin": "X",
                "tanggallahir": "1979-08-17",
            },
            "jeniskelamin",
        ),
    ],
)
def test_a_bad_field_is_refused_in_words_naming_it(
    hospital: Hospital, path: str, body: dict[str, Any], words: str
) -> None:
    refused(call(hospital, path, body), words)


def test_hostile_bodies_get_the_envelope_never_a_500(hospital: Hospital) -> None:
    for body in (b"not json", b"[1, 2]", b"null", b"\xff\xfe", "[" * 100_000 + "]" * 100_000):
        if isinstance(body, str) and len(body) > 16 * 1024:
            refused(call(hospital, "/antrean/sisa", body), "terlalu besar", 413)
            continue
        refused(call(hospital, "/antrean/sisa", body), "objek JSON", 400)
    deep = "[" * 5000 + "]" * 5000
    refused(call(hospital, "/antrean/sisa", deep), "objek JSON", 400)
    big = json.dumps({"kodebooking": "123456780", "keterangan": "x" * 20_000})
    refused(call(hospital, "/antrean/batal", big), "terlalu besar", 413)
    # Still answering after all that.
    refused(call(hospital, "/antrean/sisa", {"kodebooking": "123456780"}), "tidak ditemukan")


def test_a_check_in_that_also_names_the_doctor_takes_no_second_place(hospital: Hospital) -> None:
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59", quota_jkn=2)
    patient = new_patient()
    booked = answered(
        call(hospital, "/antrean", ambil_body(patient, kode, today, "00:00-23:59")), 202
    )
    code = booked["response"]["kodebooking"]
    kiosk = hospital_kiosk(hospital.url)[0]
    ticket_id, item = poli_ticket(hospital.url, kiosk)
    item["body"]["booking_code"] = code
    item["body"]["hospital"] = {"schedule_id": f"uji-{kode}", "payer": "jkn"}
    (got,) = results(hospital.url, kiosk, [item])
    assert got["status"] == "accepted" and got["result"]["booking"] == "checked_in", got
    with hospital.db.read() as conn:
        visits = conn.execute(
            select(hospital_visits.c.kodebooking, hospital_visits.c.ticket_id).where(
                hospital_visits.c.kodedokter == str(kode)
            )
        ).all()
    assert [tuple(v) for v in visits] == [(code, ticket_id)]
    status = answered(call(hospital, "/antrean/status", status_body(kode, today, "00:00-23:59")))
    assert status["response"]["sisakuotajkn"] == 1  # the booking's place, no second one


def test_a_check_in_whose_allocate_took_a_place_gives_that_place_back(
    hospital: Hospital,
) -> None:
    """A kiosk asked its doctor's place with the number, then checked a booking in: the
    booking's place is the patient's, the ticket's own goes back to the doctor."""
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59", quota_jkn=2)
    booked = answered(
        call(hospital, "/antrean", ambil_body(new_patient(), kode, today, "00:00-23:59")), 202
    )
    code = booked["response"]["kodebooking"]
    kiosk = hospital_kiosk(hospital.url)[0]
    place = {"schedule_id": f"uji-{kode}", "payer": "jkn"}
    _, item = poli_ticket(hospital.url, kiosk, place=place)
    hours = status_body(kode, today, "00:00-23:59")
    assert answered(call(hospital, "/antrean/status", hours))["response"]["sisakuotajkn"] == 0
    item["body"]["booking_code"] = code
    item["body"]["hospital"] = {**place, "norm": "", "nomorkartu": "", "new_patient": True,
                                "jeniskunjungan": 1, "nomorreferensi": ""}  # fmt: skip
    (got,) = results(hospital.url, kiosk, [item])
    assert got["status"] == "accepted" and got["result"]["booking"] == "checked_in", got
    assert what_the_registration_did(hospital.db, item["key"])["kodebooking"] == code
    assert answered(call(hospital, "/antrean/status", hours))["response"]["sisakuotajkn"] == 1


def test_the_booking_page_neither_cancels_nor_moves_a_mobile_jkn_booking(
    hospital: Hospital,
) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)
    kode = doctor(hospital, tomorrow)
    patient = new_patient()
    booked = answered(
        call(hospital, "/antrean", ambil_body(patient, kode, tomorrow, "08:00-12:00")), 202
    )
    code = booked["response"]["kodebooking"]
    born = dt.date(1990, 5, 15)  # what the NIK carries
    key = audit_key(hospital.db, None)
    now = dt.datetime.now(dt.UTC)
    with hospital.db.begin() as conn:
        cancelled = office_bookings.cancel(
            conn, code, born, client="127.0.0.1", audit_key=key, now=now
        )
        moved = office_bookings.change(
            conn,
            code,
            born,
            day=tomorrow,
            starts_at="09:00",
            client="127.0.0.1",
            audit_key=key,
            now=now,
            zone=ZONE,
        )
    assert cancelled == office_bookings.Refused(office_bookings.Refusal.NOT_CHANGEABLE)
    assert moved == office_bookings.Refused(office_bookings.Refusal.NOT_CHANGEABLE)
    assert booking_of(hospital, code).state == "booked"
    assert visit_of(hospital, code).state == "booked"


def test_a_check_in_through_bpjs_cannot_be_cancelled_after(hospital: Hospital) -> None:
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59")
    code = answered(
        call(hospital, "/antrean", ambil_body(new_patient(), kode, today, "00:00-23:59")), 202
    )["response"]["kodebooking"]
    waktu = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    answered(call(hospital, "/antrean/checkin", {"kodebooking": code, "waktu": waktu}))
    # The patient is at the hospital (no ticket yet): the app can no longer cancel.
    refused(call(hospital, "/antrean/batal", {"kodebooking": code}), "sudah check-in")
    assert (booking_of(hospital, code).state, visit_of(hospital, code).state) == (
        "booked",
        "checked_in",
    )
    status = answered(call(hospital, "/antrean/status", status_body(kode, today, "00:00-23:59")))
    assert (status["response"]["totalantrean"], status["response"]["sisakuotajkn"]) == (1, 4)


def test_bpjs_check_in_time_must_be_on_the_visit_day(hospital: Hospital) -> None:
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59")
    code = answered(
        call(hospital, "/antrean", ambil_body(new_patient(), kode, today, "00:00-23:59")), 202
    )["response"]["kodebooking"]
    midnight = dt.datetime.combine(today, dt.time(0, 0), tzinfo=ZONE)
    yesterday = int((midnight - dt.timedelta(minutes=1)).timestamp() * 1000)
    for waktu in (1, yesterday):
        refused(
            call(hospital, "/antrean/checkin", {"kodebooking": code, "waktu": waktu}),
            "Waktu check-in harus pada hari pelayanan",
        )
    assert visit_of(hospital, code).checked_in_at is None
    # Earlier today than the booking was made (BPJS's clock a little behind): the booking's time.
    early = int(midnight.timestamp() * 1000)
    answered(call(hospital, "/antrean/checkin", {"kodebooking": code, "waktu": early}))
    visit = visit_of(hospital, code)
    assert visit.checked_in_at == visit.created_at


def test_a_mobile_jkn_no_show_closes_the_visit_frees_the_place_and_tells_bpjs(
    hospital: Hospital,
) -> None:
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59", quota_jkn=2)
    patient = new_patient()
    code = answered(
        call(hospital, "/antrean", ambil_body(patient, kode, today, "00:00-23:59")), 202
    )["response"]["kodebooking"]
    hospital.bpjs.booked(code)
    # The doctor's hours and the grace are over (the clock moved on): the booking lapsed.
    with hospital.db.begin() as conn:
        conn.execute(
            update(bookings)
            .where(bookings.c.code == code)
            .values(no_show_after=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
    # The patient books again in the app: the centre marks the lapsed booking on the way.
    again = answered(
        call(hospital, "/antrean", ambil_body(patient, kode, today, "00:00-23:59")), 202
    )
    assert again["response"]["kodebooking"] != code
    assert (booking_of(hospital, code).state, visit_of(hospital, code).state) == (
        "no_show",
        "cancelled",
    )
    # Only the new booking counts, and its place is the only one taken.
    status = answered(call(hospital, "/antrean/status", status_body(kode, today, "00:00-23:59")))
    assert (status["response"]["totalantrean"], status["response"]["sisakuotajkn"]) == (1, 1)
    for path in ("/antrean/batal", "/antrean/sisa"):
        refused(call(hospital, path, {"kodebooking": code}), "tidak hadir")
    wait_until(lambda: hospital.bpjs.tasks(code) == [99], 30, "task 99 at BPJS")
    # Marked again by the server's tick (any process, any number of times): nothing more.
    with hospital.db.begin() as conn:
        office_bookings.mark_no_shows(conn, dt.datetime.now(dt.UTC))
    with hospital.db.read() as conn:
        sent = conn.execute(
            select(func.count())
            .select_from(integration_outbox)
            .where(integration_outbox.c.dedupe_key.like(f"bpjs:task:{code}:%"))
        ).scalar_one()
    assert sent == 1


def test_marking_no_shows_closes_a_lapsed_mobile_jkn_visit(hospital: Hospital) -> None:
    """What each server process's tick runs closes a lapsed booking's visit, gives its place
    back and queues task 99. The tick itself is proved in
    test_each_server_process_marks_no_shows_on_its_tick.py."""
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59")
    code = answered(
        call(hospital, "/antrean", ambil_body(new_patient(), kode, today, "00:00-23:59")), 202
    )["response"]["kodebooking"]
    with hospital.db.begin() as conn:
        lapse(conn, code)
    with hospital.db.begin() as conn:  # what every server process's tick runs
        office_bookings.mark_no_shows(conn, dt.datetime.now(dt.UTC))
    visit = visit_of(hospital, code)
    assert (visit.state, visit.cancel_reason) == ("cancelled", "no-show")
    status = answered(call(hospital, "/antrean/status", status_body(kode, today, "00:00-23:59")))
    assert (status["response"]["totalantrean"], status["response"]["sisakuotajkn"]) == (0, 5)
    with hospital.db.read() as conn:
        task = conn.execute(
            select(integration_outbox.c.kind).where(
                integration_outbox.c.dedupe_key == f"bpjs:task:{code}:99"
            )
        ).scalar_one()
    assert task == "task"


def kiosk_registration(
    h: Hospital,
    *,
    booking_code: str | None = None,
    hospital_body: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A ticket at a new kiosk of the hospital, registered at Poli Anak; the centre's result."""
    kiosk = hospital_kiosk(h.url)[0]
    _, item = poli_ticket(h.url, kiosk, values=values)
    if booking_code is not None:
        item["body"]["booking_code"] = booking_code
    if hospital_body is not None:
        item["body"]["hospital"] = hospital_body
        item["body"]["card_number"] = None  # a patient known by NIK alone, not Siti's card
    (got,) = results(h.url, kiosk, [item])
    assert got["status"] == "accepted", got
    return got


def test_one_visit_per_patient_poli_and_day_even_once_checked_in(hospital: Hospital) -> None:
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59")
    patient = new_patient()
    code = answered(
        call(hospital, "/antrean", ambil_body(patient, kode, today, "00:00-23:59")), 202
    )["response"]["kodebooking"]
    got = kiosk_registration(hospital, booking_code=code)
    assert got["result"]["booking"] == "checked_in", got
    # Checked in at the kiosk: the app cannot book the same poli that day again.
    refused(
        call(hospital, "/antrean", ambil_body(patient, kode, today, "00:00-23:59")),
        "sudah memiliki antrean",
    )
    status = answered(call(hospital, "/antrean/status", status_body(kode, today, "00:00-23:59")))
    assert status["response"]["totalantrean"] == 1


def test_a_patient_registered_at_the_kiosk_cannot_book_the_same_poli_that_day(
    hospital: Hospital,
) -> None:
    today = local_today()
    kode = doctor(hospital, today, starts="00:00", ends="23:59")
    patient = new_patient()
    got = kiosk_registration(
        hospital,
        values={"full_name": "Pasien Uji", "nik": patient["nik"]},
        hospital_body={
            "schedule_id": f"uji-{kode}",
            "payer": "jkn",
            "nomorkartu": patient["nomorkartu"],
            "new_patient": True,
            "jeniskunjungan": 1,
            "nomorreferensi": "0001R0040116A000009",
        },
    )
    assert got["status"] == "accepted", got
    did = what_the_registration_did(hospital.db, got["key"])
    assert "error" not in did and did["kodebooking"], did
    with hospital.db.read() as conn:
        assert (
            conn.execute(
                select(hospital_visits.c.state).where(hospital_visits.c.nik == patient["nik"])
            ).scalar_one()
            == "registered"
        )
    refused(
        call(hospital, "/antrean", ambil_body(patient, kode, today, "00:00-23:59")),
        "sudah memiliki antrean",
    )


def test_every_ws_rs_path_answers_in_the_envelope_even_before_a_route(
    hospital: Hospital,
) -> None:
    headers = {"x-token": hospital.token, "x-username": USERNAME}
    unknown = requests.post(
        f"{hospital.url}{BASE}/antrean/tidakada", json={}, headers=headers, timeout=10
    )
    wrong_method = requests.get(f"{hospital.url}{BASE}/antrean", headers=headers, timeout=10)
    # Over the server's own --max-body (1 MiB): refused before any route reads it.
    huge = requests.post(
        f"{hospital.url}{BASE}/antrean",
        data=b"{" + b" " * (2 << 20) + b"}",
        headers=headers,
        timeout=30,
    )
    for response, status, words in (
        (unknown, 404, "tidak ditemukan"),
        (wrong_method, 405, "Metode HTTP"),
        (huge, 413, "terlalu besar"),
    ):
        refused(response, words, status)
    # The centre's own API keeps its own error body.
    assert requests.get(f"{hospital.url}/api/v1/nope", timeout=10).json()["error"] == "not_found"


def test_refused_calls_are_audited_without_personal_data(hospital: Hospital) -> None:
    patient = new_patient()
    body = {**ambil_body(patient, 1, local_today(), "08:00-12:00"), "tanggalperiksa": "kemarin"}
    refused(call(hospital, "/antrean", body), "tanggalperiksa")
    bad = requests.get(
        f"{hospital.url}{BASE}/token",
        headers={"x-username": USERNAME, "x-password": "salah-audit"},
        timeout=10,
    )
    assert bad.status_code == 401
    with hospital.db.read() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.subject, audit_log.c.detail).where(
                audit_log.c.action == "wsrs_refused"
            )
        ).all()
    assert any(
        r.actor == f"wsrs:{USERNAME}" and r.subject == "/antrean" and "tanggalperiksa" in r.detail
        for r in rows
    ), rows
    assert any(r.subject == "/token" and "wrong credentials" in r.detail for r in rows), rows
    assert not any(patient["nik"] in r.detail or patient["nomorkartu"] in r.detail for r in rows)
