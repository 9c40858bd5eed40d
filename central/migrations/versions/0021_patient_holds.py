"""Quota places: the patient each is held for, one place per patient, poli and day.

Revision ID: 0021_patient_holds
Revises: 0020_satusehat_patients
Create Date: 2026-12-08

* ``quota_takes.service_id``: the poli of the place.
* ``quota_takes.nik_hash``: the patient the place is held for, as HMAC-SHA256 of their
  NIK with the audit key (the hash a patient find audits, never the NIK).
* ``uq_quota_takes_nik_hash_service_day_held``: a partial unique index on
  ``(nik_hash, service_id, day) WHERE released_at IS NULL``.

The allocate of a poli's ticket checks its patient (no live visit at the poli that
day) before it numbers the ticket, but the visit is made only when the registration
arrives: two allocates for one patient at once both found no visit, and both
printed a paper with a doctor's place. The patient the allocate checked is now kept
with the place it holds, and the index refuses a second place held for them at that
poli that day, on any server process; a place given back holds nothing.

**Places already taken** keep ``NULL`` in both columns and hold nobody: the hash
needs the audit key, which the server has and a migration does not, and the keys an
allocate named were never stored. A place whose registration arrived has its visit,
which holds the patient's day already (0019_one_visit_a_day); only the few places
taken in the minutes before the upgrade whose registration has not arrived yet are
checked when it does, as before. Coming down drops the index and the columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_patient_holds"
down_revision = "0020_satusehat_patients"
branch_labels = None
depends_on = None

_INDEX = "uq_quota_takes_nik_hash_service_day_held"
_HELD = sa.text("released_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("quota_takes") as batch:
        batch.add_column(sa.Column("service_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("nik_hash", sa.String(64), nullable=True))
    op.create_index(
        _INDEX,
        "quota_takes",
        ["nik_hash", "service_id", "day"],
        unique=True,
        sqlite_where=_HELD,
        postgresql_where=_HELD,
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="quota_takes")
    with op.batch_alter_table("quota_takes") as batch:
        batch.drop_column("nik_hash")
        batch.drop_column("service_id")
