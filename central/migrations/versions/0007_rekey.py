"""Enrolment codes that give an enrolled kiosk a new token, keeping what it is.

Revision ID: 0007_rekey
Revises: 0006_staff_lockout
Create Date: 2026-12-05

A kiosk whose token was revoked (or lost) enrols again with a code made for
it (``enrolment_codes.kiosk_id``): it stays the same kiosk, with its id, its
kiosk code, its leases and its submission keys, so the tickets it printed
before still reach the queue (central/access/kiosks.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_rekey"
down_revision = "0006_staff_lockout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enrolment_codes", sa.Column("kiosk_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enrolment_codes") as batch:
        batch.drop_column("kiosk_id")
