"""The centre's answers about bookings, read strictly: a list the kiosk cannot trust is
taken whole or not at all, and one booking by code says only where and when."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest

from contract.bookings import BookingState
from kiosk.client.bookings import MAX_BOOKINGS, parse_booking_info, parse_bookings_today
from kiosk.client.client import CentralClient
from kiosk.client.errors import AnswerError, CentralProtocolError
from testkit.peers import Dripper, RawServer, http_reply
from testkit.todays_bookings import OFFICE, booking, wire

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
DAY = dt.date(2026, 12, 5)
SITI = booking(DAY)


def answer(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"office_id": OFFICE, "day": DAY.isoformat(), "bookings": list(rows)}


def test_a_good_list_is_read_whole() -> None:
    other = booking(DAY, body="11111111", nik=None, card_number="PKU-000002", first_name="Budi")
    parsed = parse_bookings_today(answer(wire(SITI), wire(other)), '"e1"')
    assert parsed.bookings == (SITI, other) and parsed.etag == '"e1"'
    assert "Siti" not in repr(parsed) and SITI.nik not in repr(parsed)  # type: ignore[operator]


def test_a_mobile_jkn_booking_brings_its_doctor_and_hours() -> None:
    mjkn = booking(DAY, body="33333333", doctor="dr. Andi, Sp.PD", hours="08:00-12:00")
    older = {k: v for k, v in wire(SITI).items() if k not in ("doctor", "hours")}
    parsed = parse_bookings_today(answer(wire(mjkn), older))
    assert parsed.bookings == (mjkn, SITI)
    assert (parsed.bookings[0].doctor, parsed.bookings[0].hours) == (
        "dr. Andi, Sp.PD",
        "08:00-12:00",
    )
    assert (parsed.bookings[1].doctor, parsed.bookings[1].hours) == ("", "")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "482913070"),  # a wrong check digit
        ("code", 482913075),
        ("state", "lost"),
        ("starts_at", "10.30"),
        ("starts_at", "25:00"),
        ("ends_at", "10:00"),  # before it starts
        ("day", "2026-12-06"),  # another day than the list's
        ("office_id", "elsewhere"),
        ("nik", 1471015203850001),
        ("first_name", None),
        ("first_name", "x" * 201),
        ("doctor", None),
        ("doctor", "x" * 201),
        ("hours", 8),
    ],
)
def test_one_bad_row_refuses_the_whole_list(field: str, value: object) -> None:
    row = {**wire(SITI), field: value}
    with pytest.raises(AnswerError):
        parse_bookings_today(answer(wire(booking(DAY, body="22222222")), row))


def test_a_repeated_code_or_too_many_rows_are_refused() -> None:
    with pytest.raises(AnswerError, match="repeats"):
        parse_bookings_today(answer(wire(SITI), wire(SITI)))
    many = {"office_id": OFFICE, "day": DAY.isoformat(), "bookings": [{}] * (MAX_BOOKINGS + 1)}
    with pytest.raises(AnswerError, match="more than"):
        parse_bookings_today(many)


def test_one_booking_by_code_carries_no_holder() -> None:
    info = parse_booking_info(
        {
            k: v
            for k, v in wire(SITI).items()
            if k in ("code", "office_id", "service_id", "day", "starts_at", "ends_at", "state")
        }
    )
    assert (info.code, info.state, info.starts_at) == (
        SITI.code,
        BookingState.BOOKED,
        SITI.starts_at,
    )
    assert not hasattr(info, "nik")


def test_an_unknown_code_is_none_and_a_404_list_is_nothing_new() -> None:
    unknown = http_reply(
        "404 Not Found", b'{"error": "unknown_booking", "detail": "no such booking"}'
    )
    with Dripper(unknown, b"") as peer, CentralClient(peer.url, token=TOKEN) as client:
        assert client.booking(SITI.code) is None
        assert client.bookings_today() is None


def test_a_404_of_another_reason_is_no_answer() -> None:
    other = http_reply("404 Not Found", b'{"error": "not_found", "detail": "Not Found"}')
    with (
        Dripper(other, b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
        pytest.raises(CentralProtocolError),
    ):
        client.booking(SITI.code)


def test_a_code_is_written_by_its_start_only_in_errors_and_every_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The code opens the booking's page (/b/{code}): the error of an odd answer, and the
    HTTP library's own line of the request (``kiosk --verbose``), show its first three."""
    other = http_reply("404 Not Found", b'{"error": "not_found", "detail": "Not Found"}')
    with (
        caplog.at_level(logging.DEBUG),
        Dripper(other, b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
        pytest.raises(CentralProtocolError) as caught,
    ):
        client.booking(SITI.code)
    shown = f"/api/v1/bookings/{SITI.code[:3]}…"
    assert f'"GET {shown} HTTP/1.1" 404' in caplog.text  # the library's line is there
    assert shown in str(caught.value)
    assert SITI.code not in caplog.text
    assert SITI.code not in str(caught.value)


def test_a_code_is_written_by_its_start_only_when_the_answers_headers_are_odd(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A proxy or portal on the way answers a header line the HTTP library cannot parse:
    its warning (written at the default level, not only with ``kiosk --verbose``) names
    the request's URL, and so the code, which must show by its first three there too."""
    body = b'{"error": "unknown_booking", "detail": "no such booking"}'
    odd = http_reply("404 Not Found", body, "Content-Type: application/json", "X Odd Header")
    with (
        caplog.at_level(logging.WARNING),
        RawServer(odd) as peer,
        CentralClient(peer.url, token=TOKEN) as client,
    ):
        assert client.booking(SITI.code) is None
    assert "Failed to parse headers" in caplog.text  # the library's line is there
    assert SITI.code not in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"office_id": "pku-mpp", "day": "2026-12-05", "bookings": [], "bookings": []}',
        b'{"office_id": "pku-mpp", "day": "2026-12-05", "bookings": [NaN]}',
        b"[]",
        b"not json",
    ],
)
def test_a_list_that_is_not_strict_json_is_refused(body: bytes) -> None:
    with (
        Dripper(http_reply("200 OK", body), b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
        pytest.raises(CentralProtocolError),
    ):
        client.bookings_today()


def test_the_list_comes_with_its_etag_and_a_304_is_nothing_new() -> None:
    body = json.dumps(answer(wire(SITI))).encode()
    with (
        Dripper(http_reply("200 OK", body, 'ETag: "v7"'), b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
    ):
        fetched = client.bookings_today()
        assert fetched is not None and fetched.etag == '"v7"' and fetched.bookings == (SITI,)
    with (
        Dripper(http_reply("304 Not Modified", b""), b"") as peer,
        CentralClient(peer.url, token=TOKEN) as client,
    ):
        assert client.bookings_today('"v7"') is None
