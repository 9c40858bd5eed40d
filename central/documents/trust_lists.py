"""Issuer keys and revoked cards in the database, served as cardio's JSON lists.

The documents are built with :func:`contract.trust.trust_list_json` and
:func:`contract.trust.revocation_list_json`, the same functions that write the
files (formats ``anjungan-trust-list/1`` and ``anjungan-revocation-list/1``,
docs/card-format.md), and a list is imported only after
:meth:`contract.trust.TrustStore.from_json` accepted it, so the server serves
nothing a kiosk would refuse.

Each list has a version in ``list_versions``, bumped in the same
transaction as any change: never lower than the imported file's version, and
always higher than the one before.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Connection, delete, insert, select, update

from central.access.audit import utc_now
from central.documents.versioned import Document, make_document
from central.tables import list_versions, revoked_cards, trust_issuers
from contract.trust import Issuer, TrustStore, revocation_list_json, trust_list_json

TRUST = "trust"
REVOCATIONS = "revocations"


def import_trust_list(conn: Connection, data: Any, source: str = "trust list") -> bool:
    """Make the live issuer keys those of ``data``; ``False`` if nothing changed.

    Raises :class:`contract.errors.TrustError` for a list a kiosk would refuse.
    """
    store = TrustStore.from_json(data, source=source)
    wanted = {issuer.kid.hex(): issuer.to_json() for issuer in store.issuers.values()}
    live = {
        row.kid: {
            "kid": row.kid,
            "issuer": row.issuer_id,
            "name": row.name,
            "public_key": row.public_key,
        }
        for row in conn.execute(select(trust_issuers).where(trust_issuers.c.retired_at.is_(None)))
    }
    if wanted == live:
        return False
    now = utc_now()
    for kid in live.keys() - wanted.keys():
        conn.execute(update(trust_issuers).where(trust_issuers.c.kid == kid).values(retired_at=now))
    for kid, entry in wanted.items():
        if live.get(kid) == entry:
            continue
        conn.execute(delete(trust_issuers).where(trust_issuers.c.kid == kid))
        conn.execute(
            insert(trust_issuers).values(
                kid=kid,
                issuer_id=entry["issuer"],
                name=entry["name"],
                public_key=entry["public_key"],
                added_at=now,
                retired_at=None,
            )
        )
    _bump(conn, TRUST, at_least=store.trust_version)
    return True


def import_revocation_list(conn: Connection, data: Any, source: str = "revocation list") -> bool:
    """Make the revoked cards those of ``data``; ``False`` if nothing changed."""
    parsed = TrustStore.from_json(trust_list_json([]), data, revocation_source=source)
    wanted = {(issuer, number) for issuer, numbers in parsed.revoked.items() for number in numbers}
    current = {(r.issuer_id, r.card_number) for r in conn.execute(select(revoked_cards))}
    if wanted == current:
        return False
    now = utc_now()
    for issuer_id, number in current - wanted:
        conn.execute(
            delete(revoked_cards).where(
                revoked_cards.c.issuer_id == issuer_id, revoked_cards.c.card_number == number
            )
        )
    for issuer_id, number in wanted - current:
        conn.execute(
            insert(revoked_cards).values(issuer_id=issuer_id, card_number=number, revoked_at=now)
        )
    _bump(conn, REVOCATIONS, at_least=parsed.revocation_version)
    return True


def list_version(conn: Connection, name: str) -> int | None:
    return conn.execute(
        select(list_versions.c.version).where(list_versions.c.name == name)
    ).scalar_one_or_none()


def build_trust(conn: Connection) -> Document | None:
    version = list_version(conn, TRUST)
    if version is None:
        return None
    rows = conn.execute(
        select(trust_issuers)
        .where(trust_issuers.c.retired_at.is_(None))
        .order_by(trust_issuers.c.kid)
    )
    issuers = [_issuer(row.kid, row.issuer_id, row.name, row.public_key) for row in rows]
    return make_document(str(version), trust_list_json(issuers, version))


def build_revocations(conn: Connection) -> Document | None:
    version = list_version(conn, REVOCATIONS)
    if version is None:
        return None
    revoked: dict[str, set[str]] = {}
    for row in conn.execute(select(revoked_cards)):
        revoked.setdefault(row.issuer_id, set()).add(row.card_number)
    return make_document(str(version), revocation_list_json(revoked, version))


def _issuer(kid: str, issuer_id: str, name: str, pem: str) -> Issuer:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, ec.EllipticCurvePublicKey):  # pragma: no cover - checked on import
        raise ValueError(f"issuer key {kid} is not an EC key")
    return Issuer(bytes.fromhex(kid), issuer_id, name, key)


def _bump(conn: Connection, name: str, *, at_least: int) -> None:
    current = list_version(conn, name)
    now = utc_now()
    if current is None:
        conn.execute(
            insert(list_versions).values(name=name, version=max(1, at_least), updated_at=now)
        )
    else:
        new = max(current + 1, at_least)
        conn.execute(
            update(list_versions)
            .where(list_versions.c.name == name)
            .values(version=new, updated_at=now)
        )
