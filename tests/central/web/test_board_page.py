"""The waiting room's board: registered by an admin, opened by a TV without login, live and spoken.

Driven as an office would: a real chromium opens the board in a context of its
own (another device), a counter calls through the staff API, and the board's
script records each clip it played to its ``ended`` event
(``#announce-log``), which the test reads.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import insert

from central.access import staff
from central.database import Database
from central.office.speech import announcement
from central.process import RunningCentral
from central.settings import DEMO_BOARD_TOKEN, DEMO_CITIZENS_PATH
from central.tables import services
from central.web.board import STREAMS_PER_BOARD
from contract.bookings import damm_digit, format_code
from testkit.boards import call_next, issue, played, register_board
from testkit.browser import TIMEOUT_MS, fresh_context, log_in
from testkit.centre_accounts import (
    DEMO_OFFICE,
    bearer,
    enrol,
    new_code,
    new_office,
    new_staff,
    new_staff_account,
)


@pytest.fixture(scope="module")
def admin(office: RunningCentral, office_db: Database) -> str:
    return new_staff(office_db, office.url, staff.Role.ADMIN, office_id=DEMO_OFFICE)


@pytest.fixture
def board(browser: Browser, office: RunningCentral, admin: str) -> Iterator[Page]:
    """A board of the demo office open in a browser of its own, its stream connected."""
    with fresh_context(browser) as context:
        tv = context.new_page()
        tv.goto(register_board(office.url, admin))
        expect(tv.locator("#board")).to_have_attribute("data-link", "online")
        yield tv


def _first_seen(names: list[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def test_an_admin_registers_a_board_and_a_tv_opens_it_without_login(
    page: Page, browser: Browser, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.ADMIN, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/office/boards")
    page.get_by_role("button", name="Daftarkan papan").click()
    url = page.locator("#board-url").inner_text()
    assert re.fullmatch(rf"{re.escape(office.url)}/board/bd_[A-Za-z0-9_-]+", url)
    with fresh_context(browser) as tv_context:
        tv = tv_context.new_page()
        tv.goto(url)
        assert tv.url == url  # no login
        expect(tv.get_by_role("heading", name="Nomor dipanggil")).to_be_visible()
        expect(tv.locator("#waiting")).to_contain_text("Pendaftaran Poli Umum Puskesmas")
    page.reload()
    assert url not in page.content(), "the token is shown only once"


def test_the_demo_centres_board_opens_at_its_published_address(
    browser: Browser, office: RunningCentral
) -> None:
    with fresh_context(browser) as tv_context:
        tv = tv_context.new_page()
        tv.goto(f"{office.url}/board/{DEMO_BOARD_TOKEN}")
        expect(tv.get_by_role("heading", name="Nomor dipanggil")).to_be_visible()


def test_a_call_shows_on_the_board_and_its_clips_play_in_order_to_their_end(
    board: Page, office: RunningCentral, kiosk: str, admin: str
) -> None:
    requested: list[str] = []
    board.on(
        "requestfinished",
        lambda r: (
            requested.append(r.url.rsplit("/", 1)[1].removesuffix(".wav"))
            if "/voice/" in r.url
            else None
        ),
    )
    display = issue(office.url, kiosk)
    assert call_next(office.url, admin, "7") == display
    expect(board.locator("#now-number")).to_have_text(display)
    expect(board.locator("#now-counter")).to_have_text("Loket 7")
    log = board.locator("#announce-log")
    expect(log).to_have_attribute("data-played", re.compile(f"done:{display}"), timeout=TIMEOUT_MS)
    expected = announcement(display, "7")
    assert played(board).clips_of(display) == expected  # each recorded at its `ended`
    assert _first_seen(requested) == _first_seen(expected)


def test_two_counters_calling_at_once_are_announced_one_after_the_other(
    board: Page, office: RunningCentral, kiosk: str, admin: str
) -> None:
    first, second = issue(office.url, kiosk), issue(office.url, kiosk, "ktp-cetak-ulang")
    calls: dict[str, str] = {}
    start = threading.Barrier(2)

    def counter(name: str, service_id: str) -> None:
        start.wait(timeout=10)
        calls[call_next(office.url, admin, name, service_id)] = name

    threads = [
        threading.Thread(target=counter, args=("2", "puskesmas-umum")),
        threading.Thread(target=counter, args=("5", "ktp-cetak-ulang")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert set(calls) == {first, second}
    log = board.locator("#announce-log")
    for display in calls:
        expect(log).to_have_attribute(
            "data-played", re.compile(f"done:{re.escape(display)}"), timeout=2 * TIMEOUT_MS
        )
    result = played(board)
    assert result.overlaps == 0
    starts = [e for e in result.entries if e.startswith("start:")]
    assert len(starts) == 2
    # Each announcement runs whole, start to done, before the next starts.
    for entry in starts:
        display = entry.removeprefix("start:")
        begin, end = result.entries.index(entry), result.entries.index(f"done:{display}")
        assert all(not e.startswith(("start:", "done:")) for e in result.entries[begin + 1 : end])
        assert result.clips_of(display) == announcement(display, calls[display])


def test_the_running_text_set_by_staff_scrolls_on_the_board(
    board: Page, page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/office/boards")
    page.get_by_label("Teks berjalan").fill("Loket KTP buka sampai pukul 15.00")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Teks berjalan disimpan.")).to_be_visible()
    expect(board.locator("#running-text")).to_have_text("Loket KTP buka sampai pukul 15.00")


def test_a_revoked_board_is_refused(
    page: Page, office: RunningCentral, office_db: Database, admin: str
) -> None:
    url = register_board(office.url, admin)
    assert requests.get(url, timeout=5).status_code == 200
    username = new_staff_account(office_db, staff.Role.ADMIN, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/office/boards")
    page.get_by_role("button", name="Cabut TV uji").first.click()
    expect(page.get_by_text("Papan dicabut.")).to_be_visible()
    refused = requests.get(url, timeout=5)
    assert refused.status_code == 403 and "sudah dicabut" in refused.text
    assert requests.get(f"{url}/events", timeout=5).status_code == 403
    assert requests.get(url.replace("bd_", "bd_x"), timeout=5).status_code == 403


def test_a_boards_token_reads_only_its_own_office(
    board: Page, office: RunningCentral, office_db: Database, kiosk: str, admin: str
) -> None:
    other = new_office(office_db, "Kantor Lain")
    with office_db.begin() as conn:
        conn.execute(
            insert(services).values(
                id=f"layanan-{other}",
                office_id=other,
                category="layanan",
                name="Layanan Lain",
                ticket_prefix="Z",
                counter="1",
                active=True,
            )
        )
    enrolled = enrol(office.url, new_code(office_db, other))
    assert enrolled.status_code == 201, enrolled.text
    root = new_staff(office_db, office.url, staff.Role.ADMIN)
    theirs = issue(office.url, enrolled.json()["token"], f"layanan-{other}")
    assert theirs.startswith("Z-")
    call_next(office.url, root, "1", f"layanan-{other}", other)
    ours = issue(office.url, kiosk)
    call_next(office.url, admin, "3")
    expect(board.locator("#now-number")).to_have_text(ours)
    assert "Z-" not in board.locator("#board").inner_text()
    assert "Layanan Lain" not in board.content()
    # An admin of one office cannot register a board for another.
    refused = requests.post(
        f"{office.url}/api/v1/staff/boards",
        json={"office_id": other},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=5,
    )
    assert refused.status_code == 403


def test_the_board_shows_no_personal_data(
    board: Page, office: RunningCentral, kiosk: str, admin: str
) -> None:
    display = issue(office.url, kiosk)
    call_next(office.url, admin, "4")
    expect(board.locator("#now-number")).to_have_text(display)
    text = board.content()
    for citizen in json.loads(DEMO_CITIZENS_PATH.read_text(encoding="utf-8"))["citizens"]:
        for value in (citizen["nik"], citizen["full_name"], citizen["phone"]):
            assert str(value) not in text
    url = board.url
    with requests.get(f"{url}/events?after=0", stream=True, timeout=10) as stream:
        lines = stream.iter_lines(decode_unicode=True)
        message = next(json.loads(line[5:]) for line in lines if line.startswith('data: {"id"'))
    assert set(message) == {"id", "kind", "display", "counter", "where", "service", "announce"}


def test_a_board_staff_member_cannot_register_and_a_form_without_csrf_is_refused(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/office/boards")
    expect(page.get_by_role("button", name="Daftarkan papan")).to_have_count(0)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    refused = requests.post(
        f"{office.url}/office/boards",
        data={"office_id": DEMO_OFFICE, "name": "TV"},
        cookies=cookies,
        timeout=5,
        allow_redirects=False,
    )
    assert refused.status_code == 403 and "kedaluwarsa" in refused.text


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_the_board_fills_a_tv_screen_with_the_number_large(
    browser: Browser, office: RunningCentral, admin: str, width: int, height: int
) -> None:
    with fresh_context(browser, viewport={"width": width, "height": height}) as context:
        tv = context.new_page()
        tv.goto(register_board(office.url, admin))
        parts = ("#now-number", ".recent", ".waiting", "#waiting li >> nth=-1", "#clock", ".ticker")
        for part in parts:
            box = tv.locator(part).bounding_box(timeout=TIMEOUT_MS)
            assert box is not None, part
            assert box["x"] >= 0 and box["y"] >= 0, part
            assert box["x"] + box["width"] <= width + 1, part
            assert box["y"] + box["height"] <= height + 1, part
        size = tv.locator("#now-number").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= height * 0.2  # a fifth of the screen's height: read from across a room
        scroll = tv.evaluate("document.documentElement.scrollHeight")
        assert scroll <= height


#: Counts the event streams a board's script opens (read with ``window.streamsOpened``).
COUNT_STREAMS = """
window.streamsOpened = 0;
const Native = window.EventSource;
window.EventSource = function (url, options) {
  window.streamsOpened += 1;
  return new Native(url, options);
};
"""


def _named_board(url: str, admin: str) -> tuple[str, str]:
    """A board with a name of its own (so its revoke button is unambiguous): (name, URL)."""
    name = f"TV {uuid.uuid4().hex[:8]}"
    response = requests.post(
        f"{url}/api/v1/staff/boards",
        json={"office_id": DEMO_OFFICE, "name": name},
        headers=bearer(admin),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return name, response.json()["url"]


def _revoke(page: Page, office: RunningCentral, office_db: Database, name: str) -> None:
    if "/office/boards" not in page.url:
        username = new_staff_account(office_db, staff.Role.ADMIN, office_id=DEMO_OFFICE)
        log_in(page, office.url, username, then="/office/boards")
    page.get_by_role("button", name=f"Cabut {name}").click()
    expect(page.get_by_text("Papan dicabut.")).to_be_visible()


def test_a_board_revoked_while_it_shows_says_so_and_stops_reconnecting(
    browser: Browser, page: Page, office: RunningCentral, office_db: Database, admin: str
) -> None:
    name, url = _named_board(office.url, admin)
    with fresh_context(browser) as context:
        tv = context.new_page()
        tv.add_init_script(COUNT_STREAMS)
        tv.clock.install()
        tv.goto(url)
        board = tv.locator("#board")
        expect(board).to_have_attribute("data-link", "online")
        _revoke(page, office, office_db, name)
        expect(tv.locator("#revoked")).to_be_visible()
        expect(tv.locator("#revoked")).to_have_text("Papan ini sudah dicabut. Hubungi petugas.")
        expect(board).to_have_attribute("data-link", "revoked")
        opened = tv.evaluate("window.streamsOpened")
        # Ten minutes of the board's own clock: every retry and watchdog would have run.
        tv.clock.run_for(10 * 60 * 1000)
        assert tv.evaluate("window.streamsOpened") == opened
        expect(tv.locator("#revoked")).to_be_visible()


def test_a_board_that_finds_itself_revoked_when_it_reconnects_says_so(
    browser: Browser, page: Page, office: RunningCentral, office_db: Database, admin: str
) -> None:
    name, url = _named_board(office.url, admin)
    username = new_staff_account(office_db, staff.Role.ADMIN, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/office/boards")
    with fresh_context(browser) as context:
        tv = context.new_page()
        tv.route("**/events*", lambda route: route.abort())  # the network is away
        tv.goto(url)
        expect(tv.locator("#link")).to_have_text("terputus")
        _revoke(page, office, office_db, name)
        tv.unroute("**/events*")
        expect(tv.locator("#revoked")).to_be_visible(timeout=2 * TIMEOUT_MS)
        expect(tv.locator("#board")).to_have_attribute("data-link", "revoked")


def test_a_ticket_issued_at_a_kiosk_shows_in_the_boards_waiting_count_without_a_call(
    board: Page, office: RunningCentral, kiosk: str
) -> None:
    count = board.locator("#waiting li", has_text="Pendaftaran Poli Umum Puskesmas").locator(
        ".count"
    )
    before = int(count.inner_text())
    issue(office.url, kiosk)
    expect(count).to_have_text(str(before + 1))
    issue(office.url, kiosk)
    expect(count).to_have_text(str(before + 2))


def test_one_board_token_holds_only_a_few_streams(office: RunningCentral, admin: str) -> None:
    url = register_board(office.url, admin)
    with contextlib.ExitStack() as streams:
        held = [
            streams.enter_context(requests.get(f"{url}/events", stream=True, timeout=10))
            for _ in range(STREAMS_PER_BOARD)
        ]
        assert [r.status_code for r in held] == [200] * STREAMS_PER_BOARD
        refused = requests.get(f"{url}/events", stream=True, timeout=10)
        assert refused.status_code == 429
        # Another board is not held back by this one.
        other = requests.get(f"{register_board(office.url, admin)}/events", stream=True, timeout=10)
        assert other.status_code == 200
        other.close()
        held[0].close()
        # Once a stream is closed, its place is free again.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            again = requests.get(f"{url}/events", stream=True, timeout=10)
            again.close()
            if again.status_code == 200 or time.monotonic() > deadline:
                break
        assert again.status_code == 200


def test_the_access_log_keeps_no_board_token_complaint_reference_or_ticket_id(
    office: RunningCentral, admin: str
) -> None:
    url = register_board(office.url, admin)
    token = url.rsplit("/", 1)[1]
    ticket = str(uuid.uuid4())
    reference = f"ADU-{uuid.uuid4().hex[:10].upper()}"
    assert requests.get(url, timeout=10).status_code == 200
    with requests.get(f"{url}/events", stream=True, timeout=10) as stream:
        assert stream.status_code == 200
    requests.get(f"{office.url}/t/{ticket}", timeout=10)
    requests.get(f"{office.url}/c/{reference}?lang=en", timeout=10)
    last = "GET /c/[reference]?<hidden> HTTP/1.1"
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while last not in office.output_tail() and time.monotonic() < deadline:
        time.sleep(0.05)  # the log reaches us through a pipe
    log = office.output_tail()
    assert last in log
    assert "GET /board/[token] HTTP/1.1" in log
    assert "GET /board/[token]/events HTTP/1.1" in log
    assert "GET /t/[ticket_id] HTTP/1.1" in log
    leaked = [secret for secret in (token, ticket, reference) if secret in log]
    assert leaked == []


def test_the_access_log_keeps_no_booking_code(office: RunningCentral, kiosk: str) -> None:
    """A booking's code opens its page (and its change and cancel) to whoever reads it:
    the log writes ``/b/[code]`` and ``/api/v1/bookings/[code]``, never the code."""
    body = f"{uuid.uuid4().int % 10**8:08d}"
    code = body + str(damm_digit(body))
    headers = {"Authorization": f"Bearer {kiosk}"}
    requests.get(f"{office.url}/b/{code}", timeout=10)
    requests.post(f"{office.url}/b/{code}/cancel", data={}, timeout=10)
    requests.get(f"{office.url}/api/v1/bookings/{code}", headers=headers, timeout=10)
    requests.get(f"{office.url}/api/v1/bookings/today", headers=headers, timeout=10)
    requests.get(f"{office.url}/b/{code}?lang=en", timeout=10)
    last = "GET /b/[code]?<hidden> HTTP/1.1"
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while last not in office.output_tail() and time.monotonic() < deadline:
        time.sleep(0.05)  # the log reaches us through a pipe
    log = office.output_tail()
    assert last in log
    assert "GET /b/[code] HTTP/1.1" in log
    assert "POST /b/[code]/cancel HTTP/1.1" in log
    assert "GET /api/v1/bookings/[code] HTTP/1.1" in log
    assert "GET /api/v1/bookings/today HTTP/1.1" in log  # no code: kept as it is
    assert code not in log and format_code(code) not in log
