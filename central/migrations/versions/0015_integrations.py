"""Integrations: the durable outbox of what the centre sends to BPJS and SATUSEHAT.

Revision ID: 0015_integrations
Revises: 0014_hospital
Create Date: 2026-12-05

* ``integration_outbox``: one row per call to an outside service
  (central/integrations/outbox.py), unique by its ``dedupe_key`` (a BPJS task
  update is written once, whichever process writes it); ``order_key``: rows
  of one key (a BPJS booking code, a SATUSEHAT encounter) are sent in the
  order they were written, each only once every earlier one is sent. A
  sender claims a row with a conditional update (``claimed_by``,
  ``claimed_until``), so several server processes never send one row twice
  at once. ``last_code``/``last_error``: the service's own code and message
  (what staff see on /office/integrations); ``result``: what it answered.
* ``integration_targets``: whether each target (``bpjs``, ``satusehat``) is
  on, as the server's configuration said at its start, so every process and
  the triggers agree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_integrations"
down_revision = "0014_hospital"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "integration_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("order_key", sa.String(200), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", _utc(), nullable=True),
        sa.Column("last_code", sa.String(16), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_integration_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_integration_outbox_dedupe_key"),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_integration_outbox_office_id_offices"
        ),
    )
    op.create_index(
        "ix_integration_outbox_state_next_attempt_at",
        "integration_outbox",
        ["state", "next_attempt_at"],
    )
    op.create_index("ix_integration_outbox_order_key_id", "integration_outbox", ["order_key", "id"])
    op.create_table(
        "integration_targets",
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings_digest", sa.String(64), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("target", name="pk_integration_targets"),
    )


def downgrade() -> None:
    op.drop_table("integration_targets")
    op.drop_index("ix_integration_outbox_order_key_id", table_name="integration_outbox")
    op.drop_index("ix_integration_outbox_state_next_attempt_at", table_name="integration_outbox")
    op.drop_table("integration_outbox")
