"""The desk's calls to the centre read every answer strictly, and leak nothing personal."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralProtocolError, CentralRefused
from kiosk.client.hospital_desk import (
    DeskPatient,
    FindBy,
    check_key,
    find_patients,
    register_patient,
)
from testkit.stand_in import StandIn

SITI = {
    "norm": "000123",
    "nik": "1471015203850001",
    "nomorkartu": "0001234567890",
    "name": "Siti Aminah",
    "birth_date": "1985-03-12",
    "sex": "P",
    "phone": "081378901234",
    "address": "Jl. Sudirman 1",
}
BIRTH = dt.date(1985, 3, 12)


@pytest.fixture
def answers() -> Iterator[tuple[list[tuple[int, Any]], list[Any], CentralClient]]:
    """A stand-in centre answering from ``queued`` in order; what it received in ``got``."""
    queued: list[tuple[int, Any]] = []
    got: list[Any] = []

    def answer(method: str, path: str, body: Any) -> tuple[int, Any]:
        got.append((method, path, body))
        return queued.pop(0)

    stand_in = StandIn(answer)
    client = CentralClient(stand_in.url, timeout_s=2.0, token="t")  # noqa: S106 - a stand-in's
    try:
        yield queued, got, client
    finally:
        client.close()
        stand_in.close()


def test_a_find_sends_the_key_with_the_date_of_birth_and_reads_the_patients(
    answers: tuple[list[tuple[int, Any]], list[Any], CentralClient],
) -> None:
    queued, got, client = answers
    queued.append((200, {"patients": [SITI]}))
    [found] = find_patients(client, FindBy.NORM, "000123", BIRTH)
    assert got == [
        ("POST", "/api/v1/hospital/patients/find", {
            "by": "norm", "value": "000123", "birth_date": "1985-03-12", "desk": True,
        }),
    ]  # fmt: skip
    assert (found.norm, found.name, found.birth_date, found.sex) == (
        "000123",
        "Siti Aminah",
        BIRTH,
        "P",
    )
    assert "Siti" not in repr(found) and "1471015203850001" not in repr(found)


def test_unknown_and_wrong_date_of_birth_are_no_one_other_refusals_are_raised(
    answers: tuple[list[tuple[int, Any]], list[Any], CentralClient],
) -> None:
    queued, _, client = answers
    queued.append((404, {"error": "unknown_patient", "message": "x"}))
    assert find_patients(client, FindBy.NIK, SITI["nik"], BIRTH) == ()
    queued.append((422, {"error": "invalid_request", "message": "x"}))
    with pytest.raises(CentralRefused):
        find_patients(client, FindBy.NIK, SITI["nik"], BIRTH)


@pytest.mark.parametrize(
    "answer",
    [
        {"patients": "Siti"},
        {"patients": [SITI] * 11},
        {"patients": [{**SITI, "birth_date": "12-03-1985"}]},
        {"patients": [{**SITI, "sex": "X"}]},
        {"patients": [{**SITI, "name": ""}]},
        {"patients": [{**SITI, "nik": 1471015203850001}]},
        {"patients": [{**SITI, "address": "x" * 201}]},
        {"patients": [[SITI]]},
    ],
    ids=["not-a-list", "too-many", "date", "sex", "no-name", "number", "too-long", "not-object"],
)
def test_a_find_answer_of_the_wrong_shape_is_refused_whole(
    answers: tuple[list[tuple[int, Any]], list[Any], CentralClient], answer: Any
) -> None:
    queued, _, client = answers
    queued.append((200, answer))
    with pytest.raises(CentralProtocolError) as raised:
        find_patients(client, FindBy.NAME, "Siti Aminah", BIRTH)
    assert "Siti" not in str(raised.value) and "1471015203850001" not in str(raised.value)


def test_a_find_answers_bad_date_of_birth_is_not_in_the_refusals_traceback(
    answers: tuple[list[tuple[int, Any]], list[Any], CentralClient],
) -> None:
    """A date of birth the kiosk cannot read is still hers: the traceback of the refusal,
    as a log's ``exc_info`` writes it, names the field, never the value the centre sent."""
    queued, _, client = answers
    queued.append((200, {"patients": [{**SITI, "birth_date": "12/03/1985"}]}))
    with pytest.raises(CentralProtocolError) as raised:
        find_patients(client, FindBy.NORM, "000123", BIRTH)
    written = "".join(traceback.format_exception(raised.value))
    assert "'birth_date' is not a date" in written
    assert "12/03/1985" not in written, written
    chained: list[BaseException] = []
    pending: list[BaseException | None] = [raised.value]
    while pending:
        current = pending.pop()
        if current is not None and current not in chained:
            chained.append(current)
            pending += [current.__cause__, current.__context__]
    assert not [e for e in chained if "12/03/1985" in str(e)], chained  # nor a debugger's


def test_a_new_patient_gets_the_no_rm_the_centre_gives_and_nothing_else(
    answers: tuple[list[tuple[int, Any]], list[Any], CentralClient],
) -> None:
    queued, got, client = answers
    patient = DeskPatient(
        norm="",
        nik="3171012501900003",
        nomorkartu="",
        name="Rahmat Hidayat",
        birth_date=dt.date(1990, 1, 25),
        sex="L",
    )
    queued.append((201, {"norm": "000125"}))
    assert register_patient(client, patient) == "000125"
    assert got[0][2] == {
        "nik": "3171012501900003",
        "name": "Rahmat Hidayat",
        "birth_date": "1990-01-25",
        "sex": "L",
    }, "no empty optional field, no No. RM"
    queued.append((201, {"norm": "<b>1</b>"}))
    with pytest.raises(CentralProtocolError):
        register_patient(client, patient)


@pytest.mark.parametrize(
    ("by", "value", "birth", "problem"),
    [
        (FindBy.NORM, "00012a", BIRTH, "desk_bad_norm"),
        (FindBy.NIK, "147101520385000", BIRTH, "desk_bad_nik"),
        (FindBy.NOMORKARTU, "000123456789", BIRTH, "desk_bad_nomorkartu"),
        (FindBy.NAME, "S", BIRTH, "desk_bad_name"),
        (FindBy.NORM, "000123", None, "desk_bad_birth_date"),
        (FindBy.NAME, "Siti Aminah", None, "desk_bad_birth_date"),
        (FindBy.NIK, "1471015203850001", BIRTH, None),
    ],
)
def test_a_key_is_checked_before_it_is_sent(
    by: FindBy, value: str, birth: dt.date | None, problem: str | None
) -> None:
    assert check_key(by, value, birth) == problem


def test_a_find_says_when_the_centre_has_more_than_it_answered(
    answers: tuple[list[tuple[int, Any]], list[Any], CentralClient],
) -> None:
    queued, _, client = answers
    queued.append((200, {"patients": [SITI] * 10, "more": True}))
    many = find_patients(client, FindBy.NAME, "Siti", BIRTH)
    assert (len(many), many.more) == (10, True)
    queued.append((200, {"patients": [SITI]}))
    assert find_patients(client, FindBy.NAME, "Siti", BIRTH).more is False
    queued.append((200, {"patients": [SITI], "more": "yes"}))
    with pytest.raises(CentralProtocolError):
        find_patients(client, FindBy.NAME, "Siti", BIRTH)
