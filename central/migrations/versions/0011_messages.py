"""The centre's messages: consents, a durable outbox and per-number rate limits.

Revision ID: 0011_messages
Revises: 0010_bookings
Create Date: 2026-12-05

* ``message_consents``: a citizen's yes to messages about one thing (a
  ticket, a complaint), with the number they gave and their language;
  ``ahead_at``: for a ticket, the number of people ahead at which the
  "your turn is near" message goes (the centre's setting when it was given).
* ``messages``: the outbox (central/messages/outbox.py): one row per
  message, unique by its idempotency ``key``; a sender claims a row with a
  conditional update (``claimed_by``, ``claimed_until``), so several server
  processes never send one message at the same time.
* ``message_rates``: messages begun per number in the current hour.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_messages"
down_revision = "0010_bookings"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_consents",
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("ahead_at", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name="pk_message_consents"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=True),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.UniqueConstraint("key", name="uq_messages_key"),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_messages_office_id_offices"
        ),
    )
    op.create_index("ix_messages_state_due_at", "messages", ["state", "due_at"])
    op.create_index("ix_messages_office_id_state", "messages", ["office_id", "state"])
    op.create_table(
        "message_rates",
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("window_start", _utc(), nullable=False),
        sa.Column("begun", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("phone", name="pk_message_rates"),
    )


def downgrade() -> None:
    op.drop_table("message_rates")
    op.drop_index("ix_messages_office_id_state", table_name="messages")
    op.drop_index("ix_messages_state_due_at", table_name="messages")
    op.drop_table("messages")
    op.drop_table("message_consents")
