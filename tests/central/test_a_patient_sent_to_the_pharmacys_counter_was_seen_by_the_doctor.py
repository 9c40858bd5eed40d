"""A poli patient sent on to the pharmacy's counter was seen by the doctor, as one sent to
the pharmacy's queue was.

The counter page's transfer form offers a queue (default: the same one) and a counter
(central/web/templates/counter.html). A poli clerk sending a patient on to the pharmacy
may name the pharmacy's counter alone (``Farmasi``, the catalog's counter of the
``farmasi`` service): the ticket keeps its poli's queue and waits for that counter,
which calls it (central.office.counters.waiting_for) and serves it. The doctor saw the
patient all the same: a no-show at the pharmacy's counter must leave the visit and the
doctor's place as a no-show at the pharmacy's queue does, and a cancel after the send-on
is ``done`` (central/hospital/seen.py is the one answer to both), and BPJS hears task 5
at the send-on and no task 99 (central/integrations/triggers.py). A real centre over
HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.integrations import outbox
from central.tables import hospital_visits, integration_outbox, tickets
from testkit.centre_accounts import bearer
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    doctor_today,
    hospital_registration,
    new_hospital_patient,
    new_schedule,
    own_hospital_centre,
    visit_cancel,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_requests import results
from testkit.centres import BACKENDS

pytestmark = pytest.mark.timeout(300)
POLI, POLI_COUNTER = "poli-dalam", "Poli Penyakit Dalam"
PHARMACY, PHARMACY_COUNTER = "farmasi", "Farmasi"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_hospital_centre(request, tmp_path_factory, "pharmacy-counter")


def _post(c: Centre, path: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(f"{c.url}{path}", json=body, headers=bearer(c.staff), timeout=30)


def _registered(c: Centre, sid: str) -> str:
    """A ticket of the poli numbered online and registered for a patient of the hospital,
    its visit made; its id."""
    patient = new_hospital_patient(c.db)
    made = allocate(c.url, c.kiosk, sid)
    assert made.status_code == 201, made.text
    ticket = made.json()
    item = hospital_registration(
        ticket["ticket_id"],
        ticket["display"],
        "online",
        {"schedule_id": sid, "payer": "jkn"},
        values={
            "full_name": patient.full_name,
            "nik": patient.nik,
            "birth_date": patient.birth_date.isoformat(),
        },
        card_number=None,
    )
    [done] = results(c.url, c.kiosk, [item])
    assert done["status"] == "accepted", done
    assert _visit_state(c, ticket["ticket_id"]) == "registered"
    return str(ticket["ticket_id"])


def _visit_state(c: Centre, ticket_id: str) -> str:
    with c.db.read() as conn:
        return str(
            conn.execute(
                select(hospital_visits.c.state).where(hospital_visits.c.ticket_id == ticket_id)
            ).scalar_one()
        )


def _call_up_to(c: Centre, ticket_id: str, queue: str, counter: str) -> None:
    """Call ``queue`` at ``counter`` up to ``ticket_id`` (the earlier tickets served)."""
    step = {"office_id": HOSPITAL, "service_id": queue, "counter": counter}
    while True:
        called = _post(c, "/api/v1/staff/queue/call-next", step)
        assert called.status_code == 200, called.text
        ticket = called.json()["ticket"]
        assert ticket is not None, "the ticket was never called"
        if ticket["ticket_id"] == ticket_id:
            return
        served = _post(c, f"/api/v1/staff/tickets/{ticket['ticket_id']}/served")
        assert served.status_code == 200, served.text


def _seen_and_sent_to_the_pharmacys_counter(c: Centre, ticket_id: str) -> None:
    """The poli calls the patient, the doctor sees them, and the poli's clerk sends them on
    to the pharmacy's counter (the transfer form's queue left as it is)."""
    _call_up_to(c, ticket_id, POLI, POLI_COUNTER)
    sent = _post(
        c,
        f"/api/v1/staff/tickets/{ticket_id}/transfer",
        {"counter": POLI_COUNTER, "to_counter": PHARMACY_COUNTER},
    )
    assert sent.status_code == 200, sent.text


def test_not_come_at_the_pharmacys_counter_keeps_the_visit_the_doctor_saw(
    centre: Centre,
) -> None:
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    ticket_id = _registered(centre, sid)
    _seen_and_sent_to_the_pharmacys_counter(centre, ticket_id)
    left = doctor_today(centre.url, centre.kiosk, sid)["left_jkn"]

    # The pharmacy calls its queue at its counter: the ticket sent to it is called there.
    _call_up_to(centre, ticket_id, PHARMACY, PHARMACY_COUNTER)
    absent = _post(centre, f"/api/v1/staff/tickets/{ticket_id}/no-show")
    assert absent.status_code == 200, absent.text

    assert _visit_state(centre, ticket_id) == "registered"  # the visit happened
    assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left  # place kept


def test_a_cancel_after_the_poli_sent_the_patient_to_the_pharmacys_counter_is_done(
    centre: Centre,
) -> None:
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    ticket_id = _registered(centre, sid)
    _seen_and_sent_to_the_pharmacys_counter(centre, ticket_id)
    left = doctor_today(centre.url, centre.kiosk, sid)["left_jkn"]

    [done] = results(centre.url, centre.kiosk, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])

    assert done["result"]["cancel"] == "done", done
    with centre.db.read() as conn:
        status = conn.execute(select(tickets.c.status).where(tickets.c.id == ticket_id))
        assert status.scalar_one() == "waiting"  # still waits for the pharmacy
    assert _visit_state(centre, ticket_id) == "registered"
    assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left


def test_bpjs_hears_the_send_on_to_the_pharmacys_counter_and_no_cancel_after_it(
    centre: Centre,
) -> None:
    """The tasks written for BPJS (the outbox, in order): 4 at the poli's call, 5 when the
    poli sends the patient on, 6 when the pharmacy calls; the no-show there after the
    doctor saw the patient is no task 99, and the SATUSEHAT Encounter is finished, never
    cancelled."""
    with centre.db.begin() as conn:
        outbox.set_targets(
            conn, {outbox.BPJS: "test", outbox.SATUSEHAT: "test"}, dt.datetime.now(dt.UTC)
        )
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    ticket_id = _registered(centre, sid)
    _seen_and_sent_to_the_pharmacys_counter(centre, ticket_id)
    _call_up_to(centre, ticket_id, PHARMACY, PHARMACY_COUNTER)
    absent = _post(centre, f"/api/v1/staff/tickets/{ticket_id}/no-show")
    assert absent.status_code == 200, absent.text

    with centre.db.read() as conn:
        code = conn.execute(
            select(hospital_visits.c.kodebooking).where(hospital_visits.c.ticket_id == ticket_id)
        ).scalar_one()
        rows = conn.execute(
            select(integration_outbox.c.kind, integration_outbox.c.body)
            .where(
                integration_outbox.c.order_key.in_((code, f"encounter:{ticket_id}")),
            )
            .order_by(integration_outbox.c.id)
        ).all()
    tasks = [json.loads(r.body)["taskid"] for r in rows if r.kind == "task"]
    statuses = [json.loads(r.body)["status"] for r in rows if r.kind == "encounter"]
    assert tasks == [1, 2, 3, 4, 5, 6], tasks
    assert statuses == ["arrived", "in-progress", "finished"], statuses
