"""Staff login lockout: failed logins in a row per username.

Revision ID: 0006_staff_lockout
Revises: 0005_uid_proof
Create Date: 2026-11-24

One row per username that failed to log in (existing or not), kept in the
database so every app process sees the same count (central/access/lockout.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_staff_lockout"
down_revision = "0005_uid_proof"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_login_failures",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", UTC, nullable=False),
        sa.Column("locked_until", UTC, nullable=True),
        sa.PrimaryKeyConstraint("username", name="pk_staff_login_failures"),
    )
    op.create_index(
        "ix_staff_login_failures_last_failed_at", "staff_login_failures", ["last_failed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_staff_login_failures_last_failed_at", table_name="staff_login_failures")
    op.drop_table("staff_login_failures")
