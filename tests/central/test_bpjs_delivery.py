"""BPJS Antrean RS reporting end to end: two server processes on one database (SQLite and
PostgreSQL), the BPJS stand-in over real HTTP, and BPJS down, refusing, or changing its
secret mid-day. Registration goes on; everything reaches BPJS once it is back, each task
once and in order per booking; staff see what failed and BPJS's own words."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from central.access import staff
from central.database import Database
from central.process import RunningCentral, start_central
from central.tables import audit_log, hospital_visits, integration_outbox
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_accounts import new_staff_account
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    hospital_kiosk,
    hospital_registration,
    hospital_staff,
    new_schedule,
    visit_cancel,
)
from testkit.centre_requests import new_id, results, staff_post
from testkit.centres import TEST_SERVER_ARGS
from testkit.office_sessions import logged_in
from testkit.waits import wait_until

NewDbUrl = Callable[[str], str]


def _file(folder: Path, standin: BpjsStandIn, secret: str) -> Path:
    path = folder / f"integrations-{uuid.uuid4().hex[:6]}.toml"
    path.write_text(
        "[bpjs]\n"
        f'antrean_url = "{standin.url}"\n'
        f'cons_id = "{standin.cons_id}"\n'
        f'secret_key = "{secret}"\n'
        f'user_key = "{standin.user_key}"\n'
        'ws_rs_username = "rs-test"\n'
        'ws_rs_password = "sandi-test"\n'
        "timeout_s = 2\n"
        "retry_base_s = 0.2\n"
        "retry_max_s = 0.5\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


@pytest.fixture
def standin() -> Iterator[BpjsStandIn]:
    server = BpjsStandIn()
    try:
        yield server
    finally:
        server.close()


class Hospital:
    """Two server processes on one database (the demo hospital), reporting to the stand-in."""

    def __init__(self, db_url: str, config: Path) -> None:
        args = (*TEST_SERVER_ARGS, "--integrations", str(config))
        self.servers: list[RunningCentral] = [start_central(db_url=db_url, extra_args=args)]
        self.servers.append(start_central(db_url=db_url, extra_args=args))
        self.db = Database(db_url)
        self.url = self.servers[0].url
        self.kiosk_token, _ = hospital_kiosk(self.url)
        self.staff = hospital_staff(self.db, self.url)
        self.schedule = new_schedule(self.url, self.staff, quota_jkn=20)
        self._registered = 0
        self.tickets: dict[str, str] = {}

    def restart(self, config: Path) -> None:
        """Staff fixed the file: the servers start again with it."""
        args = (*TEST_SERVER_ARGS, "--integrations", str(config))
        for server in self.servers:
            server.stop()
        self.servers = [start_central(db_url=self.db_url, extra_args=args) for _ in range(2)]
        self.url = self.servers[0].url

    @property
    def db_url(self) -> str:
        return str(self.db.engine.url.render_as_string(hide_password=False))

    def register(self, n: int) -> list[str]:
        """``n`` JKN patients registered at the poli through the kiosk routes: their
        booking codes."""
        codes = []
        for _ in range(n):
            self._registered += 1
            i = self._registered
            ticket_id = new_id()
            answer = allocate(self.url, self.kiosk_token, self.schedule, ticket_id=ticket_id)
            assert answer.status_code == 201, answer.text
            allocated = answer.json()
            hospital = {
                "schedule_id": self.schedule,
                "payer": "jkn",
                "norm": f"{i:06d}",
                "nomorkartu": f"000123456{i:04d}",
                "new_patient": False,
                "jeniskunjungan": 1,
                "nomorreferensi": "0001R0011226K000001",
            }
            # one person each (a NIK the city does not know), never Siti's NIK and card
            # with another No. RM and BPJS number: the centre refuses mixed identities
            item = hospital_registration(
                ticket_id,
                allocated["display"],
                "online",
                hospital,
                values={"full_name": f"Pasien {i}", "nik": f"147102150590{i:04d}"},
                card_number=None,
            )
            [done] = results(self.url, self.kiosk_token, [item])
            assert done["status"] == "accepted", done
            codes.append(str(allocated["hospital"]["kodebooking"]))
            self.tickets[codes[-1]] = ticket_id
        return codes

    def cancel(self, kodebooking: str) -> None:
        ticket_id = self.tickets[kodebooking]
        [done] = results(
            self.url, self.kiosk_token, [visit_cancel(f"cancel-{ticket_id}", ticket_id)]
        )
        assert done["result"]["cancel"] == "cancelled", done

    def call_and_serve_all(self) -> None:
        """Each ticket called (at one process) and served (at the other)."""
        while True:
            called = staff_post(
                self.servers[1].url,
                self.staff,
                "/api/v1/staff/queue/call-next",
                {"office_id": HOSPITAL, "service_id": "poli-dalam", "counter": "3"},
            )
            assert called.status_code == 200, called.text
            ticket = called.json()["ticket"]
            if ticket is None:
                return
            done = staff_post(
                self.servers[0].url,
                self.staff,
                f"/api/v1/staff/tickets/{ticket['ticket_id']}/served",
            )
            assert done.status_code == 200, done.text

    def rows(self) -> list[dict[str, object]]:
        with self.db.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(integration_outbox))]

    def all_sent(self) -> bool:
        return all(row["state"] == "sent" for row in self.rows())

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def hospital(
    request: pytest.FixtureRequest,
    new_migrated_db_url: NewDbUrl,
    standin: BpjsStandIn,
    tmp_path: Path,
) -> Iterator[Hospital]:
    made = Hospital(
        new_migrated_db_url(str(request.param)), _file(tmp_path, standin, standin.secret)
    )
    try:
        made.call_and_serve_all()  # the demo's queue starts empty
        yield made
    finally:
        made.close()


def _no_task_twice(standin: BpjsStandIn) -> None:
    received = Counter(
        (c.body["kodebooking"], c.body["taskid"])
        for c in standin.calls
        if c.path == "antrean/updatewaktu" and c.code in (200, 201)
    )
    assert received and max(received.values()) == 1, received


def test_bpjs_down_then_back_everything_arrives_once_and_in_order(
    hospital: Hospital, standin: BpjsStandIn
) -> None:
    standin.down()
    codes = hospital.register(4)  # registration goes on while BPJS is down
    hospital.cancel(codes.pop())  # the desk cancels one: task 99, then batal
    hospital.call_and_serve_all()
    wait_until(
        lambda: any(r["last_error"] for r in hospital.rows()), 30, "a failed attempt recorded"
    )
    username = new_staff_account(hospital.db, staff.Role.ADMIN, HOSPITAL)
    http, _ = logged_in(hospital.url, username)
    page = http.get(f"{hospital.url}/office/integrations", timeout=10).text
    assert "BPJS tidak dapat dihubungi" in page and "dicoba lagi" in page
    assert codes[0] in page
    standin.up()
    wait_until(hospital.all_sent, 60, "every row sent once BPJS is back")
    for code in codes:
        assert standin.tasks(code) == [1, 2, 3, 4, 5]
    cancelled = next(iter(set(standin.added) - set(codes)))
    assert standin.tasks(cancelled) == [1, 2, 3, 99]
    (batal,) = standin.accepted("antrean/batal")
    assert batal.body == {"kodebooking": cancelled, "keterangan": "Pasien batal"}
    added = standin.added[codes[0]]
    assert added["jenispasien"] == "JKN" and added["nomorkartu"] == "0001234560001"
    assert (added["kodepoli"], added["kodedokter"], added["nik"]) == (
        "INT",
        99001,
        "1471021505900001",
    )
    assert len(standin.accepted("antrean/add")) == 4
    _no_task_twice(standin)
    assert standin.refused == 0
    assert "BPJS tidak dapat dihubungi" not in http.get(f"{hospital.url}/office/integrations").text
    for server in hospital.servers:  # what the servers logged: no secret, nothing personal
        logged = server.output_tail()
        assert "integrations on: bpjs" in logged
        for never in (standin.secret, standin.user_key, "sandi-test", added["nik"], "0001234560"):
            assert str(never) not in logged


def test_task_5_is_sent_when_the_poli_sends_the_patient_on_not_when_sent_back(
    hospital: Hospital, standin: BpjsStandIn
) -> None:
    """The staff API's own steps: called at the poli, sent on to the pharmacy, called there
    and sent back to the poli (a prescription to correct). BPJS hears task 5 (waiting at
    the pharmacy) once, at the send-on, and nothing of the send-back."""
    (code,) = hospital.register(1)
    ticket_id = hospital.tickets[code]

    def step(path: str, body: dict[str, str], tasks: list[int]) -> None:
        done = staff_post(hospital.url, hospital.staff, path, body)
        assert done.status_code == 200, done.text
        ticket = done.json()
        assert ticket.get("ticket", ticket)["ticket_id"] == ticket_id  # call-next wraps it
        wait_until(lambda: all(r["state"] != "pending" for r in hospital.rows()), 30, "rows sent")
        assert standin.tasks(code) == tasks, path

    call = "/api/v1/staff/queue/call-next"
    transfer = f"/api/v1/staff/tickets/{ticket_id}/transfer"
    step(call, {"office_id": HOSPITAL, "service_id": "poli-dalam", "counter": "3"}, [1, 2, 3, 4])
    step(transfer, {"counter": "3", "service_id": "farmasi"}, [1, 2, 3, 4, 5])
    step(
        call,
        {"office_id": HOSPITAL, "service_id": "farmasi", "counter": "Farmasi"},
        [1, 2, 3, 4, 5, 6],
    )
    step(transfer, {"counter": "Farmasi", "service_id": "poli-dalam"}, [1, 2, 3, 4, 5, 6])
    assert hospital.all_sent()


# What differs between the databases (claims across processes, the order per booking) is
# proven on both above; BPJS's refusals and its secret are the same on either.
@pytest.mark.parametrize("hospital", ["sqlite"], indirect=True)
def test_a_refusal_holds_its_booking_until_staff_send_it_again(
    hospital: Hospital, standin: BpjsStandIn
) -> None:
    standin.misbehave("error", times=1, code=201, message="Server antrean sedang pemeliharaan")
    (refused,) = hospital.register(1)
    wait_until(
        lambda: any(r["state"] == "dead" for r in hospital.rows()), 30, "the refused add dead"
    )
    (other,) = hospital.register(1)  # another booking is not held by it
    wait_until(lambda: standin.tasks(other) == [1, 2, 3], 30, "the other booking's tasks")
    assert standin.tasks(refused) == []  # its tasks wait for its add
    username = new_staff_account(hospital.db, staff.Role.ADMIN, HOSPITAL)
    http, csrf = logged_in(hospital.url, username)
    page = http.get(f"{hospital.url}/office/integrations", timeout=10).text
    assert "[201] Server antrean sedang pemeliharaan" in page
    row = re.search(r'action="/office/integrations/(\d+)/send-again"', page)
    assert row is not None
    again = http.post(
        f"{hospital.url}/office/integrations/{row.group(1)}/send-again",
        data={"csrf": csrf},
        timeout=10,
    )
    assert again.status_code == 200 and "Dikirim lagi." in again.text
    wait_until(hospital.all_sent, 30, "the booking sent after Kirim lagi")
    assert standin.tasks(refused) == [1, 2, 3]
    with hospital.db.read() as conn:
        audited = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(
                audit_log.c.action == "integration_sent_again"
            )
        ).one()
    assert audited.actor == f"staff:{username}" and f"bpjs:add:{refused}" in audited.detail


@pytest.mark.parametrize("hospital", ["sqlite"], indirect=True)
def test_a_secret_changed_mid_day_waits_for_the_new_one(
    hospital: Hospital, standin: BpjsStandIn, tmp_path: Path
) -> None:
    (before,) = hospital.register(1)
    wait_until(lambda: standin.tasks(before) == [1, 2, 3], 30, "sent with the first secret")
    standin.change_secret("rahasia-baru")  # BPJS renewed the consumer secret
    (after,) = hospital.register(1)
    hospital.call_and_serve_all()
    wait_until(lambda: standin.refused >= 2, 30, "calls with the old secret refused")
    # (the stand-in counts a refusal as it answers; the centre writes it down after)
    wait_until(
        lambda: any(r["last_error"] for r in hospital.rows()), 30, "the refusal written down"
    )
    assert not hospital.all_sent()
    failing = [r for r in hospital.rows() if r["last_error"]]
    assert all(r["state"] == "pending" for r in failing)  # retried, not dropped
    assert {r["last_code"] for r in failing} == {"401"}
    assert "Authentication failed" in str(failing[0]["last_error"])
    hospital.restart(_file(tmp_path, standin, "rahasia-baru"))
    wait_until(hospital.all_sent, 60, "everything sent with the new secret")
    assert standin.tasks(before) == [1, 2, 3, 4, 5]
    assert standin.tasks(after) == [1, 2, 3, 4, 5]
    _no_task_twice(standin)


def _staff_page(hospital: Hospital) -> tuple[Any, str, str]:
    username = new_staff_account(hospital.db, staff.Role.ADMIN, HOSPITAL)
    http, csrf = logged_in(hospital.url, username)
    return http, csrf, username


@pytest.mark.parametrize("hospital", ["sqlite"], indirect=True)
def test_kirim_lagi_sends_the_add_as_the_visit_stands_now(
    hospital: Hospital, standin: BpjsStandIn
) -> None:
    standin.misbehave("error", times=1, code=201, message="Nomor HP tidak valid")
    (refused,) = hospital.register(1)
    wait_until(
        lambda: any(r["state"] == "dead" for r in hospital.rows()), 30, "the refused add dead"
    )
    with hospital.db.begin() as conn:  # the desk corrects the patient's phone
        conn.execute(
            update(hospital_visits)
            .where(hospital_visits.c.kodebooking == refused)
            .values(phone="081298765432")
        )
    http, csrf, _ = _staff_page(hospital)
    page = http.get(f"{hospital.url}/office/integrations", timeout=10).text
    row = re.search(r'action="/office/integrations/(\d+)/send-again"', page)
    assert row is not None
    again = http.post(
        f"{hospital.url}/office/integrations/{row.group(1)}/send-again",
        data={"csrf": csrf},
        timeout=10,
    )
    assert again.status_code == 200 and "Dikirim lagi." in again.text
    wait_until(hospital.all_sent, 30, "the booking sent after Kirim lagi")
    assert standin.added[refused]["nohp"] == "081298765432"
    assert standin.tasks(refused) == [1, 2, 3]


@pytest.mark.parametrize("hospital", ["sqlite"], indirect=True)
def test_lewati_releases_what_waits_behind_a_call_bpjs_will_never_take(
    hospital: Hospital, standin: BpjsStandIn
) -> None:
    standin.misbehave("error", times=1, code=201, message="Data antrean tidak dapat diproses")
    (refused,) = hospital.register(1)
    hospital.cancel(refused)  # task 99 and batal wait behind the dead add too
    wait_until(
        lambda: any(r["state"] == "dead" for r in hospital.rows()), 30, "the refused add dead"
    )
    http, csrf, username = _staff_page(hospital)
    page = http.get(f"{hospital.url}/office/integrations", timeout=10).text
    assert "Menunggu di belakangnya: 5" in page  # tasks 1, 2, 3, 99 and batal, listed
    assert "batal" in page and "task 99" in page
    row = re.search(r'action="/office/integrations/(\d+)/skip"', page)
    assert row is not None
    standin.booked(refused)  # BPJS has the booking by another way: the add is not needed
    skipped = http.post(
        f"{hospital.url}/office/integrations/{row.group(1)}/skip",
        data={"csrf": csrf},
        timeout=10,
    )
    assert skipped.status_code == 200 and "Dilewati" in skipped.text
    wait_until(
        lambda: all(r["state"] in ("sent", "skipped") for r in hospital.rows()),
        30,
        "the rows behind the skipped add sent",
    )
    assert standin.tasks(refused) == [1, 2, 3, 99]
    assert [c.body["kodebooking"] for c in standin.accepted("antrean/batal")] == [refused]
    again = http.post(  # a skipped row is off the list
        f"{hospital.url}/office/integrations/{row.group(1)}/skip",
        data={"csrf": csrf},
        timeout=10,
    )
    assert again.status_code == 404
    with hospital.db.read() as conn:
        audited = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(
                audit_log.c.action == "integration_skipped"
            )
        ).one()
    assert audited.actor == f"staff:{username}" and f"bpjs:add:{refused}" in audited.detail


@pytest.mark.parametrize("hospital", ["sqlite"], indirect=True)
def test_a_schedule_import_bpjs_answers_with_nonsense_is_refused_clearly(
    hospital: Hospital, standin: BpjsStandIn
) -> None:
    http, csrf, _ = _staff_page(hospital)
    standin.misbehave("nested", times=5)  # JSON nested 100,000 deep
    answer = http.post(
        f"{hospital.url}/office/integrations/import-schedules",
        data={"csrf": csrf, "day": "2026-12-07"},
        timeout=30,
    )
    assert answer.status_code == 502, answer.text[:300]
    assert "BPJS tidak dapat dihubungi atau menolak" in answer.text
    assert "garbage" in answer.text
