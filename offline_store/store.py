"""The local store: tickets, ticket-number leases, the outbox, caches, sync log.

Durability, chosen on purpose: one database file in WAL mode with
``synchronous=FULL``. A ticket whose number the citizen has seen, its outbox
row and the lease number it used survive a power cut the moment
:meth:`Store.issue_ticket` returns (``NORMAL`` could lose the last commits and
so hand the same number out again). The caches share the file and the setting
rather than a second file with ``NORMAL``: they are written rarely (a catalog or
trust list when it changes, at most one citizen record per tap, one sync-log
row per sync run), always off the GUI thread, and each commit costs one fsync
(``issue_ticket``: 0.48 ms median with ``FULL``, 0.25 ms with ``NORMAL`` on the
development VM; expect a few ms on a kiosk's eMMC). One file keeps one key
check, one migration history, one ``integrity_check`` and one thing to back
up, with nothing to keep consistent across two files.
``secure_delete`` is on, so a wiped payload or purged record is overwritten
with zeros rather than left in a free page.

Personal data (outbox payloads, cached citizen records) is sealed with
AES-GCM under a key kept outside the file (crypto.py). Every method is one
transaction; a business write and its outbox row share it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contract.bookings import BookingToday
from contract.shown import shown_key
from offline_store.bookings import BookingsMixin
from offline_store.caches import CacheMixin
from offline_store.doctors import DoctorsMixin
from offline_store.errors import BadValue
from offline_store.leases import LeaseMixin
from offline_store.models import NumberSource, StoredTicket
from offline_store.outbox import OutboxMixin

KEY_FILE_NAME = "store.key"
#: Default for ``store.record_ttl_s``: cached citizen records live a day.
DEFAULT_RECORD_TTL_S = 86400.0
TICKET_KIND = "service_registration"


class Store(OutboxMixin, LeaseMixin, CacheMixin, BookingsMixin, DoctorsMixin):
    @classmethod
    def open(
        cls,
        path: Path,
        *,
        key_file: Path | None = None,
        record_ttl_s: float = DEFAULT_RECORD_TTL_S,
        deferred: bool = False,
    ) -> Store:
        """Open (creating if needed) and migrate the store at ``path``.

        ``key_file`` defaults to ``store.key`` beside the database. It is
        created (0600) only while the store has never encrypted anything.

        ``deferred``: return at once and open the file on first use, or at
        :meth:`ensure_open`, from whichever thread comes first (the kiosk
        opens it after its first screen is painted: opening imports and
        migrates, some 0.3 s). Errors then surface there, as ``StoreError``.
        """
        key_path = key_file if key_file is not None else path.parent / KEY_FILE_NAME
        store = cls(path, key_path, record_ttl_s)
        if not deferred:
            store.ensure_open()
        return store

    # -- tickets ---------------------------------------------------------------
    def issue_ticket(
        self,
        *,
        office_id: str,
        service_id: str,
        prefix: str,
        counter: str,
        payload: Mapping[str, Any],
        now: dt.datetime,
        allocated: int | None = None,
        ticket_id: str | None = None,
        booking: BookingToday | None = None,
    ) -> StoredTicket:
        """Take the next number and write the ticket and its outbox row at once.

        The number comes from ``allocated`` (given by the centre online), else
        a lease, else the fallback (leases.py). Either the ticket, its outbox
        row and the used number all exist afterwards, or none does.
        ``ticket_id`` is the id the caller made (a UUID, the one it asked the
        centre to number); by default a new UUID4. ``booking``: the
        ticket checks in that booking of ``now``'s day, which reads
        ``checked_in`` from the same commit on, cached or not before (the
        payload carries the code to the centre).
        """
        day = now.date()
        key = ticket_id or str(uuid.uuid4())
        queue = [office_id, service_id, day.isoformat()]
        with self._write() as conn:
            number, source = self._take_number(conn, queue, prefix, now, allocated)
            conn.execute(
                "INSERT INTO tickets (id, number, office_id, service_id, day, counter,"
                " issued_at, printed, print_fault, number_source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', ?)",
                [key, number, *queue, counter, now.isoformat(), source],
            )
            ticket = {"number": number, "issued_at": now.isoformat(), "number_source": source}
            self._enqueue(conn, key, TICKET_KIND, {**payload, "ticket": ticket}, now)
            # kept: whatever the centre numbered under this id, the outbox row settles it
            conn.execute("DELETE FROM number_requests WHERE ticket_id = ?", [key])
            if booking is not None:
                self._check_in(conn, booking, day, key)
        return StoredTicket(key, number, office_id, service_id, day, counter, now, source)

    def record_print(self, ticket_id: str, *, printed: bool, fault: str = "") -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE tickets SET printed = ?, print_fault = ? WHERE id = ?",
                [int(printed), fault, ticket_id],
            )

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        """The ticket's row as a dict; :class:`BadValue` if there is none."""
        with self._read() as conn:
            cursor = conn.execute("SELECT * FROM tickets WHERE id = ?", [ticket_id])
            row = cursor.fetchone()
            if row is None:
                # the whole id opens the ticket's page: named as the log lines name it
                raise BadValue(f"no ticket {shown_key(ticket_id)}")
            return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def tickets_count(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])

    def tickets_on(self, day: dt.date, limit: int = 500) -> list[StoredTicket]:
        """The tickets of ``day`` (the kiosk's local day), newest first; no personal data."""
        return self._tickets(_TICKETS_OF_DAY, [day.isoformat(), limit])

    def unprinted_on(self, day: dt.date) -> list[StoredTicket]:
        """Every ticket of ``day`` the citizen got no paper for (a print that failed,
        or none made: recorded with why), newest first, however many tickets the day
        has; no personal data."""
        return self._tickets(_UNPRINTED_OF_DAY, [day.isoformat()])

    def _tickets(self, query: str, values: list[Any]) -> list[StoredTicket]:
        with self._read() as conn:
            rows = conn.execute(query, values).fetchall()
        return [
            StoredTicket(
                i,
                n,
                o,
                s,
                dt.date.fromisoformat(d),
                c,
                dt.datetime.fromisoformat(at),
                NumberSource(src),
                _print_outcome(printed, fault),
                fault or "",
            )
            for i, n, o, s, d, c, at, src, printed, fault in rows
        ]

    def last_ticket_mark(self) -> int:
        """Where the stored tickets end now (cheap: the table's last row); for
        :meth:`settle_unrecorded_prints`, taken before this run issues any ticket."""
        with self._read() as conn:
            return int(conn.execute("SELECT coalesce(max(rowid), 0) FROM tickets").fetchone()[0])

    def settle_unrecorded_prints(self, fault: str, upto: int) -> int:
        """Mark ``fault`` on every ticket up to the mark ``upto`` stored with no print
        outcome recorded; how many.

        ``upto`` is :meth:`last_ticket_mark` at a kiosk's start, before it issued any
        ticket: a ticket stored unprinted and never given an outcome was left so by a
        run that stopped between storing it and printing it (a power cut, a crash).
        Whether its paper came out is not known; marked, staff see it among the tickets
        without paper. Tickets after the mark are this run's, their prints on their way.
        It reads every ticket up to the mark: run it off the way to a ready kiosk.
        """
        if not fault:
            raise ValueError("a fault names why")
        with self._write() as conn:
            done = conn.execute(
                "UPDATE tickets SET print_fault = ?"
                " WHERE rowid <= ? AND printed = 0 AND print_fault = ''",
                [fault, upto],
            )
            return int(done.rowcount)

    # -- health ----------------------------------------------------------------
    def integrity_ok(self) -> bool:
        with self._read() as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()
        return bool(result and result[0] == "ok")


def _print_outcome(printed: int | None, fault: str | None) -> bool | None:
    """A ticket row's print outcome: ``None`` while none is recorded (stored unprinted,
    its print on the way or cut off by a power cut), else whether its paper came out
    (a print that failed always records why)."""
    if printed:
        return True
    return False if fault else None


_TICKETS_OF_DAY = (
    "SELECT id, number, office_id, service_id, day, counter, issued_at, number_source,"
    " printed, print_fault FROM tickets WHERE day = ?"
    " ORDER BY issued_at DESC, rowid DESC LIMIT ?"
)
_UNPRINTED_OF_DAY = (
    "SELECT id, number, office_id, service_id, day, counter, issued_at, number_source,"
    " printed, print_fault FROM tickets WHERE day = ? AND printed = 0 AND print_fault != ''"
    " ORDER BY issued_at DESC, rowid DESC"
)
