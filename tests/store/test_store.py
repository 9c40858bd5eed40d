"""The local store: migrations run once, one transaction per ticket, full disk, durability."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from contract.shown import shown_key
from contract.ticket_ids import new_ticket_id
from offline_store import Store, StoreError, StoreFull
from offline_store.migrations import MIGRATIONS, applied
from testkit.stored_tickets import NOW, issue, issue_ticket


def test_migrations_are_recorded_and_run_once(tmp_path: Path) -> None:
    Store.open(tmp_path / "k.db").close()
    again = Store.open(tmp_path / "k.db")
    assert applied(again.conn) == {v for v, _ in MIGRATIONS}


def test_durability_is_wal_with_full_sync(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store.db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL


def test_numbers_count_per_service_and_day(store: Store) -> None:
    assert [issue(store), issue(store), issue(store, "ktp")] == ["A-001", "A-002", "A-001"]
    assert issue(store, now=NOW + dt.timedelta(days=1)) == "A-001"


def test_ticket_and_outbox_row_are_written_together(store: Store) -> None:
    issue(store)
    [item] = store.outbox()
    assert store.ticket(item.key)["number"] == "A-001"
    assert item.payload["ticket"]["number"] == "A-001"


def test_a_failed_outbox_write_leaves_no_ticket_and_no_number_used(store: Store) -> None:
    store.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(StoreError):
        issue(store)
    assert store.tickets_count() == 0
    store.db.execute("DROP TRIGGER refuse")
    assert issue(store) == "A-001"  # the counter did not move either


def test_a_full_database_is_store_full_and_writes_nothing(store: Store) -> None:
    issue(store)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreFull):
        for _ in range(200):
            issue(store)
    count = store.tickets_count()
    store.db.execute("PRAGMA max_page_count = 1073741823")
    assert store.tickets_count() == count and store.integrity_ok()


def test_ticket_survives_reopening(tmp_path: Path) -> None:
    first = Store.open(tmp_path / "k.db")
    issue(first)
    first.close()
    second = Store.open(tmp_path / "k.db")
    assert second.tickets_count() == 1 and issue(second) == "A-002"


def test_catalog_cache_round_trip(store: Store) -> None:
    assert store.load_catalog() is None
    store.save_catalog({"version": "v1"}, '"abc"', "v1")
    store.save_catalog({"version": "v2"}, '"def"', "v2")
    assert store.load_catalog() == ({"version": "v2"}, '"def"')


def test_a_store_in_an_unwritable_place_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError):
        Store.open(blocker / "kiosk.db")


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store.open(path)


def lease_state(store: Store) -> list[tuple[str, int]]:
    return [(s.source, s.next) for s in store.lease_state(NOW)]


def test_a_failed_outbox_write_leaves_the_lease_and_fallback_untouched(store: Store) -> None:
    store.set_kiosk_code("K07")
    store.add_lease(
        lease_id="L1",
        office_id="pku",
        service_id="poli",
        day=NOW.date(),
        start=10,
        end=10,
        expires_at=NOW + dt.timedelta(hours=1),
        now=NOW,
    )
    store.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    for _ in range(2):  # once from the lease, once from the fallback
        with pytest.raises(StoreError):
            issue(store)
        assert lease_state(store) == [("central", 10)]
        assert store.tickets_count() == 0
        store.release_lease("L1", NOW)  # the lease is over: the fallback is next
    store.db.execute("DROP TRIGGER refuse")
    assert issue(store) == "A-K07-001"


def test_a_full_disk_leaves_tickets_outbox_and_numbers_consistent(store: Store) -> None:
    store.set_kiosk_code("K07")
    store.add_lease(
        lease_id="L1",
        office_id="pku",
        service_id="poli",
        day=NOW.date(),
        start=1,
        end=40,
        expires_at=NOW + dt.timedelta(hours=1),
        now=NOW,
    )
    issue(store)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 1}")
    with pytest.raises(StoreFull):
        for i in range(500):
            issue(store)
            store.put_citizen_record(f"lookup-{i}", {"name": "x" * 200}, NOW)
    store.db.execute("PRAGMA max_page_count = 1073741823")
    tickets = store.tickets_count()
    outbox = store.db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    used = sum(s.next - s.block_start for s in store.lease_state(NOW))
    assert tickets == outbox == used and store.integrity_ok()
    assert issue(store)  # and the kiosk carries on once space is back


def test_an_unknown_ticket_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store.ticket("no-such-ticket")


def test_an_unknown_tickets_error_names_its_id_by_its_end(store: Store) -> None:
    """A ticket's id opens its public page (/t/{id}): the error of a reprint or a desk's
    cancel of a ticket this kiosk never kept names it as the log lines do, by its end."""
    ticket_id = new_ticket_id("PKU-K01")
    with pytest.raises(StoreError) as caught:
        store.ticket(ticket_id)
    assert shown_key(ticket_id) in str(caught.value)
    assert ticket_id not in str(caught.value) and ticket_id[:13] not in str(caught.value)


def test_the_days_tickets_say_whether_each_got_its_paper(store: Store) -> None:
    """Staff see which tickets the citizen holds no paper for: a printer's fault, or one
    stored after its session ended. A ticket whose print has no outcome yet is neither."""
    waiting, printed, no_paper, late = (issue_ticket(store) for _ in range(4))
    store.record_print(printed.id, printed=True)
    store.record_print(no_paper.id, printed=False, fault="out_of_paper")
    store.record_print(late.id, printed=False, fault="session_ended")

    seen = {
        t.number: (t.printed, t.print_fault, t.not_handed_out) for t in store.tickets_on(NOW.date())
    }

    assert seen == {
        waiting.number: (None, "", False),
        printed.number: (True, "", False),
        no_paper.number: (False, "out_of_paper", True),
        late.number: (False, "session_ended", True),
    }
    store.record_print(no_paper.id, printed=True)  # the operator's reprint came out
    [again] = [t for t in store.tickets_on(NOW.date()) if t.id == no_paper.id]
    assert (again.printed, again.not_handed_out) == (True, False)


def test_every_ticket_without_paper_is_found_however_many_the_day_has(store: Store) -> None:
    """An out-of-paper ticket at opening, then a busy day: it is still named."""
    early = issue_ticket(store)
    store.record_print(early.id, printed=False, fault="out_of_paper")
    for i in range(520):
        later = issue_ticket(store, now=NOW + dt.timedelta(seconds=i + 1))
        store.record_print(later.id, printed=True)
    assert [t.number for t in store.unprinted_on(NOW.date())] == [early.number]


def test_a_start_marks_the_tickets_a_stopped_run_left_without_a_print_outcome(
    store: Store,
) -> None:
    left, printed, failed = (issue_ticket(store) for _ in range(3))
    store.record_print(printed.id, printed=True)
    store.record_print(failed.id, printed=False, fault="out_of_paper")
    mark = store.last_ticket_mark()  # the start: this run's tickets come after it
    this_run = issue_ticket(store)  # its print on its way
    assert store.settle_unrecorded_prints("interrupted", mark) == 1
    faults = {t.number: t.print_fault for t in store.unprinted_on(NOW.date())}
    assert faults == {left.number: "interrupted", failed.number: "out_of_paper"}
    assert store.ticket(this_run.id)["print_fault"] == ""
    assert store.settle_unrecorded_prints("interrupted", mark) == 0  # settled once
