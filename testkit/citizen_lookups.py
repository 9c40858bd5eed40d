"""Citizen lookups as the centre records them: a NIK to look up, the lookups a kiosk
made, and the key their hashes are made with."""

from __future__ import annotations

from sqlalchemy import select

from central.access.audit import AUDIT_KEY_SECRET
from central.database import Database
from central.tables import citizen_lookups, server_secrets

#: Siti's NIK, a demo citizen.
SITI_NIK = "1471015203850001"


def lookups_for(db: Database, kiosk_id: str) -> list[tuple[str, str, bool]]:
    with db.read() as conn:
        rows = conn.execute(
            select(citizen_lookups.c.key_kind, citizen_lookups.c.key_hash, citizen_lookups.c.found)
            .where(citizen_lookups.c.kiosk_id == kiosk_id)
            .order_by(citizen_lookups.c.id)
        )
        return [(r.key_kind, r.key_hash, r.found) for r in rows]


def audit_key(db: Database) -> bytes:
    with db.read() as conn:
        value = conn.execute(
            select(server_secrets.c.value).where(server_secrets.c.name == AUDIT_KEY_SECRET)
        ).scalar_one()
    return bytes.fromhex(value)
