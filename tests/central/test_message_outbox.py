"""The outbox of messages on a real database (SQLite and PostgreSQL): once per key, one
claim per message whatever the number of senders, the per-number limit, dead letters."""

from __future__ import annotations

import argparse
import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from central.access.audit import utc_now
from central.cli_options import add_server_options, settings_from
from central.database import Database
from central.messages import outbox, triggers
from central.messages.phones import masked, normalise
from central.messages.providers import Delivered, WebhookProvider
from central.messages.sender import Policy, Sender, provider_of
from central.messages.templates import TEMPLATES, render
from central.settings import CentralSettings
from central.tables import message_consents, messages

NOW = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)
HOLD = dt.timedelta(seconds=40)


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:
    database = Database(migrated_db_url, pool_size=20)
    try:
        yield database
    finally:
        database.dispose()


def _write(db: Database, key: str, phone: str = "6281234567890") -> bool:
    with db.begin() as conn:
        return outbox.enqueue(
            conn,
            key=key,
            office_id=None,
            phone=phone,
            language="id",
            template="ticket.called",
            params={"number": "A-001", "office": "MPP", "counter": "2"},
            now=NOW,
        )


def test_a_key_is_one_message_however_often_it_is_written(db: Database) -> None:
    assert _write(db, "ticket:x:called") is True
    assert _write(db, "ticket:x:called") is False
    with db.read() as conn:
        rows = conn.execute(select(messages.c.key)).scalars().all()
    assert rows == ["ticket:x:called"]


def test_racing_senders_never_claim_one_message_twice(db: Database) -> None:
    keys = [f"race:{i}" for i in range(200)]
    for i, key in enumerate(keys):
        _write(db, key, phone=f"62812{i:08d}")
    claimed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def sender(worker: str) -> None:
        start.wait()
        while True:
            with db.begin() as conn:
                got = outbox.claim(conn, worker, NOW, hold=HOLD, limit=7, per_hour=10)
            if not got:
                return
            with lock:
                claimed.extend(m.key for m in got)

    threads = [threading.Thread(target=sender, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    twice = [key for key, n in Counter(claimed).items() if n > 1]
    assert twice == []
    assert sorted(claimed) == sorted(keys)


def test_a_claim_that_expired_is_taken_again_and_the_first_sender_cannot_close_it(
    db: Database,
) -> None:
    _write(db, "crash:1")
    with db.begin() as conn:
        (first,) = outbox.claim(conn, "dead-process", NOW, hold=HOLD, limit=5, per_hour=10)
    later = NOW + HOLD + dt.timedelta(seconds=1)
    with db.begin() as conn:
        assert (
            outbox.claim(
                conn, "other", NOW + dt.timedelta(seconds=1), hold=HOLD, limit=5, per_hour=10
            )
            == []
        )
        (again,) = outbox.claim(conn, "other", later, hold=HOLD, limit=5, per_hour=10)
    assert again.key == first.key and again.attempts == 2
    with db.begin() as conn:
        assert outbox.mark_sent(conn, first.id, "dead-process", later) is False
        assert outbox.mark_sent(conn, again.id, "other", later) is True


def test_a_number_over_its_hourly_limit_waits_for_the_next_hour(db: Database) -> None:
    for i in range(3):
        _write(db, f"limit:{i}", phone="6285265551234")
    with db.begin() as conn:
        got = outbox.claim(conn, "w", NOW, hold=HOLD, limit=10, per_hour=2)
    assert len(got) == 2
    with db.read() as conn:
        waiting = conn.execute(
            select(messages.c.state, messages.c.due_at, messages.c.attempts).where(
                messages.c.key.like("limit:%"), messages.c.state == outbox.PENDING
            )
        ).one()
    assert waiting.due_at == NOW + outbox.RATE_WINDOW and waiting.attempts == 0
    # A retry of a message already begun does not count again.
    with db.begin() as conn:
        assert outbox.mark_retry(conn, got[0].id, "w", NOW, "gateway answered 500")
        (retried,) = outbox.claim(conn, "w", NOW, hold=HOLD, limit=10, per_hour=2)
    assert retried.id == got[0].id
    # The next hour, the third goes.
    with db.begin() as conn:
        for message in got:
            assert outbox.mark_sent(conn, message.id, "w", NOW)
        (third,) = outbox.claim(
            conn, "w", NOW + outbox.RATE_WINDOW, hold=HOLD, limit=10, per_hour=2
        )
    assert third.key not in {m.key for m in got}


def test_a_dead_letter_is_listed_masked_and_can_be_sent_again(db: Database) -> None:
    _write(db, "dead:1", phone="6281378901234")
    with db.begin() as conn:
        (message,) = outbox.claim(conn, "w", NOW, hold=HOLD, limit=5, per_hour=10)
        outbox.mark_dead(conn, message.id, "w", "gateway refused the message (400)")
    with db.read() as conn:
        (dead,) = outbox.dead_letters(conn, None)
        assert outbox.count_dead(conn, "another-office") == 0
    assert dead.phone_masked == "62813*****234"
    assert "6281378901234" not in repr(dead) and "6281378901234" not in repr(message)
    with db.begin() as conn:
        assert outbox.send_again(conn, dead.id, "another-office", NOW) is False
        assert outbox.send_again(conn, dead.id, None, NOW) is True
        (again,) = outbox.claim(conn, "w", NOW, hold=HOLD, limit=5, per_hour=10)
    assert again.key == "dead:1"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("081234567890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("0812345678", "62812345678"),
        ("0881234567890", "62881234567890"),
        ("+62 812-3456-789", "628123456789"),  # as people write it
    ],
)
def test_phone_numbers_are_kept_as_62(typed: str, kept: str) -> None:
    assert normalise(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["", "0812", "0212345678", "081234567890123", "08123456789012345", "0800123456", 812],
)
def test_what_is_not_a_mobile_number_is_refused(typed: object) -> None:
    assert normalise(typed) is None


def test_masked_keeps_only_the_ends() -> None:
    assert masked("6281234567890") == "62812*****890"


def test_every_template_has_both_languages_and_only_its_fields() -> None:
    for name, template in TEMPLATES.items():
        assert set(template.texts) == {"id", "en"}, name
        params = {field: f"<{field}>" for field in template.fields}
        for language in ("id", "en"):
            text = render(name, language, {**params, "nik": "1471011203850001"})
            assert "1471011203850001" not in text
            for field in template.fields:
                assert f"<{field}>" in text, (name, language, field)


def test_numbers_are_forgotten_once_no_longer_needed(db: Database) -> None:
    with db.begin() as conn:
        triggers.ticket_consent(conn, "t-old", "6281234567890", "id", 3, NOW)
        triggers.complaint_consent(conn, "ADU-01D0-01D0-01D0", "6281234567890", "id", NOW)
    _write(db, "forget:1", phone="6281234567890")
    with db.begin() as conn:
        (message,) = outbox.claim(conn, "w", NOW, hold=HOLD, limit=5, per_hour=10)
        outbox.mark_sent(conn, message.id, "w", NOW)
    with db.begin() as conn:
        assert outbox.forget(conn, NOW + dt.timedelta(days=1)) == 1  # the hour's count only
    with db.begin() as conn:
        outbox.forget(conn, NOW + dt.timedelta(days=31))
    with db.read() as conn:
        subjects = conn.execute(select(message_consents.c.subject)).scalars().all()
        phone = conn.execute(
            select(messages.c.phone).where(messages.c.key == "forget:1")
        ).scalar_one()
    assert subjects == ["complaint:ADU-01D0-01D0-01D0"]  # a complaint may be answered weeks later
    assert phone == "62812*****890"
    with db.begin() as conn:
        triggers.citizen_consent(conn, "c-1", "6281234567890", "id", NOW + dt.timedelta(days=300))
        outbox.forget(conn, NOW + dt.timedelta(days=91))
    with db.read() as conn:
        subjects = conn.execute(select(message_consents.c.subject)).scalars().all()
    assert subjects == ["citizen:c-1"]  # an unanswered complaint's yes is not kept for ever


def test_the_webhook_secret_is_read_from_its_file_and_never_shown(tmp_path: Path) -> None:
    secret = tmp_path / "webhook.key"
    secret.write_bytes(b"  rahasia-gerbang-kota-0001\n")
    secret.chmod(0o600)
    parser = argparse.ArgumentParser()
    add_server_options(parser)
    args = parser.parse_args(
        [
            *("--message-provider", "webhook"),
            *("--message-webhook-url", "https://sms.kota.go.id:8443/kirim?token=t0k3n"),
            *("--message-webhook-secret-file", str(secret)),
        ]
    )
    settings = settings_from(args)
    assert settings.message_webhook_secret == b"rahasia-gerbang-kota-0001"
    provider = provider_of(settings)
    for shown in (repr(settings), repr(provider)):
        assert "rahasia" not in shown and "t0k3n" not in shown and "kirim" not in shown
    assert repr(provider) == "WebhookProvider(https://sms.kota.go.id:8443)"


@pytest.mark.parametrize(
    "url", ["https://user:pw@sms.kota.go.id/kirim", "http://gateway-pw@10.0.0.5/send"]
)
def test_a_webhook_url_with_credentials_is_refused_without_showing_them(
    tmp_path: Path, url: str
) -> None:
    secret = tmp_path / "webhook.key"
    secret.write_bytes(b"rahasia-gerbang-kota-0001")
    parser = argparse.ArgumentParser()
    add_server_options(parser)
    args = parser.parse_args(
        [
            *("--message-provider", "webhook", "--message-webhook-url", url),
            *("--message-webhook-secret-file", str(secret)),
        ]
    )
    with pytest.raises(ValueError, match="--message-webhook-secret-file") as refused:
        settings_from(args)
    assert "pw" not in str(refused.value) and "kata sandi" in str(refused.value)
    with pytest.raises(ValueError, match="--message-webhook-secret-file"):
        WebhookProvider(url, b"rahasia-gerbang-kota-0001")


def test_a_webhook_without_its_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="secret"):
        CentralSettings(message_provider="webhook", message_webhook_url="https://sms.kota.go.id/")


def test_a_claim_that_ran_out_with_its_attempts_used_makes_a_dead_letter(db: Database) -> None:
    """A sender that took a message for its last attempt and never recorded an outcome
    (it died, or failed on the answer): the message is not sent yet again."""
    _write(db, "ticket:last:called")
    with db.begin() as conn:
        (first,) = outbox.claim(conn, "w", NOW, hold=HOLD, limit=5, per_hour=10, max_attempts=2)
    later = NOW + HOLD + dt.timedelta(seconds=1)
    with db.begin() as conn:
        (second,) = outbox.claim(conn, "w2", later, hold=HOLD, limit=5, per_hour=10, max_attempts=2)
    assert (first.attempts, second.attempts) == (1, 2)
    latest = later + HOLD + dt.timedelta(seconds=1)
    with db.begin() as conn:
        assert (
            outbox.claim(conn, "w3", latest, hold=HOLD, limit=5, per_hour=10, max_attempts=2) == []
        )
    with db.read() as conn:
        row = conn.execute(select(messages).where(messages.c.key == "ticket:last:called")).one()
    assert (row.state, row.attempts) == ("dead", 2)
    assert "attempts used up" in row.last_error


def test_a_message_past_its_lifetime_expires_instead_of_going(db: Database) -> None:
    with db.begin() as conn:
        outbox.enqueue(
            conn,
            key="booking:123456789:reminder:2026-12-05",
            office_id=None,
            phone="6281234567890",
            language="id",
            template="booking.reminder",
            params={},
            now=NOW,
            expires_at=NOW + dt.timedelta(minutes=30),
        )
    held = NOW + dt.timedelta(hours=1)  # the per-number limit or an outage held it
    with db.begin() as conn:
        assert outbox.claim(conn, "w", held, hold=HOLD, limit=5, per_hour=10) == []
    with db.read() as conn:
        (gone,) = outbox.expired(conn, None)
        row = conn.execute(select(messages)).one()
    assert (row.state, row.attempts, row.phone) == ("expired", 0, masked("6281234567890"))
    assert gone.key == row.key and "time had passed" in gone.last_error


class _ClaimSeen:
    """A provider that reads, as it sends, how long its message is claimed for."""

    name = "claim-seen"

    def __init__(self, db: Database) -> None:
        self.db = db
        self.claimed_until: list[dt.datetime] = []

    def send(self, message: outbox.Outgoing, text: str) -> Delivered:
        with self.db.read() as conn:
            until = conn.execute(
                select(messages.c.claimed_until).where(messages.c.id == message.id)
            ).scalar_one()
        self.claimed_until.append(until if until.tzinfo else until.replace(tzinfo=dt.UTC))
        return Delivered()


def test_a_claim_s_hold_starts_once_the_write_lock_is_taken(
    new_migrated_db_url: Callable[[str], str],
) -> None:
    """Another process holds SQLite's write lock as the sender goes to claim: the claim
    still holds its whole deadline and margin from the moment it is taken, not from
    before its wait for the lock (which would shorten it by up to the busy timeout)."""
    url = new_migrated_db_url("sqlite")
    db, other = Database(url), Database(url)
    try:
        with db.begin() as conn:
            outbox.enqueue(
                conn,
                key="ticket:lock:called",
                office_id=None,
                phone="6281234567890",
                language="id",
                template="ticket.called",
                params={"number": "A-001", "office": "MPP", "counter": "2"},
                now=utc_now(),
            )
        seen = _ClaimSeen(db)
        policy = Policy(deadline_s=10.0, claim_margin_s=30.0)
        sender = Sender(db, seen, policy)
        done = threading.Event()

        def round_of_sends() -> None:
            sender.run_once()
            done.set()

        with other.begin():  # another process's write, under way
            worker = threading.Thread(target=round_of_sends)
            worker.start()
            assert not done.wait(0.5), "the sender claimed while another held the lock"
            released = utc_now()
        worker.join(30)
        assert done.is_set()
        [until] = seen.claimed_until
        assert until >= released + policy.hold
    finally:
        other.dispose()
        db.dispose()
