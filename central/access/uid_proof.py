"""How many dates of birth a UID-only card may be tried with.

A UID proves nothing (it can be read and copied in a second), so the city
names a UID's holder only to a kiosk that also gives the holder's date of
birth (:func:`central.office.citizens.lookup`). Dates of birth are few (some 36,500
in a century), so attempts are limited twice (:mod:`central.access.limits`):

* **per UID** (:data:`UID_LIMIT`): a copied card cannot be tried through
  every date, from any number of kiosks;
* **per kiosk** (:data:`KIOSK_LIMIT`): a kiosk (or a stolen token) cannot
  try many cards.

Every attempt with a date counts first, in the same transaction, and a
match then clears its UID's count (never the kiosk's). Known and unknown
UIDs are counted alike: the answers never tell whether a UID is registered.

A lock is also a way to deny one citizen the pre-filled form for a while
(five wrong dates with a copy of their UID): they fill it by hand, as on a
kiosk that is offline. Each lock is a security event ``uid_proof_locked``.
"""

from __future__ import annotations

import datetime as dt

from central.access.limits import Limit, Subject, clear, count, refused_for

__all__ = ["KIOSK_LIMIT", "UID_LIMIT", "clear", "count", "refused_for", "subjects"]

_WRONG = "wrong dates of birth"
#: Five wrong dates a day per UID; then an hour, two, four, ... up to a week.
UID_LIMIT = Limit(
    5, dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(days=7), "uid_proof_locked", _WRONG
)
#: Twenty wrong dates an hour per kiosk; then 15 minutes, 30, ... up to a day.
KIOSK_LIMIT = Limit(
    20,
    dt.timedelta(hours=1),
    dt.timedelta(minutes=15),
    dt.timedelta(days=1),
    "uid_proof_locked",
    _WRONG,
)


def subjects(uid_hash: str, kiosk_id: str) -> tuple[Subject, Subject]:
    """The UID first, then the kiosk: every transaction locks rows in this order."""
    return (
        Subject(f"uid:{uid_hash}", UID_LIMIT, audit_subject="uid"),
        Subject(f"kiosk:{kiosk_id}", KIOSK_LIMIT),
    )
