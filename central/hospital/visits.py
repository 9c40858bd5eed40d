"""Hospital visits: a registration's ``hospital`` object made a visit, exactly once; a cancel.

* :func:`take_for_ticket`: the quota place an online ticket takes in its
  allocate's transaction (``POST /api/v1/tickets/allocate`` with
  ``hospital``); none left is 409 ``quota_full`` and no number is used.
* :func:`register`: the visit, when the ticket's registration reaches the
  centre (once: the submission's idempotency). It takes the place the
  allocate did not (an offline kiosk), beyond the quota if none is left
  (``over_quota``, shown to staff: nothing is lost), then calls
  :func:`central.integrations.triggers.visit_registered`.
* :func:`cancel`: a ``visit_cancel`` submission: the visit cancelled, its
  ticket closed, its place given back, then
  :func:`central.integrations.triggers.visit_cancelled`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from central.errors import ApiError, QuotaFull, Unprocessable
from central.hospital import quota, schedules
from central.integrations import triggers
from central.live import notify
from central.office.queue import OPEN, VOID
from central.tables import citizens, hospital_visits, medical_records, tickets
from contract.hospital import HospitalRequest, Payer
from contract.wire import ErrorCode

log = logging.getLogger(__name__)

REGISTERED, BOOKED, CHECKED_IN, CANCELLED, DONE = (
    "registered",
    "booked",
    "checked_in",
    "cancelled",
    "done",
)


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
    conn: Connection, office_id: str, service_id: str, schedule_id: str
) -> tuple[Any, schedules.Poli]:
    schedule = schedules.find(conn, office_id, schedule_id)
    poli = schedules.polis(conn, office_id).get(schedule.service_id)
    if schedule.service_id != service_id or poli is None:
        raise Unprocessable(
            "Jadwal dokter ini bukan untuk poli yang dipilih. / "
            "This doctor's schedule is not for the chosen poli.",
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
) -> Placed:
    """The place of ``ticket_id`` with today's doctor; 409 ``quota_full`` when none is left."""
    schedule, poli = _schedule(conn, office_id, service_id, schedule_id)
    if schedule.weekday != day.isoweekday():
        raise Unprocessable(
            "Dokter ini tidak praktik hari ini. / This doctor does not practise today.",
            code=ErrorCode.UNKNOWN_SCHEDULE,
        )
    taken = quota.take(conn, ticket_id, schedule, day, payer, now)
    if taken is None:
        raise QuotaFull(payer.value)
    return Placed(
        taken.kodebooking,
        taken.angka,
        quota.nomorantrean(poli.kodepoli, taken.angka),
        quota.estimated_at(schedule, taken.angka),
    )


def _citizen(
    conn: Connection, office_id: str, request: HospitalRequest, body: dict[str, Any]
) -> Any:
    """The registry's row of the patient: by No. RM here, BPJS number, NIK, then city card."""
    values = body.get("values") if isinstance(body.get("values"), dict) else {}
    assert isinstance(values, dict)  # noqa: S101 - narrowed just above
    if request.norm:
        row = conn.execute(
            select(citizens)
            .join(medical_records, medical_records.c.citizen_id == citizens.c.id)
            .where(
                medical_records.c.office_id == office_id,
                medical_records.c.medical_record_number == request.norm,
            )
        ).first()
        if row is not None:
            return row
    keys = (
        (citizens.c.bpjs_number, request.nomorkartu),
        (citizens.c.nik, values.get("nik")),
        (citizens.c.card_number, body.get("card_number")),
    )
    for column, value in keys:
        if isinstance(value, str) and value:
            row = conn.execute(select(citizens).where(column == value)).first()
            if row is not None:
                return row
    return None


def _text(value: object, longest: int) -> str | None:
    return value[:longest] if isinstance(value, str) and value else None


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
) -> dict[str, Any]:
    """Make the visit of a registered ticket; what the registration's result says of it."""
    done = conn.execute(
        select(hospital_visits).where(hospital_visits.c.ticket_id == ticket_id)
    ).first()
    if done is not None:  # a Mobile JKN booking checked in with this ticket, or a replay
        return _result(done)
    try:
        schedule, poli = _schedule(conn, office_id, service_id, request.schedule_id)
    except ApiError as exc:  # deleted or moved since the kiosk cached it
        log.warning("a registration names no usable schedule: the ticket stays a plain one")
        return {"error": "unknown_schedule", "detail": exc.detail}
    taken = quota.take(conn, ticket_id, schedule, day, request.payer, now, force=True)
    assert taken is not None  # noqa: S101 - a forced take always takes
    if taken.over_quota:
        log.warning("a visit registered beyond its doctor's quota: staff check it")
    citizen = _citizen(conn, office_id, request, body)
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
        "service_id": service_id,
        "schedule_id": schedule.id,
        "kodepoli": poli.kodepoli,
        "kodedokter": schedule.kodedokter,
        "doctor_name": schedule.doctor_name,
        "jampraktek": f"{schedule.starts}-{schedule.ends}",
        "day": day,
        "payer": request.payer.value,
        "citizen_id": citizen.id if citizen is not None else None,
        "norm": norm or None,
        "nomorkartu": request.nomorkartu or (citizen.bpjs_number if citizen else None),
        "nik": _text(values.get("nik"), 16) or (citizen.nik if citizen else None),
        "phone": _text(values.get("phone"), 20) or (citizen.phone if citizen else None),
        "new_patient": request.new_patient,
        "jeniskunjungan": request.jeniskunjungan,
        "nomorreferensi": request.nomorreferensi or None,
        "nomorantrean": quota.nomorantrean(poli.kodepoli, taken.angka),
        "angkaantrean": taken.angka,
        "estimated_at": quota.estimated_at(schedule, taken.angka),
        "source": "desk" if body.get("desk") is True else "kiosk",
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
    return _result_of(row)


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


def cancel(conn: Connection, office_id: str, ticket_id: str, reason: str, now: dt.datetime) -> str:
    """Cancel the visit of ``ticket_id``: ``cancelled``, ``done`` or ``unknown_visit``.

    Idempotent: a cancelled visit answers ``cancelled`` again and nothing moves.
    A visit whose ticket was served already (``done``) stays as it is.
    """
    visit = conn.execute(
        select(hospital_visits)
        .where(hospital_visits.c.ticket_id == ticket_id, hospital_visits.c.office_id == office_id)
        .with_for_update()
    ).first()
    if visit is None:
        return "unknown_visit"
    if visit.state == CANCELLED:
        return CANCELLED
    ticket = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    served = ticket is not None and ticket.status not in (*OPEN, VOID)
    if visit.state == DONE or served:
        return DONE
    return _close(conn, visit, reason, now)


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
    quota.release(conn, visit.ticket_id, now)
    triggers.visit_cancelled(conn, visit.ticket_id, now)
    notify(conn, visit.office_id)
    return CANCELLED
