"""How many citizens one kiosk may look up by card number or NIK: a budget per hour.

Card numbers are sequential (``PKU-000001``, ...) and a NIK is mostly a
region, a date of birth and a serial, so one stolen kiosk token could read
the whole registry through ``POST /api/v1/citizens/lookup`` at the general
rate limit (600 a minute). Each kiosk therefore has two budgets, counted in
the database (:mod:`central.access.limits`, so every app process shares them):

* **lookups** (``lookup_budget_per_hour``, default 240): every card-number
  or NIK lookup, found or not. A kiosk serves a citizen every 20 s at the
  very busiest (180 an hour, one lookup each); 240 leaves a third to spare.
* **not found** (``lookup_not_found_per_hour``, default 30): lookups the
  city has no record for. A real kiosk reads verified cards, so misses are
  rare (a card from another city, a citizen not yet registered); a sweep
  through guessed numbers hits many gaps and stops here first.

The lookup that uses up a budget is still answered; the next one is refused
with ``429 too_many_lookups`` and ``Retry-After`` for 15 minutes, then 30,
60, ... up to a day (each lock twice as long as the one before), and each
lock is a security event ``lookup_budget_locked`` (subject the kiosk), so
staff see a sweep.

A hospital's patient finds (:mod:`central.hospital.patients`) spend budgets of
the same sizes but of their own, so misses typed on a kiosk's patient keypad
never lock that kiosk's card lookups; a name search (the desk's) spends
besides a smaller one of its own (``names_per_hour``, default 60), since a hit
by name and date of birth names a person the searcher need not know a number of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from central.access.limits import Limit, Subject

FIRST_LOCK = dt.timedelta(minutes=15)
LONGEST_LOCK = dt.timedelta(days=1)
WINDOW = dt.timedelta(hours=1)
EVENT = "lookup_budget_locked"


@dataclass(frozen=True)
class LookupBudget:
    """Per kiosk and hour: lookups in all, and lookups that found nothing."""

    per_hour: int = 240
    not_found_per_hour: int = 30
    names_per_hour: int = 60

    def __post_init__(self) -> None:
        if self.per_hour < 1 or self.not_found_per_hour < 1 or self.names_per_hour < 1:
            raise ValueError("a lookup budget must allow at least one lookup")

    def subjects(self, kiosk_id: str) -> tuple[Subject, Subject]:
        """Every lookup's subject first, then the misses': every transaction locks in this order."""
        every = Limit(
            self.per_hour, WINDOW, FIRST_LOCK, LONGEST_LOCK, EVENT, "card-number/NIK lookups"
        )
        misses = Limit(
            self.not_found_per_hour, WINDOW, FIRST_LOCK, LONGEST_LOCK, EVENT, "lookups not found"
        )
        return (
            Subject(f"lookups:kiosk:{kiosk_id}", every, audit_subject=f"kiosk:{kiosk_id}"),
            Subject(f"lookup_misses:kiosk:{kiosk_id}", misses, audit_subject=f"kiosk:{kiosk_id}"),
        )

    def patient_subjects(self, kiosk_id: str) -> tuple[Subject, Subject]:
        """A hospital's patient finds: every one, then the misses (no card lookup's)."""
        every = Limit(self.per_hour, WINDOW, FIRST_LOCK, LONGEST_LOCK, EVENT, "patient finds")
        misses = Limit(
            self.not_found_per_hour, WINDOW, FIRST_LOCK, LONGEST_LOCK, EVENT, "patients not found"
        )
        return (
            Subject(f"patient_finds:kiosk:{kiosk_id}", every, audit_subject=f"kiosk:{kiosk_id}"),
            Subject(f"patient_misses:kiosk:{kiosk_id}", misses, audit_subject=f"kiosk:{kiosk_id}"),
        )

    def name_subject(self, kiosk_id: str) -> Subject:
        """Name searches, found or not: locked after the last of the patient subjects."""
        names = Limit(
            self.names_per_hour, WINDOW, FIRST_LOCK, LONGEST_LOCK, EVENT, "patient name searches"
        )
        return Subject(f"patient_names:kiosk:{kiosk_id}", names, audit_subject=f"kiosk:{kiosk_id}")
