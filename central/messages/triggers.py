"""When the centre writes a message: each trigger runs in the transaction of its cause.

* a ticket whose citizen said yes at the kiosk (the registration's
  ``notify``, :func:`ticket_consent`): "tinggal N orang lagi" once, when a
  counter's step leaves ``ahead_at`` people or fewer ahead of it ("Anda
  berikutnya" when none), and "dipanggil" when a counter calls it
  (:func:`after_counter_step`, from :func:`central.office.calls.record`, the
  one place every counter step passes);
* an application moved to ``ready`` ("siap diambil"): to the number the
  citizen last said yes with at a kiosk, with their card
  (:func:`citizen_consent`, :func:`application_ready`); never the record's;
* a complaint answered, when its kiosk item carried the citizen's yes
  (:func:`complaint_consent`, :func:`complaint_answered`);
* a booking made or moved with a phone number ("confirmed",
  :func:`booking_confirmed`, from :mod:`central.office.bookings`), and its
  reminder on the day before (:func:`booking_reminders`, which every
  sender runs now and then: the key makes it once, whichever process runs it).

Each message's idempotency key names its cause (``ticket:<id>:called``), so
the same cause twice is one message. A ticket transferred waits anew: its keys
after the n-th transfer end ``:<n>`` (``ticket:<id>:called:1``), so a call after a
transfer is told, while a recall or a call back at the same place is not.
Nothing here sends: the sender does, after the commit (:mod:`central.messages.sender`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from central.messages.outbox import enqueue, forget_consent
from central.messages.phones import normalise
from central.messages.templates import first_name, language_of
from central.office.queue import CALL_ORDER, WAITING
from central.tables import (
    bookings,
    call_events,
    citizens,
    message_consents,
    offices,
    services,
    tickets,
)
from central.upsert import dialect_insert

log = logging.getLogger(__name__)

#: From this local hour on the day before, a booking's reminder goes.
REMINDER_HOUR = 9
#: The most people ahead a "your turn is near" message may be set for.
MAX_AHEAD = 50
CALL = "call"
TRANSFER = "transfer"  # central.office.calls' names of counter steps
#: The longest a queue message may wait to be sent: past it, "tinggal N orang lagi"
#: or "dipanggil" would no longer be news (it also goes as soon as its ticket no
#: longer waits, or is no longer called: :mod:`central.messages.outbox`).
QUEUE_MESSAGE_LIFETIME = dt.timedelta(hours=2)


def _consent(
    conn: Connection,
    subject: str,
    phone: str,
    language: str,
    now: dt.datetime,
    ahead_at: int | None = None,
) -> None:
    conn.execute(
        dialect_insert(conn, message_consents)
        .values(
            subject=subject,
            phone=phone,
            language=language_of(language),
            ahead_at=ahead_at,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["subject"])
    )


def ticket_consent(
    conn: Connection, ticket_id: str, phone: str, language: str, ahead_at: int, now: dt.datetime
) -> None:
    """Keep a ticket's yes (the first one stays: a registration is sent once)."""
    _consent(conn, f"ticket:{ticket_id}", phone, language, now, min(ahead_at, MAX_AHEAD))


def citizen_consent(
    conn: Connection, citizen_id: str, phone: str, language: str, now: dt.datetime
) -> None:
    """Keep a known citizen's latest yes (given at a kiosk with their card) for the
    messages about them rather than one ticket: "siap diambil" (:func:`application_ready`)."""
    values = {"phone": phone, "language": language_of(language), "created_at": now}
    conn.execute(
        dialect_insert(conn, message_consents)
        .values(subject=f"citizen:{citizen_id}", ahead_at=None, **values)
        .on_conflict_do_update(index_elements=["subject"], set_=values)
    )


#: A complaint's reference as the kiosk makes it (kiosk/tickets/complaints.py: 60 bits
#: in Crockford base32). Only such a reference goes into a message: anything else is
#: text a kiosk chose, which the centre does not send to a phone.
COMPLAINT_REFERENCE = re.compile(r"ADU(?:-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}){3}")


def complaint_consent(
    conn: Connection, reference: str, phone: str, language: str, now: dt.datetime
) -> bool:
    """Keep a complaint's yes; ``False`` (the yes dropped, the complaint kept) if its
    reference is not of the kiosk's form."""
    if not COMPLAINT_REFERENCE.fullmatch(reference):
        log.warning("a complaint's yes to messages dropped: its reference is not a kiosk's")
        return False
    _consent(conn, f"complaint:{reference}", phone, language, now)
    return True


def _office_name(conn: Connection, office_id: str) -> str:
    name: str | None = conn.execute(
        select(offices.c.name).where(offices.c.id == office_id)
    ).scalar_one_or_none()
    return name or office_id


def _turn(conn: Connection, ticket_id: str) -> str:
    """What makes a queue message's key new after a transfer: ``""`` before any,
    ``":<n>"`` after the n-th (the ticket waits anew, in a queue or for a counter)."""
    transfers = conn.execute(
        select(func.count()).where(
            call_events.c.ticket_id == ticket_id, call_events.c.kind == TRANSFER
        )
    ).scalar_one()
    return f":{transfers}" if transfers else ""


def after_counter_step(conn: Connection, ticket: Any, kind: str, now: dt.datetime) -> None:
    """A counter's step on ``ticket`` (its row after it): "called", and "N ahead" in its queue."""
    subject = f"ticket:{ticket.id}"
    office = None
    if kind == CALL:
        consent = conn.execute(
            select(message_consents).where(message_consents.c.subject == subject)
        ).first()
        if consent is not None:
            office = _office_name(conn, ticket.office_id)
            enqueue(
                conn,
                key=f"{subject}:called{_turn(conn, ticket.id)}",
                office_id=ticket.office_id,
                phone=consent.phone,
                language=consent.language,
                template="ticket.called",
                params={"number": ticket.display, "office": office, "counter": ticket.counter},
                now=now,
                expires_at=now + QUEUE_MESSAGE_LIFETIME,
                ticket_id=ticket.id,
            )
    front = list(
        conn.execute(
            select(tickets.c.id, tickets.c.display)
            .where(
                tickets.c.queue_id == ticket.queue_id,
                tickets.c.day == ticket.day,
                tickets.c.status == WAITING,
            )
            .order_by(*CALL_ORDER)
            .limit(MAX_AHEAD + 1)
        )
    )
    if not front:
        return
    consents = {
        row.subject: row
        for row in conn.execute(
            select(message_consents).where(
                message_consents.c.subject.in_([f"ticket:{row.id}" for row in front])
            )
        )
    }
    for ahead, row in enumerate(front):
        consent = consents.get(f"ticket:{row.id}")
        if consent is None or consent.ahead_at is None or ahead > consent.ahead_at:
            continue
        office = office or _office_name(conn, ticket.office_id)
        enqueue(
            conn,
            key=f"ticket:{row.id}:ahead{_turn(conn, row.id)}",
            office_id=ticket.office_id,
            phone=consent.phone,
            language=consent.language,
            template="ticket.next" if ahead == 0 else "ticket.ahead",
            params={"number": row.display, "office": office, "ahead": ahead},
            now=now,
            expires_at=now + QUEUE_MESSAGE_LIFETIME,
            ticket_id=row.id,
        )


def application_ready(conn: Connection, application: Any, now: dt.datetime) -> bool:
    """``application`` (its row, now ``ready``): to the number its citizen said yes with
    at a kiosk (:func:`citizen_consent`); without that yes nothing goes, the record's
    phone is never used. Whether a message was written."""
    consent = conn.execute(
        select(message_consents).where(
            message_consents.c.subject == f"citizen:{application.citizen_id}"
        )
    ).first()
    citizen = conn.execute(
        select(citizens.c.full_name).where(citizens.c.id == application.citizen_id)
    ).first()
    if consent is None or citizen is None:
        log.info("an application is ready; its citizen gave no yes to messages: none sent")
        return False
    return enqueue(
        conn,
        key=f"application:{application.reference}:ready:{application.state_changed_at.isoformat()}",
        office_id=application.office_id,
        phone=consent.phone,
        language=consent.language,
        template="application.ready",
        params={
            "first_name": first_name(citizen.full_name),
            "reference": application.reference,
            "service": application.title_id,
            "office": _office_name(conn, application.office_id),
        },
        now=now,
    )


def complaint_answered(conn: Connection, reference: str, office_id: str, now: dt.datetime) -> None:
    """The first answer of a complaint whose citizen said yes."""
    consent = conn.execute(
        select(message_consents).where(message_consents.c.subject == f"complaint:{reference}")
    ).first()
    if consent is None:
        return
    enqueue(
        conn,
        key=f"complaint:{reference}:answered",
        office_id=office_id,
        phone=consent.phone,
        language=consent.language,
        template="complaint.answered",
        params={"reference": reference, "office": _office_name(conn, office_id)},
        now=now,
    )
    forget_consent(conn, f"complaint:{reference}")  # used: the message keeps the number


def _booking_params(conn: Connection, booking: Any) -> dict[str, object]:
    service: str | None = conn.execute(
        select(services.c.name).where(services.c.id == booking.service_id)
    ).scalar_one_or_none()
    code = str(booking.code)
    return {
        "code": f"{code[:3]} {code[3:6]} {code[6:]}",
        "service": service or booking.service_id,
        "office": _office_name(conn, booking.office_id),
        "date": booking.day.isoformat(),
        "time": booking.starts_at.replace(":", "."),
    }


def _slot_start(booking: Any, zone: ZoneInfo) -> dt.datetime:
    """When the booking's slot begins: after it, its confirmation or reminder is moot."""
    hours, minutes = (int(part) for part in str(booking.starts_at).split(":")[:2])
    return dt.datetime.combine(booking.day, dt.time(hours, minutes), zone)


def booking_confirmed(conn: Connection, booking: Any, now: dt.datetime, zone: ZoneInfo) -> None:
    """A booking made or moved (:class:`central.office.bookings.Booking`), if it has a phone.

    The key names the slot and the booking's count of changes: every move
    is confirmed again, back to a slot it had before too. No name in it:
    the number was typed on a public page and nobody checked whose it is.
    Not sent once the slot has begun (``zone``: the city's, of the slot's time).
    """
    phone = normalise(booking.phone)
    if phone is None:
        return
    enqueue(
        conn,
        key=_confirmed_key(booking),
        office_id=booking.office_id,
        phone=phone,
        language=language_of(booking.language),
        template="booking.confirmed",
        params=_booking_params(conn, booking),
        now=now,
        expires_at=_slot_start(booking, zone),
    )


def booking_reminders(conn: Connection, now: dt.datetime, zone: ZoneInfo) -> int:
    """Write the reminders of tomorrow's bookings (local day); how many were new.

    From :data:`REMINDER_HOUR` on the day before, for each booking still
    booked with a phone that was made before that day began (one made on
    the day before had its confirmation just now). Once per booking and day.
    """
    local = now.astimezone(zone)
    if local.hour < REMINDER_HOUR:
        return 0
    today = local.date()
    midnight = dt.datetime.combine(today, dt.time(), zone)
    rows = conn.execute(
        select(bookings).where(
            bookings.c.day == today + dt.timedelta(days=1),
            bookings.c.state == "booked",
            bookings.c.phone.is_not(None),
            bookings.c.created_at < midnight,
        )
    )
    written = 0
    for row in rows:
        phone = normalise(row.phone)
        if phone is None:
            continue
        params = _booking_params(conn, _BookingView(row))
        written += enqueue(
            conn,
            key=f"booking:{row.code}:reminder:{row.day.isoformat()}",
            office_id=row.office_id,
            phone=phone,
            language=language_of(row.language),
            template="booking.reminder",
            params=params,
            now=now,
            expires_at=_slot_start(row, zone),
        )
    return written


def _confirmed_key(booking: Any) -> str:
    key = f"booking:{booking.code}:confirmed:{booking.day.isoformat()}T{booking.starts_at}"
    return key if not booking.changes else f"{key}:change-{booking.changes}"


class _BookingView:
    """A booking row as :func:`_booking_params` reads it."""

    def __init__(self, row: Any) -> None:
        self.code = row.code
        self.service_id = row.service_id
        self.office_id = row.office_id
        self.day = row.day
        self.starts_at = row.starts_at
