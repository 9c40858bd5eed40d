"""WS RS calls racing each other on PostgreSQL, over two real server processes of one database.

BPJS retries, two phones book at once, a patient cancels in the app as they tap the
card: each case is sent concurrently to both processes, and every answer must be
BPJS's envelope, telling the truth, with nothing personal in either process's log.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, text

from central.database import Database
from central.process import RunningCentral, start_central
from central.tables import citizens
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_accounts import bearer, new_staff
from testkit.centre_requests import ZONE
from testkit.centres import LOOSE_SERVER_ARGS

pytestmark = pytest.mark.timeout(180)

USERNAME = "bpjs-mjkn"
PASSWORD = "rahasia-uji-ws-rs-0003"  # noqa: S105 - the test's own account
OFFICE = "rsud-pku"
POLI = "poli-anak"
KODEPOLI = "ANA"
BASE = "/api/v1/wsrs"
_doctors = itertools.count(72001)
_cards = itertools.count(1)


@dataclass(frozen=True)
class Pair:
    urls: tuple[str, str]
    tokens: tuple[str, str]
    servers: tuple[RunningCentral, RunningCentral]
    db: Database
    staff: str

    def logs(self) -> str:
        return "\n".join(s.output_tail() for s in self.servers)


@pytest.fixture(scope="module")
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    folder: Path = tmp_path_factory.mktemp("wsrs-races")
    url = request.getfixturevalue("pg_cluster").create_database()
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    config = folder / "integrations.toml"
    config.write_text(
        "[bpjs]\n"
        f'antrean_url = "{standin.url}"\n'
        f'cons_id = "{standin.cons_id}"\n'
        f'secret_key = "{standin.secret}"\n'
        f'user_key = "{standin.user_key}"\n'
        f'ws_rs_username = "{USERNAME}"\n'
        f'ws_rs_password = "{PASSWORD}"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    args = (*LOOSE_SERVER_ARGS, "--integrations", str(config))
    first = start_central(seed_demo=True, db_url=url, extra_args=args)
    second = None
    db = Database(url)
    try:
        second = start_central(seed_demo=True, db_url=url, extra_args=args)
        servers = (first, second)
        tokens = tuple(
            requests.get(
                s.url + f"{BASE}/token",
                headers={"x-username": USERNAME, "x-password": PASSWORD},
                timeout=10,
            ).json()["response"]["token"]
            for s in servers
        )
        yield Pair(
            (first.url, second.url),
            (tokens[0], tokens[1]),
            servers,
            db,
            new_staff(db, first.url),
        )
    finally:
        db.dispose()
        if second is not None:
            second.stop()
        first.stop()


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def doctor(p: Pair, day: dt.date, *, quota_jkn: int = 20) -> int:
    """A doctor of Poli Anak with hours all day on ``day``'s weekday; their ``kodedokter``."""
    kode = next(_doctors)
    body = {
        "service_id": POLI,
        "kodedokter": str(kode),
        "doctor_name": f"dr. Balapan {kode}, Sp.A",
        "weekday": day.isoweekday(),
        "starts": "00:00",
        "ends": "23:59",
        "quota_jkn": quota_jkn,
        "quota_non_jkn": 3,
        "minutes_per_patient": 10,
    }
    answer = requests.put(
        f"{p.urls[0]}/api/v1/staff/hospital/{OFFICE}/schedules/balapan-{kode}",
        json=body,
        headers=bearer(p.staff),
        timeout=10,
    )
    assert answer.status_code in (200, 201), answer.text
    return kode


def new_patient() -> dict[str, str]:
    """A NIK the city's records do not hold (a man born 15 May 1990) and a card number."""
    n = next(_cards)
    return {"nik": f"14710215059{n + 300:05d}", "nomorkartu": f"00098766{n:05d}"}


def ambil_body(patient: dict[str, str], kode: int, day: dt.date) -> dict[str, Any]:
    return {
        "nomorkartu": patient["nomorkartu"],
        "nik": patient["nik"],
        "nohp": "081234567890",
        "kodepoli": KODEPOLI,
        "norm": "",
        "tanggalperiksa": day.isoformat(),
        "kodedokter": kode,
        "jampraktek": "00:00-23:59",
        "jeniskunjungan": 1,
        "nomorreferensi": "0001R0040116A000001",
    }


def call(p: Pair, which: int, path: str, body: Any) -> requests.Response:
    headers = {"x-token": p.tokens[which % 2], "x-username": USERNAME}
    return requests.post(p.urls[which % 2] + BASE + path, json=body, headers=headers, timeout=60)


def envelope(response: requests.Response) -> tuple[int, int, str]:
    """(HTTP status, metadata.code, message) of an answer that must be BPJS's envelope."""
    body = response.json()
    return response.status_code, body["metadata"]["code"], body["metadata"]["message"]


def test_one_new_nik_booked_at_once_on_two_processes_is_booked_once(pair: Pair) -> None:
    day = today()
    kode = doctor(pair, day)
    patient = new_patient()
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda i: envelope(call(pair, i, "/antrean", ambil_body(patient, kode, day))),
                range(8),
            )
        )
    kinds = Counter((status, code) for status, code, _ in answers)
    assert kinds == {(200, 202): 1, (200, 201): 7}, answers
    assert all("sudah memiliki antrean" in m for _, code, m in answers if code == 201), answers
    with pair.db.read() as conn:
        held = conn.execute(
            select(func.count()).select_from(citizens).where(citizens.c.nik == patient["nik"])
        ).scalar_one()
    assert held == 1
    logs = pair.logs()
    assert patient["nik"] not in logs and patient["nomorkartu"] not in logs


def test_an_unforeseen_failure_is_answered_in_the_envelope_and_logged_without_data(
    pair: Pair,
) -> None:
    """A database that refuses the visit (a trigger, as a full disk or a broken constraint
    would): HTTP 500 in BPJS's envelope, and the log names the failure, not the patient."""
    day = today()
    kode = doctor(pair, day)
    patient = new_patient()
    with pair.db.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse_visit() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'refused visit of %', NEW.nik; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse_visit BEFORE INSERT ON hospital_visits FOR EACH ROW "
                f"WHEN (NEW.kodedokter = '{kode}') EXECUTE FUNCTION refuse_visit()"
            )
        )
    try:
        response = call(pair, 0, "/antrean", ambil_body(patient, kode, day))
    finally:
        with pair.db.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_visit ON hospital_visits"))
            conn.execute(text("DROP FUNCTION refuse_visit()"))
    status, code, message = envelope(response)
    assert (status, code) == (500, 201)
    assert "coba lagi" in message
    logs = pair.logs()
    assert "WS RS /api/v1/wsrs/antrean failed" in logs
    assert patient["nik"] not in logs and patient["nomorkartu"] not in logs
