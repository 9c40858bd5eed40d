"""Two kiosks' batches lock the queues' counters and the doctors' days in one order.

On PostgreSQL a row a transaction updates stays locked to its end, and the centre takes
a kiosk's batch in one transaction (central/office/submissions.py ``_write``): a batch
numbering tickets of two polis holds both queues' counters (``ticket_counters``), one
making or cancelling visits at two doctors holds both doctors' days (``doctor_quota``).
Taken in the order of the batch's items, two batches (or a batch and the no-shows'
marking) in opposite orders each held a row the other waited for: PostgreSQL ended one
(a deadlock) and its kiosk was answered 503. Each is taken in one sorted order, so they
wait for each other and both are stored. An online poli ticket's allocate takes its
doctor's place before its number: it holds its queue's counter first, as a batch does.
A patient's lapsed Mobile JKN booking is closed (the booking, then its visit) before any
doctor's day is held, and its doctor's day is held in the same order as the others (a
batch's, an allocate's or a new Mobile JKN booking's own) before its place is given back.

Deterministic, not timed (testkit.row_locks): the test holds the first row in the
sorted order, starts the side that takes it first, then (once it waits) the side that
takes it last, then (once both wait) commits. SQLite has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import Connection, select

from central.access.audit import utc_now
from central.office import bookings as office_bookings
from central.settings import NO_SHOW_TICK_MAX_S
from central.tables import (
    doctor_quota,
    hospital_visits,
    quota_takes,
    ticket_counters,
)
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_hospital import (
    HOSPITAL,
    hospital_kiosk,
    hospital_registration,
    new_hospital_patient,
    new_schedule,
    own_hospital_centre,
    visit_cancel,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_hospital import (
    allocate as hospital_allocate,
)
from testkit.centre_requests import allocate, new_id, registration, submit, today
from testkit.mjkn import (
    BASE,
    POLI,
    USERNAME,
    ambil_body,
    booked,
    integrations_file,
    lapse,
    put_doctor,
    wsrs_token,
)
from testkit.row_locks import WAIT_S, backend, keys, one_after_another, registration_of

pytestmark = pytest.mark.timeout(300)

#: Two polis of the demo hospital and their tickets' prefixes, in the counters' order.
POLIS = (("poli-anak", "N"), ("poli-dalam", "D"))


@pytest.fixture(scope="module", params=["postgresql"])
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    """A hospital centre Mobile JKN books at (WS RS), BPJS's stand-in hearing its visits.

    Its no-show tick is the longest, an hour, beyond the module's life (its tests' timeouts
    together are less): the tests lapse Mobile JKN bookings and show what closes them (an
    allocate, a batch, Mobile JKN's next booking, their own marking), and a tick of the
    server's run between the lapse and that would close them first."""
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    config = integrations_file(tmp_path_factory.mktemp("batch-lock-order"), standin)
    yield from own_hospital_centre(
        request,
        tmp_path_factory,
        "batch-lock-order",
        *("--integrations", str(config)),
        *("--no-show-tick", f"{NO_SHOW_TICK_MAX_S:g}"),
    )


def sending(c: Centre, token: str, items: list[dict[str, Any]]) -> Callable[[], int]:
    """The kiosk ``token``'s batch of ``items``, sent: its answer's status."""

    def send() -> int:
        response = submit(c.url, token, items)
        assert response.status_code in (200, 503), response.text
        return response.status_code

    return send


def holding(table: Any, *where: Any) -> Callable[[Connection], None]:
    """The test's transaction holds the one row of ``table`` that ``where`` names."""

    def hold(conn: Connection) -> None:
        [_] = conn.execute(select(*table.primary_key.columns).where(*where).with_for_update())

    return hold


def doctors(c: Centre) -> tuple[str, str]:
    """Two doctors of the hospital's Poli Dalam today, in the order their days are held;
    the first's day made (a visit registered there)."""
    first, second = sorted(new_schedule(c.url, c.staff, quota_jkn=20) for _ in range(2))
    registration_of(c, first, keys(new_hospital_patient(c.db)))
    return first, second


def online_registration(
    c: Centre,
    token: str,
    sid: str,
    service_id: str = "poli-dalam",
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The registration of the patient ``values`` (a new one: ``None``) at the doctor ``sid``
    of ``service_id``, its ticket numbered online without a place (the registration takes
    it)."""
    made = allocate(c.url, token, service_id)
    assert made.status_code == 201, made.text
    return hospital_registration(
        made.json()["ticket_id"],
        made.json()["display"],
        "online",
        {"schedule_id": sid, "payer": "jkn"},
        service_id=service_id,
        values=values or keys(new_hospital_patient(c.db)),
        card_number=None,
    )


def the_queues_counter(service_id: str) -> Callable[[Connection], None]:
    counter = ticket_counters.c
    return holding(
        ticket_counters,
        counter.office_id == HOSPITAL,
        counter.service_id == service_id,
        counter.day == today(),
    )


def the_first_doctors_day(sid: str) -> Callable[[Connection], None]:
    return holding(doctor_quota, doctor_quota.c.schedule_id == sid, doctor_quota.c.day == today())


def _visit_states(centre: Centre, made: list[dict[str, Any]]) -> list[str]:
    """The states of the visits the registrations ``made`` asked for."""
    with centre.db.read() as conn:
        keys_ = [item["key"] for item in made]
        rows = conn.execute(
            select(hospital_visits.c.state).where(hospital_visits.c.ticket_id.in_(keys_))
        )
        return list(rows.scalars())


def test_two_batches_numbering_tickets_of_two_polis_in_opposite_orders_are_both_stored(
    centre: Centre,
) -> None:
    """Two kiosks' offline tickets, one kiosk's of Poli Anak then Poli Dalam, the other's
    of Poli Dalam then Poli Anak, numbered as their batches reach the centre at once:
    both batches are stored (200), none ended by a deadlock (503)."""
    (first, first_code), (second, second_code) = (hospital_kiosk(centre.url) for _ in range(2))
    for service, _ in POLIS:  # each queue's counter of the day made
        assert allocate(centre.url, centre.kiosk, service).status_code == 201

    def offline(code: str, polis: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
        return [
            registration(new_id(), service, f"{prefix}-{code}-001", "fallback", office_id=HOSPITAL)
            for service, prefix in polis
        ]

    answered = one_after_another(
        centre.db,
        the_queues_counter(POLIS[0][0]),
        sending(centre, first, offline(first_code, POLIS)),
        sending(centre, second, offline(second_code, POLIS[::-1])),
    )
    assert answered == [200, 200]


def test_two_batches_registering_at_two_doctors_in_opposite_orders_are_both_stored(
    centre: Centre,
) -> None:
    """Two kiosks' batches register visits at the same two doctors, one in each order:
    both are stored (200), none ended by a deadlock (503), every visit made."""
    small, large = doctors(centre)
    first, second = hospital_kiosk(centre.url)[0], hospital_kiosk(centre.url)[0]
    one = [online_registration(centre, first, sid) for sid in (small, large)]
    other = [online_registration(centre, second, sid) for sid in (large, small)]
    answered = one_after_another(
        centre.db,
        the_first_doctors_day(small),
        sending(centre, first, one),
        sending(centre, second, other),
    )
    assert answered == [200, 200]
    with centre.db.read() as conn:
        made = conn.execute(
            select(hospital_visits.c.state).where(
                hospital_visits.c.ticket_id.in_([i["key"] for i in one + other])
            )
        ).scalars()
        assert sorted(made) == ["registered"] * 4


def test_a_batch_cancelling_visits_at_two_doctors_and_one_registering_there_are_both_stored(
    centre: Centre,
) -> None:
    """A kiosk's batch cancels its visits at two doctors (their places given back) while
    another kiosk's registers visits at both in the other order (their places taken):
    both are stored, the visits cancelled and the new ones made."""
    small, large = doctors(centre)
    cancelled = [
        registration_of(centre, sid, keys(new_hospital_patient(centre.db)))
        for sid in (small, large)
    ]
    other = hospital_kiosk(centre.url)[0]
    made = [online_registration(centre, other, sid) for sid in (large, small)]
    answered = one_after_another(
        centre.db,
        the_first_doctors_day(small),
        sending(centre, centre.kiosk, [visit_cancel(f"c-{new_id()}", t) for t in cancelled]),
        sending(centre, other, made),
    )
    assert answered == [200, 200]
    with centre.db.read() as conn:
        states = dict(
            conn.execute(
                select(hospital_visits.c.ticket_id, hospital_visits.c.state).where(
                    hospital_visits.c.ticket_id.in_([*cancelled, *(i["key"] for i in made)])
                )
            ).all()
        )
    assert [states[t] for t in cancelled] == ["cancelled"] * 2
    assert [states[i["key"]] for i in made] == ["registered"] * 2


def mjkn_doctors(c: Centre) -> tuple[list[int], str, str]:
    """Two doctors of today put by Mobile JKN's schedule (their kodes), and their schedules
    in the order their days are held."""
    kodes = [put_doctor(c.url, c.staff, today(), starts="00:00", ends="23:59") for _ in range(2)]
    small, large = (f"uji-{kode}" for kode in kodes)
    assert small < large
    return kodes, small, large


def no_shows_marked(c: Centre, codes: list[str]) -> Callable[[], int]:
    """The bookings ``codes`` lapsed (their slots and grace over), then every lapsed
    booking marked as a server's tick marks them (in the order they were made), in one
    transaction (no tick marks them first): how many."""

    def mark() -> int:
        with c.db.engine.begin() as conn:
            backend(conn)
            for code in codes:
                lapse(conn, code)
            return office_bookings.mark_no_shows(conn, utc_now())

    return mark


def test_no_shows_given_back_at_two_doctors_and_a_batch_registering_there_both_go_through(
    centre: Centre,
) -> None:
    """A kiosk's batch registers visits at two doctors (their places taken) while Mobile
    JKN bookings at both lapse and are marked, the later doctor's booked and lapsed
    first (their places given back): both go through, the batch's visits made and the
    bookings' closed."""
    kodes, small, large = mjkn_doctors(centre)
    codes = [booked(centre.url, kode) for kode in kodes[::-1]]  # the later doctor's first
    kiosk = hospital_kiosk(centre.url)[0]
    made = [online_registration(centre, kiosk, sid, POLI) for sid in (small, large)]
    answered = one_after_another(
        centre.db,
        the_first_doctors_day(small),
        sending(centre, kiosk, made),
        no_shows_marked(centre, codes),
    )
    assert answered == [200, 2]
    with centre.db.read() as conn:
        closed = conn.execute(
            select(hospital_visits.c.state).where(hospital_visits.c.booking_code.in_(codes))
        ).scalars()
        assert list(closed) == ["cancelled"] * 2
    assert _visit_states(centre, made) == ["registered"] * 2


def test_an_allocate_at_a_doctor_and_a_batch_numbering_and_registering_there_both_go_through(
    centre: Centre,
) -> None:
    """A kiosk's batch numbers an offline Poli Dalam ticket (the queue's counter) and
    registers its visit at a doctor (the doctor's day) while another kiosk's allocate
    takes a place at that doctor and a number of that queue: both go through."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    registration_of(centre, sid, keys(new_hospital_patient(centre.db)))  # the day and counter
    (first, first_code), second = hospital_kiosk(centre.url), hospital_kiosk(centre.url)[0]
    offline = hospital_registration(
        new_id(),
        f"D-{first_code}-001",
        "fallback",
        {"schedule_id": sid, "payer": "jkn"},
        values=keys(new_hospital_patient(centre.db)),
        card_number=None,
    )

    def allocating() -> int:
        return hospital_allocate(centre.url, second, sid).status_code

    answered = one_after_another(
        centre.db,
        the_queues_counter("poli-dalam"),
        sending(centre, first, [offline]),
        allocating,
    )
    assert answered == [200, 201]


def test_an_allocate_closing_its_patients_lapsed_booking_and_a_batch_at_that_doctor_both_go_through(
    centre: Centre,
) -> None:
    """A patient's Mobile JKN booking lapsed; a kiosk's allocate for them at that doctor
    closes it first (the booking, its visit, its place given back) while another kiosk's
    batch numbers an offline Poli Anak ticket and registers its visit there: both go
    through (the allocate holds the queue's counter before the booking's doctor's day).

    The booking lapses in the test's transaction (the module's centre does not tick in its
    life: nothing else closes it once that commits), and the allocate is shown to be what
    closed it: the booking's place given back when the allocate took its own."""
    kode = put_doctor(centre.url, centre.staff, today(), starts="00:00", ends="23:59")
    sid = f"uji-{kode}"
    patient = new_hospital_patient(centre.db)
    code = booked(centre.url, kode, patient.keys())
    assert allocate(centre.url, centre.kiosk, POLI).status_code == 201  # the queue's counter
    (first, first_code), second = hospital_kiosk(centre.url), hospital_kiosk(centre.url)[0]
    offline = hospital_registration(
        new_id(),
        f"N-{first_code}-001",
        "fallback",
        {"schedule_id": sid, "payer": "jkn"},
        service_id=POLI,
        values=keys(new_hospital_patient(centre.db)),
        card_number=None,
    )

    def lapsed_and_the_counter_held(conn: Connection) -> None:
        lapse(conn, code)  # the slot and its grace are over
        the_queues_counter(POLI)(conn)

    allocated: list[str] = []

    def allocating() -> int:
        made = hospital_allocate(centre.url, second, sid, service_id=POLI, patient=patient.keys())
        if made.status_code == 201:
            allocated.append(made.json()["ticket_id"])
        return made.status_code

    answered = one_after_another(
        centre.db,
        lapsed_and_the_counter_held,
        sending(centre, first, [offline]),
        allocating,
    )
    assert answered == [200, 201]
    with centre.db.read() as conn:
        lapsed = conn.execute(
            select(hospital_visits.c.state).where(hospital_visits.c.booking_code == code)
        ).scalar_one()
        given_back = conn.execute(
            select(quota_takes.c.released_at).where(quota_takes.c.ticket_id == f"booking:{code}")
        ).scalar_one()
        taken = conn.execute(
            select(quota_takes.c.taken_at).where(quota_takes.c.ticket_id == allocated[0])
        ).scalar_one()
    assert lapsed == "cancelled"
    assert given_back == taken  # closed by the allocate, not by a tick of the server's


def test_a_batch_at_two_doctors_for_a_patient_whose_booking_lapsed_and_the_no_shows_go_through(
    centre: Centre,
) -> None:
    """A patient's Mobile JKN booking at a doctor lapsed; a kiosk's batch registers them at
    that doctor and another patient at a second one while the no-shows' marking closes
    the booking (its visit, then its place given back): both go through, the batch's
    visits made. The batch closes its patients' lapsed bookings (each, then its visit)
    before it holds the doctors' days: closed by the patient's check once the days were
    held, the booking and its visit came after a day, and the two deadlocked."""
    kodes, small, large = mjkn_doctors(centre)
    patient = new_hospital_patient(centre.db)
    code = booked(centre.url, kodes[0], patient.keys())
    kiosk = hospital_kiosk(centre.url)[0]
    made = [
        online_registration(centre, kiosk, small, POLI, keys(patient)),
        online_registration(centre, kiosk, large, POLI),
    ]

    def lapsed_and_its_visit_held(conn: Connection) -> None:
        holding(hospital_visits, hospital_visits.c.booking_code == code)(conn)
        with centre.db.begin() as lapsing:  # lapsed, committed while its visit is held
            lapse(lapsing, code)

    answered = one_after_another(
        centre.db,
        lapsed_and_its_visit_held,
        no_shows_marked(centre, []),
        sending(centre, kiosk, made),
    )
    assert answered == [1, 200]
    assert _visit_states(centre, made) == ["registered"] * 2


def test_an_allocate_giving_back_a_lapsed_booking_at_another_doctor_and_a_batch_go_through(
    centre: Centre,
) -> None:
    """A patient's Mobile JKN booking at one doctor lapsed; a kiosk's allocate for them at
    another doctor of the poli closes it (its place given back) and takes its own while
    another kiosk's batch registers visits at both doctors: both go through. The allocate
    holds both doctors' days in their one order before it gives the booking's place back:
    given back first, the later doctor's day was held while the allocate waited for the
    earlier one, which the batch held while it waited for the later one (a deadlock)."""
    kodes, small, large = mjkn_doctors(centre)
    patient = new_hospital_patient(centre.db)
    code = booked(centre.url, kodes[1], patient.keys())  # at the later doctor
    booked(centre.url, kodes[0])  # the earlier doctor's day made (another patient's place)
    kiosk, other = hospital_kiosk(centre.url)[0], hospital_kiosk(centre.url)[0]
    made = [online_registration(centre, kiosk, sid, POLI) for sid in (small, large)]
    allocated: list[str] = []

    def allocating() -> int:
        with centre.db.begin() as conn:  # lapsed only now, just before the request
            lapse(conn, code)
        answer = hospital_allocate(
            centre.url, other, small, service_id=POLI, patient=patient.keys()
        )
        if answer.status_code == 201:
            allocated.append(answer.json()["ticket_id"])
        return answer.status_code

    answered = one_after_another(
        centre.db,
        the_first_doctors_day(small),
        sending(centre, kiosk, made),
        allocating,
    )
    assert answered == [200, 201]
    with centre.db.read() as conn:
        given_back = conn.execute(
            select(quota_takes.c.released_at).where(quota_takes.c.ticket_id == f"booking:{code}")
        ).scalar_one()
        taken = conn.execute(
            select(quota_takes.c.taken_at).where(quota_takes.c.ticket_id == allocated[0])
        ).scalar_one()
    assert given_back == taken  # closed by the allocate, not by a tick of the server's


def test_a_mobile_jkn_booking_giving_back_a_lapsed_one_at_another_doctor_and_a_batch_go_through(
    centre: Centre,
) -> None:
    """A patient's Mobile JKN booking at one doctor lapsed; Mobile JKN books them again at
    another doctor of the poli (WS RS ambil antrean closes the lapsed one, its place given
    back, and takes its own) while a kiosk's batch registers visits at both doctors: both
    go through, the two doctors' days held in their one order before any place moves."""
    kodes, small, large = mjkn_doctors(centre)
    patient = new_hospital_patient(centre.db)
    code = booked(centre.url, kodes[1], patient.keys())  # at the later doctor
    booked(centre.url, kodes[0])  # the earlier doctor's day made (another patient's place)
    kiosk = hospital_kiosk(centre.url)[0]
    made = [online_registration(centre, kiosk, sid, POLI) for sid in (small, large)]
    again: list[str] = []

    def booking() -> tuple[int, int | None]:
        with centre.db.begin() as conn:  # lapsed only now, just before the request
            lapse(conn, code)
        answer = requests.post(
            f"{centre.url}{BASE}/antrean",
            json=ambil_body(patient.keys(), kodes[0], today(), "00:00-23:59"),
            headers={"x-token": wsrs_token(centre.url), "x-username": USERNAME},
            timeout=WAIT_S,
        )
        if answer.status_code != 200:
            return answer.status_code, None
        if answer.json()["metadata"]["code"] == 200:
            again.append(answer.json()["response"]["kodebooking"])
        return 200, answer.json()["metadata"]["code"]

    answered = one_after_another(
        centre.db,
        the_first_doctors_day(small),
        sending(centre, kiosk, made),
        booking,
    )
    assert answered == [200, (200, 200)]
    with centre.db.read() as conn:
        given_back = conn.execute(
            select(quota_takes.c.released_at).where(quota_takes.c.ticket_id == f"booking:{code}")
        ).scalar_one()
        taken = conn.execute(
            select(quota_takes.c.taken_at).where(quota_takes.c.ticket_id == f"booking:{again[0]}")
        ).scalar_one()
    assert given_back == taken  # closed by the booking, not by a tick of the server's
