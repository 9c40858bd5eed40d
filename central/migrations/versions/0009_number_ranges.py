"""Leased numbers from the top of the day down, so citizens' numbers start at 001.

Revision ID: 0009_number_ranges
Revises: 0008_office
Create Date: 2026-12-05

* ``ticket_counters.lease_floor``: the lowest number leased from the top
  (999) down; online and fallback tickets count up in ``last_number``
  (central/office/sequence.py). Existing rows get 1000, "nothing leased
  from the top yet": their leases, taken from the one shared sequence
  before, are all at or under ``last_number``, so they stay valid and no
  new number can fall on them.
* ``tickets.queued_at``: the ticket's place in time in its queue, by a
  time the centre can defend (central/office/submissions.py): the call
  order sorts on it, not on the ``issued_at`` a kiosk's clock gave.
  Existing tickets get their ``issued_at``.

Down again: the one shared sequence counts up from ``last_number`` only, so
a queue that leased from the top moves ``last_number`` past 999 first; no
number handed out can come again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_number_ranges"
down_revision = "0008_office"
branch_labels = None
depends_on = None

#: ``TOP_NUMBER + 1`` of central/office/sequence.py when this revision was written.
ABOVE_TOP = 1000


def upgrade() -> None:
    op.add_column(
        "ticket_counters",
        sa.Column(
            "lease_floor", sa.Integer(), nullable=False, server_default=sa.text(str(ABOVE_TOP))
        ),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE tickets SET queued_at = issued_at")
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("queued_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("queued_at")
    op.execute(
        sa.text(
            "UPDATE ticket_counters SET last_number = :top"
            " WHERE lease_floor <= :top AND last_number < :top"
        ).bindparams(top=ABOVE_TOP - 1)
    )
    with op.batch_alter_table("ticket_counters") as batch:
        batch.drop_column("lease_floor")
