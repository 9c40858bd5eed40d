"""A complaint reads on the staff page as the citizen typed it: nothing invisible reorders it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from central.database import Database
from central.errors import Unprocessable
from central.office import complaints as office_complaints
from central.process import RunningCentral
from central.tables import complaints, submissions
from testkit.centre_accounts import new_kiosk
from testkit.centre_requests import complaint, results


def test_bidi_and_zero_width_characters_are_dropped_from_the_text_staff_read(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    typed = "Petugas \u202eini ramah\u202c sekali\u200b.\u2028Terima kasih"
    item = complaint(str(uuid.uuid4()), typed)
    reference = item["body"]["reference"]
    assert results(central_server.url, token, [item])[0]["status"] == "accepted"
    with operator.read() as conn:
        kept = conn.execute(
            select(complaints.c.text).where(complaints.c.reference == reference)
        ).scalar_one()
        received = conn.execute(
            select(submissions.c.body).where(submissions.c.key == item["key"])
        ).scalar_one()
    assert kept == "Petugas ini ramah sekali.Terima kasih"
    assert "\\u202e" in received or "\u202e" in received  # the submission keeps it as received


def test_an_answer_with_a_character_that_would_reorder_it_is_refused(
    central_server: RunningCentral, operator: Database
) -> None:
    _, token = new_kiosk(operator, central_server.url)
    item = complaint(str(uuid.uuid4()), "AC mati.")
    assert results(central_server.url, token, [item])[0]["status"] == "accepted"
    reference = item["body"]["reference"]
    with operator.begin() as conn:
        with pytest.raises(Unprocessable, match="reorder or hide"):
            office_complaints.answer(
                conn, reference, "Sudah \u202ediperbaiki", actor="staff:ani", allowed_office=None
            )
        done = office_complaints.answer(
            conn, reference, "Sudah diperbaiki.", actor="staff:ani", allowed_office=None
        )
    assert done.answer == "Sudah diperbaiki."
