"""What the centre calls when a hospital visit moves: each enqueues what BPJS and SATUSEHAT hear.

Every function runs inside the caller's transaction (``conn``), so what is
to be sent is written with what caused it or not at all. Each does nothing
for a target that is not enabled (``integration_targets``) and nothing for a
ticket that is not a hospital visit (``hospital_visits``). ``at`` is when it
happened (aware UTC), the ``waktu`` BPJS is told.

Task mapping (BPJS Antrean RS ``antrean/updatewaktu``, contract.hospital.TaskId):
a registration at a kiosk or desk is ``antrean/add`` then tasks 1, 2, 3; a
Mobile JKN check-in tasks 1, 2, 3; the poli's call 4; served, or sent on to
the pharmacy, 5; called at a pharmacy 6, served there 7; a no-show before the
doctor saw the patient (central.hospital.seen) or a cancel 99 (and
``antrean/batal`` for a cancel). SATUSEHAT: an Encounter ``arrived`` at
registration, then ``in-progress`` at the poli's call and ``finished`` when served or
sent on.

What is written (central/integrations/outbox.py), for the sender to deliver:

* BPJS rows (target ``bpjs``, order key the ``kodebooking``): kind ``add``
  (dedupe ``bpjs:add:{kodebooking}``, the body of ``antrean/add`` but
  ``estimasidilayani``, written as the local ``estimated_local`` and turned
  into epoch milliseconds at sending in the centre's time zone), kind
  ``task`` (``bpjs:task:{kodebooking}:{taskid}``, body ``{kodebooking,
  taskid, waktu}``, waktu in epoch milliseconds), kind ``batal``
  (``bpjs:batal:{kodebooking}``, body ``{kodebooking, keterangan}``).
* SATUSEHAT rows (target ``satusehat``, order key ``encounter:{ticket_id}``):
  kind ``encounter`` (dedupe ``satusehat:encounter:{ticket_id}:{status}``),
  body ``{ticket_id, status, at}`` (``at`` ISO 8601 UTC), status
  ``arrived``, ``in-progress``, ``finished`` or ``cancelled``; the SATUSEHAT
  adapter builds the FHIR resource from the visit when it sends.

The task times of a registration: 1 when the ticket was issued (the tap),
2 and 3 when the registration arrived (no earlier than 1): at a kiosk the
patient registers themselves, so admission is the registration itself. Each
task of a booking is written strictly after the ones before it (one
millisecond later when they fall on one moment). A visit that becomes known
after its ticket was already called (an offline kiosk's registration arriving
late) gets the tasks and statuses of those steps too, from ``call_events``.

Order on PostgreSQL: the outbox sends a booking's rows in ``id`` order, and
ids are taken from a sequence before commit. That order is the commit order
because every transaction that writes a booking's rows holds its ticket's
row lock first (a registration or check-in attaches or updates the ticket, a
counter step updates it, a cancel locks the visit and updates the ticket):
a second one waits for the first to commit before it writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from central.hospital import seen
from central.integrations import outbox
from central.tables import (
    call_events,
    doctor_quota,
    hospital_visits,
    integration_outbox,
    integration_targets,
    services,
    tickets,
)
from contract.hospital import Payer, TaskId

__all__ = [
    "add_body_now",
    "after_counter_step",
    "visit_cancelled",
    "visit_checked_in",
    "visit_no_show",
    "visit_registered",
]

#: Counter steps (central.office.calls) at the visit's poli, and elsewhere (a pharmacy). A
#: transfer is where it left the ticket: sent on from the poli (to the pharmacy) is
#: task 5 and the Encounter finished; into the poli (another of its counters, or sent back
#: from the pharmacy) is nothing.
_AT_POLI = {"call": TaskId.POLI, "served": TaskId.WAIT_PHARMACY}
_ELSEWHERE = {
    "call": TaskId.PHARMACY,
    "served": TaskId.MEDICINE_READY,
    "transfer": TaskId.WAIT_PHARMACY,
}
_ENCOUNTER_AT_POLI = {"call": "in-progress", "served": "finished"}
_ENCOUNTER_ELSEWHERE = {"transfer": "finished"}
CANCEL_REASON_MAX = 200


def _enabled(conn: Connection) -> frozenset[str]:
    return frozenset(
        conn.execute(
            select(integration_targets.c.target).where(integration_targets.c.enabled.is_(True))
        ).scalars()
    )


def _visit(conn: Connection, ticket_id: str) -> Any:
    return conn.execute(
        select(hospital_visits).where(hospital_visits.c.ticket_id == ticket_id)
    ).first()


def epoch_ms(at: dt.datetime) -> int:
    """BPJS's ``waktu``: milliseconds since the epoch."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    return int(at.timestamp() * 1000)


def _last_waktu(conn: Connection, kodebooking: str) -> int | None:
    """The latest ``waktu`` of the tasks already written for ``kodebooking``."""
    bodies = conn.execute(
        select(integration_outbox.c.body).where(
            integration_outbox.c.target == outbox.BPJS,
            integration_outbox.c.kind == "task",
            integration_outbox.c.order_key == kodebooking,
        )
    ).scalars()
    times = [json.loads(body).get("waktu") for body in bodies]
    return max((t for t in times if isinstance(t, int)), default=None)


def _task(conn: Connection, visit: Any, task: TaskId, at: dt.datetime, now: dt.datetime) -> None:
    """Write task ``task`` at ``at``, but always after the booking's earlier tasks (BPJS
    reads tasks of one moment as out of order: 2 and 3 of one registration, a call
    replayed for a registration that arrived after it): one millisecond later."""
    waktu = epoch_ms(at)
    last = _last_waktu(conn, visit.kodebooking)
    if last is not None and waktu <= last:
        waktu = last + 1
    outbox.enqueue(
        conn,
        target=outbox.BPJS,
        kind="task",
        dedupe_key=f"bpjs:task:{visit.kodebooking}:{int(task)}",
        order_key=visit.kodebooking,
        office_id=visit.office_id,
        body={"kodebooking": visit.kodebooking, "taskid": int(task), "waktu": waktu},
        now=now,
    )


def _encounter(conn: Connection, visit: Any, status: str, at: dt.datetime) -> None:
    outbox.enqueue(
        conn,
        target=outbox.SATUSEHAT,
        kind="encounter",
        dedupe_key=f"satusehat:encounter:{visit.ticket_id}:{status}",
        order_key=f"encounter:{visit.ticket_id}",
        office_id=visit.office_id,
        body={"ticket_id": visit.ticket_id, "status": status, "at": at.isoformat()},
        now=at,
    )


def add_body(conn: Connection, visit: Any) -> dict[str, Any]:
    """``antrean/add``'s every field for ``visit`` (a ``hospital_visits`` row), but
    ``estimasidilayani``: ``estimated_local`` (``YYYY-MM-DDTHH:MM``, the centre's zone)."""
    poli_name = conn.execute(
        select(services.c.name).where(services.c.id == visit.service_id)
    ).scalar_one_or_none()
    quota = conn.execute(
        select(doctor_quota).where(
            doctor_quota.c.schedule_id == visit.schedule_id, doctor_quota.c.day == visit.day
        )
    ).first()
    quota_jkn = quota.quota_jkn if quota is not None else 0
    quota_non = quota.quota_non_jkn if quota is not None else 0
    used_jkn = quota.used_jkn if quota is not None else 0
    used_non = quota.used_non_jkn if quota is not None else 0
    kodedokter: int | str = (
        int(visit.kodedokter)
        if visit.kodedokter.isascii() and visit.kodedokter.isdigit()
        else visit.kodedokter
    )
    jkn = visit.payer == Payer.JKN.value
    return {
        "kodebooking": visit.kodebooking,
        "jenispasien": Payer(visit.payer).bpjs,
        "nomorkartu": visit.nomorkartu or "",
        "nik": visit.nik or "",
        "nohp": visit.phone or "",
        "kodepoli": visit.kodepoli,
        "namapoli": poli_name or visit.kodepoli,
        "pasienbaru": 1 if visit.new_patient else 0,
        "norm": visit.norm or "",
        "tanggalperiksa": visit.day.isoformat(),
        "kodedokter": kodedokter,
        "namadokter": visit.doctor_name,
        "jampraktek": visit.jampraktek,
        "jeniskunjungan": int(visit.jeniskunjungan),
        "nomorreferensi": visit.nomorreferensi or "",
        "nomorantrean": visit.nomorantrean,
        "angkaantrean": int(visit.angkaantrean),
        "estimated_local": f"{visit.day.isoformat()}T{visit.estimated_at}",
        "sisakuotajkn": max(0, quota_jkn - used_jkn),
        "kuotajkn": quota_jkn,
        "sisakuotanonjkn": max(0, quota_non - used_non),
        "kuotanonjkn": quota_non,
        "keterangan": (
            "Peserta harap 30 menit lebih awal guna pencatatan administrasi."
            if jkn
            else "Pasien umum: harap datang 30 menit lebih awal."
        ),
    }


def add_body_now(conn: Connection, kodebooking: str) -> dict[str, Any] | None:
    """``antrean/add``'s body for the visit ``kodebooking`` as the centre knows it now (a
    card number or phone corrected since it was registered); ``None``: no such visit."""
    visit = conn.execute(
        select(hospital_visits).where(hospital_visits.c.kodebooking == kodebooking)
    ).first()
    return add_body(conn, visit) if visit is not None else None


def _arrived(conn: Connection, visit: Any, ticket_id: str, at: dt.datetime) -> None:
    """Tasks 1, 2, 3 and the Encounter ``arrived`` (for the enabled targets)."""
    on = _enabled(conn)
    issued = conn.execute(
        select(tickets.c.issued_at).where(tickets.c.id == ticket_id)
    ).scalar_one_or_none()
    tapped = min(issued, at) if issued is not None else at
    if outbox.BPJS in on:
        _task(conn, visit, TaskId.WAIT_ADMISSION, tapped, at)
        _task(conn, visit, TaskId.ADMISSION, at, at)
        _task(conn, visit, TaskId.WAIT_POLI, at, at)
    if outbox.SATUSEHAT in on:
        _encounter(conn, visit, "arrived", at)
    _steps_already_made(conn, ticket_id)


def _steps_already_made(conn: Connection, ticket_id: str) -> None:
    """The counter steps the ticket went through before its visit was known (an offline
    kiosk's registration that reached the centre after the poli called it): their
    tasks and Encounter statuses, in the order they happened, each once."""
    events = conn.execute(
        select(call_events.c.kind, call_events.c.queue_id, call_events.c.at)
        .where(call_events.c.ticket_id == ticket_id)
        .order_by(call_events.c.at, call_events.c.id)
    ).all()
    for event in events:
        after_counter_step(
            conn, {"id": ticket_id, "queue_id": event.queue_id}, event.kind, event.at
        )


def visit_registered(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """A visit was registered at a kiosk or desk for ``ticket_id`` (not a Mobile JKN booking).

    Enqueues BPJS ``antrean/add`` and tasks 1, 2, 3, and SATUSEHAT's Encounter
    ``arrived``, for the enabled targets.
    """
    visit = _visit(conn, ticket_id)
    if visit is None or visit.source == "mjkn":
        return
    if outbox.enabled(conn, outbox.BPJS):
        outbox.enqueue(
            conn,
            target=outbox.BPJS,
            kind="add",
            dedupe_key=f"bpjs:add:{visit.kodebooking}",
            order_key=visit.kodebooking,
            office_id=visit.office_id,
            body=add_body(conn, visit),
            now=at,
        )
    _arrived(conn, visit, ticket_id, at)


def visit_checked_in(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """A Mobile JKN booking was checked in at a kiosk, its ticket ``ticket_id``.

    Enqueues BPJS tasks 1, 2, 3 (the booking was added by Mobile JKN itself)
    and SATUSEHAT's Encounter ``arrived``, for the enabled targets.
    """
    visit = _visit(conn, ticket_id)
    if visit is None:
        return
    _arrived(conn, visit, ticket_id, at)


def visit_cancelled(conn: Connection, ticket_id: str, at: dt.datetime) -> None:
    """The visit of ``ticket_id`` was cancelled (a desk's ``visit_cancel``).

    Enqueues BPJS task 99 and ``antrean/batal``, and SATUSEHAT's Encounter
    ``cancelled``, for the enabled targets.
    """
    visit = _visit(conn, ticket_id)
    if visit is None:
        return
    on = _enabled(conn)
    if outbox.BPJS in on:
        _task(conn, visit, TaskId.CANCELLED, at, at)
        reason = (visit.cancel_reason or "").strip() or "Dibatalkan di loket pendaftaran"
        outbox.enqueue(
            conn,
            target=outbox.BPJS,
            kind="batal",
            dedupe_key=f"bpjs:batal:{visit.kodebooking}",
            order_key=visit.kodebooking,
            office_id=visit.office_id,
            body={"kodebooking": visit.kodebooking, "keterangan": reason[:CANCEL_REASON_MAX]},
            now=at,
        )
    if outbox.SATUSEHAT in on:
        _encounter(conn, visit, "cancelled", at)


def visit_no_show(conn: Connection, kodebooking: str, at: dt.datetime) -> None:
    """The Mobile JKN booking ``kodebooking`` lapsed: the patient never took a ticket
    (central.office.bookings.mark_no_shows).

    Enqueues BPJS task 99 (no ``antrean/batal``: the patient did not cancel), for an
    enabled BPJS; nothing for SATUSEHAT, which hears of a visit only on arrival.
    """
    visit = conn.execute(
        select(hospital_visits).where(hospital_visits.c.kodebooking == kodebooking)
    ).first()
    if visit is None or not outbox.enabled(conn, outbox.BPJS):
        return
    _task(conn, visit, TaskId.CANCELLED, at, at)


def after_counter_step(
    conn: Connection, ticket: Mapping[str, Any], kind: str, at: dt.datetime
) -> None:
    """A counter's step ``kind`` on ``ticket`` (a ``tickets`` row; central.office.calls.record).

    Does nothing for a ticket that is not a hospital visit; otherwise enqueues
    the task the step means (see the module's docstring).
    """
    if kind not in ("call", "served", "transfer", "no_show"):
        return
    on = _enabled(conn)
    if not on:
        return
    visit = _visit(conn, str(ticket["id"]))
    if visit is None or visit.state == "cancelled":
        return
    at_poli = seen.at_the_poli(conn, str(ticket["id"]), visit.service_id, ticket["queue_id"])
    if kind == "no_show" and seen.by_the_doctor(conn, str(ticket["id"]), visit.service_id):
        return  # not come after the doctor saw them (at the pharmacy, or sent back): no 99
    if kind == "no_show":
        task: TaskId | None = TaskId.CANCELLED
        status: str | None = "cancelled"
    elif at_poli:
        task = _AT_POLI.get(kind)
        status = _ENCOUNTER_AT_POLI.get(kind)
    else:
        task = _ELSEWHERE.get(kind)
        status = _ENCOUNTER_ELSEWHERE.get(kind)
    if outbox.BPJS in on and task is not None:
        _task(conn, visit, task, at, at)
    if outbox.SATUSEHAT in on and status is not None:
        _encounter(conn, visit, status, at)
