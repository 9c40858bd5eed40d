"""Appointments: slot settings, opening hours, holidays, bookings and their slots' counts.

Revision ID: 0010_bookings
Revises: 0009_number_ranges
Create Date: 2026-12-05

* ``booking_settings``: per office and service, the slot length, how many
  citizens one slot serves (``capacity``), the share of it kept for walk-ins
  (``walk_in_percent``), where a checked-in ticket stands (``policy``:
  ``head`` or ``walk_in``) and the minutes of grace before a no-show.
* ``opening_hours``: an office's weekly hours, one row per open weekday
  (0 Monday … 6 Sunday), local "HH:MM".
* ``office_holidays``: days an office is closed.
* ``booking_slots``: one row per slot that has bookings; ``booked`` only
  ever grows by a conditional ``UPDATE … WHERE booked < capacity``, so
  citizens racing for a slot's last place cannot overbook it, on SQLite
  and PostgreSQL alike (central/office/bookings.py).
* ``bookings``: the citizen's appointment, its code and state; a no-show
  is marked in SQL after ``no_show_after`` by whichever process looks.

Down again drops the five tables: the bookings are lost.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_bookings"
down_revision = "0009_number_ranges"
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "booking_settings",
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("services.id"), primary_key=True),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("walk_in_percent", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(16), nullable=False),
        sa.Column("grace_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _ts("updated_at", nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "opening_hours",
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("weekday", sa.Integer(), primary_key=True),
        sa.Column("opens_at", sa.String(5), nullable=False),
        sa.Column("closes_at", sa.String(5), nullable=False),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
    )
    op.create_table(
        "office_holidays",
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "booking_slots",
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("services.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("starts_at", sa.String(5), primary_key=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(9), nullable=False, unique=True),
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("services.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.String(5), nullable=False),
        sa.Column("ends_at", sa.String(5), nullable=False),
        _ts("slot_start", nullable=False),
        _ts("slot_end", nullable=False),
        _ts("no_show_after", nullable=False),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.String(36), nullable=True),
        _ts("created_at", nullable=False),
        _ts("state_changed_at", nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_bookings_office_id_day", "bookings", ["office_id", "day"])
    op.create_index("ix_bookings_citizen_id", "bookings", ["citizen_id"])
    op.create_index("ix_bookings_state_no_show_after", "bookings", ["state", "no_show_after"])


def downgrade() -> None:
    op.drop_index("ix_bookings_state_no_show_after", table_name="bookings")
    op.drop_index("ix_bookings_citizen_id", table_name="bookings")
    op.drop_index("ix_bookings_office_id_day", table_name="bookings")
    op.drop_table("bookings")
    op.drop_table("booking_slots")
    op.drop_table("office_holidays")
    op.drop_table("opening_hours")
    op.drop_table("booking_settings")
