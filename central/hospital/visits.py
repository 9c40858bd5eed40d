"""Hospital visits: a registration's ``hospital`` object made a visit, exactly once; a cancel.

* :func:`check_patient`: the one check of a visit's patient (every key names
  one person, the record's; a NIK that can exist; no live visit at the poli that
  day), for the allocate and the registration alike.
* :func:`take_for_ticket`: the quota place an online ticket takes in its
  allocate's transaction (``POST /api/v1/tickets/allocate`` with
  ``hospital``); a patient :func:`check_patient` refuses is 409
  ``already_registered`` / ``identity_conflict`` or 422 ``invalid_patient``, none
  left is 409 ``quota_full``, and either way no number is used.
* :func:`register`: the visit, when the ticket's registration reaches the
  centre (once: the submission's idempotency). It checks the patient again
  (an offline kiosk's ticket was never checked; two allocates may race), takes
  the place the allocate did not (an offline kiosk), beyond the quota if none
  is left (``over_quota``, shown to staff: nothing is lost), then calls
  :func:`central.integrations.triggers.visit_registered`; refused for its patient,
  its ticket holds that place all the same (below).
* **One live visit per patient, poli and day**, whatever made it (a kiosk, the
  desk, Mobile JKN's ambil antrean): :func:`live_visit_that_day` is the read
  every path asks first, and the database holds the rule
  (:data:`ONE_VISIT_A_DAY`, two partial unique indexes): of two registrations
  at once the second insert is refused, and :func:`register` answers it as the
  read would (``already_registered``), leaving no visit, place or call behind.
* **One place held per patient, poli and day**, before the visit exists: the
  place an allocate takes records the patient it checked (:func:`holder`, a keyed
  hash of the NIK), so a second allocate for them finds it
  (:func:`central.hospital.quota.held_for`) or, at the same moment on another
  server process, is refused by the database
  (:data:`central.tables.uq_hold_nik_day`): either way ``already_registered``,
  no number used. A registration's own place is no other's; a place given back
  (a void, a cancel, a no-show, a registration that asked for no visit) holds
  nothing, nor does the place of a registration refused for its patient.
* **A poli registration's ticket holds its doctor's place whatever the centre found of
  its patient**: a refused one keeps its allocate's place, or takes one, moving the places
  left as a visit made would (:func:`_held_till_it_closes`, :func:`_place`), so the
  doctor's places left (``doctors/today``) tell a kiosk nothing of the patient. The place
  serves nobody (the desk registers the citizen on a ticket of its own) and is given back
  only when the ticket closes without a visit (its kiosk's cancel: :func:`_cancel_unmade`;
  a no-show staff mark at the poli's counter: :func:`_no_show_unregistered`): until then
  the doctor has a place fewer, and a citizen registered again at the desk holds two.
* :func:`cancel`: a ``visit_cancel`` submission, of the sending kiosk's own ticket
  only (:func:`own_ticket`; any other is ``unknown_visit``): the visit cancelled, its
  ticket closed, its place given back (the ticket's, or the Mobile JKN booking's it
  was checked in with: the patient's day at the poli is free again), then
  :func:`central.integrations.triggers.visit_cancelled`.
* **One lock order** for a ticket and its visit, on every path that changes both: the
  ``tickets`` row first, then the ``hospital_visits`` row. A counter's step updates the
  ticket, then its visit (:func:`after_counter_step`); a registration writes its ticket,
  then the Mobile JKN booking it checks in, then the visit (:func:`register`); a cancel
  holds the ticket (:func:`own_ticket`), then the visit (:func:`cancel`). A place given
  back (the doctor's day, ``doctor_quota``) comes after both; so a kiosk's batch holds
  the tickets it cancels before anything else of it (:func:`hold_own_tickets`).
  Several rows of one kind are taken in one sorted order: a kiosk's batch numbers its
  queues by (office, service, day) (:mod:`central.office.submissions`), and holds every
  doctor's day it takes or gives back a place on by (schedule, day) before any, once
  its tickets and check-ins are held (:func:`hold_doctors_days`); the no-shows' marking
  and a visit's two places given back hold theirs so too
  (:func:`central.hospital.quota.hold`). Else two batches at two doctors in opposite
  orders each held a day the other waited for. A queue's counter comes before a
  doctor's day: an allocate holds it before its place (:func:`take_for_ticket`,
  :func:`central.office.sequence.hold_queue`), as a batch numbers before it registers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from central.access.credentials import keyed_hash
from central.errors import (
    AlreadyRegistered,
    ApiError,
    Conflict,
    DoctorClosed,
    IdentityConflict,
    InvalidPatient,
    QuotaFull,
    Unprocessable,
)
from central.hospital import quota, schedules, seen
from central.integrations import triggers
from central.live import notify
from central.office import bookings as office_bookings
from central.office import sequence
from central.office.citizens import KeyKind, normalise_key
from central.office.queue import NO_SHOW, OPEN, VOID
from central.tables import (
    call_events,
    citizens,
    hospital_visits,
    medical_records,
    submissions,
    tickets,
    uq_visit_citizen_day,
    uq_visit_nik_day,
)
from central.upsert import one_of, refused_by
from contract.errors import HospitalError, NikError
from contract.hospital import HospitalRequest, PatientKeys, Payer, parse_hhmm
from contract.nik import parse_nik
from contract.shown import shown_kodebooking, shown_repr
from contract.wire import ErrorCode

log = logging.getLogger(__name__)

REGISTERED, BOOKED, CHECKED_IN, CANCELLED, DONE = (
    "registered",
    "booked",
    "checked_in",
    "cancelled",
    "done",
)


#: A visit's ``cancel_reason`` when its patient did not come: a Mobile JKN booking that
#: lapsed, or a ticket the counter marked ``no_show`` (WS RS answers both as a no-show).
NO_SHOW_REASON = office_bookings.MJKN_NO_SHOW_REASON
#: The database's hold on one live visit per patient, poli and day (0019_one_visit_a_day):
#: by the city's record and by the NIK, over every visit not ``cancelled``.
ONE_VISIT_A_DAY = (uq_visit_citizen_day, uq_visit_nik_day)
#: A registration's ``hospital`` result when the patient holds the day at the poli already.
ALREADY_REGISTERED = {
    "error": "already_registered",
    "detail": "Pasien sudah terdaftar di poli ini hari ini; tiket ini tetap tiket biasa, "
    "periksa di loket. / The patient already has a visit at this poli today; this ticket "
    "stays a plain one, check at the desk.",
}
#: The allocate's refusal of a patient who holds the day at the poli already.
ALREADY_REGISTERED_NOW = (
    "Pasien sudah terdaftar di poli ini hari ini; tidak ada nomor yang dipakai, silakan ke "
    "loket pendaftaran. / The patient already has a visit at this poli today; no number was "
    "used, please go to the registration desk."
)
#: A registration whose NIK or date of birth is no text at all.
NOT_TEXT = "NIK atau tanggal lahir tidak sah. / The NIK or date of birth is not valid."
#: :func:`check_patient`'s refusals as the allocate answers them.
_REFUSALS: dict[str, type[ApiError]] = {
    ErrorCode.ALREADY_REGISTERED: AlreadyRegistered,
    ErrorCode.IDENTITY_CONFLICT: IdentityConflict,
    ErrorCode.INVALID_PATIENT: InvalidPatient,
}
#: What :func:`take_for_ticket` raises for a patient it refuses (and for nothing else).
PATIENT_REFUSED = (AlreadyRegistered, IdentityConflict, InvalidPatient)


def live_visit_that_day(
    conn: Connection, citizen_id: int | None, nik: str | None, service_id: str, day: dt.date
) -> bool:
    """Whether the patient (the city's record, or the NIK) has a visit at the poli that day,
    whatever made it (Mobile JKN, a kiosk, the desk) and however far it went (booked,
    checked in, served): only a cancelled or lapsed one leaves the day free.

    The read every path that makes a visit asks first; :data:`ONE_VISIT_A_DAY` holds
    the same rule when two ask at once.
    """
    keys = []
    if citizen_id is not None:
        keys.append(hospital_visits.c.citizen_id == citizen_id)
    if nik:
        keys.append(hospital_visits.c.nik == nik)
    if not keys:
        return False  # nobody named: nothing to hold the day by
    held = conn.execute(
        select(hospital_visits.c.id)
        .where(
            or_(*keys),
            hospital_visits.c.service_id == service_id,
            hospital_visits.c.day == day,
            hospital_visits.c.state != CANCELLED,
        )
        .limit(1)
    ).first()
    return held is not None


def second_visit(exc: IntegrityError) -> bool:
    """Whether ``exc`` is :data:`ONE_VISIT_A_DAY` refusing a visit, or the database
    refusing a second place held for the patient (:func:`quota.held_twice`): another
    registration, allocate or booking of the patient at the poli that day was stored
    first (an insert in a savepoint)."""
    return refused_by(exc, *ONE_VISIT_A_DAY) or quota.held_twice(exc)


def holder(audit_key: bytes, nik: str | None) -> str | None:
    """Who a quota place is held for: the keyed hash of the patient's NIK, as a patient
    find audits it (never the NIK); ``None`` for a patient without one (nobody to hold
    the day by, as :func:`live_visit_that_day` holds none)."""
    return keyed_hash(audit_key, "patient_nik", nik) if nik else None


@shown_repr(kodebooking=shown_kodebooking)  # a Mobile JKN booking's is its code
@dataclass(frozen=True)
class Placed:
    """What a ticket's answer says of its place with the doctor."""

    kodebooking: str
    angkaantrean: int
    nomorantrean: str
    estimated_at: str
    over_quota: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kodebooking": self.kodebooking,
            "angkaantrean": self.angkaantrean,
            "nomorantrean": self.nomorantrean,
            "estimated_at": self.estimated_at,
            "over_quota": self.over_quota,
        }


def _schedule(
    conn: Connection, office_id: str, service_id: str, schedule_id: str, day: dt.date
) -> tuple[Any, schedules.Poli]:
    """The schedule and its poli, if it is of ``service_id`` and of ``day``'s weekday.

    The one check for the allocate and the registration alike: a place is
    never taken with a doctor of another poli or of another day.
    """
    schedule = schedules.find(conn, office_id, schedule_id)
    poli = schedules.polis(conn, office_id).get(schedule.service_id)
    if schedule.service_id != service_id or poli is None:
        raise Unprocessable(
            "Jadwal dokter ini bukan untuk poli yang dipilih. / "
            "This doctor's schedule is not for the chosen poli.",
            code=ErrorCode.UNKNOWN_SCHEDULE,
        )
    if schedule.weekday != day.isoweekday():
        raise Unprocessable(
            "Dokter ini tidak praktik hari ini. / This doctor does not practise today.",
            code=ErrorCode.UNKNOWN_SCHEDULE,
        )
    return schedule, poli


def take_for_ticket(
    conn: Connection,
    office_id: str,
    ticket_id: str,
    service_id: str,
    schedule_id: str,
    payer: Payer,
    day: dt.date,
    now: dt.datetime,
    local_now: dt.time,
    patient: PatientKeys | None = None,
    *,
    audit_key: bytes,
) -> Placed:
    """The place of ``ticket_id`` with today's doctor; 409 ``quota_full`` when none is left,
    409 ``doctor_closed`` when the doctor's hours ended (``local_now``: the office's clock).

    A place about to be taken is first refused to a ``patient`` the registration would
    refuse (:func:`check_patient`, the same check): 409 ``already_registered``, 409
    ``identity_conflict``, 422 ``invalid_patient``, raised before any place is taken,
    so the allocate's transaction rolls back and uses no number. The place taken records
    the patient checked (:func:`holder`): a second allocate for them at the poli that
    day finds it, or, at the same moment, is refused by the database, and is answered
    ``already_registered`` all the same. An allocate naming no patient (a kiosk older
    than the keys) is checked only at the registration, and its place holds nobody; a
    retried allocate whose place is held already is answered as it was; so is one whose
    registration has reached the centre (:func:`_as_allocated`).
    """
    ticket = conn.execute(
        select(tickets.c.status, tickets.c.registered_at).where(tickets.c.id == ticket_id)
    ).first()
    if ticket is not None and ticket.status == VOID:
        # a voided ticket holds no place: it is never numbered or placed again
        raise Conflict(
            "Tiket ini sudah dibatalkan; ambil nomor baru. / "
            "This ticket was voided; take a new number."
        )
    schedule, poli = _schedule(conn, office_id, service_id, schedule_id, day)
    held = quota.existing(conn, ticket_id)
    if ticket is not None and ticket.registered_at is not None:
        return _as_allocated(held, ticket.registered_at, schedule, poli, payer)
    if held is not None and held.released_at is not None:
        # given back (a void, a cancel, a no-show, a registration with no visit asked): an
        # allocate retried late never takes it again; only a registration does
        raise Conflict(
            "Tempat tiket ini sudah dikembalikan; ambil nomor baru. / "
            "This ticket's place was given back; take a new number."
        )
    # the queue's counter before any booking or doctor's day, as a batch takes them: the
    # allocate numbers its ticket once the place is taken (central/api/queue.py), and the
    # patient's check may close a lapsed booking of theirs (giving its place back)
    sequence.hold_queue(conn, office_id, service_id, day, now)
    holds_for: str | None = None
    if held is None and patient is not None and patient.given():
        checked = check_patient(
            conn,
            office_id,
            service_id,
            patient,
            day,
            now,
            audit_key=audit_key,
            but=ticket_id,
            taking=[(schedule, day)],  # its doctor's day and a lapsed booking's, in order
        )
        if checked.problem:
            log.info("an allocate's patient is refused (%s): no number used", checked.problem)
            raise _REFUSALS[checked.problem](checked.detail)
        holds_for = checked.holder
    if held is None and parse_hhmm(schedule.ends) <= local_now:
        raise DoctorClosed()  # a retried allocate keeps the place it took in time
    try:
        with conn.begin_nested():
            taken = quota.take(conn, ticket_id, schedule, day, payer, now, holder=holds_for)
    except IntegrityError as exc:
        if not quota.held_twice(exc):
            raise
        # another allocate for the patient took a place at the poli since the read
        log.info("an allocate lost the race for its patient's place: no number used")
        raise AlreadyRegistered(ALREADY_REGISTERED_NOW) from None
    if taken is None:
        raise QuotaFull(payer.value)
    if taken.schedule_id != schedule.id or taken.payer is not payer:
        # the ticket id holds another doctor's or payer's place: never answered as this one
        raise Conflict(
            "Tiket ini sudah memegang tempat dokter atau penjamin lain. / "
            "This ticket already holds a place with another doctor or payer."
        )
    return Placed(
        taken.kodebooking,
        taken.angka,
        quota.nomorantrean(poli.kodepoli, taken.angka),
        quota.estimated_at(schedule, taken.angka),
    )


def _as_allocated(
    held: Any, registered_at: dt.datetime, schedule: Any, poli: schedules.Poli, payer: Payer
) -> Placed:
    """The answer to an allocate retried after its ticket's registration reached the centre:
    the place the allocate took, as it was answered, whether the registration made its
    visit on it or was refused for its patient (the place held till its ticket closes either way,
    or given back since by a cancel or a no-show); ``409 conflict`` if the allocate took
    none.

    What the registration's check found of the patient (already at the poli today, a
    name or date of birth not the record's) is answered to no kiosk
    (:func:`central.office.submissions.for_kiosk`); nor is it told by a retry. No place
    is taken and no patient checked: the registration decided.
    """
    if held is None or held.taken_at >= registered_at:  # none, or the registration's own
        raise Conflict(
            "Pendaftaran tiket ini sudah diterima; ambil nomor baru. / "
            "This ticket's registration has been received; take a new number."
        )
    if held.schedule_id != schedule.id or held.payer != payer.value:
        raise Conflict(
            "Tiket ini sudah memegang tempat dokter atau penjamin lain. / "
            "This ticket already holds a place with another doctor or payer."
        )
    return Placed(
        held.kodebooking,
        held.angka,
        quota.nomorantrean(poli.kodepoli, held.angka),
        quota.estimated_at(schedule, held.angka),
    )


def _by_norm(conn: Connection, office_id: str, norm: str) -> Any:
    return conn.execute(
        select(citizens)
        .join(medical_records, medical_records.c.citizen_id == citizens.c.id)
        .where(
            medical_records.c.office_id == office_id,
            medical_records.c.medical_record_number == norm,
        )
    ).first()


def _same_name(typed: str, kept: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(kept.split()).casefold()


@dataclass(frozen=True)
class Patient:
    """Who a registration (or the allocate of its ticket) names, and whether they may
    have a visit at the poli that day: one registry row (or none) and the NIK the visit
    holds the day by, or why not (:attr:`problem`)."""

    citizen: Any = None
    #: The visit's NIK: the one typed, else the record's (``None``: neither).
    nik: str | None = field(default=None, repr=False)
    #: ``invalid_patient``, ``identity_conflict`` or ``already_registered``: no visit.
    problem: str = ""
    detail: str = ""
    #: Who the visit's quota place is held for (:func:`holder`; ``None``: nobody named).
    holder: str | None = field(default=None, repr=False)


def _refused(problem: ErrorCode, detail: str) -> Patient:
    return Patient(problem=problem.value, detail=detail)


def _patient(conn: Connection, office_id: str, keys: PatientKeys, today: dt.date) -> Patient:
    """The one patient ``keys`` name: by No. RM here, BPJS number, NIK, card.

    Every key given must name the same person, and a typed name or date of
    birth must be that person's: a visit never mixes two people's identities
    (it would reach BPJS so). A NIK is checked whole (16 digits, a real
    region and date), never cut to fit.
    """
    if keys.nik:
        try:
            parse_nik(keys.nik, reference=today)
        except NikError:
            return _refused(ErrorCode.INVALID_PATIENT, "NIK tidak sah. / The NIK is not valid.")
    birth: dt.date | None = None
    if keys.birth_date:
        try:
            birth = dt.date.fromisoformat(keys.birth_date)
        except ValueError:
            birth = None
        if birth is None or birth > today:
            return _refused(
                ErrorCode.INVALID_PATIENT,
                "Tanggal lahir tidak sah. / The date of birth is not valid.",
            )
    found: dict[Any, Any] = {}
    if keys.norm:
        row = _by_norm(conn, office_id, keys.norm)
        if row is not None:
            found[row.id] = row
    given = (
        (citizens.c.bpjs_number, keys.nomorkartu),
        (citizens.c.nik, keys.nik),
        # as the registry's lookups take a card number: in capitals, as cards are kept
        (citizens.c.card_number, normalise_key(KeyKind.CARD_NUMBER, keys.card_number)),
    )
    for column, value in given:
        if value:
            row = conn.execute(select(citizens).where(column == value)).first()
            if row is not None:
                found[row.id] = row
    if len(found) > 1:
        return _refused(
            ErrorCode.IDENTITY_CONFLICT,
            "No. RM, kartu BPJS, NIK dan kartu menunjuk orang yang berbeda; periksa "
            "di loket. / The No. RM, BPJS card, NIK and card name different people; "
            "check at the desk.",
        )
    citizen = next(iter(found.values()), None)
    if citizen is None:
        return Patient(nik=keys.nik or None)
    # A key that names nobody is still a key: one that is not this patient's (a NIK, BPJS
    # number or card no record holds, beside a No. RM naming someone who has another)
    # would be stored on their visit and reach BPJS beside their name.
    for column, value in given:
        kept_key = getattr(citizen, column.name)
        if value and kept_key and kept_key != value:
            return _refused(
                ErrorCode.IDENTITY_CONFLICT,
                "NIK, kartu BPJS atau kartu tidak sama dengan data pasien; periksa di "
                "loket. / The NIK, BPJS card or card differ from the patient's record; "
                "check at the desk.",
            )
    kept = conn.execute(
        select(medical_records.c.medical_record_number).where(
            medical_records.c.citizen_id == citizen.id,
            medical_records.c.office_id == office_id,
        )
    ).scalar_one_or_none()
    if keys.norm and kept is not None and kept != keys.norm:
        return _refused(
            ErrorCode.IDENTITY_CONFLICT,
            "No. RM ini bukan milik pasien ini; periksa di loket. / "
            "This No. RM is not this patient's; check at the desk.",
        )
    name = keys.full_name
    if (name.strip() and not _same_name(name, citizen.full_name)) or (
        birth is not None and citizen.birth_date is not None and birth != citizen.birth_date
    ):
        return _refused(
            ErrorCode.IDENTITY_CONFLICT,
            "Nama atau tanggal lahir tidak sama dengan data pasien; periksa di loket. / "
            "The name or date of birth differ from the patient's record; check at the desk.",
        )
    return Patient(citizen, keys.nik or citizen.nik or None)


def check_patient(
    conn: Connection,
    office_id: str,
    service_id: str,
    keys: PatientKeys,
    day: dt.date,
    now: dt.datetime,
    *,
    audit_key: bytes,
    but: str,
    taking: Iterable[tuple[Any, dt.date]] = (),
) -> Patient:
    """The patient ``keys`` name, and whether they may have a visit at the poli
    ``service_id`` on ``day``: the one check of the patient, for the registration
    (:func:`register`) and, before a number or a place is used, for the allocate of
    its ticket (:func:`take_for_ticket`); ``but`` is that ticket's id. ``taking``: the
    (schedule, day) the caller takes a place on next, held with the days of the places
    a lapsed booking gives back, in their one order, before any is given back.

    Refused (:attr:`Patient.problem`): ``invalid_patient`` (a NIK that cannot exist,
    a date of birth not a past date), ``identity_conflict`` (keys naming different
    people, a No. RM not the patient's, a typed name or date of birth not the
    record's), ``already_registered`` (a live visit of theirs at the poli that day:
    :func:`live_visit_that_day`; or a place held for them there that day by another
    ticket, whose registration is still to come: :func:`quota.held_for`). A Mobile JKN
    booking of theirs there that day past its grace is closed as a no-show first, as
    Mobile JKN does (in the caller's transaction: a refused allocate leaves it as it
    was). The patient's :attr:`Patient.holder` is who the visit's place is held for.
    """
    patient = _patient(conn, office_id, keys, day)
    if patient.problem:
        return patient
    patient = dataclasses.replace(patient, holder=holder(audit_key, patient.nik))
    citizen = patient.citizen
    if citizen is not None:
        office_bookings.mark_lapsed(conn, citizen.id, service_id, day, now, taking)
    citizen_id = citizen.id if citizen is not None else None
    if live_visit_that_day(conn, citizen_id, patient.nik, service_id, day) or quota.held_for(
        conn, patient.holder, service_id, day, but=but
    ):
        return dataclasses.replace(
            patient, problem=ErrorCode.ALREADY_REGISTERED.value, detail=ALREADY_REGISTERED_NOW
        )
    return patient


#: An Indonesian mobile number as the kiosk's form takes it (kiosk/session/forms.py).
_PHONE = re.compile(r"(\+62|62|0)8\d{7,12}")


def _phone(value: object) -> str | None:
    """A mobile number BPJS may be told (``nohp``), or ``None``: never one cut to fit."""
    return value if isinstance(value, str) and _PHONE.fullmatch(value) else None


def register(
    conn: Connection,
    *,
    office_id: str,
    ticket_id: str,
    service_id: str,
    day: dt.date,
    request: HospitalRequest,
    body: dict[str, Any],
    now: dt.datetime,
    audit_key: bytes,
    desk: bool = False,
) -> dict[str, Any]:
    """Make the visit of a registered ticket; what the registration's result says of it.

    ``desk``: the registering kiosk is a registration desk (staff enrolled it as one,
    :attr:`central.access.kiosks.KioskPrincipal.desk`): the visit's ``source`` is
    ``desk``, else ``kiosk``, whatever the body's ``desk`` says.

    A place the ticket holds already (its allocate) is the visit's place: a
    registration naming another doctor or payer is recorded with the doctor
    and payer of that place (what was counted and printed), and the result
    says so (``changed``). A registration with no usable schedule makes no visit and
    gives the ticket's place back (:func:`settle`, called for every registration). One
    refused for its patient (a patient it cannot name, a patient with a live visit at
    the poli that day: ``already_registered``) makes no visit, and its ticket holds its
    doctor's place as a visit would (:func:`_held_till_it_closes`): taken now, beyond the
    quota if none is left, for a ticket numbered offline, or moved to the doctor asked
    when the allocate's doctor is gone, until its ticket is cancelled or marked no-show.

    The place and the visit are taken in a savepoint: a registration that loses
    the race for the patient's day (:data:`ONE_VISIT_A_DAY`, or a place another ticket
    took for them: :func:`second_visit`) leaves neither, nor the calls
    :func:`central.integrations.triggers.visit_registered` writes. The ticket's place
    is then held for the visit's patient (:func:`holder`).
    """
    done = conn.execute(
        select(hospital_visits).where(hospital_visits.c.ticket_id == ticket_id)
    ).first()
    if done is not None:  # a Mobile JKN booking checked in with this ticket, or a replay
        return _result(done)
    try:
        schedule, poli = _schedule(conn, office_id, service_id, request.schedule_id, day)
    except ApiError as exc:  # deleted or moved since the kiosk cached it, or not today
        log.warning("a registration names no usable schedule: the ticket stays a plain one")
        return {"error": "unknown_schedule", "detail": exc.detail}
    try:
        keys = PatientKeys.of_registration(request, body)
    except HospitalError:
        log.warning("a registration's patient keys are not text: the ticket stays a plain one")
        return _held_till_it_closes(
            conn,
            office_id,
            ticket_id,
            (schedule, poli),
            day,
            request,
            now,
            {"error": "invalid_patient", "detail": NOT_TEXT},
        )
    patient = check_patient(
        conn, office_id, service_id, keys, day, now, audit_key=audit_key, but=ticket_id
    )
    if patient.problem == ErrorCode.ALREADY_REGISTERED:
        log.warning("a registration for a patient with a visit at the poli today makes none")
        return _held_till_it_closes(
            conn, office_id, ticket_id, (schedule, poli), day, request, now, ALREADY_REGISTERED
        )
    if patient.problem:
        log.warning("a registration's patient is not one person: the ticket stays a plain one")
        refused = {"error": patient.problem, "detail": patient.detail}
        return _held_till_it_closes(
            conn, office_id, ticket_id, (schedule, poli), day, request, now, refused
        )
    citizen, nik = patient.citizen, patient.nik
    try:
        with conn.begin_nested():
            return _record(
                conn,
                office_id=office_id,
                ticket_id=ticket_id,
                schedule=schedule,
                poli=poli,
                day=day,
                request=request,
                body=body,
                citizen=citizen,
                nik=nik,
                holds_for=patient.holder,
                now=now,
                desk=desk,
            )
    except IntegrityError as exc:
        if not second_visit(exc):
            raise
        # another registration of the patient at the poli committed since the read: its
        # savepoint is gone (a place this call took, the visit), as if the read had seen it
        log.warning("a registration lost the race for the patient's day at the poli: no visit")
        return _held_till_it_closes(
            conn, office_id, ticket_id, (schedule, poli), day, request, now, ALREADY_REGISTERED
        )


#: A poli registration's ``hospital`` errors that its patient decided (what the centre
#: found of them): its ticket holds its doctor's place all the same (:func:`register`).
PATIENT_REFUSALS = frozenset(
    {
        ErrorCode.ALREADY_REGISTERED.value,
        ErrorCode.IDENTITY_CONFLICT.value,
        ErrorCode.INVALID_PATIENT.value,
    }
)


def _held_till_it_closes(
    conn: Connection,
    office_id: str,
    ticket_id: str,
    asked: tuple[Any, schedules.Poli],
    day: dt.date,
    request: HospitalRequest,
    now: dt.datetime,
    result: dict[str, Any],
) -> dict[str, Any]:
    """``result`` (a registration refused for its patient), its ticket holding its doctor's
    place as a visit would (:func:`_place`, the one take of both): the place its allocate
    took, else one taken now (beyond the quota if none is left, as for a ticket numbered
    offline); one held with a doctor staff removed since is given back and one taken with
    the doctor asked.

    What the centre found of the patient is answered to no kiosk
    (:func:`central.office.submissions.for_kiosk`), and nor is it told by the doctor's
    places left (``doctors/today``): a refusal that gave its place back, or took none
    where a visit takes one, moved them otherwise than a visit made. The place serves
    nobody: it holds nobody's day (:func:`central.hospital.quota.hold_for_nobody`), and
    the desk registers the citizen on a ticket of its own, taking a place of its own. It
    is given back only when the ticket closes without a visit: its kiosk's cancel
    (:func:`_cancel_unmade`) or a no-show, which staff mark on the counter page (call the
    ticket at the poli's counter, "Tidak hadir": :func:`_no_show_unregistered`). That is
    the cost: until then the doctor has one place fewer, and a citizen the desk registered
    again holds two. Counter steps taken on the ticket before its registration arrived are
    made on it so (:func:`_steps_already_made`: a no-show gives it back).
    """
    _place(conn, office_id, ticket_id, asked, day, request, now, holder=None)
    quota.hold_for_nobody(conn, ticket_id)
    _steps_already_made(conn, ticket_id)
    return dict(result)


def _place(
    conn: Connection,
    office_id: str,
    ticket_id: str,
    asked: tuple[Any, schedules.Poli],
    day: dt.date,
    request: HospitalRequest,
    now: dt.datetime,
    *,
    holder: str | None,
) -> tuple[quota.Take, tuple[Any, schedules.Poli]]:
    """The place a registration's ticket holds, and the doctor (schedule, poli) it is
    held with, for a visit made and a refusal of its patient alike: the place its
    allocate took, with that doctor even when the registration ``asked`` for another
    (what was counted and printed); else one taken now with the doctor ``asked`` (beyond
    the quota if none is left, as for a ticket numbered offline). A place held with a
    doctor whose schedule (or poli) staff removed since is given back and one taken with
    the doctor ``asked``: the doctors' places left move alike whatever the centre found
    of the patient (``doctors/today`` tells a kiosk nothing of them).

    Both days are held already, in (schedule, day) order, by the kiosk's batch
    (:func:`hold_doctors_days`: the day each registration asks for and the day of each
    place its tickets hold), so giving one back and taking the other keeps the one order.
    """
    schedule = asked[0]
    taken = quota.take(
        conn, ticket_id, schedule, day, request.payer, now, holder=holder, force=True
    )
    assert taken is not None  # noqa: S101 - a forced take always takes
    if taken.schedule_id == schedule.id:
        return taken, asked
    try:
        held = schedules.find(conn, office_id, taken.schedule_id)
        held_poli = schedules.polis(conn, office_id).get(held.service_id)
    except ApiError:
        held, held_poli = None, None
    if held is not None and held_poli is not None:
        return taken, (held, held_poli)
    # the held doctor is gone: the one asked
    quota.release(conn, ticket_id, now)
    taken = quota.take(
        conn, ticket_id, schedule, day, request.payer, now, holder=holder, force=True
    )
    assert taken is not None  # noqa: S101 - a forced take always takes
    return taken, asked


def _record(
    conn: Connection,
    *,
    office_id: str,
    ticket_id: str,
    schedule: Any,
    poli: schedules.Poli,
    day: dt.date,
    request: HospitalRequest,
    body: dict[str, Any],
    citizen: Any,
    nik: str | None,
    holds_for: str | None,
    now: dt.datetime,
    desk: bool,
) -> dict[str, Any]:
    """Take the ticket's place and insert its visit; the registration's result."""
    asked = schedule.id
    taken, (schedule, poli) = _place(
        conn, office_id, ticket_id, (schedule, poli), day, request, now, holder=holds_for
    )
    changed: dict[str, str] = {}
    if schedule.id != asked:
        changed["schedule_id"] = schedule.id
    if taken.payer is not request.payer:
        changed["payer"] = taken.payer.value
    if changed:
        log.warning("a registration disagrees with its ticket's place: recorded as held")
    if taken.over_quota:
        log.warning("a visit registered beyond its doctor's quota: staff check it")
    values = body.get("values") if isinstance(body.get("values"), dict) else {}
    assert isinstance(values, dict)  # noqa: S101 - narrowed just above
    norm = request.norm
    if not norm and citizen is not None:
        norm = (
            conn.execute(
                select(medical_records.c.medical_record_number).where(
                    medical_records.c.citizen_id == citizen.id,
                    medical_records.c.office_id == office_id,
                )
            ).scalar_one_or_none()
            or ""
        )
    row = {
        "ticket_id": ticket_id,
        "kodebooking": taken.kodebooking,
        "office_id": office_id,
        "service_id": schedule.service_id,
        "schedule_id": schedule.id,
        "kodepoli": poli.kodepoli,
        "kodedokter": schedule.kodedokter,
        "doctor_name": schedule.doctor_name,
        "jampraktek": f"{schedule.starts}-{schedule.ends}",
        "day": day,
        "payer": taken.payer.value,
        "citizen_id": citizen.id if citizen is not None else None,
        "norm": norm or None,
        "nomorkartu": request.nomorkartu or (citizen.bpjs_number if citizen else None),
        "nik": nik,
        "phone": _phone(values.get("phone")) or (citizen.phone if citizen else None),
        # a No. RM found here makes a returning patient, whatever the kiosk thought
        "new_patient": request.new_patient and not norm,
        "jeniskunjungan": request.jeniskunjungan,
        "nomorreferensi": request.nomorreferensi or None,
        "nomorantrean": quota.nomorantrean(poli.kodepoli, taken.angka),
        "angkaantrean": taken.angka,
        "estimated_at": quota.estimated_at(schedule, taken.angka),
        "source": "desk" if desk else "kiosk",
        "booking_code": None,
        "state": REGISTERED,
        "over_quota": taken.over_quota,
        "cancel_reason": None,
        "created_at": now,
        "checked_in_at": None,
        "cancelled_at": None,
    }
    conn.execute(insert(hospital_visits).values(**row))
    triggers.visit_registered(conn, ticket_id, now)
    _steps_already_made(conn, ticket_id)
    result = _result_of(row)
    if changed:
        result["changed"] = changed
        result["detail"] = (
            "Pendaftaran memakai dokter/penjamin tempat yang dipegang tiket. / "
            "The registration was recorded with the doctor and payer of the ticket's place."
        )
    return result


def holding_places(conn: Connection, ticket_ids: list[str]) -> list[str]:
    """Those of ``ticket_ids`` that hold a quota place, in their order: the ones
    :func:`settle` may have to give back (a batch asks once, not once a ticket)."""
    holding = quota.held(conn, ticket_ids)
    return [ticket_id for ticket_id in ticket_ids if ticket_id in holding]


def settle(
    conn: Connection, ticket_id: str, now: dt.datetime, hospital: dict[str, Any] | None = None
) -> bool:
    """Give back the place ``ticket_id`` holds unless its own visit is recorded on it, or
    its registration was refused for its patient (``hospital``, its result: one of
    :data:`PATIENT_REFUSALS`; the place is held till its ticket closes,
    :func:`_held_till_it_closes`).

    Called once for every registration, after the check-ins and the visits:
    a ticket whose registration asked for no visit (no ``hospital``), named no usable
    doctor (``invalid_hospital``, ``unknown_schedule``: decided before the patient is
    looked at, and answered), or that checked in a Mobile JKN booking (whose place is
    held under the booking), keeps no place of its own. ``True`` if one was given back.
    """
    if hospital is not None and hospital.get("error") in PATIENT_REFUSALS:
        return False
    held = quota.existing(conn, ticket_id)
    if held is None or held.released_at is not None:
        return False
    own = conn.execute(
        select(hospital_visits.c.id).where(
            hospital_visits.c.ticket_id == ticket_id,
            hospital_visits.c.kodebooking == held.kodebooking,
            hospital_visits.c.state != CANCELLED,
        )
    ).first()
    if own is not None:
        return False
    log.info("a ticket's quota place is given back: its registration made no visit on it")
    return quota.release(conn, ticket_id, now)


def _result_of(row: dict[str, Any]) -> dict[str, Any]:
    return Placed(
        row["kodebooking"],
        row["angkaantrean"],
        row["nomorantrean"],
        row["estimated_at"],
        row["over_quota"],
    ).to_json()


def _result(visit: Any) -> dict[str, Any]:
    return _result_of(dict(visit._mapping))


def cancel(
    conn: Connection,
    kiosk_id: str,
    office_id: str,
    key: str,
    reason: str,
    now: dt.datetime,
    asked_now: Collection[str] = (),
) -> str:
    """Cancel the visit of ``kiosk_id``'s ticket ``key``: ``cancelled``, ``done`` or
    ``unknown_visit``.

    A kiosk cancels only its own tickets (:func:`own_ticket`): another kiosk's ticket,
    of this office or another, is answered ``unknown_visit`` as a ticket id that does
    not exist is, and nothing moves. A ticket id anyone may read off a paper's QR code
    thus never lets one kiosk close the visit (or the unmade visit's ticket) of a
    citizen who registered at another, nor tells it that such a ticket exists.
    Idempotent: a cancelled visit answers ``cancelled`` again and nothing moves.
    A visit whose patient the doctor saw (the ticket served, or ever sent on from its
    poli, sent back since or not: :func:`central.hospital.seen.by_the_doctor`) is
    ``done`` and stays as it is. A ticket whose
    registration asked for a visit the centre did not make is answered as if it had
    (:func:`_cancel_unmade`): the answer never tells a kiosk what the registration's
    check found of its patient. ``asked_now``: the tickets whose registration, in the
    cancel's own batch, carried a ``hospital`` object (not kept as a submission yet: a
    desk's outbox sends a registration and its cancel together).

    **One lock order** for a ticket and its visit: the ``tickets`` row first, then the
    ``hospital_visits`` row, as a counter's step takes them (its guarded ``UPDATE`` of the
    ticket, then :func:`after_counter_step` on the visit). The ticket is read held
    (:func:`own_ticket`), then the visit, and the answer is decided on both as they are
    once nobody else can change them: a cancel and a counter's step on one ticket wait
    for each other instead of deadlocking (PostgreSQL ``FOR UPDATE``; SQLite has one
    writer at a time), and a ticket served while the cancel waited is ``done``, never
    ``cancelled`` from a read made before it was served.
    """
    ticket = own_ticket(conn, kiosk_id, office_id, key)
    if ticket is None:
        return "unknown_visit"
    visit = conn.execute(
        select(hospital_visits)
        .where(hospital_visits.c.ticket_id == ticket.id, hospital_visits.c.office_id == office_id)
        .with_for_update()
    ).first()
    if visit is None:
        return _cancel_unmade(conn, ticket, now, asked_now)
    if visit.state == CANCELLED:
        return CANCELLED
    served = ticket.status not in (*OPEN, VOID)
    if visit.state == DONE or served or _seen(conn, ticket):
        return DONE
    return _close(conn, visit, reason, now)


def _seen(conn: Connection, ticket: Any) -> bool:
    """Whether the doctor of ``ticket``'s poli saw its holder
    (:func:`central.hospital.seen.by_the_doctor`): the visit happened, and a cancel is
    ``done``, as a no-show is no cancel of it (:func:`_close_no_show`)."""
    return seen.by_the_doctor(conn, ticket.id, ticket.service_id)


def own_ticket(conn: Connection, kiosk_id: str, office_id: str, key: str) -> Any:
    """``kiosk_id``'s ticket of office ``office_id`` whose kiosk id is ``key``, or None.

    Found as :mod:`central.office.submissions` keeps a kiosk's tickets: under ``key``
    itself, or, when another kiosk's ticket had that id first, under the id derived
    from (kiosk, ``key``) with ``key`` kept in ``kiosk_ticket_id``
    (:func:`central.office.submissions.claimed_ticket_id`). So of two kiosks that used
    one ticket id each reaches its own ticket, never the other's. A Mobile JKN
    booking checked in at a kiosk has its visit bound to that kiosk's ticket: it is
    that kiosk's to cancel.

    The row is held for the caller's transaction (``FOR UPDATE``): the ticket is the
    first row a cancel locks, before its visit (:func:`cancel`, the one lock order).
    """
    return conn.execute(
        select(tickets)
        .where(
            tickets.c.kiosk_id == kiosk_id,
            tickets.c.office_id == office_id,
            or_(
                and_(tickets.c.id == key, tickets.c.kiosk_ticket_id.is_(None)),
                tickets.c.kiosk_ticket_id == key,
            ),
        )
        .with_for_update()
    ).first()


def hold_own_tickets(
    conn: Connection, kiosk_id: str, office_id: str, keys: Collection[str]
) -> list[str]:
    """Hold ``kiosk_id``'s tickets ``keys`` (found as :func:`own_ticket` finds each) for the
    caller's transaction, in ticket id order; another kiosk's are not touched.

    A kiosk's batch calls this for the tickets its ``visit_cancel`` items name, once its
    own tickets are written and before anything else of the batch holds a doctor's day
    (``doctor_quota``), a booking or a visit: a registration's place taken, an earlier
    cancel's place given back. A cancel gives its place back last (ticket, visit, then
    the doctor's day), as a counter's no-show does; held only when its turn came, a later
    cancel's ticket was waited for with the doctor's day of an earlier item already
    held, while the counter marking that ticket not come held it and waited for the
    doctor's day: a deadlock on PostgreSQL. Held first, the ticket is waited for with
    nothing else held, and :func:`cancel` decides later on the rows as they are then.
    The tickets' ids (a kiosk's id of another kiosk's ticket is its own ticket's).
    """
    wanted = sorted(set(keys))
    if not wanted:
        return []
    rows = conn.execute(
        select(tickets.c.id)
        .where(
            tickets.c.kiosk_id == kiosk_id,
            tickets.c.office_id == office_id,
            or_(
                and_(tickets.c.id.in_(wanted), tickets.c.kiosk_ticket_id.is_(None)),
                tickets.c.kiosk_ticket_id.in_(wanted),
            ),
        )
        .order_by(tickets.c.id)
        .with_for_update()
    ).all()
    return [row.id for row in rows]


def hold_doctors_days(
    conn: Connection,
    office_id: str,
    registrations: Iterable[tuple[str, dt.date, HospitalRequest]],
    ticket_ids: Collection[str],
    lapsed: Collection[str] = (),
) -> None:
    """Hold every doctor's day (``doctor_quota``) a kiosk's batch may take or give back a
    place on, in one order (:func:`central.hospital.quota.hold`), before it takes or gives
    back any: the day each registration's schedule asks for (``registrations``: its
    service, day and ``hospital`` object), those of the places the batch's tickets
    ``ticket_ids`` hold, or the Mobile JKN bookings their visits were checked in with, and
    those of the lapsed Mobile JKN bookings ``lapsed`` its patients' checks closed
    (:func:`close_lapsed_bookings`), their places to be given back.

    Called once the batch's tickets, the tickets it cancels, the bookings it checks in and
    its patients' lapsed bookings (each, then its visit) are held, and before any visit is
    made or cancelled: the doctor's day stays after them (the one lock order). Taken item
    by item instead, two batches registering at two doctors in opposite orders (or one
    cancelling a visit at one and registering at the other) each held a day the other
    waited for: a deadlock on PostgreSQL.
    """
    if conn.dialect.name != "postgresql":
        return  # one writer at a time: nothing to order
    taking: list[tuple[Any, dt.date]] = []
    for service_id, schedule_id, day in sorted(
        {(s, r.schedule_id, d) for s, d, r in registrations}
    ):
        try:
            taking.append((_schedule(conn, office_id, service_id, schedule_id, day)[0], day))
        except ApiError:
            continue  # no place is taken for it (register answers unknown_schedule)
    keys = list(ticket_ids)
    if keys:
        keys += [
            f"booking:{code}"
            for code in conn.execute(
                select(hospital_visits.c.booking_code).where(
                    one_of(conn.dialect.name, hospital_visits.c.ticket_id, keys),
                    hospital_visits.c.booking_code.is_not(None),
                )
            ).scalars()
        ]
    quota.hold(conn, [*keys, *(f"booking:{code}" for code in lapsed)], taking)


def close_lapsed_bookings(
    conn: Connection,
    office_id: str,
    registrations: Iterable[tuple[str, dt.date, HospitalRequest, dict[str, Any]]],
    now: dt.datetime,
) -> list[str]:
    """Close the lapsed Mobile JKN bookings (each booking, then its visit) of the patients
    a kiosk's batch registers, as each registration's check would (:func:`check_patient`,
    :func:`central.office.bookings.close_lapsed`), before the batch holds any doctor's day;
    their places are not given back yet: the bookings' codes, whose doctors' days the
    batch holds with its own (:func:`hold_doctors_days`) before it gives them back
    (:func:`central.office.bookings.give_back_lapsed`). ``registrations``: each one's
    service, day, ``hospital`` object and body; the patients in one order (their record,
    service and day).

    Closed by each registration's check instead, a booking and its visit were locked once
    the batch held its doctors' days: the reverse of the no-shows' marking (the booking,
    its visit, then the doctor's day), and a batch registering at two doctors for a
    patient whose booking lapsed deadlocked with it on PostgreSQL; the booking's doctor's
    day was held out of the batch's order too. The checks then find nothing to close.
    On SQLite, one writer at a time: nothing to order, nothing done (the checks close).
    """
    if conn.dialect.name != "postgresql":
        return []
    patients: set[tuple[int, str, dt.date]] = set()
    for service_id, day, request, body in registrations:
        try:
            _schedule(conn, office_id, service_id, request.schedule_id, day)
            keys = PatientKeys.of_registration(request, body)
        except (ApiError, HospitalError):
            continue  # the registration checks no patient (register answers why)
        patient = _patient(conn, office_id, keys, day)
        if not patient.problem and patient.citizen is not None:
            patients.add((patient.citizen.id, service_id, day))
    codes: list[str] = []
    for citizen_id, service_id, day in sorted(patients):
        codes += office_bookings.close_lapsed(conn, citizen_id, service_id, day, now)
    return codes


def _cancel_unmade(
    conn: Connection, ticket: Any, now: dt.datetime, asked_now: Collection[str] = ()
) -> str:
    """The cancel of a kiosk's own ``ticket`` that has no visit: ``unknown_visit`` unless
    its registration asked for one (a ``hospital`` object), which is then cancelled as a
    visit would be.

    Whether the registration made its visit is what the centre found of its patient
    (already at the poli today, a name or date of birth not the record's, a NIK that
    cannot exist), which no kiosk is answered (:func:`central.office.submissions.for_kiosk`).
    So the ticket of a registration that made none is closed (``void``) if still open,
    the place it holds given back (:func:`_held_till_it_closes`; none for one
    whose registration named no usable doctor), and answered word for word what the cancel of
    its visit would answer: ``cancelled``; ``cancelled`` too for a ticket the poli marked
    not come before the doctor saw them (its visit would have been closed so:
    :func:`_close_no_show`); ``done`` for one the doctor saw (:func:`_seen`: served, or
    ever sent on to a later queue, sent back or not come since or not).
    """
    if ticket.id not in asked_now and not _asked_a_visit(conn, ticket):
        return "unknown_visit"
    if ticket.status == VOID:
        return CANCELLED
    seen_by_doctor = _seen(conn, ticket)
    if ticket.status == NO_SHOW and not seen_by_doctor:
        return CANCELLED  # not come to the doctor: a visit would be closed already
    if ticket.status not in OPEN or seen_by_doctor:
        return DONE
    conn.execute(
        update(tickets)
        .where(tickets.c.id == ticket.id, tickets.c.status.in_(OPEN))
        .values(status=VOID, finished_at=now)
    )
    quota.release(conn, ticket.id, now)
    notify(conn, ticket.office_id)
    log.info("a poli ticket whose registration made no visit cancelled at the desk")
    return CANCELLED


def _asked_a_visit(conn: Connection, ticket: Any) -> bool:
    """Whether ``ticket``'s registration (as its kiosk sent it) carried a ``hospital`` object."""
    body, _ = stored_registration(conn, ticket)
    return body is not None and body.get("hospital") is not None


def stored_registration(
    conn: Connection, ticket: Any
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``ticket``'s registration as its kiosk sent it (kept under the kiosk's own key for
    the ticket) and the centre's result of it; ``None`` for what is not there. The one
    read of it: a kiosk's cancel here, the counter page
    (:func:`central.office.registrations.view`)."""
    row = conn.execute(
        select(submissions.c.body, submissions.c.result).where(
            submissions.c.kiosk_id == ticket.kiosk_id,
            submissions.c.key == (ticket.kiosk_ticket_id or ticket.id),
            submissions.c.kind == "service_registration",
        )
    ).first()
    if row is None:
        return None, None
    body, result = (json.loads(text) if text else None for text in (row.body, row.result))
    return (
        body if isinstance(body, dict) else None,
        result if isinstance(result, dict) else None,
    )


def _close(conn: Connection, visit: Any, reason: str, now: dt.datetime) -> str:
    conn.execute(
        update(hospital_visits)
        .where(hospital_visits.c.id == visit.id)
        .values(state=CANCELLED, cancelled_at=now, cancel_reason=reason[:200])
    )
    conn.execute(
        update(tickets)
        .where(tickets.c.id == visit.ticket_id, tickets.c.status.in_(OPEN))
        .values(status=VOID, finished_at=now)
    )
    _give_back(conn, visit.ticket_id, visit.booking_code, now)
    triggers.visit_cancelled(conn, visit.ticket_id, now)
    notify(conn, visit.office_id)
    return CANCELLED


def after_counter_step(conn: Connection, ticket_id: str, kind: str, at: dt.datetime) -> None:
    """A counter's step on ``ticket_id`` (central.office.calls.record): served, its visit
    is ``done`` (the last step of the day: a transfer to the pharmacy is not served yet);
    not come before the doctor saw them (``no_show``, never served nor sent on from the
    poli: :func:`central.hospital.seen.by_the_doctor`), its visit is over: ``cancelled``
    with :data:`NO_SHOW_REASON`, its place given back. BPJS was told task 99
    and SATUSEHAT the Encounter cancelled by the step itself
    (:func:`central.integrations.triggers.after_counter_step`), so the patient's day at the
    poli is free again (:data:`ONE_VISIT_A_DAY`): one who comes back registers anew.
    Nothing for a cancelled visit; a ticket whose registration has not arrived gives
    back the place its allocate took, and its registration takes the steps on its visit
    when it comes (:func:`_steps_already_made`).

    Called with the ticket held (the step's own ``UPDATE`` of it, or a registration's
    write of it): the visit is the second row locked, as in :func:`cancel`."""
    if kind == "no_show":
        _close_no_show(conn, ticket_id, at)
        return
    if kind != "served":
        return
    conn.execute(
        update(hospital_visits)
        .where(
            hospital_visits.c.ticket_id == ticket_id,
            hospital_visits.c.state.in_((REGISTERED, CHECKED_IN)),
        )
        .values(state=DONE)
    )


def _close_no_show(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """The visit of a ticket whose holder did not come when the poli called: cancelled,
    place back. Not once the doctor saw them (:func:`central.hospital.seen.by_the_doctor`:
    not come at the pharmacy the poli sent them on to, or at the poli the pharmacy sent
    them back to): the visit happened, and keeps its place."""
    poli = conn.execute(select(tickets.c.service_id).where(tickets.c.id == ticket_id)).scalar()
    if poli is None or seen.by_the_doctor(conn, ticket_id, poli):
        return
    visit = conn.execute(
        update(hospital_visits)
        .where(
            hospital_visits.c.ticket_id == ticket_id,
            hospital_visits.c.state.in_((REGISTERED, CHECKED_IN)),
        )
        .values(state=CANCELLED, cancelled_at=at, cancel_reason=NO_SHOW_REASON)
        .returning(hospital_visits.c.booking_code)
    ).first()
    if visit is None:
        _no_show_unregistered(conn, ticket_id, at)
        return
    _give_back(conn, ticket_id, visit.booking_code, at)
    log.info("a visit closed: its patient did not come when called")


def _give_back(conn: Connection, ticket_id: str, booking_code: str | None, at: dt.datetime) -> None:
    """Give back the places the visit of ``ticket_id`` holds, and with them the patient's
    day at the poli: the ticket's own (its allocate's or its registration's), and that of
    the Mobile JKN booking ``booking_code`` it was checked in with, held under the
    booking (``booking:{code}``), their doctors' days held in one order first."""
    quota.hold(conn, [ticket_id, f"booking:{booking_code}"] if booking_code else [ticket_id])
    quota.release(conn, ticket_id, at)
    if booking_code:
        quota.release(conn, f"booking:{booking_code}", at)


def _no_show_unregistered(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """A ticket not come when its poli called it with no visit: its registration not
    arrived (a kiosk that went offline after numbering it), or refused for its patient
    (its place held till its ticket closes: :func:`_held_till_it_closes`). The place it holds is
    given back as its visit's would be, so it holds the patient's day no longer (one who
    went home and came back is numbered again). The registration, should it come, makes
    the visit and ends it so, or, refused, gives back the place it holds again
    (:func:`_steps_already_made`). A ticket with a visit keeps it.

    Called only for a holder the doctor has not seen (:func:`_close_no_show` asked
    :func:`central.hospital.seen.by_the_doctor`, the one answer), so nothing here asks
    where the ticket stands: such a ticket is in its poli's queue, and its place is at
    that poli. A ticket is numbered into its own service's queue and leaves it only by a
    transfer, whose event that answer reads (a transfer out of the poli: seen); and an
    allocate takes a place only with a doctor of the ticket's own poli
    (:func:`_schedule`), for a ticket id numbered for that poli (another service's is
    refused, the place with it)."""
    if conn.execute(
        select(hospital_visits.c.id).where(hospital_visits.c.ticket_id == ticket_id)
    ).first():
        return
    take = quota.existing(conn, ticket_id)
    if take is None or take.released_at is not None:
        return
    quota.release(conn, ticket_id, at)
    log.info("a ticket not come before its registration arrived: its place is given back")


def _steps_already_made(conn: Connection, ticket_id: str) -> None:
    """The counter steps ``ticket_id`` went through before its visit was known (an
    offline kiosk's registration that reached the centre after the poli called it), made
    on the visit now, in the order they happened, as BPJS hears them
    (:func:`central.integrations.triggers.visit_registered`): served, it is ``done``;
    not come at the poli, it is over and its place given back."""
    for kind, at in conn.execute(
        select(call_events.c.kind, call_events.c.at)
        .where(call_events.c.ticket_id == ticket_id)
        .order_by(call_events.c.at, call_events.c.id)
    ).all():
        after_counter_step(conn, ticket_id, kind, at)
