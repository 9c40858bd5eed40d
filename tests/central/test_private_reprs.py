"""The centre's values that carry a complaint's reference or a message's key, which gives
a reference or a booking's code (each opens the citizen's page: /c/{reference},
/b/{code}), show it in their ``repr`` and ``str`` by its start only, as the centre's log
and audit lines do (``central.messages.outbox.shown_key``); nothing reaches a log line or
a traceback whole through ``%r``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from central.messages.outbox import Outgoing
from central.office.complaints import Complaint, PublicComplaint, State

REFERENCE = "ADU-7G4K-M2QX-9TBA"
CODE = "482913077"
PHONE = "081234567890"
AT = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


def _complaint() -> Complaint:
    return Complaint(
        reference=REFERENCE,
        office_id="pku-mpp",
        kiosk_id="k-1",
        category="layanan",
        text="Siti Aminah menunggu lama",
        language="id",
        card_number="PKU-000001",
        created_at=AT,
        received_at=AT,
        state=State.OPEN,
        answer=None,
        answered_at=None,
        answered_by=None,
        closed_at=None,
    )


def _outgoing(key: str) -> Outgoing:
    return Outgoing(1, key, PHONE, "id", "complaint_answered", {}, 0, AT)


VALUES = [
    pytest.param(_complaint(), REFERENCE, "'ADU-…#4f4394', open", id="Complaint"),
    pytest.param(
        PublicComplaint(REFERENCE, "pku-mpp", "layanan", AT, State.ANSWERED, "Sudah", AT),
        REFERENCE,
        "'ADU-…#4f4394', answered",
        id="PublicComplaint",
    ),
    pytest.param(
        _outgoing(f"complaint:{REFERENCE}:answered"),
        REFERENCE,
        "complaint:ADU-…#4f4394:answered",
        id="Outgoing-complaint",
    ),
    pytest.param(
        _outgoing(f"booking:{CODE}:reminder:2026-12-07"),
        CODE,
        "booking:482…:reminder:2026-12-07",
        id="Outgoing-booking",
    ),
]


@pytest.mark.parametrize(("value", "secret", "start"), VALUES)
def test_a_reference_or_a_code_shows_by_its_start_only(
    value: object, secret: str, start: str
) -> None:
    for text in (repr(value), str(value)):
        assert start in text, text  # still told
        assert secret not in text and secret[3:8] not in text, text
        assert PHONE not in text and "Siti" not in text and "PKU-000001" not in text, text


OTHER_REFERENCE = "ADU-3QZ8-K7DW-1MRC"


@pytest.mark.parametrize(
    "with_reference",
    [
        pytest.param(lambda ref: dataclasses.replace(_complaint(), reference=ref), id="Complaint"),
        pytest.param(
            lambda ref: PublicComplaint(ref, "pku-mpp", "layanan", AT, State.OPEN, None, None),
            id="PublicComplaint",
        ),
        pytest.param(lambda ref: _outgoing(f"complaint:{ref}:answered"), id="Outgoing"),
    ],
)
def test_two_complaints_are_told_apart_in_a_repr(with_reference: Any) -> None:
    """Cut as it is, a reference in a repr still tells one complaint from another: a
    traceback naming ``Complaint('ADU-…', open)`` names every complaint alike, since
    every reference starts ``ADU-``."""
    one, other = with_reference(REFERENCE), with_reference(OTHER_REFERENCE)
    assert repr(one) != repr(other), repr(one)
