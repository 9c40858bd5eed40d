"""``0027_call_event_counter_services`` on a centre already holding counter steps.

Each step written before the upgrade that named a counter takes the service whose
counter it is in the catalog at the upgrade, as the centre judged it until then: the
ticket's own service when it names the counter (a numbered counter shared stays its
own), else the first by id of the office's other services naming it, active ones first,
then dropped ones; none when no service names it. A send-on the centre knew as one
stays one, whatever a catalog published after the upgrade renames, and a step written
after the upgrade records the catalog of its own moment beside it. Every event is
filled in one statement. It comes down and goes up again. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

from sqlalchemy import Connection, Engine, event, insert, select, update

from central.database import Database, migrate
from central.hospital import seen
from central.office import calls
from central.tables import call_events, kiosks, offices, services, tickets

BEFORE = "0026_submission_uids"
REVISION = importlib.import_module("central.migrations.versions.0027_call_event_counter_services")
NOW = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
POLI = "poli-dalam"
#: The catalog at the upgrade: (service, counter, active).
CATALOG = (
    ("farmasi", "Farmasi", True),
    ("lab-a", "5", True),
    ("lab-b", "5", True),
    ("poli-anak", "4", False),  # dropped; a service at 4 since
    ("poli-dalam", "Poli Penyakit Dalam", True),
    ("poli-gigi", "3", False),  # dropped, once at 3
    ("poli-mata", "2", True),
    ("radiologi", "4", True),
    ("zz-poli", "2", True),
)
_numbers = itertools.count(1)


def _hospital(conn: Connection) -> None:
    conn.execute(insert(offices).values(id="rs", name="RSUD", city="Kota", active=True))
    conn.execute(insert(kiosks).values(id="k1", office_id="rs", name="K", enrolled_at=NOW))
    conn.execute(
        insert(services),
        [
            {
                "id": service_id,
                "office_id": "rs",
                "category": "kesehatan",
                "name": service_id,
                "ticket_prefix": "A",
                "counter": counter,
                "active": active,
            }
            for service_id, counter, active in CATALOG
        ],
    )


def _ticket(conn: Connection, ticket_id: str, service_id: str) -> None:
    n = next(_numbers)
    conn.execute(
        insert(tickets).values(
            id=ticket_id,
            office_id="rs",
            service_id=service_id,
            day=NOW.date(),
            number=n,
            display=f"A-{n:03d}",
            number_source="online",
            kiosk_id="k1",
            status="waiting",
            issued_at=NOW,
            recorded_at=NOW,
            queue_id=service_id,
            queued_at=NOW,
        )
    )


def _steps(conn: Connection, ticket_id: str, steps: list[tuple[str, str, str | None]]) -> None:
    """Events written before the upgrade: (kind, queue the step left it in, counter)."""
    conn.execute(
        insert(call_events),
        [
            {
                "office_id": "rs",
                "at": NOW,
                "day": NOW.date(),
                "kind": kind,
                "ticket_id": ticket_id,
                "display": "A-001",
                "queue_id": queue_id,
                "counter": counter,
                "actor": "staff:a",
            }
            for kind, queue_id, counter in steps
        ],
    )


def _recorded(conn: Connection, ticket_id: str) -> list[tuple[str | None, str | None]]:
    rows = conn.execute(
        select(call_events.c.counter, call_events.c.counter_service_id)
        .where(call_events.c.ticket_id == ticket_id)
        .order_by(call_events.c.id)
    )
    return [(r.counter, r.counter_service_id) for r in rows]


def test_steps_stored_before_take_whose_counter_it_was_in_the_catalog_at_the_upgrade(
    db_url: str,
) -> None:
    old = [
        ("call", POLI, "Poli Penyakit Dalam"),
        ("transfer", POLI, "Farmasi"),  # the pharmacy's
        ("transfer", POLI, "3"),  # a dropped service's, as the centre judged it until now
        ("transfer", POLI, "4"),  # the active service's before the dropped one's
        ("transfer", POLI, "5"),  # shared by two others: the first by id
        ("transfer", POLI, "9"),  # no service's
        ("transfer", "farmasi", None),  # no counter
    ]
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        with db.begin() as conn:
            _hospital(conn)
            _ticket(conn, "t1", POLI)
            _steps(conn, "t1", old)
            _ticket(conn, "t2", "zz-poli")
            _steps(conn, "t2", [("transfer", "zz-poli", "2")])  # its own, though shared
        migrate(db)
        with db.read() as conn:
            assert _recorded(conn, "t1") == [
                ("Poli Penyakit Dalam", POLI),
                ("Farmasi", "farmasi"),
                ("3", "poli-gigi"),
                ("4", "radiologi"),
                ("5", "lab-a"),
                ("9", None),
                (None, None),
            ]
            assert _recorded(conn, "t2") == [("2", "zz-poli")]
        migrate(db, BEFORE)  # down: the column goes
        migrate(db)  # and up again, filled again
        with db.read() as conn:
            assert _recorded(conn, "t1")[1] == ("Farmasi", "farmasi")
    finally:
        db.dispose()


def test_a_send_on_stored_before_stays_one_beside_steps_written_after_a_rename(
    db_url: str,
) -> None:
    """The poli sent the patient on to ``Farmasi`` before the upgrade; after it, a catalog
    names the pharmacy's counter ``Apotek``. The poli brings the patient back (a transfer
    into its queue) and sends them on again, to ``Apotek``: the first send-on still
    counts, the patient stood at the poli in between, and away again after."""
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        with db.begin() as conn:
            _hospital(conn)
            _ticket(conn, "t1", POLI)
            _steps(
                conn, "t1", [("call", POLI, "Poli Penyakit Dalam"), ("transfer", POLI, "Farmasi")]
            )
        migrate(db)
        with db.begin() as conn:
            conn.execute(
                update(services).where(services.c.id == "farmasi").values(counter="Apotek")
            )
        with db.begin() as conn:
            assert seen.by_the_doctor(conn, "t1", POLI)
            assert not seen.at_the_poli(conn, "t1", POLI, POLI)
            ticket = conn.execute(select(tickets).where(tickets.c.id == "t1")).one()
            calls.record(conn, ticket, calls.TRANSFER, counter=None, actor="staff:a", at=NOW)
            assert seen.at_the_poli(conn, "t1", POLI, POLI)  # brought back
            assert seen.by_the_doctor(conn, "t1", POLI)  # seen all the same
            calls.record(conn, ticket, calls.TRANSFER, counter="Apotek", actor="staff:a", at=NOW)
            assert not seen.at_the_poli(conn, "t1", POLI, POLI)
            assert _recorded(conn, "t1")[-1] == ("Apotek", "farmasi")
    finally:
        db.dispose()


def test_every_step_is_filled_in_one_statement_whatever_their_number(db_url: str) -> None:
    """Years of steps: every one filled by one UPDATE on the database's side, not a
    round trip per batch of events read into the process (the centre waits for its
    migrations before it serves)."""
    many = 1200
    db = Database(db_url)
    try:
        migrate(db, BEFORE)
        with db.begin() as conn:
            _hospital(conn)
            _ticket(conn, "t1", POLI)
            _ticket(conn, "t2", "farmasi")
            _steps(conn, "t1", [("call", "farmasi", "Farmasi"), ("call", POLI, "2")] * many)
            _steps(conn, "t2", [("call", "farmasi", "Farmasi"), ("call", POLI, "9")] * many)
        written: list[str] = []

        def seen(_c: object, _cur: object, statement: str, *_: object) -> None:
            if "call_events" in statement and statement.lstrip().upper().startswith("UPDATE"):
                written.append(statement)

        event.listen(Engine, "before_cursor_execute", seen)
        try:
            migrate(db, REVISION.revision)
        finally:
            event.remove(Engine, "before_cursor_execute", seen)
        assert len(written) == 1
        with db.read() as conn:
            assert _recorded(conn, "t1") == [("Farmasi", "farmasi"), ("2", "poli-mata")] * many
            assert _recorded(conn, "t2") == [("Farmasi", "farmasi"), ("9", None)] * many
    finally:
        db.dispose()
