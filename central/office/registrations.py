"""The registration of the ticket a counter is serving: what the citizen filled in at the kiosk.

A registration arrives as a ``service_registration`` submission whose key
is the kiosk's ticket id (``submissions.body``: ``values`` by form field,
``assurance``, ``card_number``, ``language``; never a card's UID, which an older kiosk
sends and the centre does not store). Where each
value came from is the catalog's word: a field whose ``prefill`` is
``card.…`` was read from the citizen's card (changeable by the citizen only
when the field is ``editable``), ``record.…`` from the city's record, the
rest typed at the kiosk.

This is personal data: it is shown only on the counter page, only for the
ticket the counter has called, and every view is audited as a lookup by
the staff account (:func:`view`): a ``citizen_lookups`` row of kind
``registration`` keyed by the NIK's keyed hash (the ticket id's, without a
NIK) and an ``audit_log`` event naming the ticket. The card's UID is never
shown.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from central.access.audit import record_event, record_lookup
from central.access.credentials import keyed_hash
from central.access.staff import StaffPrincipal
from central.documents.catalog import build_catalog, catalog_marker
from central.documents.versioned import DocumentCache
from central.errors import InvalidTicketTransition
from central.hospital import visits
from central.office.queue import CALLED
from central.office.steps import find
from central.tables import hospital_visits
from contract.bookings import format_code, is_valid_code
from contract.catalog import Catalog, FormField

AUDIT_KIND = "registration"
#: The reasons a poli registration's ``hospital`` result gives for making no visit,
#: which the counter page says in words (central/web/counter_texts.py).
NO_VISIT = frozenset(
    {
        "already_registered",
        "identity_conflict",
        "invalid_patient",
        "unknown_schedule",
        "invalid_hospital",
    }
)
#: Where a value came from.
CARD, CARD_CHANGEABLE, RECORD, TYPED = "card", "card_changeable", "record", "typed"


@dataclass(frozen=True)
class Entry:
    """One value of the form: its label in the page's language, the value, where it came from."""

    name: str
    label: str
    value: str
    source: str

    def __repr__(self) -> str:  # the value is personal data
        return f"Entry({self.name}, <{len(self.value)} chars>, {self.source})"


@dataclass(frozen=True)
class Registration:
    """What the counter sees of a called ticket's registration."""

    ticket_id: str
    display: str
    entries: tuple[Entry, ...]
    card_number: str | None
    assurance: str | None
    language: str | None
    #: The booking this registration checked in (a one-tap check-in at the kiosk),
    #: as it is written (``603 556 635``); None for a walk-in.
    booking_code: str | None = None
    #: The labels of the service's required fields the registration left empty: a
    #: check-in sends only what the card and the record fill in; the counter asks the rest.
    missing: tuple[str, ...] = ()
    #: A hospital visit's doctor, payer, place and No. RM (``INT-007``), if it is one.
    visit: tuple[str, str, str, str] | None = None
    #: The visit was registered beyond the doctor's quota (an offline kiosk): check it.
    over_quota: bool = False
    #: Why a poli registration made no visit (its ``hospital`` result's error, one of
    #: :data:`NO_VISIT`): the desk registers it.
    no_visit: str | None = None

    @property
    def holds_a_place(self) -> bool:
        """Refused for its patient: the ticket holds its doctor's place till it is closed
        (:data:`central.hospital.visits.PATIENT_REFUSALS`), so the clerk marks it not come
        before the desk registers the citizen again, and the place goes back."""
        return self.no_visit in visits.PATIENT_REFUSALS

    def __repr__(self) -> str:
        return f"Registration({self.display}, {len(self.entries)} values)"


_forms_lock = threading.Lock()
_forms: dict[str, dict[str, tuple[FormField, ...]]] = {}


def _forms_of(conn: Connection, documents: DocumentCache) -> dict[str, tuple[FormField, ...]]:
    document = documents.get("catalog", conn, catalog_marker, build_catalog)
    if document is None:
        return {}
    with _forms_lock:
        cached = _forms.get(document.etag)
    if cached is not None:
        return cached
    catalog = Catalog.from_json(json.loads(document.body))
    forms = {s.id: s.form for s in catalog.services}
    with _forms_lock:
        _forms.clear()
        _forms[document.etag] = forms
    return forms


def _source(field: FormField | None) -> str:
    if field is None or not field.prefill:
        return TYPED
    origin = field.prefill.partition(".")[0]
    if origin == "card":
        return CARD_CHANGEABLE if field.editable else CARD
    return RECORD if origin == "record" else TYPED


def _entries(body: dict[str, Any], form: tuple[FormField, ...], lang: str) -> tuple[Entry, ...]:
    values = body.get("values")
    if not isinstance(values, dict):
        return ()
    fields = {f.name: f for f in form}
    ordered = [f.name for f in form if f.name in values] + [n for n in values if n not in fields]
    out = []
    for name in ordered:
        field = fields.get(name)
        label = field.label(lang) if field is not None else name
        out.append(Entry(name, label, str(values[name]), _source(field)))
    return tuple(out)


def _no_visit(result: dict[str, Any] | None) -> str | None:
    """Why a poli registration's visit was not made (one of :data:`NO_VISIT`), if so."""
    hospital = result.get("hospital") if result is not None else None
    error = hospital.get("error") if isinstance(hospital, dict) else None
    return error if error in NO_VISIT else None


def view(
    conn: Connection,
    staff: StaffPrincipal,
    ticket_id: str,
    counter: str,
    *,
    documents: DocumentCache,
    audit_key: bytes,
    lang: str,
    now: dt.datetime,
) -> Registration | None:
    """The registration of the ticket ``counter`` has called, audited; ``None`` if none arrived.

    409 ``invalid_transition`` unless the ticket is ``called`` at ``counter``:
    a registration is shown for the ticket being served, never another.
    """
    ticket = find(conn, staff, ticket_id)
    if ticket.status != CALLED or ticket.counter != counter:
        raise InvalidTicketTransition("the registration is shown for the ticket being served only")
    body, result = visits.stored_registration(conn, ticket)
    no_visit = _no_visit(result)
    nik = body.get("values", {}).get("nik") if body is not None else None
    if isinstance(nik, str) and nik:
        key_hash = keyed_hash(audit_key, "nik", nik)
    else:
        key_hash = keyed_hash(audit_key, "ticket", ticket.id)
    record_lookup(
        conn,
        kiosk_id=None,
        staff_username=staff.username,
        key_kind=AUDIT_KIND,
        key_hash=key_hash,
        found=body is not None,
        at=now,
    )
    record_event(conn, actor=staff.actor, action="registration_view", subject=ticket.id)
    if body is None:
        return None
    form = _forms_of(conn, documents).get(ticket.service_id, ())
    card_number = body.get("card_number")
    code = body.get("booking_code")
    given = body.get("values")
    values: dict[str, Any] = given if isinstance(given, dict) else {}
    missing = tuple(
        f.label(lang) for f in form if f.required and not str(values.get(f.name) or "").strip()
    )
    visit = conn.execute(
        select(
            hospital_visits.c.doctor_name,
            hospital_visits.c.payer,
            hospital_visits.c.nomorantrean,
            hospital_visits.c.norm,
            hospital_visits.c.over_quota,
        ).where(hospital_visits.c.ticket_id == ticket.id)
    ).first()
    return Registration(
        visit=(
            (visit.doctor_name, visit.payer, visit.nomorantrean, visit.norm or "")
            if visit is not None
            else None
        ),
        over_quota=bool(visit is not None and visit.over_quota),
        no_visit=no_visit if visit is None else None,
        ticket_id=ticket.id,
        display=ticket.display,
        entries=_entries(body, form, lang),
        card_number=card_number if isinstance(card_number, str) else None,
        assurance=str(body["assurance"]) if body.get("assurance") else None,
        language=str(body["language"]) if body.get("language") else None,
        booking_code=format_code(code) if isinstance(code, str) and is_valid_code(code) else None,
        missing=missing,
    )
