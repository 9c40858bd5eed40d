"""``kiosk sync status`` and ``kiosk sync now`` as an operator runs them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from central.process import RunningCentral
from central.settings import DEMO_ENROLMENT_CODE
from contract.shown import shown_key
from kiosk.tickets.complaints import KIND, reference_for
from kiosk.tickets.desk import CANCEL_KIND, cancel_key
from offline_store import Store, StoredTicket
from testkit.clocks import OfficeClock
from testkit.commands import kiosk  # the `kiosk` command, as an operator runs it
from testkit.sync_kiosk import issue

pytestmark = pytest.mark.timeout(90)


def write_config(folder: Path, url: str) -> Path:
    path = folder / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{folder}"\n'
        f'[central]\nurl = "{url}"\ntimeout_s = 1.0\nenrolment_code = "{DEMO_ENROLMENT_CODE}"\n'
    )
    return path


def test_status_then_now_then_status(tmp_path: Path, central: RunningCentral) -> None:
    config = write_config(tmp_path, central.url)
    first = kiosk("sync", "now", "--config", str(config))  # enrols: the kiosk code
    assert first.returncode == 0, first.stdout + first.stderr
    store = Store.open(tmp_path / "kiosk.db")
    try:
        tickets = [issue(store, OfficeClock()) for _ in range(3)]
    finally:
        store.close()

    before = kiosk("sync", "status", "--config", str(config), "--json")
    assert before.returncode == 0, before.stderr
    report = json.loads(before.stdout)
    assert report["outbox"]["depth"] == 3 and report["last_success"] is not None
    assert report["outbox"]["oldest_created_at"] is not None

    now = kiosk("sync", "now", "--config", str(config), "--json")
    assert now.returncode == 0, now.stderr
    step = json.loads(now.stdout)
    assert step["step"]["connection"] == "online"
    assert step["outbox"]["depth"] == 0 and step["step"]["delivered"] == 3
    assert step["outbox"]["dead"] == 0
    assert step["catalog_version"] and step["kiosk_code"]
    assert any(lease["source"] == "central" for lease in step["leases"])

    text = kiosk("sync", "status", "--config", str(config))
    assert text.returncode == 0
    assert "Kotak keluar / outbox: 0" in text.stdout
    assert step["catalog_version"] in text.stdout
    for ticket in tickets:  # an operator's screen, but still no personal data
        assert "081234567890" not in text.stdout and ticket.id not in text.stdout


def test_now_against_a_dead_centre_exits_1(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9")
    result = kiosk("sync", "now", "--config", str(config))
    assert result.returncode == 1
    assert "offline" in result.stdout and "Traceback" not in result.stderr


def dead_ticket(tmp_path: Path) -> StoredTicket:
    """A ticket issued in the kiosk's store at ``tmp_path``, its outbox item sent and
    refused by the centre for good (a dead letter)."""
    store = Store.open(tmp_path / "kiosk.db")
    try:
        ticket = issue(store, OfficeClock())
        store.pending_batch(10, OfficeClock()())
        store.mark_dead(ticket.id, "invalid: unknown_service")
    finally:
        store.close()
    return ticket


def test_dead_letters_are_listed_and_can_be_retried(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9")
    ticket = dead_ticket(tmp_path)
    status = kiosk("sync", "status", "--config", str(config))
    listed = f"{shown_key(ticket.id)} service_registration: invalid: unknown_service"
    assert listed in status.stdout
    retried = kiosk("sync", "retry-dead", shown_key(ticket.id), "--config", str(config))
    assert retried.returncode == 0
    again = json.loads(kiosk("sync", "status", "--config", str(config), "--json").stdout)
    assert (again["outbox"]["dead"], again["outbox"]["depth"]) == (0, 1)
    assert kiosk("sync", "retry-dead", ticket.id, "--config", str(config)).returncode == 1


def test_a_registration_and_its_cancel_both_dead_are_each_retried_by_what_status_lists(
    tmp_path: Path,
) -> None:
    """A desk's cancel is keyed ``cancel-<ticket id>``: when the registration and its
    cancel are both dead letters (the centre, not knowing the ticket, refuses the cancel
    too), ``status`` must name them so that ``retry-dead`` can tell them apart; the whole
    key is shown nowhere else."""
    config = write_config(tmp_path, "http://127.0.0.1:9")
    store = Store.open(tmp_path / "kiosk.db")
    try:
        now = OfficeClock()()
        ticket = issue(store, OfficeClock())
        body = {"office_id": "x", "ticket_id": ticket.id, "reason": "salah poli"}
        store.enqueue_submission(cancel_key(ticket.id), CANCEL_KIND, body, now)
        store.pending_batch(10, now)
        store.mark_dead(ticket.id, "invalid: unknown_service")
        store.mark_dead(cancel_key(ticket.id), "invalid: unknown_ticket")
    finally:
        store.close()
    listed = json.loads(kiosk("sync", "status", "--config", str(config), "--json").stdout)
    assert len(listed["dead"]) == 2
    for dead in listed["dead"]:
        retried = kiosk("sync", "retry-dead", dead["key"], "--config", str(config))
        assert retried.returncode == 0, retried.stderr
    again = json.loads(kiosk("sync", "status", "--config", str(config), "--json").stdout)
    assert (again["outbox"]["dead"], again["outbox"]["depth"]) == (0, 2)


def test_retry_dead_takes_a_dead_letter_only_whole_or_as_status_lists_it(
    tmp_path: Path,
) -> None:
    """An end shorter than ``status`` shows (a slip of the finger, half a paste) names no
    dead letter: it must not send one the operator never named, whichever it happens to
    match."""
    config = write_config(tmp_path, "http://127.0.0.1:9")
    ticket = dead_ticket(tmp_path)
    listed = json.loads(kiosk("sync", "status", "--config", str(config), "--json").stdout)
    assert [dead["key"] for dead in listed["dead"]] == [shown_key(ticket.id)]
    for odd in (ticket.id[-1], f"…{ticket.id[-1]}", f"...{ticket.id[-3:]}"):
        retried = kiosk("sync", "retry-dead", odd, "--config", str(config))
        assert retried.returncode == 1, f"{odd!r} sent {shown_key(ticket.id)} again"
    again = json.loads(kiosk("sync", "status", "--config", str(config), "--json").stdout)
    assert (again["outbox"]["dead"], again["outbox"]["depth"]) == (1, 0)


def test_a_complaints_dead_letter_is_listed_without_the_key_that_gives_its_reference(
    tmp_path: Path,
) -> None:
    """A complaint's outbox key gives its reference (``reference_for``), which opens the
    citizen's page: ``status`` lists the dead letter by the key's end, and that end is
    what ``retry-dead`` takes (the whole key still works too)."""
    config = write_config(tmp_path, "http://127.0.0.1:9")
    key = str(uuid.uuid4())
    store = Store.open(tmp_path / "kiosk.db")
    try:
        now = OfficeClock()()
        store.enqueue_submission(key, KIND, {"reference": reference_for(key)}, now)
        store.pending_batch(10, now)
        store.mark_dead(key, "invalid: unknown_office")
    finally:
        store.close()
    for as_json in ((), ("--json",)):
        status = kiosk("sync", "status", "--config", str(config), *as_json)
        assert status.returncode == 0 and "unknown_office" in status.stdout
        assert key[:8] not in status.stdout and reference_for(key) not in status.stdout
    shown = json.loads(kiosk("sync", "status", "--config", str(config), "--json").stdout)
    [dead] = shown["dead"]
    retried = kiosk("sync", "retry-dead", dead["key"], "--config", str(config))
    assert retried.returncode == 0, retried.stderr
    assert key[:8] not in retried.stdout
    again = json.loads(kiosk("sync", "status", "--config", str(config), "--json").stdout)
    assert (again["outbox"]["dead"], again["outbox"]["depth"]) == (0, 1)


def test_a_complaint_found_unreadable_is_listed_without_the_key_that_gives_its_reference(
    tmp_path: Path,
) -> None:
    """A complaint whose sealed payload was damaged on disk goes to the dead letters when
    claimed for sending: ``status`` lists it, and its reason, by its key's end alone, as
    every other dead letter (the whole key gives the reference to the citizen's page)."""
    config = write_config(tmp_path, "http://127.0.0.1:9")
    key = str(uuid.uuid4())
    store = Store.open(tmp_path / "kiosk.db")
    try:
        now = OfficeClock()()
        store.enqueue_submission(key, KIND, {"reference": reference_for(key)}, now)
        [sealed] = store.db.execute("SELECT payload FROM outbox WHERE key = ?", [key]).fetchone()
        damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
        store.db.execute("UPDATE outbox SET payload = ? WHERE key = ?", [damaged, key])
        assert store.pending_texts(10, now) == []  # the claim finds it unreadable: dead
    finally:
        store.close()
    for as_json in ((), ("--json",)):
        status = kiosk("sync", "status", "--config", str(config), *as_json)
        assert status.returncode == 0, status.stderr[-300:]
        assert shown_key(key).removeprefix("…") in status.stdout
        shown = status.stdout + status.stderr
        assert key[:8] not in shown and reference_for(key) not in shown


def test_status_without_a_store_says_so_and_creates_none(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9")
    result = kiosk("sync", "status", "--config", str(config))
    assert result.returncode == 1 and "no local store" in result.stderr
    assert not (tmp_path / "kiosk.db").exists()
