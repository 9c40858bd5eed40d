"""Tickets: an index by kiosk and day.

Revision ID: 0017_ticket_kiosk_index
Revises: 0016_integration_tries
Create Date: 2026-12-06

* ``ix_tickets_kiosk_id_day``: every batch of submissions counts the fallback
  numbers its kiosk registered per queue and day (``central.office.submissions``,
  the per-kiosk limit); without the index that count read every ticket of the
  table, so each batch got slower as the tickets grew.
"""

from __future__ import annotations

from alembic import op

revision = "0017_ticket_kiosk_index"
down_revision = "0016_integration_tries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_kiosk_id_day", "tickets", ["kiosk_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_tickets_kiosk_id_day", table_name="tickets")
