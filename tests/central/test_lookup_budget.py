"""A kiosk's card-number/NIK lookup budget: on every kiosk route that takes one; repeats free.

The routes come from the app itself (its OpenAPI and its dependencies), so a
kiosk route added later that takes a ``card_number`` or ``nik`` is checked
without anyone remembering to add it here: it must refuse a locked kiosk
(429 ``too_many_lookups``) and count an unknown key as a miss.

The module's centre is given a small budget of its own (:data:`BUDGET`), so each
route is locked in a few requests, and every route is seen to spend the budget the
centre was given, not the default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from sqlalchemy import func, insert, select

from central.access.audit import utc_now
from central.access.lookup_budget import LookupBudget
from central.database import Database
from central.office import applications, citizens
from central.process import RunningCentral
from central.tables import citizen_lookups, message_consents
from central.tables import citizens as citizen_rows
from testkit.centre_accounts import bearer, enrol, new_code, new_kiosk
from testkit.centre_hospital import hospital_desk, hospital_kiosk
from testkit.centre_requests import allocate, new_id, registration, results
from testkit.centre_routes import routes
from testkit.centres import BACKENDS, own_centre
from testkit.citizen_lookups import SITI_NIK, audit_key

pytestmark = pytest.mark.timeout(120)

KEYS = {"card_number": "PKU-000001", "nik": SITI_NIK}  # Siti, a demo citizen
#: Routes known to take a key today: the walk below must find at least these.
KNOWN = {"/api/v1/citizens/lookup", "/api/v1/citizens/applications"}
#: This module's centre's budget: smaller than the default in both counts.
BUDGET = LookupBudget(per_hour=40, not_found_per_hour=5)
assert BUDGET.per_hour < LookupBudget().per_hour
assert BUDGET.not_found_per_hour < LookupBudget().not_found_per_hour


@pytest.fixture(scope="module", params=BACKENDS)
def central_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    """The demo centre with :data:`BUDGET`, of this module's own."""
    yield from own_centre(
        request,
        tmp_path_factory,
        "lookup-budget",
        *("--lookup-budget", str(BUDGET.per_hour)),
        *("--lookup-not-found-budget", str(BUDGET.not_found_per_hour)),
    )


@pytest.fixture(scope="module")
def operator(central_server: RunningCentral) -> Iterator[Database]:
    db = Database(central_server.db_url)
    try:
        yield db
    finally:
        db.dispose()


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    resolved: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return resolved


def keyed_kiosk_routes(app: FastAPI) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, key, body) for every kiosk route whose body takes a card number or NIK."""
    spec = app.openapi()
    kiosk = {(m, p) for m, p, kind in routes(app) if kind == "kiosk"}
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if (method.upper(), path) not in kiosk:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            schema = _resolve(content["application/json"]["schema"], spec)
            properties = schema.get("properties", {})
            for key in ("card_number", "nik"):
                if key not in properties:
                    continue
                body: dict[str, Any] = {key: KEYS[key]}
                for name in schema.get("required", []):
                    if name in body:
                        continue
                    examples = _resolve(properties[name], spec).get("examples")
                    if not examples:
                        pytest.fail(f"{method} {path}: give {name!r} an example in the schema")
                    body[name] = examples[0]
                found.append((method.upper(), path, key, body))
    return found


def test_the_walk_finds_the_kiosk_routes_that_take_a_key(app: FastAPI) -> None:
    found = {path for _, path, _, _ in keyed_kiosk_routes(app)}
    assert found >= KNOWN, f"missing: {KNOWN - found}"


def _lock_by_misses(url: str, token: str) -> None:
    for n in range(BUDGET.not_found_per_hour):
        response = requests.post(
            f"{url}/api/v1/citizens/lookup",
            json={"card_number": f"MISS-{n:06d}"},
            headers=bearer(token),
            timeout=5,
        )
        assert response.status_code == 200, response.text


def _find_patient(url: str, token: str, norm: str) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/hospital/patients/find",
        json={"by": "norm", "value": norm, "birth_date": "1985-03-12"},
        headers=bearer(token),
        timeout=5,
    )


def _lock_patients_by_misses(url: str, token: str) -> None:
    for n in range(BUDGET.not_found_per_hour):
        response = _find_patient(url, token, f"9{n:05d}")
        assert response.status_code == 404, response.text


def test_every_kiosk_route_with_a_key_is_budgeted(
    app: FastAPI, central_server: RunningCentral, operator: Database
) -> None:
    """A locked kiosk is refused on each; each counts an unknown key as a miss.

    A hospital's patient routes (a kiosk of the hospital; a new patient, its desk) spend
    the patient budget, not the card lookups' (docs/hospital.md): their misses lock
    patient finds and leave card lookups answered.
    """
    url = central_server.url
    for method, path, key, body in keyed_kiosk_routes(app):
        where = f"{method} {path} by {key}"
        patient_route = path.startswith("/api/v1/hospital/")
        # a new patient is the registration desk's alone (a kiosk staff enrolled as one)
        desk_only = (method, path) == ("POST", "/api/v1/hospital/patients")

        def kiosk(hospital: bool = patient_route, desk: bool = desk_only) -> str:
            if desk:
                return hospital_desk(url)[0]
            return hospital_kiosk(url)[0] if hospital else new_kiosk(operator, url)[1]

        token = kiosk()
        (_lock_patients_by_misses if patient_route else _lock_by_misses)(url, token)
        refused = requests.request(method, url + path, json=body, headers=bearer(token), timeout=5)
        assert refused.status_code == 429, f"{where}: {refused.status_code} {refused.text}"
        assert refused.json()["error"] == "too_many_lookups", where
        assert int(refused.headers["Retry-After"]) > 0, where
        # Misses sent through this route alone lock the kiosk too.
        token = kiosk()
        for n in range(BUDGET.not_found_per_hour):
            # An unknown NIK that can exist (born 1 January 1990): a route may check its shape.
            # A hospital's route makes each a patient of this shared centre: none is a NIK
            # that never exists (testkit/citizen_lookups.py), which other tests rely on.
            unknown = f"MISS-{n:06d}" if key == "card_number" else f"147101010190{n + 1:04d}"
            miss = dict(body, **{key: unknown})
            answer = requests.request(
                method, url + path, json=miss, headers=bearer(token), timeout=5
            )
            # 201: a hospital's new patient (its No. RM made counts as a miss too).
            assert answer.status_code in (200, 201), f"{where}: {answer.text}"
        card = requests.post(
            f"{url}/api/v1/citizens/lookup",
            json={"card_number": "PKU-000001"},
            headers=bearer(token),
            timeout=5,
        )
        if patient_route:
            assert card.status_code == 200, f"{where} locks card lookups: {card.text}"
            after = _find_patient(url, token, "000123")
        else:
            after = card
        assert after.status_code == 429, f"{where} does not count a miss"


def _look(
    db: Database, kiosk_id: str, kind: citizens.KeyKind, value: str, at: dt.datetime
) -> citizens.CitizenRecord | citizens.Refused | None:
    with db.begin() as conn:
        return citizens.lookup(
            conn,
            kind,
            value,
            kiosk_id=kiosk_id,
            office_id="pku-mpp",
            audit_key=audit_key(db),
            now=at,
        )


def test_one_card_read_again_and_again_spends_the_budget_once(
    central_server: RunningCentral, operator: Database
) -> None:
    """300 reads of one card in an hour, then another citizen: still answered."""
    kiosk_id = new_kiosk(operator, central_server.url)[0]
    t0 = dt.datetime(2031, 3, 1, 8, 0, tzinfo=dt.UTC)
    for i in range(300):
        at = t0 + dt.timedelta(seconds=10 * i)
        found = _look(operator, kiosk_id, citizens.KeyKind.CARD_NUMBER, "PKU-000001", at)
        assert isinstance(found, citizens.CitizenRecord), f"read {i + 1}: {found}"
    other = _look(operator, kiosk_id, citizens.KeyKind.NIK, SITI_NIK, t0 + dt.timedelta(hours=1))
    assert isinstance(other, citizens.CitizenRecord)


def test_distinct_keys_beyond_the_budget_lock_the_kiosk(
    central_server: RunningCentral, operator: Database
) -> None:
    """Each new key counts: the 240th locks, the 241st is refused (misses allowed plenty here)."""
    kiosk_id = new_kiosk(operator, central_server.url)[0]
    budget = LookupBudget(per_hour=240, not_found_per_hour=10_000)
    t0 = dt.datetime(2031, 3, 2, 8, 0, tzinfo=dt.UTC)
    key = audit_key(operator)
    answers = []
    for i in range(241):
        with operator.begin() as conn:
            answers.append(
                citizens.lookup(
                    conn,
                    citizens.KeyKind.CARD_NUMBER,
                    f"NEW-{i:06d}",
                    kiosk_id=kiosk_id,
                    office_id="pku-mpp",
                    audit_key=key,
                    budget=budget,
                    now=t0 + dt.timedelta(seconds=i),
                )
            )
    assert answers[:240] == [None] * 240
    assert isinstance(answers[240], citizens.Refused) and answers[240].budget


def test_a_card_and_its_applications_spend_one_lookup(
    central_server: RunningCentral, operator: Database
) -> None:
    """The record, then "is my document ready?": one key, counted once, by either route."""
    kiosk_id = new_kiosk(operator, central_server.url)[0]
    budget = LookupBudget(per_hour=2, not_found_per_hour=30)
    key = audit_key(operator)
    t0 = dt.datetime(2031, 3, 3, 8, 0, tzinfo=dt.UTC)
    for i in range(5):
        with operator.begin() as conn:
            record = citizens.lookup(
                conn,
                citizens.KeyKind.CARD_NUMBER,
                "PKU-000001",
                kiosk_id=kiosk_id,
                office_id="pku-mpp",
                audit_key=key,
                budget=budget,
                now=t0 + dt.timedelta(minutes=i),
            )
            listed = applications.for_citizen(
                conn,
                citizens.KeyKind.CARD_NUMBER,
                "PKU-000001",
                kiosk_id=kiosk_id,
                audit_key=key,
                budget=budget,
                now=t0 + dt.timedelta(minutes=i, seconds=30),
            )
        assert isinstance(record, citizens.CitizenRecord), f"round {i + 1}"
        assert isinstance(listed, list), f"round {i + 1}: {listed}"


def _proven_yeses(url: str, kiosk: str, cards: list[Any], level: Any = "signed") -> None:
    """One registration per card, each saying yes to messages on a new number, sent in one
    batch as a kiosk's outbox sends them; every one accepted (its ticket stands)."""
    items = []
    for n, card in enumerate(cards):
        taken = allocate(url, kiosk, "kk-perubahan").json()
        item = registration(
            taken["ticket_id"], "kk-perubahan", taken["display"], "online", notify=f"0812{n:08d}"
        )
        item["body"].update(card_number=card, assurance=level)
        items.append(item)
    assert [r["status"] for r in results(url, kiosk, items)] == ["accepted"] * len(items)


def _holders_told(db: Database) -> set[str]:
    with db.read() as conn:
        rows = conn.execute(
            select(message_consents.c.subject).where(message_consents.c.subject.like("citizen:%"))
        )
        return set(rows.scalars())


def test_card_numbers_walked_through_yeses_to_messages_spend_the_budget(
    central_server: RunningCentral, operator: Database
) -> None:
    """A kiosk's token sending registrations with guessed card numbers and a yes to
    messages took over every holder it hit, counted by no budget. Each card is now
    found as a lookup is: the misses lock the kiosk, and a locked kiosk's yes stays
    its ticket's, even for a card it proved."""
    url = central_server.url
    _, kiosk = new_kiosk(operator, url)
    guesses = [f"pku-{n:06d} " for n in range(900_000, 900_000 + BUDGET.not_found_per_hour)]
    _proven_yeses(url, kiosk, guesses)
    locked = requests.post(
        f"{url}/api/v1/citizens/lookup",
        json={"card_number": "PKU-000002"},
        headers=bearer(kiosk),
        timeout=5,
    )
    assert locked.status_code == 429, locked.text
    told = _holders_told(operator)
    _proven_yeses(url, kiosk, ["PKU-000002"])  # a proven card, while the kiosk is locked
    assert _holders_told(operator) == told


def test_a_yes_to_messages_with_a_level_of_another_shape_keeps_its_ticket(
    central_server: RunningCentral, operator: Database
) -> None:
    """An assurance level sent as a list or an object sank the whole batch with a 500."""
    url = central_server.url
    _, kiosk = new_kiosk(operator, url)
    told = _holders_told(operator)
    for level in (["signed"], {"level": "signed"}, 1, True):
        _proven_yeses(url, kiosk, ["PKU-000002"], level)
    assert _holders_told(operator) == told


def test_a_morning_worked_offline_keeps_every_holders_yes_and_locks_nothing(
    central_server: RunningCentral, operator: Database
) -> None:
    """A kiosk back from an outage sends the tickets it numbered offline, each with a
    proven card and a yes to messages: more than its hourly budget of lookups. They had
    no lookup at their read, so each counted, the kiosk locked itself for the next
    citizens and the yeses past the budget were its tickets' alone. An offline ticket's
    card is audited on its own and counted by nothing; its numbers bound it."""
    url = central_server.url
    enrolled = enrol(url, new_code(operator)).json()
    code, kiosk = enrolled["kiosk_code"], enrolled["token"]
    count = BUDGET.per_hour + 20
    cards = [f"OFL-{n:06d}" for n in range(count)]
    with operator.begin() as conn:
        conn.execute(
            insert(citizen_rows),
            [
                {"nik": f"99{n:014d}", "full_name": f"Warga {n}", "card_number": card}
                | {"updated_at": utc_now()}
                for n, card in enumerate(cards)
            ],
        )
    items = []
    for n, card in enumerate(cards):
        item = registration(
            new_id(), "kk-perubahan", f"C-{code}-{n + 1:03d}", "fallback", notify=f"0813{n:08d}"
        )
        item["body"].update(card_number=card, assurance="signed")
        items.append(item)
    assert [r["status"] for r in results(url, kiosk, items)] == ["accepted"] * count
    with operator.read() as conn:
        holders = set(
            conn.execute(
                select(citizen_rows.c.id).where(citizen_rows.c.card_number.in_(cards))
            ).scalars()
        )
        told = _holders_told(operator)
        audited = conn.execute(
            select(func.count()).where(citizen_lookups.c.key_kind == "consent_offline")
        ).scalar_one()
    assert {f"citizen:{holder}" for holder in holders} <= told
    assert audited >= count
    live = requests.post(
        f"{url}/api/v1/citizens/lookup",
        json={"card_number": cards[0]},
        headers=bearer(kiosk),
        timeout=5,
    )
    assert live.status_code == 200, live.text
