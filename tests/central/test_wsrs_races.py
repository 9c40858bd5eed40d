"""WS RS calls racing each other on PostgreSQL, over two real server processes of one database.

BPJS retries, two phones book at once, a patient cancels in the app as they tap the
card: each case is sent concurrently to both processes, and every answer must be
BPJS's envelope, telling the truth, with nothing personal in either process's log.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Executable, event, func, insert, select, text, update

from central.access.audit import utc_now
from central.database import Database
from central.process import RunningCentral, start_central
from central.tables import bookings, citizens, hospital_visits
from central.wsrs.service import _ambil, _patient
from central.wsrs.shapes import AmbilAntrean
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_accounts import new_staff
from testkit.centre_hospital import hospital_kiosk
from testkit.centre_requests import ZONE, results
from testkit.centres import LOOSE_SERVER_ARGS
from testkit.mjkn import (
    BASE,
    KODEPOLI,
    OFFICE,
    USERNAME,
    ambil_body,
    integrations_file,
    new_patient,
    poli_ticket,
    put_doctor,
    wsrs_token,
)

pytestmark = pytest.mark.timeout(180)

ALL_DAY = "00:00-23:59"


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
    url = request.getfixturevalue("pg_cluster").create_database(migrated=True)
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    config = integrations_file(folder, standin)
    args = (*LOOSE_SERVER_ARGS, "--integrations", str(config))
    first = start_central(seed_demo=True, db_url=url, extra_args=args)
    second = None
    db = Database(url)
    try:
        second = start_central(seed_demo=True, db_url=url, extra_args=args)
        servers = (first, second)
        yield Pair(
            (first.url, second.url),
            (wsrs_token(first.url), wsrs_token(second.url)),
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
    return put_doctor(
        p.urls[0], p.staff, day, name="Balapan", starts="00:00", ends="23:59", quota_jkn=quota_jkn
    )


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
                lambda i: envelope(
                    call(pair, i, "/antrean", ambil_body(patient, kode, day, ALL_DAY))
                ),
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


def test_a_new_niks_record_committed_mid_read_is_not_taken_for_another_patients_card(
    pair: Pair,
) -> None:
    """The race behind the last test's rare wrong answer, made certain: another call
    commits the NIK's new record between this call's statements. Its reads must agree
    with each other (the NIK unknown, so the card not yet anyone's), never "the card
    number belongs to another NIK" for the card's own patient."""
    patient = new_patient()
    req = AmbilAntrean(
        kodepoli="ANA",
        kodedokter=1,
        tanggalperiksa=today(),
        starts="00:00",
        ends="23:59",
        jeniskunjungan=1,
        nomorreferensi="",
        nomorkartu=patient["nomorkartu"],
        nik=patient["nik"],
        nohp="",
        norm="",
    )
    other_ctx = pair.db.engine.connect()
    other = other_ctx.begin()
    other_ctx.execute(
        insert(citizens).values(
            nik=patient["nik"],
            full_name="",
            bpjs_number=patient["nomorkartu"],
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    statements: list[str] = []

    def commit_the_other_after_the_first(*args: Any) -> None:
        statements.append(args[2])
        if other.is_active:
            other.commit()

    try:
        with pair.db.read() as conn:
            event.listen(conn, "after_cursor_execute", commit_the_other_after_the_first)
            try:
                seen = _patient(conn, req, OFFICE)
            finally:
                event.remove(conn, "after_cursor_execute", commit_the_other_after_the_first)
    finally:
        if other.is_active:
            other.rollback()
        other_ctx.close()
    assert statements, "the patient's reads ran no statement"
    assert not other.is_active, "the other call's record was never committed"
    assert seen == (None, ""), seen


def _ambil_while(pair: Pair, patient: dict[str, str], card: str, meanwhile: Executable) -> Any:
    """``_ambil`` for ``patient`` with ``card``, in a transaction of its own; once it has
    read the citizens, the statement ``meanwhile`` is committed by another connection."""
    day = today()
    kode = doctor(pair, day)
    req = AmbilAntrean(
        kodepoli=KODEPOLI,
        kodedokter=kode,
        tanggalperiksa=day,
        starts="00:00",
        ends="23:59",
        jeniskunjungan=1,
        nomorreferensi="0001R0040116A000001",
        nomorkartu=card,
        nik=patient["nik"],
        nohp="081234567890",
        norm="",
    )
    done: list[bool] = []

    def commit_the_other(*args: Any) -> None:
        if not done and "FROM citizens" in args[2]:
            done.append(True)
            with pair.db.begin() as other:
                other.execute(meanwhile)

    with pair.db.begin() as conn:
        event.listen(conn, "after_cursor_execute", commit_the_other)
        try:
            answer = _ambil(
                conn, req, audit_key=b"k" * 32, zone=ZONE, now=utc_now(), actor="bpjs-mjkn"
            )
        finally:
            event.remove(conn, "after_cursor_execute", commit_the_other)
    assert done, "the citizens were never read"
    return answer


def _known_without_card(pair: Pair) -> dict[str, str]:
    patient = new_patient()
    with pair.db.begin() as conn:
        conn.execute(
            insert(citizens).values(
                nik=patient["nik"], full_name="Tanpa Kartu", updated_at=dt.datetime.now(dt.UTC)
            )
        )
    return patient


def test_a_card_taken_by_a_new_nik_meanwhile_is_a_card_mismatch_not_a_server_error(
    pair: Pair,
) -> None:
    """A known NIK without a card books with card C; meanwhile another call makes a new
    NIK's record with C. The unique card refuses this call's update: the envelope's card
    mismatch, as one after the other, never an exception (a 500)."""
    known = _known_without_card(pair)
    other = new_patient()
    card = other["nomorkartu"]
    answer = _ambil_while(
        pair,
        known,
        card,
        insert(citizens).values(
            nik=other["nik"], full_name="", bpjs_number=card, updated_at=dt.datetime.now(dt.UTC)
        ),
    )
    assert answer["metadata"]["code"] == 201, answer
    assert "Nomor kartu tidak sesuai" in answer["metadata"]["message"]
    with pair.db.read() as conn:
        visits = conn.execute(
            select(func.count())
            .select_from(hospital_visits)
            .where(hospital_visits.c.nik == known["nik"])
        ).scalar_one()
    assert visits == 0


def test_a_card_given_to_the_record_meanwhile_refuses_a_booking_with_another_card(
    pair: Pair,
) -> None:
    """A known NIK without a card is booked with card C while another call gives the
    record card D: this booking is refused (card mismatch), never kept under a card the
    record does not hold."""
    known = _known_without_card(pair)
    other_card = new_patient()["nomorkartu"]
    answer = _ambil_while(
        pair,
        known,
        known["nomorkartu"],
        update(citizens).where(citizens.c.nik == known["nik"]).values(bpjs_number=other_card),
    )
    assert answer["metadata"]["code"] == 201, answer
    assert "Nomor kartu tidak sesuai" in answer["metadata"]["message"]
    with pair.db.read() as conn:
        held = conn.execute(
            select(citizens.c.bpjs_number).where(citizens.c.nik == known["nik"])
        ).scalar_one()
        visits = conn.execute(
            select(func.count())
            .select_from(hospital_visits)
            .where(hospital_visits.c.nik == known["nik"])
        ).scalar_one()
    assert (held, visits) == (other_card, 0)


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
        response = call(pair, 0, "/antrean", ambil_body(patient, kode, day, ALL_DAY))
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


def book(p: Pair, kode: int, day: dt.date) -> str:
    response = call(p, 0, "/antrean", ambil_body(new_patient(), kode, day, ALL_DAY))
    assert envelope(response)[:2] == (200, 202), response.text
    code: str = response.json()["response"]["kodebooking"]
    return code


def states(p: Pair, code: str) -> tuple[str, str, str | None]:
    """(the booking's state, the visit's state, the visit's ticket)."""
    with p.db.read() as conn:
        booking = conn.execute(select(bookings.c.state).where(bookings.c.code == code)).scalar_one()
        visit = conn.execute(
            select(hospital_visits.c.state, hospital_visits.c.ticket_id).where(
                hospital_visits.c.kodebooking == code
            )
        ).one()
    return booking, visit.state, visit.ticket_id


def test_batal_and_the_kiosk_check_in_at_once_never_deadlock_and_agree(pair: Pair) -> None:
    """Batal on one process, the kiosk's check-in of the same booking on the other, at once:
    one of them wins every time, the other's answer says so, both tables agree."""
    day = today()
    kode = doctor(pair, day, quota_jkn=40)
    kiosk = hospital_kiosk(pair.urls[1])[0]
    for _ in range(12):
        code = book(pair, kode, day)
        ticket_id, item = poli_ticket(pair.urls[1], kiosk)
        item["body"]["booking_code"] = code
        with ThreadPoolExecutor(2) as pool:
            batal = pool.submit(call, pair, 0, "/antrean/batal", {"kodebooking": code})
            kiosk_said = pool.submit(results, pair.urls[1], kiosk, [item])
            status, meta, message = envelope(batal.result())
            (got,) = kiosk_said.result()
        assert status == 200 and got["status"] == "accepted", (message, got)
        booking, visit, ticket = states(pair, code)
        if meta == 200:  # the cancel came first: the kiosk's ticket is a walk-in
            assert got["result"]["booking"] == "cancelled", got
            assert (booking, visit, ticket) == ("cancelled", "cancelled", None)
        else:
            assert "sudah check-in" in message, message
            assert got["result"]["booking"] == "checked_in", got
            assert (booking, visit, ticket) == ("checked_in", "checked_in", ticket_id)
    assert "deadlock" not in pair.logs().lower()


def test_of_concurrent_cancels_one_is_ok_and_the_others_hear_already_cancelled(
    pair: Pair,
) -> None:
    day = today()
    kode = doctor(pair, day)
    code = book(pair, kode, day)
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(
                lambda i: envelope(call(pair, i, "/antrean/batal", {"kodebooking": code})), range(6)
            )
        )
    assert sorted(code for _, code, _ in answers) == [200, 201, 201, 201, 201, 201], answers
    for status, meta, message in answers:
        assert status == 200
        assert meta == 200 or "sudah dibatalkan sebelumnya" in message, answers
    assert states(pair, code) == ("cancelled", "cancelled", None)
