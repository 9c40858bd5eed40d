"""The hospital desk's registrations (``kiosk run --desk``): a visit, its cancel, its slip.

A visit the clerk registers is issued the way the kiosk issues a ticket
(:mod:`kiosk.tickets.issue`): the allocate carries ``hospital`` (the doctor's
schedule, the payer and the patient's keys: :func:`~kiosk.tickets.issue.place_of`)
so the centre refuses a patient it would not register (``already_registered``,
``identity_conflict``, ``invalid_patient``) before a number is used, and takes the
quota place with the number,
and the stored registration carries the whole :class:`~contract.hospital.HospitalRequest`
as ``hospital``, so an offline desk's visit still reaches the centre, which
takes the place on arrival. A cancel is a ``visit_cancel`` submission
through the outbox: it works offline too, and the centre reports it to BPJS
(task 99). Personal data stays out of every log line and ``repr``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from contract.catalog import Catalog, Service
from contract.errors import NikError
from contract.hospital import JENIS_KUNJUNGAN, DoctorToday, HospitalRequest, Payer
from contract.nik import Sex, parse_nik
from contract.shown import shown_key
from kiosk.client.hospital_desk import DeskPatient
from kiosk.client.results import HospitalPlace
from kiosk.privacy import private_repr
from kiosk.session.events import IssuedTicket
from kiosk.tickets.issue import (
    Allocate,
    PrintSetup,
    doctor_place,
    place_of,
    print_document,
    service_of,
    slip_for,
    store_and_print,
)
from offline_store import BadValue, Store
from offline_store.models import OutboxState
from printing import SlipDocument, SlipField, TicketDocument

log = logging.getLogger(__name__)

#: The submission that cancels a registered visit (the centre closes its ticket,
#: gives the quota place back and reports task 99 to BPJS).
CANCEL_KIND = "visit_cancel"
#: The longest reason a clerk may give for a cancel.
MAX_REASON = 200


@private_repr("patient", "nomorkartu", "nomorreferensi")
@dataclass(frozen=True)
class DeskVisit:
    """What the clerk registers: the patient, the poli, the doctor and the visit's details."""

    patient: DeskPatient
    service_id: str
    doctor: DoctorToday
    payer: Payer
    #: The BPJS card number sent with the visit (13 digits; "" for umum without one).
    nomorkartu: str
    nomorreferensi: str
    jeniskunjungan: int
    new_patient: bool
    language: str

    def request(self) -> HospitalRequest:
        return HospitalRequest(
            schedule_id=self.doctor.schedule_id,
            payer=self.payer,
            norm=self.patient.norm,
            nomorkartu=self.nomorkartu,
            new_patient=self.new_patient,
            jeniskunjungan=self.jeniskunjungan,
            nomorreferensi=self.nomorreferensi,
        )


@dataclass(frozen=True)
class DeskIssued:
    """A visit registered: its ticket, the quota place (online) and the slip to print."""

    ticket_id: str
    ticket: IssuedTicket
    #: The centre's quota place and estimated time; None when numbered offline.
    hospital: HospitalPlace | None
    slip: SlipDocument

    def __repr__(self) -> str:
        return f"DeskIssued({self.ticket.number}, online={self.hospital is not None})"


@dataclass(frozen=True)
class Problem:
    """Why something typed cannot be used: a message key of ui/texts.py and the field
    at fault (``nik``, ``nomorkartu``, ``name``, ``birth``, ``sex``, ``referral``,
    ``visit_kind``, ``doctor``), where the clerk's cursor goes."""

    key: str
    field: str


#: The earliest date of birth a desk takes (a year typed with two digits is refused).
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def patient_problem(patient: DeskPatient, today: dt.date) -> Problem | None:
    """Why ``patient`` as typed cannot be registered or saved, or None.

    The one check of a patient's data at the desk (a new patient saved, a visit
    registered, with a No. RM or without): a NIK that can exist (contract/nik.py)
    and agrees with the date of birth and the sex, a date of birth between 1900
    and today, a 13-digit BPJS number. A patient without a No. RM (a new one)
    needs the NIK, the name and the date of birth.
    """
    new = not patient.norm
    if not 2 <= len(patient.name.strip()) <= 100:
        return Problem("desk_bad_name", "name")
    if patient.nik or new:
        try:
            nik = parse_nik(patient.nik, reference=today)
        except NikError:
            return Problem("desk_nik_invalid", "nik")
    else:
        nik = None
    born = patient.birth_date
    if born is None:
        if new:
            return Problem("desk_bad_birth_date", "birth")
    elif not EARLIEST_BIRTH <= born <= today:
        return Problem("desk_birth_not_possible", "birth")
    if nik is not None and born is not None:
        sex = {"L": Sex.MALE, "P": Sex.FEMALE}.get(patient.sex, nik.sex)
        if not nik.matches(born, sex):
            return Problem("desk_nik_disagrees", "birth" if sex is nik.sex else "sex")
    card = patient.nomorkartu
    if card and not (len(card) == 13 and card.isascii() and card.isdigit()):
        return Problem("desk_bad_nomorkartu", "nomorkartu")
    return None


def problem_of(visit: DeskVisit, today: dt.date) -> Problem | None:
    """Why the visit cannot be registered as given, or None."""
    problem = patient_problem(visit.patient, today)
    if problem is not None:
        return problem
    if visit.jeniskunjungan not in JENIS_KUNJUNGAN:
        return Problem("desk_bad_visit_kind", "visit_kind")
    if visit.nomorkartu and not (len(visit.nomorkartu) == 13 and visit.nomorkartu.isdigit()):
        return Problem("desk_bad_nomorkartu", "nomorkartu")
    if visit.payer is Payer.JKN and not visit.nomorkartu:
        return Problem("desk_jkn_needs_card", "nomorkartu")
    if visit.payer is Payer.JKN and not visit.nomorreferensi.strip():
        return Problem("desk_jkn_needs_referral", "referral")
    if len(visit.nomorreferensi) > 64:
        return Problem("desk_bad_referral", "referral")
    return None


#: Form fields of a poli's service the desk fills from the patient.
_VALUES: Mapping[str, Callable[[DeskPatient], str]] = {
    "full_name": lambda p: p.name,
    "nik": lambda p: p.nik,
    "date_of_birth": lambda p: p.birth_date.isoformat() if p.birth_date else "",
    "birth_date": lambda p: p.birth_date.isoformat() if p.birth_date else "",
    "phone": lambda p: p.phone,
    "address": lambda p: p.address,
    "medical_record_number": lambda p: p.norm,
}


def visit_values(service: Service, patient: DeskPatient) -> dict[str, str]:
    """The service form's values the patient's record fills (what the counter reads)."""
    names = [f.name for f in service.form] or list(_VALUES)
    values = {name: _VALUES[name](patient) for name in names if name in _VALUES}
    return {name: value for name, value in values.items() if value}


def register_visit(
    visit: DeskVisit,
    *,
    catalog: Catalog | None,
    office_id: str,
    store: Store,
    setup: PrintSetup,
    now: Callable[[], dt.datetime],
    allocate: Allocate | None,
) -> DeskIssued:
    """Store the visit's ticket and registration, then print the ticket.

    Raises :class:`TicketingError` (``quota_full`` when the centre has no place
    left with the doctor, ``already_registered`` when the patient has a visit at the
    poli today: then nothing is stored, no number used and nothing printed).
    """
    service, office_name = service_of(catalog, visit.service_id)
    request = visit.request()
    payload: dict[str, Any] = {
        "office_id": office_id,
        "service_id": service.id,
        "language": visit.language,
        "assurance": None,
        "card_number": None,
        "values": visit_values(service, visit.patient),
        "hospital": request.to_json(),
        "desk": True,  # read by older centres; the centre goes by the role staff gave the kiosk
    }
    printed = store_and_print(
        service,
        office_name,
        payload,
        place=place_of(request, payload),
        # The kiosk's own rule for a poli's ticket: offline, a place of the cache is
        # taken (the doctor shows full once this kiosk used them up) and the time estimated.
        doctor_lines=lambda allocation, at: doctor_place(
            visit.doctor, visit.payer, allocation, store, office_id, at
        ),
        language=visit.language,
        office_id=office_id,
        store=store,
        setup=setup,
        now=now,
        allocate=allocate,
    )
    place = printed.online.hospital if printed.online else None
    return DeskIssued(printed.stored.id, printed.ticket, place, visit_slip(printed.document, visit))


_LABELS: Mapping[str, tuple[str, str]] = {
    "norm": ("No. RM", "MR number"),
    "name": ("Nama", "Name"),
    "nik": ("NIK", "NIK"),
    "birth_date": ("Tanggal lahir", "Date of birth"),
    "payer": ("Penjamin", "Payer"),
    "nomorkartu": ("No. kartu BPJS", "BPJS card number"),
    "nomorreferensi": ("No. rujukan", "Referral number"),
    "doctor": ("Dokter", "Doctor"),
    "nomorantrean": ("No. antrean poli", "Poli queue number"),
    "estimated_at": ("Perkiraan dilayani", "Estimated time"),
}


def visit_slip(document: TicketDocument, visit: DeskVisit) -> SlipDocument:
    """The registration slip of a desk visit (personal data: printed, never kept long)."""
    en = document.language == "en"
    patient = visit.patient
    given = {
        "norm": patient.norm,
        "name": patient.name,
        "nik": patient.nik,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else "",
        "payer": "JKN" if visit.payer is Payer.JKN else "Umum",
        "nomorkartu": visit.nomorkartu,
        "nomorreferensi": visit.nomorreferensi,
        "doctor": visit.doctor.doctor_name,
        "nomorantrean": document.nomorantrean,
        "estimated_at": document.estimated_at,
    }
    fields = tuple(
        SlipField(_LABELS[key][1 if en else 0], value) for key, value in given.items() if value
    )
    return slip_for(document, fields)


def reprint_slip(slip: SlipDocument, setup: PrintSetup) -> str:
    """Print a visit's slip again, marked as a reprint; returns the fault code or ""."""
    from dataclasses import replace

    printed, fault, _ = print_document(
        replace(slip, reprint=True), setup, f"slip-{slip.number}-ulang"
    )
    if printed:
        log.info("registration slip for %s printed again", slip.number)
    return fault


class CancelState(StrEnum):
    """Where a registration's cancel stands, as the store knows it (a restart keeps it)."""

    #: In the outbox, not yet answered by the centre.
    WAITING = "waiting"
    #: The centre cancelled the visit and gave its quota place back.
    CANCELLED = "cancelled"
    #: The centre did not: the ticket was served already.
    SERVED = "done"
    #: The centre did not: the ticket is no hospital visit it knows.
    UNKNOWN = "unknown_visit"
    #: The centre refused the cancel itself (a dead letter for the operator).
    REFUSED = "refused"


def cancel_key(ticket_id: str) -> str:
    """The outbox key of ``ticket_id``'s cancel (one per ticket)."""
    return f"cancel-{ticket_id}"


def cancel_states(store: Store, ticket_ids: list[str]) -> dict[str, CancelState]:
    """The cancel state of each ticket of ``ticket_ids`` the desk asked to cancel."""
    found = store.outcomes(cancel_key(ticket_id) for ticket_id in ticket_ids)
    states: dict[str, CancelState] = {}
    for ticket_id in ticket_ids:
        if (entry := found.get(cancel_key(ticket_id))) is None:
            continue
        state, outcome = entry
        if state is OutboxState.DEAD:
            states[ticket_id] = CancelState.REFUSED
        elif state is not OutboxState.DELIVERED:
            states[ticket_id] = CancelState.WAITING
        elif outcome in (CancelState.SERVED, CancelState.UNKNOWN):
            states[ticket_id] = CancelState(outcome)
        else:  # "cancelled", or a centre that gives no outcome: it took the cancel
            states[ticket_id] = CancelState.CANCELLED
    return states


def cancel_visit(
    ticket_id: str, reason: str, *, office_id: str, store: Store, now: dt.datetime
) -> bool:
    """Queue the ``visit_cancel`` of ``ticket_id`` for the centre; False: already queued.

    Raises :class:`ValueError` for an empty or too long reason, or a ticket this
    desk never issued; the store's :class:`~offline_store.StoreError` if it cannot write.
    """
    reason = reason.strip()
    if not 1 <= len(reason) <= MAX_REASON:
        raise ValueError(f"a cancel needs a reason of 1 to {MAX_REASON} characters")
    store.ticket(ticket_id)  # BadValue (a ValueError) for a ticket it never issued
    try:
        store.enqueue_submission(
            cancel_key(ticket_id),
            CANCEL_KIND,
            {
                "office_id": office_id,
                "ticket_id": ticket_id,
                "reason": reason,
                "cancelled_at": now.isoformat(),
            },
            now,
        )
    except BadValue:
        return False
    log.info("visit %s cancelled at the desk", shown_key(ticket_id))  # the id opens its page
    return True
