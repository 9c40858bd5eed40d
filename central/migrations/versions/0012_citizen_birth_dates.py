"""Citizens' dates of birth; one live booking per citizen, service and day.

Revision ID: 0012_citizen_birth_dates
Revises: 0011_messages
Create Date: 2026-12-05

* ``citizens.birth_date`` (nullable): the city's record of the date of
  birth, which the booking page compares in full with the date typed
  (central/office/bookings.py). A record without it falls back to the date
  the NIK carries, its century resolved.
* ``uq_bookings_citizen_service_day_booked``: a partial unique index on
  ``bookings (citizen_id, service_id, day) WHERE state = 'booked'``, so a
  citizen holds at most one live booking of a service on a day, however the
  requests race (by NIK and by card number at once, or a change onto a day
  that already has one). Bookings came in 0010 of the same release, so no
  database holds two such rows yet.
* ``bookings.changes``: how many times the holder moved the booking; the
  key of each move's confirmation message carries it, so a move back to
  an earlier slot is confirmed too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_citizen_birth_dates"
down_revision = "0011_messages"
branch_labels = None
depends_on = None

_BOOKED = sa.text("state = 'booked'")


def upgrade() -> None:
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(
            sa.Column("changes", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.create_index(
        "uq_bookings_citizen_service_day_booked",
        "bookings",
        ["citizen_id", "service_id", "day"],
        unique=True,
        sqlite_where=_BOOKED,
        postgresql_where=_BOOKED,
    )


def downgrade() -> None:
    op.drop_index("uq_bookings_citizen_service_day_booked", table_name="bookings")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("changes")
    with op.batch_alter_table("citizens") as batch:
        batch.drop_column("birth_date")
