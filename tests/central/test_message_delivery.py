"""Messages from a real centre to a gateway stand-in over HTTP: signed, each once, whatever
the gateway does (down, slow, 500, 429 with Retry-After), and from two server processes.

The signatures are checked by the stand-in with :mod:`hmac` and here with
``openssl dgst``, never with the centre's code.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select, update

from central.access.audit import utc_now
from central.database import Database
from central.messages import outbox
from central.messages.providers import retry_after, signature
from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE
from central.tables import audit_log, citizen_lookups, message_consents, messages, tickets
from testkit.centre_accounts import DEMO_OFFICE, enrol, new_staff, new_staff_account
from testkit.centre_requests import (
    allocate,
    consenting_tickets,
    drain,
    now_iso,
    registration,
    results,
    staff_post,
)
from testkit.centres import BACKENDS, LOOSE_SERVER_ARGS, migrated_database
from testkit.message_gateway import Gateway
from testkit.office_sessions import logged_in
from testkit.waits import wait_until

SECRET = b"rahasia-gerbang-kota-0001"
SERVICE = "kk-perubahan"
WAIT_S = 60.0


def _message_args(gateway: Gateway, secret_file: Path, *extra: str) -> tuple[str, ...]:
    return (
        *LOOSE_SERVER_ARGS,
        *("--message-provider", "webhook", "--message-webhook-url", gateway.url),
        *("--message-webhook-secret-file", str(secret_file)),
        # Quick retries and a short deadline, so a misbehaving gateway is met many times.
        *("--message-retry-base", "0.05", "--message-retry-max", "0.4"),
        *("--message-deadline", "1", "--message-poll", "0.05", "--message-attempts", "200"),
        *extra,
    )


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    stand_in = Gateway(SECRET)
    try:
        yield stand_in
    finally:
        stand_in.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gateway") / "secret"
    path.write_bytes(SECRET + b"\n")  # as `openssl rand -hex` or an editor leaves it
    path.chmod(0o600)
    return path


def _db_url(request: pytest.FixtureRequest, tmp: pytest.TempPathFactory, name: str) -> str:
    return migrated_database(request, tmp, str(request.param), name)


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    gateway: Gateway,
    secret_file: Path,
) -> Iterator[RunningCentral]:
    url = _db_url(request, tmp_path_factory, "messages")
    server = start_central(db_url=url, extra_args=_message_args(gateway, secret_file))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def operator(centre: RunningCentral) -> Iterator[Database]:
    db = Database(centre.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def well_behaved(gateway: Gateway) -> Iterator[None]:
    yield
    gateway.release()
    gateway.misbehaviour = None
    if not gateway.listening:
        gateway.up()


def _kiosk(url: str) -> str:
    answer = enrol(url, DEMO_ENROLMENT_CODE)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def _phones(count: int) -> list[str]:
    return [f"0812{secrets.randbelow(10**8):08d}" for _ in range(count)]


def _queue_and_call(
    centre: RunningCentral, operator: Database, count: int
) -> tuple[list[tuple[str, str]], set[str]]:
    """``count`` consenting tickets, all called and served: (tickets, the keys expected).

    Each is called ("called"); each but the first waits with three or fewer
    ahead at some step ("ahead"): the first is called at the first step.
    """
    staff = new_staff(operator, centre.url)
    drain(centre.url, staff, SERVICE)
    made = consenting_tickets(centre.url, _kiosk(centre.url), SERVICE, _phones(count))
    drain(centre.url, staff, SERVICE)
    expected = {f"ticket:{tid}:called" for tid, _ in made}
    expected |= {f"ticket:{tid}:ahead" for tid, _ in made[1:]}
    return made, expected


def _all_delivered(gateway: Gateway, expected: set[str]) -> None:
    wait_until(lambda: expected <= set(gateway.deliveries), WAIT_S, "every message delivered")


def _states(operator: Database, keys: set[str]) -> dict[str, str]:
    with operator.read() as conn:
        rows = conn.execute(
            select(messages.c.key, messages.c.state).where(messages.c.key.in_(keys))
        )
        return {row.key: row.state for row in rows}


def _each_once(gateway: Gateway, operator: Database, expected: set[str]) -> None:
    """Every expected message reached the gateway, none was delivered twice, all are sent."""
    _all_delivered(gateway, expected)
    wait_until(
        lambda: set(_states(operator, expected).values()) == {"sent"},
        WAIT_S,
        "the centre to record every message sent",
    )
    assert gateway.bad_signatures == 0
    with gateway.lock:
        accepted = [p.key for p in gateway.posts if p.key in expected and p.status == 200]
    twice = {key for key in accepted if accepted.count(key) > 1}
    slow = gateway.misbehaviour is not None and gateway.misbehaviour.kind == "slow"
    if not slow:  # a slow gateway answers the retry of an accepted message 200 too
        assert twice == set(), "the centre sent again what the gateway had taken"


def test_the_queue_messages_arrive_once_signed_in_the_citizens_words(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    made, expected = _queue_and_call(centre, operator, 5)
    _each_once(gateway, operator, expected)
    first, second = made[0][0], made[1][0]
    called = gateway.deliveries[f"ticket:{first}:called"]
    assert called["template"] == "ticket.called" and called["language"] == "id"
    assert called["to"].startswith("628") and made[0][1] in called["text"]
    assert "dipanggil ke loket 8" in called["text"]
    assert "Anda berikutnya" in gateway.deliveries[f"ticket:{second}:ahead"]["text"]
    fifth = gateway.deliveries[f"ticket:{made[4][0]}:ahead"]["text"]
    assert "tinggal 3 orang lagi" in fifth


def test_the_signature_is_the_one_openssl_computes(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    (made,), expected = _queue_and_call(centre, operator, 1)
    _each_once(gateway, operator, expected)
    (post,) = gateway.posts_of(f"ticket:{made[0]}:called")
    stamp = post.headers["X-Anjungan-Timestamp"]
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", SECRET.decode(), "-r"],
        input=stamp.encode() + b"." + post.headers["Idempotency-Key"].encode() + b"." + post.body,
        capture_output=True,
        check=True,
    ).stdout.split()[0]
    assert post.headers["X-Anjungan-Signature"] == "sha256=" + digest.decode()
    assert post.headers["Idempotency-Key"] == f"ticket:{made[0]}:called"


def test_the_signature_of_a_known_vector() -> None:
    # printf '%s' '1764964800.ticket:1:called.{"key":"ticket:1:called","text":"Nomor A-001"}' \
    #   | openssl dgst -sha256 -hmac 'rahasia-gerbang-kota-0001'
    body = b'{"key":"ticket:1:called","text":"Nomor A-001"}'
    assert signature(SECRET, "1764964800", "ticket:1:called", body) == (
        "sha256=32211f5d46f6aaf1b87c8f419a8201289bcdd1aae74358616454afbd345d342b"
    )


@pytest.mark.parametrize("trouble", ["500", "429", "slow"])
def test_a_misbehaving_gateway_loses_nothing_and_gets_nothing_twice(
    centre: RunningCentral, operator: Database, gateway: Gateway, trouble: str
) -> None:
    options: dict[str, dict[str, Any]] = {
        "500": {"times": 3},
        "429": {"retry_after_s": 1},
        "slow": {"delay_s": 1.5},
    }
    gateway.misbehave(trouble, **options[trouble])
    # Two tickets: a message of each kind ("called", "ahead"), each met by the trouble.
    _, expected = _queue_and_call(centre, operator, 2)
    _each_once(gateway, operator, expected)
    refused = 3 if trouble == "500" else 1
    wait_until(  # a slow answer is recorded when the gateway is done with it
        lambda: all(len(gateway.posts_of(key)) > refused for key in expected),
        WAIT_S,
        "the gateway to finish every answer",
    )
    for key in expected:
        posts = sorted(gateway.posts_of(key), key=lambda p: p.at)
        assert len(posts) >= refused + 1, (key, [p.status for p in posts])
        if trouble == "429":
            # The next attempt came no sooner than the gateway asked.
            assert posts[0].status == 429
            assert posts[1].at - posts[0].at >= 1.0, "Retry-After was not honoured"
        # Every attempt was the same message under the same key.
        assert len({p.body for p in posts}) == 1
        assert {p.headers["Idempotency-Key"] for p in posts} == {key}
        if trouble == "slow":  # the gateway took it, the centre never heard, sent it again
            assert [p.status for p in posts].count(200) >= 2


def test_a_gateway_down_for_a_while_gets_everything_once_back(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    gateway.down()
    _, expected = _queue_and_call(centre, operator, 4)

    def tried_twice() -> bool:
        with operator.read() as conn:
            rows = conn.execute(
                select(messages.c.attempts, messages.c.state).where(messages.c.key.in_(expected))
            ).all()
        return len(rows) == len(expected) and all(
            r.attempts >= 2 and r.state == "pending" for r in rows
        )

    wait_until(tried_twice, WAIT_S, "every message to be tried while the gateway is down")
    assert not set(gateway.deliveries) & expected
    gateway.up()
    _each_once(gateway, operator, expected)


def test_a_refused_message_is_a_dead_letter_staff_see_and_send_again(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    gateway.misbehave("400")
    staff = new_staff(operator, centre.url)
    drain(centre.url, staff, SERVICE)
    (made,) = consenting_tickets(centre.url, _kiosk(centre.url), SERVICE, _phones(1))
    called = staff_post(  # called, and still at the counter when it is sent again
        centre.url,
        staff,
        "/api/v1/staff/queue/call-next",
        {"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": "8"},
    )
    assert called.status_code == 200, called.text
    key = f"ticket:{made[0]}:called"
    wait_until(lambda: _states(operator, {key}) == {key: "dead"}, WAIT_S, "a dead letter")
    username = new_staff_account(operator, office_id=DEMO_OFFICE)
    http, csrf = logged_in(centre.url, username)
    page = http.get(f"{centre.url}/office/messages", timeout=10)
    assert page.status_code == 200
    assert "Pesan gagal" in page.text and "ticket.called" in page.text
    with operator.read() as conn:
        row = conn.execute(select(messages).where(messages.c.key == key)).one()
    assert row.phone not in page.text and row.phone[:5] in page.text
    gateway.misbehaviour = None
    again = http.post(
        f"{centre.url}/office/messages/{row.id}/send-again", data={"csrf": csrf}, timeout=10
    )
    assert again.status_code == 200 and "dikirim lagi" in again.text
    _each_once(gateway, operator, {key})
    with operator.read() as conn:
        (event,) = conn.execute(
            select(audit_log).where(
                audit_log.c.action == "message_sent_again",
                audit_log.c.subject == f"message:{row.id}",
            )
        ).all()
    assert event.actor == f"staff:{username}"
    assert f"ticket:{made[0][:4]}…:called" in event.detail and "ticket.called" in event.detail
    assert row.phone[:5] in event.detail and row.phone not in event.detail


def _make_ready(centre: RunningCentral, operator: Database, reference: str) -> None:
    username = new_staff_account(operator, office_id=DEMO_OFFICE)
    http, csrf = logged_in(centre.url, username)
    moved = http.post(
        f"{centre.url}/office/applications/{reference}",
        data={"csrf": csrf, "state": "ready"},
        timeout=10,
    )
    assert moved.status_code == 200, moved.text[:300]


def _lookups(operator: Database, kind: str) -> list[Any]:
    with operator.read() as conn:
        return list(
            conn.execute(
                select(citizen_lookups.c.found, citizen_lookups.c.key_hash)
                .where(citizen_lookups.c.key_kind == kind)
                .order_by(citizen_lookups.c.id)
            )
        )


def test_an_application_made_ready_tells_only_a_citizen_who_said_yes_with_their_card(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    """Budi never said yes at a kiosk: his record's phone is not used, and the ready
    application he was not told of is counted in the audit log. Siti said yes with her
    card (in English, on a new number): she is told there. A yes given after hers with
    her card's number on a card the kiosk could not prove hers (a home-made card, or a
    body with no proven level) is its ticket's alone: her messages stay with her."""
    _make_ready(centre, operator, "BRK-DEMO0003")
    with operator.read() as conn:
        (untold,) = conn.execute(
            select(audit_log.c.subject).where(audit_log.c.action == "application.ready_not_told")
        ).scalars()
    assert untold == "BRK-DEMO0003"
    phone = _phones(1)[0]
    lookups_before = len(_lookups(operator, "card_number"))  # other tests' yeses too
    allocated = allocate(centre.url, kiosk := _kiosk(centre.url), SERVICE).json()
    item = registration(
        allocated["ticket_id"], SERVICE, allocated["display"], "online", notify=phone
    )
    item["body"].update(card_number="PKU-000001", language="en")  # Siti Aminah's card
    (result,) = results(centre.url, kiosk, [item])
    assert result["status"] == "accepted", result
    consent_lookups = _lookups(operator, "card_number")[lookups_before:]
    assert [row.found for row in consent_lookups] == [True]  # Siti's card, resolved once
    assert "PKU-000001" not in consent_lookups[0].key_hash
    strangers = _phones(3)
    for stranger, level in zip(strangers, ("unverified", None, "verified"), strict=True):
        taken = allocate(centre.url, kiosk, SERVICE).json()
        forged = registration(
            taken["ticket_id"], SERVICE, taken["display"], "online", notify=stranger
        )
        forged["body"].update(card_number="PKU-000001", assurance=level)
        (result,) = results(centre.url, kiosk, [forged])
        assert result["status"] == "accepted", result  # the ticket and its own yes stand
    with operator.read() as conn:
        kept = conn.execute(
            select(message_consents.c.phone).where(
                message_consents.c.phone.in_(["62" + n[1:] for n in strangers])
            )
        ).scalars()
        assert len(list(kept)) == len(strangers)  # each ticket's yes, for its own ticket
    assert len(_lookups(operator, "card_number")) == lookups_before + 1  # none for them
    before = set(gateway.deliveries)  # the gateway serves both databases' centres

    def new_ones() -> list[str]:
        return [k for k in set(gateway.deliveries) - before if k.startswith("application:")]

    _make_ready(centre, operator, "BRK-DEMO0002")
    wait_until(lambda: bool(new_ones()), WAIT_S, "the application's message")
    (key,) = new_ones()
    assert key.startswith("application:BRK-DEMO0002:ready:")
    sent = gateway.deliveries[key]
    assert sent["to"] == "62" + phone[1:] and sent["language"] == "en"
    assert sent["text"].startswith("Hello Siti, your application BRK-DEMO0002")
    assert "Aminah" not in sent["text"]
    with operator.read() as conn:
        assert (
            conn.execute(
                select(messages.c.id).where(messages.c.key.like("application:BRK-DEMO0003:%"))
            ).first()
            is None
        )


def _kiosk_reference() -> str:
    """A complaint's reference as the kiosk makes it (kiosk/tickets/complaints.py)."""
    chars = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(12))
    return f"ADU-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def test_an_answered_complaint_tells_only_a_citizen_who_said_yes(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    kiosk = _kiosk(centre.url)
    items: list[dict[str, Any]] = []
    for phone, reference in (
        ("081299990001", _kiosk_reference()),
        (None, _kiosk_reference()),
        # A yes with a reference the kiosk would not make: the complaint is kept,
        # the text it chose never goes to a phone.
        ("081299990002", f"ADU-{secrets.token_hex(4)}"),
    ):
        key = f"{secrets.token_hex(4)}-complaint"
        body: dict[str, Any] = {
            "office_id": DEMO_OFFICE,
            "reference": reference,
            "category": "fasilitas",
            "text": "AC di ruang tunggu mati.",
            "language": "en",
            "card_number": None,
            "created_at": now_iso(),
        }
        if phone:
            body["notify"] = {"phone": phone}
        items.append({"key": key, "kind": "complaint", "body": body})
    answer = requests.post(
        f"{centre.url}/api/v1/submissions",
        json={"items": items},
        headers={"Authorization": f"Bearer {kiosk}"},
        timeout=10,
    )
    outcomes = answer.json()["results"]
    assert [r["status"] for r in outcomes] == ["accepted"] * 3, outcomes
    username = new_staff_account(operator, office_id=DEMO_OFFICE)
    http, csrf = logged_in(centre.url, username)
    for item in items:
        reference = item["body"]["reference"]
        done = http.post(
            f"{centre.url}/office/complaints/{reference}/answer",
            data={"csrf": csrf, "answer": "Sudah diperbaiki."},
            timeout=10,
        )
        assert done.status_code == 200, done.text[:300]
    yes, no, odd = (i["body"]["reference"] for i in items)
    wait_until(
        lambda: f"complaint:{yes}:answered" in gateway.deliveries, WAIT_S, "the answer's message"
    )
    sent = gateway.deliveries[f"complaint:{yes}:answered"]
    assert sent["to"] == "6281299990001" and sent["language"] == "en"
    assert sent["text"].startswith(f"Complaint {yes} at ")
    with operator.read() as conn:  # the yes was used: its number is not kept beside the message
        assert (
            conn.execute(
                select(message_consents.c.phone).where(
                    message_consents.c.subject == f"complaint:{yes}"
                )
            ).first()
            is None
        )
        for untold in (no, odd):
            assert (
                conn.execute(
                    select(messages.c.id).where(messages.c.key.like(f"complaint:{untold}:%"))
                ).first()
                is None
            )


def test_a_number_that_is_not_a_mobile_keeps_the_ticket_and_sends_nothing(
    centre: RunningCentral, operator: Database
) -> None:
    made = consenting_tickets(centre.url, _kiosk(centre.url), SERVICE, ["0212345678"])
    staff = new_staff(operator, centre.url)
    drain(centre.url, staff, SERVICE)
    with operator.read() as conn:
        assert (
            conn.execute(
                select(messages.c.id).where(messages.c.key.like(f"ticket:{made[0][0]}:%"))
            ).first()
            is None
        )


@pytest.fixture(params=BACKENDS)
def two_centres(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    gateway: Gateway,
    secret_file: Path,
) -> Iterator[tuple[RunningCentral, RunningCentral]]:
    url = _db_url(request, tmp_path_factory, "two-centres")
    # The gateway's 0.2 s within a deadline no stall of a loaded machine passes (a bound,
    # never a speed): a send past it is tried again, rightly, and the gateway would count
    # the message twice, which this test asserts it never does.
    args = (*_message_args(gateway, secret_file), "--message-deadline", str(2 * WAIT_S))
    first = start_central(db_url=url, extra_args=args)
    try:
        second = start_central(db_url=url, extra_args=args)
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def test_two_server_processes_never_send_one_message_twice(
    two_centres: tuple[RunningCentral, RunningCentral], gateway: Gateway
) -> None:
    first, second = two_centres
    # Each send takes a moment (within the deadline), so both senders have work at once.
    gateway.misbehave("slow", times=1, delay_s=0.2)
    db = Database(first.db_url)
    try:
        staff = new_staff(db, first.url)
        kiosk = _kiosk(second.url)
        made = consenting_tickets(second.url, kiosk, SERVICE, _phones(30))
        for i in range(len(made)):  # the counters call (and serve) through both processes
            url = (first, second)[i % 2].url
            called = staff_post(
                url,
                staff,
                "/api/v1/staff/queue/call-next",
                {"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": str(1 + i % 2)},
            )
            assert called.status_code == 200, called.text
            path = f"/api/v1/staff/tickets/{called.json()['ticket']['ticket_id']}/served"
            served = staff_post(url, staff, path)
            assert served.status_code == 200, served.text
        expected = {f"ticket:{tid}:called" for tid, _ in made}
        expected |= {f"ticket:{tid}:ahead" for tid, _ in made[1:]}
        _each_once(gateway, db, expected)
        for key in expected:
            assert len(gateway.posts_of(key)) == 1, key
        with db.read() as conn:
            senders = set(
                conn.execute(
                    select(messages.c.claimed_by).where(messages.c.key.in_(expected))
                ).scalars()
            )
        pids = {int(worker.split(":")[1]) for worker in senders}
        assert pids == {first.process.pid, second.process.pid}, "both processes sent"
    finally:
        db.dispose()


@pytest.fixture(params=BACKENDS)
def two_patient_senders(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    gateway: Gateway,
    secret_file: Path,
) -> Iterator[tuple[RunningCentral, RunningCentral]]:
    """Two processes on one database whose sends wait for the gateway's answer longer
    than the test waits for anything (a bound, never a speed: the gateway's release
    ends the wait), their claims the deadline and the margin longer still."""
    url = _db_url(request, tmp_path_factory, "patient-senders")
    args = (*_message_args(gateway, secret_file), "--message-deadline", str(2 * WAIT_S))
    first = start_central(db_url=url, extra_args=args)
    try:
        second = start_central(db_url=url, extra_args=args)
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def test_a_backlog_is_claimed_one_message_at_a_time_and_sent_once_by_two_processes(
    two_patient_senders: tuple[RunningCentral, RunningCentral], gateway: Gateway
) -> None:
    """Sixteen messages fall due at one moment while the gateway holds every POST
    unanswered. Each process has claimed the one message it is sending, and no other:
    a sender that claimed a batch would hold messages it is not sending, and once its
    claim ran out (a backlog sent slowly outlasts any claim) the other process would
    send them too. Once the gateway answers, each message reaches it once, from one of
    the two processes."""
    first, second = two_patient_senders
    gateway.hold()
    db = Database(first.db_url)
    try:
        keys = {f"complaint:ADU-{secrets.token_hex(6).upper()}:answered" for _ in range(16)}
        with db.begin() as conn:
            for key, phone in zip(sorted(keys), _phones(len(keys)), strict=True):
                outbox.enqueue(
                    conn,
                    key=key,
                    office_id=DEMO_OFFICE,
                    phone="62" + phone[1:],
                    language="id",
                    template="complaint.answered",
                    params={"reference": key.split(":")[1], "office": "Mal Pelayanan Publik"},
                    now=utc_now(),
                )
        wait_until(lambda: len(gateway.held_keys()) == 2, WAIT_S, "a send of each process")
        held = gateway.held_keys()
        with db.read() as conn:
            rows = list(
                conn.execute(
                    select(messages.c.key, messages.c.state, messages.c.claimed_by).where(
                        messages.c.key.in_(keys)
                    )
                )
            )
        claimed = {row.key: row.claimed_by for row in rows if row.state == "sending"}
        assert sorted(claimed) == sorted(held), "a message claimed and not being sent"
        pids = {int(worker.split(":")[1]) for worker in claimed.values()}
        assert pids == {first.process.pid, second.process.pid}, "one send of each process"
        assert {row.state for row in rows if row.key not in claimed} == {"pending"}
        gateway.release()
        _each_once(gateway, db, keys)
        for key in keys:
            assert len(gateway.posts_of(key)) == 1, (key, gateway.posts_of(key))
    finally:
        gateway.release()
        db.dispose()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Sat, 05 Dec 2026 03:01:00 GMT", 60.0),
        ("²", None),  # a digit to str.isdigit, not to HTTP
        ("٣", None),
        ("9" * 5000, None),  # beyond int()'s limit of digits
        ("12345678901", None),
        ("Sat, 05 Dec 99999 03:01:00 GMT", None),
        ("-1", None),
        ("soon", None),
    ],
)
def test_a_retry_after_is_read_strictly(value: str, seconds: float | None) -> None:
    now = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC).timestamp()
    assert retry_after(value, now) == seconds


@pytest.mark.parametrize(
    ("trouble", "header"), [("200", "²"), ("503", "9" * 5000), ("503", "٣"), ("429", "²")]
)
def test_an_odd_retry_after_is_sent_once_and_recorded(
    centre: RunningCentral, operator: Database, gateway: Gateway, trouble: str, header: str
) -> None:
    """A Retry-After no parser should take: on a 200 the message is sent (once, and
    recorded so); on a 503 or 429 it is tried again after the backoff."""
    gateway.misbehave(trouble, retry_after=header)
    (made,), _ = _queue_and_call(centre, operator, 1)
    key = f"ticket:{made[0]}:called"
    _each_once(gateway, operator, {key})
    statuses = [p.status for p in sorted(gateway.posts_of(key), key=lambda p: p.at)]
    assert statuses == ([200] if trouble == "200" else [int(trouble), 200])


@pytest.fixture
def patient_centre(
    tmp_path_factory: pytest.TempPathFactory, gateway: Gateway, secret_file: Path
) -> Iterator[RunningCentral]:
    """A centre whose retries wait at least a second, with four attempts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('throttled') / 'central.db'}"
    args = (
        *_message_args(gateway, secret_file),
        *("--message-retry-base", "1", "--message-retry-max", "1", "--message-attempts", "4"),
    )
    server = start_central(db_url=url, extra_args=args)
    try:
        yield server
    finally:
        server.stop()


def test_a_throttling_gateway_cannot_spend_the_attempts_at_once(
    patient_centre: RunningCentral, gateway: Gateway
) -> None:
    """Three 429s with "Retry-After: 0": each next attempt still waits the backoff, so the
    fourth (the last allowed) reaches a gateway that takes it, instead of four POSTs
    within a moment and a dead letter."""
    gateway.misbehave("429", times=3, retry_after_s=0)
    db = Database(patient_centre.db_url)
    try:
        (made,), _ = _queue_and_call(patient_centre, db, 1)
        key = f"ticket:{made[0]}:called"
        _each_once(gateway, db, {key})
        posts = sorted(gateway.posts_of(key), key=lambda p: p.at)
        assert [p.status for p in posts] == [429, 429, 429, 200]
        gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(posts)]
        assert min(gaps) >= 0.8, gaps  # the backoff of 1 s, less its jitter
    finally:
        db.dispose()


def test_a_queue_message_held_past_its_ticket_is_not_sent_but_expired(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    """The gateway away while the tickets are called and served (more than a minute
    ago): their "called" and "ahead" messages would come too late, so they end expired
    (staff see them), and the gateway back gets none of them."""
    gateway.down()
    made, expected = _queue_and_call(centre, operator, 3)
    with operator.begin() as conn:  # as if that was done more than a minute ago
        long_ago = utc_now() - dt.timedelta(minutes=2)
        conn.execute(
            update(tickets)
            .where(tickets.c.id.in_([tid for tid, _ in made]))
            .values(called_at=long_ago, finished_at=long_ago)
        )
    wait_until(
        lambda: set(_states(operator, expected).values()) == {"expired"},
        WAIT_S,
        "every message of a served ticket to expire",
    )
    gateway.up()
    username = new_staff_account(operator, office_id=DEMO_OFFICE)
    http, _ = logged_in(centre.url, username)
    page = http.get(f"{centre.url}/office/messages", timeout=10)
    assert "Pesan kedaluwarsa" in page.text and "the ticket was served" in page.text
    with operator.read() as conn:
        phones = conn.execute(
            select(messages.c.phone).where(messages.c.key.in_(expected))
        ).scalars()
        assert all("*" in phone for phone in phones)
    assert not set(gateway.deliveries) & expected


def test_a_ticket_transferred_and_called_again_is_told_a_recall_is_not(
    centre: RunningCentral, operator: Database, gateway: Gateway
) -> None:
    other = "ktp-cetak-ulang"
    staff = new_staff(operator, centre.url)
    drain(centre.url, staff, SERVICE)
    drain(centre.url, staff, other)
    ((ticket_id, _),) = consenting_tickets(centre.url, _kiosk(centre.url), SERVICE, _phones(1))

    def call_next(service: str, counter: str) -> None:
        called = staff_post(
            centre.url,
            staff,
            "/api/v1/staff/queue/call-next",
            {"office_id": DEMO_OFFICE, "service_id": service, "counter": counter},
        )
        assert called.status_code == 200 and called.json()["ticket"]["ticket_id"] == ticket_id

    call_next(SERVICE, "1")
    recalled = staff_post(centre.url, staff, f"/api/v1/staff/tickets/{ticket_id}/recall")
    assert recalled.status_code == 200, recalled.text
    moved = staff_post(
        centre.url, staff, f"/api/v1/staff/tickets/{ticket_id}/transfer", {"service_id": other}
    )
    assert moved.status_code == 200, moved.text
    call_next(other, "5")
    first, second = f"ticket:{ticket_id}:called", f"ticket:{ticket_id}:called:1"
    _each_once(gateway, operator, {first, second})
    assert "loket 1 " in gateway.deliveries[first]["text"]
    assert "loket 5 " in gateway.deliveries[second]["text"]
    with operator.read() as conn:
        keys = set(
            conn.execute(
                select(messages.c.key).where(messages.c.key.like(f"ticket:{ticket_id}:called%"))
            ).scalars()
        )
    assert keys == {first, second}  # the recall at counter 1 told nothing more
    drain(centre.url, staff, other)
