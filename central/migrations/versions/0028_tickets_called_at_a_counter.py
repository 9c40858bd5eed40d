"""Tickets: an index for what a counter has called, by its last call.

Revision ID: 0028_tickets_called_at_a_counter
Revises: 0027_call_event_counter_services
Create Date: 2026-12-08

A counter is busy while it has a ticket called (``central.office.desks.busy``), and a
called ticket counts for ``OPEN_DAYS`` after its last call (``called_at``), whatever its
own day: one held longer than that and then called back is called there now. Judged by
the ticket's day, as before, it counted for nothing, and another ticket was called at
the counter beside it. ``(office_id, counter, status, called_at)`` finds a counter's
few called tickets of those days; ``0025``'s index, ending in ``day``, would walk every
ticket ever left called at the counter. Nothing to fill: an index.
"""

from __future__ import annotations

from alembic import op

revision = "0028_tickets_called_at_a_counter"
down_revision = "0027_call_event_counter_services"
branch_labels = None
depends_on = None

INDEX = "ix_tickets_office_id_counter_status_called_at"


def upgrade() -> None:
    op.create_index(INDEX, "tickets", ["office_id", "counter", "status", "called_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="tickets")
