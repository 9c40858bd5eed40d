"""Enrolment and credentials over real HTTP: codes are single use and expire, tokens revoke.

Each test runs against SQLite and PostgreSQL (the ``central_server`` fixture).
"""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from sqlalchemy import select, update

from central.access import staff
from central.access.credentials import code_hash, hash_password, sha256_hex
from central.database import Database
from central.process import RunningCentral
from central.settings import (
    DEMO_HOSPITAL_STAFF_USERNAME,
    DEMO_STAFF_PASSWORD,
    DEMO_STAFF_PASSWORD_HASH,
    DEMO_STAFF_USERNAME,
)
from central.tables import audit_log, enrolment_codes, kiosk_tokens, kiosks
from contract.ticket_ids import new_ticket_id
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralAuthError
from testkit.centre_accounts import (
    DEMO_OFFICE,
    PASSWORD,
    bearer,
    enrol,
    new_code,
    new_kiosk,
    new_office,
    new_staff,
)
from testkit.centre_requests import allocate, lease, registration, results

SERVICE = "ktp-cetak-ulang"

pytestmark = pytest.mark.timeout(60)


def catalog_status(url: str, token: str) -> int:
    return requests.get(f"{url}/api/v1/catalog", headers=bearer(token), timeout=5).status_code


def test_a_code_gives_a_token_that_works(
    central_server: RunningCentral, operator: Database
) -> None:
    code = new_code(operator)
    with CentralClient(central_server.url) as client:
        enrolment = client.enrol(code, name="Loket 1")
        assert client.token == enrolment.token
        assert enrolment.office_id == DEMO_OFFICE
        assert enrolment.token.startswith("ak_") and len(enrolment.token) > 40
        assert "token" not in repr(enrolment).replace("token=", "")
        assert client.fetch_catalog().data is not None
    with operator.read() as conn:
        row = conn.execute(select(kiosks).where(kiosks.c.id == enrolment.kiosk_id)).one()
        stored = conn.execute(
            select(kiosk_tokens.c.token_hash).where(kiosk_tokens.c.kiosk_id == row.id)
        ).scalar_one()
        code_row = conn.execute(
            select(enrolment_codes).where(enrolment_codes.c.code_hash == code_hash(code))
        ).one()
    assert (row.office_id, row.name) == (DEMO_OFFICE, "Loket 1")
    assert stored == sha256_hex(enrolment.token), "only the token's SHA-256 is stored"
    assert code_row.used_at is not None


def test_a_code_works_once(central_server: RunningCentral, operator: Database) -> None:
    code = new_code(operator)
    assert enrol(central_server.url, code).status_code == 201
    again = enrol(central_server.url, code)
    assert again.status_code == 403
    assert again.json()["error"] == "enrolment_code_used"
    with CentralClient(central_server.url) as client, pytest.raises(CentralAuthError) as caught:
        client.enrol(code)
    assert (caught.value.status, caught.value.code) == (403, "enrolment_code_used")


def test_codes_are_forgiving_to_type(central_server: RunningCentral, operator: Database) -> None:
    code = new_code(operator)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert enrol(central_server.url, typed).status_code == 201


def test_an_expired_code_is_refused(central_server: RunningCentral, operator: Database) -> None:
    code = new_code(operator)
    with operator.begin() as conn:
        conn.execute(
            update(enrolment_codes)
            .where(enrolment_codes.c.code_hash == code_hash(code))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    response = enrol(central_server.url, code)
    assert response.status_code == 403
    assert response.json()["error"] == "enrolment_code_expired"


def test_an_unknown_code_is_refused_and_audited(
    central_server: RunningCentral, operator: Database
) -> None:
    response = enrol(central_server.url, "AAAA-BBBB-CCCC-DDDD")
    assert (response.status_code, response.json()["error"]) == (403, "enrolment_code_unknown")
    with operator.read() as conn:
        actions = conn.execute(select(audit_log.c.action, audit_log.c.subject)).all()
    assert ("enrolment.refused", "enrolment_code_unknown") in actions


def test_a_revoked_token_gets_401(central_server: RunningCentral, operator: Database) -> None:
    kiosk_id, token = new_kiosk(operator, central_server.url)
    assert catalog_status(central_server.url, token) == 200
    admin = new_staff(operator, central_server.url)
    revoked = requests.post(
        f"{central_server.url}/api/v1/staff/kiosks/{kiosk_id}/revoke",
        headers=bearer(admin),
        timeout=5,
    )
    assert revoked.status_code == 200
    assert revoked.json() == {"kiosk_id": kiosk_id, "tokens_revoked": 1}
    response = requests.get(
        f"{central_server.url}/api/v1/catalog", headers=bearer(token), timeout=5
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthenticated"
    with CentralClient(central_server.url, token=token) as client:
        with pytest.raises(CentralAuthError) as caught:
            client.fetch_catalog()
        assert caught.value.status == 401


@pytest.mark.parametrize("token", ["", "Bearer", "ak_not-a-real-token", "as_nope", "Basic eDp5"])
def test_missing_or_unknown_credentials_get_401(central_server: RunningCentral, token: str) -> None:
    headers = {"Authorization": token if " " in token or not token else f"Bearer {token}"}
    response = requests.get(f"{central_server.url}/api/v1/catalog", headers=headers, timeout=5)
    assert response.status_code == 401
    assert set(response.json()) == {"error", "detail"}


def test_the_wrong_kind_of_credential_gets_403(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    admin = new_staff(operator, central_server.url)
    staff_on_kiosk = requests.get(
        f"{central_server.url}/api/v1/catalog", headers=bearer(admin), timeout=5
    )
    assert (staff_on_kiosk.status_code, staff_on_kiosk.json()["error"]) == (403, "forbidden")
    kiosk_on_staff = requests.get(
        f"{central_server.url}/api/v1/staff/me", headers=bearer(kiosk_token), timeout=5
    )
    assert kiosk_on_staff.status_code == 403


def test_staff_roles(central_server: RunningCentral, operator: Database) -> None:
    clerk = new_staff(operator, central_server.url, staff.Role.STAFF)
    me = requests.get(f"{central_server.url}/api/v1/staff/me", headers=bearer(clerk), timeout=5)
    assert me.status_code == 200 and me.json()["role"] == "staff"
    codes = requests.post(
        f"{central_server.url}/api/v1/staff/enrolment-codes",
        json={"office_id": DEMO_OFFICE},
        headers=bearer(clerk),
        timeout=5,
    )
    assert codes.status_code == 403, "making enrolment codes needs the admin role"


def test_an_admin_makes_a_code_through_the_api(
    central_server: RunningCentral, operator: Database
) -> None:
    admin = new_staff(operator, central_server.url)
    made = requests.post(
        f"{central_server.url}/api/v1/staff/enrolment-codes",
        json={"office_id": DEMO_OFFICE, "note": "Loket 2"},
        headers=bearer(admin),
        timeout=5,
    )
    assert made.status_code == 201
    assert enrol(central_server.url, made.json()["code"]).status_code == 201
    unknown = requests.post(
        f"{central_server.url}/api/v1/staff/enrolment-codes",
        json={"office_id": "no-such-office"},
        headers=bearer(admin),
        timeout=5,
    )
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_office")


def test_staff_login_and_logout(central_server: RunningCentral, operator: Database) -> None:
    token = new_staff(operator, central_server.url)
    url = central_server.url
    assert requests.get(f"{url}/api/v1/staff/me", headers=bearer(token), timeout=5).ok
    out = requests.post(f"{url}/api/v1/staff/logout", headers=bearer(token), timeout=5)
    assert out.status_code == 204
    after = requests.get(f"{url}/api/v1/staff/me", headers=bearer(token), timeout=5)
    assert after.status_code == 401


def test_a_wrong_password_gets_401(central_server: RunningCentral, operator: Database) -> None:
    new_staff(operator, central_server.url)  # someone exists
    for username in ("petugas-admin-0", "nobody-here"):
        response = requests.post(
            f"{central_server.url}/api/v1/staff/login",
            json={"username": username, "password": PASSWORD + "x"},
            timeout=5,
        )
        assert response.status_code == 401
        assert response.json()["detail"] == "wrong username or password"


@pytest.mark.parametrize("username", [DEMO_STAFF_USERNAME, DEMO_HOSPITAL_STAFF_USERNAME])
def test_the_demo_accounts_log_in_with_the_published_password(
    central_server: RunningCentral, username: str
) -> None:
    # The seed stores a hash made beforehand (DEMO_STAFF_PASSWORD_HASH): it must be the
    # published password's, in today's parameters.
    parameters = hash_password("any password").rsplit("$", 2)[0]
    assert DEMO_STAFF_PASSWORD_HASH.rsplit("$", 2)[0] == parameters
    url = f"{central_server.url}/api/v1/staff/login"
    for password, status in ((DEMO_STAFF_PASSWORD + "x", 401), (DEMO_STAFF_PASSWORD, 200)):
        answer = requests.post(url, json={"username": username, "password": password}, timeout=5)
        assert answer.status_code == status, answer.text


def rekey_code(url: str, admin_token: str, kiosk_id: str, office_id: str = DEMO_OFFICE) -> str:
    response = requests.post(
        f"{url}/api/v1/staff/enrolment-codes",
        json={"office_id": office_id, "kiosk_id": kiosk_id, "note": "token lost"},
        headers=bearer(admin_token),
        timeout=5,
    )
    assert response.status_code == 201, response.text
    assert response.json()["kiosk_id"] == kiosk_id
    code: str = response.json()["code"]
    return code


def test_a_rekeyed_kiosk_stays_itself_and_its_printed_tickets_reach_the_queue(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    admin = new_staff(operator, url, staff.Role.ADMIN, DEMO_OFFICE)
    first = enrol(url, new_code(operator)).json()
    kiosk_id, old_token, kiosk_code = first["kiosk_id"], first["token"], first["kiosk_code"]
    granted = lease(url, old_token, SERVICE, 3)
    assert granted.status_code == 201, granted.text
    online_id = new_ticket_id(kiosk_code)
    allocated = allocate(url, old_token, SERVICE, online_id)
    assert allocated.status_code == 201, allocated.text
    offline_id = new_ticket_id(kiosk_code)  # printed from the lease, not yet sent
    printed = [
        registration(online_id, SERVICE, allocated.json()["display"], "online"),
        registration(offline_id, SERVICE, f"B-{granted.json()['start']:03d}", "lease"),
    ]
    revoked = requests.post(
        f"{url}/api/v1/staff/kiosks/{kiosk_id}/revoke", headers=bearer(admin), timeout=5
    )
    assert revoked.status_code == 200, revoked.text

    again = enrol(url, rekey_code(url, admin, kiosk_id))

    assert again.status_code == 201, again.text
    body = again.json()
    assert (body["kiosk_id"], body["kiosk_code"]) == (kiosk_id, kiosk_code)
    assert catalog_status(url, old_token) == 401
    outcomes = results(url, body["token"], printed)
    assert [r["status"] for r in outcomes] == ["accepted", "accepted"], outcomes
    returned = requests.post(
        f"{url}/api/v1/leases/{granted.json()['lease_id']}/return",
        json={"first_unused": granted.json()["start"] + 1},
        headers=bearer(body["token"]),
        timeout=5,
    )
    assert returned.status_code == 200, returned.text
    with operator.read() as conn:
        assert conn.execute(select(kiosks.c.id)).all().count((kiosk_id,)) == 1
        actions = {r.action for r in conn.execute(select(audit_log.c.action))}
    assert {"enrolment_code.created_rekey", "kiosk.rekeyed"} <= actions


def test_a_rekey_code_rekeys_only_a_kiosk_of_its_office(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosk_id, token = new_kiosk(operator, url)
    other_office = new_office(operator)
    other_admin = new_staff(operator, url, staff.Role.ADMIN, other_office)
    for office, who in ((DEMO_OFFICE, other_admin), (other_office, other_admin)):
        refused = requests.post(
            f"{url}/api/v1/staff/enrolment-codes",
            json={"office_id": office, "kiosk_id": kiosk_id},
            headers=bearer(who),
            timeout=5,
        )
        assert refused.status_code in (403, 404), refused.text
    assert catalog_status(url, token) == 200  # nothing happened to it


def test_a_plain_code_makes_a_new_kiosk_that_cannot_send_the_old_ones_tickets(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    first = enrol(url, new_code(operator)).json()
    allocated = allocate(url, first["token"], SERVICE, new_ticket_id(first["kiosk_code"]))
    assert allocated.status_code == 201, allocated.text
    second = enrol(url, new_code(operator)).json()
    assert second["kiosk_code"] != first["kiosk_code"]
    item = registration(
        allocated.json()["ticket_id"], SERVICE, allocated.json()["display"], "online"
    )
    refused = results(url, second["token"], [item])[0]
    assert (refused["status"], refused["error"]) == ("invalid", "foreign_ticket_id")
