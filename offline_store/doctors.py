"""Today's doctors of the kiosk's office, as the centre last counted their places.

The kiosk shows a poli's doctors with their hours and the places left, and
numbers a hospital ticket offline from here (docs/hospital.md). Nothing here is
personal: rows are plain JSON, one per schedule, all of one day (the office's):
the next :meth:`DoctorsMixin.save_doctors` replaces them. A place this kiosk
took offline is counted beside the row (``taken_jkn``, ``taken_non_jkn``) until
the next list from the centre, which counts it itself once the registration
arrives, so an offline kiosk never shows a full doctor as free.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable

from contract.hospital import DoctorToday, HospitalError, Payer
from offline_store._base import StoreBase
from offline_store.errors import BadValue, StoreCorrupt


class DoctorsMixin(StoreBase):
    def save_doctors(
        self, office_id: str, day: dt.date, doctors: Iterable[DoctorToday], *, now: dt.datetime
    ) -> int:
        """Make ``doctors`` the cache of ``office_id``'s ``day`` (one transaction); how many."""
        rows = [
            [d.schedule_id, office_id, day.isoformat(), json.dumps(d.to_json())] for d in doctors
        ]
        if len({row[0] for row in rows}) != len(rows):
            raise BadValue("a schedule repeats")
        with self._write() as conn:
            conn.execute("DELETE FROM doctors_today")
            conn.executemany(
                "INSERT INTO doctors_today (schedule_id, office_id, day, doctor)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
            conn.execute(
                "INSERT INTO doctors_meta (id, office_id, day, fetched_at, count)"
                " VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " office_id = excluded.office_id, day = excluded.day,"
                " fetched_at = excluded.fetched_at, count = excluded.count",
                [office_id, day.isoformat(), now.isoformat(), len(rows)],
            )
        return len(rows)

    def doctors_today(self, office_id: str, day: dt.date) -> list[DoctorToday]:
        """The cached doctors of ``office_id``'s ``day``, the places taken here offline
        deducted; earliest first. Empty when the cache is of another day or office."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT doctor, taken_jkn, taken_non_jkn FROM doctors_today"
                " WHERE office_id = ? AND day = ?",
                [office_id, day.isoformat()],
            ).fetchall()
        doctors = [_doctor(body, jkn, non_jkn) for body, jkn, non_jkn in rows]
        return sorted(doctors, key=lambda d: (d.service_id, d.starts, d.doctor_name))

    def take_doctor_place(
        self, office_id: str, day: dt.date, schedule_id: str, payer: Payer
    ) -> int | None:
        """Take a place of ``payer``'s quota offline: its number (``angkaantrean``, from 1),
        or None when the cache has no such doctor today or no place left."""
        column = "taken_jkn" if payer is Payer.JKN else "taken_non_jkn"
        with self._write() as conn:
            row = conn.execute(
                "SELECT doctor, taken_jkn, taken_non_jkn FROM doctors_today"
                " WHERE office_id = ? AND day = ? AND schedule_id = ?",
                [office_id, day.isoformat(), schedule_id],
            ).fetchone()
            if row is None:
                return None
            doctor = _doctor(*row)
            if doctor.left(payer) <= 0:
                return None
            conn.execute(
                f"UPDATE doctors_today SET {column} = {column} + 1 WHERE schedule_id = ?",  # noqa: S608 (a fixed column name)
                [schedule_id],
            )
        used = (doctor.quota_jkn - doctor.left_jkn) + (doctor.quota_non_jkn - doctor.left_non_jkn)
        return used + 1


def _doctor(body: str, taken_jkn: int, taken_non_jkn: int) -> DoctorToday:
    try:
        doctor = DoctorToday.from_json(json.loads(body))
    except (ValueError, HospitalError) as exc:
        raise StoreCorrupt("doctors_today: a cached doctor cannot be read") from exc
    # the places taken here deducted, never below none
    return dataclasses.replace(
        doctor,
        left_jkn=max(0, doctor.left_jkn - taken_jkn),
        left_non_jkn=max(0, doctor.left_non_jkn - taken_non_jkn),
    )
