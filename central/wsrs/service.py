"""What each WS RS call does (docs/bpjs-wsrs.md): bookings, visits and the doctors' quota.

**Ambil antrean** makes a Mobile JKN booking: a ``bookings`` row (``source``
``mjkn``; its nine-digit code with Damm's check digit IS BPJS's ``kodebooking``,
which the app shows and the kiosk's keypad takes) and a ``hospital_visits`` row
(``source`` ``mjkn``, state ``booked``) holding one of the doctor's JKN places
that day, taken by the hospital's conditional ``UPDATE`` on the day's counter
row (:mod:`central.hospital.quota`): two bookings for the last place, one wins.
All in one transaction: a refusal leaves nothing behind. One visit per patient,
poli and day (:func:`central.hospital.visits.live_visit_that_day`), held by the
database too: a kiosk's registration of the patient stored since the read makes
the visit's insert fail, and the booking, its place and a new record go with the
savepoint; the answer is the read's ("sudah memiliki antrean"). A place a kiosk's
allocate holds for the patient there that day, its registration still to come, holds
the day as a visit does (:func:`central.hospital.quota.held_for`; the booking's own
place records the patient too, so the database refuses one of the two taken at
once). A patient the centre
has no No. RM for at this hospital is booked all the same and answered 202;
Mobile JKN then sends **pasien baru**, which gives the No. RM.

**Check-in** from BPJS notes the arrival (``checked_in_at``); the kiosk's
check-in by card or code (:func:`central.office.bookings.check_in`) prints the
ticket and binds it to the visit. **Batal** cancels a booking not yet at a
kiosk and gives its place back. **Status** and **sisa** read the doctor's queue.

Every call is audited (``audit_log``, actor ``wsrs:<username>``); one that
reveals whether a NIK is a patient (ambil antrean, pasien baru) is also a
citizen lookup, its key kept as a keyed hash. Nothing personal is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from central.access.audit import record_event, utc_now
from central.api.deps import AppContext
from central.hospital import patients, quota, schedules, seen, visits
from central.office import bookings as office_bookings
from central.office.citizens import KeyKind, audit_lookup
from central.tables import (
    call_events,
    citizens,
    doctor_schedules,
    hospital_visits,
    medical_records,
    services,
)
from central.wsrs import shapes
from central.wsrs.shapes import (
    AmbilAntrean,
    BatalAntrean,
    CheckInAntrean,
    PasienBaru,
    StatusAntrean,
)
from contract.bookings import is_valid_code, normalise_code
from contract.errors import NikError
from contract.hospital import Payer, estimate, parse_hhmm
from contract.nik import Sex, parse_nik

__all__ = [
    "AHEAD_DAYS",
    "MJKN_GRACE",
    "ambil_antrean",
    "batal_antrean",
    "checkin_antrean",
    "pasien_baru",
    "sisa_antrean",
    "status_antrean",
]

log = logging.getLogger(__name__)

#: How far ahead Mobile JKN may book (BPJS lets the hospital decide).
AHEAD_DAYS = 30
#: How long after the doctor's hours end an unclaimed booking turns no-show.
MJKN_GRACE = dt.timedelta(hours=1)
#: What the booking answer tells the patient (the kiosk takes check-ins from
#: :data:`central.office.bookings.EARLY_CHECK_IN` before the hours start).
ARRIVE_NOTE = (
    "Peserta harap datang paling lambat 30 menit sebelum jam praktek dan check-in "
    "di anjungan dengan kode booking."
)
NEW_PATIENT_MESSAGE = (
    "Pasien baru: silakan lengkapi data pasien baru / new patient: send the patient's details"
)
REGISTER_MESSAGE = "Harap datang ke admisi untuk melengkapi data rekam medis"

_NO_POLI = "Poli tidak ditemukan di rumah sakit ini / no such poli at this hospital"
_NO_SCHEDULE = (
    "Jadwal dokter tidak ditemukan pada tanggal tersebut / the doctor has no hours that day"
)
_WRONG_HOURS = "Jam praktek tidak sesuai jadwal dokter / jampraktek is not the doctor's hours"
_PAST_DAY = "Tanggal periksa sudah lewat / tanggalperiksa is in the past"
_TOO_FAR = (
    f"Tanggal periksa paling lambat {AHEAD_DAYS} hari ke depan / at most {AHEAD_DAYS} days ahead"
)
_HOURS_OVER = "Jam praktek dokter hari ini sudah selesai / the doctor's hours today are over"
_FULL = "Kuota JKN dokter pada tanggal tersebut sudah penuh / the doctor's JKN quota is full"
_ALREADY = (
    "Anda sudah memiliki antrean di poli ini pada tanggal tersebut / "
    "there is already a booking at this poli that day"
)
_BAD_NIK = "NIK tidak valid / the NIK is not valid"
_CARD_MISMATCH = "Nomor kartu tidak sesuai dengan NIK / nomorkartu does not belong to the NIK"
_UNKNOWN = "Kode booking tidak ditemukan / no such kodebooking"
_CANCELLED = "Antrean sudah dibatalkan / the booking was cancelled"
_ALREADY_CANCELLED = "Antrean sudah dibatalkan sebelumnya / the booking was already cancelled"
NO_SHOW_REASON = office_bookings.MJKN_NO_SHOW_REASON
_NO_SHOW = (
    "Antrean sudah hangus karena pasien tidak hadir sampai jam praktek selesai / "
    "the booking lapsed: the patient did not come"
)
_AT_KIOSK = (
    "Pasien sudah check-in di rumah sakit, antrean tidak dapat dibatalkan / "
    "the patient has checked in at the hospital"
)
_NOT_TODAY_SISA = (
    "Sisa antrean hanya dapat dilihat pada hari pelayanan / only on the day of the visit"
)
_NOT_TODAY_CHECKIN = (
    "Check-in hanya dapat dilakukan pada hari pelayanan / only on the day of the visit"
)
_BAD_WAKTU = "Waktu check-in harus pada hari pelayanan / waktu must be on the day of the visit"
_NIK_DISAGREES = (
    "Tanggal lahir atau jenis kelamin tidak sesuai NIK / "
    "the date of birth or sex does not agree with the NIK"
)
_NO_BOOKING_FOR_PATIENT = (
    "Tidak ada antrean pasien baru untuk NIK ini / no new patient's booking for this NIK"
)


@dataclass(frozen=True)
class _Schedule:
    id: str
    office_id: str
    service_id: str
    namapoli: str
    kodepoli: str
    kodedokter: str
    doctor_name: str
    starts: str
    ends: str
    quota_jkn: int
    quota_non_jkn: int
    minutes_per_patient: int


def _find_schedule(
    conn: Connection, kodepoli: str, kodedokter: int, day: dt.date, starts: str, ends: str
) -> _Schedule | str:
    """The doctor's schedule at the poli that weekday with those hours, or the refusal."""
    polis = conn.execute(
        select(services.c.id).where(services.c.kodepoli == kodepoli, services.c.active.is_(True))
    ).all()
    if not polis:
        return _NO_POLI
    rows = conn.execute(
        select(doctor_schedules, services.c.name.label("namapoli"), services.c.kodepoli)
        .join(services, services.c.id == doctor_schedules.c.service_id)
        .where(
            services.c.kodepoli == kodepoli,
            services.c.active.is_(True),
            doctor_schedules.c.kodedokter == str(kodedokter),
            doctor_schedules.c.weekday == day.isoweekday(),
        )
        .order_by(doctor_schedules.c.starts, doctor_schedules.c.id)
    ).all()
    if not rows:
        return _NO_SCHEDULE
    for r in rows:
        if r.starts == starts and r.ends == ends:
            return _Schedule(
                id=r.id,
                office_id=r.office_id,
                service_id=r.service_id,
                namapoli=r.namapoli,
                kodepoli=r.kodepoli,
                kodedokter=r.kodedokter,
                doctor_name=r.doctor_name,
                starts=r.starts,
                ends=r.ends,
                quota_jkn=r.quota_jkn,
                quota_non_jkn=r.quota_non_jkn,
                minutes_per_patient=r.minutes_per_patient,
            )
    return _WRONG_HOURS


def _local(day: dt.date, hhmm: str, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, parse_hhmm(hhmm), tzinfo=zone).astimezone(dt.UTC)


def _epoch_ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def _quota_fields(conn: Connection, schedule: _Schedule, day: dt.date) -> dict[str, int]:
    """BPJS's four quota fields of the doctor's day, as of now."""
    for doctor in schedules.doctors_today(conn, schedule.office_id, day):
        if doctor.schedule_id == schedule.id:
            return {
                "sisakuotajkn": doctor.left_jkn,
                "kuotajkn": doctor.quota_jkn,
                "sisakuotanonjkn": doctor.left_non_jkn,
                "kuotanonjkn": doctor.quota_non_jkn,
            }
    return {  # pragma: no cover - the schedule was found in this transaction
        "sisakuotajkn": 0,
        "kuotajkn": schedule.quota_jkn,
        "sisakuotanonjkn": 0,
        "kuotanonjkn": schedule.quota_non_jkn,
    }


def _queue(conn: Connection, schedule_id: str, day: dt.date) -> tuple[int, int, str]:
    """(visits, visits called, the number called last or ``-``) of a doctor's day.

    Called: by the poli, ever (:func:`central.hospital.seen.called_in`), read from the
    counter steps, not from the ticket's ``called_at``, which a send-on to the pharmacy
    clears: a patient sent on stays called, and their number the last called until the
    poli calls another."""
    live = and_(
        hospital_visits.c.schedule_id == schedule_id,
        hospital_visits.c.day == day,
        hospital_visits.c.state != "cancelled",
    )
    total = conn.execute(select(func.count()).select_from(hospital_visits).where(live)).scalar_one()
    called = conn.execute(
        select(func.count())
        .select_from(hospital_visits)
        .where(live, seen.called_in(hospital_visits.c.service_id, hospital_visits.c.ticket_id))
    ).scalar_one()
    last = conn.execute(
        select(hospital_visits.c.nomorantrean)
        .select_from(
            hospital_visits.join(
                call_events,
                and_(
                    call_events.c.ticket_id == hospital_visits.c.ticket_id,
                    call_events.c.kind == seen.CALL,
                    call_events.c.queue_id == hospital_visits.c.service_id,
                ),
            )
        )
        .where(live)
        .order_by(call_events.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return int(total), int(called), last or "-"


# -- status antrean ----------------------------------------------------------------------------


def status_antrean(ctx: AppContext, req: StatusAntrean, *, actor: str) -> dict[str, Any]:
    """A doctor's queue and quota on a day (BPJS's "Status Antrean")."""
    with ctx.db.begin() as conn:
        found = _find_schedule(
            conn, req.kodepoli, req.kodedokter, req.tanggalperiksa, req.starts, req.ends
        )
        if isinstance(found, str):
            return shapes.failed(found)
        total, called, last = _queue(conn, found.id, req.tanggalperiksa)
        answer = {
            "namapoli": found.namapoli,
            "namadokter": found.doctor_name,
            "totalantrean": total,
            "sisaantrean": total - called,
            "antreanpanggil": last,
            **_quota_fields(conn, found, req.tanggalperiksa),
            "keterangan": "",
        }
        record_event(
            conn,
            actor=actor,
            action="wsrs_status_antrean",
            subject=found.id,
            detail=req.tanggalperiksa.isoformat(),
        )
    return shapes.ok(answer)


# -- ambil antrean --------------------------------------------------------------------------------


def _patient(conn: Connection, req: AmbilAntrean, office_id: str) -> tuple[int | None, str] | str:
    """(citizen id or ``None`` for a NIK new to the city, No. RM or ``""``), or the refusal.

    Reads only: a new citizen's record is made with the booking (:func:`_new_citizen`).
    The NIK's record and the card's holder are read in one statement, so both come from
    one snapshot: read apart, a record another call committed in between was missing by
    NIK yet found by card, and the same patient was told the card was another's.
    """
    found = conn.execute(
        select(citizens.c.id, citizens.c.nik, citizens.c.bpjs_number).where(
            or_(citizens.c.nik == req.nik, citizens.c.bpjs_number == req.nomorkartu)
        )
    ).all()
    row = next((r for r in found if r.nik == req.nik), None)
    holder = next((r.id for r in found if r.bpjs_number == req.nomorkartu), None)
    if row is None:
        if holder is not None:
            return _CARD_MISMATCH
        try:
            parse_nik(req.nik)
        except NikError:
            return _BAD_NIK
        return None, ""
    if (row.bpjs_number and row.bpjs_number != req.nomorkartu) or (
        holder is not None and holder != row.id
    ):
        return _CARD_MISMATCH
    norm = conn.execute(
        select(medical_records.c.medical_record_number).where(
            medical_records.c.citizen_id == row.id, medical_records.c.office_id == office_id
        )
    ).scalar_one_or_none()
    return int(row.id), norm or ""


def _new_citizen(conn: Connection, req: AmbilAntrean, now: dt.datetime) -> int | str:
    """A record for a NIK BPJS knows and the city not yet: NIK and card number; pasien baru
    fills in the rest (never a name guessed). Its id, or the refusal.

    Two calls for one new NIK at once (BPJS retrying, two processes): the insert is
    in a savepoint, and the one that loses the unique index reads the winner's
    record, refused only if its card number is another's.
    """
    try:
        with conn.begin_nested():
            return int(
                conn.execute(
                    insert(citizens)
                    .values(nik=req.nik, full_name="", bpjs_number=req.nomorkartu, updated_at=now)
                    .returning(citizens.c.id)
                ).scalar_one()
            )
    except IntegrityError:
        pass
    row = conn.execute(
        select(citizens.c.id, citizens.c.bpjs_number).where(citizens.c.nik == req.nik)
    ).first()
    if row is None or (row.bpjs_number and row.bpjs_number != req.nomorkartu):
        return _CARD_MISMATCH  # the card number is another NIK's
    return int(row.id)


def _card_kept(conn: Connection, citizen_id: int, nomorkartu: str, now: dt.datetime) -> bool:
    """Give the citizen's record the card ``nomorkartu`` if it has none; whether the
    record holds that card now.

    Read before, the record had no card or this one; another call may have committed
    meanwhile: a card of its own for this record (the update then changes nothing and
    the record is read again), or this card for another NIK (the unique index refuses
    the update, in a savepoint). Either is this call's card mismatch, never a 500 nor
    a booking under a card the record does not hold.
    """
    try:
        with conn.begin_nested():
            conn.execute(
                update(citizens)
                .where(citizens.c.id == citizen_id, citizens.c.bpjs_number.is_(None))
                .values(bpjs_number=nomorkartu, updated_at=now)
            )
    except IntegrityError:
        return False
    held = conn.execute(
        select(citizens.c.bpjs_number).where(citizens.c.id == citizen_id)
    ).scalar_one_or_none()
    return held == nomorkartu


def ambil_antrean(ctx: AppContext, req: AmbilAntrean, *, actor: str) -> dict[str, Any]:
    """Book a JKN place with the doctor (BPJS's "Ambil Antrean"); 202 for a new patient."""
    now = utc_now()
    zone = ctx.settings.zone
    today = now.astimezone(zone).date()
    day = req.tanggalperiksa
    if day < today:
        return shapes.failed(_PAST_DAY)
    if day > today + dt.timedelta(days=AHEAD_DAYS):
        return shapes.failed(_TOO_FAR)
    with ctx.db.begin() as conn:
        return _ambil(conn, req, audit_key=ctx.audit_key, zone=zone, now=now, actor=actor)


def _ambil(
    conn: Connection,
    req: AmbilAntrean,
    *,
    audit_key: bytes,
    zone: ZoneInfo,
    now: dt.datetime,
    actor: str,
) -> dict[str, Any]:
    """Ambil antrean in the caller's transaction."""
    day = req.tanggalperiksa
    found = _find_schedule(conn, req.kodepoli, req.kodedokter, day, req.starts, req.ends)
    if isinstance(found, str):
        return shapes.failed(found)
    slot_start, slot_end = _local(day, found.starts, zone), _local(day, found.ends, zone)
    if now >= slot_end:
        return shapes.failed(_HOURS_OVER)
    patient = _patient(conn, req, found.office_id)
    audit_lookup(
        conn,
        KeyKind.NIK,
        req.nik,
        staff_username=actor,
        audit_key=audit_key,
        found=not isinstance(patient, str) and patient[0] is not None,
        audit_kind="wsrs_nik",
    )
    if isinstance(patient, str):
        return shapes.failed(patient)
    known, norm = patient
    if known is not None:  # a booking of theirs there that day that lapsed is closed first
        # (its doctor's day and the one the booking takes a place on held in their order)
        office_bookings.mark_lapsed(conn, known, found.service_id, day, now, [(found, day)])
    holder = visits.holder(audit_key, req.nik)
    if visits.live_visit_that_day(conn, known, req.nik, found.service_id, day) or quota.held_for(
        conn, holder, found.service_id, day
    ):
        # a visit of theirs there that day, or a kiosk's ticket whose registration is to come
        return shapes.failed(_ALREADY)
    # The booking, a new record and the place together or not at all (the audit stays).
    attempt = conn.begin_nested()
    citizen_id = known if known is not None else _new_citizen(conn, req, now)
    if isinstance(citizen_id, str):
        attempt.rollback()
        return shapes.failed(citizen_id)
    if known is not None and not _card_kept(conn, known, req.nomorkartu, now):
        attempt.rollback()
        return shapes.failed(_CARD_MISMATCH)
    code = office_bookings.book_mjkn(
        conn,
        office_id=found.office_id,
        service_id=found.service_id,
        day=day,
        starts_at=found.starts,
        ends_at=found.ends,
        slot_start=slot_start,
        slot_end=slot_end,
        no_show_after=slot_end + MJKN_GRACE,
        citizen_id=citizen_id,
        now=now,
    )
    if code is None:
        attempt.rollback()
        return shapes.failed(_ALREADY)
    try:
        place = quota.take(
            conn, f"booking:{code}", found, day, Payer.JKN, now, holder=holder, kodebooking=code
        )
    except IntegrityError as exc:
        attempt.rollback()
        if not quota.held_twice(exc):
            raise
        # a kiosk's allocate for the patient took a place at the poli since the read
        log.info("Mobile JKN booking refused: the patient's place at the poli was just taken")
        return shapes.failed(_ALREADY)
    if place is None:
        attempt.rollback()
        return shapes.failed(_FULL)
    nomorantrean = quota.nomorantrean(found.kodepoli, place.angka)
    estimated = estimate(parse_hhmm(found.starts), place.angka, found.minutes_per_patient)
    try:
        _insert_visit(
            conn,
            req,
            found,
            code=code,
            citizen_id=citizen_id,
            norm=norm,
            angka=place.angka,
            nomorantrean=nomorantrean,
            estimated=estimated,
            now=now,
        )
    except IntegrityError as exc:
        attempt.rollback()
        if not visits.second_visit(exc):
            raise
        # a kiosk's or another call's visit of the patient at the poli committed since
        # the read: the booking, a new record and the place go with the savepoint
        log.info("Mobile JKN booking refused: the patient's day at the poli was just taken")
        return shapes.failed(_ALREADY)
    attempt.commit()
    answer = {
        "nomorantrean": nomorantrean,
        "angkaantrean": place.angka,
        "kodebooking": code,
        "norm": norm,
        "namapoli": found.namapoli,
        "namadokter": found.doctor_name,
        "estimasidilayani": _epoch_ms(_local(day, estimated.strftime("%H:%M"), zone)),
        **_quota_fields(conn, found, day),
        "keterangan": ARRIVE_NOTE,
    }
    record_event(
        conn,
        actor=actor,
        action="wsrs_booking_made",
        subject=code,
        detail=f"{found.office_id}/{found.service_id} {day.isoformat()} {found.id}",
    )
    log.info("Mobile JKN booking made at %s/%s for %s", found.office_id, found.service_id, day)
    if norm:
        return shapes.ok(answer)
    return shapes.ok(answer, code=shapes.NEW_PATIENT, message=NEW_PATIENT_MESSAGE)


def _insert_visit(
    conn: Connection,
    req: AmbilAntrean,
    found: _Schedule,
    *,
    code: str,
    citizen_id: int,
    norm: str,
    angka: int,
    nomorantrean: str,
    estimated: dt.time,
    now: dt.datetime,
) -> None:
    """The booking's visit (``booked``); refused by the database's
    :data:`central.hospital.visits.ONE_VISIT_A_DAY` when the patient's day at the poli
    was taken since the read."""
    conn.execute(
        insert(hospital_visits).values(
            ticket_id=None,
            kodebooking=code,
            office_id=found.office_id,
            service_id=found.service_id,
            schedule_id=found.id,
            kodepoli=found.kodepoli,
            kodedokter=found.kodedokter,
            doctor_name=found.doctor_name,
            jampraktek=f"{found.starts}-{found.ends}",
            day=req.tanggalperiksa,
            payer=Payer.JKN.value,
            citizen_id=citizen_id,
            norm=norm or None,
            nomorkartu=req.nomorkartu,
            nik=req.nik,
            phone=req.nohp,
            new_patient=not norm,
            jeniskunjungan=req.jeniskunjungan,
            nomorreferensi=req.nomorreferensi,
            nomorantrean=nomorantrean,
            angkaantrean=angka,
            estimated_at=estimated.strftime("%H:%M"),
            source="mjkn",
            booking_code=code,
            state="booked",
            over_quota=False,
            created_at=now,
        )
    )


# -- one booking: sisa, batal, check-in -------------------------------------------------------


def _visit(conn: Connection, kodebooking: str) -> Any | None:
    """The Mobile JKN visit of ``kodebooking`` (spaces and dashes allowed), or ``None``."""
    code = normalise_code(kodebooking)
    if code is None or not is_valid_code(code):
        return None
    return conn.execute(
        select(hospital_visits, services.c.name.label("namapoli"))
        .join(services, services.c.id == hospital_visits.c.service_id)
        .where(hospital_visits.c.kodebooking == code, hospital_visits.c.source == "mjkn")
    ).first()


def sisa_antrean(ctx: AppContext, kodebooking: str, *, actor: str) -> dict[str, Any]:
    """How many are still ahead of a booking, on its day (BPJS's "Sisa Antrean")."""
    now = utc_now()
    with ctx.db.begin() as conn:
        visit = _visit(conn, kodebooking)
        if visit is None:
            return shapes.failed(_UNKNOWN)
        if visit.state == "cancelled":
            return shapes.failed(_NO_SHOW if visit.cancel_reason == NO_SHOW_REASON else _CANCELLED)
        if visit.day != now.astimezone(ctx.settings.zone).date():
            return shapes.failed(_NOT_TODAY_SISA)
        minutes = conn.execute(
            select(doctor_schedules.c.minutes_per_patient).where(
                doctor_schedules.c.id == visit.schedule_id
            )
        ).scalar_one_or_none()
        # Those the poli has not called yet up to this booking's number, the booking itself
        # included (BPJS's formula: waktutunggu = SPM × (sisaantrean − 1)); one sent on to
        # the pharmacy was called (:func:`central.hospital.seen.called_in`).
        sisa = conn.execute(
            select(func.count())
            .select_from(hospital_visits)
            .where(
                hospital_visits.c.schedule_id == visit.schedule_id,
                hospital_visits.c.day == visit.day,
                hospital_visits.c.state != "cancelled",
                hospital_visits.c.angkaantrean <= visit.angkaantrean,
                ~seen.called_in(hospital_visits.c.service_id, hospital_visits.c.ticket_id),
            )
        ).scalar_one()
        _, _, last = _queue(conn, visit.schedule_id, visit.day)
        record_event(conn, actor=actor, action="wsrs_sisa_antrean", subject=visit.kodebooking)
    sisa = int(sisa)
    return shapes.ok(
        {
            "nomorantrean": visit.nomorantrean,
            "namapoli": visit.namapoli,
            "namadokter": visit.doctor_name,
            "sisaantrean": sisa,
            "antreanpanggil": last,
            "waktutunggu": max(0, sisa - 1) * (minutes or 0) * 60,
            "keterangan": "",
        }
    )


def batal_antrean(ctx: AppContext, req: BatalAntrean, *, actor: str) -> dict[str, Any]:
    """Cancel a booking the patient has not checked in; its JKN place is free again (BPJS's
    "Batal").

    The booking row is held first (:func:`central.office.bookings.lock_mjkn`, the one
    lock order), then the visit is read again: the answer is the state as it is once
    nobody else can change it, so of two cancels one is Ok and the other "already
    cancelled", and a check-in (at a kiosk or from BPJS) that came first wins.
    """
    now = utc_now()
    with ctx.db.begin() as conn:
        first = _visit(conn, req.kodebooking)
        if first is None:
            return shapes.failed(_UNKNOWN)
        office_bookings.lock_mjkn(conn, first.kodebooking)
        visit = _visit(conn, req.kodebooking) or first  # the row is kept, never deleted
        refusal = _why_not_cancel(visit)
        if refusal is not None:
            return shapes.failed(refusal)
        conn.execute(
            update(hospital_visits)
            .where(hospital_visits.c.id == visit.id)
            .values(state="cancelled", cancelled_at=now, cancel_reason=req.keterangan or None)
        )
        office_bookings.cancel_mjkn(conn, visit.kodebooking, now=now)
        quota.release(conn, f"booking:{visit.kodebooking}", now)
        record_event(conn, actor=actor, action="wsrs_booking_cancelled", subject=visit.kodebooking)
    return shapes.ok()


def _why_not_cancel(visit: Any) -> str | None:
    """Why the visit (read with its booking held) cannot be cancelled, or ``None``."""
    if visit.state == "cancelled":
        return _NO_SHOW if visit.cancel_reason == NO_SHOW_REASON else _ALREADY_CANCELLED
    if visit.state != "booked" or visit.ticket_id is not None or visit.checked_in_at is not None:
        return _AT_KIOSK  # checked in at a kiosk or through BPJS, or served
    return None


def checkin_antrean(ctx: AppContext, req: CheckInAntrean, *, actor: str) -> dict[str, Any]:
    """BPJS says the patient has arrived (BPJS's "Check-In"): noted on the visit.

    The ticket comes from the kiosk (card or code), which binds it to the visit.
    """
    now = utc_now()
    zone = ctx.settings.zone
    # BPJS's clock, trusted to the minute: a time ahead of ours is taken as now.
    at = min(dt.datetime.fromtimestamp(req.waktu_ms / 1000, dt.UTC), now)
    with ctx.db.begin() as conn:
        first = _visit(conn, req.kodebooking)
        if first is None:
            return shapes.failed(_UNKNOWN)
        office_bookings.lock_mjkn(conn, first.kodebooking)  # the one lock order: booking first
        visit = _visit(conn, req.kodebooking) or first
        if visit.state == "cancelled":
            return shapes.failed(_NO_SHOW if visit.cancel_reason == NO_SHOW_REASON else _CANCELLED)
        if visit.day != now.astimezone(zone).date():
            return shapes.failed(_NOT_TODAY_CHECKIN)
        # BPJS's time must be on the visit's day; a time before the booking was made
        # (clocks differ by a little) is taken as the booking's time.
        if at.astimezone(zone).date() != visit.day:
            return shapes.failed(_BAD_WAKTU)
        at = max(at, visit.created_at)
        if visit.checked_in_at is None:
            conn.execute(
                update(hospital_visits)
                .where(hospital_visits.c.id == visit.id, hospital_visits.c.checked_in_at.is_(None))
                .values(checked_in_at=at)
            )
        if visit.state == "booked":
            conn.execute(
                update(hospital_visits)
                .where(hospital_visits.c.id == visit.id, hospital_visits.c.state == "booked")
                .values(state="checked_in")
            )
        record_event(conn, actor=actor, action="wsrs_checked_in", subject=visit.kodebooking)
    return shapes.ok(message="Ok")


# -- pasien baru --------------------------------------------------------------------------------


def pasien_baru(ctx: AppContext, req: PasienBaru, *, actor: str) -> dict[str, Any]:
    """A new patient's details: their No. RM at the hospital of their booking."""
    now = utc_now()
    with ctx.db.begin() as conn:
        visit = conn.execute(
            select(hospital_visits.c.office_id, hospital_visits.c.citizen_id)
            .where(
                hospital_visits.c.nik == req.nik,
                hospital_visits.c.source == "mjkn",
                hospital_visits.c.state.in_(("booked", "checked_in")),
            )
            .order_by(hospital_visits.c.created_at.desc())
            .limit(1)
        ).first()
        audit_lookup(
            conn,
            KeyKind.NIK,
            req.nik,
            staff_username=actor,
            audit_key=ctx.audit_key,
            found=visit is not None,
            audit_kind="wsrs_nik",
        )
        if visit is None:
            return shapes.failed(_NO_BOOKING_FOR_PATIENT)
        sex = Sex.FEMALE if req.jeniskelamin == "P" else Sex.MALE
        try:
            agrees = parse_nik(req.nik).matches(req.tanggallahir, sex)
        except NikError:
            return shapes.failed(_BAD_NIK)
        if not agrees:
            return shapes.failed(_NIK_DISAGREES)
        # Locked (PostgreSQL): a call filling the same record at once waits, then reads
        # what this one filled; what it lacks is then worked out from the record as it is.
        citizen = conn.execute(
            select(citizens).where(citizens.c.nik == req.nik).with_for_update()
        ).first()
        if citizen is None or (citizen.bpjs_number and citizen.bpjs_number != req.nomorkartu):
            return shapes.failed(_CARD_MISMATCH)
        if not _card_kept(conn, int(citizen.id), req.nomorkartu, now):
            return shapes.failed(_CARD_MISMATCH)  # the card went to another NIK meanwhile
        # What the city's record lacks, from BPJS; never overwriting what it has.
        fill: dict[str, Any] = {}
        for column, value in (
            ("full_name", req.nama),
            ("birth_date", req.tanggallahir),
            ("sex", req.jeniskelamin),
            ("address", req.alamat or None),
            ("family_card_number", req.nomorkk or None),
        ):
            if value and not citizen._mapping[column]:
                fill[column] = value
        if fill:
            conn.execute(
                update(citizens).where(citizens.c.id == citizen.id).values(**fill, updated_at=now)
            )
        norm = _ensure_norm(conn, visit.office_id, int(citizen.id))
        conn.execute(
            update(hospital_visits)
            .where(
                hospital_visits.c.citizen_id == citizen.id,
                hospital_visits.c.office_id == visit.office_id,
                hospital_visits.c.norm.is_(None),
            )
            .values(norm=norm)
        )
        record_event(conn, actor=actor, action="wsrs_new_patient", subject=visit.office_id)
    return shapes.ok({"norm": norm}, message=REGISTER_MESSAGE)


def _ensure_norm(conn: Connection, office_id: str, citizen_id: int) -> str:
    """The citizen's No. RM at the office, the office's next one if none yet."""
    held = patients.norm_of(conn, citizen_id, office_id)
    if held is not None:
        return held
    norm = patients.next_norm(conn, office_id)
    conn.execute(
        insert(medical_records).values(
            citizen_id=citizen_id, office_id=office_id, medical_record_number=norm
        )
    )
    return norm
