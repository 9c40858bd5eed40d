"""Today's bookings of the kiosk's office, as the centre last sent them.

The kiosk greets a card's holder with their appointment and checks in
offline from here. Every booking holds personal data (NIK, card number,
first name), so each row is sealed like a citizen record (crypto.py, the
associated data naming the row) and found by HMACs of its code, NIK and card
number, never by the numbers themselves. Rows belong to one day, the
office's: the next :meth:`BookingsMixin.save_bookings` replaces them, and
:meth:`BookingsMixin.purge_bookings` deletes every row of another day (the
day's end, or a kiosk whose clock moved on while offline).

A check-in this kiosk made is kept beside the sealed row
(``checked_in_ticket``, in the ticket's own transaction: :meth:`Store.issue_ticket`),
so a refresh from a centre that has not yet received the registration never
turns the booking back into one that can be used twice. A booking the cache did
not hold (found through the centre by its code, booked since the last fetch) is
written then, sealed and checked in, so it leaves the same trace: every lookup
reads it, and no refresh drops it or turns it back into ``booked``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from contract.bookings import BookingState, BookingToday
from offline_store._base import StoreBase
from offline_store.errors import BadValue, StoreCorrupt

_TABLE = "bookings_today"


def _code_lookup(code: str) -> str:
    """What the HMAC of a booking code is taken over (apart from NIKs and card numbers)."""
    return f"booking-code/{code}"


def booking_json(booking: BookingToday) -> dict[str, Any]:
    """A booking as the store seals it (and as the centre sends it)."""
    return {
        "code": booking.code,
        "office_id": booking.office_id,
        "service_id": booking.service_id,
        "day": booking.day.isoformat(),
        "starts_at": booking.starts_at.strftime("%H:%M"),
        "ends_at": booking.ends_at.strftime("%H:%M"),
        "state": booking.state.value,
        "nik": booking.nik,
        "card_number": booking.card_number,
        "first_name": booking.first_name,
        "doctor": booking.doctor,
        "hours": booking.hours,
    }


def _booking(data: dict[str, Any], checked_in: bool) -> BookingToday:
    try:
        state = BookingState.CHECKED_IN if checked_in else BookingState(data["state"])
        return BookingToday(
            code=str(data["code"]),
            office_id=str(data["office_id"]),
            service_id=str(data["service_id"]),
            day=dt.date.fromisoformat(data["day"]),
            starts_at=dt.time.fromisoformat(data["starts_at"]),
            ends_at=dt.time.fromisoformat(data["ends_at"]),
            state=state,
            nik=data["nik"],
            card_number=data["card_number"],
            first_name=str(data["first_name"]),
            # Sealed before Mobile JKN bookings carried them: none.
            doctor=str(data.get("doctor", "")),
            hours=str(data.get("hours", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreCorrupt(f"{_TABLE}: a cached booking cannot be read") from exc


class BookingsMixin(StoreBase):
    def save_bookings(
        self,
        office_id: str,
        day: dt.date,
        bookings: Iterable[BookingToday],
        *,
        etag: str | None,
        now: dt.datetime,
    ) -> int:
        """Make ``bookings`` the cache of ``day`` (one transaction); returns how many.

        Rows of other days and bookings no longer sent go; a check-in made
        here stays (its booking reads ``checked_in`` whatever the centre said,
        and stays even if the centre's list lacks it).
        """
        rows = []
        for booking in bookings:
            if booking.office_id != office_id or booking.day != day:
                raise BadValue("a booking of another office or day")
            code_hash = self._booking_hash(booking.code)
            sealed = self._seal_json(_TABLE, code_hash, booking_json(booking))
            rows.append(
                [
                    code_hash,
                    self.cipher.lookup_key(booking.nik) if booking.nik else None,
                    self.cipher.lookup_key(booking.card_number) if booking.card_number else None,
                    day.isoformat(),
                    sealed,
                ]
            )
        with self._write() as conn:
            conn.execute("DELETE FROM bookings_today WHERE day <> ?", [day.isoformat()])
            conn.execute(
                "DELETE FROM bookings_today WHERE checked_in_ticket IS NULL"
                " AND code_hash NOT IN (SELECT value FROM json_each(?))",
                [json.dumps([row[0] for row in rows])],
            )
            conn.executemany(
                "INSERT INTO bookings_today (code_hash, nik_hash, card_hash, day, booking)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (code_hash) DO UPDATE SET"
                " nik_hash = excluded.nik_hash, card_hash = excluded.card_hash,"
                " day = excluded.day, booking = excluded.booking",
                rows,
            )
            conn.execute(
                "INSERT INTO bookings_meta (id, office_id, day, etag, fetched_at, count)"
                " VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " office_id = excluded.office_id, day = excluded.day, etag = excluded.etag,"
                " fetched_at = excluded.fetched_at, count = excluded.count",
                [office_id, day.isoformat(), etag or "", now.isoformat(), len(rows)],
            )
        return len(rows)

    def bookings_etag(self, office_id: str, day: dt.date) -> str | None:
        """The ETag of the cached list of ``office_id``'s ``day``, if it is that list."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT etag FROM bookings_meta WHERE id = 1 AND office_id = ? AND day = ?",
                [office_id, day.isoformat()],
            ).fetchone()
        return (row[0] or None) if row else None

    def bookings_of_holder(
        self, day: dt.date, *, nik: str | None = None, card_number: str | None = None
    ) -> list[BookingToday]:
        """The cached bookings of ``day`` made with this NIK or card number, earliest first."""
        hashes = [self.cipher.lookup_key(v) for v in (nik, card_number) if v]
        if not hashes:
            return []
        with self._read() as conn:
            rows = conn.execute(
                "SELECT code_hash, booking, checked_in_ticket FROM bookings_today WHERE day = ?"
                " AND (nik_hash IN (SELECT value FROM json_each(?2))"
                " OR card_hash IN (SELECT value FROM json_each(?2)))",
                [day.isoformat(), json.dumps(hashes)],
            ).fetchall()
        found = [self._opened_booking(row) for row in rows]
        return sorted(found, key=lambda b: (b.starts_at, b.code))

    def booking_by_code(self, code: str, day: dt.date) -> BookingToday | None:
        """The cached booking ``code`` of ``day``, or None."""
        code_hash = self._booking_hash(code)
        with self._read() as conn:
            row = conn.execute(
                "SELECT code_hash, booking, checked_in_ticket FROM bookings_today"
                " WHERE code_hash = ? AND day = ?",
                [code_hash, day.isoformat()],
            ).fetchone()
        return None if row is None else self._opened_booking(row)

    def purge_bookings(self, day: dt.date) -> int:
        """Delete every cached booking not of ``day`` (the office's day now); how many went."""
        with self._write() as conn:
            gone = conn.execute(
                "DELETE FROM bookings_today WHERE day <> ?", [day.isoformat()]
            ).rowcount
            conn.execute("DELETE FROM bookings_meta WHERE day <> ?", [day.isoformat()])
        return int(gone)

    def _booking_hash(self, code: str) -> str:
        return self.cipher.lookup_key(_code_lookup(code))

    def _opened_booking(self, row: tuple[str, bytes, str | None]) -> BookingToday:
        code_hash, sealed, ticket = row
        return _booking(self._open_json(_TABLE, code_hash, sealed), ticket is not None)

    def _check_in(
        self, conn: sqlite3.Connection, booking: BookingToday, day: dt.date, ticket_id: str
    ) -> None:
        """Mark ``booking`` checked in by ``ticket_id``, in the ticket's transaction.

        A booking the cache lacks (found through the centre) is written here,
        sealed, so the check-in leaves its trace whatever the cache held.
        """
        code_hash = self._booking_hash(booking.code)
        updated = conn.execute(
            "UPDATE bookings_today SET checked_in_ticket = ? WHERE code_hash = ? AND day = ?",
            [ticket_id, code_hash, day.isoformat()],
        ).rowcount
        if updated:
            return
        sealed = self._seal_json(_TABLE, code_hash, booking_json(booking))
        conn.execute(
            "INSERT INTO bookings_today (code_hash, nik_hash, card_hash, day, booking,"
            " checked_in_ticket) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code_hash) DO UPDATE SET"
            " day = excluded.day, booking = excluded.booking,"
            " checked_in_ticket = excluded.checked_in_ticket",
            [
                code_hash,
                self.cipher.lookup_key(booking.nik) if booking.nik else None,
                self.cipher.lookup_key(booking.card_number) if booking.card_number else None,
                day.isoformat(),
                sealed,
                ticket_id,
            ],
        )
