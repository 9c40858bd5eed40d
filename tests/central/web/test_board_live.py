"""A board follows its office live across server processes, restarts and lost streams.

Real servers (child processes) and a real chromium: a call made on one
PostgreSQL-backed process reaches a board connected to another (LISTEN/NOTIFY);
a board whose server is restarted says "terputus", reconnects by itself and
shows the call it missed; the stream resumes after ``Last-Event-ID``; a
server that stops ends its streams instead of holding its stop for them.
"""

from __future__ import annotations

import json
from pathlib import Path

import requests
from playwright.sync_api import Browser, expect

from central.access import staff
from central.database import Database
from central.process import start_central
from central.settings import DEMO_BOARD_TOKEN
from testkit.boards import call_next, issue, register_board
from testkit.browser import TIMEOUT_MS, fresh_context
from testkit.busy_database import allow_connections
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk, new_staff
from testkit.centres import TEST_SERVER_ARGS
from testkit.pg_cluster import PgCluster
from testkit.waits import wait_until


def test_a_call_on_one_process_reaches_a_board_on_another(
    browser: Browser, pg_cluster: PgCluster
) -> None:
    url = pg_cluster.create_database(migrated=True)
    with (
        start_central(db_url=url, extra_args=TEST_SERVER_ARGS) as one,
        start_central(db_url=url, extra_args=TEST_SERVER_ARGS, seed_demo=False) as two,
    ):
        db = Database(url)
        try:
            admin = new_staff(db, one.url, staff.Role.ADMIN, office_id=DEMO_OFFICE)
            kiosk = new_kiosk(db, one.url)[1]
        finally:
            db.dispose()
        board_url = register_board(one.url, admin).replace(one.url, two.url)
        with fresh_context(browser) as context:
            tv = context.new_page()
            tv.goto(board_url)
            expect(tv.locator("#board")).to_have_attribute("data-link", "online")
            display = issue(one.url, kiosk)
            call_next(one.url, admin, "2")
            expect(tv.locator("#now-number")).to_have_text(display)
            expect(tv.locator("#now-counter")).to_have_text("Loket 2")


def test_a_board_reconnects_after_a_server_restart_and_catches_up(
    browser: Browser, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    first = start_central(db_url=url, extra_args=TEST_SERVER_ARGS)
    try:
        db = Database(url)
        admin = new_staff(db, first.url, staff.Role.ADMIN, office_id=DEMO_OFFICE)
        kiosk = new_kiosk(db, first.url)[1]
        db.dispose()
        board_url = register_board(first.url, admin)
        port = first.port
        with fresh_context(browser) as context:
            tv = context.new_page()
            tv.goto(board_url)
            board = tv.locator("#board")
            expect(board).to_have_attribute("data-link", "online")
            first.stop()
            expect(tv.locator("#link")).to_have_text("terputus", timeout=TIMEOUT_MS)
            # While the board's server is down, a counter calls through another process.
            with start_central(db_url=url, extra_args=TEST_SERVER_ARGS, seed_demo=False) as side:
                display = issue(side.url, kiosk)
                call_next(side.url, admin, "8")
            expect(tv.locator("#link")).to_have_text("terputus")
            assert tv.locator("#now-number").inner_text() != display
            # The same database and port, as a restarted service would have.
            with start_central(
                db_url=url, extra_args=(*TEST_SERVER_ARGS, "--port", str(port))
            ) as second:
                assert second.port == port
                expect(tv.locator("#now-number")).to_have_text(display, timeout=2 * TIMEOUT_MS)
                expect(tv.locator("#now-counter")).to_have_text("Loket 8")
                expect(tv.locator("#link")).to_have_text("tersambung")
    finally:
        first.stop()


def test_the_stream_resumes_after_the_last_event_id(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    with start_central(db_url=url, extra_args=TEST_SERVER_ARGS) as server:
        db = Database(url)
        admin = new_staff(db, server.url, staff.Role.ADMIN, office_id=DEMO_OFFICE)
        kiosk = new_kiosk(db, server.url)[1]
        db.dispose()
        board_url = register_board(server.url, admin)
        called = []
        for counter in ("1", "2", "3"):
            issue(server.url, kiosk)
            called.append(call_next(server.url, admin, counter))

        def first_calls(headers: dict[str, str], n: int) -> list[tuple[int, str]]:
            found: list[tuple[int, str]] = []
            with requests.get(
                f"{board_url}/events", headers=headers, stream=True, timeout=10
            ) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                event_id = None
                for line in stream.iter_lines(decode_unicode=True):
                    if line.startswith("id: "):
                        event_id = int(line[4:])
                    elif line.startswith("data: ") and event_id is not None:
                        found.append((event_id, json.loads(line[6:])["display"]))
                        event_id = None
                        if len(found) == n:
                            return found
            return found

        everything = first_calls({"Last-Event-ID": "0"}, 3)
        assert [display for _, display in everything] == called
        resumed = first_calls({"Last-Event-ID": str(everything[0][0])}, 2)
        assert resumed == everything[1:]


def test_a_stopping_server_ends_its_boards_streams_whole(tmp_path: Path) -> None:
    """The stream ends with its last chunk (the TV connects again), not cut at the grace time."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    server = start_central(db_url=url, extra_args=TEST_SERVER_ARGS)
    try:
        db = Database(url)
        admin = new_staff(db, server.url, staff.Role.ADMIN, office_id=DEMO_OFFICE)
        db.dispose()
        board_url = register_board(server.url, admin)
        with requests.get(f"{board_url}/events", stream=True, timeout=30) as stream:
            lines = stream.iter_lines(decode_unicode=True)
            assert any(line.startswith("event: state") for line in lines)  # the stream is open
            server.stop()
            rest = list(lines)  # a stream cut off raises ChunkedEncodingError here
        assert not any(line.startswith("event: ") for line in rest), rest
    finally:
        server.stop()


def test_a_stream_open_when_the_database_goes_away_ends_whole_with_one_warning(
    pg_cluster: PgCluster,
) -> None:
    """The answer has begun, so no 503 can be sent: the stream ends with its last chunk, the
    log has one warning naming the outage and the route's template (no traceback, no
    token), and the board's next connection is told 503 until the database is back. It
    was "Exception in ASGI application" with a traceback, and a stream cut off mid-chunk.

    On PostgreSQL: SQLite's readers are never kept out by another's lock (WAL), so a
    board's stream there meets no outage of this kind."""
    url = pg_cluster.create_database(migrated=True)
    name = url.rsplit("/", 1)[1]
    admin = Database(pg_cluster.url("postgres"))
    try:
        with start_central(db_url=url, extra_args=TEST_SERVER_ARGS) as server:
            events = f"{server.url}/board/{DEMO_BOARD_TOKEN}/events"
            with requests.get(events, stream=True, timeout=60) as stream:
                assert stream.status_code == 200, stream.text
                lines = stream.iter_lines(decode_unicode=True)
                assert any(line.startswith("event: state") for line in lines)  # it is open
                allow_connections(admin, name, allowed=False)
                # It reads again when woken or at its heartbeat, finds the database away
                # and ends; a stream cut off raises ChunkedEncodingError here.
                rest = list(lines)
            assert not any(line.startswith("event: ") for line in rest), rest
            said = "GET /board/{token}/events ended mid-answer"
            wait_until(lambda: said in server.output_tail(), 30, "the stream's warning")
            again = requests.get(events, timeout=30)  # the board connects again
            assert again.status_code == 503, again.text
            allow_connections(admin, name, allowed=True)
            with requests.get(events, stream=True, timeout=60) as back:
                assert back.status_code == 200
                assert any(
                    line.startswith("event: state") for line in back.iter_lines(decode_unicode=True)
                )
            log = server.output_tail()
    finally:
        admin.dispose()
    warned = [line for line in log.splitlines() if said in line]
    assert len(warned) == 1, warned
    assert "WARNING" in warned[0] and "the database is away (" in warned[0]
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log
    assert DEMO_BOARD_TOKEN not in log
