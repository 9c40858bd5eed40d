"""The city's citizen records: what a card does not hold, looked up by an enrolled kiosk.

A lookup key is one of:

* ``card_number``: the number in a verified city card's record;
* ``nik``: the 16-digit NIK from a verified record;
* ``uid``: the UID of a card that holds no record (an e-KTP), registered to
  a citizen in ``card_uids``. A UID proves nothing (it is read in a second
  and copied onto a blank card for a few dollars), so **a UID alone finds
  nothing**: the answer is the same whether the UID is registered or not.
  With the holder's ``birth_date`` (typed by the citizen at the kiosk) the
  answer also carries the name and NIK, but only when the date is the one
  in the holder's NIK (day, month and two-digit year, as
  :meth:`contract.nik.Nik.matches` compares them). Wrong dates are counted
  per UID and per kiosk and lock both for a while (:mod:`central.access.uid_proof`).

The answer: the medical record number at the kiosk's own office (a hospital
or puskesmas keeps its own), the family card number (KK) and the registered
phone. Every lookup, found or not, is audited in the same transaction with
a keyed hash of the key (:mod:`central.access.audit`); every UID lookup is hashed
as the UID (``keyed_hash(key, "uid", UID)``) whatever its kind: ``uid``
(alone, never found), ``uid_dob`` (with a date; found when it matched) or
``uid_dob_refused`` (refused by the limit, the date not even compared).

Card-number and NIK lookups are counted per kiosk against an hourly budget,
with a much smaller one for lookups that find nothing
(:mod:`central.access.lookup_budget`); beyond it they are refused, audited as
``card_refused`` or ``nik_refused`` without a search.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Required, TypedDict

from sqlalchemy import Connection, Row, insert, select, update

from central.access import limits, uid_proof
from central.access.audit import record_lookup, utc_now
from central.access.credentials import keyed_hash
from central.access.lookup_budget import WINDOW, LookupBudget
from central.tables import card_uids, citizen_lookups, citizens, medical_records, offices
from contract.errors import NikError
from contract.nik import parse_nik

log = logging.getLogger(__name__)


class KeyKind(StrEnum):
    CARD_NUMBER = "card_number"
    NIK = "nik"
    UID = "uid"


@dataclass(frozen=True)
class CitizenRecord:
    medical_record_number: str | None
    family_card_number: str | None
    phone: str | None
    #: Only for UID lookups with the right date of birth (the card holds no name or NIK).
    full_name: str | None = None
    nik: str | None = None
    card_number: str | None = None

    def __repr__(self) -> str:  # personal data never reaches a log by accident
        return "CitizenRecord(<hidden>)"


def normalise_key(kind: KeyKind, value: str) -> str:
    value = value.strip()
    return value.upper() if kind in (KeyKind.UID, KeyKind.CARD_NUMBER) else value


@dataclass(frozen=True)
class Refused:
    """Too many wrong dates of birth (``budget`` false), or lookups (true): try again later.

    Returned, not raised: the refused attempt's audit row must commit.
    """

    retry_after_s: int
    #: True: the kiosk's card-number/NIK lookup budget is used up.
    budget: bool = False


def audit_lookup(
    conn: Connection,
    kind: KeyKind,
    key: str,
    *,
    kiosk_id: str | None = None,
    audit_key: bytes,
    found: bool,
    staff_username: str | None = None,
    audit_kind: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record a lookup by the normalised ``key``, kept only as a keyed hash.

    Whoever learns whether a key exists looked it up: a kiosk (``kiosk_id``)
    or a staff account (``staff_username``), e.g. by recording an application.
    """
    record_lookup(
        conn,
        kiosk_id=kiosk_id,
        staff_username=staff_username,
        key_kind=audit_kind or kind.value,
        key_hash=keyed_hash(audit_key, kind.value, key),
        found=found,
        at=at,
    )


def lookup(
    conn: Connection,
    kind: KeyKind,
    value: str,
    *,
    kiosk_id: str,
    office_id: str,
    audit_key: bytes,
    birth_date: dt.date | None = None,
    budget: LookupBudget | None = None,
    now: dt.datetime | None = None,
) -> CitizenRecord | Refused | None:
    """The record for one key, or ``None``; audited either way.

    ``birth_date`` goes with a ``uid`` only, and a UID finds a record only
    with it; :class:`Refused` while the UID or the kiosk is locked (the
    attempt is audited, the date not compared). Card numbers and NIKs are
    counted against ``budget`` (default :class:`LookupBudget`'s).
    """
    key = normalise_key(kind, value)
    if birth_date is not None and kind is not KeyKind.UID:
        raise ValueError("a date of birth goes with a uid lookup only")
    if kind is KeyKind.UID:
        return _lookup_uid(
            conn,
            key,
            birth_date,
            kiosk_id=kiosk_id,
            office_id=office_id,
            audit_key=audit_key,
            now=now or utc_now(),
        )
    found = kiosk_find(
        conn, kind, key, kiosk_id=kiosk_id, audit_key=audit_key, budget=budget, now=now
    )
    if found is None or isinstance(found, Refused):
        return found
    return CitizenRecord(_mrn(conn, found.id, office_id), found.family_card_number, found.phone)


class KioskAsks(TypedDict, total=False):
    """Who asks :func:`kiosk_find`, and under which budget: the keywords it takes."""

    kiosk_id: Required[str]
    audit_key: Required[bytes]
    budget: LookupBudget | None
    now: dt.datetime | None


def kiosk_find(
    conn: Connection,
    kind: KeyKind,
    value: str,
    *,
    kiosk_id: str,
    audit_key: bytes,
    budget: LookupBudget | None = None,
    now: dt.datetime | None = None,
    uncounted_as: str | None = None,
) -> Row[Any] | Refused | None:
    """The citizen's row for a kiosk's card number or NIK, or ``None``; audited, budgeted.

    Every kiosk route that takes a card number or NIK finds the citizen
    here, and only here, so none escapes the kiosk's budget
    (:mod:`central.access.lookup_budget`): while it is locked the attempt is
    audited as ``card_refused``/``nik_refused``, nothing is searched, and
    :class:`Refused` comes back. Otherwise a found key counts one lookup and
    an unknown one a lookup and a miss; a key this kiosk already looked up
    within the budget's window (a card read again, its applications asked
    after its record) counts nothing: it tells the kiosk nothing new, and one
    card read over and over must not lock the kiosk for every other citizen.

    ``uncounted_as``: audited only, as that kind, neither refused nor counted, for a
    key a kiosk sends with what it did offline, bounded by the numbers it may use there
    (a registration's yes to messages, :func:`central.office.submissions._record_consents`).
    Its audit row is of its own kind, so it never makes a later lookup of the key a
    repeat that counts nothing.
    """
    if kind is KeyKind.UID:
        raise ValueError("a UID is not a card number or NIK: it needs its date of birth")
    key = normalise_key(kind, value)
    now = now or utc_now()
    subjects = (budget or LookupBudget()).subjects(kiosk_id)
    counted = uncounted_as is None
    # locks the kiosk's rows: one at a time
    retry_after = limits.refused_for(conn, subjects, now) if counted else None
    if retry_after is not None:
        audit_lookup(
            conn,
            kind,
            key,
            kiosk_id=kiosk_id,
            audit_key=audit_key,
            found=False,
            audit_kind="card_refused" if kind is KeyKind.CARD_NUMBER else "nik_refused",
            at=now,
        )
        return Refused(retry_after, budget=True)
    column = citizens.c.nik if kind is KeyKind.NIK else citizens.c.card_number
    row = conn.execute(select(citizens).where(column == key)).first()
    key_hash = keyed_hash(audit_key, kind.value, key)
    repeat = None
    if counted:
        repeat = conn.execute(
            select(citizen_lookups.c.id)
            .where(
                citizen_lookups.c.key_hash == key_hash,
                citizen_lookups.c.kiosk_id == kiosk_id,
                citizen_lookups.c.key_kind == kind.value,  # a refused attempt was never counted
                citizen_lookups.c.at > now - WINDOW,
                citizen_lookups.c.at <= now,
            )
            .limit(1)
        ).first()
    audit_lookup(
        conn,
        kind,
        key,
        kiosk_id=kiosk_id,
        audit_key=audit_key,
        found=row is not None,
        audit_kind=uncounted_as,
        at=now,
    )
    if repeat is None and counted:
        actor = f"kiosk:{kiosk_id}"
        limits.count(conn, subjects[:1] if row is not None else subjects, now, actor=actor)
    return row


def _lookup_uid(
    conn: Connection,
    uid: str,
    birth_date: dt.date | None,
    *,
    kiosk_id: str,
    office_id: str,
    audit_key: bytes,
    now: dt.datetime,
) -> CitizenRecord | Refused | None:
    def audit(kind: str, found: bool) -> None:
        audit_lookup(
            conn,
            KeyKind.UID,
            uid,
            kiosk_id=kiosk_id,
            audit_key=audit_key,
            found=found,
            audit_kind=kind,
            at=now,
        )

    if birth_date is None:  # proves nothing: not even whether the UID is registered
        audit(KeyKind.UID.value, False)
        return None
    counted = uid_proof.subjects(keyed_hash(audit_key, KeyKind.UID.value, uid), kiosk_id)
    retry_after = uid_proof.refused_for(conn, counted, now)
    if retry_after is not None:
        audit("uid_dob_refused", False)
        return Refused(retry_after)
    row = conn.execute(
        select(citizens)
        .join(card_uids, card_uids.c.citizen_id == citizens.c.id)
        .where(card_uids.c.uid == uid)
    ).first()
    matched = row is not None and _born_on(row.nik, birth_date)
    audit("uid_dob", matched)
    if row is None or not matched:
        uid_proof.count(conn, counted, now, actor=f"kiosk:{kiosk_id}")
        return None
    uid_proof.clear(conn, counted[0], now)
    return CitizenRecord(
        _mrn(conn, row.id, office_id),
        row.family_card_number,
        row.phone,
        row.full_name,
        row.nik,
        row.card_number,
    )


def _born_on(nik: str, birth_date: dt.date) -> bool:
    """Whether ``birth_date`` is the one in ``nik``: day, month, two-digit year (any sex)."""
    try:
        parsed = parse_nik(nik)
    except NikError as exc:
        log.error("a registered citizen's NIK is unusable: %s", exc)  # never its digits
        return False
    return parsed.matches(birth_date, parsed.sex)


def _mrn(conn: Connection, citizen_id: int, office_id: str) -> str | None:
    return conn.execute(
        select(medical_records.c.medical_record_number).where(
            medical_records.c.citizen_id == citizen_id, medical_records.c.office_id == office_id
        )
    ).scalar_one_or_none()


def seed_citizens(conn: Connection, path: Path) -> int:
    """Add the citizens of a demo file that are not there yet (by NIK); returns how many."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    known_offices = set(conn.execute(select(offices.c.id)).scalars())
    added = 0
    now = utc_now()
    for person in data["citizens"]:
        born = dt.date.fromisoformat(person["birth_date"]) if person.get("birth_date") else None
        exists = conn.execute(
            select(citizens.c.id, citizens.c.birth_date).where(citizens.c.nik == person["nik"])
        ).first()
        if exists is not None:
            if exists.birth_date is None and born is not None:  # seeded before 0012
                conn.execute(
                    update(citizens).where(citizens.c.id == exists.id).values(birth_date=born)
                )
            continue
        result = conn.execute(
            insert(citizens).values(
                nik=person["nik"],
                full_name=person["full_name"],
                card_number=person.get("card_number"),
                family_card_number=person.get("family_card_number"),
                phone=person.get("phone"),
                birth_date=born,
                updated_at=now,
            )
        )
        key = result.inserted_primary_key
        if key is None:  # pragma: no cover - every insert here has a primary key
            raise RuntimeError("no primary key for the new citizen")
        citizen_id = key[0]
        for uid in person.get("card_uids", []):
            conn.execute(
                insert(card_uids).values(uid=uid.upper(), citizen_id=citizen_id, registered_at=now)
            )
        for office_id, number in person.get("medical_records", {}).items():
            if office_id in known_offices:
                conn.execute(
                    insert(medical_records).values(
                        citizen_id=citizen_id, office_id=office_id, medical_record_number=number
                    )
                )
        added += 1
    return added
