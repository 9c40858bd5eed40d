"""SATUSEHAT: citizens' IHS numbers kept in the database.

Revision ID: 0020_satusehat_patients
Revises: 0019_one_visit_a_day
Create Date: 2026-12-07

* ``satusehat_patients``: the IHS number SATUSEHAT answered for a citizen's NIK,
  keyed by HMAC-SHA256 of the NIK with the audit key (never the NIK itself), and
  when it was found. Each server process kept these in its own memory, lost at a
  restart and asked again by every other process; now every process reads what
  any of them found. A row older than a day is asked again and purged
  (central/integrations/satusehat/patients.py says why a day). Nothing to move:
  the memory held nothing worth carrying over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_satusehat_patients"
down_revision = "0019_one_visit_a_day"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satusehat_patients",
        sa.Column("nik_hash", sa.String(64), nullable=False),
        sa.Column("ihs_number", sa.String(64), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nik_hash", name="pk_satusehat_patients"),
    )
    op.create_index("ix_satusehat_patients_found_at", "satusehat_patients", ["found_at"])


def downgrade() -> None:
    op.drop_index("ix_satusehat_patients_found_at", table_name="satusehat_patients")
    op.drop_table("satusehat_patients")
