"""Personal data at rest: sealed with AES-GCM under a key outside the database."""

from __future__ import annotations

import hashlib
import logging
import stat
from pathlib import Path

import pytest

from offline_store import Store, StoreKeyError, StoreTampered
from testkit.stored_tickets import NAME, NIK, NOW, issue_ticket, raw_bytes

PHONE = "081234567890"
RECORD = {"name": NAME, "nik": NIK, "rekam_medis": "RM-2024-00917", "phone": PHONE}


def test_the_files_on_disk_hold_no_nik_name_or_phone(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    store = Store.open(db)
    for _ in range(5):
        issue_ticket(store)
    store.put_citizen_record(NIK, RECORD, NOW)
    # the plaintext is really there, through the API
    assert store.outbox()[0].payload["values"]["name"] == NAME
    assert store.get_citizen_record(NIK, NOW) == RECORD
    secrets = [NIK.encode(), NAME.encode(), PHONE.encode(), b"RM-2024-00917"]
    secrets.append(hashlib.sha256(NIK.encode()).hexdigest().encode())  # no plain hash either
    on_disk = raw_bytes(db)
    assert [s for s in secrets if s in on_disk] == []
    store.close()  # the final checkpoint moves the WAL into the file
    assert [s for s in secrets if s in raw_bytes(db)] == []


def test_the_key_file_is_created_once_private_and_outside_the_database(tmp_path: Path) -> None:
    Store.open(tmp_path / "kiosk.db").close()
    key_file = tmp_path / "store.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    text = key_file.read_text()
    assert len(bytes.fromhex(text.strip())) == 32
    Store.open(tmp_path / "kiosk.db").close()
    assert key_file.read_text() == text
    assert text.strip().encode() not in (tmp_path / "kiosk.db").read_bytes()


def test_a_key_file_from_the_configuration_is_used(tmp_path: Path) -> None:
    elsewhere = tmp_path / "secrets" / "anjungan.key"
    store = Store.open(tmp_path / "data" / "kiosk.db", key_file=elsewhere)
    issue_ticket(store)
    store.close()
    assert elsewhere.exists() and not (tmp_path / "data" / "store.key").exists()
    again = Store.open(tmp_path / "data" / "kiosk.db", key_file=elsewhere)
    assert again.outbox()[0].payload["values"]["nik"] == NIK
    again.close()


def test_a_missing_key_stops_the_store_and_no_new_key_is_made(tmp_path: Path) -> None:
    Store.open(tmp_path / "kiosk.db").close()
    key_file = tmp_path / "store.key"
    saved = key_file.read_bytes()
    key_file.unlink()
    with pytest.raises(StoreKeyError, match=r"missing.*restore the key file"):
        Store.open(tmp_path / "kiosk.db")
    assert not key_file.exists()
    key_file.write_bytes(saved)  # the documented recovery: put the key back
    Store.open(tmp_path / "kiosk.db").close()


def test_a_wrong_key_stops_the_store(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "kiosk.db")
    issue_ticket(store)
    store.close()
    (tmp_path / "store.key").write_text("ab" * 32 + "\n")
    with pytest.raises(StoreKeyError, match="does not belong to this store"):
        Store.open(tmp_path / "kiosk.db")


@pytest.mark.parametrize("content", ["", "not hex at all", "ab" * 16, "ab" * 33])
def test_a_malformed_key_file_stops_the_store(tmp_path: Path, content: str) -> None:
    (tmp_path / "store.key").write_text(content)
    with pytest.raises(StoreKeyError, match="64 hex characters"):
        Store.open(tmp_path / "kiosk.db")


def test_a_key_file_others_can_read_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Store.open(tmp_path / "kiosk.db").close()
    (tmp_path / "store.key").chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="offline_store"):
        Store.open(tmp_path / "kiosk.db").close()
    assert "readable by other users" in caplog.text
    assert stat.S_IMODE((tmp_path / "store.key").stat().st_mode) == 0o600  # and made private


def test_ciphertexts_swapped_between_outbox_rows_are_refused(store: Store) -> None:
    first, second = issue_ticket(store).id, issue_ticket(store).id
    swap(store, "outbox", "payload", "key", first, second)
    with pytest.raises(StoreTampered):
        store.outbox()
    # the sender is not blocked: both go to dead with the reason, nothing is sent
    assert store.pending_batch(10, NOW) == []
    dead = store.db.execute("SELECT key, last_error FROM outbox WHERE state = 'dead'").fetchall()
    assert sorted(key for key, _ in dead) == sorted([first, second])
    assert all("does not belong to this row" in error for _, error in dead)


def test_a_sender_claiming_swapped_ciphertexts_sends_neither(store: Store) -> None:
    """The claim for sending (payloads as their stored text) checks each seal too."""
    first, second = issue_ticket(store).id, issue_ticket(store).id
    swap(store, "outbox", "payload", "key", first, second)
    assert store.pending_texts(10, NOW) == []
    dead = store.db.execute("SELECT key, last_error FROM outbox WHERE state = 'dead'").fetchall()
    assert sorted(key for key, _ in dead) == sorted([first, second])
    assert all("does not belong to this row" in error for _, error in dead)


def test_ciphertexts_swapped_between_citizen_records_are_refused(store: Store) -> None:
    store.put_citizen_record(NIK, RECORD, NOW)
    store.put_citizen_record("3171012345670002", {"name": "Budi Santoso"}, NOW)
    first, second = [r[0] for r in store.db.execute("SELECT key_hash FROM citizen_records")]
    swap(store, "citizen_records", "record", "key_hash", first, second)
    with pytest.raises(StoreTampered):
        store.get_citizen_record(NIK, NOW)


def test_a_ciphertext_moved_to_another_table_is_refused(store: Store) -> None:
    key = issue_ticket(store).id
    store.put_citizen_record(NIK, RECORD, NOW)
    store.db.execute(
        "UPDATE citizen_records SET record = (SELECT payload FROM outbox WHERE key = ?)", [key]
    )
    with pytest.raises(StoreTampered):
        store.get_citizen_record(NIK, NOW)


def test_a_flipped_bit_is_refused(store: Store) -> None:
    key = issue_ticket(store).id
    [sealed] = store.db.execute("SELECT payload FROM outbox WHERE key = ?", [key]).fetchone()
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    store.db.execute("UPDATE outbox SET payload = ? WHERE key = ?", [damaged, key])
    with pytest.raises(StoreTampered):
        store.outbox()


def swap(store: Store, table: str, column: str, pk: str, first: str, second: str) -> None:
    a, b = (
        store.db.execute(f"SELECT {column} FROM {table} WHERE {pk} = ?", [k]).fetchone()[0]  # noqa: S608
        for k in (first, second)
    )
    with store.db.atomic():
        store.db.execute(f"UPDATE {table} SET {column} = ? WHERE {pk} = ?", [b, first])  # noqa: S608
        store.db.execute(f"UPDATE {table} SET {column} = ? WHERE {pk} = ?", [a, second])  # noqa: S608
