"""Tickets: when a ticket was set aside (tunda), while it still is.

Revision ID: 0023_ticket_held_at
Revises: 0022_office_counters
Create Date: 2026-12-10

* ``tickets.held_at``: the time of the hold that set the ticket aside, while nothing has
  called it again or sent it back to a queue since (a call back, a call of the next
  ticket and a transfer clear it). A ticket closed straight from held keeps it: it was
  not being served when it was closed, so the figures give it no service time
  (:func:`central.office.queue.served_while_called`). They read this column; before, they
  looked the ticket's last call and holds up in ``call_events``, two subqueries for
  every served ticket of the day, on every view of a citizen's ticket page.

**Tickets already stored** whose last ``call``, ``hold`` or ``transfer`` event is a hold
(held now, or closed straight from held) take that hold's time: what the figures read
from the events, they read from the column. Every other ticket keeps ``NULL``. Coming
down drops the column, in place (SQLite's own ``DROP COLUMN``: a copy of ``tickets``
could not be swapped in while other tables refer to it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_ticket_held_at"
down_revision = "0022_office_counters"
branch_labels = None
depends_on = None

#: Each ticket whose last ``call``, ``hold`` or ``transfer`` event is a hold takes that
#: hold's time (plain SQL: a migration never imports the tables module, which moves on).
_FILL = """
UPDATE tickets SET held_at = (
    SELECT e.at FROM call_events e
    WHERE e.ticket_id = tickets.id AND e.kind IN ('call', 'hold', 'transfer')
    ORDER BY e.id DESC LIMIT 1
)
WHERE status IN ('held', 'served', 'no_show') AND (
    SELECT e.kind FROM call_events e
    WHERE e.ticket_id = tickets.id AND e.kind IN ('call', 'hold', 'transfer')
    ORDER BY e.id DESC LIMIT 1
) = 'hold'
"""


def upgrade() -> None:
    with op.batch_alter_table("tickets", recreate="never") as batch:
        batch.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text(_FILL))


def downgrade() -> None:
    with op.batch_alter_table("tickets", recreate="never") as batch:
        batch.drop_column("held_at")
