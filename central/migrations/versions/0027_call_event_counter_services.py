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
catalog is not known, and is not guessed. Read and written a batch at a time in ``id``
order (a centre's years of steps are never all in memory). Coming down drops the column,
in place (SQLite's own ``DROP COLUMN``).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0027_call_event_counter_services"
down_revision = "0026_submission_uids"
branch_labels = None
depends_on = None

#: Events read and written a batch at a time, in ``id`` order.
BATCH = 500

#: Plain SQL: a migration never imports the tables module, which moves on.
_SERVICES = "SELECT id, office_id, counter, active FROM services ORDER BY id"
_EVENTS = (
    "SELECT e.id, e.office_id, e.counter, t.service_id FROM call_events e "
    "LEFT JOIN tickets t ON t.id = e.ticket_id "
    "WHERE e.counter IS NOT NULL AND e.id > :after ORDER BY e.id LIMIT :batch"
)
_FILL = "UPDATE call_events SET counter_service_id = :service_id WHERE id = :id"


def upgrade() -> None:
    with op.batch_alter_table("call_events", recreate="never") as batch:
        batch.add_column(sa.Column("counter_service_id", sa.String(64), nullable=True))
    conn = op.get_bind()
    naming = _naming(conn)
    after = 0
    while True:
        rows = conn.execute(sa.text(_EVENTS), {"after": after, "batch": BATCH}).all()
        if not rows:
            return
        filled = [
            {"id": event_id, "service_id": found}
            for event_id, office_id, counter, service_id in rows
            if (found := _whose(naming.get((office_id, counter), []), service_id)) is not None
        ]
        if filled:
            conn.execute(sa.text(_FILL), filled)
        after = rows[-1][0]


def _naming(conn: sa.Connection) -> dict[tuple[str, str], list[str]]:
    """The services naming each (office, counter) of the catalog now: active ones first,
    then dropped ones, each by id."""
    found: dict[tuple[str, str], list[tuple[bool, str]]] = defaultdict(list)
    for service_id, office_id, counter, active in conn.execute(sa.text(_SERVICES)):
        found[(office_id, counter)].append((not active, service_id))
    return {key: [s for _, s in sorted(pairs)] for key, pairs in found.items()}


def _whose(naming: list[str], service_id: str | None) -> str | None:
    """The ticket's own service when it names the counter, else the first of the others."""
    if service_id in naming:
        return service_id
    return naming[0] if naming else None


def downgrade() -> None:
    with op.batch_alter_table("call_events", recreate="never") as batch:
        batch.drop_column("counter_service_id")
