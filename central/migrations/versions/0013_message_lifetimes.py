"""A message's lifetime: a time-bound message that can no longer be true is not sent.

Revision ID: 0013_message_lifetimes
Revises: 0012_citizen_birth_dates
Create Date: 2026-12-05

* ``messages.expires_at``: after it the message is not sent but ``expired``
  (a booking's confirmation and reminder: the slot's start; a queue message:
  a few hours after it was written);
* ``messages.ticket_id``: the ticket a queue message is about, so that one
  whose ticket no longer waits ("tinggal N orang lagi") or is no longer
  called ("dipanggil") expires instead of going out late.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_message_lifetimes"
down_revision = "0012_citizen_birth_dates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ticket_id", sa.String(36), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE messages SET state = 'dead' WHERE state = 'expired'")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("ticket_id")
        batch.drop_column("expires_at")
