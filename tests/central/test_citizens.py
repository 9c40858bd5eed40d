"""Citizen record lookups: by card number, NIK or UID; audited; nothing personal in logs."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from central.audit import AUDIT_KEY_SECRET
from central.credentials import keyed_hash
from central.database import Database
from central.process import RunningCentral
from central.tables import citizen_lookups, server_secrets
from kiosk.central_client import CentralClient

from .helpers import bearer, new_kiosk

pytestmark = pytest.mark.timeout(60)

SITI_NIK = "1471015203850001"
SITI_PHONE = "081378901234"
RINA_NIK = "1471055506900003"
PERSONAL = (SITI_NIK, RINA_NIK, SITI_PHONE, "Siti", "Rina", "Wulandari", "PKU-000001", "08C0FFEE")


def lookups_for(db: Database, kiosk_id: str) -> list[tuple[str, str, bool]]:
    with db.read() as conn:
        rows = conn.execute(
            select(citizen_lookups.c.key_kind, citizen_lookups.c.key_hash, citizen_lookups.c.found)
            .where(citizen_lookups.c.kiosk_id == kiosk_id)
            .order_by(citizen_lookups.c.id)
        )
        return [(r.key_kind, r.key_hash, r.found) for r in rows]


def audit_key(db: Database) -> bytes:
    with db.read() as conn:
        value = conn.execute(
            select(server_secrets.c.value).where(server_secrets.c.name == AUDIT_KEY_SECRET)
        ).scalar_one()
    return bytes.fromhex(value)


def test_lookup_by_card_number_and_nik(client: CentralClient) -> None:
    by_card = client.lookup_citizen(card_number="PKU-000001")
    by_nik = client.lookup_citizen(nik=SITI_NIK)
    assert by_card is not None and by_nik is not None
    assert by_card.record == {
        "medical_record_number": "RM-2019-004211",
        "family_card_number": "1471010203110001",
        "phone": SITI_PHONE,
    }
    assert by_nik.record == by_card.record
    assert by_card.full_name is None and by_card.nik is None, "the card holds the name already"
    assert SITI_NIK not in repr(by_card) and SITI_PHONE not in repr(by_card)


def test_lookup_by_uid_names_the_holder(client: CentralClient) -> None:
    found = client.lookup_citizen(uid="08c0ffee")
    assert found is not None
    assert (found.full_name, found.nik, found.card_number) == ("Rina Wulandari", RINA_NIK, None)
    assert found.record["medical_record_number"] == "RM-2021-017733"


def test_unknown_keys_are_not_found(client: CentralClient) -> None:
    assert client.lookup_citizen(uid="04FFFFFFFFFFFF") is None
    assert client.lookup_citizen(nik="1471010101900009") is None
    budi = client.lookup_citizen(card_number="PKU-000002")
    assert budi is not None and "medical_record_number" not in budi.record, "no record here"


def test_every_lookup_is_audited_without_the_key_in_clear(
    central_server: RunningCentral, operator: Database
) -> None:
    kiosk_id, token = new_kiosk(operator, central_server.url)
    with CentralClient(central_server.url, token=token) as client:
        client.lookup_citizen(nik=SITI_NIK)
        client.lookup_citizen(uid="08C0FFEE")
        client.lookup_citizen(nik="1471010101900009")
    key = audit_key(operator)
    assert lookups_for(operator, kiosk_id) == [
        ("nik", keyed_hash(key, "nik", SITI_NIK), True),
        ("uid", keyed_hash(key, "uid", "08C0FFEE"), True),
        ("nik", keyed_hash(key, "nik", "1471010101900009"), False),
    ]
    with operator.read() as conn:
        every_cell = " ".join(str(v) for row in conn.execute(select(citizen_lookups)) for v in row)
    assert SITI_NIK not in every_cell and "08C0FFEE" not in every_cell.upper()


def test_nothing_personal_reaches_the_server_log(
    central_server: RunningCentral, client: CentralClient, kiosk_token: str
) -> None:
    client.lookup_citizen(nik=SITI_NIK)
    client.lookup_citizen(uid="08C0FFEE")
    client.lookup_citizen(card_number="PKU-000001")
    # A careless client putting a NIK in a URL: the access log keeps only the path.
    requests.get(
        f"{central_server.url}/api/v1/catalog?nik={SITI_NIK}",
        headers=bearer(kiosk_token),
        timeout=5,
    )
    requests.post(
        f"{central_server.url}/api/v1/citizens/lookup",
        json={"nik": SITI_NIK + "x"},  # invalid: the 422 must not echo it either
        headers=bearer(kiosk_token),
        timeout=5,
    )
    log = central_server.output_tail()
    assert "GET /api/v1/catalog?<hidden>" in log
    leaked = [value for value in PERSONAL if value in log]
    assert leaked == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"nik": SITI_NIK, "uid": "08C0FFEE"},
        {"nik": "12345"},
        {"nik": "147101520385000A"},
        {"uid": "zz"},
        {"card_number": "PKU 000001"},
        {"card_number": "\u0000"},
        {"name": "Siti Aminah"},
    ],
)
def test_bad_lookups_get_422_without_echo(
    central_server: RunningCentral, kiosk_token: str, body: dict[str, str]
) -> None:
    response = requests.post(
        f"{central_server.url}/api/v1/citizens/lookup",
        json=body,
        headers=bearer(kiosk_token),
        timeout=5,
    )
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "invalid_request"
    for problem in payload["detail"]:
        assert set(problem) == {"loc", "msg", "type"}
    for value in body.values():
        assert value not in response.text


def test_lookup_needs_a_kiosk(central_server: RunningCentral) -> None:
    response = requests.post(
        f"{central_server.url}/api/v1/citizens/lookup", json={"nik": SITI_NIK}, timeout=5
    )
    assert response.status_code == 401
    assert SITI_NIK not in response.text


def test_client_refuses_ambiguous_keys(client: CentralClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.lookup_citizen(nik=SITI_NIK, uid="08C0FFEE")
    with pytest.raises(ValueError, match="exactly one"):
        client.lookup_citizen()
