"""A doctor's places of the day: taken one conditional ``UPDATE`` at a time, given back on a void.

Each schedule has one counter row per day (``doctor_quota``), made on the
first take with that day's quota. A place is taken by::

    UPDATE doctor_quota SET used_jkn = used_jkn + 1, next_angka = next_angka + 1
     WHERE schedule_id = :s AND day = :d AND used_jkn < quota_jkn
    RETURNING next_angka

which one transaction at a time can win for the last place: on PostgreSQL the
second waits on the row's lock and then finds the condition false; on SQLite
every writing transaction begins ``IMMEDIATE``. Two kiosks racing for the
last JKN place therefore give one ticket and one ``quota_full``.

A take is recorded by key (``quota_takes``: the ticket's id, or
``booking:{code}`` for a Mobile JKN booking made before any ticket), so a
retried allocate, or the registration of a ticket whose allocate took a
place, takes nothing twice. :func:`release` gives a place back (a void, a
cancel, a no-show); its ``angkaantrean`` is not handed out again. A poli
registration's ticket holds its place whatever the centre found of its patient
(central/hospital/visits.py, :func:`central.hospital.visits.register`): a refused
one's is held for nobody (:func:`hold_for_nobody`) until its ticket closes.

A take also records the patient it is held for (``nik_hash``: a keyed hash of the
NIK, never the NIK) and the poli, and the database holds one place per patient,
poli and day (:data:`central.tables.uq_hold_nik_day`): a second take for them
there is refused (:func:`held_twice`) on any server process, as :func:`held_for`
reads it first. Every take names its holder (``None`` only for a patient not
checked or not named), so no path that holds a place gets round the rule.

**One order for a doctor's days.** On PostgreSQL a ``doctor_quota`` row a take or a
give-back updates stays locked to the end of its transaction. A transaction that takes
or gives back places on several doctors' days (a kiosk's batch, the no-shows of the
Mobile JKN bookings, a visit's two places, an allocate or a Mobile JKN booking giving
back the patient's lapsed booking) holds them all first with :func:`hold`, in
(``schedule_id``, ``day``) order, so two such transactions wait for each other instead
of each holding a day the other waits for (a deadlock, the batch answered 503). The
doctor's day is the last row of a visit's lock order (central/hospital/visits.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.tables import doctor_quota, quota_takes, uq_hold_nik_day
from central.upsert import dialect_insert, one_of, refused_by
from contract.hospital import Payer, estimate, parse_hhmm
from contract.shown import shown_code, shown_key, shown_kodebooking, shown_repr


def shown_take_key(key: str) -> str:
    """A place's key as a ``repr`` may show it: a Mobile JKN booking's (``booking:{code}``)
    with the code cut, a ticket's id by its end, as the kiosk's lines show one."""
    kind, colon, subject = key.partition(":")
    if colon and kind == "booking":
        return f"booking:{shown_code(subject)}"
    return shown_key(key)


#: A Mobile JKN place's key and kodebooking hold the booking's code, which opens its page.
@shown_repr(key=shown_take_key, kodebooking=shown_kodebooking)
@dataclass(frozen=True)
class Take:
    """A place: its number of the doctor's day and the booking code BPJS knows it by."""

    key: str
    payer: Payer
    angka: int
    kodebooking: str
    #: Taken beyond the quota (an offline kiosk's registration): staff check it.
    over_quota: bool = False
    #: The schedule the place is of: a registration naming another doctor than its
    #: allocate did is told by this (the place held is the one counted).
    schedule_id: str = ""


def kodebooking_for(key: str, day: dt.date) -> str:
    """A kiosk visit's BPJS ``kodebooking``: the day and a digest of the ticket id.

    Derived, not drawn: an allocate retried after a lost answer gets the same
    code. Sixteen characters, distinct from Mobile JKN's nine-digit codes.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:8].upper()
    return f"{day:%Y%m%d}{digest}"


def nomorantrean(kodepoli: str, angka: int) -> str:
    """The queue number BPJS is told: ``INT-007``."""
    return f"{kodepoli}-{angka:03d}"


def estimated_at(schedule: Any, angka: int) -> str:
    """``HH:MM`` when place ``angka`` of ``schedule`` is likely seen (``estimate``)."""
    at = estimate(parse_hhmm(schedule.starts), angka, schedule.minutes_per_patient)
    return f"{at:%H:%M}"


def _ensure_row(conn: Connection, schedule: Any, day: dt.date) -> None:
    statement = dialect_insert(conn, doctor_quota).values(
        schedule_id=schedule.id,
        day=day,
        office_id=schedule.office_id,
        quota_jkn=schedule.quota_jkn,
        quota_non_jkn=schedule.quota_non_jkn,
        used_jkn=0,
        used_non_jkn=0,
        next_angka=1,
    )
    conn.execute(statement.on_conflict_do_nothing(index_elements=["schedule_id", "day"]))


def hold(
    conn: Connection, keys: Collection[str], taking: Iterable[tuple[Any, dt.date]] = ()
) -> None:
    """Hold, for the caller's transaction, every doctor's day it may take or give back a
    place on, in (``schedule_id``, ``day``) order: the days the places ``keys`` are held
    on (taken now or given back), and each (schedule, day) of ``taking`` (made first if
    no place was taken there yet, as a take makes it).

    Each day is made and held before the next, so no day is waited for while a later
    one is held. Nothing is held for a single day (no order to keep): a batch at one
    doctor still checks each patient (which may close a lapsed Mobile JKN booking of
    theirs: the booking and its visit before the doctor's day) before it holds the day.
    On SQLite, one writer at a time: nothing to order, nothing done.
    """
    if conn.dialect.name != "postgresql":
        return
    days: dict[tuple[str, dt.date], Any] = {(s.id, day): s for s, day in taking}
    if keys:
        for row in conn.execute(
            select(quota_takes.c.schedule_id, quota_takes.c.day).where(
                one_of(conn.dialect.name, quota_takes.c.ticket_id, keys)
            )
        ):
            days.setdefault((row.schedule_id, row.day), None)
    if len(days) < 2:
        return  # one day has no order to keep: taken or given back when its turn comes
    for schedule_id, day in sorted(days):
        if days[schedule_id, day] is not None:
            _ensure_row(conn, days[schedule_id, day], day)
        conn.execute(
            select(doctor_quota.c.schedule_id)
            .where(doctor_quota.c.schedule_id == schedule_id, doctor_quota.c.day == day)
            .with_for_update()
        ).all()


def existing(conn: Connection, key: str) -> Any:
    """The take recorded under ``key`` (given back or not), or ``None``."""
    return conn.execute(select(quota_takes).where(quota_takes.c.ticket_id == key)).first()


def held(conn: Connection, keys: list[str]) -> set[str]:
    """Those of ``keys`` that hold a place now (taken and not given back): one query."""
    if not keys:
        return set()
    rows = conn.execute(
        select(quota_takes.c.ticket_id).where(
            one_of(conn.dialect.name, quota_takes.c.ticket_id, keys),
            quota_takes.c.released_at.is_(None),
        )
    )
    return {row.ticket_id for row in rows}


def held_for(
    conn: Connection, holder: str | None, service_id: str, day: dt.date, *, but: str = ""
) -> bool:
    """Whether a place at the poli ``service_id`` on ``day`` is held now for the patient
    ``holder`` (a ``nik_hash``) under a key other than ``but`` (a ticket's own place is
    no other's): the read before a take; the database holds the same rule at once."""
    if holder is None:
        return False  # nobody named: nothing to hold the day by
    found = conn.execute(
        select(quota_takes.c.ticket_id)
        .where(
            quota_takes.c.nik_hash == holder,
            quota_takes.c.service_id == service_id,
            quota_takes.c.day == day,
            quota_takes.c.released_at.is_(None),
            quota_takes.c.ticket_id != but,
        )
        .limit(1)
    ).first()
    return found is not None


def held_twice(exc: IntegrityError) -> bool:
    """Whether ``exc`` is the database refusing a second place held for one patient at
    one poli on one day (:data:`central.tables.uq_hold_nik_day`): another take for them
    committed since the read (a take in a savepoint)."""
    return refused_by(exc, uq_hold_nik_day)


def _count(conn: Connection, schedule: Any, day: dt.date, payer: Payer, *, force: bool) -> int:
    """Take one place (``force``: even beyond the quota); its angka, or 0 for none left."""
    used = doctor_quota.c.used_jkn if payer is Payer.JKN else doctor_quota.c.used_non_jkn
    quota = doctor_quota.c.quota_jkn if payer is Payer.JKN else doctor_quota.c.quota_non_jkn
    where = [doctor_quota.c.schedule_id == schedule.id, doctor_quota.c.day == day]
    if not force:
        where.append(used < quota)
    angka = conn.execute(
        update(doctor_quota)
        .where(*where)
        .values({used: used + 1, doctor_quota.c.next_angka: doctor_quota.c.next_angka + 1})
        .returning(doctor_quota.c.next_angka)
    ).scalar_one_or_none()
    return 0 if angka is None else int(angka) - 1


def take(
    conn: Connection,
    key: str,
    schedule: Any,
    day: dt.date,
    payer: Payer,
    now: dt.datetime,
    *,
    holder: str | None,
    force: bool = False,
    kodebooking: str | None = None,
) -> Take | None:
    """The place held under ``key`` for the patient ``holder`` (a ``nik_hash``, ``None``
    for nobody), taking one if it holds none; ``None``: no place left.

    ``force`` takes one beyond the quota (``over_quota``), for a registration
    that reached the centre after its kiosk printed the ticket offline.
    A take given back (a voided ticket registered after all) is taken again,
    keeping its number. A place held already is answered as it is held, even
    when ``schedule`` or ``payer`` differ: the caller compares
    (:attr:`Take.schedule_id`, :attr:`Take.payer`) and decides; a ``holder`` named
    is then the place's (the patient its visit is made for).

    A place of another key held for ``holder`` at the poli that day raises
    :class:`~sqlalchemy.exc.IntegrityError` (:func:`held_twice`): take in a savepoint.
    """
    service_id = schedule.service_id
    held = existing(conn, key)
    if held is not None and held.released_at is None:
        if holder is not None and held.nik_hash != holder:
            conn.execute(
                update(quota_takes).where(quota_takes.c.ticket_id == key).values(nik_hash=holder)
            )
        return Take(
            key, Payer(held.payer), held.angka, held.kodebooking, schedule_id=held.schedule_id
        )
    _ensure_row(conn, schedule, day)
    angka = _count(conn, schedule, day, payer, force=False)
    over = False
    if angka == 0:
        if not force:
            return None
        angka, over = _count(conn, schedule, day, payer, force=True), True
    if held is not None and held.schedule_id == schedule.id:
        # given back earlier: the same place number again
        conn.execute(
            update(quota_takes)
            .where(quota_takes.c.ticket_id == key)
            .values(
                released_at=None,
                payer=payer.value,
                taken_at=now,
                service_id=service_id,
                nik_hash=holder,
            )
        )
        return Take(key, payer, held.angka, held.kodebooking, over, schedule.id)
    if held is not None:  # given back, and now another doctor's: that doctor's number
        conn.execute(
            update(quota_takes)
            .where(quota_takes.c.ticket_id == key)
            .values(
                released_at=None,
                payer=payer.value,
                taken_at=now,
                schedule_id=schedule.id,
                day=day,
                angka=angka,
                service_id=service_id,
                nik_hash=holder,
            )
        )
        return Take(key, payer, angka, held.kodebooking, over, schedule.id)
    code = kodebooking or kodebooking_for(key, day)
    conn.execute(
        insert(quota_takes).values(
            ticket_id=key,
            schedule_id=schedule.id,
            day=day,
            payer=payer.value,
            angka=angka,
            kodebooking=code,
            taken_at=now,
            released_at=None,
            service_id=service_id,
            nik_hash=holder,
        )
    )
    return Take(key, payer, angka, code, over, schedule.id)


def hold_for_nobody(conn: Connection, key: str) -> None:
    """The place held under ``key`` holds no patient's day any more (:func:`held_for`
    finds it for nobody): a ticket whose registration was refused for its patient keeps
    its place till the ticket closes, not the day of whoever its allocate checked."""
    conn.execute(
        update(quota_takes)
        .where(quota_takes.c.ticket_id == key, quota_takes.c.nik_hash.is_not(None))
        .values(nik_hash=None)
    )


def release(conn: Connection, key: str, now: dt.datetime) -> bool:
    """Give back the place held under ``key``; ``True`` if one was held (idempotent)."""
    held = existing(conn, key)
    if held is None or held.released_at is not None:
        return False
    done = conn.execute(
        update(quota_takes)
        .where(quota_takes.c.ticket_id == key, quota_takes.c.released_at.is_(None))
        .values(released_at=now)
    )
    if done.rowcount == 0:
        return False
    used = doctor_quota.c.used_jkn if held.payer == Payer.JKN else doctor_quota.c.used_non_jkn
    conn.execute(
        update(doctor_quota)
        .where(
            doctor_quota.c.schedule_id == held.schedule_id,
            doctor_quota.c.day == held.day,
            used > 0,
        )
        .values({used: used - 1})
    )
    return True
