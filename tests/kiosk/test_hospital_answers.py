"""The centre's hospital answers, read strictly: today's doctors are taken whole or not
at all, an allocation's place must be one, a patient found is personal data out of
every repr, and "not found" is an answer while any other refusal is not."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kiosk.client.client import CentralClient
from kiosk.client.errors import (
    AnswerError,
    CentralAuthError,
    CentralProtocolError,
    CentralUnavailable,
)
from kiosk.client.hospital import MAX_DOCTORS, parse_doctors_today
from kiosk.client.results import Allocation
from testkit.hospital_kiosk import OFFICE, doctor
from testkit.peers import Dripper, http_reply

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
DAY = dt.date(2026, 12, 5)
ANI = doctor()


def answer(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"office_id": OFFICE, "day": DAY.isoformat(), "doctors": list(rows)}


def test_a_good_list_is_read_whole() -> None:
    budi = doctor("s-budi", "dr. Budi", left_jkn=0)
    parsed = parse_doctors_today(answer(ANI.to_json(), budi.to_json()))
    assert (parsed.office_id, parsed.day, parsed.doctors) == (OFFICE, DAY, (ANI, budi))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts", "8.00"),
        ("ends", "07:00"),  # before it starts
        ("left_jkn", 11),  # more left than the quota
        ("left_non_jkn", -1),
        ("quota_jkn", "10"),
        ("minutes_per_patient", True),
        ("doctor_name", ""),
        ("doctor_name", "x" * 201),
        ("schedule_id", None),
    ],
)
def test_one_bad_row_refuses_the_whole_list(field: str, value: object) -> None:
    row = {**ANI.to_json(), field: value}
    with pytest.raises(AnswerError):
        parse_doctors_today(answer(doctor("s-ok").to_json(), row))


def test_a_repeated_schedule_or_too_many_rows_are_refused() -> None:
    with pytest.raises(AnswerError, match="repeats"):
        parse_doctors_today(answer(ANI.to_json(), ANI.to_json()))
    with pytest.raises(AnswerError, match="more than"):
        parse_doctors_today(answer(*[ANI.to_json()] * (MAX_DOCTORS + 1)))


@pytest.mark.parametrize(
    "body",
    [
        b'{"office_id": "rsud-test", "day": "2026-12-05", "doctors": [], "doctors": []}',
        b'{"office_id": "rsud-test", "day": "2026-12-05", "doctors": [Infinity]}',
        b'{"office_id": "rsud-test", "day": "2026-12-05"}',
        b"[]",
        b"\xff\xfe not utf-8",
    ],
)
def test_a_list_that_is_not_strict_json_is_refused(body: bytes) -> None:
    with (
        Dripper(http_reply("200 OK", body), b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
        pytest.raises(CentralProtocolError),
    ):
        client.doctors_today()


def test_a_list_past_its_size_cap_is_refused_before_it_is_read() -> None:
    huge = b'{"office_id": "rsud-test", "day": "2026-12-05", "doctors": [' + b" " * (2 << 20)
    with (
        Dripper(http_reply("200 OK", huge + b"]}"), b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
        pytest.raises(CentralProtocolError, match="larger than"),
    ):
        client.doctors_today()


def test_a_centre_that_drips_is_cut_at_the_deadline() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    with (
        Dripper(head, b"{" * 1000, interval_s=0.05) as peer,
        CentralClient(peer.url, token=TOKEN, timeout_s=0.5) as client,
        pytest.raises(CentralUnavailable, match="timed out"),
    ):
        client.doctors_today()


def test_a_centre_without_the_hospital_routes_has_no_list() -> None:
    missing = http_reply("404 Not Found", b'{"error": "not_found", "detail": "Not Found"}')
    with Dripper(missing, b"") as peer, CentralClient(peer.url, token=TOKEN) as client:
        assert client.doctors_today() is None


def allocation(place: Any) -> dict[str, Any]:
    return {
        "ticket_id": "t1",
        "service_id": "poli-dalam",
        "day": DAY.isoformat(),
        "number": 7,
        "display": "D-007",
        "hospital": place,
    }


def test_an_allocation_s_place_is_read_and_checked() -> None:
    good = {
        "kodebooking": "K1",
        "angkaantrean": 7,
        "nomorantrean": "INT-7",
        "estimated_at": "09:00",
    }
    place = Allocation.from_json(allocation(good)).hospital
    assert place is not None and (place.nomorantrean, place.estimated_at) == (
        "INT-7",
        dt.time(9, 0),
    )
    assert Allocation.from_json(allocation(None)).hospital is None
    for bad in ({**good, "angkaantrean": 0}, {**good, "estimated_at": "9:00"}, "INT-7"):
        with pytest.raises(AnswerError):
            Allocation.from_json(allocation(bad))


def test_a_patient_found_is_personal_and_not_found_is_none() -> None:
    body = json.dumps(
        {
            "patients": [
                {
                    "norm": "000123",
                    "nik": "1471015203850001",
                    "nomorkartu": "0001234567890",
                    "name": "Siti Aminah",
                    "birth_date": "1985-03-12",
                    "sex": "P",
                    "phone": "081378901234",
                    "address": "Jl. Sudirman",
                }
            ]
        }
    ).encode()
    with (
        Dripper(http_reply("200 OK", body), b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
    ):
        found = client.find_patient("norm", "000123", dt.date(1985, 3, 12))
    assert found is not None and found.get("name") == "Siti Aminah"
    assert "Siti" not in repr(found) and "000123" not in repr(found)
    unknown = http_reply("404 Not Found", b'{"error": "unknown_patient", "detail": "x"}')
    with Dripper(unknown, b"") as peer, CentralClient(peer.url, token=TOKEN) as client:
        assert client.find_patient("nik", "1471015203850001", dt.date(1985, 3, 12)) is None
    limited = http_reply("403 Forbidden", b'{"error": "forbidden", "detail": "x"}')
    with (
        Dripper(limited, b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
        pytest.raises(CentralAuthError),
    ):
        client.find_patient("nik", "1471015203850001", dt.date(1985, 3, 12))
