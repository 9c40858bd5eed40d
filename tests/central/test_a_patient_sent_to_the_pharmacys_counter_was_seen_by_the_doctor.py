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

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping

import pytest
from sqlalchemy import select, update

from central.integrations import outbox
from central.tables import hospital_visits, integration_outbox, services, tickets
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_hospital import (
    call_up_to,
    doctor_today,
    new_hospital_patient,
    new_schedule,
    numbered_online,
    own_hospital_centre,
    poli_registration,
    registered_online,
    visit_cancel,
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


def _registered(c: Centre, sid: str) -> str:
    """A ticket of the poli numbered online and registered for a patient of the hospital,
    its visit made; its id."""
    ticket = registered_online(c, sid, new_hospital_patient(c.db).typed())
    assert _visit_state(c, ticket["ticket_id"]) == "registered"
    return str(ticket["ticket_id"])


def _visit_state(c: Centre, ticket_id: str) -> str:
    with c.db.read() as conn:
        return str(
            conn.execute(
                select(hospital_visits.c.state).where(hospital_visits.c.ticket_id == ticket_id)
            ).scalar_one()
        )


def _seen_and_sent_to_the_pharmacys_counter(c: Centre, ticket_id: str) -> None:
    """The poli calls the patient, the doctor sees them, and the poli's clerk sends them on
    to the pharmacy's counter (the transfer form's queue left as it is)."""
    call_up_to(c, ticket_id, POLI, POLI_COUNTER)
    sent = c.staff_post(
        f"/api/v1/staff/tickets/{ticket_id}/transfer",
        {"counter": POLI_COUNTER, "to_counter": PHARMACY_COUNTER},
    )
    assert sent.status_code == 200, sent.text


def _a_patient_sent_to_the_pharmacys_counter(c: Centre) -> tuple[str, str, int]:
    """A poli ticket registered at a new doctor's day, seen and sent on to the pharmacy's
    counter: the doctor's schedule, the ticket's id and the doctor's JKN places left then."""
    sid = new_schedule(c.url, c.staff, quota_jkn=20)
    ticket_id = _registered(c, sid)
    _seen_and_sent_to_the_pharmacys_counter(c, ticket_id)
    return sid, ticket_id, doctor_today(c.url, c.kiosk, sid)["left_jkn"]


def _not_come_at_the_pharmacys_counter(c: Centre, ticket_id: str) -> None:
    """The pharmacy calls its queue at its counter, which calls the ticket sent to it
    there, and marks its holder not come."""
    call_up_to(c, ticket_id, PHARMACY, PHARMACY_COUNTER)
    absent = c.staff_post(f"/api/v1/staff/tickets/{ticket_id}/no-show")
    assert absent.status_code == 200, absent.text


def test_not_come_at_the_pharmacys_counter_keeps_the_visit_the_doctor_saw(
    centre: Centre,
) -> None:
    sid, ticket_id, left = _a_patient_sent_to_the_pharmacys_counter(centre)

    # The pharmacy calls its queue at its counter: the ticket sent to it is called there.
    _not_come_at_the_pharmacys_counter(centre, ticket_id)

    assert _visit_state(centre, ticket_id) == "registered"  # the visit happened
    assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left  # place kept


def test_a_cancel_after_the_poli_sent_the_patient_to_the_pharmacys_counter_is_done(
    centre: Centre,
) -> None:
    sid, ticket_id, left = _a_patient_sent_to_the_pharmacys_counter(centre)

    [done] = results(centre.url, centre.kiosk, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])

    assert done["result"]["cancel"] == "done", done
    with centre.db.read() as conn:
        status = conn.execute(select(tickets.c.status).where(tickets.c.id == ticket_id))
        assert status.scalar_one() == "waiting"  # still waits for the pharmacy
    assert _visit_state(centre, ticket_id) == "registered"
    assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left


def _bpjs_and_satusehat_told(c: Centre) -> None:
    """The centre writes its calls to BPJS and SATUSEHAT from now on (their targets set)."""
    with c.db.begin() as conn:
        outbox.set_targets(
            conn, {outbox.BPJS: "test", outbox.SATUSEHAT: "test"}, dt.datetime.now(dt.UTC)
        )


def _written_for(c: Centre, ticket_id: str) -> tuple[list[int], list[str]]:
    """What the outbox holds for ``ticket_id``'s visit, in order: its BPJS task ids and its
    SATUSEHAT Encounter's statuses."""
    with c.db.read() as conn:
        code = conn.execute(
            select(hospital_visits.c.kodebooking).where(hospital_visits.c.ticket_id == ticket_id)
        ).scalar_one()
        rows = conn.execute(
            select(integration_outbox.c.kind, integration_outbox.c.body)
            .where(integration_outbox.c.order_key.in_((code, f"encounter:{ticket_id}")))
            .order_by(integration_outbox.c.id)
        ).all()
    tasks = [json.loads(r.body)["taskid"] for r in rows if r.kind == "task"]
    statuses = [json.loads(r.body)["status"] for r in rows if r.kind == "encounter"]
    return tasks, statuses


def test_bpjs_hears_the_send_on_to_the_pharmacys_counter_and_no_cancel_after_it(
    centre: Centre,
) -> None:
    """The tasks written for BPJS (the outbox, in order): 4 at the poli's call, 5 when the
    poli sends the patient on, 6 when the pharmacy calls; the no-show there after the
    doctor saw the patient is no task 99, and the SATUSEHAT Encounter is finished, never
    cancelled."""
    _bpjs_and_satusehat_told(centre)
    ticket_id = _a_patient_sent_to_the_pharmacys_counter(centre)[1]
    _not_come_at_the_pharmacys_counter(centre, ticket_id)

    tasks, statuses = _written_for(centre, ticket_id)
    assert tasks == [1, 2, 3, 4, 5, 6], tasks
    assert statuses == ["arrived", "in-progress", "finished"], statuses


def test_a_registration_arriving_after_the_send_on_tells_bpjs_the_polis_call_as_task_4(
    centre: Centre,
) -> None:
    """A kiosk's registration that reaches the centre only after the poli called the ticket
    and sent it on to the pharmacy (an outbox that waited): the centre tells BPJS and
    SATUSEHAT the steps it missed, in order, as they happened: the poli's call is task 4
    and the Encounter in-progress, the send-on task 5 and finished, whatever the ticket's
    later transfers."""
    _bpjs_and_satusehat_told(centre)
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    patient = new_hospital_patient(centre.db)
    ticket = numbered_online(centre, sid)
    ticket_id = str(ticket["ticket_id"])
    call_up_to(centre, ticket_id, POLI, POLI_COUNTER)
    sent = centre.staff_post(
        f"/api/v1/staff/tickets/{ticket_id}/transfer",
        {"counter": POLI_COUNTER, "service_id": PHARMACY},
    )
    assert sent.status_code == 200, sent.text

    item = poli_registration(ticket, sid, patient.typed())
    [done] = results(centre.url, centre.kiosk, [item])
    assert done["status"] == "accepted", done

    tasks, statuses = _written_for(centre, ticket_id)
    assert tasks == [1, 2, 3, 4, 5], tasks
    assert statuses == ["arrived", "in-progress", "finished"], statuses


def test_a_new_catalog_renaming_the_pharmacys_counter_leaves_the_patient_seen(
    centre: Centre,
) -> None:
    """The poli sent the patient on to ``Farmasi``; a catalog published since names the
    pharmacy's counter ``Apotek``. The doctor saw the patient all the same: what happened
    at the counters does not change with the catalog, so a cancel is still ``done``."""
    sid, ticket_id, left = _a_patient_sent_to_the_pharmacys_counter(centre)
    with centre.db.begin() as conn:  # as a new catalog naming it so publishes it
        conn.execute(update(services).where(services.c.id == PHARMACY).values(counter="Apotek"))
    try:
        [done] = results(centre.url, centre.kiosk, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
    finally:
        with centre.db.begin() as conn:
            conn.execute(
                update(services).where(services.c.id == PHARMACY).values(counter=PHARMACY_COUNTER)
            )

    assert done["result"]["cancel"] == "done", done
    assert _visit_state(centre, ticket_id) == "registered"
    assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left


def test_a_transfer_to_a_numbered_counter_only_a_dropped_service_named_stays_at_the_poli(
    centre: Centre,
) -> None:
    """A service the catalog has dropped named ``3``; the hospital's numbered counter 3 is
    now a second room of the poli. A patient the poli moves there, before the doctor,
    was not seen: no service of the catalog names that counter (docs/hospital.md), so a
    cancel cancels the visit and gives the doctor's place back."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    ticket_id = _registered(centre, sid)
    with centre.db.begin() as conn:  # as a new catalog dropping Poli Gigi, once at 3
        conn.execute(
            update(services).where(services.c.id == "poli-gigi").values(counter="3", active=False)
        )
    try:
        call_up_to(centre, ticket_id, POLI, POLI_COUNTER)
        moved = centre.staff_post(
            f"/api/v1/staff/tickets/{ticket_id}/transfer",
            {"counter": POLI_COUNTER, "to_counter": "3"},
        )
        assert moved.status_code == 200, moved.text
        [done] = results(centre.url, centre.kiosk, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
    finally:
        with centre.db.begin() as conn:
            conn.execute(
                update(services)
                .where(services.c.id == "poli-gigi")
                .values(counter="Poli Gigi", active=True)
            )

    assert done["result"]["cancel"] == "cancelled", done
    assert _visit_state(centre, ticket_id) == "cancelled"


@contextlib.contextmanager
def _catalog(c: Centre, *steps: Mapping[str, Mapping[str, object]]) -> Iterator[None]:
    """Catalogs published one after another, each changing the services it names
    (``{service_id: values}``, as a new catalog does); the services as they were after."""
    changed = {service_id for step in steps for service_id in step}
    with c.db.read() as conn:
        before = {
            r.id: {"counter": r.counter, "active": r.active}
            for r in conn.execute(select(services).where(services.c.id.in_(changed)))
        }
    try:
        for step in steps:
            with c.db.begin() as conn:
                for service_id, values in step.items():
                    conn.execute(update(services).where(services.c.id == service_id).values(values))
        yield
    finally:
        with c.db.begin() as conn:
            for service_id, values in before.items():
                conn.execute(update(services).where(services.c.id == service_id).values(values))


def test_a_send_on_stays_one_when_the_catalog_renames_the_counter_twice_and_the_poli_takes_its_name(
    centre: Centre,
) -> None:
    """The poli sent the patient on to ``Farmasi``; one catalog since names the
    pharmacy's counter ``Apotek``, the next ``Apotek Rawat Jalan`` and gives the name
    ``Farmasi`` to the poli's own room. Read from the catalog now, the send-on would be a
    move within the poli; it was to the pharmacy, and the doctor saw the patient."""
    sid, ticket_id, left = _a_patient_sent_to_the_pharmacys_counter(centre)
    renames = (
        {PHARMACY: {"counter": "Apotek"}},
        {PHARMACY: {"counter": "Apotek Rawat Jalan"}, POLI: {"counter": PHARMACY_COUNTER}},
    )
    with _catalog(centre, *renames):
        [done] = results(centre.url, centre.kiosk, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])

    assert done["result"]["cancel"] == "done", done
    assert _visit_state(centre, ticket_id) == "registered"
    assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left


def test_a_move_to_a_dropped_services_counter_stays_at_the_poli_when_the_service_comes_back(
    centre: Centre,
) -> None:
    """Poli Gigi, once at counter ``3``, was dropped; the poli moves a patient to its
    second room at ``3`` before the doctor; a catalog since brings Poli Gigi back at
    ``3``. The move was within the poli when it was made: a cancel cancels the visit and
    gives the doctor's place back."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    ticket_id = _registered(centre, sid)
    left = doctor_today(centre.url, centre.kiosk, sid)["left_jkn"]
    with _catalog(centre, {"poli-gigi": {"counter": "3", "active": False}}):
        call_up_to(centre, ticket_id, POLI, POLI_COUNTER)
        moved = centre.staff_post(
            f"/api/v1/staff/tickets/{ticket_id}/transfer",
            {"counter": POLI_COUNTER, "to_counter": "3"},
        )
        assert moved.status_code == 200, moved.text
        with _catalog(centre, {"poli-gigi": {"active": True}}):
            [done] = results(
                centre.url, centre.kiosk, [visit_cancel(f"cancel-{ticket_id}", ticket_id)]
            )

    assert done["result"]["cancel"] == "cancelled", done
    assert _visit_state(centre, ticket_id) == "cancelled"
    assert doctor_today(centre.url, centre.kiosk, sid)["left_jkn"] == left + 1


def test_bpjs_hears_no_cancel_for_a_patient_not_come_at_a_counter_the_catalog_renamed_since(
    centre: Centre,
) -> None:
    """The poli sent the patient on to ``Farmasi`` and the pharmacy called them there;
    a catalog published before they are marked not come names the pharmacy's counter
    ``Apotek``. The doctor saw the patient all the same: no task 99, and the SATUSEHAT
    Encounter is finished, never cancelled."""
    _bpjs_and_satusehat_told(centre)
    ticket_id = _a_patient_sent_to_the_pharmacys_counter(centre)[1]
    call_up_to(centre, ticket_id, PHARMACY, PHARMACY_COUNTER)
    with _catalog(centre, {PHARMACY: {"counter": "Apotek"}}):
        absent = centre.staff_post(f"/api/v1/staff/tickets/{ticket_id}/no-show")
        assert absent.status_code == 200, absent.text

    tasks, statuses = _written_for(centre, ticket_id)
    assert tasks == [1, 2, 3, 4, 5, 6], tasks
    assert statuses == ["arrived", "in-progress", "finished"], statuses


def test_a_registration_arriving_after_a_rename_replays_the_send_on_as_it_was_made(
    centre: Centre,
) -> None:
    """An offline kiosk's registration reaches the centre only after the poli called the
    ticket and sent it on to ``Farmasi`` (the queue left as it is), and after catalogs
    that name the pharmacy's counter ``Apotek`` and give ``Farmasi`` to the poli. The
    steps the centre replays for BPJS and SATUSEHAT are the ones made: the send-on is
    task 5 and the Encounter finished, as the step recorded it, not what the catalog
    now says of that counter."""
    _bpjs_and_satusehat_told(centre)
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    patient = new_hospital_patient(centre.db)
    ticket = numbered_online(centre, sid)
    ticket_id = str(ticket["ticket_id"])
    _seen_and_sent_to_the_pharmacys_counter(centre, ticket_id)
    renames = (
        {PHARMACY: {"counter": "Apotek"}},
        {POLI: {"counter": PHARMACY_COUNTER}},
    )
    with _catalog(centre, *renames):
        [done] = results(
            centre.url, centre.kiosk, [poli_registration(ticket, sid, patient.typed())]
        )
        assert done["status"] == "accepted", done

    tasks, statuses = _written_for(centre, ticket_id)
    assert tasks == [1, 2, 3, 4, 5], tasks
    assert statuses == ["arrived", "in-progress", "finished"], statuses
