"""A patient the poli sent on to the pharmacy is no longer ahead of anyone in the doctor's
queue, as Mobile JKN hears it (WS RS ``antrean/sisa``).

Whether the doctor has seen a patient is told by the ticket's counter steps
(central/hospital/seen.py), not where the ticket stands now: a transfer clears the
ticket's ``called_at``, so a patient the doctor saw and sent on to the pharmacy looks, by
that column, like one never called. ``sisaantrean`` (those not yet called up to this
booking's number) must not count them again for the patients behind them. A real
centre over HTTP, on SQLite and PostgreSQL, its WS RS account configured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import event, select

from central.tables import hospital_visits
from central.wsrs import service
from testkit.centre_hospital import (
    HOSPITAL,
    call_up_to,
    new_hospital_patient,
    registered_online,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_requests import ZONE
from testkit.centres import BACKENDS
from testkit.mjkn import (
    BASE,
    POLI,
    USERNAME,
    ambil_body,
    new_patient,
    own_wsrs_hospital_centre,
    put_doctor,
    wsrs_token,
)

pytestmark = pytest.mark.timeout(300)
POLI_COUNTER = "Poli Anak"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_wsrs_hospital_centre(request, tmp_path_factory, "sent-on-sisa")


def _wsrs(c: Centre, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A Mobile JKN call to the centre's WS RS; its ``response``, the call answered."""
    answer = requests.post(
        f"{c.url}{BASE}{path}",
        json=body,
        headers={"x-token": token, "x-username": USERNAME},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    assert found["metadata"]["code"] in (200, 202), found
    return dict(found["response"])


def _registered_at_the_kiosk(c: Centre, schedule_id: str) -> str:
    """A Poli Anak ticket numbered online at the doctor ``schedule_id`` and registered for a
    patient of the hospital, its visit made; its id."""
    patient = new_hospital_patient(c.db)
    ticket = registered_online(c, schedule_id, patient.typed(), service_id=POLI)
    with c.db.read() as conn:
        state = conn.execute(
            select(hospital_visits.c.state).where(
                hospital_visits.c.ticket_id == ticket["ticket_id"]
            )
        ).scalar_one()
    assert state == "registered"
    return str(ticket["ticket_id"])


def test_the_patient_behind_one_sent_on_to_the_pharmacy_has_nobody_ahead(
    centre: Centre,
) -> None:
    token = wsrs_token(centre.url)
    today = dt.datetime.now(ZONE).date()
    kode = put_doctor(centre.url, centre.staff, today, starts="00:00", ends="23:59")
    first = _registered_at_the_kiosk(centre, f"uji-{kode}")
    booked = _wsrs(centre, token, "/antrean", ambil_body(new_patient(), kode, today, "00:00-23:59"))
    code = {"kodebooking": booked["kodebooking"]}
    assert _wsrs(centre, token, "/antrean/sisa", code)["sisaantrean"] == 2  # the first, then it

    step = {"office_id": HOSPITAL, "service_id": POLI, "counter": POLI_COUNTER}
    called = centre.staff_post("/api/v1/staff/queue/call-next", step)
    assert called.status_code == 200 and called.json()["ticket"]["ticket_id"] == first
    assert _wsrs(centre, token, "/antrean/sisa", code)["sisaantrean"] == 1  # first: with doctor

    # The doctor saw the first patient; the poli sends them on to the pharmacy.
    sent = centre.staff_post(
        f"/api/v1/staff/tickets/{first}/transfer",
        {"counter": POLI_COUNTER, "service_id": "farmasi"},
    )
    assert sent.status_code == 200, sent.text
    assert _wsrs(centre, token, "/antrean/sisa", code)["sisaantrean"] == 1  # nobody else ahead


def _nomorantrean(c: Centre, ticket_id: str) -> str:
    with c.db.read() as conn:
        return str(
            conn.execute(
                select(hospital_visits.c.nomorantrean).where(
                    hospital_visits.c.ticket_id == ticket_id
                )
            ).scalar_one()
        )


def test_the_number_the_poli_called_last_stays_when_the_pharmacy_calls_one_sent_to_its_counter(
    centre: Centre,
) -> None:
    """The poli sends its first patient on to the pharmacy's counter (``Farmasi``, the
    transfer form's queue left as it is) and calls the second: ``antreanpanggil`` is the
    second's number, and the pharmacy calling the first at its counter is no call of the
    poli's: the number must not go back to the first's."""
    token = wsrs_token(centre.url)
    today = dt.datetime.now(ZONE).date()
    kode = put_doctor(centre.url, centre.staff, today, starts="00:00", ends="23:59")
    first = _registered_at_the_kiosk(centre, f"uji-{kode}")
    second = _registered_at_the_kiosk(centre, f"uji-{kode}")
    booked = _wsrs(centre, token, "/antrean", ambil_body(new_patient(), kode, today, "00:00-23:59"))
    code = {"kodebooking": booked["kodebooking"]}

    call_up_to(centre, first, POLI, POLI_COUNTER)
    sent = centre.staff_post(
        f"/api/v1/staff/tickets/{first}/transfer",
        {"counter": POLI_COUNTER, "to_counter": "Farmasi"},
    )
    assert sent.status_code == 200, sent.text
    call_up_to(centre, second, POLI, POLI_COUNTER)
    assert _wsrs(centre, token, "/antrean/sisa", code)["antreanpanggil"] == _nomorantrean(
        centre, second
    )

    call_up_to(centre, first, "farmasi", "Farmasi")  # the pharmacy, not the poli

    assert _wsrs(centre, token, "/antrean/sisa", code)["antreanpanggil"] == _nomorantrean(
        centre, second
    )


def test_the_doctors_queue_figures_read_only_that_days_call_steps(centre: Centre) -> None:
    """``totalantrean``, ``sisaantrean`` and ``antreanpanggil`` (WS RS status and sisa
    antrean) of a doctor's day read the counter steps of that day's visits by the ticket
    index, never every step the centre has kept: a doctor nobody has called yet (the
    morning's questions from Mobile JKN) would otherwise read the whole history, every
    day of it, at each question. SQLite's plan follows the query's shape; PostgreSQL's
    planner chooses by the table's statistics."""
    if centre.db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans by the table's statistics, not the query's shape")
    today = dt.datetime.now(ZONE).date()
    statements: list[tuple[str, Any]] = []

    def keep(_c: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        statements.append((sql, params))

    with centre.db.engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", keep)
        service._queue(conn, "no-such-schedule", today)
        event.remove(conn, "before_cursor_execute", keep)
        plans = [
            " ".join(str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", p))
            for sql, p in statements
            if sql.lstrip().startswith("SELECT")
        ]
        conn.rollback()
    assert len(plans) == 3, statements
    for plan in plans:
        assert "SCAN call_events" not in plan, plan
