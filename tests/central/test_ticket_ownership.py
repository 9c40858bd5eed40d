"""A kiosk's keys and tickets are its own: another kiosk posting under them first changes nothing.

A registration's key is its ticket id, and the ticket's QR code prints it,
so anyone holding a paper can post under it from another kiosk. The owner's
registration must still be taken, its ticket must reach the queue with its
number, and the public page of the id must never show the other kiosk's
ticket instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import requests

from central.access import staff
from central.database import Database
from central.office.submissions import claimed_ticket_id
from central.process import RunningCentral
from contract.ticket_ids import new_ticket_id
from testkit.centre_accounts import bearer, new_code, new_kiosk, new_office, new_staff
from testkit.centre_requests import ZONE, allocate, complaint, lease, new_id, registration, results

pytestmark = pytest.mark.timeout(120)

SERVICE = "ktp-cetak-ulang"


def other_office_kiosk(db: Database, url: str) -> tuple[str, str]:
    """A kiosk enrolled at another office: (office id, token)."""
    office_id = new_office(db)
    response = requests.post(
        f"{url}/api/v1/enrol", json={"code": new_code(db, office_id), "name": "lain"}, timeout=5
    )
    assert response.status_code == 201, response.text
    return office_id, response.json()["token"]


def kiosk_code(url: str, token: str) -> str:
    me = requests.get(f"{url}/api/v1/kiosks/me", headers=bearer(token), timeout=5)
    assert me.status_code == 200, me.text
    code: str = me.json()["kiosk_code"]
    return code


def public(url: str, ticket_id: str) -> requests.Response:
    return requests.get(f"{url}/api/v1/public/tickets/{ticket_id}", timeout=5)


def open_tickets(url: str, staff_token: str) -> list[dict[str, Any]]:
    response = requests.get(f"{url}/api/v1/staff/queue", headers=bearer(staff_token), timeout=10)
    assert response.status_code == 200, response.text
    return [t for s in response.json()["services"] for t in s["tickets"]]


def hijacks(url: str, token: str, ticket_id: str, prefix: str, issued_at: str) -> list[Any]:
    """What a kiosk that read the QR code sends under the ticket id: any body at all."""
    forged = registration(ticket_id, SERVICE, f"{prefix}-{kiosk_code(url, token)}-001", "fallback")
    forged["body"]["ticket"]["issued_at"] = issued_at
    return results(url, token, [forged])


def test_another_kiosk_posting_first_under_an_online_ticket_changes_nothing(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, owner = new_kiosk(operator, url)
    _, neighbour = new_kiosk(operator, url)  # the same office
    _, another = new_kiosk(operator, url)
    stranger_office, stranger = other_office_kiosk(operator, url)
    counter = new_staff(operator, url, staff.Role.STAFF, "pku-mpp")
    ticket_id = new_id()
    allocated = allocate(url, owner, SERVICE, ticket_id)
    assert allocated.status_code == 201, allocated.text
    number = allocated.json()["display"]
    before = public(url, ticket_id).json()

    # They read the QR code and post under its id before the owner's registration arrives.
    elsewhere = complaint(ticket_id)
    elsewhere["body"]["office_id"] = stranger_office
    assert results(url, stranger, [elsewhere])[0]["status"] == "accepted"
    assert results(url, another, [complaint(ticket_id)])[0]["status"] == "accepted"
    later = dt.datetime.now(ZONE).isoformat()
    assert hijacks(url, neighbour, ticket_id, "B", later)[0]["status"] == "accepted"

    owners = results(url, owner, [registration(ticket_id, SERVICE, number, "online")])
    assert owners[0]["status"] == "accepted", owners
    assert owners[0]["result"] == {"ticket_id": ticket_id, "number": number, "status": "waiting"}
    mine = [t for t in open_tickets(url, counter) if t["ticket_id"] == ticket_id]
    assert [(t["display"], t["registered"], t["number_source"]) for t in mine] == [
        (number, True, "online")
    ]
    after = public(url, ticket_id)
    assert after.status_code == 200, after.text
    assert after.json() | {"people_ahead": 0} == before | {"people_ahead": 0}
    page = requests.get(f"{url}/t/{ticket_id}", timeout=5)
    assert page.status_code == 200 and number in page.text
    assert f"B-{kiosk_code(url, neighbour)}-001" not in page.text


def test_a_back_dated_claim_does_not_dispute_an_online_ticket(
    central_server: RunningCentral, operator: Database
) -> None:
    """The centre's record of the allocation wins over a claimant's clock."""
    url = central_server.url
    _, owner = new_kiosk(operator, url)
    _, neighbour = new_kiosk(operator, url)
    ticket_id = new_id()
    allocated = allocate(url, owner, SERVICE, ticket_id)
    assert allocated.status_code == 201, allocated.text
    number = allocated.json()["display"]
    earlier = (dt.datetime.now(ZONE) - dt.timedelta(minutes=5)).isoformat()
    assert hijacks(url, neighbour, ticket_id, "B", earlier)[0]["status"] == "accepted"

    answer = public(url, ticket_id)
    assert answer.status_code == 200, answer.text
    assert answer.json()["number"] == number
    page = requests.get(f"{url}/t/{ticket_id}", timeout=5)
    assert page.status_code == 200 and number in page.text
    assert kiosk_code(url, neighbour) not in page.text
    owners = results(url, owner, [registration(ticket_id, SERVICE, number, "online")])
    assert owners[0]["status"] == "accepted", owners
    assert public(url, ticket_id).json()["number"] == number


@pytest.mark.parametrize(
    "issued_at",
    [
        "2000-01-01T00:00:00+00:00",  # before the kiosk was enrolled
        "2001-06-01T12:00:00+07:00",
        (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat(),  # enrolled just now
        (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat(),  # ahead of the centre
        "2099-12-31T23:59:59+00:00",
    ],
    ids=["2000", "2001", "days-before-enrolment", "days-ahead", "2099"],
)
def test_a_kiosk_cannot_date_a_ticket_before_its_enrolment_or_after_the_centres_clock(
    central_server: RunningCentral, operator: Database, issued_at: str
) -> None:
    url = central_server.url
    _, owner = new_kiosk(operator, url)
    _, neighbour = new_kiosk(operator, url)
    ticket_id = new_id()
    assert allocate(url, owner, SERVICE, ticket_id).status_code == 201
    refused = hijacks(url, neighbour, ticket_id, "B", issued_at)[0]
    assert (refused["status"], refused["error"]) == ("invalid", "invalid_time"), refused
    assert public(url, ticket_id).status_code == 200
    # Its own ticket, dated like that, is refused alike; a drifting clock is not.
    code = kiosk_code(url, neighbour)
    own = registration(new_id(), SERVICE, f"B-{code}-002", "fallback")
    own["body"]["ticket"]["issued_at"] = issued_at
    assert results(url, neighbour, [own])[0]["error"] == "invalid_time"
    skewed = registration(new_id(), SERVICE, f"B-{code}-003", "fallback")
    skewed["body"]["ticket"]["issued_at"] = (
        dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    ).isoformat()
    assert results(url, neighbour, [skewed])[0]["status"] == "accepted"


def test_an_offline_ticket_registered_first_by_another_kiosk_still_reaches_the_queue(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, owner = new_kiosk(operator, url)
    _, neighbour = new_kiosk(operator, url)
    _, another = new_kiosk(operator, url)
    counter = new_staff(operator, url, staff.Role.STAFF, "pku-mpp")
    granted = lease(url, owner, SERVICE, 3)
    assert granted.status_code == 201, granted.text
    number = f"B-{granted.json()['start']:03d}"
    ticket_id = new_id()  # printed offline: the centre has not heard of it
    paper_time = dt.datetime.now(ZONE).isoformat()

    # The neighbour reads the QR code and registers the id first, with a number of its own.
    assert results(url, another, [complaint(ticket_id)])[0]["status"] == "accepted"
    assert hijacks(url, neighbour, ticket_id, "B", paper_time)[0]["status"] == "accepted"
    forged = f"B-{kiosk_code(url, neighbour)}-001"
    assert public(url, ticket_id).json()["number"] == forged  # all the centre knows yet

    item = registration(ticket_id, SERVICE, number, "lease")
    owners = results(url, owner, [item])
    assert owners[0]["status"] == "accepted", owners
    assert owners[0]["result"] == {"ticket_id": ticket_id, "number": number, "status": "waiting"}
    assert results(url, owner, [item])[0]["status"] == "replayed"
    shown = {t["display"]: t for t in open_tickets(url, counter)}
    assert shown[number]["registered"] is True
    assert shown[number]["number_source"] == "lease"
    assert shown[number]["ticket_id"] != ticket_id  # kept apart from the neighbour's

    # The page no longer shows the neighbour's ticket as if it were the paper's.
    answer = public(url, ticket_id)
    assert answer.status_code == 409 and answer.json()["error"] == "ticket_disputed"
    assert forged not in requests.get(f"{url}/t/{ticket_id}", timeout=5).text


def test_an_offline_ticket_with_a_bound_id_is_the_owners_alone(
    central_server: RunningCentral, operator: Database
) -> None:
    """The id a kiosk makes names it: no other kiosk can register, number or void it."""
    url = central_server.url
    _, owner = new_kiosk(operator, url)
    _, neighbour = new_kiosk(operator, url)
    _, stranger = other_office_kiosk(operator, url)
    granted = lease(url, owner, SERVICE, 3)
    assert granted.status_code == 201, granted.text
    number = f"B-{granted.json()['start']:03d}"
    ticket_id = new_ticket_id(kiosk_code(url, owner))  # printed offline, as the kiosk makes it
    paper_time = dt.datetime.now(ZONE).isoformat()

    # Others read the QR code and try every door first.
    refused = hijacks(url, neighbour, ticket_id, "B", paper_time)
    assert (refused[0]["status"], refused[0]["error"]) == ("invalid", "foreign_ticket_id")
    assert hijacks(url, stranger, ticket_id, "B", paper_time)[0]["status"] == "invalid"
    taken = allocate(url, neighbour, SERVICE, ticket_id)
    assert taken.status_code == 409 and taken.json()["error"] == "conflict", taken.text
    voided = requests.post(
        f"{url}/api/v1/tickets/{ticket_id}/void", headers=bearer(neighbour), timeout=5
    )
    assert voided.status_code == 404, voided.text
    assert public(url, ticket_id).status_code == 404  # nothing of theirs was kept

    owners = results(url, owner, [registration(ticket_id, SERVICE, number, "lease")])
    assert owners[0]["status"] == "accepted", owners
    assert owners[0]["result"] == {"ticket_id": ticket_id, "number": number, "status": "waiting"}
    shown = public(url, ticket_id)
    assert shown.status_code == 200 and shown.json()["number"] == number, shown.text


def test_a_kiosk_numbers_its_own_bound_ids_online(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, owner = new_kiosk(operator, url)
    ticket_id = new_ticket_id(kiosk_code(url, owner))
    allocated = allocate(url, owner, SERVICE, ticket_id)
    assert allocated.status_code == 201, allocated.text
    number = allocated.json()["display"]
    owners = results(url, owner, [registration(ticket_id, SERVICE, number, "online")])
    assert owners[0]["status"] == "accepted", owners


def test_the_id_of_another_kiosks_kept_apart_claim_cannot_be_taken_in_advance(
    central_server: RunningCentral, operator: Database
) -> None:
    """B guesses the id the centre will give A's kept-apart claim and tries to hold it first."""
    url = central_server.url
    owner_id, owner = new_kiosk(operator, url)
    _, other = new_kiosk(operator, url)
    ticket_id = new_id()  # a random (version-4) id: the kind a second kiosk's claim can share
    derived = claimed_ticket_id(owner_id, ticket_id)
    assert allocate(url, other, SERVICE, derived).status_code == 422
    taken = results(url, other, [registration(derived, SERVICE, "A-X", "fallback")])
    assert (taken[0]["status"], taken[0]["error"]) == ("invalid", "invalid_key")
    void = requests.post(f"{url}/api/v1/tickets/{derived}/void", headers=bearer(other), timeout=5)
    assert void.status_code == 422
    # Now B takes the id itself, then A's claim is kept apart under the derived id.
    code_b, code_a = kiosk_code(url, other), kiosk_code(url, owner)
    first = results(url, other, [registration(ticket_id, SERVICE, f"B-{code_b}-005", "fallback")])
    assert first[0]["status"] == "accepted", first
    kept = results(url, owner, [registration(ticket_id, SERVICE, f"B-{code_a}-001", "fallback")])
    assert kept[0]["status"] == "accepted", kept


@pytest.mark.parametrize(
    "ticket_id",
    [
        str(uuid.uuid1()),
        str(uuid.uuid3(uuid.NAMESPACE_DNS, "anjungan")),
        str(uuid.uuid5(uuid.NAMESPACE_DNS, "anjungan")),
        "00000000-0000-0000-0000-000000000000",
        str(uuid.UUID(int=uuid.uuid4().int & ~(0xC << 60))),  # a version 4 of the NCS variant
        "1b7d5f0e-6c1a-6f55-9a53-0d4b7c3e2a91",  # version 6
        str(uuid.uuid4()).upper(),
    ],
    # Named, not by value: the fresh ids differ between the processes that collect them.
    ids=["v1", "v3", "v5", "nil", "ncs-v4", "v6", "upper-case-v4"],
)
def test_a_kiosk_names_only_ids_of_the_versions_kiosks_make(
    central_server: RunningCentral, operator: Database, ticket_id: str
) -> None:
    url = central_server.url
    _, token = new_kiosk(operator, url)
    assert allocate(url, token, SERVICE, ticket_id).status_code == 422
    code = kiosk_code(url, token)
    taken = results(url, token, [registration(ticket_id, SERVICE, f"B-{code}-001", "fallback")])
    assert (taken[0]["status"], taken[0]["error"]) == ("invalid", "invalid_key")
    void = requests.post(f"{url}/api/v1/tickets/{ticket_id}/void", headers=bearer(token), timeout=5)
    assert void.status_code == 422
    # The versions kiosks do make are taken.
    assert allocate(url, token, SERVICE, new_id()).status_code == 201
    assert allocate(url, token, SERVICE, new_ticket_id(code)).status_code == 201
