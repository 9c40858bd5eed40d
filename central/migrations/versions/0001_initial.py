"""The initial schema: catalog, kiosks and credentials, staff, trust, citizens, audit.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23

Spelled out here, not imported from central/tables.py: a migration is a
frozen record of what it did. tests/central/test_migrations.py checks that
head and central/tables.py agree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_offices"),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("ticket_prefix", sa.String(8), nullable=False),
        sa.Column("counter", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_services_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_services"),
    )
    op.create_table(
        "catalog_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("published_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_versions"),
        sa.UniqueConstraint("version", name="uq_catalog_versions_version"),
    )
    op.create_table(
        "enrolment_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=True),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("reusable", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_enrolment_codes_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_enrolment_codes"),
        sa.UniqueConstraint("code_hash", name="uq_enrolment_codes_code_hash"),
    )
    op.create_table(
        "kiosks",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("enrolled_at", UTC, nullable=False),
        sa.Column("enrolment_code_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_code_id"],
            ["enrolment_codes.id"],
            name="fk_kiosks_enrolment_code_id_enrolment_codes",
        ),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_kiosks_office_id_offices"),
        sa.PrimaryKeyConstraint("id", name="pk_kiosks"),
    )
    op.create_table(
        "kiosk_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name="fk_kiosk_tokens_kiosk_id_kiosks"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_kiosk_tokens"),
    )
    op.create_index("ix_kiosk_tokens_kiosk_id", "kiosk_tokens", ["kiosk_id"])
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("disabled_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_staff_users_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("username", name="uq_staff_users_username"),
    )
    op.create_table(
        "staff_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name="fk_staff_tokens_staff_id_staff_users"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_staff_tokens"),
    )
    op.create_index("ix_staff_tokens_staff_id", "staff_tokens", ["staff_id"])
    op.create_table(
        "trust_issuers",
        sa.Column("kid", sa.String(16), nullable=False),
        sa.Column("issuer_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("added_at", UTC, nullable=False),
        sa.Column("retired_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("kid", name="pk_trust_issuers"),
    )
    op.create_table(
        "revoked_cards",
        sa.Column("issuer_id", sa.String(32), nullable=False),
        sa.Column("card_number", sa.String(64), nullable=False),
        sa.Column("revoked_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("issuer_id", "card_number", name="pk_revoked_cards"),
    )
    op.create_table(
        "list_versions",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_list_versions"),
    )
    op.create_table(
        "citizens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nik", sa.String(16), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("card_number", sa.String(64), nullable=True),
        sa.Column("family_card_number", sa.String(16), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_citizens"),
        sa.UniqueConstraint("card_number", name="uq_citizens_card_number"),
        sa.UniqueConstraint("nik", name="uq_citizens_nik"),
    )
    op.create_table(
        "card_uids",
        sa.Column("uid", sa.String(20), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("registered_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name="fk_card_uids_citizen_id_citizens"
        ),
        sa.PrimaryKeyConstraint("uid", name="pk_card_uids"),
    )
    op.create_index("ix_card_uids_citizen_id", "card_uids", ["citizen_id"])
    op.create_table(
        "medical_records",
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("medical_record_number", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name="fk_medical_records_citizen_id_citizens"
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_medical_records_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("citizen_id", "office_id", name="pk_medical_records"),
    )
    op.create_table(
        "citizen_lookups",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("key_kind", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name="fk_citizen_lookups_kiosk_id_kiosks"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_citizen_lookups"),
    )
    op.create_index("ix_citizen_lookups_key_hash", "citizen_lookups", ["key_hash"])
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_server_secrets"),
    )


def downgrade() -> None:
    for table in (
        "server_secrets",
        "audit_log",
        "citizen_lookups",
        "medical_records",
        "card_uids",
        "citizens",
        "list_versions",
        "revoked_cards",
        "trust_issuers",
        "staff_tokens",
        "staff_users",
        "kiosk_tokens",
        "kiosks",
        "enrolment_codes",
        "catalog_versions",
        "services",
        "offices",
    ):
        op.drop_table(table)
