"""Citizen lookups as the centre records them: a NIK to look up, one that is never
found, the lookups a kiosk made, and the key their hashes are made with.

**NIKs that never exist.** Tests share a centre (the session's ``central_server``)
and many of them make citizens on it: a hospital's new patient, a booking's
citizen (:func:`testkit.centre_bookings.new_citizen`), a WS RS booking of a new
NIK, and the misses of the lookup budget's test, which a hospital turns into
patients. A test that needs a NIK *no* citizen has therefore takes one from
:func:`never_existing_nik`: district ``88`` of Pekanbaru (NIKs starting
:data:`NEVER_EXISTS_DISTRICT`, ``147188``) is kept for people who never exist.
No demo citizen, seed or test makes a citizen there; a generator of NIKs for
citizens that tests create keeps out of it (``tests/test_never_existing_niks.py``
reads tests/ and testkit/ for NIKs written there).
"""

from __future__ import annotations

from sqlalchemy import select

from central.access.audit import AUDIT_KEY_SECRET
from central.database import Database
from central.tables import citizen_lookups, server_secrets

#: Siti's NIK, a demo citizen.
SITI_NIK = "1471015203850001"

#: The region (province 14 Riau, city 71 Pekanbaru, district 88) of NIKs that never exist.
NEVER_EXISTS_DISTRICT = "147188"


def never_existing_nik(serial: int = 1) -> str:
    """A NIK of the right shape (a man born 1 January 1990) that no test centre has."""
    if not 1 <= serial <= 9999:
        raise ValueError(f"a NIK serial is 1 to 9999, not {serial}")
    return f"{NEVER_EXISTS_DISTRICT}010190{serial:04d}"


#: The NIK a test looks up to find nobody, on any centre, shared or not.
UNKNOWN_NIK = never_existing_nik()


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
