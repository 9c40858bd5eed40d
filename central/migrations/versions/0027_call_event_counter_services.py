"""Call events: the service whose counter a step named, recorded with the step.

Revision ID: 0027_call_event_counter_services
Revises: 0026_submission_uids
Create Date: 2026-12-08

* ``call_events.counter_service_id``: the service of the office whose counter the
  event's ``counter`` was when the step was made (``central.office.counters.whose``:
  the ticket's own service when it names the counter, else the first by id of the
  office's other active services naming it; null when none did). Whether a poli sent a
  patient on to another service's counter (the pharmacy's ``Farmasi``, the queue left
  as it is) was read from the catalog as it is now (``central.hospital.seen``), so a
  catalog published later renaming the pharmacy's counter turned a past send-on into a
  move within the poli, and a numbered counter a dropped service once named still
  counted as that service's. The rule now reads what was recorded.

**Events written before** take the catalog as it is at the upgrade, as the centre judged
them until then: the ticket's own service when it names the counter (dropped or not),
else the first by id of the office's other services naming it, active ones first, then
dropped ones; null when none does. No answer the centre gave before (a cancel ``done``,
a task BPJS heard) changes by upgrading; what those events meant before the upgrade's
catalog is not known, and is not guessed. Written in one statement on the database's
side, each event by two lookups by primary key (a centre's years of steps are never
read into the process, nor written a batch per round trip). Coming down drops the
column, in place (SQLite's own ``DROP COLUMN``).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0027_call_event_counter_services"
down_revision = "0026_submission_uids"
branch_labels = None
depends_on = None

#: Plain SQL: a migration never imports the tables module, which moves on.
_SERVICES = "SELECT id, office_id, counter, active FROM services ORDER BY id"
#: The catalog's answer per counter, in two small tables of this transaction's own:
#: every service naming an (office, counter), and the first of them (active ones first,
#: then dropped ones, each by id).
_NAMING = (
    "CREATE TEMPORARY TABLE m0027_naming (office_id VARCHAR(64) NOT NULL, "
    "counter VARCHAR(100) NOT NULL, service_id VARCHAR(64) NOT NULL, "
    "PRIMARY KEY (office_id, counter, service_id))"
)
_FIRST = (
    "CREATE TEMPORARY TABLE m0027_first (office_id VARCHAR(64) NOT NULL, "
    "counter VARCHAR(100) NOT NULL, service_id VARCHAR(64) NOT NULL, "
    "PRIMARY KEY (office_id, counter))"
)
#: One statement for every event: the ticket's own service when it names the counter,
#: else the first naming it; an event whose counter no service names is not written.
#: Each row is two lookups by primary key (its ticket, then the small tables), so a
#: centre's years of steps take one pass, not a round trip per batch.
_FILL = (
    "UPDATE call_events SET counter_service_id = COALESCE("
    "(SELECT n.service_id FROM tickets t JOIN m0027_naming n ON n.service_id = t.service_id "
    "WHERE t.id = call_events.ticket_id AND n.office_id = call_events.office_id "
    "AND n.counter = call_events.counter), "
    "(SELECT f.service_id FROM m0027_first f WHERE f.office_id = call_events.office_id "
    "AND f.counter = call_events.counter)) "
    "WHERE counter IS NOT NULL AND EXISTS (SELECT 1 FROM m0027_first f "
    "WHERE f.office_id = call_events.office_id AND f.counter = call_events.counter)"
)


def upgrade() -> None:
    with op.batch_alter_table("call_events", recreate="never") as batch:
        batch.add_column(sa.Column("counter_service_id", sa.String(64), nullable=True))
    conn = op.get_bind()
    naming = _naming(conn)
    if not naming:
        return
    conn.execute(sa.text(_NAMING))
    conn.execute(sa.text(_FIRST))
    try:
        conn.execute(
            sa.text("INSERT INTO m0027_naming VALUES (:office_id, :counter, :service_id)"),
            [
                {"office_id": office_id, "counter": counter, "service_id": service_id}
                for (office_id, counter), ids in naming.items()
                for service_id in ids
            ],
        )
        conn.execute(
            sa.text("INSERT INTO m0027_first VALUES (:office_id, :counter, :service_id)"),
            [
                {"office_id": office_id, "counter": counter, "service_id": ids[0]}
                for (office_id, counter), ids in naming.items()
            ],
        )
        conn.execute(sa.text(_FILL))
    finally:
        conn.execute(sa.text("DROP TABLE m0027_naming"))
        conn.execute(sa.text("DROP TABLE m0027_first"))


def _naming(conn: sa.Connection) -> dict[tuple[str, str], list[str]]:
    """The services naming each (office, counter) of the catalog now: active ones first,
    then dropped ones, each by id."""
    found: dict[tuple[str, str], list[tuple[bool, str]]] = defaultdict(list)
    for service_id, office_id, counter, active in conn.execute(sa.text(_SERVICES)):
        found[(office_id, counter)].append((not active, service_id))
    return {key: [s for _, s in sorted(pairs)] for key, pairs in found.items()}


def downgrade() -> None:
    with op.batch_alter_table("call_events", recreate="never") as batch:
        batch.drop_column("counter_service_id")
