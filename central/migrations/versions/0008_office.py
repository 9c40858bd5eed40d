"""The office's side: counters that call, boards that announce, complaints answered.

Revision ID: 0008_office
Revises: 0007_rekey
Create Date: 2026-12-05

* ``tickets.queue_id``: the queue a ticket stands in now. ``service_id``
  stays the service whose sequence gave its number (the unique guards are
  there); a transfer moves only ``queue_id``. ``priority``: tickets with a
  higher one are called first (a transferred ticket has waited already).
  New status ``held`` (tunda): set aside by a counter, called again later.
* ``call_events``: every step a counter takes on a ticket, in order. The
  boards read it (their live feed and their catch-up after a reconnection),
  the dashboard counts from it.
* ``boards``: display boards registered by staff; the TV holds a token.
* ``office_notices``: the running text an office shows on its boards.
* ``staff_desks``: the counter a staff member works at and its queues.
* ``complaints``: complaints filed at kiosks, and staff's answers. Filled
  from the ``complaint`` submissions already received.
* ``citizen_applications.note_en``: a state's note in English (``note`` is
  the Indonesian one); the demo's bilingual note is split in two. New state
  ``on_hold`` (ditunda): a word in ``state``, no schema change.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

UTC = sa.DateTime(timezone=True)

revision = "0008_office"
down_revision = "0007_rekey"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("queue_id", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.execute("UPDATE tickets SET queue_id = service_id")
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("queue_id", existing_type=sa.String(64), nullable=False)
    op.create_index(
        "ix_tickets_queue_id_day_status", "tickets", ["queue_id", "day", "status"], unique=False
    )

    op.create_table(
        "call_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.String(36), nullable=False),
        sa.Column("display", sa.String(32), nullable=False),
        sa.Column("queue_id", sa.String(64), nullable=False),
        sa.Column("counter", sa.String(100), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_call_events_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_call_events"),
    )
    op.create_index("ix_call_events_office_id_id", "call_events", ["office_id", "id"])
    op.create_index("ix_call_events_ticket_id", "call_events", ["ticket_id"])

    op.create_table(
        "boards",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_boards_office_id_offices"),
        sa.PrimaryKeyConstraint("id", name="pk_boards"),
        sa.UniqueConstraint("token_hash", name="uq_boards_token_hash"),
    )

    op.create_table(
        "office_notices",
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("running_text", sa.String(500), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_office_notices_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("office_id", name="pk_office_notices"),
    )

    op.create_table(
        "staff_desks",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("counter", sa.String(100), nullable=False),
        sa.Column("queues", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name="fk_staff_desks_staff_id_staff_users"
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_staff_desks_office_id_offices"
        ),
        sa.PrimaryKeyConstraint("staff_id", name="pk_staff_desks"),
    )

    op.create_table(
        "complaints",
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("card_number", sa.String(64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("answered_by", sa.String(100), nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name="fk_complaints_office_id_offices"
        ),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name="fk_complaints_kiosk_id_kiosks"),
        sa.PrimaryKeyConstraint("reference", name="pk_complaints"),
    )
    op.create_index("ix_complaints_office_id_state", "complaints", ["office_id", "state"])
    op.create_index("ix_complaints_card_number", "complaints", ["card_number"])
    _copy_complaints()

    op.add_column("citizen_applications", sa.Column("note_en", sa.String(500), nullable=True))
    # The demo's one bilingual note, split: a kiosk shows one language only.
    op.execute(
        "UPDATE citizen_applications SET note = 'Ambil di loket 2.',"
        " note_en = 'Collect at counter 2.' WHERE reference = 'BRK-DEMO0001'"
        " AND note = 'Ambil di loket 2. / Collect at counter 2.'"
    )


def _copy_complaints() -> None:
    """The complaints already received, as ``complaint`` submissions, become open complaints."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT kiosk_id, office_id, body, received_at FROM submissions"
            " WHERE kind = 'complaint'"
        )
    ).all()
    insert = sa.text(
        "INSERT INTO complaints (reference, office_id, kiosk_id, category, text, language,"
        " card_number, created_at, received_at, state) VALUES (:reference, :office_id,"
        " :kiosk_id, :category, :text, :language, :card_number, :at, :at, 'open')"
    )
    for row in rows:
        body = json.loads(row.body)
        bind.execute(
            insert,
            {
                "reference": body["reference"],
                "office_id": row.office_id,
                "kiosk_id": row.kiosk_id,
                "category": body.get("category", "lainnya"),
                "text": body.get("text", ""),
                "language": body.get("language", "id"),
                "card_number": body.get("card_number"),
                "at": row.received_at,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("citizen_applications") as batch:
        batch.drop_column("note_en")
    op.drop_table("complaints")
    op.drop_table("staff_desks")
    op.drop_table("office_notices")
    op.drop_table("boards")
    op.drop_table("call_events")
    op.drop_index("ix_tickets_queue_id_day_status", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("priority")
        batch.drop_column("queue_id")
