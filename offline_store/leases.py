"""Ticket numbers: from the centre when it answers, from a leased block offline,
and from the kiosk's own fallback when the block runs out.

The rule, for one office, service and (kiosk-local) day:

1. ``allocated`` online by the centre: ``{prefix}-{n:03d}`` (source ``online``);
2. else the oldest central lease still usable (numbers left, ``expires_at`` not
   reached; the one leased first, the lowest block of those leased at once):
   its next number, ``{prefix}-{n:03d}`` (source ``lease``). The centre leases
   from the top of the day down (999-980, then 979-960), so leased first is
   not lowest first; blocks leased before that change are lower and older,
   and are used first either way;
3. else the fallback counter: ``{prefix}-{kiosk code}-{n:03d}``, e.g. ``A-K07-001``
   (source ``fallback``).

Why no two kiosks can print the same number: online and leased numbers come from
the centre's numbers of one office, service and day, each handed out once;
fallback numbers carry this kiosk's code, which the centre gives to one
kiosk only, and they have one more ``-`` part than a central number, so they
can equal neither. The fallback counter only goes up within a day, across any
number of lease → fallback → lease changes. A kiosk not yet enrolled has no code;
its fallback is the foundation's plain counter (``A-001``), safe only because no
other kiosk numbers its queue before enrolment. As a last guard, a number this
kiosk already used that day (only possible for plain numbers printed before
enrolment) is skipped, even one the centre allocated online. All of it happens
inside the ticket's own transaction, so a number is used if and only if its
ticket was stored.

An online number is asked for under a ticket id the kiosk made. Before asking,
the kiosk notes the id (:meth:`LeaseMixin.note_number_request`); storing the
ticket removes the note in the same transaction. A note left behind (the
store failed to keep the ticket, or the kiosk stopped before it could) names
a number the centre may hold as waiting that no citizen has: the sync engine
asks the centre to void it (:meth:`LeaseMixin.unkept_number_requests`).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from offline_store._base import StoreBase
from offline_store.errors import BadValue, LeaseConflict
from offline_store.models import LeaseKind, LeaseState, NumberSource, from_text, utc_text

#: The form of a kiosk code the fallback numbers can carry.
KIOSK_CODE = re.compile(r"[A-Z0-9]{1,8}")


def format_number(prefix: str, n: int, kiosk_code: str | None = None) -> str:
    return f"{prefix}-{kiosk_code}-{n:03d}" if kiosk_code else f"{prefix}-{n:03d}"


class LeaseMixin(StoreBase):
    def set_kiosk_code(self, code: str) -> None:
        """Record the short code the centre gave this kiosk at enrolment (e.g. ``K07``).

        Not the kiosk's UUID: 1 to 8 capital letters or digits, unique among the
        city's kiosks, so the fallback numbers stay short and can never collide.
        """
        if not KIOSK_CODE.fullmatch(code):
            raise BadValue("a kiosk code is 1 to 8 capital letters or digits, e.g. K07")
        with self._write() as conn:
            previous = _kiosk_code(conn)
            conn.execute(
                "INSERT INTO store_meta VALUES ('kiosk_code', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [code],
            )
            if previous is not None and previous != code:
                # To the centre this is another kiosk now (enrolled anew with a plain
                # code): the numbers leased to the old one are not this one's, and a
                # ticket numbered from them would be refused. None comes from them.
                conn.execute(
                    "UPDATE ticket_leases SET next = block_end + 1"
                    " WHERE source = 'central' AND next <= block_end"
                )

    def kiosk_code(self) -> str | None:
        with self._read() as conn:
            return _kiosk_code(conn)

    def add_lease(
        self,
        *,
        lease_id: str,
        office_id: str,
        service_id: str,
        day: dt.date,
        start: int,
        end: int,
        expires_at: dt.datetime,
        now: dt.datetime,
    ) -> bool:
        """Keep a block ``start..end`` the centre leased. False if already held.

        The same ``lease_id`` again (a retried or renewed lease) only updates
        ``expires_at``. A block that overlaps another one for the same queue is
        a :class:`LeaseConflict`: using both could print a number twice.
        """
        if not lease_id or start < 1 or end < start:
            raise BadValue("a lease needs an id and 1 <= start <= end")
        queue = [office_id, service_id, day.isoformat()]
        with self._write() as conn:
            held = conn.execute(
                "SELECT office_id, service_id, day, block_start, block_end FROM ticket_leases"
                " WHERE source = 'central' AND lease_id = ?",
                [lease_id],
            ).fetchone()
            if held is not None:
                if list(held) != [*queue, start, end]:
                    raise LeaseConflict(f"lease {lease_id} is already held with other bounds")
                conn.execute(
                    "UPDATE ticket_leases SET expires_at = ? WHERE lease_id = ?",
                    [utc_text(expires_at), lease_id],
                )
                return False
            overlap = conn.execute(
                "SELECT lease_id FROM ticket_leases WHERE source = 'central' AND office_id = ?"
                " AND service_id = ? AND day = ? AND block_start <= ? AND block_end >= ?",
                [*queue, end, start],
            ).fetchone()
            if overlap is not None:
                raise LeaseConflict(f"lease {lease_id} overlaps lease {overlap[0]}")
            conn.execute(
                "INSERT INTO ticket_leases (office_id, service_id, day, source, lease_id,"
                " block_start, block_end, next, leased_at, expires_at)"
                " VALUES (?, ?, ?, 'central', ?, ?, ?, ?, ?, ?)",
                [*queue, lease_id, start, end, start, utc_text(now), utc_text(expires_at)],
            )
            return True

    def release_lease(self, lease_id: str, now: dt.datetime) -> tuple[int, int] | None:
        """Stop using a lease; the unused ``(first, last)`` to give back, or None."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT next, block_end FROM ticket_leases WHERE source = 'central'"
                " AND lease_id = ?",
                [lease_id],
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE ticket_leases SET expires_at = min(expires_at, ?) WHERE lease_id = ?",
                [utc_text(now), lease_id],
            )
        return (row[0], row[1]) if row[0] <= row[1] else None

    def lease_state(self, now: dt.datetime) -> list[LeaseState]:
        """Every lease and fallback counter from today (``now``'s date) on."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT office_id, service_id, day, source, lease_id, block_start, block_end,"
                " next, expires_at FROM ticket_leases WHERE day >= ?"
                " ORDER BY office_id, service_id, day, source, block_start",
                [now.date().isoformat()],
            ).fetchall()
        states = []
        for office, service, day, source, lease_id, start, end, nxt, expires in rows:
            expiry = from_text(expires) if expires else None
            remaining = None if end is None else end - nxt + 1
            live = expiry is None or expiry > now
            usable = live and (remaining is None or remaining > 0)
            states.append(
                LeaseState(
                    office_id=office,
                    service_id=service,
                    day=dt.date.fromisoformat(day),
                    source=LeaseKind(source),
                    lease_id=lease_id,
                    block_start=start,
                    block_end=end,
                    next=nxt,
                    remaining=remaining,
                    expires_at=expiry,
                    usable=usable,
                )
            )
        return states

    def note_number_request(self, ticket_id: str, now: dt.datetime) -> None:
        """Remember that the centre is being asked to number ``ticket_id`` (before asking)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO number_requests VALUES (?, ?) ON CONFLICT (ticket_id) DO NOTHING",
                [ticket_id, utc_text(now)],
            )

    def unkept_number_requests(self, asked_before: dt.datetime, limit: int = 50) -> list[str]:
        """Ticket ids whose online number was asked for before ``asked_before`` and
        never kept in a ticket, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT ticket_id FROM number_requests WHERE requested_at < ?"
                " ORDER BY requested_at, ticket_id LIMIT ?",
                [utc_text(asked_before), limit],
            ).fetchall()
        return [str(r[0]) for r in rows]

    def forget_number_request(self, ticket_id: str) -> None:
        """The centre has settled ``ticket_id``'s number (voided, or never had it)."""
        with self._write() as conn:
            conn.execute("DELETE FROM number_requests WHERE ticket_id = ?", [ticket_id])

    def _take_number(
        self,
        conn: sqlite3.Connection,
        queue: list[str],
        prefix: str,
        now: dt.datetime,
        allocated: int | None,
    ) -> tuple[str, NumberSource]:
        """The next number for ``queue`` (office, service, day), taken in ``conn``'s transaction."""
        source: NumberSource
        while True:
            if allocated is not None:
                number, source, allocated = (
                    format_number(prefix, allocated),
                    NumberSource.ONLINE,
                    None,
                )
                if not _used(conn, queue, number):
                    return number, source
            lease = conn.execute(
                "SELECT id, next FROM ticket_leases WHERE office_id = ? AND service_id = ?"
                " AND day = ? AND source = 'central' AND next <= block_end AND expires_at > ?"
                " ORDER BY leased_at, block_start LIMIT 1",
                [*queue, utc_text(now)],
            ).fetchone()
            if lease is not None:
                conn.execute("UPDATE ticket_leases SET next = next + 1 WHERE id = ?", [lease[0]])
                number, source = format_number(prefix, lease[1]), NumberSource.LEASE
            else:
                n = self._fallback_next(conn, queue, now)
                number, source = format_number(prefix, n, _kiosk_code(conn)), NumberSource.FALLBACK
            if not _used(conn, queue, number):
                return number, source

    @staticmethod
    def _fallback_next(conn: sqlite3.Connection, queue: list[str], now: dt.datetime) -> int:
        row = conn.execute(
            "UPDATE ticket_leases SET next = next + 1 WHERE office_id = ? AND service_id = ?"
            " AND day = ? AND source = 'fallback' RETURNING next - 1",
            queue,
        ).fetchone()
        if row is not None:
            return int(row[0])
        conn.execute(
            "INSERT INTO ticket_leases (office_id, service_id, day, source, block_start, next,"
            " leased_at) VALUES (?, ?, ?, 'fallback', 1, 2, ?)",
            [*queue, utc_text(now)],
        )
        return 1


def _used(conn: sqlite3.Connection, queue: list[str], number: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM tickets WHERE office_id = ? AND service_id = ? AND day = ? AND number = ?",
        [*queue, number],
    ).fetchone()
    return row is not None


def _kiosk_code(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM store_meta WHERE key = 'kiosk_code'").fetchone()
    return str(row[0]) if row else None
