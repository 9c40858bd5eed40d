"""Tickets: the fallback count's index covers its query.

Revision ID: 0018_ticket_fallback_index
Revises: 0017_ticket_kiosk_index
Create Date: 2026-12-06

* ``ix_tickets_kiosk_id_number_source_day_service_id`` replaces
  ``ix_tickets_kiosk_id_day``: every batch of submissions counts the fallback
  numbers its kiosk registered per queue and day
  (``central.office.submissions.fallback_counts``). By (kiosk, day) alone that
  count found each of the kiosk's tickets of the days in the index, then read
  each one's row for its number source and service, so each batch of a long
  drain read more rows than the one before; this index holds all four
  columns, the two compared for equality first, and the count reads the
  kiosk's fallback tickets of those days from the index alone. The old index
  served no other query.
"""

from __future__ import annotations

from alembic import op

revision = "0018_ticket_fallback_index"
down_revision = "0017_ticket_kiosk_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_kiosk_id_number_source_day_service_id",
        "tickets",
        ["kiosk_id", "number_source", "day", "service_id"],
    )
    op.drop_index("ix_tickets_kiosk_id_day", table_name="tickets")


def downgrade() -> None:
    op.create_index("ix_tickets_kiosk_id_day", "tickets", ["kiosk_id", "day"])
    op.drop_index("ix_tickets_kiosk_id_number_source_day_service_id", table_name="tickets")
