"""Citizens' IHS numbers as SATUSEHAT answered them: where a client keeps them, how long.

A visit's Encounter names its patient by the IHS number, SATUSEHAT's id of the
Patient found by NIK (``GET Patient?identifier=…/nik|{NIK}``). The answer is kept,
so a patient's next visits do not ask again:

* :class:`InDatabase` (what the server's sender uses): the table
  ``satusehat_patients``, shared by every server process and kept over a restart,
  keyed by HMAC-SHA256 of the NIK with the audit key, never the NIK;
* :class:`InMemory` (a client on its own: tools, tests): this process only.

**How long: a day** (:data:`KEEP`). What is known of SATUSEHAT here
(docs/satusehat.md, and the public clients it cites) says how the number is found,
nothing of how long a NIK's answer holds; and a NIK's Patient can change there
(records merged, a wrong NIK corrected). So an answer is trusted only for the day
of visits it was found for: every process and a restart that day share it, and a
change at SATUSEHAT reaches the centre by the next day. A row past that is asked
again and purged (no citizen's number is kept longer than it is used). A NIK
SATUSEHAT does not know is never kept: the patient may register there, then staff
send the visit again. A number an Encounter was refused with is dropped at once
(:meth:`IhsNumbers.forget`): SATUSEHAT may have changed the Patient within the day,
and staff sending the visit again must not meet the same refusal until the day ends.

The keeping is a saving, never a condition: a database that cannot be read or
written here is logged (no NIK, no number) and SATUSEHAT is asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections import OrderedDict
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from central.access.credentials import keyed_hash
from central.database import Database
from central.tables import satusehat_patients
from central.upsert import upsert

log = logging.getLogger(__name__)

#: How long a NIK's IHS number is trusted once SATUSEHAT gave it.
KEEP = dt.timedelta(days=1)
#: How many citizens' numbers one process keeps in memory (:class:`InMemory`).
MEMORY_SIZE = 10_000
#: The kind of the keyed hash (:func:`central.access.credentials.keyed_hash`).
HASH_KIND = "satusehat_nik"


class IhsNumbers(Protocol):
    """Where a :class:`central.integrations.satusehat.client.SatusehatClient` keeps
    the IHS numbers SATUSEHAT gave."""

    def get(self, nik: str, now: dt.datetime) -> str | None:
        """The number found for ``nik`` less than :data:`KEEP` before ``now``, or ``None``."""
        ...

    def put(self, nik: str, ihs: str, now: dt.datetime) -> None:
        """Keep ``ihs`` as found for ``nik`` at ``now``."""
        ...

    def forget(self, nik: str) -> None:
        """Drop the number kept for ``nik`` (SATUSEHAT refused what named it)."""
        ...


def _digest(nik: str) -> str:
    return hashlib.sha256(nik.encode("utf-8")).hexdigest()


class InMemory:
    """This process's numbers, the :data:`MEMORY_SIZE` most recently used, by a digest
    of the NIK."""

    def __init__(self, keep: dt.timedelta = KEEP) -> None:
        self._keep = keep
        self._found: OrderedDict[str, tuple[str, dt.datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"InMemory({len(self._found)} kept)"

    def get(self, nik: str, now: dt.datetime) -> str | None:
        key = _digest(nik)
        with self._lock:
            kept = self._found.get(key)
            if kept is None:
                return None
            if now - kept[1] >= self._keep:
                del self._found[key]
                return None
            self._found.move_to_end(key)
            return kept[0]

    def put(self, nik: str, ihs: str, now: dt.datetime) -> None:
        key = _digest(nik)
        with self._lock:
            self._found[key] = (ihs, now)
            self._found.move_to_end(key)
            while len(self._found) > MEMORY_SIZE:
                self._found.popitem(last=False)

    def forget(self, nik: str) -> None:
        with self._lock:
            self._found.pop(_digest(nik), None)


class InDatabase:
    """The numbers in ``satusehat_patients``, by the NIK's keyed hash (``key``: the
    audit key, so every process and restart hashes alike)."""

    def __init__(self, db: Database, key: bytes, keep: dt.timedelta = KEEP) -> None:
        self._db = db
        self._key = key
        self._keep = keep

    def __repr__(self) -> str:
        return "InDatabase(satusehat_patients)"

    def _hash(self, nik: str) -> str:
        return keyed_hash(self._key, HASH_KIND, nik)

    def get(self, nik: str, now: dt.datetime) -> str | None:
        try:
            with self._db.read() as conn:
                ihs = conn.execute(
                    select(satusehat_patients.c.ihs_number).where(
                        satusehat_patients.c.nik_hash == self._hash(nik),
                        satusehat_patients.c.found_at > now - self._keep,
                    )
                ).scalar_one_or_none()
        except SQLAlchemyError as exc:
            log.warning("kept IHS numbers not read (%s): SATUSEHAT is asked", type(exc).__name__)
            return None
        return ihs

    def put(self, nik: str, ihs: str, now: dt.datetime) -> None:
        try:
            with self._db.begin() as conn:
                upsert(
                    conn,
                    satusehat_patients,
                    {"nik_hash": self._hash(nik)},
                    {"ihs_number": ihs, "found_at": now},
                )
                conn.execute(
                    delete(satusehat_patients).where(
                        satusehat_patients.c.found_at <= now - self._keep
                    )
                )
        except SQLAlchemyError as exc:
            log.warning("an IHS number not kept (%s): asked again next time", type(exc).__name__)

    def forget(self, nik: str) -> None:
        try:
            with self._db.begin() as conn:
                conn.execute(
                    delete(satusehat_patients).where(
                        satusehat_patients.c.nik_hash == self._hash(nik)
                    )
                )
        except SQLAlchemyError as exc:
            log.warning("a refused IHS number not dropped (%s)", type(exc).__name__)
