"""Offices: how many numbered counters each has.

Revision ID: 0022_office_counters
Revises: 0021_patient_holds
Create Date: 2026-12-09

* ``offices.counters``: the office's numbered counters, ``Loket 1`` … ``Loket N``, as
  its catalog entry says (``counters``, 1 to 99, 8 when it does not say).

Every office had Loket 1 … 8: a puskesmas with two counters listed six nobody sits at
at its desks, and a Mal Pelayanan Publik with twenty could call at none past 8 unless a
service named it. The next catalog published fills the column.

**Offices already stored** keep ``NULL``, which is read as 8, what they had: the
catalog they came from could not set it. Coming down drops the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_office_counters"
down_revision = "0021_patient_holds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("counters", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("counters")
