"""Queue tickets, number leases, counters and idempotent submissions; kiosk codes.

Revision ID: 0002_queue
Revises: 0001_initial
Create Date: 2026-11-23

Adds ``kiosks.kiosk_code`` (nullable, with a unique index: SQLite cannot add
a NOT NULL column, nor rebuild ``kiosks`` while other tables refer to its
rows) and gives every kiosk enrolled before this revision a code, K01, K02,
... in the order they enrolled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_queue"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("kiosks", sa.Column("kiosk_code", sa.String(8), nullable=True))
    _backfill_kiosk_codes()
    op.create_index("uq_kiosks_kiosk_code", "kiosks", ["kiosk_code"], unique=True)

    op.create_table(
        "ticket_counters",
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_ticket_counters_office_id_offices"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name="fk_ticket_counters_service_id_services"
        ),
        sa.PrimaryKeyConstraint("office_id", "service_id", "day", name="pk_ticket_counters"),
    )
    op.create_table(
        "leases",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("returned_from", sa.Integer(), nullable=True),
        sa.Column("returned_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name="fk_leases_kiosk_id_kiosks"),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_leases_office_id_offices"),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name="fk_leases_service_id_services"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_leases"),
    )
    op.create_index("ix_leases_kiosk_id", "leases", ["kiosk_id"])
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("display", sa.String(32), nullable=False),
        sa.Column("number_source", sa.String(16), nullable=False),
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("lease_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counter", sa.String(100), nullable=True),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("called_at", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("registered_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name="fk_tickets_kiosk_id_kiosks"),
        sa.ForeignKeyConstraint(["lease_id"], ["leases.id"], name="fk_tickets_lease_id_leases"),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_tickets_office_id_offices"),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name="fk_tickets_service_id_services"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint(
            "office_id",
            "service_id",
            "day",
            "number",
            name="uq_tickets_office_id_service_id_day_number",
        ),
        sa.UniqueConstraint(
            "office_id",
            "service_id",
            "day",
            "display",
            name="uq_tickets_office_id_service_id_day_display",
        ),
    )
    op.create_index("ix_tickets_service_id_day_status", "tickets", ["service_id", "day", "status"])
    op.create_index("ix_tickets_office_id_day", "tickets", ["office_id", "day"])
    op.create_table(
        "submissions",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name="fk_submissions_kiosk_id_kiosks"),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_submissions_office_id_offices"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name="fk_submissions_service_id_services"
        ),
        sa.PrimaryKeyConstraint("key", name="pk_submissions"),
    )
    op.create_index(
        "ix_submissions_office_id_day_kind", "submissions", ["office_id", "day", "kind"]
    )


def _backfill_kiosk_codes() -> None:
    kiosks = sa.table(
        "kiosks",
        sa.column("id", sa.String()),
        sa.column("enrolled_at", UTC),
        sa.column("kiosk_code", sa.String()),
    )
    conn = op.get_bind()
    ids = conn.execute(
        sa.select(kiosks.c.id)
        .where(kiosks.c.kiosk_code.is_(None))
        .order_by(kiosks.c.enrolled_at, kiosks.c.id)
    ).scalars()
    for number, kiosk_id in enumerate(list(ids), start=1):
        conn.execute(
            sa.update(kiosks).where(kiosks.c.id == kiosk_id).values(kiosk_code=f"K{number:02d}")
        )


def downgrade() -> None:
    op.drop_index("ix_submissions_office_id_day_kind", table_name="submissions")
    op.drop_table("submissions")
    op.drop_index("ix_tickets_office_id_day", table_name="tickets")
    op.drop_index("ix_tickets_service_id_day_status", table_name="tickets")
    op.drop_table("tickets")
    op.drop_index("ix_leases_kiosk_id", table_name="leases")
    op.drop_table("leases")
    op.drop_table("ticket_counters")
    op.drop_index("uq_kiosks_kiosk_code", table_name="kiosks")
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: rebuilding ``kiosks`` would delete the rows others refer to.
        op.execute("ALTER TABLE kiosks DROP COLUMN kiosk_code")
    else:
        op.drop_column("kiosks", "kiosk_code")
