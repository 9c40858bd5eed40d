"""Hospital visits: one live visit per patient, poli and day, held by the database.

Revision ID: 0019_one_visit_a_day
Revises: 0018_ticket_fallback_index
Create Date: 2026-12-07

* ``uq_hospital_visits_citizen_service_day_live`` and
  ``uq_hospital_visits_nik_service_day_live``: partial unique indexes on
  ``hospital_visits (citizen_id | nik, service_id, day) WHERE state <> 'cancelled'``.
  The rule was a read before an insert (WS RS's ambil antrean; a kiosk's or the
  desk's registration did not even read), so a kiosk registration and a Mobile JKN
  booking of one patient at once both got through: two visits, two places of the
  doctor's quota, and BPJS refusing the second ``antrean/add``. ``day`` is the
  office's date (Asia/Jakarta), as every visit stores it. A visit without a
  city record or a NIK (a patient an offline kiosk could not name) is held by
  the index it has a key for, or by none.

**Duplicates already stored.** The indexes cannot be built over them, so before
building them the migration closes every live visit that a visit it keeps already
holds the patient's day at that poli with (by record or by NIK). Kept first: a
visit already served (``done``: what happened stays true), then one the patient
came for (with a ticket: a kiosk's, the desk's, or a Mobile JKN booking checked
in), then the one recorded first (the lowest id), which is what the one-visit rule
would have kept had the two not raced. Each visit closed:

* is ``cancelled`` (``cancelled_at`` now, ``cancel_reason`` :data:`REASON`): the
  row stays, as every cancelled visit does; its ticket is left as it is (a paper
  the patient holds, served or not);
* gives its quota place back (``quota_takes.released_at``, the doctor's
  ``used_*`` less one), as a cancel does;
* if it is a Mobile JKN booking's, the booking is ``cancelled`` too, so no kiosk
  checks a closed visit in.

* holds its calls to BPJS and SATUSEHAT not yet sent: each is ``dead`` on
  ``/office/integrations`` with :data:`HELD`, so nothing more is told of a visit that
  is no more until staff look (Lewati, or Kirim lagi).

BPJS and SATUSEHAT are not called from here: what they were told of a closed
duplicate (usually a refused ``antrean/add``, dead on ``/office/integrations``)
stays for staff to skip or send, and the log says how many were closed, never
who. Coming down drops the indexes; the visits closed stay closed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0019_one_visit_a_day"
down_revision = "0018_ticket_fallback_index"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

_LIVE = sa.text("state <> 'cancelled'")
#: Why the migration closed a visit (``hospital_visits.cancel_reason``).
REASON = "Kunjungan ganda: pasien sudah terdaftar di poli ini pada hari itu"
#: Why a closed duplicate's call waits for staff (``integration_outbox.last_error``).
HELD = (
    "Kunjungan ganda ditutup saat pembaruan; periksa lalu Lewati atau Kirim lagi. / "
    "A duplicate visit closed by the upgrade; check, then skip or send again."
)
_INDEXES = (
    ("uq_hospital_visits_citizen_service_day_live", "citizen_id"),
    ("uq_hospital_visits_nik_service_day_live", "nik"),
)


def upgrade() -> None:
    conn = op.get_bind()
    closed = _close_duplicates(conn, dt.datetime.now(dt.UTC))
    if closed:
        log.warning(
            "%d duplicate live hospital visits closed as cancelled before the one-visit "
            "indexes were built",
            closed,
        )
    for name, who in _INDEXES:
        op.create_index(
            name,
            "hospital_visits",
            [who, "service_id", "day"],
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )


def downgrade() -> None:
    for name, _ in reversed(_INDEXES):
        op.drop_index(name, table_name="hospital_visits")


def _close_duplicates(conn: sa.Connection, now: dt.datetime) -> int:
    """Close the live visits a kept one already holds the day with; how many."""
    pairs: set[tuple[Any, Any]] = set()
    for _, who in _INDEXES:
        pairs.update(
            (row.service_id, row.day)
            for row in conn.execute(
                sa.text(
                    f"SELECT service_id, day FROM hospital_visits "  # noqa: S608 - a column name of ours
                    f"WHERE state <> 'cancelled' AND {who} IS NOT NULL "
                    f"GROUP BY {who}, service_id, day HAVING COUNT(*) > 1"
                )
            )
        )
    closed = 0
    for service_id, day in sorted(pairs, key=lambda p: (str(p[0]), str(p[1]))):
        visits = conn.execute(
            sa.text(
                "SELECT id, citizen_id, nik, kodebooking, booking_code, source, ticket_id "
                "FROM hospital_visits WHERE state <> 'cancelled' AND service_id = :s "
                "AND day = :d ORDER BY CASE WHEN state = 'done' THEN 0 ELSE 1 END, "
                "CASE WHEN ticket_id IS NULL THEN 1 ELSE 0 END, id"
            ),
            {"s": service_id, "d": day},
        ).all()
        held: set[tuple[str, Any]] = set()
        for visit in visits:
            keys = {(who, getattr(visit, who)) for _, who in _INDEXES}
            keys = {key for key in keys if key[1] is not None}
            if keys & held:
                _close(conn, visit, now)
                closed += 1
            else:
                held |= keys
    return closed


def _close(conn: sa.Connection, visit: Any, now: dt.datetime) -> None:
    """Cancel one duplicate, give its place back, hold its calls not yet sent and cancel
    its Mobile JKN booking."""
    conn.execute(
        sa.text(
            "UPDATE hospital_visits SET state = 'cancelled', cancelled_at = :now, "
            "cancel_reason = :reason WHERE id = :id"
        ).bindparams(_now()),
        {"now": _at(conn, now), "reason": REASON, "id": visit.id},
    )
    takes = conn.execute(
        sa.text(
            "SELECT ticket_id, schedule_id, day, payer FROM quota_takes "
            "WHERE kodebooking = :code AND released_at IS NULL"
        ),
        {"code": visit.kodebooking},
    ).all()
    for take in takes:
        conn.execute(
            sa.text("UPDATE quota_takes SET released_at = :now WHERE ticket_id = :key").bindparams(
                _now()
            ),
            {"now": _at(conn, now), "key": take.ticket_id},
        )
        used = "used_jkn" if take.payer == "jkn" else "used_non_jkn"
        conn.execute(
            sa.text(
                f"UPDATE doctor_quota SET {used} = {used} - 1 "  # noqa: S608 - a column name of ours
                f"WHERE schedule_id = :s AND day = :d AND {used} > 0"
            ),
            {"s": take.schedule_id, "d": take.day},
        )
    # its calls not yet sent (BPJS by its booking code, SATUSEHAT by its ticket's
    # encounter) wait for staff: nothing more is said of a visit that is no more
    order_keys = [visit.kodebooking]
    if visit.ticket_id is not None:
        order_keys.append(f"encounter:{visit.ticket_id}")
    conn.execute(
        sa.text(
            "UPDATE integration_outbox SET state = 'dead', last_error = :why, "
            "claimed_by = NULL, claimed_until = NULL "
            "WHERE state = 'pending' AND order_key IN :keys"
        ).bindparams(sa.bindparam("keys", expanding=True)),
        {"why": HELD, "keys": order_keys},
    )
    if visit.source == "mjkn" and visit.booking_code is not None:
        conn.execute(
            sa.text(
                "UPDATE bookings SET state = 'cancelled', state_changed_at = :now, "
                "changed_by = 'centre' WHERE code = :code AND state IN ('booked', 'no_show')"
            ).bindparams(_now()),
            {"now": _at(conn, now), "code": visit.booking_code},
        )


def _now() -> sa.BindParameter[dt.datetime]:
    """The ``:now`` of a statement, written as SQLAlchemy writes a timestamp column."""
    return sa.bindparam("now", type_=sa.DateTime(timezone=True))


def _at(conn: sa.Connection, now: dt.datetime) -> Any:
    """``now`` as the tables' ``UtcDateTime`` stores it: naive UTC on SQLite."""
    return now.replace(tzinfo=None) if conn.dialect.name == "sqlite" else now
