"""A staff or admin account limited to one office never reads or acts on another's data.

Every route that needs a staff or admin token is found by walking
``central.api.ROUTERS`` (which ``test_routes_and_limits`` proves is the whole
app), and each must have a probe here: a request aimed at office B's data.
An account limited to office A must get 403 (or, for a listing, nothing of
office B; or, for a resource found by its id, the very 404 an unknown id
gets, so it learns nothing of which ids office B has), and the same request
from an account for every office must succeed, so each probe is a request
that would work if it were not scoped.
A route added later without a probe fails
:func:`test_every_staff_route_is_probed_across_offices`; one added without
scoping fails its probe.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from fastapi.routing import APIRoute
from sqlalchemy import insert, select

from central.access import staff
from central.api import ROUTERS
from central.api.deps import require_admin, require_staff
from central.database import Database
from central.process import RunningCentral
from central.tables import services
from testkit.centre_accounts import bearer, enrol, new_code, new_office, new_staff
from testkit.centre_requests import allocate, free_counter

pytestmark = pytest.mark.timeout(120)

BUDI_NIK = "1471011708790002"  # a demo citizen
UNKNOWN_ID = "00000000-0000-4000-8000-ffffffffffff"


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def staff_routes() -> dict[tuple[str, str], str]:
    """(method, path) -> ``admin`` or ``staff``, for every route that needs a staff token."""
    found = {}
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            calls = set(_calls(route.dependant))
            kind = "admin" if require_admin in calls else "staff" if require_staff in calls else ""
            if kind:
                found.update({(method, route.path): kind for method in route.methods or ()})
    return found


_serial = itertools.count()


@dataclass
class World:
    """Two offices on the test server: staff limited to A probe B's data."""

    url: str
    db: Database
    a: str
    b: str
    b_service: str
    b_kiosk_token: str
    #: Accounts limited to office A, by role.
    scoped: dict[str, str]
    #: An admin for every office.
    root: str

    def call(self, token: str, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method, self.url + path, json=body, headers=bearer(token), timeout=10
        )

    def new_b_kiosk(self) -> str:
        response = enrol(self.url, new_code(self.db, self.b))
        assert response.status_code == 201, response.text
        kiosk_id: str = response.json()["kiosk_id"]
        return kiosk_id

    def new_b_ticket(self) -> str:
        ticket_id = f"00000000-0000-4000-8000-{next(_serial):012d}"
        response = allocate(self.url, self.b_kiosk_token, self.b_service, ticket_id)
        assert response.status_code in (200, 201), response.text
        return ticket_id

    def called_b_ticket(self) -> str:
        """A ticket of office B that a counter has called (the root admin calls it)."""
        ticket_id = self.new_b_ticket()
        body = {"office_id": self.b, "service_id": self.b_service, "counter": "1"}
        for _ in range(100):
            free_counter(self.url, self.root, "1", self.b)  # it calls only when it has none
            called = self.call(self.root, "POST", "/api/v1/staff/queue/call-next", body)
            assert called.status_code == 200, called.text
            ticket = called.json()["ticket"]
            assert ticket is not None, "the new ticket was never called"
            if ticket["ticket_id"] == ticket_id:
                return ticket_id
        raise AssertionError("office B's queue did not reach the new ticket")

    def held_b_ticket(self) -> str:
        """A ticket of office B that its counter called and set aside (tunda)."""
        ticket_id = self.called_b_ticket()
        held = self.call(self.root, "POST", f"/api/v1/staff/tickets/{ticket_id}/hold")
        assert held.status_code == 200, held.text
        # Counter 1 takes a held ticket back only when it has none called: close the rest.
        free_counter(self.url, self.root, "1", self.b)
        return ticket_id

    def new_b_ward(self) -> str:
        ward = f"ward-{next(_serial)}"
        body = {"name": "Ruang Melati", "beds_total": 4, "beds_free": 1}
        made = self.call(self.root, "PUT", f"/api/v1/staff/offices/{self.b}/wards/{ward}", body)
        assert made.status_code == 200, made.text
        return ward

    def b_booking_settings(self) -> str:
        """The path of office B's service's booking settings, set (so reading them works)."""
        path = f"/api/v1/staff/offices/{self.b}/services/{self.b_service}/booking-settings"
        made = self.call(self.root, "PUT", path, {"capacity": 2})
        assert made.status_code == 200, made.text
        return path

    def b_holiday(self) -> str:
        """The path of a holiday of office B, there to be removed."""
        path = f"/api/v1/staff/offices/{self.b}/holidays/2030-01-{1 + next(_serial) % 28:02d}"
        made = self.call(self.root, "PUT", path, {"name": "Tahun Baru"})
        assert made.status_code == 200, made.text
        return path

    def b_schedule_body(self) -> dict[str, Any]:
        """A doctor's schedule at office B's poli (made a poli here: the catalog has none)."""
        poli = f"poli-{self.b}"
        with self.db.begin() as conn:
            if conn.execute(select(services.c.id).where(services.c.id == poli)).first() is None:
                conn.execute(
                    insert(services).values(
                        id=poli,
                        office_id=self.b,
                        category="kesehatan",
                        name="Poli B",
                        ticket_prefix="P",
                        counter="1",
                        active=True,
                        kodepoli="INT",
                    )
                )
        return {
            "service_id": poli,
            "kodedokter": "1",
            "doctor_name": "dr. B",
            "weekday": 1,
            "starts": "08:00",
            "ends": "12:00",
            "quota_jkn": 1,
            "quota_non_jkn": 1,
            "minutes_per_patient": 10,
        }

    def b_schedule(self) -> str:
        """The path of a doctor's schedule of office B, there to be removed."""
        path = f"/api/v1/staff/hospital/{self.b}/schedules/s-{next(_serial)}"
        made = self.call(self.root, "PUT", path, self.b_schedule_body())
        assert made.status_code == 201, made.text
        return path

    def new_b_application(self) -> str:
        body = {"nik": BUDI_NIK, "service_id": self.b_service}
        made = self.call(self.root, "POST", "/api/v1/staff/applications", body)
        assert made.status_code == 201, made.text
        reference: str = made.json()["reference"]
        return reference


@dataclass(frozen=True)
class Probe:
    """A request aimed at office B's data."""

    method: str
    path: str
    body: Any = None
    #: A listing: a scoped caller gets 200 with nothing of office B in it.
    lists: bool = False
    #: A resource found by its id: the same request for an id that does not
    #: exist; a scoped caller must get the same answer for both.
    unknown: str | None = None


ProbeMaker = Callable[[World], Probe]

#: The staff routes that touch no office's data.
NOT_OFFICE_BOUND = frozenset({("POST", "/api/v1/staff/logout"), ("GET", "/api/v1/staff/me")})

#: For every other staff or admin route, the requests that aim at office B.
PROBES: dict[tuple[str, str], list[ProbeMaker]] = {
    ("GET", "/api/v1/staff/hospital/{office_id}/schedules"): [
        lambda w: Probe("GET", f"/api/v1/staff/hospital/{w.b}/schedules"),
    ],
    ("PUT", "/api/v1/staff/hospital/{office_id}/schedules/{schedule_id}"): [
        lambda w: Probe(
            "PUT",
            f"/api/v1/staff/hospital/{w.b}/schedules/s-{next(_serial)}",
            w.b_schedule_body(),
        ),
    ],
    ("DELETE", "/api/v1/staff/hospital/{office_id}/schedules/{schedule_id}"): [
        lambda w: Probe("DELETE", w.b_schedule()),
    ],
    ("POST", "/api/v1/staff/enrolment-codes"): [
        lambda w: Probe("POST", "/api/v1/staff/enrolment-codes", {"office_id": w.b}),
    ],
    ("GET", "/api/v1/staff/kiosks"): [
        lambda w: Probe("GET", "/api/v1/staff/kiosks", lists=True),
        lambda w: Probe("GET", f"/api/v1/staff/kiosks?office_id={w.b}"),
    ],
    ("POST", "/api/v1/staff/kiosks/{kiosk_id}/revoke"): [
        lambda w: Probe(
            "POST",
            f"/api/v1/staff/kiosks/{w.new_b_kiosk()}/revoke",
            unknown=f"/api/v1/staff/kiosks/{UNKNOWN_ID}/revoke",
        ),
    ],
    ("GET", "/api/v1/staff/queue"): [
        lambda w: Probe("GET", f"/api/v1/staff/queue?office_id={w.b}"),
    ],
    ("POST", "/api/v1/staff/queue/call-next"): [
        lambda w: Probe(
            "POST",
            "/api/v1/staff/queue/call-next",
            {"office_id": w.b, "service_id": w.b_service, "counter": "1"},
        ),
    ],
    ("POST", "/api/v1/staff/tickets/{ticket_id}/served"): [
        lambda w: Probe(
            "POST",
            f"/api/v1/staff/tickets/{w.called_b_ticket()}/served",
            unknown=f"/api/v1/staff/tickets/{UNKNOWN_ID}/served",
        ),
    ],
    ("POST", "/api/v1/staff/tickets/{ticket_id}/no-show"): [
        lambda w: Probe(
            "POST",
            f"/api/v1/staff/tickets/{w.called_b_ticket()}/no-show",
            unknown=f"/api/v1/staff/tickets/{UNKNOWN_ID}/no-show",
        ),
    ],
    **{
        ("POST", f"/api/v1/staff/tickets/{{ticket_id}}/{step}"): [
            lambda w, step=step, body=body: Probe(  # type: ignore[misc]
                "POST",
                f"/api/v1/staff/tickets/{w.called_b_ticket()}/{step}",
                body,
                unknown=f"/api/v1/staff/tickets/{UNKNOWN_ID}/{step}",
            ),
        ]
        for step, body in (
            ("recall", None),
            ("hold", None),
            ("transfer", {"to_counter": "2"}),
        )
    },
    ("POST", "/api/v1/staff/tickets/{ticket_id}/call-back"): [
        lambda w: Probe(
            "POST",
            f"/api/v1/staff/tickets/{w.held_b_ticket()}/call-back",
            {"counter": "1"},
            unknown=f"/api/v1/staff/tickets/{UNKNOWN_ID}/call-back",
        ),
    ],
    ("GET", "/api/v1/staff/fleet"): [
        lambda w: Probe("GET", "/api/v1/staff/fleet", lists=True),
        lambda w: Probe("GET", f"/api/v1/staff/fleet?office_id={w.b}"),
    ],
    ("GET", "/api/v1/staff/offices/{office_id}/health-info"): [
        lambda w: Probe("GET", f"/api/v1/staff/offices/{w.b}/health-info"),
    ],
    ("PUT", "/api/v1/staff/offices/{office_id}/wards/{ward_id}"): [
        lambda w: Probe(
            "PUT",
            f"/api/v1/staff/offices/{w.b}/wards/ward-{next(_serial)}",
            {"name": "Ruang Mawar", "beds_total": 2, "beds_free": 2},
        ),
    ],
    ("DELETE", "/api/v1/staff/offices/{office_id}/wards/{ward_id}"): [
        lambda w: Probe("DELETE", f"/api/v1/staff/offices/{w.b}/wards/{w.new_b_ward()}"),
    ],
    ("GET", "/api/v1/staff/offices/{office_id}/services/{service_id}/booking-settings"): [
        lambda w: Probe("GET", w.b_booking_settings()),
    ],
    ("PUT", "/api/v1/staff/offices/{office_id}/services/{service_id}/booking-settings"): [
        lambda w: Probe(
            "PUT",
            f"/api/v1/staff/offices/{w.b}/services/{w.b_service}/booking-settings",
            {"capacity": 3},
        ),
    ],
    ("GET", "/api/v1/staff/offices/{office_id}/opening-hours"): [
        lambda w: Probe("GET", f"/api/v1/staff/offices/{w.b}/opening-hours"),
    ],
    ("PUT", "/api/v1/staff/offices/{office_id}/opening-hours"): [
        lambda w: Probe(
            "PUT",
            f"/api/v1/staff/offices/{w.b}/opening-hours",
            {"hours": [{"weekday": 0, "opens_at": "08:00", "closes_at": "12:00"}]},
        ),
    ],
    ("GET", "/api/v1/staff/offices/{office_id}/holidays"): [
        lambda w: Probe("GET", f"/api/v1/staff/offices/{w.b}/holidays"),
    ],
    ("PUT", "/api/v1/staff/offices/{office_id}/holidays/{day}"): [
        lambda w: Probe(
            "PUT", f"/api/v1/staff/offices/{w.b}/holidays/2030-02-01", {"name": "Libur"}
        ),
    ],
    ("DELETE", "/api/v1/staff/offices/{office_id}/holidays/{day}"): [
        lambda w: Probe("DELETE", w.b_holiday()),
    ],
    ("GET", "/api/v1/staff/offices/{office_id}/bookings"): [
        lambda w: Probe("GET", f"/api/v1/staff/offices/{w.b}/bookings"),
    ],
    ("PUT", "/api/v1/staff/offices/{office_id}/doctors-on-duty"): [
        lambda w: Probe("PUT", f"/api/v1/staff/offices/{w.b}/doctors-on-duty", {"doctors": []}),
    ],
    ("POST", "/api/v1/staff/applications"): [
        lambda w: Probe(
            "POST", "/api/v1/staff/applications", {"nik": BUDI_NIK, "service_id": w.b_service}
        ),
    ],
    ("PATCH", "/api/v1/staff/applications/{reference}"): [
        lambda w: Probe(
            "PATCH",
            f"/api/v1/staff/applications/{w.new_b_application()}",
            {"note": "Loket 1"},
            unknown="/api/v1/staff/applications/BRK-TIDAK-ADA",
        ),
    ],
    ("POST", "/api/v1/staff/boards"): [
        lambda w: Probe("POST", "/api/v1/staff/boards", {"office_id": w.b, "name": "TV B"}),
    ],
    ("GET", "/api/v1/staff/statistics"): [
        lambda w: Probe("GET", "/api/v1/staff/statistics", lists=True),
        lambda w: Probe("GET", f"/api/v1/staff/statistics?office_id={w.b}"),
    ],
}


def offices_in(body: Any) -> set[str]:
    """Every ``office_id`` value anywhere in a JSON answer."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "office_id" and isinstance(value, str):
                found.add(value)
            found |= offices_in(value)
    elif isinstance(body, list):
        for item in body:
            found |= offices_in(item)
    return found


@pytest.fixture(scope="module")
def world(central_server: RunningCentral, operator: Database) -> World:
    url = central_server.url
    a, b = new_office(operator, "Kantor A"), new_office(operator, "Kantor B")
    b_service = f"scope-{b}"
    with operator.begin() as conn:
        conn.execute(
            insert(services).values(
                id=b_service,
                office_id=b,
                category="layanan",
                name="Layanan B",
                ticket_prefix="Z",
                counter="1",
                active=True,
            )
        )
    a_kiosk = enrol(url, new_code(operator, a))
    b_kiosk = enrol(url, new_code(operator, b))
    assert a_kiosk.status_code == b_kiosk.status_code == 201, (a_kiosk.text, b_kiosk.text)
    found = World(
        url=url,
        db=operator,
        a=a,
        b=b,
        b_service=b_service,
        b_kiosk_token=b_kiosk.json()["token"],
        scoped={
            "admin": new_staff(operator, url, staff.Role.ADMIN, office_id=a),
            "staff": new_staff(operator, url, staff.Role.STAFF, office_id=a),
        },
        root=new_staff(operator, url, staff.Role.ADMIN),
    )
    found.new_b_ticket()  # something for B's statistics and queue
    return found


def test_every_staff_route_is_probed_across_offices() -> None:
    routes = set(staff_routes())
    assert not NOT_OFFICE_BOUND & set(PROBES)
    missing = routes - NOT_OFFICE_BOUND - set(PROBES)
    assert not missing, f"staff routes without a cross-office probe: {sorted(missing)}"
    assert set(PROBES) | NOT_OFFICE_BOUND == routes, "a probe for a route that is gone"


@pytest.mark.parametrize("route", sorted(PROBES), ids=lambda r: f"{r[0]} {r[1]}")
def test_an_office_scoped_account_cannot_reach_another_office(
    route: tuple[str, str], world: World
) -> None:
    kind = staff_routes()[route]
    roles = ["admin"] if kind == "admin" else ["admin", "staff"]
    for make in PROBES[route]:
        for role in roles:
            probe = make(world)
            answer = world.call(world.scoped[role], probe.method, probe.path, probe.body)
            where = f"{probe.method} {probe.path} as the {role} of office A"
            if probe.lists:
                assert answer.status_code == 200, f"{where}: {answer.text}"
                assert world.b not in offices_in(answer.json()), f"{where}: office B's data"
            elif probe.unknown is not None:
                none = world.call(world.scoped[role], probe.method, probe.unknown, probe.body)
                assert none.status_code == 404, f"{probe.unknown}: {none.text}"
                theirs, missing = answer.json(), none.json()
                assert (answer.status_code, theirs["error"]) == (404, missing["error"]), where
                mask = re.compile(r"'[^']*'")  # the id itself, quoted in the detail
                assert mask.sub("'…'", theirs["detail"]) == mask.sub("'…'", missing["detail"])
            else:
                assert answer.status_code == 403, f"{where}: {answer.status_code} {answer.text}"
                assert answer.json()["error"] == "forbidden"
        probe = make(world)
        answer = world.call(world.root, probe.method, probe.path, probe.body)
        where = f"{probe.method} {probe.path} as an admin of every office"
        assert 200 <= answer.status_code < 300, f"{where}: {answer.status_code} {answer.text}"
        if probe.lists:
            assert world.b in offices_in(answer.json()), f"{where}: office B's data is missing"


def test_an_office_admin_still_manages_its_own_kiosks(world: World) -> None:
    admin = world.scoped["admin"]
    code = world.call(admin, "POST", "/api/v1/staff/enrolment-codes", {"office_id": world.a})
    assert code.status_code == 201, code.text
    enrolled = enrol(world.url, code.json()["code"])
    assert enrolled.status_code == 201, enrolled.text
    kiosk_id = enrolled.json()["kiosk_id"]
    listed = world.call(admin, "GET", "/api/v1/staff/kiosks").json()
    assert kiosk_id in {k["kiosk_id"] for k in listed}
    assert offices_in(listed) == {world.a}
    revoked = world.call(admin, "POST", f"/api/v1/staff/kiosks/{kiosk_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["tokens_revoked"] == 1
