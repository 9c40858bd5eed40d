"""What a SATUSEHAT row of the integration outbox becomes when it is sent.

The triggers (central/integrations/triggers.py) write one row per step of a
hospital visit: kind ``encounter``, body ``{ticket_id, status, at}``, order key
``encounter:{ticket_id}`` (a visit's rows go in the order they were written),
dedupe key ``satusehat:encounter:{ticket_id}:{status}`` (each step once). The
status is ``arrived`` at registration or check-in, ``in-progress`` at the
poli's call, ``finished`` when served, ``cancelled`` for a cancel or no-show.

* ``arrived``: the visit is read as it stands when the row is sent
  (:func:`visit_facts`: ``hospital_visits``, the doctor's schedule's
  ``practitioner_id``, the poli's ``location_id``; no name is sent); the
  Patient is found by NIK (the IHS number); the Encounter is built, checked
  and POSTed. The row's result keeps the id the server gave and the resource.
* the others: the Encounter the visit's last sent row kept, with its new
  status, checked and PUT under the same id.

:meth:`SatusehatDeliverer.__call__` answers the outbox's outcomes: ``Sent``
(with the row's result), ``RetryLater`` (down, slow, 5xx, 429, a token that
cannot be had, an answer that cannot be read: nothing is lost, the row waits)
or ``Refused`` (a resource that fails the check, never sent; a Patient
SATUSEHAT does not know; the server's 4xx with its OperationOutcome's words):
staff see why on /office/integrations. A create tried again after a lost
answer first asks for an Encounter with its identifier, so a visit is never
created twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from central.database import Database
from central.errors import InvalidResource, SatusehatUnavailable
from central.errors import SatusehatRefused as ServerRefused
from central.integrations import outbox
from central.integrations.outbox import Item, Outcome, Refused, RetryLater, Sent
from central.integrations.satusehat.client import SatusehatClient
from central.integrations.satusehat.fhir import (
    ENCOUNTER_SYSTEM,
    Visit,
    arrived_encounter,
    moved_encounter,
    validate,
)
from central.messages.providers import retry_after
from central.tables import citizens, doctor_schedules, hospital_visits, services
from contract.shown import shown_kodebooking, shown_repr

KIND = "encounter"
ARRIVED = "arrived"
#: The statuses a visit's Encounter may move to after ``arrived``.
MOVES = ("in-progress", "finished", "cancelled")

UNKNOWN_PATIENT = (
    "NIK pasien tidak ditemukan di SATUSEHAT / the patient's NIK is not known to SATUSEHAT"
)
NO_VISIT = "kunjungan tidak ditemukan / the visit is not on record"
NO_ENCOUNTER = "Encounter belum dibuat di SATUSEHAT / the visit's Encounter was never created"
NOT_SENT = "tidak valid, tidak dikirim / invalid, not sent"


def order_key(ticket_id: str) -> str:
    return f"encounter:{ticket_id}"


def dedupe_key(ticket_id: str, status: str) -> str:
    return f"satusehat:encounter:{ticket_id}:{status}"


def moment(text: str) -> str:
    """An ISO 8601 time as the FHIR dateTime SATUSEHAT takes (seconds, with the offset);
    ``text`` as it is if it is not one (the check then says so)."""
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.replace(microsecond=0).isoformat()


@shown_repr(kodebooking=shown_kodebooking)  # a Mobile JKN booking's is its code
@dataclass(frozen=True)
class VisitFacts:
    """What the Encounter of a visit is made of, as the centre keeps it."""

    kodebooking: str
    nik: str = field(repr=False)
    practitioner_id: str
    doctor_name: str
    location_id: str
    poli_name: str


def visit_facts(conn: Connection, ticket_id: str) -> VisitFacts | None:
    row = conn.execute(
        select(
            hospital_visits.c.kodebooking,
            hospital_visits.c.nik,
            hospital_visits.c.doctor_name,
            doctor_schedules.c.practitioner_id,
            services.c.location_id,
            services.c.name.label("poli_name"),
            citizens.c.nik.label("citizen_nik"),
        )
        .select_from(
            hospital_visits.outerjoin(
                doctor_schedules, doctor_schedules.c.id == hospital_visits.c.schedule_id
            )
            .outerjoin(services, services.c.id == hospital_visits.c.service_id)
            .outerjoin(citizens, citizens.c.id == hospital_visits.c.citizen_id)
        )
        .where(hospital_visits.c.ticket_id == ticket_id)
    ).first()
    if row is None:
        return None
    return VisitFacts(
        kodebooking=row.kodebooking,
        nik=row.nik or row.citizen_nik or "",
        practitioner_id=row.practitioner_id or "",
        doctor_name=row.doctor_name or "",
        location_id=row.location_id or "",
        poli_name=row.poli_name or "",
    )


def previous_result(conn: Connection, ticket_id: str, status: str) -> Mapping[str, Any] | None:
    """The result of the visit's latest sent row before ``status`` (the Encounter as sent)."""
    for earlier in ("in-progress", ARRIVED):
        if earlier != status:
            found = outbox.result_of(conn, dedupe_key(ticket_id, earlier))
            if found is not None:
                return found
    return None


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key, "")
    return value if isinstance(value, str) else ""


def send(
    client: SatusehatClient,
    item: Item,
    facts: VisitFacts | None,
    previous: Mapping[str, Any] | None,
) -> Outcome:
    """Send one claimed row; ``facts`` and ``previous`` as read for it just before."""
    organization = client.config.organization_id
    status = _text(item.body, "status")
    at = moment(_text(item.body, "at"))
    try:
        if item.kind != KIND or status not in (ARRIVED, *MOVES):
            return Refused("kind", f"unknown SATUSEHAT row {item.kind!r} {status!r}")
        if status == ARRIVED:
            if facts is None:
                return Refused("no-visit", NO_VISIT)
            ihs = client.patient_ihs(facts.nik) if facts.nik else None
            if ihs is None:
                return Refused("no-patient", UNKNOWN_PATIENT)
            visit = Visit(
                registration=facts.kodebooking,
                organization_id=organization,
                patient_ihs=ihs,
                practitioner_id=facts.practitioner_id,
                location_id=facts.location_id,
                arrived_at=at,
                practitioner_name=facts.doctor_name,
                location_name=facts.poli_name,
            )
            resource = validate(arrived_encounter(visit), organization)
            found = None
            if item.tries > 1:  # an earlier try's answer may have been lost (even one
                # made before staff sent the row again: that resets attempts, not tries)
                system = ENCOUNTER_SYSTEM.format(organization_id=organization)
                found = client.find_encounter(system, visit.registration)
            try:
                ident = found or client.create_encounter(resource)
            except ServerRefused:
                # the kept number may be one SATUSEHAT no longer has (a Patient merged or
                # corrected): the next send asks for it again
                client.forget_patient(facts.nik)
                raise
            return Sent({"encounter_id": ident, "encounter": {**resource, "id": ident}})
        if previous is None or not isinstance(previous.get("encounter"), dict):
            return Refused("no-encounter", NO_ENCOUNTER)
        ident = str(previous.get("encounter_id", ""))
        moved = moved_encounter(dict(previous["encounter"]), ident, status, at)
        resource = validate(moved, organization)
        client.update_encounter(ident, resource)
        return Sent({"encounter_id": ident, "encounter": resource})
    except InvalidResource as exc:
        return Refused("invalid", f"{NOT_SENT}: {exc}")
    except SatusehatUnavailable as exc:
        return RetryLater(exc.code, str(exc), retry_after(exc.after))
    except ServerRefused as exc:
        return Refused(exc.code, str(exc))


class SatusehatDeliverer:
    """The sender's deliverer for SATUSEHAT rows (central/integrations/sender.py)."""

    def __init__(self, client: SatusehatClient, db: Database) -> None:
        self.client = client
        self._db = db

    def __repr__(self) -> str:
        return f"SatusehatDeliverer({self.client!r})"

    def __call__(self, item: Item) -> Outcome:
        ticket_id = _text(item.body, "ticket_id")
        status = _text(item.body, "status")
        with self._db.read() as conn:
            facts = visit_facts(conn, ticket_id) if status == ARRIVED else None
            previous = previous_result(conn, ticket_id, status) if status != ARRIVED else None
        return send(self.client, item, facts, previous)
