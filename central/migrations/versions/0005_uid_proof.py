"""Limits on proving a UID-only card's holder by the date of birth.

Revision ID: 0005_uid_proof
Revises: 0004_scoping
Create Date: 2026-11-24

A UID alone no longer finds a citizen (a UID can be copied); a lookup must
also give the holder's date of birth, and failed attempts are counted per
UID (by its keyed hash) and per kiosk in ``uid_proof_limits``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_uid_proof"
down_revision = "0004_scoping"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "uid_proof_limits",
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("window_start", UTC, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC, nullable=True),
        sa.PrimaryKeyConstraint("subject", name="pk_uid_proof_limits"),
    )


def downgrade() -> None:
    op.drop_table("uid_proof_limits")
