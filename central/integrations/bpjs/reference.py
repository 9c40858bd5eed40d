"""BPJS's doctors' schedules imported into the hospital's own (``doctor_schedules``).

:func:`fetch` asks Antrean RS for ``jadwaldokter`` of each poli on a date
(outside any transaction: it is network); :func:`store` writes each open
schedule as a weekly row of the office (:func:`schedule_id`: the office is part
of it, since a specialist may practise at two hospitals of one centre):
the doctor, the hours and BPJS's ``kapasitaspasien`` as the JKN quota. What
staff set on an imported row that BPJS does not know (the non-JKN quota, the
minutes per patient, the SATUSEHAT practitioner) is kept; a new row starts
with no non-JKN places and :data:`MINUTES_PER_PATIENT`. A poli the office has
no service for, a day off (``libur``) or a row that does not read is skipped
and named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from central.integrations.bpjs.antrean import AntreanClient, BpjsRefused
from central.tables import doctor_schedules, services
from central.upsert import upsert

MINUTES_PER_PATIENT = 10
_JADWAL = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)\s*$", re.ASCII)


def schedule_id(office_id: str, kodepoli: str, kodedokter: object, hari: int) -> str:
    """The id of the office's weekly schedule imported from BPJS: ``bpjs-{office}-{kodepoli}-
    {kodedokter}-{hari}``, or, past the column's 64 characters, ``bpjs-`` and a digest of
    it (never cut: a cut id could be another office's)."""
    whole = f"bpjs-{office_id}-{kodepoli}-{kodedokter}-{hari}"
    if len(whole) <= 64:
        return whole
    return "bpjs-" + hashlib.sha256(whole.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Imported:
    written: int = 0
    skipped: tuple[str, ...] = field(default_factory=tuple)


def polis_of(conn: Connection, office_id: str) -> dict[str, str]:
    """The office's polis: ``kodepoli`` → service id."""
    rows = conn.execute(
        select(services.c.kodepoli, services.c.id).where(
            services.c.office_id == office_id,
            services.c.kodepoli.is_not(None),
            services.c.active.is_(True),
        )
    )
    return {str(row.kodepoli): str(row.id) for row in rows}


def fetch(
    client: AntreanClient, kodepolis: Sequence[str], day: dt.date
) -> tuple[list[Mapping[str, Any]], list[str]]:
    """The schedules BPJS has for each poli on ``day``; and the polis it has none for."""
    rows: list[Mapping[str, Any]] = []
    none: list[str] = []
    for kodepoli in kodepolis:
        try:
            rows.extend(client.jadwal_dokter(kodepoli, day))
        except BpjsRefused as refused:  # "Data tidak ditemukan": no doctor there that day
            none.append(f"{kodepoli}: {refused.message}")
    return rows, none


def store(
    conn: Connection,
    office_id: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: str,
    now: dt.datetime,
) -> Imported:
    polis = polis_of(conn, office_id)
    written = 0
    skipped: list[str] = []
    for row in rows:
        kodepoli = str(row.get("kodepoli") or row.get("kodesubspesialis") or "")
        service_id = polis.get(kodepoli)
        hours = _JADWAL.match(str(row.get("jadwal") or ""))
        hari, quota, kodedokter = row.get("hari"), row.get("kapasitaspasien"), row.get("kodedokter")
        name = str(row.get("namadokter") or "").strip()[:200]
        if service_id is None:
            skipped.append(f"{kodepoli or '?'}: poli tidak ada di katalog kantor ini")
            continue
        if row.get("libur") in (1, "1", True):
            skipped.append(f"{kodepoli} {kodedokter} hari {hari}: libur")
            continue
        if (
            hours is None
            or not isinstance(hari, int)
            or not 1 <= hari <= 7
            or not isinstance(quota, int)
            or quota < 0
            or kodedokter in (None, "")
            or not name
        ):
            skipped.append(f"{kodepoli} {kodedokter}: jadwal tidak terbaca")
            continue
        ident = schedule_id(office_id, kodepoli, kodedokter, hari)
        before = conn.execute(
            select(doctor_schedules).where(doctor_schedules.c.id == ident)
        ).first()
        if before is not None and before.office_id != office_id:  # never another office's
            skipped.append(f"{kodepoli} {kodedokter} hari {hari}: jadwal kantor lain")
            continue
        upsert(
            conn,
            doctor_schedules,
            {"id": ident},
            {
                "office_id": office_id,
                "service_id": service_id,
                "kodedokter": str(kodedokter)[:32],
                "doctor_name": name,
                "weekday": hari,
                "starts": f"{hours.group(1)}:{hours.group(2)}",
                "ends": f"{hours.group(3)}:{hours.group(4)}",
                "quota_jkn": quota,
                "quota_non_jkn": before.quota_non_jkn if before is not None else 0,
                "minutes_per_patient": (
                    before.minutes_per_patient if before is not None else MINUTES_PER_PATIENT
                ),
                "practitioner_id": before.practitioner_id if before is not None else None,
                "updated_at": now,
                "updated_by": actor[:100],
            },
        )
        written += 1
    return Imported(written, tuple(skipped))
