"""A citizen's booking of today: the store's cache first, the centre for a code it lacks.

The sync engine keeps today's bookings of the office in the store (sealed); a
tapped card's holder is found there by NIK or card number, offline too, and a
typed code likewise. A code the cache does not hold is asked of the centre
(``GET /api/v1/bookings/{code}``, with the citizen's short deadline), which
says only where and when it is: another day, another office, or today here
(booked since the last fetch). Every failure is an answer the session can show
("cannot be checked now"), never an exception.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from cardio.card.citizen import Citizen
from contract.bookings import BookingToday
from kiosk.client.bookings import BookingInfo
from kiosk.client.errors import CentralError
from kiosk.lookups.centre import CentreAccess
from kiosk.session.events import BookingFound, BookingLookup, FindBooking
from offline_store import Store, StoreError

log = logging.getLogger(__name__)


class Bookings:
    def __init__(
        self,
        centre: CentreAccess,
        store: Store,
        *,
        office_id: str,
        deadline_s: float,
        now: Callable[[], dt.datetime],
    ) -> None:
        self._centre = centre
        self._store = store
        self._office_id = office_id
        self._deadline_s = deadline_s
        self._now = now

    def of_holder(self, citizen: Citizen | None) -> tuple[BookingToday, ...]:
        """Today's bookings at this office made with the holder's NIK or card number."""
        if citizen is None:
            return ()
        try:
            found = self._store.bookings_of_holder(
                self._now().date(), nik=citizen.nik or None, card_number=citizen.card_number or None
            )
        except StoreError as exc:
            log.error("bookings of the card's holder not read: %s", exc)
            return ()
        return tuple(b for b in found if b.office_id == self._office_id)

    def find(self, effect: FindBooking) -> BookingFound:
        """The booking ``effect.code``: today's here from the cache, else what the centre says."""
        today = self._now().date()
        try:
            cached = self._store.booking_by_code(effect.code, today)
        except StoreError as exc:
            log.error("booking cache not read: %s", exc)
            cached = None
        if cached is not None and cached.office_id == self._office_id:
            return BookingFound(effect.session, BookingLookup.TODAY, cached, asked=effect.asked)
        if not self._centre.may_ask():
            return BookingFound(effect.session, BookingLookup.UNAVAILABLE, asked=effect.asked)
        try:
            info = self._centre.client.booking(effect.code, deadline_s=self._deadline_s)
        except CentralError as exc:
            log.warning("booking code not checked: %s", exc)
            return BookingFound(effect.session, BookingLookup.UNAVAILABLE, asked=effect.asked)
        if info is None:
            log.info("booking code unknown to the centre")
            return BookingFound(effect.session, BookingLookup.UNKNOWN, asked=effect.asked)
        booking = _without_holder(info)
        if info.office_id != self._office_id:
            return BookingFound(
                effect.session, BookingLookup.OTHER_OFFICE, booking, asked=effect.asked
            )
        if info.day != today:
            return BookingFound(
                effect.session, BookingLookup.OTHER_DAY, booking, asked=effect.asked
            )
        return BookingFound(effect.session, BookingLookup.TODAY, booking, asked=effect.asked)


def _without_holder(info: BookingInfo) -> BookingToday:
    """The centre's answer by code as a booking of the session (it names no one)."""
    return BookingToday(
        code=info.code,
        office_id=info.office_id,
        service_id=info.service_id,
        day=info.day,
        starts_at=info.starts_at,
        ends_at=info.ends_at,
        state=info.state,
        nik=None,
        card_number=None,
        first_name="",
    )
