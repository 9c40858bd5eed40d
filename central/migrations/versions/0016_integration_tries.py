"""Integrations: how often a call was ever tried, whatever staff did since.

Revision ID: 0016_integration_tries
Revises: 0015_integrations
Create Date: 2026-12-06

* ``integration_outbox.tries``: every claim of the row adds one, and nothing
  sets it back ("Kirim lagi" starts ``attempts`` afresh, not this). A call
  tried before may have reached the service with its answer lost: SATUSEHAT's
  create then first asks whether the Encounter is there
  (central/integrations/satusehat/dispatch.py). Rows written before count as
  tried as often as their ``attempts`` say.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_integration_tries"
down_revision = "0015_integrations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integration_outbox") as batch:
        batch.add_column(sa.Column("tries", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE integration_outbox SET tries = attempts")


def downgrade() -> None:
    with op.batch_alter_table("integration_outbox") as batch:
        batch.drop_column("tries")
