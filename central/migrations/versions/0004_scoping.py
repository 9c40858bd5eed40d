"""Submission keys per kiosk, tickets a second kiosk claims, lookups by staff.

Revision ID: 0004_scoping
Revises: 0003_fleet
Create Date: 2026-11-24

* ``submissions``: the primary key becomes (kiosk_id, key). A key is the
  kiosk's own; another kiosk posting under it no longer blocks it.
* ``tickets.kiosk_ticket_id``: set when a kiosk registers a ticket id another
  kiosk's ticket already has; that ticket's ``id`` is then derived from (kiosk,
  ticket id) and this column keeps the kiosk's id (:mod:`central.office.submissions`).
* ``citizen_lookups``: a lookup is a kiosk's (``kiosk_id``) or a staff
  account's (``staff_username``), exactly one of the two.

SQLite cannot alter a primary key, a column's nullability or a check
constraint in place: those two tables are rebuilt (Alembic's batch mode),
which copies their rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_scoping"
down_revision = "0003_fleet"
branch_labels = None
depends_on = None

ONE_ACTOR = "(kiosk_id IS NULL) <> (staff_username IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("pk_submissions", type_="primary")
        batch.create_primary_key("pk_submissions", ["kiosk_id", "key"])
    op.add_column("tickets", sa.Column("kiosk_ticket_id", sa.String(36), nullable=True))
    op.create_index("ix_tickets_kiosk_ticket_id", "tickets", ["kiosk_ticket_id"])
    with op.batch_alter_table("citizen_lookups") as batch:
        batch.add_column(sa.Column("staff_username", sa.String(100), nullable=True))
        batch.alter_column("kiosk_id", existing_type=sa.String(36), nullable=True)
        batch.create_check_constraint("ck_citizen_lookups_one_actor", ONE_ACTOR)


def downgrade() -> None:
    # Staff lookups have no kiosk: they cannot stay in the old table.
    op.execute("DELETE FROM citizen_lookups WHERE kiosk_id IS NULL")
    with op.batch_alter_table("citizen_lookups") as batch:
        batch.drop_constraint("ck_citizen_lookups_one_actor", type_="check")
        batch.alter_column("kiosk_id", existing_type=sa.String(36), nullable=False)
        batch.drop_column("staff_username")
    op.drop_index("ix_tickets_kiosk_ticket_id", table_name="tickets")
    op.drop_column("tickets", "kiosk_ticket_id")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("pk_submissions", type_="primary")
        batch.create_primary_key("pk_submissions", ["key"])
