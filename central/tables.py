"""The central server's tables (SQLAlchemy Core), as migration ``0001_initial`` makes them.

The migrations in ``central/migrations/versions/`` create the schema; this
module describes the same schema for queries. ``tests/central/test_migrations.py``
compares the two on SQLite and PostgreSQL, so they cannot drift: change a
table here, add a revision there.

Conventions: ids of things people name (offices, services) are the
catalog's strings; kiosks get a UUID; everything else an integer. Times are
:class:`UtcDateTime` (aware UTC in Python on both databases). Secrets
(tokens, enrolment codes, passwords) are only ever stored hashed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC; always aware in Python (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)  # noqa: S101 - the driver's contract
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# Named constraints, so later revisions can alter them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# -- catalog -----------------------------------------------------------------
offices = Table(
    "offices",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
)
services = Table(
    "services",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("ticket_prefix", String(8), nullable=False),
    Column("counter", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
)
#: Every published catalog; the newest (highest id) is served.
catalog_versions = Table(
    "catalog_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(100), nullable=False, unique=True),
    Column("body", Text, nullable=False),  # canonical JSON
    Column("etag", String(80), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
)

# -- kiosks and their credentials ----------------------------------------------
enrolment_codes = Table(
    "enrolment_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),  # None: the demo code only
    Column("used_at", UtcDateTime, nullable=True),
    Column("reusable", Boolean, nullable=False),  # True: the demo code only
    Column("note", String(200), nullable=False),
)
kiosks = Table(
    "kiosks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("enrolled_at", UtcDateTime, nullable=False),
    Column("enrolment_code_id", Integer, ForeignKey("enrolment_codes.id"), nullable=True),
)
kiosk_tokens = Table(
    "kiosk_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 hex
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# -- staff -----------------------------------------------------------------------
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),  # scrypt, see credentials.py
    Column("role", String(16), nullable=False),  # "admin" or "staff"
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime, nullable=True),
)
staff_tokens = Table(
    "staff_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff_users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# -- trust -------------------------------------------------------------------------
trust_issuers = Table(
    "trust_issuers",
    metadata,
    Column("kid", String(16), primary_key=True),  # hex, derived from the key
    Column("issuer_id", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("public_key", Text, nullable=False),  # PEM SubjectPublicKeyInfo
    Column("added_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime, nullable=True),
)
revoked_cards = Table(
    "revoked_cards",
    metadata,
    Column("issuer_id", String(32), primary_key=True),
    Column("card_number", String(64), primary_key=True),
    Column("revoked_at", UtcDateTime, nullable=False),
)
#: The version number of each versioned list ("trust", "revocations"),
#: bumped in the same transaction as the change it counts.
list_versions = Table(
    "list_versions",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# -- the city's citizen records ------------------------------------------------------
citizens = Table(
    "citizens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nik", String(16), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("card_number", String(64), nullable=True, unique=True),  # the city card
    Column("family_card_number", String(16), nullable=True),  # KK
    Column("phone", String(20), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)
#: Cards that hold no record (an e-KTP gives only its UID), registered to a citizen.
card_uids = Table(
    "card_uids",
    metadata,
    Column("uid", String(20), primary_key=True),  # upper-case hex
    Column("citizen_id", Integer, ForeignKey("citizens.id"), nullable=False, index=True),
    Column("registered_at", UtcDateTime, nullable=False),
)
medical_records = Table(
    "medical_records",
    metadata,
    Column("citizen_id", Integer, ForeignKey("citizens.id"), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("medical_record_number", String(32), nullable=False),
)

# -- audit ---------------------------------------------------------------------------
#: One row per citizen lookup. ``key_hash`` is HMAC-SHA256(audit key,
#: "<kind>:<key>"): an auditor with the key can ask "was this NIK looked
#: up?", a reader of the table alone learns nothing.
citizen_lookups = Table(
    "citizen_lookups",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), nullable=False),
    Column("key_kind", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, index=True),
    Column("found", Boolean, nullable=False),
)
#: Security events: enrolments, revocations, staff added, logins. ``detail``
#: is a short text without personal data.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(100), nullable=False),  # "kiosk:<id>", "staff:<name>", "cli"
    Column("action", String(64), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("detail", String(500), nullable=False),
)
Index("ix_audit_log_at", audit_log.c.at)
#: Server-side secrets that must survive restarts (see CentralSettings.audit_key).
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)
