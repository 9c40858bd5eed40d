"""SATUSEHAT's IHS numbers kept in the database: one Patient search per patient a day,
whatever process sends and however often the centre restarts.

The real server over HTTP with the SATUSEHAT stand-in (SQLite and PostgreSQL): Siti
registers at three polis of the demo hospital, the centre restarting between them;
SATUSEHAT is asked for her Patient once, until the day's answer is too old. Then the
keeping itself: shared by two clients of one database, "none" never kept, a day's
limit, old rows purged, no NIK in the table.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from central.access.audit import utc_now
from central.database import Database
from central.hospital import demo as hospital_demo
from central.integrations import outbox
from central.integrations.config import SatusehatSettings, parse
from central.integrations.satusehat import dispatch
from central.integrations.satusehat.client import SatusehatClient
from central.integrations.satusehat.patients import KEEP, InDatabase, InMemory
from central.process import RunningCentral, start_central
from central.tables import satusehat_patients
from testkit.centre_hospital import (
    allocate,
    hospital_kiosk,
    hospital_registration,
    what_the_registration_did,
)
from testkit.centre_requests import ZONE, new_id, results
from testkit.centres import BACKENDS, TEST_SERVER_ARGS, migrated_database
from testkit.demo import ORGANIZATION_ID, PATIENTS, polis
from testkit.satusehat_standin import Satusehat
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(240)

SITI_NIK = "1471015203850001"
KEY = b"k" * 32
_fallbacks = itertools.count(101)


@pytest.fixture
def standin() -> Iterator[Satusehat]:
    """SATUSEHAT as the demo hospital's stand-in knows it: its patients, doctors, polis."""
    server = Satusehat(organization_id=ORGANIZATION_ID)
    server.patients.update(PATIENTS)
    server.practitioners.update(hospital_demo.PRACTITIONERS.values())
    server.locations.update(location for _, location in polis().values() if location)
    try:
        yield server
    finally:
        server.close()


def _integrations(folder: Path, standin: Satusehat) -> Path:
    path = folder / "integrations.toml"
    path.write_text(
        standin.section_text(timeout_s=2, retry_base_s=0.2, retry_max_s=0.5), encoding="utf-8"
    )
    path.chmod(0o600)
    return path


def patient_searches(standin: Satusehat) -> int:
    return sum(1 for call in standin.fhir_calls("GET") if "/Patient" in call.path)


def register_siti(centre: RunningCentral, kiosk: tuple[str, str], stem: str, db: Database) -> None:
    """Siti's JKN visit with the demo doctor ``stem`` today: online for the internist
    (all day), from an offline kiosk's fallback number for the others (their hours may
    be over when the suite runs; a registration is recorded all the same)."""
    token, code = kiosk
    day = dt.datetime.now(ZONE).date()
    schedule = hospital_demo.schedule_id(stem, day)
    service = next(d[1] for d in hospital_demo.DOCTORS if d[0] == stem)
    ticket_id = new_id()
    if stem == hospital_demo.EXAMPLE_DOCTOR:
        made = allocate(centre.url, token, schedule, ticket_id=ticket_id, service_id=service)
        assert made.status_code == 201, made.text
        number, source = made.json()["display"], "online"
    else:
        prefix = {"poli-anak": "N", "poli-gigi": "G"}[service]
        number, source = f"{prefix}-{code}-{next(_fallbacks)}", "fallback"
    item = hospital_registration(
        ticket_id, number, source, {"schedule_id": schedule, "payer": "jkn"}, service_id=service
    )
    [done] = results(centre.url, token, [item])
    assert done["status"] == "accepted", done
    assert "kodebooking" in what_the_registration_did(db, ticket_id)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_restarted_centre_asks_satusehat_for_a_patient_once_a_day(
    backend: str,
    standin: Satusehat,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    url = migrated_database(request, tmp_path_factory, backend, "ihs")
    args = (*TEST_SERVER_ARGS, "--integrations", str(_integrations(tmp_path, standin)))
    db = Database(url)
    try:
        with start_central(seed_demo=True, db_url=url, extra_args=args) as first:
            kiosk = hospital_kiosk(first.url)
            register_siti(first, kiosk, "rsud-dalam-andi", db)
            wait_until(lambda: len(standin.encounters) == 1, 30, "the first Encounter")
            logs = first.output_tail()
        assert patient_searches(standin) == 1
        with start_central(seed_demo=True, db_url=url, extra_args=args) as second:
            register_siti(second, kiosk, "rsud-anak-dewi", db)
            wait_until(lambda: len(standin.encounters) == 2, 30, "the second Encounter")
            assert patient_searches(standin) == 1, "the restarted centre asked SATUSEHAT again"
            with db.begin() as conn:  # a day on: the answer is too old to trust
                conn.execute(
                    update(satusehat_patients).values(
                        found_at=utc_now() - KEEP - dt.timedelta(minutes=1)
                    )
                )
            register_siti(second, kiosk, "rsud-gigi-hendra", db)
            wait_until(lambda: len(standin.encounters) == 3, 30, "the third Encounter")
            logs += second.output_tail()
        assert patient_searches(standin) == 2
        subjects = {e["subject"]["reference"] for e in standin.encounters.values()}
        assert subjects == {f"Patient/{PATIENTS[SITI_NIK]}"}
        with db.read() as conn:
            (row,) = conn.execute(select(satusehat_patients)).all()
        assert row.ihs_number == PATIENTS[SITI_NIK]
        assert SITI_NIK not in row.nik_hash
        assert SITI_NIK not in logs and PATIENTS[SITI_NIK] not in logs
    finally:
        db.dispose()


def _config(standin: Satusehat) -> SatusehatSettings:
    settings = parse(standin.section_text()).satusehat
    assert settings is not None
    return settings


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    database = Database(migrated_db_url, pool_size=5)
    try:
        yield database
    finally:
        database.dispose()


def test_two_processes_share_a_patients_number_and_none_is_never_kept(
    db: Database, standin: Satusehat
) -> None:
    one = SatusehatClient(_config(standin), known=InDatabase(db, KEY))
    other = SatusehatClient(_config(standin), known=InDatabase(db, KEY))
    assert one.patient_ihs(SITI_NIK) == PATIENTS[SITI_NIK]
    assert other.patient_ihs(SITI_NIK) == PATIENTS[SITI_NIK]
    assert patient_searches(standin) == 1
    unknown = "1471010101900009"
    assert one.patient_ihs(unknown) is None
    standin.patients[unknown] = "P00000000009"  # the patient registers with SATUSEHAT
    assert other.patient_ihs(unknown) == "P00000000009", "a 'none' was kept"
    assert patient_searches(standin) == 3


def test_a_day_old_number_is_asked_again_and_old_rows_go(db: Database, standin: Satusehat) -> None:
    client = SatusehatClient(_config(standin), known=InDatabase(db, KEY))
    now = utc_now()
    with db.begin() as conn:  # another citizen's number, found two days ago
        conn.execute(
            insert(satusehat_patients).values(
                nik_hash="0" * 64, ihs_number="P00000000001", found_at=now - 2 * KEEP
            )
        )
    assert client.patient_ihs(SITI_NIK) == PATIENTS[SITI_NIK]
    with db.begin() as conn:
        hashes = conn.execute(select(satusehat_patients.c.nik_hash)).scalars().all()
        assert "0" * 64 not in hashes, "a row past its day was not purged"
        conn.execute(
            update(satusehat_patients).values(found_at=now - KEEP - dt.timedelta(seconds=1))
        )
    assert client.patient_ihs(SITI_NIK) == PATIENTS[SITI_NIK]
    assert patient_searches(standin) == 2
    with db.read() as conn:
        (row,) = conn.execute(select(satusehat_patients)).all()
    assert row.found_at > now - dt.timedelta(minutes=1), "the new answer's time was kept"
    assert SITI_NIK not in (row.nik_hash, row.ihs_number)


def test_a_process_alone_keeps_a_number_a_day() -> None:
    kept = InMemory()
    at = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
    kept.put(SITI_NIK, PATIENTS[SITI_NIK], at)
    assert kept.get(SITI_NIK, at + KEEP - dt.timedelta(seconds=1)) == PATIENTS[SITI_NIK]
    assert kept.get(SITI_NIK, at + KEEP) is None
    assert SITI_NIK not in repr(kept)


def test_a_kept_number_satusehat_refuses_is_asked_again_when_the_visit_is_sent_again(
    db: Database, standin: Satusehat
) -> None:
    """Siti's Patient changes at SATUSEHAT (records merged) after her number was kept: the
    Encounter naming the kept one is refused, and staff sending it again must not meet the
    same refusal for the rest of the day: the number refused is forgotten and asked again."""
    client = SatusehatClient(_config(standin), known=InDatabase(db, KEY))
    assert client.patient_ihs(SITI_NIK) == PATIENTS[SITI_NIK]
    standin.patients[SITI_NIK] = "P09999999999"  # her Patient as SATUSEHAT now has it
    location = next(location for _, location in polis().values() if location)
    doctor = next(iter(hospital_demo.PRACTITIONERS.values()))
    facts = dispatch.VisitFacts("KB-SITI", SITI_NIK, doctor, "dr. Andi", location, "Poli Dalam")

    def item(tries: int) -> outbox.Item:
        return outbox.Item(
            id=1,
            target=outbox.SATUSEHAT,
            kind="encounter",
            dedupe_key="satusehat:encounter:T-SITI:arrived",
            order_key="encounter:T-SITI",
            office_id=None,
            body={"ticket_id": "T-SITI", "status": "arrived", "at": utc_now().isoformat()},
            attempts=1,
            created_at=utc_now(),
            tries=tries,
        )

    refused = dispatch.send(client, item(1), facts, None)
    assert isinstance(refused, outbox.Refused), refused
    again = dispatch.send(client, item(2), facts, None)
    assert isinstance(again, outbox.Sent), again
    (encounter,) = standin.encounters.values()
    assert encounter["subject"]["reference"] == "Patient/P09999999999"
    with db.read() as conn:
        (row,) = conn.execute(select(satusehat_patients)).all()
    assert row.ihs_number == "P09999999999"
