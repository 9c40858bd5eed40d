"""The ``log`` provider (the demo's): a message is a line in the server's log, the number
masked, and nothing else personal reaches the log."""

from __future__ import annotations

from central.database import Database
from central.process import RunningCentral
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
