"""Finding a hospital's patients and adding new ones, over HTTP on SQLite and PostgreSQL.

Every find is a lookup: audited with a keyed hash (never the key), counted
in the kiosk's budget; an unknown key and a wrong date of birth answer alike.
A new patient gets the office's next No. RM, once per NIK however desks race.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from typing import Any

import pytest
import requests
from sqlalchemy import insert, select

from central.access.credentials import keyed_hash
from central.database import Database
from central.process import RunningCentral
from central.tables import citizen_lookups, citizens, medical_records
from testkit.centre_accounts import bearer, new_kiosk
from testkit.centre_hospital import HOSPITAL, hospital_desk, hospital_kiosk
from testkit.citizen_lookups import audit_key

SITI = {"nik": "1471015203850001", "born": "1985-03-12", "norm": "000123", "bpjs": "0001234567890"}
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def token(central_server: RunningCentral) -> str:
    """The demo hospital's registration desk (staff enrolled it as one)."""
    return hospital_desk(central_server.url)[0]


@pytest.fixture(scope="module")
def self_service(central_server: RunningCentral) -> str:
    """A self-service kiosk of the demo hospital."""
    return hospital_kiosk(central_server.url)[0]


def find(
    url: str, token: str, by: str, value: str, born: str, *, desk: bool = True
) -> requests.Response:
    """The desk's find (``desk``), or a self-service kiosk's keypad."""
    body = {"by": by, "value": value, "birth_date": born} | ({"desk": True} if desk else {})
    return requests.post(
        f"{url}/api/v1/hospital/patients/find",
        json=body,
        headers=bearer(token),
        timeout=10,
    )


def new_patient(url: str, token: str, **fields: Any) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/hospital/patients", json=fields, headers=bearer(token), timeout=10
    )


def a_nik(day: int = 15) -> tuple[str, str]:
    """A NIK of Pekanbaru that can exist, born on ``day`` June 1990 (a man), and that date."""
    return f"147101{day:02d}0690{next(_serial) + 5000:04d}", f"1990-06-{day:02d}"


@pytest.mark.parametrize(
    ("by", "value"),
    [
        ("norm", SITI["norm"]),
        ("nik", SITI["nik"]),
        ("nomorkartu", SITI["bpjs"]),
        ("name", "siti am"),
    ],
)
def test_a_patient_is_found_by_each_key_with_the_date_of_birth(
    central_server: RunningCentral, token: str, by: str, value: str
) -> None:
    found = find(central_server.url, token, by, value, SITI["born"])
    assert found.status_code == 200, found.text
    [siti] = found.json()["patients"]
    assert siti == {
        "norm": "000123",
        "nik": SITI["nik"],
        "nomorkartu": SITI["bpjs"],
        "name": "Siti Aminah",
        "birth_date": SITI["born"],
        "sex": "P",
        "phone": "081378901234",
        "address": "",
    }


def test_an_unknown_key_and_a_wrong_date_answer_alike_and_are_audited(
    central_server: RunningCentral, operator: Database, token: str
) -> None:
    url = central_server.url
    wrong = find(url, token, "norm", SITI["norm"], "1985-03-13")
    unknown = find(url, token, "norm", "999999", SITI["born"])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "unknown_patient"
    assert "tidak ditemukan" in wrong.json()["detail"]
    bad = find(url, token, "nik", "12345", SITI["born"])
    assert bad.status_code == 422 and "16 angka" in bad.json()["detail"]
    with operator.read() as conn:
        rows = conn.execute(
            select(citizen_lookups.c.key_kind, citizen_lookups.c.key_hash, citizen_lookups.c.found)
            .where(citizen_lookups.c.key_kind == "patient")
            .order_by(citizen_lookups.c.id.desc())
            .limit(2)
        ).all()
    assert [r.found for r in rows] == [False, False]
    assert all(SITI["norm"] not in r.key_hash and "999999" not in r.key_hash for r in rows)


def test_a_new_patient_gets_the_next_norm_once(
    central_server: RunningCentral, operator: Database, token: str
) -> None:
    url = central_server.url
    nik, born = a_nik()
    body = {"nik": nik, "name": "Pasien Baru", "birth_date": born, "sex": "L",
            "nomorkartu": f"09{nik[-11:]}", "address": "Jl. Sudirman 1"}  # fmt: skip
    made = new_patient(url, token, **body)
    assert made.status_code == 201, made.text
    norm = made.json()["norm"]
    assert len(norm) == 6 and norm.isdigit() and int(norm) > 124  # after the demo's 000124
    again = new_patient(url, token, **body)
    assert again.status_code == 200 and again.json() == {"norm": norm}
    found = find(url, token, "nomorkartu", body["nomorkartu"], born).json()["patients"]
    assert [(p["norm"], p["address"], p["sex"]) for p in found] == [(norm, "Jl. Sudirman 1", "L")]
    wrong_sex = new_patient(url, token, **{**body, "nik": a_nik()[0], "sex": "P"})
    assert wrong_sex.status_code == 422 and "tidak sesuai NIK" in wrong_sex.json()["detail"]
    taken = new_patient(url, token, **{**body, "nik": a_nik()[0]})
    assert taken.status_code == 409 and "milik pasien lain" in taken.json()["detail"]


def test_desks_adding_patients_at_once_get_distinct_norms(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    tokens = [hospital_desk(url)[0] for _ in range(3)]
    people = [a_nik(day) for day in (10, 11, 12)]
    gate = threading.Barrier(len(tokens))
    answers: list[requests.Response] = []

    def add(token: str, nik: str, born: str) -> None:
        gate.wait()
        answers.append(
            new_patient(url, token, nik=nik, name="Pasien Serentak", birth_date=born, sex="L")
        )

    threads = [
        threading.Thread(target=add, args=(t, nik, born))
        for t, (nik, born) in zip(tokens, people, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201, 201], [a.text for a in answers]
    norms = {a.json()["norm"] for a in answers}
    assert len(norms) == 3
    with operator.read() as conn:
        stored = set(
            conn.execute(
                select(medical_records.c.medical_record_number)
                .join(citizens, citizens.c.id == medical_records.c.citizen_id)
                .where(
                    medical_records.c.office_id == HOSPITAL,
                    citizens.c.nik.in_([nik for nik, _ in people]),
                )
            ).scalars()
        )
    assert stored == norms


def test_a_name_search_filters_by_date_of_birth_before_its_limit(
    central_server: RunningCentral, operator: Database, token: str
) -> None:
    """Many namesakes born on other days never hide the one born on the day asked.

    The patient whose registry row has no date of birth is found by the NIK's
    digits (a woman's day + 40), in the database as well.
    """
    now = dt.datetime.now(dt.UTC)
    namesakes = [
        {"nik": f"1471020101{71_0000 + i:06d}", "full_name": f"Bbbuji Namesake {i:04d}",
         "birth_date": dt.date(1971, 1, 1), "updated_at": now}
        for i in range(600)
    ]  # fmt: skip
    with operator.begin() as conn:
        conn.execute(insert(citizens), namesakes)
        conn.execute(
            insert(citizens),
            [
                {"nik": "1471020202720001", "full_name": "Zzz Bbbuji Target",
                 "birth_date": dt.date(1972, 2, 2), "updated_at": now},
                {"nik": "1471024202720002", "full_name": "Zzz Bbbuji Nik Only",
                 "birth_date": None, "updated_at": now},
            ],
        )  # fmt: skip
    found = find(central_server.url, token, "name", "bbbuji", "1972-02-02")
    assert found.status_code == 200, found.text
    assert [p["name"] for p in found.json()["patients"]] == [
        "Zzz Bbbuji Nik Only",
        "Zzz Bbbuji Target",
    ]


def test_a_self_service_kiosk_is_told_what_registering_needs_and_never_searches_names(
    central_server: RunningCentral, self_service: str
) -> None:
    url, token = central_server.url, self_service
    found = find(url, token, "norm", SITI["norm"], SITI["born"], desk=False)
    assert found.status_code == 200, found.text
    [siti] = found.json()["patients"]
    assert (siti["norm"], siti["nomorkartu"], siti["name"]) == (
        "000123",
        SITI["bpjs"],
        "Siti Aminah",
    )
    assert (siti["phone"], siti["address"]) == ("", "")
    by_name = find(url, token, "name", "siti am", SITI["born"], desk=False)
    assert by_name.status_code == 403, by_name.text
    assert "meja pendaftaran" in by_name.json()["detail"]


def test_a_kiosk_of_an_office_that_is_no_hospital_finds_and_adds_no_patient(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, other = new_kiosk(operator, url)  # the demo's first office: no poli
    for by, value in (("nik", SITI["nik"]), ("norm", SITI["norm"]), ("nomorkartu", SITI["bpjs"])):
        refused = find(url, other, by, value, SITI["born"])
        assert refused.status_code == 403, refused.text
        assert "bukan rumah sakit" in refused.json()["detail"]
    nik, born = a_nik()
    added = new_patient(url, other, nik=nik, name="Pasien Lain", birth_date=born, sex="L")
    assert added.status_code == 403, added.text


def test_patient_misses_spend_their_own_budget_and_never_lock_card_lookups(
    central_server: RunningCentral,
) -> None:
    """30 misses typed on a kiosk's patient keypad lock that keypad's finds, not the
    card taps of the next citizens at the same kiosk."""
    url = central_server.url
    token = hospital_kiosk(url)[0]
    misses = [find(url, token, "norm", f"99{i:04d}", "1990-01-01", desk=False) for i in range(30)]
    assert {m.status_code for m in misses} == {404}
    locked = find(url, token, "nik", SITI["nik"], SITI["born"], desk=False)
    assert locked.status_code == 429 and locked.json()["error"] == "too_many_lookups"
    card = requests.post(
        f"{url}/api/v1/citizens/lookup",
        json={"nik": SITI["nik"]},
        headers=bearer(token),
        timeout=10,
    )
    assert card.status_code == 200, card.text


def test_name_searches_spend_a_smaller_budget_of_their_own(
    central_server: RunningCentral,
) -> None:
    url = central_server.url
    token = hospital_desk(url)[0]
    hits = [find(url, token, "name", "siti am", SITI["born"]) for _ in range(60)]
    assert {h.status_code for h in hits} == {200}
    refused = find(url, token, "name", "siti am", SITI["born"])
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_lookups"
    by_number = find(url, token, "norm", SITI["norm"], SITI["born"])
    assert by_number.status_code == 200, by_number.text


def test_a_key_of_the_wrong_shape_is_counted_and_audited_as_a_miss(
    central_server: RunningCentral, operator: Database
) -> None:
    """A sweep cannot hide in malformed keys: each is audited and spends the misses."""
    url = central_server.url
    token = hospital_kiosk(url)[0]
    bad = [find(url, token, "nik", f"{i:02d}", SITI["born"], desk=False) for i in range(30)]
    assert {b.status_code for b in bad} == {422}
    assert "16 angka" in bad[0].json()["detail"]
    empty = find(url, token, "norm", "", SITI["born"], desk=False)
    assert empty.status_code == 429, empty.text  # the 31st miss: the kiosk's finds locked
    good = find(url, token, "nik", SITI["nik"], SITI["born"], desk=False)
    assert good.status_code == 429 and good.json()["error"] == "too_many_lookups"
    hashed = keyed_hash(audit_key(operator), "patient_nik", "07")
    with operator.read() as conn:
        rows = conn.execute(
            select(citizen_lookups.c.key_kind, citizen_lookups.c.found).where(
                citizen_lookups.c.key_hash == hashed
            )
        ).all()
    assert [(r.key_kind, r.found) for r in rows] == [("patient", False)]


def test_a_name_shared_by_more_than_ten_says_there_are_more(
    central_server: RunningCentral, operator: Database, token: str
) -> None:
    now = dt.datetime.now(dt.UTC)
    people = [
        {"nik": f"1471030303{80_0000 + i:06d}", "full_name": f"{name} {i:02d}",
         "birth_date": dt.date(1980, 3, 3), "updated_at": now}
        for name, count in (("Cccmore Banyak", 12), ("Cccmore Sepuluh", 10))
        for i in range(count)
    ]  # fmt: skip
    for n, person in enumerate(people):  # each NIK its own serial
        person["nik"] = f"147103030380{n + 1:04d}"
    with operator.begin() as conn:
        conn.execute(insert(citizens), people)
    many = find(central_server.url, token, "name", "cccmore banyak", "1980-03-03")
    assert many.status_code == 200, many.text
    assert (len(many.json()["patients"]), many.json()["more"]) == (10, True)
    ten = find(central_server.url, token, "name", "cccmore sepuluh", "1980-03-03")
    assert (len(ten.json()["patients"]), ten.json()["more"]) == (10, False)
