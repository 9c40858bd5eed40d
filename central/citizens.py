"""The city's citizen records: what a card does not hold, looked up by an enrolled kiosk.

A lookup key is one of:

* ``card_number``: the number in a verified city card's record;
* ``nik``: the 16-digit NIK from a verified record;
* ``uid``: the UID of a card that holds no record (an e-KTP), registered to
  a citizen in ``card_uids``. The kiosk knows nothing else about this
  holder, so the answer also carries the name and NIK (the kiosk shows them
  as ``unverified``: a UID can be copied).

The answer: the medical record number at the kiosk's own office (a hospital
or puskesmas keeps its own), the family card number (KK) and the registered
phone. Every lookup, found or not, is audited in the same transaction with
a keyed hash of the key (:mod:`central.audit`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from central.audit import record_lookup, utc_now
from central.credentials import keyed_hash
from central.tables import card_uids, citizens, medical_records, offices


class KeyKind(StrEnum):
    CARD_NUMBER = "card_number"
    NIK = "nik"
    UID = "uid"


@dataclass(frozen=True)
class CitizenRecord:
    medical_record_number: str | None
    family_card_number: str | None
    phone: str | None
    #: Only for UID lookups (the card holds no name or NIK).
    full_name: str | None = None
    nik: str | None = None
    card_number: str | None = None

    def __repr__(self) -> str:  # personal data never reaches a log by accident
        return "CitizenRecord(<hidden>)"


def normalise_key(kind: KeyKind, value: str) -> str:
    value = value.strip()
    return value.upper() if kind in (KeyKind.UID, KeyKind.CARD_NUMBER) else value


def audit_lookup(
    conn: Connection,
    kind: KeyKind,
    key: str,
    *,
    kiosk_id: str | None = None,
    audit_key: bytes,
    found: bool,
    staff_username: str | None = None,
) -> None:
    """Record a lookup by the normalised ``key``, kept only as a keyed hash.

    Whoever learns whether a key exists looked it up: a kiosk (``kiosk_id``)
    or a staff account (``staff_username``), e.g. by recording an application.
    """
    record_lookup(
        conn,
        kiosk_id=kiosk_id,
        staff_username=staff_username,
        key_kind=kind.value,
        key_hash=keyed_hash(audit_key, kind.value, key),
        found=found,
    )


def lookup(
    conn: Connection, kind: KeyKind, value: str, *, kiosk_id: str, office_id: str, audit_key: bytes
) -> CitizenRecord | None:
    """The record for one key, or ``None``; audited either way."""
    key = normalise_key(kind, value)
    query = select(citizens)
    if kind is KeyKind.UID:
        query = query.join(card_uids, card_uids.c.citizen_id == citizens.c.id).where(
            card_uids.c.uid == key
        )
    elif kind is KeyKind.NIK:
        query = query.where(citizens.c.nik == key)
    else:
        query = query.where(citizens.c.card_number == key)
    row = conn.execute(query).first()
    audit_lookup(conn, kind, key, kiosk_id=kiosk_id, audit_key=audit_key, found=row is not None)
    if row is None:
        return None
    mrn = conn.execute(
        select(medical_records.c.medical_record_number).where(
            medical_records.c.citizen_id == row.id, medical_records.c.office_id == office_id
        )
    ).scalar_one_or_none()
    record = CitizenRecord(mrn, row.family_card_number, row.phone)
    if kind is KeyKind.UID:
        return CitizenRecord(
            mrn, row.family_card_number, row.phone, row.full_name, row.nik, row.card_number
        )
    return record


def seed_citizens(conn: Connection, path: Path) -> int:
    """Add the citizens of a demo file that are not there yet (by NIK); returns how many."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    known_offices = set(conn.execute(select(offices.c.id)).scalars())
    added = 0
    now = utc_now()
    for person in data["citizens"]:
        exists = conn.execute(select(citizens.c.id).where(citizens.c.nik == person["nik"])).first()
        if exists is not None:
            continue
        result = conn.execute(
            insert(citizens).values(
                nik=person["nik"],
                full_name=person["full_name"],
                card_number=person.get("card_number"),
                family_card_number=person.get("family_card_number"),
                phone=person.get("phone"),
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
