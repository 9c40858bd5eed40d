"""What each SATUSEHAT row of the integration outbox becomes when it is sent.

The triggers write one row per step of a hospital visit (order key: the
ticket, so a visit's rows go in the order they were written):

* :data:`ARRIVED` at registration, its body :class:`ArrivedBody`'s fields: the
  Patient is found by NIK (the IHS number), the Encounter built, checked and
  POSTed; the row's result keeps the id the server gave and the resource sent.
* :data:`IN_PROGRESS` at the poli's call and :data:`FINISHED` when served, body
  ``{"ticket_id", "at"}``: the same Encounter with its new status, checked and
  PUT under the id the earlier row's result keeps.

:func:`send` answers :class:`Sent` (with the row's result), :class:`Retry` (down,
slow, 5xx, 429, a token that cannot be had: nothing is lost, the row waits) or
:class:`Failed` (a resource that fails the check is never sent; a Patient
SATUSEHAT does not know; the server's 4xx with its OperationOutcome's words):
the staff see why. A create tried again after a lost answer first asks for an
Encounter with its identifier, so a visit is never created twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from central.integrations.satusehat.client import Refused, SatusehatClient, Unavailable
from central.integrations.satusehat.fhir import (
    ENCOUNTER_SYSTEM,
    InvalidResource,
    Visit,
    arrived_encounter,
    moved_encounter,
    validate,
)

ARRIVED = "satusehat_encounter_arrived"
IN_PROGRESS = "satusehat_encounter_in_progress"
FINISHED = "satusehat_encounter_finished"
KINDS = (ARRIVED, IN_PROGRESS, FINISHED)
STATUS_OF = {IN_PROGRESS: "in-progress", FINISHED: "finished"}

UNKNOWN_PATIENT = (
    "NIK pasien tidak ditemukan di SATUSEHAT / the patient's NIK is not known to SATUSEHAT"
)
NO_ENCOUNTER = "Encounter belum dibuat di SATUSEHAT / the visit's Encounter was never created"


@dataclass(frozen=True)
class Sent:
    result: dict[str, Any]


@dataclass(frozen=True)
class Retry:
    error: str
    after: str | None = None


@dataclass(frozen=True)
class Failed:
    error: str


Outcome = Sent | Retry | Failed

#: The fields of an :data:`ARRIVED` row's body (all strings).
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


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key, "")
    return value if isinstance(value, str) else ""


def send(
    client: SatusehatClient,
    kind: str,
    body: Mapping[str, Any],
    *,
    tried_before: bool,
    previous: Mapping[str, Any] | None,
) -> Outcome:
    """Send one row: ``previous`` is the result of the visit's last sent row, if any."""
    organization = client.config.organization_id
    try:
        if kind == ARRIVED:
            nik = _text(body, "nik")
            ihs = client.patient_ihs(nik) if nik else None
            if ihs is None:
                return Failed(UNKNOWN_PATIENT)
            visit = Visit(
                registration=_text(body, "registration"),
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
            if tried_before:
                system = ENCOUNTER_SYSTEM.format(organization_id=organization)
                found = client.find_encounter(system, visit.registration)
            ident = found or client.create_encounter(resource)
            return Sent({"encounter_id": ident, "encounter": {**resource, "id": ident}})
        if kind in STATUS_OF:
            if previous is None or not isinstance(previous.get("encounter"), dict):
                return Failed(NO_ENCOUNTER)
            ident = str(previous.get("encounter_id", ""))
            moved = moved_encounter(
                dict(previous["encounter"]), ident, STATUS_OF[kind], _text(body, "at")
            )
            resource = validate(moved, organization)
            client.update_encounter(ident, resource)
            return Sent({"encounter_id": ident, "encounter": resource})
        return Failed(f"unknown SATUSEHAT row kind {kind!r}")
    except InvalidResource as exc:
        return Failed(f"tidak valid, tidak dikirim / invalid, not sent: {exc}")
    except Unavailable as exc:
        return Retry(str(exc), exc.after)
    except Refused as exc:
        return Failed(str(exc))
