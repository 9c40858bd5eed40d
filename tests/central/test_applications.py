"""Citizens' applications: kiosks ask by card number or NIK (audited); staff record them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.access import staff
from central.access.credentials import keyed_hash
from central.database import Database
from central.errors import StaleEdit
from central.office import applications
from central.process import RunningCentral
from central.tables import audit_log, citizen_lookups
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_office, new_staff
from testkit.citizen_lookups import SITI_NIK, UNKNOWN_NIK, audit_key, lookups_for

pytestmark = pytest.mark.timeout(60)

BUDI_NIK = "1471011708790002"


def ask(url: str, token: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/citizens/applications", json=body, headers=bearer(token), timeout=5
    )


def create(url: str, token: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/staff/applications", json=body, headers=bearer(token), timeout=5
    )


def change(url: str, token: str, reference: str, body: dict[str, Any]) -> requests.Response:
    return requests.patch(
        f"{url}/api/v1/staff/applications/{reference}", json=body, headers=bearer(token), timeout=5
    )


def test_the_demo_applications_by_card_number_and_nik(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosk_id, token = new_kiosk(operator, url)
    by_card = ask(url, token, {"card_number": "pku-000001"})
    by_nik = ask(url, token, {"nik": SITI_NIK})
    assert by_card.status_code == 200, by_card.text
    assert by_card.json() == by_nik.json()
    states = {a["reference"]: a["state"] for a in by_card.json()["applications"]}
    assert states["BRK-DEMO0001"] == "ready"
    assert states["BRK-DEMO0002"] == "in_progress"
    ready = next(a for a in by_card.json()["applications"] if a["reference"] == "BRK-DEMO0001")
    assert ready["title"] == {"id": "Cetak Ulang KTP-el", "en": "Reprint of e-KTP"}
    assert ready["service_id"] == "ktp-cetak-ulang" and ready["office_id"] == DEMO_OFFICE

    nobody = ask(url, token, {"nik": UNKNOWN_NIK})
    assert nobody.status_code == 200 and nobody.json() == {"applications": []}

    key = audit_key(operator)
    assert lookups_for(operator, kiosk_id) == [
        ("card_number", keyed_hash(key, "card_number", "PKU-000001"), True),
        ("nik", keyed_hash(key, "nik", SITI_NIK), True),
        ("nik", keyed_hash(key, "nik", UNKNOWN_NIK), False),
    ]
    with operator.read() as conn:
        cells = " ".join(str(v) for row in conn.execute(select(citizen_lookups)) for v in row)
        cells += " ".join(str(v) for row in conn.execute(select(audit_log)) for v in row)
    assert SITI_NIK not in cells and UNKNOWN_NIK not in cells and "PKU-000001" not in cells


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"uid": "08C0FFEE"},  # a UID proves nothing: no applications for it
        {"nik": SITI_NIK, "card_number": "PKU-000001"},
        {"nik": "12345"},
    ],
)
def test_only_one_verified_key_is_accepted(
    central_server: RunningCentral, kiosk_token: str, body: dict[str, Any]
) -> None:
    response = ask(central_server.url, kiosk_token, body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_staff_record_and_move_an_application(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _kiosk_id, token = new_kiosk(operator, url)
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    made = create(url, clerk, {"nik": BUDI_NIK, "service_id": "izin-usaha-mikro"})
    assert made.status_code == 201, made.text
    reference = made.json()["reference"]
    assert reference.startswith("BRK-") and made.json()["state"] == "received"
    assert made.json()["title"]["en"] == "Micro business permit"

    def state_at_kiosk() -> tuple[str, str | None]:
        found = ask(url, token, {"card_number": "PKU-000002"}).json()["applications"]
        mine = [a for a in found if a["reference"] == reference]
        assert len(mine) == 1
        return mine[0]["state"], mine[0]["note"]

    assert state_at_kiosk() == ("received", None)
    moved = change(url, clerk, reference, {"state": "in_progress"})
    assert moved.status_code == 200, moved.text
    ready = change(url, clerk, reference, {"state": "ready", "note": "Loket 3 / Counter 3"})
    changed_at = [dt.datetime.fromisoformat(r.json()["state_changed_at"]) for r in (moved, ready)]
    assert changed_at[1] > changed_at[0]
    assert state_at_kiosk() == ("ready", "Loket 3 / Counter 3")
    assert change(url, clerk, reference, {"note": None}).json()["note"] is None
    assert change(url, clerk, reference, {"state": "collected"}).status_code == 200

    back = change(url, clerk, reference, {"state": "in_progress"})
    assert back.status_code == 409 and back.json()["error"] == "invalid_transition"
    assert state_at_kiosk() == ("collected", None)


def test_staff_application_errors(central_server: RunningCentral, operator: Database) -> None:
    url = central_server.url
    admin = new_staff(operator, url)
    elsewhere = new_staff(operator, url, staff.Role.STAFF, office_id=new_office(operator))
    own_ref = {"nik": BUDI_NIK, "service_id": "kk-perubahan", "reference": "KK-TEST-0001"}

    assert create(url, elsewhere, own_ref).status_code == 403
    # Another office's application: the same 404 as an unknown reference.
    theirs = change(url, elsewhere, "BRK-DEMO0003", {"note": "x"})
    assert (theirs.status_code, theirs.json()["error"]) == (404, "unknown_application")
    assert create(url, admin, own_ref).status_code == 201
    duplicate = create(url, admin, own_ref)
    assert duplicate.status_code == 409
    unknown = create(url, admin, {"nik": UNKNOWN_NIK, "service_id": "kk-perubahan"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_citizen")
    no_service = create(url, admin, {"nik": BUDI_NIK, "service_id": "no-such-service"})
    assert (no_service.status_code, no_service.json()["error"]) == (404, "unknown_service")
    missing = change(url, admin, "NO-SUCH-REF", {"state": "ready"})
    assert (missing.status_code, missing.json()["error"]) == (404, "unknown_application")
    assert change(url, admin, "KK-TEST-0001", {}).status_code == 422
    assert change(url, admin, "KK-TEST-0001", {"state": "lost"}).status_code == 422


def test_nothing_personal_reaches_the_server_log(
    central_server: RunningCentral, kiosk_token: str, operator: Database
) -> None:
    url = central_server.url
    ask(url, kiosk_token, {"nik": SITI_NIK})
    ask(url, kiosk_token, {"card_number": "PKU-000001"})
    ask(url, kiosk_token, {"nik": SITI_NIK + "0"})  # invalid: the 422 must not echo it
    create(url, new_staff(operator, url), {"nik": BUDI_NIK, "service_id": "kk-perubahan"})
    log = central_server.output_tail()
    assert "/api/v1/citizens/applications" in log
    leaked = [v for v in (SITI_NIK, BUDI_NIK, "PKU-000001", "Siti Aminah") if v in log]
    assert leaked == []


def staff_lookups(db: Database, username: str) -> list[tuple[str, str, bool]]:
    with db.read() as conn:
        rows = conn.execute(
            select(citizen_lookups.c.key_kind, citizen_lookups.c.key_hash, citizen_lookups.c.found)
            .where(citizen_lookups.c.staff_username == username)
            .order_by(citizen_lookups.c.id)
        )
        return [(r.key_kind, r.key_hash, r.found) for r in rows]


def test_recording_an_application_is_audited_as_a_lookup_found_or_not(
    central_server: RunningCentral, operator: Database
) -> None:
    """Whether the NIK exists shows in the answer (201, 409 or 404), so staff looked it up."""
    url = central_server.url
    token = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    username = requests.get(f"{url}/api/v1/staff/me", headers=bearer(token), timeout=5).json()[
        "username"
    ]
    elsewhere = new_staff(operator, url, staff.Role.STAFF, office_id=new_office(operator))
    taken = {"nik": BUDI_NIK, "service_id": "kk-perubahan", "reference": "KK-AUDIT-0001"}

    assert create(url, token, {"nik": UNKNOWN_NIK, "service_id": "kk-perubahan"}).status_code == 404
    assert create(url, token, taken).status_code == 201
    assert create(url, token, taken).status_code == 409
    assert create(url, token, {"card_number": "pku-000002", "service_id": "kk-perubahan"}).ok
    # Refused before the lookup: nothing about the key is revealed, nothing to audit.
    assert (
        create(url, elsewhere, {"nik": UNKNOWN_NIK, "service_id": "kk-perubahan"}).status_code
        == 403
    )
    assert create(url, token, {"nik": UNKNOWN_NIK, "service_id": "none"}).status_code == 404

    key = audit_key(operator)
    assert staff_lookups(operator, username) == [
        ("nik", keyed_hash(key, "nik", UNKNOWN_NIK), False),
        ("nik", keyed_hash(key, "nik", BUDI_NIK), True),
        ("nik", keyed_hash(key, "nik", BUDI_NIK), True),
        ("card_number", keyed_hash(key, "card_number", "PKU-000002"), True),
    ]
    with operator.read() as conn:
        hashes = set(conn.execute(select(citizen_lookups.c.key_hash)).scalars())
    assert UNKNOWN_NIK not in hashes and BUDI_NIK not in hashes


def test_a_change_made_against_an_older_version_is_refused_and_writes_nothing(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    made = create(url, clerk, {"nik": BUDI_NIK, "service_id": "izin-usaha-mikro"})
    assert made.status_code == 201, made.text
    reference = made.json()["reference"]
    with operator.read() as conn:
        shown = applications.get(conn, reference).version
    with operator.begin() as conn:  # a colleague's note, on the same version
        noted = applications.change(
            conn, reference, state=None, note="Bawa NPWP.", set_note=True, actor="staff:ani",
            allowed_office=DEMO_OFFICE, version=shown,
        )  # fmt: skip
    assert noted.version != shown
    with pytest.raises(StaleEdit), operator.begin() as conn:
        applications.change(
            conn, reference, state=applications.State.IN_PROGRESS, note=None, set_note=True,
            actor="staff:budi", allowed_office=DEMO_OFFICE, version=shown,
        )  # fmt: skip
    with operator.begin() as conn:  # without a version, only what is given is written
        moved = applications.change(
            conn, reference, state=applications.State.IN_PROGRESS, note=None, set_note=False,
            actor="staff:budi", allowed_office=DEMO_OFFICE,
        )  # fmt: skip
    assert (moved.state.value, moved.note) == ("in_progress", "Bawa NPWP.")
