"""The Antrean RS client and deliverer against the BPJS stand-in over real HTTP on 127.0.0.1:
signed calls, decrypted references, every refusal and fault turned into the right outcome."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from central.database import Database, migrate
from central.integrations import outbox
from central.integrations.bpjs.antrean import (
    AntreanClient,
    AntreanDeliverer,
    BpjsRefused,
    BpjsUnavailable,
)
from central.integrations.config import BpjsSettings, parse
from central.integrations.sender import Policy, Sender
from central.tables import integration_outbox
from testkit.bpjs_standin import ADD_FIELDS, BpjsStandIn, config_text
from testkit.waits import wait_until

ZONE = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def standin() -> Iterator[BpjsStandIn]:
    server = BpjsStandIn()
    try:
        yield server
    finally:
        server.close()


def _settings(standin: BpjsStandIn, **changes: object) -> BpjsSettings:
    settings = BpjsSettings(
        antrean_url=standin.url,
        cons_id=standin.cons_id,
        secret_key=standin.secret,
        user_key=standin.user_key,
        ws_rs_username="rs",
        ws_rs_password="sandi",  # noqa: S106 - a test value
        timeout_s=2.0,
    )
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def _add_body(kodebooking: str = "202612050001") -> dict[str, object]:
    return {
        "kodebooking": kodebooking,
        "jenispasien": "JKN",
        "nomorkartu": "0001234567890",
        "nik": "1471010101800001",
        "nohp": "081234567890",
        "kodepoli": "INT",
        "namapoli": "Poli Penyakit Dalam",
        "pasienbaru": 0,
        "norm": "000123",
        "tanggalperiksa": "2026-12-05",
        "kodedokter": 31001,
        "namadokter": "dr. Rahmat Hidayat, Sp.PD",
        "jampraktek": "08:00-14:00",
        "jeniskunjungan": 1,
        "nomorreferensi": "0001R0011226K000001",
        "nomorantrean": "INT-001",
        "angkaantrean": 1,
        "estimated_local": "2026-12-05T08:00",
        "sisakuotajkn": 29,
        "kuotajkn": 30,
        "sisakuotanonjkn": 10,
        "kuotanonjkn": 10,
        "keterangan": "Peserta harap 30 menit lebih awal.",
    }


def _item(kind: str, body: dict[str, object], row: int = 1) -> outbox.Item:
    return outbox.Item(
        id=row,
        target="bpjs",
        kind=kind,
        dedupe_key=f"k{row}",
        order_key="B",
        office_id=None,
        body=body,
        attempts=1,
        created_at=NOW,
    )


def test_references_are_signed_and_decrypted(standin: BpjsStandIn) -> None:
    client = AntreanClient(_settings(standin))
    assert [p["kdpoli"] for p in client.poli()] == ["INT", "ANA", "GIG"]
    assert {d["kodedokter"] for d in client.dokter()} == {31001, 31002, 31003}
    rows = client.jadwal_dokter("ANA", dt.date(2026, 12, 5))
    assert {r["hari"] for r in rows} == set(range(1, 8))
    assert standin.refused == 0
    call = standin.calls[0]
    assert call.path == "ref/poli" and call.headers["X-cons-id"] == standin.cons_id
    assert call.headers["user_key"] == standin.user_key


def test_a_wrong_secret_is_refused_by_bpjs_and_retried(standin: BpjsStandIn) -> None:
    client = AntreanClient(_settings(standin, secret_key="not-the-secret"))  # noqa: S106
    with pytest.raises(BpjsUnavailable) as failed:
        client.poli()
    assert failed.value.code == "401"
    assert standin.refused == 1


def test_add_sends_every_field_and_the_estimate_in_epoch_ms(standin: BpjsStandIn) -> None:
    deliver = AntreanDeliverer(AntreanClient(_settings(standin)), ZONE)
    assert isinstance(deliver(_item("add", _add_body())), outbox.Sent)
    (call,) = standin.accepted("antrean/add")
    assert set(call.body) == set(ADD_FIELDS)
    local = dt.datetime(2026, 12, 5, 8, 0, tzinfo=ZONE)
    assert call.body["estimasidilayani"] == int(local.timestamp() * 1000)
    # Sent again after a lost answer: BPJS has it; that is a success, not a failure.
    assert isinstance(deliver(_item("add", _add_body(), 2)), outbox.Sent)
    assert len(standin.added) == 1


def test_tasks_and_batal_with_bpjs_refusals_kept_as_bpjs_said_them(standin: BpjsStandIn) -> None:
    deliver = AntreanDeliverer(AntreanClient(_settings(standin)), ZONE)
    deliver(_item("add", _add_body()))

    def task(taskid: int, waktu: int = 1_764_900_000_000) -> outbox.Outcome:
        return deliver(
            _item("task", {"kodebooking": "202612050001", "taskid": taskid, "waktu": waktu})
        )

    refused = task(4)
    assert refused == outbox.Refused("201", "TaskId=3 belum ada")
    for taskid in (1, 2, 3):
        assert isinstance(task(taskid), outbox.Sent)
    assert isinstance(task(3), outbox.Sent)  # "TaskId=3 sudah ada": it arrived before
    assert standin.tasks("202612050001") == [1, 2, 3]
    batal = _item("batal", {"kodebooking": "202612050001", "keterangan": "Pasien batal"})
    assert isinstance(deliver(batal), outbox.Sent)
    unknown = _item("batal", {"kodebooking": "TIDAKADA", "keterangan": "x"})
    assert deliver(unknown) == outbox.Refused("201", "Kode Booking tidak ditemukan")


@pytest.mark.parametrize(
    ("trouble", "code"),
    [
        ({"kind": "http500"}, "500"),
        ({"kind": "garbage"}, "502"),
        ({"kind": "slow", "delay_s": 1.5}, "timeout"),
        ({"kind": "error", "code": 201, "message": "Server sedang sibuk"}, None),
    ],
)
def test_faults_become_retries_and_refusals_keep_bpjs_words(
    standin: BpjsStandIn, trouble: dict[str, object], code: str | None
) -> None:
    deliver = AntreanDeliverer(AntreanClient(_settings(standin, timeout_s=0.5)), ZONE)
    standin.misbehave(**trouble)  # type: ignore[arg-type]
    outcome = deliver(_item("add", _add_body()))
    if code is None:
        assert outcome == outbox.Refused("201", "Server sedang sibuk")
    else:
        assert isinstance(outcome, outbox.RetryLater) and outcome.code == code
    assert standin.added == {}
    assert isinstance(deliver(_item("add", _add_body(), 2)), outbox.Sent)  # behaving again


def test_bpjs_down_and_a_reference_that_does_not_decrypt_are_retries(
    standin: BpjsStandIn,
) -> None:
    client = AntreanClient(_settings(standin))
    standin.misbehave("garbage")
    with pytest.raises(BpjsUnavailable, match="didekripsi"):
        client.poli()
    standin.down()
    with pytest.raises(BpjsUnavailable) as down:
        client.poli()
    assert down.value.code == "unreachable"


def test_an_answer_past_the_cap_is_not_read_on(standin: BpjsStandIn) -> None:
    client = AntreanClient(_settings(standin, answer_max_bytes=200))
    with pytest.raises(BpjsUnavailable) as failed:
        client.jadwal_dokter("INT", dt.date(2026, 12, 5))
    assert failed.value.code == "too-large"


def test_a_refusal_is_final(standin: BpjsStandIn) -> None:
    client = AntreanClient(_settings(standin))
    body = _add_body()
    body["estimasidilayani"] = 1
    del body["estimated_local"]
    body["kodepoli"] = "XYZ"
    with pytest.raises(BpjsRefused) as refused:
        client.add(body)
    assert (refused.value.code, refused.value.message) == ("201", "Poli tidak ditemukan")


def test_the_demo_s_integrations_file_reaches_the_stand_in(standin: BpjsStandIn) -> None:
    bpjs = parse(config_text(standin)).bpjs
    assert bpjs is not None
    assert [p["kdpoli"] for p in AntreanClient(bpjs).poli()] == ["INT", "ANA", "GIG"]


@pytest.mark.parametrize("protocol", ["HTTP/1.0", "HTTP/1.1"])
def test_a_dripping_answer_is_cut_at_the_deadline_and_sent_by_one_sender_only(
    protocol: str, new_db_url: Callable[[str], str]
) -> None:
    # An HTTP/1.0 answer (or one with ``Connection: close``) makes http.client drop its
    # socket while the body is still read from it; the deadline must still cut that read.
    # Two senders share the outbox (as two server processes do): the first's claim lasts
    # its deadline plus a margin; if the deadline did not hold, the claim would run out
    # while the first still read the drip, and the second would send the add again.
    server = BpjsStandIn(protocol=protocol)
    db = Database(new_db_url("sqlite"))
    try:
        migrate(db)
        with db.begin() as conn:
            outbox.enqueue(
                conn,
                target="bpjs",
                kind="add",
                dedupe_key="bpjs:add:DRIP",
                order_key="DRIP",
                body=_add_body("DRIP"),
                now=NOW,
            )
        settings = _settings(server, timeout_s=0.5)
        policy = Policy(deadline_s=0.5, claim_margin_s=2.0, retry_base_s=600.0)
        senders = [
            Sender(
                db,
                {"bpjs": AntreanDeliverer(AntreanClient(settings), ZONE)},
                {"bpjs": policy},
                poll_s=0.05,
            )
            for _ in range(2)
        ]
        server.misbehave("drip", delay_s=0.2)  # its ~45 bytes would take ~9 s
        for sender in senders:
            sender.start()

        def failed() -> str | None:
            with db.read() as conn:
                code = conn.execute(select(integration_outbox.c.last_code)).scalar_one()
            return None if code is None else str(code)

        wait_until(lambda: failed() is not None, 15, "the drip ends as a failed attempt")
        for sender in senders:
            sender.stop()
        assert failed() == "timeout"
        assert len([c for c in server.calls if c.path == "antrean/add"]) == 1
    finally:
        server.close()
        db.dispose()


def test_an_answer_nested_past_any_parser_is_garbage_not_a_crash(standin: BpjsStandIn) -> None:
    client = AntreanClient(_settings(standin))
    standin.misbehave("nested")
    with pytest.raises(BpjsUnavailable) as failed:
        client.poli()
    assert failed.value.code == "garbage"
    deliver = AntreanDeliverer(client, ZONE)
    standin.misbehave("nested")
    outcome = deliver(_item("add", _add_body()))
    assert isinstance(outcome, outbox.RetryLater) and outcome.code == "garbage"


ALIKE_BUT_REFUSED = [
    ("add", "Peserta sudah terdaftar di poli lain pada tanggal yang sama"),
    ("add", "Tidak ada duplikasi: nomor referensi tidak valid"),
    ("task", "TaskId=2 sudah ada"),  # another task's: this row (task 3) is not there
    ("task", "Data sudah ada tetapi waktu tidak sesuai"),
]


@pytest.mark.parametrize(("kind", "message"), ALIKE_BUT_REFUSED)
def test_a_refusal_that_only_looks_like_already_there_stays_a_refusal(
    standin: BpjsStandIn, kind: str, message: str
) -> None:
    deliver = AntreanDeliverer(AntreanClient(_settings(standin)), ZONE)
    body = _add_body() if kind == "add" else {"kodebooking": "B", "taskid": 3, "waktu": 1}
    standin.misbehave("error", code=201, message=message)
    assert deliver(_item(kind, body)) == outbox.Refused("201", message)


def test_bpjs_code_208_and_its_exact_words_count_as_already_there(standin: BpjsStandIn) -> None:
    deliver = AntreanDeliverer(AntreanClient(_settings(standin)), ZONE)
    standin.misbehave("error", code=208, message="Data sudah diproses")
    assert isinstance(deliver(_item("batal", {"kodebooking": "B", "keterangan": "x"})), outbox.Sent)
    standin.misbehave("error", code=201, message="TaskId=3 sudah ada")
    task = {"kodebooking": "B", "taskid": 3, "waktu": 1}
    assert isinstance(deliver(_item("task", task)), outbox.Sent)
    standin.misbehave("error", code=201, message="Terdapat duplikasi Kode Booking")
    assert isinstance(deliver(_item("add", _add_body())), outbox.Sent)


IMPLAUSIBLE: dict[str, tuple[dict[str, object], str]] = {
    "nik-short": ({"nik": "147101010180"}, "NIK tidak sesuai"),
    "nik-letters": ({"nik": "14710101018000AB"}, "NIK tidak sesuai"),
    "nohp": ({"nohp": "12-34"}, "Nomor HP tidak sesuai"),
    "pasienbaru": ({"pasienbaru": 2}, "pasienbaru tidak sesuai"),
    "estimate-seconds": ({"estimasidilayani": 1_764_900_000}, "estimasidilayani tidak sesuai"),
    "estimate-other-day": (
        {"estimasidilayani": int(dt.datetime(2026, 12, 6, 8, tzinfo=ZONE).timestamp() * 1000)},
        "estimasidilayani tidak sesuai",
    ),
    "quota-left": ({"sisakuotajkn": 31}, "Sisa kuota tidak sesuai"),
}


@pytest.mark.parametrize("case", sorted(IMPLAUSIBLE))
def test_the_standin_refuses_an_implausible_add_as_bpjs_does(
    standin: BpjsStandIn, case: str
) -> None:
    change, message = IMPLAUSIBLE[case]
    client = AntreanClient(_settings(standin))
    body = _add_body()
    del body["estimated_local"]
    body["estimasidilayani"] = int(dt.datetime(2026, 12, 5, 8, tzinfo=ZONE).timestamp() * 1000)
    client.add({**body, "kodebooking": "PLAUSIBLE", "nohp": ""})  # no phone: taken
    with pytest.raises(BpjsRefused) as refused:
        client.add({**body, **change})
    assert (refused.value.code, refused.value.message) == ("201", message)
    assert set(standin.added) == {"PLAUSIBLE"}
