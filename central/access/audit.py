"""The audit trail: security events and citizen lookups, written in the caller's transaction.

Nothing here holds personal data in clear. Events name kiosks, staff
usernames and offices; lookups keep a keyed hash of the key (see
:func:`central.access.credentials.keyed_hash`) so an auditor holding the audit key
can answer "who looked up this NIK, and when?" while the table alone
reveals nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from central.database import Database
from central.tables import audit_log, citizen_lookups, server_secrets

AUDIT_KEY_SECRET = "lookup-audit-key"  # noqa: S105 - the row name, not the key


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_event(
    conn: Connection, *, actor: str, action: str, subject: str, detail: str = ""
) -> None:
    """One security event (``actor``: ``kiosk:<id>``, ``staff:<username>`` or ``cli``)."""
    conn.execute(
        insert(audit_log).values(
            at=utc_now(), actor=actor[:100], action=action, subject=subject[:100], detail=detail
        )
    )


def record_lookup(
    conn: Connection,
    *,
    kiosk_id: str | None,
    key_kind: str,
    key_hash: str,
    found: bool,
    staff_username: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """One citizen lookup, by a kiosk or (``staff_username``) a staff account, ``at`` (now)."""
    if (kiosk_id is None) == (staff_username is None):
        raise ValueError("a lookup is a kiosk's or a staff account's")
    conn.execute(
        insert(citizen_lookups).values(
            at=at or utc_now(),
            kiosk_id=kiosk_id,
            staff_username=staff_username,
            key_kind=key_kind,
            key_hash=key_hash,
            found=found,
        )
    )


def audit_key(db: Database, configured: bytes | None) -> bytes:
    """The key for lookup hashes: the configured one, else one kept in the database.

    The stored key is made once (the first process to start wins; the
    others read it), so every app process and restart hashes alike.
    """
    if configured is not None:
        return configured
    return server_secret(db, AUDIT_KEY_SECRET)


def server_secret(db: Database, name: str) -> bytes:
    """The 32 random bytes kept in ``server_secrets`` under ``name``, made on first use.

    The first process to ask makes it (an insert; a racer's collision is
    ignored), every other process and restart reads the same bytes.
    """
    with db.begin() as conn:
        stored = _stored_secret(conn, name)
        if stored is not None:
            return stored
    try:
        with db.begin() as conn:
            conn.execute(
                insert(server_secrets).values(name=name, value=secrets.token_bytes(32).hex())
            )
    except IntegrityError:
        pass  # another process made it first
    with db.begin() as conn:
        stored = _stored_secret(conn, name)
    if stored is None:  # pragma: no cover - the insert above committed or collided
        raise RuntimeError(f"the server secret {name!r} could not be stored")
    return stored


def _stored_secret(conn: Connection, name: str) -> bytes | None:
    value = conn.execute(
        select(server_secrets.c.value).where(server_secrets.c.name == name)
    ).scalar_one_or_none()
    return bytes.fromhex(value) if value is not None else None
