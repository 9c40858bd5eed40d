"""The Encounter SATUSEHAT receives for a hospital visit, and the check it passes first.

At registration (as SIMRS-Khanza's SATUSEHAT module sends it; docs/satusehat.md
cites the sources)::

    {"resourceType": "Encounter",
     "identifier": [{"system": "http://sys-ids.kemkes.go.id/encounter/{organization}",
                     "value": "{registration}"}],
     "status": "arrived",
     "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
               "code": "AMB", "display": "ambulatory"},
     "subject": {"reference": "Patient/{IHS number}"},
     "participant": [{"type": [{"coding": [{"system": ".../v3-ParticipationType",
                                             "code": "ATND", "display": "attender"}]}],
                      "individual": {"reference": "Practitioner/{id}", "display": "{doctor}"}}],
     "period": {"start": "{arrival}"},
     "location": [{"location": {"reference": "Location/{id}", "display": "{poli}"}}],
     "statusHistory": [{"status": "arrived", "period": {"start": "{arrival}"}}],
     "serviceProvider": {"reference": "Organization/{organization}"}}

Each later status (``in-progress`` at the poli's call, ``finished`` when served) is
the same resource with its server id, the new status, the previous history
entry closed and a new one opened (``finished`` also ends ``period``): sent whole
with PUT, as FHIR's update asks.

:func:`validate` parses every resource with the ``fhir.resources`` models of
FHIR R4B (``fhir.resources.R4B``: Encounter and its datatypes are R4's, the
version SATUSEHAT speaks; the package's root is R5, never used here), then
checks what those models leave open: the status value set, and the elements
SATUSEHAT requires of an ambulatory Encounter. A resource that fails is never
sent; :class:`InvalidResource` says why, without the values (they may be a name).
The models are imported by the first :func:`validate`: a centre that sends
nothing to SATUSEHAT never loads them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from central.errors import InvalidResource

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
ENCOUNTER_SYSTEM = "http://sys-ids.kemkes.go.id/encounter/{organization_id}"

#: FHIR R4 EncounterStatus (a required binding).
STATUSES = frozenset(
    {
        "planned",
        "arrived",
        "triaged",
        "in-progress",
        "onleave",
        "finished",
        "cancelled",
        "entered-in-error",
        "unknown",
    }
)
#: The order a visit's Encounter moves through here.
FLOW = ("arrived", "in-progress", "finished")

#: A FHIR logical id (R4 ``id``: 1–64 of A–Z a–z 0–9 - .).
_ID = r"[A-Za-z0-9\-.]{1,64}"
#: A FHIR dateTime to the second with its offset (SATUSEHAT asks for the offset).
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Visit:
    """What the Encounter of one hospital visit is made of."""

    registration: str
    organization_id: str
    patient_ihs: str
    practitioner_id: str
    location_id: str
    arrived_at: str
    practitioner_name: str = ""
    location_name: str = ""


def _reference(kind: str, ident: str, display: str = "") -> dict[str, str]:
    reference = {"reference": f"{kind}/{ident}"}
    if display:
        reference["display"] = display
    return reference


def arrived_encounter(visit: Visit) -> dict[str, Any]:
    """The Encounter POSTed at registration (no id: the server gives it)."""
    return {
        "resourceType": "Encounter",
        "identifier": [
            {
                "system": ENCOUNTER_SYSTEM.format(organization_id=visit.organization_id),
                "value": visit.registration,
            }
        ],
        "status": "arrived",
        "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "subject": _reference("Patient", visit.patient_ihs),  # the IHS number; no name
        "participant": [
            {
                "type": [
                    {
                        "coding": [
                            {"system": PARTICIPATION_TYPE, "code": "ATND", "display": "attender"}
                        ]
                    }
                ],
                "individual": _reference(
                    "Practitioner", visit.practitioner_id, visit.practitioner_name
                ),
            }
        ],
        "period": {"start": visit.arrived_at},
        "location": [{"location": _reference("Location", visit.location_id, visit.location_name)}],
        "statusHistory": [{"status": "arrived", "period": {"start": visit.arrived_at}}],
        "serviceProvider": _reference("Organization", visit.organization_id),
    }


def moved_encounter(
    previous: dict[str, Any], encounter_id: str, status: str, at: str
) -> dict[str, Any]:
    """The Encounter PUT when the visit moves on to ``status`` at ``at``."""
    moved = copy.deepcopy(previous)
    moved["id"] = encounter_id
    moved["status"] = status
    history: list[dict[str, Any]] = moved.setdefault("statusHistory", [])
    if history:
        history[-1].setdefault("period", {})["end"] = at
    entry: dict[str, Any] = {"status": status, "period": {"start": at}}
    if status == "finished":
        entry["period"]["end"] = at
        moved.setdefault("period", {})["end"] = at
    history.append(entry)
    return moved


def _problems(resource: dict[str, Any], organization_id: str) -> list[str]:
    """What SATUSEHAT requires beyond the R4 model, each named by its element."""
    problems: list[str] = []
    status = resource.get("status")
    if status not in STATUSES:
        problems.append("status: not an EncounterStatus code")
    klass = resource.get("class") or {}
    if klass.get("system") != ACT_CODE or klass.get("code") != "AMB":
        problems.append("class: must be v3-ActCode AMB")
    subject = (resource.get("subject") or {}).get("reference", "")
    if not re.fullmatch(f"Patient/{_ID}", str(subject)):
        problems.append("subject: must reference Patient/{IHS number}")
    participants = resource.get("participant") or []
    if not any(
        any(
            coding.get("system") == PARTICIPATION_TYPE and coding.get("code") == "ATND"
            for kind in p.get("type") or []
            for coding in kind.get("coding") or []
        )
        and re.fullmatch(f"Practitioner/{_ID}", str((p.get("individual") or {}).get("reference")))
        for p in participants
    ):
        problems.append("participant: an ATND Practitioner/{id} is required")
    locations = resource.get("location") or []
    if not any(
        re.fullmatch(f"Location/{_ID}", str((entry.get("location") or {}).get("reference")))
        for entry in locations
    ):
        problems.append("location: a Location/{id} is required")
    provider = (resource.get("serviceProvider") or {}).get("reference")
    if provider != f"Organization/{organization_id}":
        problems.append("serviceProvider: must reference this hospital's Organization")
    system = ENCOUNTER_SYSTEM.format(organization_id=organization_id)
    if not any(
        i.get("system") == system and i.get("value") for i in resource.get("identifier") or []
    ):
        problems.append(f"identifier: one of system {system} is required")
    start = (resource.get("period") or {}).get("start")
    if not (isinstance(start, str) and _INSTANT.fullmatch(start)):
        problems.append("period.start: a dateTime with seconds and offset is required")
    history = resource.get("statusHistory") or []
    if not history or history[-1].get("status") != status:
        problems.append("statusHistory: must end with the current status")
    return problems


def validate(resource: dict[str, Any], organization_id: str) -> dict[str, Any]:
    """``resource`` as it will be sent, or :class:`InvalidResource`."""
    if resource.get("resourceType") != "Encounter":
        raise InvalidResource("resourceType: only Encounter is sent")
    from fhir.resources.R4B.encounter import Encounter  # the first resource sent loads it

    try:
        model = Encounter.model_validate(resource)
    except ValidationError as exc:
        shown = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'Encounter'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False, include_context=False)[
                :5
            ]
        )
        raise InvalidResource(f"FHIR R4 Encounter: {shown}") from None
    problems = _problems(resource, organization_id)
    if problems:
        raise InvalidResource("SATUSEHAT Encounter: " + "; ".join(problems))
    checked: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return checked
