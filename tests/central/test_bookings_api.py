"""Appointments over HTTP: staff settings, the kiosk's routes, check-in on registration.

A real centre process on 127.0.0.1 (SQLite and PostgreSQL, the demo seeded),
real requests; bookings at a chosen time are put in its database
(:mod:`testkit.centre_bookings`).
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import select

from cardio.emulators.demo_cards import BUDI, SITI
from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import audit_log, bookings, citizens, message_consents, tickets
from contract.bookings import BookingState, damm_digit
from contract.nik import parse_nik
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_office, new_staff
from testkit.centre_bookings import ZONE, add_booking, new_citizen
from testkit.centre_requests import allocate, new_id, registration, results

pytestmark = pytest.mark.timeout(180)
SERVICE = "ktp-cetak-ulang"


def _get(url: str, path: str, token: str) -> requests.Response:
    return requests.get(url + path, headers=bearer(token), timeout=10)


def _put(url: str, path: str, token: str, body: Any) -> requests.Response:
    return requests.put(url + path, json=body, headers=bearer(token), timeout=10)


def _writable(settings: dict[str, Any]) -> dict[str, Any]:
    """The fields of a settings answer that a ``PUT`` takes."""
    fields = ("capacity", "slot_minutes", "walk_in_percent", "policy", "grace_minutes", "enabled")
    return {name: settings[name] for name in fields}


def _wrong_code(code: str) -> str:
    """Another valid code than ``code`` (its check digit right)."""
    body = f"{(int(code[:8]) + 1) % 10**8:08d}"
    return body + str(damm_digit(body))


def test_staff_set_capacity_hours_and_holidays(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    admin = new_staff(operator, url, staff.Role.ADMIN)
    path = f"/api/v1/staff/offices/{DEMO_OFFICE}/services/puskesmas-umum/booking-settings"
    set_ = _put(url, path, admin, {"capacity": 6, "walk_in_percent": 50, "policy": "walk_in"})
    assert set_.status_code == 200, set_.text
    assert set_.json()["bookable_per_slot"] == 3
    got = _get(url, path, admin).json()
    assert (got["capacity"], got["policy"], got["slot_minutes"]) == (6, "walk_in", 30)
    assert _put(url, path, admin, {"slot_minutes": 30}).status_code == 422  # capacity required
    # Strict JSON numbers and booleans: nothing a lax parser would turn into one.
    for loose in ({"capacity": True}, {"capacity": "4"}, {"capacity": 4.0},
                  {"capacity": 4, "slot_minutes": "30"}, {"capacity": 4, "enabled": "yes"},
                  {"capacity": 4, "enabled": 1}):  # fmt: skip
        answer = _put(url, path, admin, loose)
        assert answer.status_code == 422, (loose, answer.text)
    assert _get(url, path, admin).json() == got
    # The demo booked Siti today: the slot length of her service stays while she is to come.
    ktp = f"/api/v1/staff/offices/{DEMO_OFFICE}/services/{SERVICE}/booking-settings"
    demo = _get(url, ktp, admin).json()
    longer = _put(url, ktp, admin, {**_writable(demo), "slot_minutes": 60})
    assert longer.status_code == 409, longer.text
    assert longer.json()["error"] == "conflict"
    assert "Lama slot tidak dapat diubah" in longer.json()["detail"]
    assert "The slot length cannot change" in longer.json()["detail"]
    assert _get(url, ktp, admin).json() == demo
    same = _put(url, ktp, admin, _writable(demo))  # the same length: saved as before
    assert same.status_code == 200, same.text
    # A holiday on a day with bookings: staff are told how many still stand.
    today = dt.datetime.now(ZONE).date().isoformat()
    on_today = f"/api/v1/staff/offices/{DEMO_OFFICE}/holidays/{today}"
    closed = _put(url, on_today, admin, {"name": "Libur mendadak"})
    try:
        assert closed.status_code == 200, closed.text
        assert closed.json()["bookings"] >= 1  # the demo's Siti and Budi
    finally:
        requests.delete(url + on_today, headers=bearer(admin), timeout=10)
    unknown = f"/api/v1/staff/offices/{DEMO_OFFICE}/services/no-such/booking-settings"
    assert _put(url, unknown, admin, {"capacity": 1}).json()["error"] == "unknown_service"

    office = new_office(operator)
    hours = f"/api/v1/staff/offices/{office}/opening-hours"
    week = [{"weekday": 0, "opens_at": "08:00", "closes_at": "12:00"}]
    assert _put(url, hours, admin, {"hours": week}).status_code == 200
    assert _get(url, hours, admin).json()["hours"] == week
    backwards = [{"weekday": 1, "opens_at": "12:00", "closes_at": "08:00"}]
    refused = _put(url, hours, admin, {"hours": backwards})
    assert refused.status_code == 422 and "opens" in refused.text
    twice = _put(url, hours, admin, {"hours": week + week})
    assert twice.status_code == 422

    holiday = f"/api/v1/staff/offices/{office}/holidays/2026-12-25"
    for hidden in ("Natal\u202egnirips", "Na\u200btal", "Natal\u2066"):  # bidi, zero-width
        refused = _put(url, holiday, admin, {"name": hidden})
        assert refused.status_code == 422, (hidden, refused.text)
    assert _put(url, holiday, admin, {"name": "Natal"}).status_code == 200
    listed = _get(url, f"/api/v1/staff/offices/{office}/holidays", admin).json()
    assert listed["holidays"] == [{"day": "2026-12-25", "name": "Natal", "bookings": 0}]
    assert requests.delete(url + holiday, headers=bearer(admin), timeout=10).status_code == 204
    assert requests.delete(url + holiday, headers=bearer(admin), timeout=10).status_code == 404

    # Staff of another office may not touch the demo office's settings.
    other = new_staff(operator, url, staff.Role.ADMIN, office_id=office)
    assert _put(url, path, other, {"capacity": 1}).status_code == 403
    with operator.read() as conn:
        actions = set(conn.execute(select(audit_log.c.action)).scalars())
    assert {"booking_settings_set", "opening_hours_set", "holiday_set"} <= actions


def test_kiosk_reads_today_and_one_booking_by_code(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosk_id, token = new_kiosk(operator, url)
    nik, card = new_citizen(operator, "Ani Rahayu")
    code = add_booking(operator, nik, SERVICE, dt.datetime.now(dt.UTC))
    answer = _get(url, "/api/v1/bookings/today", token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["office_id"] == DEMO_OFFICE
    mine = [b for b in body["bookings"] if b["code"] == code]
    assert len(mine) == 1
    assert mine[0]["nik"] == nik and mine[0]["card_number"] == card
    assert mine[0]["first_name"] == "Ani" and mine[0]["state"] == "booked"
    assert set(mine[0]) == {
        "code", "office_id", "service_id", "day", "starts_at", "ends_at", "state",
        "nik", "card_number", "first_name", "doctor", "hours",
    }  # fmt: skip
    # A booking of the booking page has no doctor (a Mobile JKN booking's has).
    assert (mine[0]["doctor"], mine[0]["hours"]) == ("", "")
    with operator.read() as conn:
        audited = (
            conn.execute(
                select(audit_log.c.detail).where(
                    audit_log.c.action == "bookings_today_fetched",
                    audit_log.c.actor == f"kiosk:{kiosk_id}",
                )
            )
            .scalars()
            .all()
        )
    assert audited == [f"{body['day']}: {len(body['bookings'])} bookings"]
    assert nik not in audited[0] and "Ani" not in audited[0]

    one = _get(url, f"/api/v1/bookings/{code}", token)
    assert one.status_code == 200, one.text
    assert set(one.json()) == {
        "code", "office_id", "service_id", "day", "starts_at", "ends_at", "state",
    }  # fmt: skip
    assert nik not in one.text and "Ani" not in one.text
    missing = _get(url, f"/api/v1/bookings/{_wrong_code(code)}", token)
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_booking"
    assert _get(url, "/api/v1/bookings/12345", token).status_code == 422
    # Staff credentials do not reach the kiosk's routes.
    admin = new_staff(operator, url, staff.Role.ADMIN)
    assert _get(url, "/api/v1/bookings/today", admin).status_code == 403


def _online_ticket(url: str, token: str) -> tuple[str, str]:
    ticket_id = new_id()
    made = allocate(url, token, SERVICE, ticket_id)
    assert made.status_code == 201, made.text
    return ticket_id, made.json()["display"]


def _check_in(url: str, token: str, code: object) -> tuple[dict[str, Any], str]:
    got, item = _send_check_in(url, token, code)
    return got, item["key"]


def _send_check_in(url: str, token: str, code: object) -> tuple[dict[str, Any], dict[str, Any]]:
    ticket_id, number = _online_ticket(url, token)
    item = registration(ticket_id, SERVICE, number, "online")
    item["body"]["booking_code"] = code
    (got,) = results(url, token, [item])
    assert got["status"] == "accepted", got
    return got, item


def _this_morning(ago: dt.timedelta) -> dt.datetime:
    """``ago`` before now, but not before today's local midnight (a slot of today)."""
    now = dt.datetime.now(ZONE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight, now - ago)


def _ticket(db: Database, ticket_id: str) -> Any:
    with db.read() as conn:
        return conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()


def _booking(db: Database, code: str) -> Any:
    with db.read() as conn:
        return conn.execute(select(bookings).where(bookings.c.code == code)).one()


def test_a_registration_with_a_booking_code_checks_in_once(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, token = new_kiosk(operator, url)
    nik, _ = new_citizen(operator)
    code = add_booking(operator, nik, SERVICE, _this_morning(dt.timedelta(minutes=5)))
    first, item = _send_check_in(url, token, code)
    ticket_id = item["key"]
    assert first["result"]["booking"] == "checked_in"
    ticket = _ticket(operator, ticket_id)
    assert ticket.priority == 1 and ticket.status == "waiting"
    booking = _booking(operator, code)
    assert (booking.state, booking.ticket_id) == ("checked_in", ticket_id)

    # The outbox sends the same item again: the stored answer, nothing checked in twice.
    (again,) = results(url, token, [item])
    assert again["status"] == "replayed" and again["result"] == first["result"]

    # Another ticket with the same code: recorded all the same, as a walk-in.
    second, other = _check_in(url, token, code)
    assert second["result"]["booking"] == "already_used"
    assert _ticket(operator, other).priority == 0
    assert _booking(operator, code).ticket_id == ticket_id


def test_a_checked_in_booking_with_a_phone_tells_its_ticket_there(
    central_server: RunningCentral, operator: Database
) -> None:
    # The number left on the booking page is the citizen's yes to messages:
    # the ticket that checks the booking in is told "N ahead" and "called" there.
    url = central_server.url
    _, token = new_kiosk(operator, url)
    nik, _ = new_citizen(operator)
    other_nik, _ = new_citizen(operator)  # one live booking of a service a day per citizen
    soon = _this_morning(dt.timedelta(minutes=5))
    with_phone = add_booking(operator, nik, SERVICE, soon, phone="081234567890", language="en")
    without = add_booking(operator, other_nik, SERVICE, soon)
    told, _ = _check_in(url, token, with_phone)
    assert told["result"]["booking"] == "checked_in"
    silent, _ = _check_in(url, token, without)
    assert silent["result"]["booking"] == "checked_in"
    with operator.begin() as conn:
        consents = {
            row.subject: (row.phone, row.language) for row in conn.execute(select(message_consents))
        }
    told_id = _booking(operator, with_phone).ticket_id
    silent_id = _booking(operator, without).ticket_id
    assert consents.get(f"ticket:{told_id}") == ("6281234567890", "en")
    assert f"ticket:{silent_id}" not in consents


def test_check_ins_the_centre_cannot_honour_leave_walk_ins(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, token = new_kiosk(operator, url)
    nik, _ = new_citizen(operator)
    now = dt.datetime.now(dt.UTC)
    cancelled = add_booking(operator, nik, SERVICE, now, state=BookingState.CANCELLED)
    late = add_booking(
        operator, nik, SERVICE, _this_morning(dt.timedelta(hours=2)), minutes=1, grace_minutes=240
    )
    tomorrow = add_booking(operator, nik, SERVICE, now + dt.timedelta(days=1))
    other_service = add_booking(operator, nik, "kk-perubahan", now)
    cases = {
        cancelled: "cancelled",
        late: "checked_in",  # checked in, but queued as a walk-in
        tomorrow: "other_day",
        other_service: "other_service",
        _wrong_code(cancelled): "unknown_booking",
        "12345": "invalid_code",
        12: "invalid_code",
    }
    for code, outcome in cases.items():
        got, ticket_id = _check_in(url, token, code)
        assert got["result"]["booking"] == outcome, code
        ticket = _ticket(operator, ticket_id)
        assert (ticket.status, ticket.priority) == ("waiting", 0), code
    assert _booking(operator, late).state == "checked_in"
    plain, _ = _check_in(url, token, None)  # null: no booking named, a plain registration
    assert "booking" not in plain["result"]
    assert _booking(operator, cancelled).state == "cancelled"


def test_the_demo_citizens_were_born_when_their_cards_say_and_are_booked_today(
    central_server: RunningCentral, operator: Database
) -> None:
    cards = {
        str(card["nik"]): dt.date.fromisoformat(str(card["date_of_birth"])) for card in (SITI, BUDI)
    }
    assert cards[str(SITI["nik"])] == dt.date(1985, 3, 12)
    assert cards[str(BUDI["nik"])] == dt.date(1979, 8, 17)
    with operator.read() as conn:
        records = {r.nik: r for r in conn.execute(select(citizens))}
    for nik, born in cards.items():
        parsed = parse_nik(records[nik].nik)
        assert parsed.matches(born, parsed.sex), records[nik].full_name
    _, token = new_kiosk(operator, central_server.url)
    today = _get(central_server.url, "/api/v1/bookings/today", token).json()["bookings"]
    demo = {(b["nik"], b["first_name"]) for b in today if b["state"] == "booked"}
    assert {(SITI["nik"], "Siti"), (BUDI["nik"], "Budi")} <= demo


def test_no_shows_are_marked_whichever_process_looks(
    two_servers: tuple[RunningCentral, RunningCentral],
) -> None:
    first, second = two_servers
    db = Database(first.db_url)
    try:
        _, token = new_kiosk(db, first.url)
        now = dt.datetime.now(dt.UTC)
        gone = [  # one live booking of a service a day per citizen: ten citizens
            add_booking(
                db, new_citizen(db)[0], SERVICE, now - dt.timedelta(hours=2), grace_minutes=15
            )
            for _ in range(10)
        ]
        waiting = add_booking(
            db, new_citizen(db)[0], SERVICE, now - dt.timedelta(hours=2), grace_minutes=240
        )

        def state(i: int) -> str:
            server = (first, second)[i % 2]
            code = gone[i % len(gone)]
            answer = _get(server.url, f"/api/v1/bookings/{code}", token)
            assert answer.status_code == 200, answer.text
            return str(answer.json()["state"])

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(state, range(16))) == {"no_show"}
        late = _get(second.url, f"/api/v1/bookings/{waiting}", token).json()
        assert late["state"] == "booked"
        with db.read() as conn:
            marked = conn.execute(
                select(bookings.c.changed_by).where(bookings.c.code.in_(gone))
            ).scalars()
            assert set(marked) == {"centre"}
    finally:
        db.dispose()


def test_kiosks_checking_one_booking_in_at_once_one_wins_and_no_ticket_is_lost(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosks = [new_kiosk(operator, url)[1] for _ in range(8)]
    nik, _ = new_citizen(operator)
    code = add_booking(operator, nik, SERVICE, _this_morning(dt.timedelta(minutes=5)))
    items = []
    for token in kiosks:
        ticket_id, number = _online_ticket(url, token)
        item = registration(ticket_id, SERVICE, number, "online")
        item["body"]["booking_code"] = code
        items.append((token, item))
    barrier = threading.Barrier(len(items), timeout=60)

    def send(pair: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        barrier.wait()
        (got,) = results(url, pair[0], [pair[1]])
        return got

    with ThreadPoolExecutor(len(items)) as pool:
        answers = list(pool.map(send, items))
    assert {a["status"] for a in answers} == {"accepted"}
    outcomes = sorted(a["result"]["booking"] for a in answers)
    assert outcomes == ["already_used"] * (len(items) - 1) + ["checked_in"]
    winner = next(a["key"] for a in answers if a["result"]["booking"] == "checked_in")
    assert _booking(operator, code).ticket_id == winner
    for _, item in items:
        assert _ticket(operator, item["key"]).status == "waiting"
