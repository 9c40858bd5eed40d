"""SATUSEHAT over real HTTP: the stand-in (testkit/satusehat_standin.py) on 127.0.0.1, the
integration outbox on SQLite and PostgreSQL, and the adapter's token, Patient search and
Encounter create and updates. The stand-in checks each Encounter by its own rules."""

from __future__ import annotations

import ast
import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from central.database import Database
from central.errors import SatusehatUnavailable as Unavailable
from central.integrations import outbox, triggers
from central.integrations.config import IntegrationsError, SatusehatSettings, parse
from central.integrations.satusehat import dispatch
from central.integrations.satusehat.auth import TokenSource
from central.integrations.satusehat.client import SatusehatClient
from central.integrations.satusehat.fhir import (
    InvalidResource,
    Visit,
    arrived_encounter,
    validate,
)
from central.integrations.sender import Policy, Sender
from central.tables import doctor_schedules, integration_outbox, services
from testkit import satusehat_visits
from testkit.clocks import ManualClock
from testkit.satusehat_standin import Satusehat
from testkit.waits import wait_until

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)
#: When the sender looks: after every step of a visit.
LATER = NOW + dt.timedelta(hours=1)
HOLD = dt.timedelta(seconds=60)
NIK = "1471010101900001"
IHS = "P02478375538"
DOCTOR = "N10000001"
POLI = "b017aa54-f1df-4ec2-9d84-8823815d7228"
ORG = "100000001"


@pytest.fixture
def standin() -> Iterator[Satusehat]:
    server = Satusehat(organization_id=ORG)
    server.patients[NIK] = IHS
    server.practitioners.add(DOCTOR)
    server.locations.add(POLI)
    try:
        yield server
    finally:
        server.close()


def _config(standin: Satusehat, timeout_s: float = 5.0) -> SatusehatSettings:
    settings = parse(standin.section_text(timeout_s=timeout_s)).satusehat
    assert settings is not None
    return settings


def _database(url: str) -> Iterator[Database]:
    database = Database(url, pool_size=5)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    """Both databases: for the whole visit's path through the outbox."""
    yield from _database(migrated_db_url)


@pytest.fixture
def lite(new_migrated_db_url: Callable[[str], str]) -> Iterator[Database]:
    """SQLite only: the outcomes of one send, which no database changes."""
    yield from _database(new_migrated_db_url("sqlite"))


def _patient(standin: Satusehat, n: int) -> str:
    """The NIK of the ``n``-th patient of a test (the 0th is :data:`NIK`), whom SATUSEHAT
    knows: one live visit per patient, poli and day, so each visit of a day is another's."""
    nik = f"{NIK[:-3]}{n + 1:03}"
    standin.patients[nik] = IHS
    return nik


def _write_visit(
    db: Database,
    ticket: str = "T-001",
    *,
    nik: str = NIK,
    steps: tuple[str, ...] = ("call", "served"),
) -> None:
    """A visit registered, then the poli's counter steps, through the real triggers."""
    with db.begin() as conn:
        outbox.set_targets(conn, {outbox.SATUSEHAT: "on"}, NOW)
        satusehat_visits.hospital(conn, location_id=POLI, practitioner_id=DOCTOR, now=NOW)
        satusehat_visits.visit(conn, ticket_id=ticket, nik=nik, name="Siti Aminah", now=NOW)
        triggers.visit_registered(conn, ticket, NOW)
    for minutes, step in zip((10, 25), steps, strict=False):
        with db.begin() as conn:
            triggers.after_counter_step(
                conn,
                {"id": ticket, "queue_id": satusehat_visits.POLI},
                step,
                NOW + dt.timedelta(minutes=minutes),
            )


def _drain(db: Database, client: SatusehatClient, rounds: int = 10) -> list[outbox.Outcome]:
    """What a sender does: claim the due rows, send each outside the transaction, record."""
    deliver = dispatch.SatusehatDeliverer(client, db)
    outcomes: list[outbox.Outcome] = []
    for _ in range(rounds):
        with db.begin() as conn:
            items = outbox.claim(conn, "w", LATER, hold=HOLD, limit=5, targets=(outbox.SATUSEHAT,))
        if not items:
            break
        for item in items:
            outcome = deliver(item)
            outcomes.append(outcome)
            with db.begin() as conn:
                match outcome:
                    case outbox.Sent(result):
                        outbox.mark_sent(conn, item.id, "w", LATER, result)
                    case outbox.RetryLater(code, error, _):
                        outbox.mark_retry(conn, item.id, "w", LATER, code, error)
                    case outbox.Refused(code, error):
                        outbox.mark_dead(conn, item.id, "w", code, error)
    return outcomes


def _rows(db: Database) -> list[Any]:
    with db.read() as conn:
        return list(conn.execute(select(integration_outbox).order_by(integration_outbox.c.id)))


def test_a_valid_encounter_arrives_then_its_status_changes_in_order(
    db: Database, standin: Satusehat
) -> None:
    _write_visit(db)
    _drain(db, SatusehatClient(_config(standin)))
    assert [r.state for r in _rows(db)] == ["sent", "sent", "sent"]
    (encounter_id,) = standin.encounters
    assert standin.statuses[encounter_id] == ["arrived", "in-progress", "finished"]
    calls = [(c.method, c.path.rsplit("/", 1)[-1], c.status) for c in standin.fhir_calls()]
    assert calls == [
        ("GET", "Patient", 200),
        ("POST", "Encounter", 201),
        ("PUT", encounter_id, 200),
        ("PUT", encounter_id, 200),
    ]
    created = standin.fhir_calls("POST")[0].body
    assert created is not None
    assert created["status"] == "arrived"
    assert created["class"]["code"] == "AMB"
    assert created["subject"] == {"reference": f"Patient/{IHS}"}  # no name leaves the centre
    assert created["participant"][0]["individual"]["reference"] == f"Practitioner/{DOCTOR}"
    assert created["participant"][0]["type"][0]["coding"][0]["code"] == "ATND"
    assert created["location"][0]["location"]["reference"] == f"Location/{POLI}"
    assert created["serviceProvider"]["reference"] == f"Organization/{ORG}"
    assert created["identifier"] == [
        {"system": f"http://sys-ids.kemkes.go.id/encounter/{ORG}", "value": "BT-001"}
    ]
    assert created["period"] == {"start": "2026-12-05T01:00:00Z"}  # UTC, as registered
    final = standin.encounters[encounter_id]
    assert [h["status"] for h in final["statusHistory"]] == ["arrived", "in-progress", "finished"]
    assert final["period"]["end"] == "2026-12-05T01:25:00Z"
    # The id the server gave is kept in the row's result, and each update used it.
    with db.read() as conn:
        kept = outbox.result_of(conn, dispatch.dedupe_key("T-001", "arrived"))
    assert kept is not None and kept["encounter_id"] == encounter_id


def test_each_step_is_written_once(lite: Database, standin: Satusehat) -> None:
    _write_visit(lite)
    with lite.begin() as conn:  # the same registration and counter steps reported again
        triggers.visit_registered(conn, "T-001", NOW)
        ticket = {"id": "T-001", "queue_id": satusehat_visits.POLI}
        triggers.after_counter_step(conn, ticket, "call", NOW)
        triggers.after_counter_step(conn, ticket, "served", NOW)
    assert len(_rows(lite)) == 3


def test_the_token_is_kept_until_it_expires_and_renewed_mid_day(standin: Satusehat) -> None:
    clock = ManualClock()
    config = _config(standin)
    client = SatusehatClient(config, TokenSource(config, clock=clock))
    assert client.patient_ihs(NIK) == IHS
    assert client.patient_ihs("1471010101900002") is None
    assert standin.token_requests() == 1  # one token for both calls
    clock.advance(standin.token_lifetime_s)  # its expires_in has passed on our clock
    assert client.patient_ihs("1471010101900003") is None
    assert standin.token_requests() == 2
    standin.expire_tokens()  # the server ends it early, mid-day: 401, renewed once
    assert client.patient_ihs("1471010101900004") is None
    assert standin.token_requests() == 3
    assert [c.status for c in standin.fhir_calls()][-2:] == [401, 200]


def test_a_token_refused_mid_visit_loses_nothing(db: Database, standin: Satusehat) -> None:
    _write_visit(db)
    client = SatusehatClient(_config(standin))
    with db.begin() as conn:
        (first,) = outbox.claim(conn, "w", LATER, hold=HOLD, targets=(outbox.SATUSEHAT,))
    deliver = dispatch.SatusehatDeliverer(client, db)
    sent = deliver(first)
    assert isinstance(sent, outbox.Sent)
    with db.begin() as conn:
        outbox.mark_sent(conn, first.id, "w", LATER, sent.result)
    standin.expire_tokens()
    _drain(db, client)
    assert [r.state for r in _rows(db)] == ["sent", "sent", "sent"]
    assert standin.token_requests() == 2
    (encounter_id,) = standin.encounters
    assert standin.statuses[encounter_id] == ["arrived", "in-progress", "finished"]


#: Each fault and the code staff see for it.
FAULTS = {
    "down": "unreachable",
    "500": "500",
    "503": "503",
    "429": "429",
    "401": "401",
    "garbage": "garbage",
    "huge": "too-large",
}


def test_faults_lose_nothing(lite: Database, standin: Satusehat) -> None:
    client = SatusehatClient(_config(standin))
    client.tokens.bearer()  # mid-day: a token is held when the trouble starts
    for n, fault in enumerate(FAULTS):
        ticket = f"T-{n:03}"
        _write_visit(lite, ticket, nik=_patient(standin, n))
        if fault == "down":
            standin.down()
        else:
            standin.misbehave(fault, times=2 if fault == "401" else 1)
        first = _drain(lite, client, rounds=1)
        assert len(first) == 1 and isinstance(first[0], outbox.RetryLater), fault
        row = _rows(lite)[-3]
        assert row.state == "pending" and row.last_error, fault  # staff see why
        assert row.last_code == FAULTS[fault]
        with lite.read() as conn:
            assert outbox.count_failing(conn, None) == 1, fault
        if fault == "down":
            standin.up()
        _drain(lite, client)
        assert {r.state for r in _rows(lite)} == {"sent"}, fault
    assert len(standin.encounters) == len(FAULTS)
    for statuses in standin.statuses.values():
        assert statuses == ["arrived", "in-progress", "finished"]


def test_an_answer_lost_to_the_deadline_makes_no_second_encounter(
    lite: Database, standin: Satusehat
) -> None:
    _write_visit(lite)
    client = SatusehatClient(_config(standin, timeout_s=0.5))
    client.patient_ihs(NIK)  # the Patient search is not the call that is slowed
    standin.misbehave("slow", delay_s=2.0)
    (first,) = _drain(lite, client, rounds=1)
    assert isinstance(first, outbox.RetryLater)
    assert len(standin.encounters) == 1  # the server did create it; the answer was lost
    _drain(lite, client)
    assert [r.state for r in _rows(lite)] == ["sent", "sent", "sent"]
    assert len(standin.encounters) == 1
    assert len(standin.fhir_calls("POST")) == 1  # the retry found it by its identifier
    (encounter_id,) = standin.encounters
    assert standin.statuses[encounter_id] == ["arrived", "in-progress", "finished"]


def test_a_create_sent_again_by_staff_after_a_lost_answer_makes_no_second_encounter(
    lite: Database, standin: Satusehat
) -> None:
    # The create reached SATUSEHAT but its answer was lost; the row ended dead (a
    # refusal, or attempts used up) and staff pressed "Kirim lagi", which starts the
    # attempts afresh: the row was still tried before, so it looks for the Encounter.
    _write_visit(lite, steps=())
    client = SatusehatClient(_config(standin, timeout_s=0.5))
    client.patient_ihs(NIK)
    standin.misbehave("slow", delay_s=2.0)
    (first,) = _drain(lite, client, rounds=1)
    assert isinstance(first, outbox.RetryLater) and len(standin.encounters) == 1
    (row,) = _rows(lite)
    with lite.begin() as conn:
        conn.execute(
            update(integration_outbox)
            .where(integration_outbox.c.id == row.id)
            .values(state="dead", last_code="timeout", last_error="attempts used up")
        )
        assert outbox.send_again(conn, row.id, None, NOW)
    (again,) = _drain(lite, client)
    assert isinstance(again, outbox.Sent)
    assert len(standin.encounters) == 1
    assert len(standin.fhir_calls("POST")) == 1


def test_an_answer_nested_past_any_parser_is_unavailable_not_a_crash(
    lite: Database, standin: Satusehat
) -> None:
    _write_visit(lite, steps=())
    client = SatusehatClient(_config(standin))
    standin.misbehave("nested")
    (outcome,) = _drain(lite, client, rounds=1)
    assert isinstance(outcome, outbox.RetryLater) and outcome.code == "garbage"


def test_a_dripping_answer_is_cut_at_the_deadline_and_created_once(
    lite: Database, standin: Satusehat
) -> None:
    # SATUSEHAT's answers close their connection; dripped, the deadline must still cut
    # the read. Two senders share the outbox: had the deadline not held, the first
    # one's claim would run out while it read, and the second would create again.
    _write_visit(lite, steps=())
    client = SatusehatClient(_config(standin, timeout_s=0.5))
    client.patient_ihs(NIK)
    policy = Policy(deadline_s=0.5, claim_margin_s=2.0, retry_base_s=600.0)
    senders = [
        Sender(
            lite,
            {"satusehat": dispatch.SatusehatDeliverer(client, lite)},
            {"satusehat": policy},
            poll_s=0.05,
        )
        for _ in range(2)
    ]
    standin.misbehave("drip", delay_s=0.05)  # its answer (~1 KB) would take about a minute
    for sender in senders:
        sender.start()

    def failed() -> str | None:
        with lite.read() as conn:
            code = conn.execute(select(integration_outbox.c.last_code)).scalar_one()
        return None if code is None else str(code)

    try:
        wait_until(lambda: failed() is not None, 15, "the drip ends as a failed attempt")
    finally:
        for sender in senders:
            sender.stop()
    assert failed() == "slow"  # SATUSEHAT's code for no whole answer in time
    assert len(standin.fhir_calls("POST")) == 1


INVALID = (
    (update(doctor_schedules).values(practitioner_id=None), "an ATND Practitioner/{id}"),
    (update(services).values(location_id="poli dalam"), "location: a Location/{id}"),
    (update(services).values(location_id=None), "location: a Location/{id}"),
)


def test_an_invalid_resource_is_never_sent(lite: Database, standin: Satusehat) -> None:
    """A poli without its Location or a doctor without a Practitioner: never sent, shown."""
    for n, (change, _) in enumerate(INVALID):
        _write_visit(lite, f"T-{n:03}", nik=_patient(standin, n), steps=())
        with lite.begin() as conn:
            conn.execute(update(doctor_schedules).values(practitioner_id=DOCTOR))
            conn.execute(update(services).values(location_id=POLI))
            conn.execute(change)
        _drain(lite, SatusehatClient(_config(standin)))
        first = _rows(lite)[-1]
        assert first.state == "dead" and first.last_code == "invalid"
        assert (
            "tidak valid, tidak dikirim" in first.last_error and INVALID[n][1] in first.last_error
        )
    assert standin.fhir_calls("POST") == [] and standin.fhir_calls("PUT") == []
    with lite.read() as conn:
        shown = outbox.failures(conn, satusehat_visits.OFFICE)
    assert {f.last_code for f in shown} == {"invalid"} and len(shown) == len(INVALID)


def test_a_resource_the_fhir_models_refuse_is_never_sent(standin: Satusehat) -> None:
    item = outbox.Item(
        id=1,
        target=outbox.SATUSEHAT,
        kind="encounter",
        dedupe_key="satusehat:encounter:T-9:arrived",
        order_key="encounter:T-9",
        office_id=None,
        body={"ticket_id": "T-9", "status": "arrived", "at": "kemarin pagi"},
        attempts=1,
        created_at=NOW,
    )
    facts = dispatch.VisitFacts("BT-9", NIK, DOCTOR, "dr. Andi", POLI, "Poli Dalam")
    outcome = dispatch.send(SatusehatClient(_config(standin)), item, facts, None)
    assert isinstance(outcome, outbox.Refused) and outcome.code == "invalid"
    assert "FHIR R4 Encounter: period.start" in outcome.error
    assert standin.fhir_calls("POST") == []


def test_the_servers_refusal_is_shown_with_its_words(lite: Database, standin: Satusehat) -> None:
    _write_visit(lite)
    standin.misbehave("400")
    _drain(lite, SatusehatClient(_config(standin)))
    first = _rows(lite)[0]
    assert first.state == "dead" and first.last_code == "400"
    assert "stand-in told to refuse" in first.last_error


def test_a_patient_satusehat_does_not_know_is_shown_not_retried(
    lite: Database, standin: Satusehat
) -> None:
    _write_visit(lite, nik="1471010101900009")
    _drain(lite, SatusehatClient(_config(standin)))
    first = _rows(lite)[0]
    assert first.state == "dead" and first.last_code == "no-patient"
    assert "1471010101900009" not in first.last_error  # the NIK is not shown
    assert standin.fhir_calls("POST") == []


def test_the_ihs_number_is_kept_per_citizen(standin: Satusehat) -> None:
    client = SatusehatClient(_config(standin))
    assert client.patient_ihs(NIK) == IHS
    assert client.patient_ihs(NIK) == IHS
    assert len(standin.fhir_calls("GET")) == 1


def test_a_server_that_is_down_is_unavailable_not_an_error(standin: Satusehat) -> None:
    client = SatusehatClient(_config(standin, timeout_s=0.5))
    standin.down()
    with pytest.raises(Unavailable):
        client.patient_ihs(NIK)


def _post(url: str, resource: Any, token: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - the stand-in on 127.0.0.1
        url,
        data=json.dumps(resource).encode(),
        headers={"Content-Type": "application/fhir+json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_the_standin_checks_encounters_by_its_own_rules(standin: Satusehat) -> None:
    # Independent of the code under test: it imports neither central nor fhir.resources.
    tree = ast.parse((ROOT / "testkit" / "satusehat_standin.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"central", "fhir", "pydantic", "kiosk", "contract"}
    _, token = standin.issue_token({"client_id": [standin.client_id], "client_secret": ["x"]})
    assert token == {"fault": {"faultstring": "Invalid client identifier"}}
    good = standin.issue_token(
        {"client_id": [standin.client_id], "client_secret": [standin.client_secret]}
    )[1]["access_token"]
    url = f"{standin.base_url}/Encounter"
    visit = Visit("R1", ORG, IHS, DOCTOR, POLI, "2026-12-05T08:00:00+07:00")
    resource = arrived_encounter(visit)
    for broken, why in (
        ({**resource, "status": "waiting"}, "Encounter.status"),
        ({**resource, "serviceProvider": {"reference": "Organization/999"}}, "serviceProvider"),
        ({k: v for k, v in resource.items() if k != "class"}, "Encounter.class"),
        ({**resource, "period": {"start": "2026-12-05 08:00"}}, "period.start"),
        ({**resource, "statusHistory": []}, "statusHistory"),
        ({**resource, "kelas": "AMB"}, "unknown elements"),
    ):
        status, said = _post(url, broken, good)
        assert status == 400 and said["resourceType"] == "OperationOutcome"
        assert why in said["issue"][0]["details"]["text"]
    status, created = _post(url, resource, good)
    assert status == 201 and created["id"]
    assert _post(url, resource, "not-a-token")[0] == 401


def test_the_adapter_and_the_standin_agree_on_what_is_invalid() -> None:
    visit = Visit("R1", ORG, IHS, DOCTOR, POLI, "2026-12-05T08:00:00+07:00")
    resource = arrived_encounter(visit)
    assert validate(resource, ORG)["status"] == "arrived"
    with pytest.raises(InvalidResource, match="status"):
        validate({**resource, "status": "waiting"}, ORG)
    with pytest.raises(InvalidResource, match="FHIR R4 Encounter"):
        validate({**resource, "class": "AMB"}, ORG)


def test_the_secret_and_the_token_never_shown(standin: Satusehat) -> None:
    config = _config(standin)
    client = SatusehatClient(config)
    client.patient_ihs(NIK)
    (token,) = standin.tokens
    for shown in (repr(config), repr(client), repr(client.tokens)):
        assert standin.client_secret not in shown and token not in shown
    with pytest.raises(IntegrationsError, match=r"\[satusehat\]"):
        parse('[satusehat]\nauth_url = "https://x/oauth2/v1"\n')


def test_a_cancelled_visit_cancels_its_encounter(lite: Database, standin: Satusehat) -> None:
    _write_visit(lite, steps=("call",))
    with lite.begin() as conn:
        triggers.visit_cancelled(conn, "T-001", NOW + dt.timedelta(minutes=15))
    _drain(lite, SatusehatClient(_config(standin)))
    assert [r.state for r in _rows(lite)] == ["sent", "sent", "sent"]
    (encounter_id,) = standin.encounters
    assert standin.statuses[encounter_id] == ["arrived", "in-progress", "cancelled"]
