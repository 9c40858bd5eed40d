"""Hospital registration: doctors' schedules, quota, No. RM, visits.

Revision ID: 0014_hospital
Revises: 0013_message_lifetimes
Create Date: 2026-12-05

* ``citizens.bpjs_number`` (13 digits, unique), ``citizens.sex`` (``L``/``P``)
  and ``citizens.address``: what a hospital's patient record needs beyond
  the city's (docs/hospital.md).
* ``services.kodepoli`` and ``services.location_id``: a poli's BPJS code and
  SATUSEHAT Location, kept in step with the published catalog.
* ``bookings.source``: ``web`` (the booking page) or ``mjkn`` (Mobile JKN).
* ``doctor_schedules``: a doctor's weekly hours at a poli with the quota for
  JKN and non-JKN patients.
* ``doctor_quota``: the counter row of one schedule on one day. Places are
  only ever taken by a conditional ``UPDATE … WHERE used_jkn < quota``, so two
  kiosks racing for the last place cannot both have it, on SQLite and
  PostgreSQL alike (central/hospital/quota.py).
* ``quota_takes``: which ticket (or Mobile JKN booking) holds which place,
  so a retried allocate takes nothing twice and a void gives it back.
* ``hospital_visits``: one registration at a poli, what BPJS and SATUSEHAT
  are told about.
* ``norm_sequence``: each office's last No. RM given.

Down again drops the tables and columns: the visits and schedules are lost.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_hospital"
down_revision = "0013_message_lifetimes"
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("bpjs_number", sa.String(13), nullable=True))
        batch.add_column(sa.Column("sex", sa.String(1), nullable=True))
        batch.add_column(sa.Column("address", sa.String(300), nullable=True))
        batch.create_unique_constraint("uq_citizens_bpjs_number", ["bpjs_number"])
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("kodepoli", sa.String(16), nullable=True))
        batch.add_column(sa.Column("location_id", sa.String(64), nullable=True))
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(
            sa.Column("source", sa.String(8), nullable=False, server_default=sa.text("'web'"))
        )
    op.create_table(
        "doctor_schedules",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("services.id"), nullable=False),
        sa.Column("kodedokter", sa.String(32), nullable=False),
        sa.Column("doctor_name", sa.String(200), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.String(5), nullable=False),
        sa.Column("ends", sa.String(5), nullable=False),
        sa.Column("quota_jkn", sa.Integer(), nullable=False),
        sa.Column("quota_non_jkn", sa.Integer(), nullable=False),
        sa.Column("minutes_per_patient", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.String(64), nullable=True),
        _ts("updated_at", nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.CheckConstraint("weekday >= 1 AND weekday <= 7", name="weekday"),
        sa.CheckConstraint("quota_jkn >= 0 AND quota_non_jkn >= 0", name="quota"),
    )
    op.create_index(
        "ix_doctor_schedules_office_id_weekday", "doctor_schedules", ["office_id", "weekday"]
    )
    op.create_table(
        "doctor_quota",
        sa.Column("schedule_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("quota_jkn", sa.Integer(), nullable=False),
        sa.Column("quota_non_jkn", sa.Integer(), nullable=False),
        sa.Column("used_jkn", sa.Integer(), nullable=False),
        sa.Column("used_non_jkn", sa.Integer(), nullable=False),
        sa.Column("next_angka", sa.Integer(), nullable=False),
    )
    op.create_table(
        "quota_takes",
        sa.Column("ticket_id", sa.String(36), primary_key=True),
        sa.Column("schedule_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(8), nullable=False),
        sa.Column("angka", sa.Integer(), nullable=False),
        sa.Column("kodebooking", sa.String(32), nullable=False),
        _ts("taken_at", nullable=False),
        _ts("released_at", nullable=True),
    )
    op.create_table(
        "hospital_visits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(36), nullable=True, unique=True),
        sa.Column("kodebooking", sa.String(32), nullable=False, unique=True),
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("services.id"), nullable=False),
        sa.Column("schedule_id", sa.String(64), nullable=False),
        sa.Column("kodepoli", sa.String(16), nullable=False),
        sa.Column("kodedokter", sa.String(32), nullable=False),
        sa.Column("doctor_name", sa.String(200), nullable=False),
        sa.Column("jampraktek", sa.String(11), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(8), nullable=False),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizens.id"), nullable=True),
        sa.Column("norm", sa.String(32), nullable=True),
        sa.Column("nomorkartu", sa.String(13), nullable=True),
        sa.Column("nik", sa.String(16), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("new_patient", sa.Boolean(), nullable=False),
        sa.Column("jeniskunjungan", sa.Integer(), nullable=False),
        sa.Column("nomorreferensi", sa.String(64), nullable=True),
        sa.Column("nomorantrean", sa.String(32), nullable=False),
        sa.Column("angkaantrean", sa.Integer(), nullable=False),
        sa.Column("estimated_at", sa.String(5), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("booking_code", sa.String(9), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("over_quota", sa.Boolean(), nullable=False),
        sa.Column("cancel_reason", sa.String(200), nullable=True),
        _ts("created_at", nullable=False),
        _ts("checked_in_at", nullable=True),
        _ts("cancelled_at", nullable=True),
    )
    op.create_index("ix_hospital_visits_office_id_day", "hospital_visits", ["office_id", "day"])
    op.create_table(
        "norm_sequence",
        sa.Column("office_id", sa.String(64), sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("norm_sequence")
    op.drop_index("ix_hospital_visits_office_id_day", table_name="hospital_visits")
    op.drop_table("hospital_visits")
    op.drop_table("quota_takes")
    op.drop_table("doctor_quota")
    op.drop_index("ix_doctor_schedules_office_id_weekday", table_name="doctor_schedules")
    op.drop_table("doctor_schedules")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("location_id")
        batch.drop_column("kodepoli")
    with op.batch_alter_table("citizens") as batch:
        batch.drop_constraint("uq_citizens_bpjs_number", type_="unique")
        batch.drop_column("address")
        batch.drop_column("sex")
        batch.drop_column("bpjs_number")
