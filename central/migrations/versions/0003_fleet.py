"""Kiosk heartbeats, health information and citizen applications.

Revision ID: 0003_fleet
Revises: 0002_queue
Create Date: 2026-11-23

Statistics need no table of their own: they are counted from the queue's
tickets and submissions (0002_queue) when asked for.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_fleet"
down_revision = "0002_queue"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kiosk_heartbeats",
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("clock_skew_ms", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("reader_state", sa.String(16), nullable=False),
        sa.Column("reader_detail", sa.String(200), nullable=False),
        sa.Column("printer_state", sa.String(16), nullable=False),
        sa.Column("printer_detail", sa.String(200), nullable=False),
        sa.Column("outbox_pending", sa.Integer(), nullable=False),
        sa.Column("outbox_dead", sa.Integer(), nullable=False),
        sa.Column("outbox_oldest_pending_s", sa.BigInteger(), nullable=True),
        sa.Column("catalog_version", sa.String(100), nullable=True),
        sa.Column("leases", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name="fk_kiosk_heartbeats_kiosk_id_kiosks"
        ),
        sa.PrimaryKeyConstraint("kiosk_id", name="pk_kiosk_heartbeats"),
    )
    op.create_table(
        "health_info",
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_health_info_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("office_id", name="pk_health_info"),
    )
    op.create_table(
        "wards",
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("ward_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("beds_total", sa.Integer(), nullable=False),
        sa.Column("beds_free", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint("beds_free >= 0 AND beds_free <= beds_total", name="ck_wards_beds"),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_wards_office_id_offices"),
        sa.PrimaryKeyConstraint("office_id", "ward_id", name="pk_wards"),
    )
    op.create_table(
        "doctors_on_duty",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("specialty", sa.String(100), nullable=False),
        sa.Column("room", sa.String(100), nullable=False),
        sa.Column("from_time", sa.String(5), nullable=False),
        sa.Column("until_time", sa.String(5), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_doctors_on_duty_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_doctors_on_duty"),
    )
    op.create_index("ix_doctors_on_duty_office_id", "doctors_on_duty", ["office_id"])
    op.create_table(
        "citizen_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("title_id", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("submitted_at", UTC, nullable=False),
        sa.Column("state_changed_at", UTC, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name="fk_citizen_applications_citizen_id_citizens"
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_citizen_applications_office_id_offices"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name="fk_citizen_applications_service_id_services"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_citizen_applications"),
        sa.UniqueConstraint("reference", name="uq_citizen_applications_reference"),
    )
    op.create_index("ix_citizen_applications_citizen_id", "citizen_applications", ["citizen_id"])


def downgrade() -> None:
    op.drop_index("ix_citizen_applications_citizen_id", table_name="citizen_applications")
    op.drop_table("citizen_applications")
    op.drop_index("ix_doctors_on_duty_office_id", table_name="doctors_on_duty")
    op.drop_table("doctors_on_duty")
    op.drop_table("wards")
    op.drop_table("health_info")
    op.drop_table("kiosk_heartbeats")
