"""Tickets: an online number asked ahead is not called while its citizen is at the kiosk.

Revision ID: 0029_ticket_at_kiosk_until
Revises: 0028_tickets_called_at_a_counter
Create Date: 2026-12-08

A kiosk asks for a ticket's number as soon as the citizen confirms her summary, while she
answers one more question on its screen. The new ticket waited at once, so a counter
calling the next citizen in a quiet office called a number nobody held yet.

* ``tickets.at_kiosk_until``: with an allocate that says so (``hold_s``), the time until
  which call-next passes the ticket by; its registration arriving, or a void, clears it,
  and after that time it is called as any other. ``NULL`` for every other ticket, and for
  every ticket stored before: they are called as they were.

Coming down drops the column, in place (SQLite's own ``DROP COLUMN``, as 0023).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_ticket_at_kiosk_until"
down_revision = "0028_tickets_called_at_a_counter"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", recreate="never") as batch:
        batch.add_column(sa.Column("at_kiosk_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", recreate="never") as batch:
        batch.drop_column("at_kiosk_until")
