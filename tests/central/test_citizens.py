"""Citizen record lookups: by card number, NIK or UID (+ date of birth); audited; limited."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
import requests
from sqlalchemy import insert, select

from central.access import uid_proof
from central.access.credentials import keyed_hash
from central.access.lookup_budget import LookupBudget
from central.database import Database
from central.office import citizens
from central.process import RunningCentral
from central.tables import (
    audit_log,
    card_uids,
    citizen_lookups,
    uid_proof_limits,
)
from central.tables import citizens as citizen_rows
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from testkit.centre_accounts import bearer, new_kiosk
from testkit.citizen_lookups import SITI_NIK, UNKNOWN_NIK, audit_key, lookups_for

pytestmark = pytest.mark.timeout(60)

SITI_PHONE = "081378901234"
RINA_NIK = "1471055506900003"
#: Rina's date of birth, from her NIK (55 = the 15th, a woman; June; '90).
RINA_BORN = dt.date(1990, 6, 15)
PERSONAL = (
    SITI_NIK,
    RINA_NIK,
    SITI_PHONE,
    "Siti",
    "Rina",
    "Wulandari",
    "PKU-000001",
    "08C0FFEE",
    RINA_BORN.isoformat(),
)


def rina_card(db: Database) -> str:
    """A new UID registered to Rina: its own attempt counts, untouched by other tests."""
    uid = secrets.token_hex(7).upper()
    with db.begin() as conn:
        citizen_id = conn.execute(
            select(citizen_rows.c.id).where(citizen_rows.c.nik == RINA_NIK)
        ).scalar_one()
        conn.execute(
            insert(card_uids).values(
                uid=uid, citizen_id=citizen_id, registered_at=dt.datetime.now(dt.UTC)
            )
        )
    return uid


def lookup_body(url: str, token: str, body: dict[str, str]) -> tuple[int, str]:
    response = requests.post(
        f"{url}/api/v1/citizens/lookup", json=body, headers=bearer(token), timeout=5
    )
    return response.status_code, response.text


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


def test_uid_alone_reveals_nothing(central_server: RunningCentral, kiosk_token: str) -> None:
    """A registered UID and an unknown one get the very same answer: no holder, no record."""
    url = central_server.url
    known = lookup_body(url, kiosk_token, {"uid": "08c0ffee"})
    unknown = lookup_body(url, kiosk_token, {"uid": "04FFFFFFFFFFFF"})
    assert known == unknown == (200, '{"found":false,"record":null,"holder":null}')


def test_uid_with_the_right_birth_date_names_the_holder(client: CentralClient) -> None:
    assert client.lookup_citizen(uid="08c0ffee") is None
    found = client.lookup_citizen(uid="08c0ffee", birth_date=RINA_BORN)
    assert found is not None
    assert (found.full_name, found.nik, found.card_number) == ("Rina Wulandari", RINA_NIK, None)
    assert found.record["medical_record_number"] == "RM-2021-017733"


def test_wrong_birth_date_finds_nothing_and_is_counted(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    uid = rina_card(operator)
    url = central_server.url
    wrong = lookup_body(url, kiosk_token, {"uid": uid, "birth_date": "1990-06-16"})
    unknown = lookup_body(url, kiosk_token, {"uid": "04EEEEEEEEEEEE", "birth_date": "1990-06-15"})
    assert wrong == unknown == (200, '{"found":false,"record":null,"holder":null}')
    key = audit_key(operator)
    with operator.read() as conn:
        failures = conn.execute(
            select(uid_proof_limits.c.failures).where(
                uid_proof_limits.c.subject == f"uid:{keyed_hash(key, 'uid', uid)}"
            )
        ).scalar_one()
    assert failures == 1


def test_a_uid_is_locked_after_five_wrong_dates_on_any_kiosk(
    central_server: RunningCentral, operator: Database
) -> None:
    uid = rina_card(operator)
    kiosk_id, token = new_kiosk(operator, central_server.url)
    with CentralClient(central_server.url, token=token) as client:
        for day in range(1, 1 + uid_proof.UID_LIMIT.failures):
            assert client.lookup_citizen(uid=uid, birth_date=dt.date(1990, 1, day)) is None
        with pytest.raises(CentralUnavailable) as refused:
            client.lookup_citizen(uid=uid, birth_date=RINA_BORN)  # right, but too late
    assert refused.value.status == 429
    assert refused.value.retry_after_s is not None
    assert 3500 < refused.value.retry_after_s <= 3600
    # Another kiosk, the right date: the UID is locked everywhere.
    other_kiosk, other_token = new_kiosk(operator, central_server.url)
    status, text = lookup_body(
        central_server.url, other_token, {"uid": uid, "birth_date": RINA_BORN.isoformat()}
    )
    assert status == 429 and '"too_many_attempts"' in text and "Rina" not in text
    key = keyed_hash(audit_key(operator), "uid", uid)
    audited = lookups_for(operator, kiosk_id)
    assert audited == [("uid_dob", key, False)] * 5 + [("uid_dob_refused", key, False)]
    assert lookups_for(operator, other_kiosk) == [("uid_dob_refused", key, False)]
    with operator.read() as conn:
        events = conn.execute(
            select(audit_log.c.actor, audit_log.c.subject).where(
                audit_log.c.action == "uid_proof_locked", audit_log.c.actor == f"kiosk:{kiosk_id}"
            )
        ).all()
    assert [tuple(e) for e in events] == [(f"kiosk:{kiosk_id}", "uid")]


def test_a_kiosk_is_locked_after_twenty_wrong_dates(
    central_server: RunningCentral, operator: Database
) -> None:
    uid = rina_card(operator)
    _, token = new_kiosk(operator, central_server.url)
    with CentralClient(central_server.url, token=token) as client:
        for _ in range(uid_proof.KIOSK_LIMIT.failures):  # many cards, one wrong date each
            other = secrets.token_hex(7).upper()
            assert client.lookup_citizen(uid=other, birth_date=RINA_BORN) is None
        with pytest.raises(CentralUnavailable) as refused:
            client.lookup_citizen(uid=uid, birth_date=RINA_BORN)
    assert refused.value.status == 429
    # The card itself is not locked: another kiosk finds its holder.
    other_kiosk = new_kiosk(operator, central_server.url)[1]
    with CentralClient(central_server.url, token=other_kiosk) as client:
        found = client.lookup_citizen(uid=uid, birth_date=RINA_BORN)
    assert found is not None and found.nik == RINA_NIK


def test_locks_grow_and_a_match_starts_afresh(
    central_server: RunningCentral, operator: Database
) -> None:
    """The limits against the clock (``now`` injected), on the server's own database."""
    uid = rina_card(operator)
    kiosk_id = new_kiosk(operator, central_server.url)[0]
    key = audit_key(operator)
    wrong = dt.date(1991, 6, 15)

    def attempt(at: dt.datetime, born: dt.date) -> citizens.CitizenRecord | citizens.Refused | None:
        with operator.begin() as conn:
            return citizens.lookup(
                conn,
                citizens.KeyKind.UID,
                uid,
                kiosk_id=kiosk_id,
                office_id="pku-mpp",
                audit_key=key,
                birth_date=born,
                now=at,
            )

    t0 = dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC)
    for i in range(4):
        assert attempt(t0 + dt.timedelta(minutes=i), wrong) is None
    assert isinstance(attempt(t0 + dt.timedelta(minutes=5), RINA_BORN), citizens.CitizenRecord)
    for i in range(4):  # the match cleared the count: four more are not a lock
        assert attempt(t0 + dt.timedelta(minutes=6 + i), wrong) is None
    assert isinstance(attempt(t0 + dt.timedelta(minutes=10), RINA_BORN), citizens.CitizenRecord)
    # A day's window: four wrong dates yesterday and one today are not five.
    for i in range(4):
        assert attempt(t0 + dt.timedelta(minutes=11 + i), wrong) is None
    t1 = t0 + dt.timedelta(days=1, minutes=20)
    assert attempt(t1, wrong) is None
    assert isinstance(attempt(t1 + dt.timedelta(seconds=1), RINA_BORN), citizens.CitizenRecord)
    # Five in a row: an hour; after it, five more: two hours.
    t2 = t0 + dt.timedelta(days=3)
    for i in range(5):
        assert attempt(t2 + dt.timedelta(seconds=i), wrong) is None
    first = attempt(t2 + dt.timedelta(minutes=59), RINA_BORN)
    assert isinstance(first, citizens.Refused) and first.retry_after_s == 64
    t3 = t2 + dt.timedelta(hours=1, seconds=5)
    for i in range(5):
        assert attempt(t3 + dt.timedelta(seconds=i), wrong) is None
    longer = attempt(t3 + dt.timedelta(hours=1, minutes=5), RINA_BORN)  # past the first's length
    assert isinstance(longer, citizens.Refused) and longer.retry_after_s == 55 * 60 + 4
    second = attempt(t3 + dt.timedelta(hours=1, minutes=59), RINA_BORN)
    assert isinstance(second, citizens.Refused) and second.retry_after_s == 64
    assert isinstance(
        attempt(t3 + dt.timedelta(hours=2, seconds=5), RINA_BORN), citizens.CitizenRecord
    )


def test_unknown_keys_are_not_found(client: CentralClient) -> None:
    assert client.lookup_citizen(uid="04FFFFFFFFFFFF") is None
    assert client.lookup_citizen(nik=UNKNOWN_NIK) is None
    budi = client.lookup_citizen(card_number="PKU-000002")
    assert budi is not None and "medical_record_number" not in budi.record, "no record here"


def test_every_lookup_is_audited_without_the_key_in_clear(
    central_server: RunningCentral, operator: Database
) -> None:
    kiosk_id, token = new_kiosk(operator, central_server.url)
    with CentralClient(central_server.url, token=token) as client:
        client.lookup_citizen(nik=SITI_NIK)
        client.lookup_citizen(uid="08C0FFEE")
        client.lookup_citizen(uid="08C0FFEE", birth_date=RINA_BORN)
        client.lookup_citizen(nik=UNKNOWN_NIK)
    key = audit_key(operator)
    assert lookups_for(operator, kiosk_id) == [
        ("nik", keyed_hash(key, "nik", SITI_NIK), True),
        ("uid", keyed_hash(key, "uid", "08C0FFEE"), False),  # alone: nothing given
        ("uid_dob", keyed_hash(key, "uid", "08C0FFEE"), True),
        ("nik", keyed_hash(key, "nik", UNKNOWN_NIK), False),
    ]
    with operator.read() as conn:
        every_cell = " ".join(str(v) for row in conn.execute(select(citizen_lookups)) for v in row)
    assert SITI_NIK not in every_cell and "08C0FFEE" not in every_cell.upper()


def test_nothing_personal_reaches_the_server_log(
    central_server: RunningCentral, client: CentralClient, kiosk_token: str
) -> None:
    client.lookup_citizen(nik=SITI_NIK)
    client.lookup_citizen(uid="08C0FFEE")
    client.lookup_citizen(uid="08C0FFEE", birth_date=RINA_BORN)
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
        {"birth_date": "1990-06-15"},
        {"nik": SITI_NIK, "birth_date": "1985-03-12"},
        {"card_number": "PKU-000001", "birth_date": "1985-03-12"},
        {"uid": "08C0FFEE", "birth_date": "15-06-1990"},
        {"uid": "08C0FFEE", "birth_date": "1990-02-30"},
        {"uid": "08C0FFEE", "birth_date": "1990-06-15T00:00:00"},
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
    with pytest.raises(ValueError, match="uid only"):
        client.lookup_citizen(nik=SITI_NIK, birth_date=RINA_BORN)


def test_a_kiosk_sweeping_card_numbers_is_stopped_by_its_not_found_budget(
    central_server: RunningCentral, operator: Database
) -> None:
    """A sweep hits gaps: 30 misses an hour (the default), then 429 for anything, found or not."""
    kiosk_id, token = new_kiosk(operator, central_server.url)
    misses = LookupBudget().not_found_per_hour
    for n in range(misses):
        status, text = lookup_body(central_server.url, token, {"card_number": f"XXX-{n:06d}"})
        assert (status, '"found":false' in text) == (200, True), text
    refused = requests.post(
        f"{central_server.url}/api/v1/citizens/lookup",
        json={"card_number": "PKU-000001"},  # known, but the kiosk is locked
        headers=bearer(token),
        timeout=5,
    )
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_lookups"
    assert 800 < int(refused.headers["Retry-After"]) <= 900
    assert SITI_PHONE not in refused.text
    key = keyed_hash(audit_key(operator), "card_number", "PKU-000001")
    assert lookups_for(operator, kiosk_id)[-1] == ("card_refused", key, False)
    with operator.read() as conn:
        events = conn.execute(
            select(audit_log.c.actor, audit_log.c.subject).where(
                audit_log.c.action == "lookup_budget_locked",
                audit_log.c.actor == f"kiosk:{kiosk_id}",
            )
        ).all()
    assert [tuple(e) for e in events] == [(f"kiosk:{kiosk_id}", f"kiosk:{kiosk_id}")]
    # Another kiosk is not touched by this one's lock.
    other = new_kiosk(operator, central_server.url)[1]
    status, text = lookup_body(central_server.url, other, {"card_number": "PKU-000001"})
    assert status == 200 and SITI_PHONE in text


def test_every_card_number_and_nik_lookup_counts_against_the_hourly_budget(
    central_server: RunningCentral, operator: Database
) -> None:
    """Found lookups too: the budget against the clock (``now`` injected), on the server's db.

    Each key counts once an hour (a repeat within the hour is free:
    tests/central/test_lookup_budget.py), so the keys here are distinct.
    """
    kiosk_id = new_kiosk(operator, central_server.url)[0]
    key = audit_key(operator)
    budget = LookupBudget(per_hour=4, not_found_per_hour=3)
    card, nik = citizens.KeyKind.CARD_NUMBER, citizens.KeyKind.NIK
    keys = [(card, "PKU-000001"), (nik, SITI_NIK), (card, "PKU-000002"), (nik, RINA_NIK)]

    def look(kind: citizens.KeyKind, value: str, at: dt.datetime) -> object:
        with operator.begin() as conn:
            return citizens.lookup(
                conn,
                kind,
                value,
                kiosk_id=kiosk_id,
                office_id="pku-mpp",
                audit_key=key,
                budget=budget,
                now=at,
            )

    t0 = dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC)
    for i, (kind, value) in enumerate(keys):  # by card and by NIK alike
        found = look(kind, value, t0 + dt.timedelta(seconds=30 * i))
        assert isinstance(found, citizens.CitizenRecord)
    first = look(nik, SITI_NIK, t0 + dt.timedelta(minutes=5))
    assert first == citizens.Refused(retry_after_s=11 * 60 + 30, budget=True)  # locked at 1:30
    t1 = t0 + dt.timedelta(hours=2)  # the lock and the hour are over: the same keys count again
    for i, (kind, value) in enumerate(keys):
        found = look(kind, value, t1 + dt.timedelta(seconds=i))
        assert isinstance(found, citizens.CitizenRecord)
    second = look(card, "PKU-000001", t1 + dt.timedelta(seconds=10))
    assert second == citizens.Refused(retry_after_s=30 * 60 - 7, budget=True), "twice as long"
    # An hour's window: three an hour ago and three now are not four.
    t2 = t1 + dt.timedelta(hours=3)
    for kind, value in keys[:3]:
        look(kind, value, t2)
    t3 = t2 + dt.timedelta(hours=1)
    for i, (kind, value) in enumerate(keys[:3]):
        found = look(kind, value, t3 + dt.timedelta(seconds=i))
        assert isinstance(found, citizens.CitizenRecord)
