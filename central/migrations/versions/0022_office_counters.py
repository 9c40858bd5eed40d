"""Offices: how many numbered counters each has.

Revision ID: 0022_office_counters
Revises: 0021_patient_holds
Create Date: 2026-12-09

* ``offices.counters``: the office's numbered counters, ``Loket 1`` … ``Loket N``, as
  its catalog entry says (``counters``, 1 to 99, 8 when it does not say).

Every office had Loket 1 … 8: a puskesmas with two counters listed six nobody sits at
at its desks, and a Mal Pelayanan Publik with twenty could call at none past 8 unless a
service named it.

**Offices already stored** take the number the newest published catalog gives them:
a catalog may have said it before this release read it, and publishing the same
catalog again changes nothing (its content is already the newest), so nothing else
would fill it. An office the catalog gives no number, or one that is not a whole
number from 1 to 99, keeps ``NULL``, which is read as 8, what it had. Coming down
drops the column, in place (SQLite's own ``DROP COLUMN``: a copy of ``offices``
could not be swapped in while ``services`` and ``tickets`` refer to it).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0022_office_counters"
down_revision = "0021_patient_holds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offices", recreate="never") as batch:
        batch.add_column(sa.Column("counters", sa.Integer(), nullable=True))
    conn = op.get_bind()
    body = conn.execute(
        sa.text("SELECT body FROM catalog_versions ORDER BY id DESC LIMIT 1")
    ).scalar_one_or_none()
    for office_id, counters in _counters_of(body).items():
        conn.execute(
            sa.text("UPDATE offices SET counters = :counters WHERE id = :office_id"),
            {"counters": counters, "office_id": office_id},
        )


def _counters_of(body: str | None) -> dict[str, int]:
    """Each office's ``counters`` in a published catalog's ``body``, where it is one the
    catalog's own check takes (a whole number from 1 to 99)."""
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return {}
    offices = data.get("offices") if isinstance(data, dict) else None
    found: dict[str, int] = {}
    for office in offices if isinstance(offices, list) else []:
        if not isinstance(office, dict):
            continue
        office_id, counters = office.get("id"), office.get("counters")
        if (
            isinstance(office_id, str)
            and type(counters) is int  # a bool is no number of counters
            and 1 <= counters <= 99
        ):
            found[office_id] = counters
    return found


def downgrade() -> None:
    with op.batch_alter_table("offices", recreate="never") as batch:
        batch.drop_column("counters")
