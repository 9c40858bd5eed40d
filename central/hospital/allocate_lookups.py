"""The patient check of a poli ticket's allocate is a lookup: budgeted and audited.

An allocate that names its patient (``POST /api/v1/tickets/allocate`` with the
keys of :class:`contract.hospital.PatientKeys`) is answered by what the centre
holds of that person: ``identity_conflict`` when a typed name or date of birth is
not the record's of a NIK or BPJS number, ``already_registered`` when they have a
visit at that poli today. A refusal leaves no ticket and no place, so asked again
and again it would tell, without a trace, a NIK's date of birth or whether
someone is at a poli today, which a patient find tells only within the kiosk's
budget and audited (:mod:`central.hospital.patients`).

So a refused allocate is counted as a miss of the kiosk's patient budget (the one
a find's misses use: :meth:`central.access.lookup_budget.LookupBudget.patient_subjects`)
and audited in ``citizen_lookups`` as kind ``patient_allocate``, one row for each
key it named, hashed as a find hashes it (never the value). While that budget is
locked the allocate does not check the patient (:func:`may_check`): its ticket is
numbered as a kiosk older than the keys asks, and the registration checks the
patient when it arrives, so the kiosk keeps working and the one asking learns
nothing. An allocate numbered is no lookup to count: its ticket stands in the queue.
The budget's rows are held from the check to the commit, and the refusal counted in
the allocate's own transaction (what the check wrote undone by a savepoint), so
allocates asked all at once are answered, one after another, no more than the budget.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Connection

from central.access import limits
from central.access.audit import record_lookup
from central.access.credentials import keyed_hash
from central.access.lookup_budget import LookupBudget
from contract.hospital import PatientKeys

log = logging.getLogger(__name__)

#: ``citizen_lookups.key_kind`` of a refused allocate's keys.
AUDIT_KIND = "patient_allocate"
#: Each key's hash kind: a find's for the keys a find takes, a card lookup's for the card.
_HASHED_AS = (
    ("nik", "patient_nik"),
    ("nomorkartu", "patient_nomorkartu"),
    ("norm", "patient_norm"),
    ("card_number", "card_number"),
)


def may_check(
    conn: Connection, kiosk_id: str, budget: LookupBudget | None, now: dt.datetime
) -> bool:
    """Whether an allocate of ``kiosk_id`` may check the patient it names now: not while
    the kiosk's patient budget is locked. Its rows stay locked to the end of ``conn``'s
    transaction, which counts a refusal (:func:`refused`): the kiosk's allocates and
    finds take turns, and none answers past the budget."""
    if limits.refused_for(conn, (budget or LookupBudget()).patient_subjects(kiosk_id), now) is None:
        return True
    log.warning("the kiosk's patient lookups are locked: its allocate is numbered unchecked")
    return False


def refused(
    conn: Connection,
    keys: PatientKeys,
    *,
    kiosk_id: str,
    audit_key: bytes,
    budget: LookupBudget | None,
    now: dt.datetime,
) -> None:
    """Audit and count an allocate whose patient ``keys`` the centre refused, in the
    allocate's transaction (after :func:`may_check`): what the check wrote is undone
    (a savepoint), no ticket or place was taken, and this is what commits."""
    counted = (budget or LookupBudget()).patient_subjects(kiosk_id)
    # their rows, locked in the one order; already locked (a caller that did not ask
    # may_check first), a count would lift the lock
    locked = limits.refused_for(conn, counted, now) is not None
    named = [(kind, getattr(keys, name)) for name, kind in _HASHED_AS if getattr(keys, name)]
    if not named:  # named by the name or the date of birth alone
        named = [("patient_name", keys.full_name.strip().lower())]
    for kind, value in named:
        record_lookup(
            conn,
            kiosk_id=kiosk_id,
            key_kind=AUDIT_KIND,
            key_hash=keyed_hash(audit_key, kind, value),
            found=False,
            at=now,
        )
    if not locked:
        limits.count(conn, counted, now, actor=f"kiosk:{kiosk_id}")
