"""The counter's calls (call-next, served, no-show), the queue's state, the public ticket page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import requests
from sqlalchemy import func, select, update

from central.access import staff
from central.database import Database
from central.documents.versioned import DocumentCache
from central.office.queue import CatalogFacts, catalog_facts, median_minutes, minutes_per_person
from central.process import RunningCentral
from central.tables import call_events, services, tickets
from testkit.centre_accounts import (
    DEMO_OFFICE,
    bearer,
    enrol,
    new_code,
    new_office,
    new_staff,
    new_staff_account,
    office_of_one_service,
)
from testkit.centre_requests import (
    allocate,
    drain,
    new_id,
    registration,
    results,
    staff_post,
    today,
)
from testkit.office_sessions import logged_in

pytestmark = pytest.mark.timeout(120)
SERVICE = "status-berkas"  # prefix F, counter "Informasi"


def call_next(url: str, token: str, counter: str = "2") -> requests.Response:
    body = {"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": counter}
    return staff_post(url, token, "/api/v1/staff/queue/call-next", body)


def test_call_next_serves_in_number_order_and_refuses_wrong_transitions(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    url = central_server.url
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    drain(url, clerk, SERVICE)
    ids = [new_id() for _ in range(3)]
    numbers = [allocate(url, kiosk_token, SERVICE, i).json()["display"] for i in ids]

    state = requests.get(f"{url}/api/v1/queue", headers=bearer(kiosk_token), timeout=5).json()
    mine = next(s for s in state["services"] if s["service_id"] == SERVICE)
    assert mine["waiting"] == 3 and state["office_id"] == DEMO_OFFICE

    early = staff_post(url, clerk, f"/api/v1/staff/tickets/{ids[0]}/served")
    assert early.status_code == 409 and early.json()["error"] == "invalid_transition"

    called = call_next(url, clerk).json()["ticket"]
    assert (called["ticket_id"], called["status"], called["counter"]) == (ids[0], "called", "2")
    served = staff_post(url, clerk, f"/api/v1/staff/tickets/{ids[0]}/served")
    assert served.status_code == 200 and served.json()["status"] == "served"
    twice = staff_post(url, clerk, f"/api/v1/staff/tickets/{ids[0]}/no-show")
    assert twice.status_code == 409

    assert call_next(url, clerk).json()["ticket"]["ticket_id"] == ids[1]
    gone = staff_post(url, clerk, f"/api/v1/staff/tickets/{ids[1]}/no-show")
    assert gone.json()["status"] == "no_show" and gone.json()["finished_at"] is not None
    assert call_next(url, clerk, counter="3").json()["ticket"]["ticket_id"] == ids[2]

    board = requests.get(
        f"{url}/api/v1/staff/queue", headers=bearer(clerk), timeout=5
    ).json()  # the account's own office
    queue = next(s for s in board["services"] if s["service_id"] == SERVICE)
    assert queue["now_serving"] == numbers[2] and queue["waiting"] == 0
    assert [(t["ticket_id"], t["status"]) for t in queue["tickets"]] == [(ids[2], "called")]
    assert call_next(url, clerk).json() == {"ticket": None}

    unknown = staff_post(url, clerk, f"/api/v1/staff/tickets/{new_id()}/served")
    assert unknown.status_code == 404


#: What a caller may send as a counter that the demo office does not have: beyond its
#: Loket 1 … 8, a counter's label instead of its name, another case, spaces, another
#: office's counter (the hospital's poli), a number written otherwise.
NOT_COUNTERS = ("99", "9", "0", "Loket 2", "informasi", " 2", "2 ", "Poli Anak", "02", "２")


def _ticket_and_events(operator: Database, ticket_id: str) -> tuple[str, str | None, int]:
    with operator.read() as conn:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
        events = conn.execute(
            select(func.count()).where(call_events.c.ticket_id == ticket_id)
        ).scalar_one()
    return row.status, row.counter, int(events)


def _one_waiting(url: str, operator: Database, kiosk_token: str) -> tuple[str, str]:
    """A clerk of the demo office, and the one ticket waiting in its emptied queue."""
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    drain(url, clerk, SERVICE)
    ticket_id = new_id()
    assert allocate(url, kiosk_token, SERVICE, ticket_id).status_code == 201
    return clerk, ticket_id


def test_call_next_to_a_counter_the_office_does_not_have_is_refused_before_anything_is_called(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    url = central_server.url
    clerk, ticket_id = _one_waiting(url, operator, kiosk_token)
    for counter in NOT_COUNTERS:
        refused = call_next(url, clerk, counter=counter)
        assert refused.status_code == 422, (counter, refused.text)
        body = refused.json()
        assert body["error"] == "unknown_counter", counter
        assert body["detail"].startswith("Loket itu tidak ada di kantor ini; pilih salah satu: ")
        assert "1, 2, 3, 4, 5, 6, 7, 8, Informasi" in body["detail"]
        # Nothing called, nothing for the boards to announce.
        assert _ticket_and_events(operator, ticket_id) == ("waiting", None, 0), counter
    # The office's own counters, numbered and named, still call.
    called = call_next(url, clerk, counter="Informasi").json()["ticket"]
    assert (called["ticket_id"], called["counter"]) == (ticket_id, "Informasi")
    assert _ticket_and_events(operator, ticket_id) == ("called", "Informasi", 1)
    served = staff_post(url, clerk, f"/api/v1/staff/tickets/{ticket_id}/served")
    assert served.status_code == 200  # the counter is free for the next citizen


def test_a_counter_the_catalog_writes_in_other_digits_does_not_stop_the_office_calling(
    central_server: RunningCentral, operator: Database
) -> None:
    """A catalog naming a counter "²" (a digit to str.isdigit, not to int): the office's
    counters could not be listed, and every call of the office failed with 500."""
    url = central_server.url
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    other = "pengaduan-layanan"  # the demo catalog's service at Loket 6
    with operator.begin() as conn:  # as a new catalog naming it so publishes it
        conn.execute(update(services).where(services.c.id == other).values(counter="²"))
    try:
        calls = [call_next(url, clerk, counter="1")]
        body = {"office_id": DEMO_OFFICE, "service_id": other, "counter": "²"}
        calls.append(staff_post(url, clerk, "/api/v1/staff/queue/call-next", body))
        refused = call_next(url, clerk, counter="9")
    finally:
        with operator.begin() as conn:
            conn.execute(update(services).where(services.c.id == other).values(counter="6"))
    assert [c.status_code for c in calls] == [200, 200], [c.text for c in calls]
    assert refused.status_code == 422
    assert "pilih salah satu: 1, 2, 3, 4, 5, 6, 7, 8, Informasi, ²." in refused.json()["detail"]


def test_a_ticket_sent_to_a_counter_the_catalog_dropped_stands_in_its_queue_again(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    """A ticket transferred to "Informasi" waits for that counter alone. A new catalog sends
    the service to Loket 4, so the office has no "Informasi": no counter could call the
    ticket any more, and it waited all day for nobody. It is in its queue again: the
    desk at Loket 4 serving that queue lists it and calls it."""
    url = central_server.url
    clerk, ticket_id = _one_waiting(url, operator, kiosk_token)
    assert call_next(url, clerk, counter="7").json()["ticket"]["ticket_id"] == ticket_id
    sent = staff_post(
        url,
        clerk,
        f"/api/v1/staff/tickets/{ticket_id}/transfer",
        {"counter": "7", "to_counter": "Informasi"},
    )
    assert (sent.status_code, sent.json()["counter"]) == (200, "Informasi"), sent.text
    desk_staff = new_staff_account(operator, staff.Role.STAFF, office_id=DEMO_OFFICE)
    with operator.begin() as conn:  # as a new catalog sending the service to Loket 4
        conn.execute(update(services).where(services.c.id == SERVICE).values(counter="4"))
    try:
        http, token = logged_in(url, desk_staff)
        with http:
            desk = {"csrf": token, "counter": "4", "queues": SERVICE}
            sat = http.post(f"{url}/counter/desk", data=desk, headers={"Origin": url}, timeout=10)
            assert sat.status_code == 200, sat.text[:300]
            listed = f'data-ticket="{ticket_id}"' in http.get(f"{url}/counter", timeout=10).text
        called = call_next(url, clerk, counter="4").json()["ticket"]
    finally:
        with operator.begin() as conn:
            conn.execute(
                update(services).where(services.c.id == SERVICE).values(counter="Informasi")
            )
    assert listed  # the desk shows the ticket it calls
    assert called is not None and (called["ticket_id"], called["counter"]) == (ticket_id, "4")
    served = staff_post(url, clerk, f"/api/v1/staff/tickets/{ticket_id}/served")
    assert served.status_code == 200


def test_a_held_ticket_is_not_called_back_to_a_counter_the_office_does_not_have(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    url = central_server.url
    clerk, ticket_id = _one_waiting(url, operator, kiosk_token)
    assert call_next(url, clerk, counter="6").json()["ticket"]["ticket_id"] == ticket_id
    assert staff_post(url, clerk, f"/api/v1/staff/tickets/{ticket_id}/hold").status_code == 200
    for counter in ("99", "Loket 6"):
        path = f"/api/v1/staff/tickets/{ticket_id}/call-back"
        refused = staff_post(url, clerk, path, {"counter": counter})
        assert (refused.status_code, refused.json()["error"]) == (422, "unknown_counter")
    assert _ticket_and_events(operator, ticket_id) == ("held", "6", 2)  # call, hold
    back = staff_post(url, clerk, f"/api/v1/staff/tickets/{ticket_id}/call-back", {"counter": "6"})
    assert back.status_code == 200 and back.json()["status"] == "called"
    served = staff_post(url, clerk, f"/api/v1/staff/tickets/{ticket_id}/served")
    assert served.status_code == 200


def test_a_ticket_called_at_a_counter_the_catalog_dropped_is_not_announced_there_again(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    """A ticket called to "Informasi"; a new catalog sends the service to Loket 4, so the
    office has no "Informasi". "Panggil ulang" announced the ticket again at "Informasi"
    on the boards, a counter nobody sits at. It is refused, announces nothing, and the
    ticket stays called there, to be transferred to a counter the office has."""
    url = central_server.url
    clerk, ticket_id = _one_waiting(url, operator, kiosk_token)
    assert call_next(url, clerk, counter="Informasi").json()["ticket"]["ticket_id"] == ticket_id
    path = f"/api/v1/staff/tickets/{ticket_id}"
    with operator.begin() as conn:  # as a new catalog sending the service to Loket 4
        conn.execute(update(services).where(services.c.id == SERVICE).values(counter="4"))
    try:
        refused = [
            staff_post(url, clerk, f"{path}/recall"),
            staff_post(url, clerk, f"{path}/recall", {"counter": "Informasi"}),
        ]
        after = _ticket_and_events(operator, ticket_id)
        sent = staff_post(
            url, clerk, f"{path}/transfer", {"counter": "Informasi", "to_counter": "4"}
        )
        called = call_next(url, clerk, counter="4").json()["ticket"]
        recalled = staff_post(url, clerk, f"{path}/recall", {"counter": "4"})
    finally:
        with operator.begin() as conn:
            conn.execute(
                update(services).where(services.c.id == SERVICE).values(counter="Informasi")
            )
    for answer in refused:
        assert (answer.status_code, answer.json().get("error")) == (422, "unknown_counter")
        assert answer.json()["detail"].startswith("Loket itu tidak ada di kantor ini")
    assert after == ("called", "Informasi", 1)  # nothing announced; still called there
    assert (sent.status_code, sent.json()["counter"]) == (200, "4"), sent.text
    assert called is not None and (called["ticket_id"], called["counter"]) == (ticket_id, "4")
    assert (recalled.status_code, recalled.json()["counter"]) == (200, "4")
    with operator.read() as conn:
        kinds = conn.execute(
            select(call_events.c.kind, call_events.c.counter)
            .where(call_events.c.ticket_id == ticket_id)
            .order_by(call_events.c.id)
        ).all()
    assert [tuple(k) for k in kinds] == [
        ("call", "Informasi"),
        ("transfer", "4"),
        ("call", "4"),
        ("recall", "4"),
    ]
    assert staff_post(url, clerk, f"{path}/served").status_code == 200


def test_staff_work_only_for_their_office(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    url = central_server.url
    elsewhere = new_staff(operator, url, staff.Role.STAFF, office_id=new_office(operator))
    everywhere = new_staff(operator, url, staff.Role.STAFF)
    ticket_id = new_id()
    allocate(url, kiosk_token, SERVICE, ticket_id)

    seen = requests.get(
        f"{url}/api/v1/staff/queue",
        params={"office_id": DEMO_OFFICE},
        headers=bearer(elsewhere),
        timeout=5,
    )
    assert seen.status_code == 403
    assert call_next(url, elsewhere).status_code == 403
    drain(url, everywhere, SERVICE)  # calls and serves it, as every office's staff may
    closing = staff_post(url, elsewhere, f"/api/v1/staff/tickets/{ticket_id}/no-show")
    # Another office's ticket: the same 404 as an unknown one (no 403 telling it exists).
    assert (closing.status_code, closing.json()["error"]) == (404, "unknown_ticket")
    unnamed = requests.get(f"{url}/api/v1/staff/queue", headers=bearer(everywhere), timeout=5)
    assert unnamed.status_code == 400 and unnamed.json()["error"] == "office_required"


def test_the_estimate_uses_todays_median_then_the_catalog_then_five_minutes(
    operator: Database,
) -> None:
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    spans = [(start, start + dt.timedelta(minutes=m)) for m in (2, 10, 4)]
    assert median_minutes(spans) == 4
    assert median_minutes([(start, None)]) is None
    long_ago = dt.date(2001, 1, 1)  # no served ticket that day
    with operator.read() as conn:
        facts = CatalogFacts(minutes_per_person={"ktp-cetak-ulang": 12.0})
        found = minutes_per_person(conn, ["ktp-cetak-ulang", SERVICE], long_ago, facts)
        assert found == {"ktp-cetak-ulang": 12.0, SERVICE: 5.0}
        demo = catalog_facts(conn, DocumentCache())
    assert demo.service_names[SERVICE]["en"] and demo.office_names[DEMO_OFFICE]


def test_public_status_shows_the_queue_and_nothing_personal(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosk = enrol(url, new_code(operator)).json()
    ticket_id = new_id()
    number = allocate(url, kiosk["token"], SERVICE, ticket_id).json()["display"]
    personal = {
        "full_name": "Sitti Nurbaya Rahmawati",
        "nik": "1471055506900003",
        "phone": "081266667777",
        "complaint": "sakit kepala berdenyut",
    }
    item = registration(ticket_id, SERVICE, number, "online", values=personal)
    item["body"]["card_number"] = "PKU-990011"
    assert results(url, kiosk["token"], [item])[0]["status"] == "accepted"

    answer = requests.get(f"{url}/api/v1/public/tickets/{ticket_id}", timeout=5)  # no token
    assert answer.status_code == 200
    status = answer.json()
    assert status["number"] == number and status["status"] == "waiting"
    assert status["service_id"] == SERVICE and status["counter"] == "Informasi"
    assert set(status["service_name"]) == {"id", "en"}
    assert status["office_name"] == "Mal Pelayanan Publik Kota Pekanbaru"
    assert status["people_ahead"] >= 0 and status["called_at"] is None

    page = requests.get(f"{url}/t/{ticket_id}", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert number in html and '<meta name="refresh-seconds" content="30">' in html
    assert html.index("Menunggu giliran") < html.index("Waiting for your turn")
    assert html.index(status["service_name"]["id"]) < html.index(status["service_name"]["en"])
    for value in [*personal.values(), "PKU-990011", "Sitti", "Budi"]:
        assert value not in html and value not in answer.text

    missing = new_id()
    assert requests.get(f"{url}/api/v1/public/tickets/{missing}", timeout=5).status_code == 404
    not_yet = requests.get(f"{url}/t/{missing}", timeout=5)
    assert not_yet.status_code == 404 and "belum tercatat" in not_yet.text
    assert "not recorded yet" in not_yet.text


def _service_active(operator: Database, service: str, active: bool) -> None:
    """As a new catalog drops ``service`` (and with it its counter), or brings it back."""
    with operator.begin() as conn:
        conn.execute(update(services).where(services.c.id == service).values(active=active))


def test_a_ticket_closed_straight_from_held_has_no_service_time(
    central_server: RunningCentral, operator: Database
) -> None:
    """A ticket held at "Meja", which a new catalog then dropped with the office's one
    service, closed as served from held: it kept the time of its last call, so the
    dashboard's "Lama layanan" (and the wait the kiosks estimate from it) counted the time
    it sat held as service. It was not being served when it was closed: it has no service
    time. A ticket held and called back is served from its call back (the call back is its
    call). The spans are set in the database after the steps (45 minutes held, 5 minutes of
    service), so the figures are known without waiting."""
    url = central_server.url
    office, service, kiosk, clerk = office_of_one_service(url, operator, "Meja")
    called_back, closed_held, waiting = new_id(), new_id(), new_id()
    for ticket in (called_back, closed_held):
        taken = allocate(url, kiosk, service, ticket)
        assert taken.status_code == 201, taken.text
    at_meja = {"office_id": office, "service_id": service, "counter": "Meja"}
    tickets_path = "/api/v1/staff/tickets"
    for ticket in (called_back, closed_held):
        called = staff_post(url, clerk, "/api/v1/staff/queue/call-next", at_meja)
        assert called.json()["ticket"]["ticket_id"] == ticket, called.text
        assert staff_post(url, clerk, f"{tickets_path}/{ticket}/hold").status_code == 200
        if ticket == called_back:
            back = staff_post(url, clerk, f"{tickets_path}/{ticket}/call-back", {"counter": "Meja"})
            assert back.status_code == 200, back.text
            served = staff_post(url, clerk, f"{tickets_path}/{ticket}/served")
            assert served.status_code == 200, served.text
    _service_active(operator, service, False)  # no "Meja", no service to take it back
    closed = staff_post(url, clerk, f"{tickets_path}/{closed_held}/served")
    assert closed.status_code == 200, closed.text
    _service_active(operator, service, True)
    with operator.begin() as conn:
        call_back_at = conn.execute(
            select(func.max(call_events.c.at)).where(
                call_events.c.ticket_id == called_back, call_events.c.kind == "call"
            )
        ).scalar_one()
        row = conn.execute(select(tickets).where(tickets.c.id == called_back)).one()
        assert row.called_at == call_back_at  # the call back restarts the service
        for ticket, minutes in ((called_back, 5), (closed_held, 45)):
            finished = conn.execute(
                select(tickets.c.finished_at).where(tickets.c.id == ticket)
            ).scalar_one()
            conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket)
                .values(called_at=finished - dt.timedelta(minutes=minutes))
            )
    assert allocate(url, kiosk, service, waiting).status_code == 201

    reader, _ = logged_in(url, new_staff_account(operator, staff.Role.STAFF, office_id=office))
    with reader:
        answer = reader.get(f"{url}/dashboard/export.csv?day={today()}", timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    [figures] = [r for r in csv.DictReader(io.StringIO(answer.text)) if r["service_id"] == service]
    assert (figures["served"], figures["waiting"]) == ("2", "1")
    assert (figures["service_median_min"], figures["service_p90_min"]) == ("5.0", "5.0")
    state = requests.get(f"{url}/api/v1/queue", headers=bearer(kiosk), timeout=5).json()
    [mine] = [s for s in state["services"] if s["service_id"] == service]
    assert (mine["waiting"], mine["estimated_wait_minutes"]) == (1, 5)
