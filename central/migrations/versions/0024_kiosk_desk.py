"""Kiosks and enrolment codes: the registration desk is a role staff give.

Revision ID: 0024_kiosk_desk
Revises: 0023_ticket_held_at
Create Date: 2026-12-11

* ``enrolment_codes.desk``: the code was made for a hospital's registration desk; a
  kiosk that trades it (a new one, or one it re-keys) is a desk.
* ``kiosks.desk``: the kiosk is a registration desk (``kiosk run --desk``), as the code
  that enrolled or last re-keyed it said. Only a desk searches patients by name, is told
  their phone and address, and makes visits whose ``source`` is ``desk``.

Before, a kiosk said it was the desk in each request's body (``"desk": true``), and the
centre believed it: any kiosk token of a hospital, a self-service kiosk's in a public
hall too, could search patients by name and read their phones and addresses.

**Kiosks and codes already stored** are no desk (``false``): nothing the centre kept
says which kiosk a clerk sits at (a visit's ``source`` was the kiosk's own word), so an
admin gives each desk its role with a re-key code made for a desk (docs/operations.md).
Coming down drops both columns, in place (SQLite's own ``DROP COLUMN``: a copy of
``kiosks`` could not be swapped in while other tables refer to it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_kiosk_desk"
down_revision = "0023_ticket_held_at"
branch_labels = None
depends_on = None

_TABLES = ("enrolment_codes", "kiosks")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.add_column(
                sa.Column("desk", sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column("desk")
