"""The ``log`` provider (the demo's): a message is a line in the server's log, the number
masked, and nothing else personal reaches the log."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from central.database import Database
from central.messages.outbox import Outgoing
from central.messages.providers import LogProvider
from central.process import RunningCentral
from contract.shown import shown_reference
from testkit.centre_accounts import new_staff
from testkit.centre_requests import consenting_tickets, drain
from testkit.waits import wait_until

SERVICE = "izin-usaha-mikro"


def test_a_message_is_logged_with_the_number_masked(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    staff = new_staff(operator, central_server.url)
    drain(central_server.url, staff, SERVICE)
    ((ticket_id, display),) = consenting_tickets(
        central_server.url, kiosk_token, SERVICE, ["081377665544"]
    )
    drain(central_server.url, staff, SERVICE)
    line = f"[ticket.called] to 62813*****544: Nomor antrean {display} dipanggil ke loket 8"
    wait_until(lambda: line in central_server.output_tail(), 30, "the message's log line")
    logged = central_server.output_tail()
    assert "81377665544" not in logged
    mine = [line for line in logged.splitlines() if "central.messages" in line]
    assert mine and not [line for line in mine if ticket_id in line]  # it opens /t/{id}


CODE = "482913077"
REFERENCE = "ADU-7G4K-M2QX-9TBA"


@pytest.mark.parametrize(
    ("template", "params", "shown", "hidden"),
    [
        pytest.param(
            "booking.reminder",
            {"code": CODE, "service": "KTP", "office": "MPP", "date": "8 Des", "time": "09:30"},
            "janji 482… untuk",
            CODE[:4],
            id="booking-code",
        ),
        pytest.param(
            "complaint.answered",
            {"reference": REFERENCE, "office": "MPP"},
            f"Pengaduan {shown_reference(REFERENCE)} di MPP",
            REFERENCE[:6],
            id="complaint-reference",
        ),
    ],
)
def test_a_code_or_a_reference_is_logged_as_every_other_line_shows_it(
    template: str,
    params: dict[str, str],
    shown: str,
    hidden: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A booking's code opens its page, a complaint's reference its own: the log provider's
    line shows them as the audit lines and reprs do (``contract.shown``), a code by its
    first three digits, not four, a reference with its digest, not a bare ``ADU-``."""
    at = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
    message = Outgoing(1, "k", "081377665544", "id", template, params, 0, at)
    with caplog.at_level(logging.INFO, logger="central.messages.providers"):
        LogProvider().send(message, "")
    assert shown in caplog.text, caplog.text
    assert hidden not in caplog.text, caplog.text
