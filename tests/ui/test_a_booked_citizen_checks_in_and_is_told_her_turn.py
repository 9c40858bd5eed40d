"""End to end, with real parts only: Siti Aminah books a time on the centre's booking
page in a real chromium, with her phone number; at a real kiosk she taps her card,
once on the simulated reader and once through a real pcscd with the vpcd virtual
card; the kiosk greets her with her appointment, one tap checks her in and prints
the ticket; the registration reaches the centre with the booking checked in; a
counter calls the queue through the staff API; and the city's gateway (a stand-in
on 127.0.0.1) receives "tinggal 3 orang lagi" and "dipanggil" for her ticket, each
exactly once, signed as ``openssl dgst`` computes it.

The kiosk finds the booking through its own sync engine (nothing is put in its
cache by the test). The service's policy is set to ``walk_in`` through the staff
route, and five walk-in tickets are taken before she checks in, so she has five
ahead at first and the "3 ahead" message is due at the second call, not before.

The centre runs in a fixed-offset zone where it is midday now, so there are slots
left today whatever the hour the test runs (the kiosk uses the same zone).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cardio.emulators.demo_cards import demo_card
from cardio.emulators.vpcd import VpcdCard
from central.database import Database
from central.process import RunningCentral, start_central
from central.tables import bookings, citizens, messages, submissions
from contract.bookings import BookingState
from contract.demo import DEMO_REVOCATION_LIST, DEMO_TRUST_LIST
from kiosk.config import CardSection, Config
from kiosk.session.machine import Phase
from offline_store import OutboxItem, OutboxState
from testkit.booking_office import SITI_BORN, SITI_NIK
from testkit.browser import fresh_context
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_staff
from testkit.centre_requests import allocate, registration, results
from testkit.centres import LOOSE_SERVER_ARGS
from testkit.kiosk_window import button_with, click, demo_config, running_kiosk, wait_phase
from testkit.message_gateway import Gateway
from testkit.pcscd import FRIENDLY_NAME, Pcscd, running_pcscd
from testkit.waits import wait_until
from ui.screens.appointment import AppointmentScreen
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(120)

SECRET = b"rahasia-gerbang-e2e-0016"
SERVICE = "ktp-cetak-ulang"
SERVICE_NAME = "Cetak Ulang KTP-el"
PHONE = "0812 3456 7890"
PHONE_WIRE = "6281234567890"
COUNTER = "2"
WALK_INS = 5
PHONE_VIEW = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
WAIT_S = 30.0


def midday_zone() -> str:
    """A fixed-offset IANA zone in which it is about noon now."""
    offset = 12 - dt.datetime.now(dt.UTC).hour  # -11 … +12
    # POSIX sign: Etc/GMT-7 is seven hours ahead of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


ZONE = midday_zone()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    stand_in = Gateway(SECRET)
    try:
        yield stand_in
    finally:
        stand_in.close()


@pytest.fixture
def centre(tmp_path: Path, gateway: Gateway) -> Iterator[RunningCentral]:
    """The demo centre (its citizens, the DEMO code and trust lists) sending through the
    gateway stand-in, in :data:`ZONE`."""
    secret = tmp_path / "gateway-secret"
    secret.write_bytes(SECRET + b"\n")
    secret.chmod(0o600)
    args = (
        *LOOSE_SERVER_ARGS,
        *("--timezone", ZONE),
        *("--message-provider", "webhook", "--message-webhook-url", gateway.url),
        *("--message-webhook-secret-file", str(secret)),
        *("--message-poll", "0.05", "--message-deadline", "5"),
    )
    server = start_central(
        seed_demo=True, db_url=f"sqlite:///{tmp_path / 'central.db'}", extra_args=args
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def centre_db(centre: RunningCentral) -> Iterator[Database]:
    db = Database(centre.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with fresh_context(browser, **PHONE_VIEW) as context:
        yield context.new_page()


@pytest.fixture
def pcscd_reader(tmp_path: Path) -> Iterator[Pcscd]:
    yield from running_pcscd(tmp_path)


# -- the centre, as staff and the city's records see it ------------------------------


def staff_put(url: str, token: str, path: str, body: Any) -> None:
    answer = requests.put(f"{url}{path}", json=body, headers=bearer(token), timeout=10)
    assert answer.status_code == 200, answer.text


def open_all_day_with_walk_in_policy(centre: RunningCentral, token: str) -> None:
    """Staff open the office all day every day and make the service's bookings walk-ins."""
    office = f"/api/v1/staff/offices/{DEMO_OFFICE}"
    hours = [{"weekday": d, "opens_at": "00:00", "closes_at": "23:30"} for d in range(7)]
    staff_put(centre.url, token, f"{office}/opening-hours", {"hours": hours})
    settings = {"capacity": 4, "walk_in_percent": 25, "policy": "walk_in", "grace_minutes": 15}
    staff_put(centre.url, token, f"{office}/services/{SERVICE}/booking-settings", settings)


def sitis_bookings(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(
            select(bookings)
            .join(citizens, citizens.c.id == bookings.c.citizen_id)
            .where(citizens.c.nik == SITI_NIK)
        )
        return [dict(row._mapping) for row in rows]


def registered_booking(db: Database, key: str) -> str | None:
    """The booking code the centre kept with the registration ``key``."""
    with db.read() as conn:
        body = conn.execute(select(submissions.c.body).where(submissions.c.key == key)).scalar_one()
    code: str | None = json.loads(body).get("booking_code")
    return code


def message_keys(db: Database) -> set[str]:
    with db.read() as conn:
        return {row.key for row in conn.execute(select(messages.c.key))}


def message_states(db: Database, keys: set[str]) -> set[str]:
    with db.read() as conn:
        rows = conn.execute(select(messages.c.state).where(messages.c.key.in_(keys)))
        return {row.state for row in rows}


def walk_ins(centre: RunningCentral, token: str, count: int) -> None:
    """``count`` walk-in tickets of the service, taken at another kiosk, no messages asked."""
    for n in range(count):
        answer = allocate(centre.url, token, SERVICE)
        assert answer.status_code == 201, answer.text
        ticket = answer.json()
        item = registration(
            ticket["ticket_id"], SERVICE, ticket["display"], "online",
            values={"full_name": f"Warga {n}"},
        )  # fmt: skip
        item["body"]["card_number"] = None  # no card: nobody's booking
        (result,) = results(centre.url, token, [item])
        assert result["status"] == "accepted", result


def call_next(centre: RunningCentral, token: str) -> dict[str, Any]:
    """The counter calls the next ticket and serves it: the ticket called."""
    answer = requests.post(
        f"{centre.url}/api/v1/staff/queue/call-next",
        json={"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": COUNTER},
        headers=bearer(token),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    assert ticket is not None, "the queue ran out before her ticket was called"
    served = requests.post(
        f"{centre.url}/api/v1/staff/tickets/{ticket['ticket_id']}/served",
        headers=bearer(token),
        timeout=10,
    )
    assert served.status_code == 200, served.text
    return ticket


def openssl_signature(stamp: str, key: str, body: bytes) -> str:
    """The signature as docs/messages.md says a gateway checks it, computed by openssl."""
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", SECRET.decode(), "-r"],
        input=stamp.encode() + b"." + key.encode() + b"." + body,
        capture_output=True,
        check=True,
        timeout=10,
    ).stdout.split()[0]
    return "sha256=" + digest.decode()


# -- the citizen's side -----------------------------------------------------------------


def cancel_in_browser(page: Page, url: str, code: str) -> None:
    """Siti cancels the booking the demo made for her, on its page."""
    page.goto(f"{url}/b/{code}")
    page.get_by_label("Tanggal lahir").last.fill(SITI_BORN.isoformat())
    page.get_by_role("button", name="Batalkan janji").click()
    expect(page.get_by_role("status")).to_have_text("Janji Anda sudah dibatalkan.")


def book_in_browser(page: Page, url: str, today: dt.date) -> str:
    """Siti books today's first free time with her phone number: the booking's code."""
    page.goto(f"{url}/booking")
    expect(page.get_by_label("Kantor")).to_have_value(DEMO_OFFICE)
    with page.expect_navigation():
        page.get_by_label("Layanan").select_option(label=SERVICE_NAME)
    with page.expect_navigation():
        page.get_by_label("Tanggal", exact=True).select_option(today.isoformat())
    expect(page.get_by_label("Jam", exact=True)).to_be_visible()
    page.get_by_label("NIK", exact=True).fill(SITI_NIK)
    page.get_by_label("Tanggal lahir").fill(SITI_BORN.isoformat())
    page.get_by_label("Nomor HP (opsional)").fill(PHONE)
    with page.expect_navigation():
        page.get_by_role("button", name="Buat janji").click()
    found = re.search(r"/b/(\d{9})\?done=booked$", page.url)
    assert found is not None, page.url
    expect(page.get_by_role("status")).to_have_text("Janji Anda tercatat. Sampai jumpa di kantor.")
    return found.group(1)


def kiosk_config(tmp_path: Path, url: str, reader: str) -> Config:
    """The demo kiosk's configuration on ``url`` in :data:`ZONE`; for ``pcscd``, a kiosk
    whose card reader is the private pcscd's vpcd slot, trusting the DEMO issuer."""
    config = demo_config(tmp_path, url)
    config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, timezone=ZONE))
    if reader == "pcscd":
        card = CardSection(
            backend="pcsc",
            reader=FRIENDLY_NAME,
            trust_list=str(DEMO_TRUST_LIST),
            revocation_list=str(DEMO_REVOCATION_LIST),
        )
        config = dataclasses.replace(config, card=card)
    return config


@pytest.mark.parametrize("reader", ["simulated", pytest.param("pcscd", marks=pytest.mark.pcsc)])
def test_a_booking_made_online_is_checked_in_with_a_tap_and_its_citizen_told_her_turn(
    reader: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    qtbot: QtBot,
    phone: Page,
    centre: RunningCentral,
    centre_db: Database,
    gateway: Gateway,
) -> None:
    pcscd: Pcscd | None = request.getfixturevalue("pcscd_reader") if reader == "pcscd" else None
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    staff = new_staff(centre_db, centre.url)
    open_all_day_with_walk_in_policy(centre, staff)

    # The demo booked Siti for today already: she cancels that one and books her own.
    (demo,) = sitis_bookings(centre_db)
    cancel_in_browser(phone, centre.url, demo["code"])
    code = book_in_browser(phone, centre.url, today)
    booked = {b["code"]: b for b in sitis_bookings(centre_db)}[code]
    assert (booked["state"], booked["phone"], booked["day"]) == ("booked", "081234567890", today)

    # Five citizens walk in before her.
    walk_ins(centre, new_kiosk(centre_db, centre.url)[1], WALK_INS)

    (tmp_path / "kiosk").mkdir()
    config = kiosk_config(tmp_path / "kiosk", centre.url, reader)
    with running_kiosk(qtbot, config, demo=reader == "simulated") as window:
        store = window.kiosk.store
        # The kiosk's sync engine fetches the office's bookings of today by itself.
        qtbot.waitUntil(lambda: store.booking_by_code(code, today) is not None, timeout=20000)
        if pcscd is None:
            click(qtbot, button_with(window, "Siti Aminah"))
            check_in(qtbot, window, booked["starts_at"])
        else:
            from cardio.readers.pcsc import PcscReader  # pyscard: only where pcscd runs

            assert isinstance(window.kiosk.reader, PcscReader)  # no simulated card here
            with VpcdCard(demo_card("siti").applet(), port=pcscd.port):
                check_in(qtbot, window, booked["starts_at"])
        # The ticket is printed.
        qtbot.waitUntil(lambda: bool(list(Path(config.printer.output_dir).glob("tiket-*.pdf"))))
        # The registration reaches the centre, the booking checked in with its ticket.
        qtbot.waitUntil(lambda: bool(registrations(window)), timeout=20000)
        (item,) = registrations(window)
    checked = {b["code"]: b for b in sitis_bookings(centre_db)}[code]
    assert checked["state"] == BookingState.CHECKED_IN.value
    assert checked["ticket_id"] == item.key
    assert registered_booking(centre_db, item.key) == code
    ahead_key, called_key = f"ticket:{item.key}:ahead", f"ticket:{item.key}:called"

    # The counter calls: she has five ahead, then four (nothing due yet), then three.
    calls = [call_next(centre, staff)]
    assert ahead_key not in message_keys(centre_db), "told with four still ahead"
    calls.append(call_next(centre, staff))
    assert ahead_key in message_keys(centre_db), "not told with three ahead"
    while calls[-1]["ticket_id"] != item.key:
        calls.append(call_next(centre, staff))
    assert len(calls) == WALK_INS + 1, "she stood behind the five who walked in before her"

    # The gateway gets each message once, signed with the city's secret.
    wait_until(lambda: {ahead_key, called_key} <= set(gateway.deliveries), WAIT_S, "both messages")
    wait_until(
        lambda: message_states(centre_db, {ahead_key, called_key}) == {"sent"},
        WAIT_S,
        "the centre to record both sent",
    )
    assert gateway.bad_signatures == 0
    display = calls[-1]["display"]
    for key, template, words in (
        (ahead_key, "ticket.ahead", "tinggal 3 orang lagi"),
        (called_key, "ticket.called", f"dipanggil ke loket {COUNTER}"),
    ):
        (post,) = gateway.posts_of(key)
        assert post.status == 200
        assert post.headers["Idempotency-Key"] == key
        stamp = post.headers["X-Anjungan-Timestamp"]
        assert post.headers["X-Anjungan-Signature"] == openssl_signature(stamp, key, post.body)
        sent = gateway.deliveries[key]
        assert (sent["template"], sent["to"], sent["language"]) == (template, PHONE_WIRE, "id")
        assert words in sent["text"] and display in sent["text"]
    # Her ticket's messages are these two, and the walk-ins (who gave no number) got none.
    ticket_keys = {k for k in gateway.deliveries if k.startswith("ticket:")}
    assert ticket_keys == {ahead_key, called_key}


def registrations(window: KioskWindow) -> list[OutboxItem]:
    """The kiosk's registrations the centre has taken."""
    delivered = window.kiosk.store.outbox(OutboxState.DELIVERED)
    return [i for i in delivered if i.kind == "service_registration"]


def check_in(qtbot: QtBot, window: KioskWindow, starts_at: str) -> None:
    """The appointment (``starts_at``, "HH:MM") is shown first; one tap checks in and prints."""
    wait_phase(qtbot, window, Phase.APPOINTMENT)
    screen = window.screens[Phase.APPOINTMENT]
    assert isinstance(screen, AppointmentScreen)
    title = screen.title.text()
    assert SERVICE_NAME in title and starts_at.replace(":", ".") in title, title
    click(qtbot, screen.check_in)
    wait_phase(qtbot, window, Phase.TICKET_ISSUED)
