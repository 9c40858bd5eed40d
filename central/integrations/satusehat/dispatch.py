"""The SATUSEHAT rows of the integration outbox: how they are written and how each is sent.

A visit's rows share the order key ``encounter:{ticket_id}`` (so they go in the
order they were written) and each has its own dedupe key
``satusehat:encounter:{ticket_id}:{status}`` (each step written once):

* :data:`ARRIVED` at registration (:func:`enqueue_arrived`), its body the
  fields :data:`ARRIVED_FIELDS`: the Patient is found by NIK (the IHS number),
  the Encounter built, checked and POSTed; the row's result keeps the id the
  server gave and the resource sent.
* :data:`IN_PROGRESS` at the poli's call and :data:`FINISHED` when served
  (:func:`enqueue_status`), body ``{"ticket_id", "at"}``: the same Encounter with
  its new status, checked and PUT under the id the earlier row's result keeps.

:func:`send` answers the outbox's outcomes: ``Sent`` (with the row's result),
``RetryLater`` (down, slow, 5xx, 429, 401 twice, a token that cannot be had, an
answer that cannot be read: nothing is lost, the row waits) or ``Refused`` (a
resource that fails the check, never sent; a Patient SATUSEHAT does not know;
the server's 4xx with its OperationOutcome's words): the staff see why. A
create tried again after a lost answer first asks for an Encounter with its
identifier, so a visit is never created twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection

from central.integrations import outbox
from central.integrations.outbox import Item, Outcome, Refused, RetryLater, Sent
from central.integrations.satusehat.client import Refused as ServerRefused
from central.integrations.satusehat.client import SatusehatClient, Unavailable
from central.integrations.satusehat.fhir import (
    ENCOUNTER_SYSTEM,
    FLOW,
    InvalidResource,
    Visit,
    arrived_encounter,
    moved_encounter,
    validate,
)
from central.messages.providers import retry_after

ARRIVED = "satusehat_encounter_arrived"
IN_PROGRESS = "satusehat_encounter_in_progress"
FINISHED = "satusehat_encounter_finished"
KINDS = (ARRIVED, IN_PROGRESS, FINISHED)
KIND_OF = {"arrived": ARRIVED, "in-progress": IN_PROGRESS, "finished": FINISHED}
STATUS_OF = {kind: status for status, kind in KIND_OF.items()}

#: The fields of an :data:`ARRIVED` row's body (all strings; ``arrived_at`` an ISO
#: dateTime with its offset, ``registration`` the visit's number at the hospital).
ARRIVED_FIELDS = (
    "ticket_id",
    "registration",
    "nik",
    "patient_name",
    "practitioner_id",
    "practitioner_name",
    "location_id",
    "location_name",
    "arrived_at",
)

UNKNOWN_PATIENT = (
    "NIK pasien tidak ditemukan di SATUSEHAT / the patient's NIK is not known to SATUSEHAT"
)
NO_ENCOUNTER = "Encounter belum dibuat di SATUSEHAT / the visit's Encounter was never created"
NOT_SENT = "tidak valid, tidak dikirim / invalid, not sent"


def order_key(ticket_id: str) -> str:
    return f"encounter:{ticket_id}"


def dedupe_key(ticket_id: str, status: str) -> str:
    return f"satusehat:encounter:{ticket_id}:{status}"


def moment(at: dt.datetime) -> str:
    """``at`` as the FHIR dateTime SATUSEHAT takes (seconds, with the offset)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.replace(microsecond=0).isoformat()


def enqueue_arrived(
    conn: Connection,
    *,
    body: Mapping[str, str],
    office_id: str | None,
    now: dt.datetime,
) -> bool:
    """Write the visit's create row (``body``: :data:`ARRIVED_FIELDS`) once per ticket."""
    missing = [name for name in ("ticket_id", "nik", "arrived_at") if not body.get(name)]
    if missing:
        raise ValueError(f"an arrived row needs {', '.join(missing)}")
    ticket_id = body["ticket_id"]
    return outbox.enqueue(
        conn,
        target=outbox.SATUSEHAT,
        kind=ARRIVED,
        dedupe_key=dedupe_key(ticket_id, "arrived"),
        order_key=order_key(ticket_id),
        body={name: str(body.get(name, "")) for name in ARRIVED_FIELDS},
        now=now,
        office_id=office_id,
    )


def enqueue_status(
    conn: Connection,
    *,
    ticket_id: str,
    status: str,
    at: dt.datetime,
    office_id: str | None,
    now: dt.datetime,
) -> bool:
    """Write the visit's move to ``status`` (``in-progress`` or ``finished``) once."""
    if status not in ("in-progress", "finished"):
        raise ValueError(f"no SATUSEHAT row for status {status!r}")
    return outbox.enqueue(
        conn,
        target=outbox.SATUSEHAT,
        kind=KIND_OF[status],
        dedupe_key=dedupe_key(ticket_id, status),
        order_key=order_key(ticket_id),
        body={"ticket_id": ticket_id, "at": moment(at)},
        now=now,
        office_id=office_id,
    )


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key, "")
    return value if isinstance(value, str) else ""


def previous_result(conn: Connection, item: Item) -> Mapping[str, Any] | None:
    """The result of the visit's last sent row before ``item`` (the Encounter as sent)."""
    status = STATUS_OF.get(item.kind)
    if status is None:
        return None
    ticket_id = _text(item.body, "ticket_id")
    for earlier in reversed(FLOW[: FLOW.index(status)]):
        found = outbox.result_of(conn, dedupe_key(ticket_id, earlier))
        if found is not None:
            return found
    return None


def send(client: SatusehatClient, item: Item, previous: Mapping[str, Any] | None) -> Outcome:
    """Send one claimed row; ``previous``: :func:`previous_result` for it."""
    organization = client.config.organization_id
    body = item.body
    try:
        if item.kind == ARRIVED:
            nik = _text(body, "nik")
            ihs = client.patient_ihs(nik) if nik else None
            if ihs is None:
                return Refused("no-patient", UNKNOWN_PATIENT)
            visit = Visit(
                registration=_text(body, "registration") or _text(body, "ticket_id"),
                organization_id=organization,
                patient_ihs=ihs,
                practitioner_id=_text(body, "practitioner_id"),
                location_id=_text(body, "location_id"),
                arrived_at=_text(body, "arrived_at"),
                patient_name=_text(body, "patient_name"),
                practitioner_name=_text(body, "practitioner_name"),
                location_name=_text(body, "location_name"),
            )
            resource = validate(arrived_encounter(visit), organization)
            found = None
            if item.attempts > 1:  # an earlier attempt's answer may have been lost
                system = ENCOUNTER_SYSTEM.format(organization_id=organization)
                found = client.find_encounter(system, visit.registration)
            ident = found or client.create_encounter(resource)
            return Sent({"encounter_id": ident, "encounter": {**resource, "id": ident}})
        if item.kind in STATUS_OF:
            if previous is None or not isinstance(previous.get("encounter"), dict):
                return Refused("no-encounter", NO_ENCOUNTER)
            ident = str(previous.get("encounter_id", ""))
            moved = moved_encounter(
                dict(previous["encounter"]), ident, STATUS_OF[item.kind], _text(body, "at")
            )
            resource = validate(moved, organization)
            client.update_encounter(ident, resource)
            return Sent({"encounter_id": ident, "encounter": resource})
        return Refused("kind", f"unknown SATUSEHAT row kind {item.kind!r}")
    except InvalidResource as exc:
        return Refused("invalid", f"{NOT_SENT}: {exc}")
    except Unavailable as exc:
        return RetryLater(exc.code, str(exc), retry_after(exc.after))
    except ServerRefused as exc:
        return Refused(exc.code, str(exc))


def deliverer(client: SatusehatClient, begin: Callable[[], Any]) -> Callable[[Item], Outcome]:
    """The sender's function for SATUSEHAT rows: ``begin()`` opens a transaction (a
    context manager yielding a connection) to read the earlier row's result."""

    def deliver(item: Item) -> Outcome:
        with begin() as conn:
            previous = previous_result(conn, item)
        return send(client, item, previous)

    return deliver
