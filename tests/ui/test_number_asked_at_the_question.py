"""The ticket's number is asked of the centre as soon as the citizen confirms her
summary, while she answers the one question about messages (#19), with real parts:
a real centre over HTTP on 127.0.0.1, the real kiosk window offscreen, the simulated
card reader and the PDF printer; faults at the network (a proxy that goes down).

- The centre has the ticket numbered while the question is shown; her answer goes
  into the registration, the number is the one asked.
- Staff calling the next citizen meanwhile do not call her number: it is called once
  her ticket is stored and its registration has reached the centre.
- Batal at the question or the kiosk closing voids the number at the
  centre at once (the queue never calls it); a doctor's place taken with it is given
  back.
- Back to the summary and confirmed again: still one number.
- The centre away at the question: the ticket still comes (a lease's number).
- The centre refuses the doctor's place: told at once, at the question, without an
  answer; nothing stored.

The session's clock is a manual one: the question never times out by itself, so a
test waits for what the kiosk does on its own, never for a timeout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.process import RunningCentral, start_central
from central.tables import submissions, tickets
from kiosk.client.bearer import load_token
from kiosk.client.client import ALLOCATE_PATH
from kiosk.config import Config, SessionSection
from kiosk.errors import SessionProblem
from kiosk.session.events import (
    Back,
    Cancel,
    Confirmed,
    Finish,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from offline_store import NumberSource, OutboxState
from testkit.centre_accounts import DEMO_OFFICE, new_staff
from testkit.centre_hospital import (
    allocate,
    doctor_today,
    free_the_day,
    hospital_kiosk,
    hospital_staff,
    new_schedule,
    remember_kiosk,
)
from testkit.centre_requests import call_next_at_a_freed_counter, drain, staff_post
from testkit.centres import TEST_SERVER_ARGS
from testkit.clocks import ManualClock
from testkit.demo_kiosk import PHONE, SERVICE_ID
from testkit.fault_proxy import FaultProxy
from testkit.hospital_window import hospital_config, to_payer, wait_cached
from testkit.kiosk_window import (
    PHASE_WAIT_MS,
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(120)

POLI = "poli-dalam"
SITI_NIK = "1471015203850001"


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    with start_central(seed_demo=True, extra_args=TEST_SERVER_ARGS) as running:
        yield running


@pytest.fixture(scope="module")
def operator(centre: RunningCentral) -> Iterator[Database]:
    db = Database(centre.db_url)
    try:
        yield db
    finally:
        db.dispose()


def asking(config: Config) -> Config:
    """``config`` with the question about messages asked (the hospital's has it off)."""
    return dataclasses.replace(config, session=SessionSection(ask_notify=True))


def notes(kiosk: KioskWindow) -> list[str]:
    """The ticket ids whose online number the kiosk asked for and has not stored yet."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return kiosk.kiosk.store.unkept_number_requests(later)


def at_the_centre(operator: Database, ticket_id: str) -> Any:
    with operator.begin() as conn:
        return conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()


def kiosks_tickets(operator: Database, ticket_id: str) -> list[Any]:
    """Every ticket the centre holds from the kiosk that asked for ``ticket_id``."""
    with operator.begin() as conn:
        kiosk_id = conn.execute(
            select(tickets.c.kiosk_id).where(tickets.c.id == ticket_id)
        ).scalar_one()
        return list(conn.execute(select(tickets).where(tickets.c.kiosk_id == kiosk_id)))


@contextmanager
def kiosk_behind_a_proxy(
    qtbot: QtBot, centre: RunningCentral, tmp_path: Path, **config: Any
) -> Iterator[tuple[KioskWindow, FaultProxy]]:
    """The demo kiosk on a manual clock, its catalog in, talking to ``centre`` through a
    fault proxy of its own (closed after): faults at the network, never in the client."""
    proxy = FaultProxy(centre.port)
    try:
        with running_kiosk(
            qtbot, demo_config(tmp_path, proxy.url, **config), clock=ManualClock()
        ) as kiosk:
            wait_for_catalog(qtbot, kiosk.controller)
            yield kiosk, proxy
    finally:
        proxy.close()


def to_question(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Siti's card, the demo service, its form with her phone, "Konfirmasi"."""
    wait_for_catalog(qtbot, kiosk.controller)
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    kiosk.dispatch(ServiceSelected(SERVICE_ID))
    kiosk.dispatch(FormOpened())
    kiosk.dispatch(FormSubmitted({"phone": PHONE}))
    assert kiosk.controller.session().phase is Phase.CONFIRMING
    kiosk.dispatch(Confirmed())
    assert kiosk.controller.session().phase is Phase.CONSENT


def numbered_ahead(qtbot: QtBot, kiosk: KioskWindow, operator: Database) -> str:
    """Wait until the centre has numbered the ticket whose question is shown, and its
    answer has reached the kiosk (a fault set after would otherwise meet the answer on
    its way back); its id."""

    def numbered() -> bool:
        asked = notes(kiosk)
        return len(asked) == 1 and at_the_centre(operator, asked[0]) is not None

    def answered() -> bool:
        asking = kiosk.controller._ahead._asked
        return asking is not None and asking._done.is_set()

    qtbot.waitUntil(numbered, timeout=PHASE_WAIT_MS)
    qtbot.waitUntil(answered, timeout=PHASE_WAIT_MS)
    [ticket_id] = notes(kiosk)
    assert at_the_centre(operator, ticket_id).status == "waiting"
    assert kiosk.controller.session().phase is Phase.CONSENT  # she has not answered
    return ticket_id


def places_left(centre: RunningCentral, token: str, schedule_id: str) -> Callable[[], int]:
    """The doctor's JKN places left as another kiosk of the hospital reads them, asked
    at most every 0.2 s (a wait's every poll would meet the centre's rate limit)."""
    asked = {"at": 0.0, "left": -1}

    def left() -> int:
        if time.monotonic() - asked["at"] >= 0.2:
            asked["left"] = doctor_today(centre.url, token, schedule_id)["left_jkn"]
            asked["at"] = time.monotonic()
        return int(asked["left"])

    return left


def answer(kiosk: KioskWindow, yes: bool) -> None:
    kiosk.dispatch(NotifyAnswered(kiosk.controller.session().session, yes))


def stored_body(operator: Database, key: str) -> dict[str, Any] | None:
    """The registration the centre stored under the outbox ``key``, as sent, or None."""
    with operator.read() as conn:
        body = conn.execute(select(submissions.c.body).where(submissions.c.key == key)).scalar()
    return None if body is None else dict(json.loads(body))


def test_the_centre_numbers_the_ticket_while_the_question_is_shown(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, centre.url), clock=ManualClock()) as kiosk:
        to_question(qtbot, kiosk)
        ticket_id = numbered_ahead(qtbot, kiosk, operator)
        answer(kiosk, True)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        ticket = kiosk.controller.session().ticket
        assert ticket is not None and ticket.printed
        store = kiosk.kiosk.store
        stored = store.ticket(ticket_id)  # the ticket is the number asked, and only it
        assert (stored["number"], stored["number_source"]) == (ticket.number, NumberSource.ONLINE)
        assert at_the_centre(operator, ticket_id).display == ticket.number
        assert notes(kiosk) == []
        every = [i for s in OutboxState for i in store.outbox(s)]  # sent already, maybe
        [item] = [i for i in every if i.kind == "service_registration"]
        # Her answer travels with the ticket: read where it lands (a delivered outbox row
        # forgets its payload, and the push may come before or after this line).
        qtbot.waitUntil(lambda: stored_body(operator, item.key) is not None, timeout=PHASE_WAIT_MS)
        assert (stored_body(operator, item.key) or {})["notify"] == {"phone": PHONE}
        assert [t.id for t in kiosks_tickets(operator, ticket_id)] == [ticket_id]


@pytest.fixture(scope="module")
def clerk(centre: RunningCentral, operator: Database) -> str:
    """A counter clerk of the demo office."""
    return new_staff(operator, centre.url, staff.Role.STAFF, office_id=DEMO_OFFICE)


def call_next(centre: RunningCentral, clerk: str) -> str | None:
    """Staff's "call next" at Loket 8 for the demo service: the ticket id called, served
    at once so the counter is free again; None when nobody is called."""
    body = {"office_id": DEMO_OFFICE, "service_id": SERVICE_ID, "counter": "8"}
    called = call_next_at_a_freed_counter(centre.url, clerk, body)
    assert called.status_code == 200, called.text
    ticket = called.json()["ticket"]
    if ticket is None:
        return None
    done = staff_post(centre.url, clerk, f"/api/v1/staff/tickets/{ticket['ticket_id']}/served")
    assert done.status_code == 200, done.text
    ticket_id: str = ticket["ticket_id"]
    return ticket_id


def test_staff_do_not_call_the_number_while_she_is_at_the_question(
    qtbot: QtBot, centre: RunningCentral, operator: Database, clerk: str, tmp_path: Path
) -> None:
    """A quiet office: a free counter calls the next citizen while she answers. Her number
    waits (counted), but is not called before she has it; once her ticket is stored and
    its registration reaches the centre, it is called."""
    drain(centre.url, clerk, SERVICE_ID)
    with running_kiosk(qtbot, demo_config(tmp_path, centre.url), clock=ManualClock()) as kiosk:
        to_question(qtbot, kiosk)
        ticket_id = numbered_ahead(qtbot, kiosk, operator)
        assert call_next(centre, clerk) is None  # she has not seen her number yet
        assert at_the_centre(operator, ticket_id).status == "waiting"
        answer(kiosk, True)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        qtbot.waitUntil(
            lambda: at_the_centre(operator, ticket_id).registered_at is not None,
            timeout=PHASE_WAIT_MS,
        )
        assert call_next(centre, clerk) == ticket_id


def test_batal_at_the_question_voids_the_number_at_the_centre_at_once(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, centre.url), clock=ManualClock()) as kiosk:
        to_question(qtbot, kiosk)
        ticket_id = numbered_ahead(qtbot, kiosk, operator)
        kiosk.dispatch(Cancel())
        assert kiosk.controller.session().phase is Phase.IDLE
        # long before the sweep's minute: the session's own void, on a worker
        qtbot.waitUntil(
            lambda: at_the_centre(operator, ticket_id).status == "void" and notes(kiosk) == [],
            timeout=PHASE_WAIT_MS,
        )
        assert kiosk.kiosk.store.tickets_count() == 0
        assert not list((tmp_path / "tickets").glob("tiket-*.pdf"))


def test_the_kiosk_closing_at_the_question_voids_the_number(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, centre.url), clock=ManualClock()) as kiosk:
        to_question(qtbot, kiosk)
        ticket_id = numbered_ahead(qtbot, kiosk, operator)
    qtbot.waitUntil(
        lambda: at_the_centre(operator, ticket_id).status == "void", timeout=PHASE_WAIT_MS
    )


def test_back_to_the_summary_and_confirmed_again_is_one_number(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, demo_config(tmp_path, centre.url), clock=ManualClock()) as kiosk:
        to_question(qtbot, kiosk)
        first = numbered_ahead(qtbot, kiosk, operator)
        kiosk.dispatch(Back())
        assert kiosk.controller.session().phase is Phase.CONFIRMING
        kiosk.dispatch(Confirmed())
        assert kiosk.controller.session().phase is Phase.CONSENT
        answer(kiosk, False)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        ticket = kiosk.controller.session().ticket
        assert ticket is not None
        assert kiosk.kiosk.store.ticket(first)["number"] == ticket.number
        centre_rows = kiosks_tickets(operator, first)
        assert [(t.id, t.status) for t in centre_rows] == [(first, "waiting")]
        assert notes(kiosk) == []


def test_back_to_the_form_and_a_changed_phone_voids_the_first_number(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    """Past the summary the form may change what the number carries: the first is
    voided, the ticket takes a second, and the centre keeps one waiting."""
    with running_kiosk(qtbot, demo_config(tmp_path, centre.url), clock=ManualClock()) as kiosk:
        to_question(qtbot, kiosk)
        first = numbered_ahead(qtbot, kiosk, operator)
        kiosk.dispatch(Back())
        kiosk.dispatch(Back())
        assert kiosk.controller.session().phase is Phase.FORM
        qtbot.waitUntil(  # its note forgotten too: the next note read is the second's
            lambda: at_the_centre(operator, first).status == "void" and notes(kiosk) == [],
            timeout=PHASE_WAIT_MS,
        )
        kiosk.dispatch(FormSubmitted({"phone": "081299990000"}))
        kiosk.dispatch(Confirmed())
        second = numbered_ahead(qtbot, kiosk, operator)
        answer(kiosk, False)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        rows = {t.id: t.status for t in kiosks_tickets(operator, first)}
        assert rows == {first: "void", second: "waiting"}


def test_the_centre_away_at_the_question_still_gives_a_ticket(
    qtbot: QtBot, centre: RunningCentral, tmp_path: Path
) -> None:
    with kiosk_behind_a_proxy(qtbot, centre, tmp_path, timeout_s=1.0) as (kiosk, proxy):
        proxy.down()
        to_question(qtbot, kiosk)
        answer(kiosk, True)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        ticket = kiosk.controller.session().ticket
        assert ticket is not None and ticket.number
        [stored] = kiosk.kiosk.store.tickets_on(kiosk.controller.now().date())
        assert stored.source is not NumberSource.ONLINE
        assert notes(kiosk) == []  # stored under the id asked: its note went with it


# -- a poli's doctor's place ---------------------------------------------------------


@pytest.fixture(scope="module")
def staff_token(centre: RunningCentral, operator: Database) -> str:
    return hospital_staff(operator, centre.url)


@pytest.fixture(scope="module")
def other_kiosk(centre: RunningCentral) -> str:
    return hospital_kiosk(centre.url)[0]


@pytest.fixture
def hospital(tmp_path: Path, centre: RunningCentral) -> Iterator[Config]:
    config = asking(hospital_config(tmp_path, centre.url))
    yield config
    token = load_token(config.central_token_path)
    if token is not None:  # a later free_the_day cancels what this kiosk registered
        remember_kiosk(token)


def test_batal_at_the_question_gives_the_doctors_place_back(
    qtbot: QtBot,
    centre: RunningCentral,
    operator: Database,
    staff_token: str,
    other_kiosk: str,
    hospital: Config,
) -> None:
    free_the_day(centre.url, operator, SITI_NIK, POLI)
    sid = new_schedule(centre.url, staff_token, quota_jkn=3, starts="08:00", minutes=10)
    with running_kiosk(qtbot, hospital, clock=ManualClock()) as kiosk:
        wait_cached(qtbot, kiosk, sid)
        to_payer(qtbot, kiosk, sid)  # ends with "Ya, ambil nomor antrean"
        assert kiosk.controller.session().phase is Phase.CONSENT
        left = places_left(centre, other_kiosk, sid)
        # her place taken with the number, while she answers
        qtbot.waitUntil(lambda: left() == 2, timeout=PHASE_WAIT_MS)
        kiosk.dispatch(Cancel())
        qtbot.waitUntil(lambda: left() == 3, timeout=PHASE_WAIT_MS)
        assert kiosk.kiosk.store.tickets_count() == 0


def test_a_doctor_full_at_the_centre_is_told_at_the_question_without_an_answer(
    qtbot: QtBot,
    centre: RunningCentral,
    operator: Database,
    staff_token: str,
    other_kiosk: str,
    hospital: Config,
) -> None:
    free_the_day(centre.url, operator, SITI_NIK, POLI)
    sid = new_schedule(centre.url, staff_token, quota_jkn=1, quota_non_jkn=0)
    with running_kiosk(qtbot, hospital, clock=ManualClock()) as kiosk:
        wait_cached(qtbot, kiosk, sid)

        def quicker() -> None:  # the other kiosk takes the last place meanwhile
            taken = allocate(centre.url, other_kiosk, sid)
            assert taken.status_code == 201, taken.text

        to_payer(qtbot, kiosk, sid, meanwhile=quicker)
        # no answer given, and the question never times out on this clock
        wait_phase(qtbot, kiosk, Phase.DOCTOR)
        session = kiosk.controller.session()
        assert session.problem is SessionProblem.QUOTA_FULL and session.ticket is None
        assert session.notify_phone is None
        store = kiosk.kiosk.store
        assert store.tickets_count() == 0 and notes(kiosk) == []
        assert [i for s in OutboxState for i in store.outbox(s)] == []
        assert not list(kiosk.controller.config.ticket_dir.glob("tiket-*.pdf"))


# -- races with the centre's answer, faults at the network ---------------------------


def held(kiosk: KioskWindow, ticket_id: str) -> bool:
    """Whether the kiosk's sweep of unkept numbers is told to leave ``ticket_id`` be."""
    engine = kiosk.controller._sync.engine
    assert engine is not None
    return ticket_id in engine.held


def test_an_answer_before_the_centre_numbers_waits_for_that_one_number(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    with kiosk_behind_a_proxy(qtbot, centre, tmp_path) as (kiosk, proxy):
        proxy.route(ALLOCATE_PATH, "delay")
        proxy.delay_s = 0.4  # within the allocate's deadline (0.8 s)
        to_question(qtbot, kiosk)
        answer(kiosk, False)  # and again: a double tap
        answer(kiosk, False)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        ticket = kiosk.controller.session().ticket
        assert ticket is not None
        [stored] = kiosk.kiosk.store.tickets_on(kiosk.controller.now().date())
        assert stored.source is NumberSource.ONLINE
        assert at_the_centre(operator, stored.id).display == ticket.number
        assert [t.id for t in kiosks_tickets(operator, stored.id)] == [stored.id]
        assert proxy.count(ALLOCATE_PATH) == 1
        assert notes(kiosk) == [] and not held(kiosk, stored.id)


def cancelled_while_asked(
    qtbot: QtBot, kiosk: KioskWindow, proxy: FaultProxy, *, delay_s: float
) -> str:
    """The centre's answers to an allocate held ``delay_s`` at the network; a citizen at
    the question whose number is on its way there presses Batal. The id asked."""
    proxy.route(ALLOCATE_PATH, "delay")
    proxy.delay_s = delay_s
    to_question(qtbot, kiosk)
    qtbot.waitUntil(lambda: len(notes(kiosk)) == 1, timeout=PHASE_WAIT_MS)
    [first] = notes(kiosk)
    kiosk.dispatch(Cancel())
    return first


def test_a_number_the_centre_gives_after_batal_is_voided_not_given_to_the_next_citizen(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    from printing.layouts.qr import kept_codes

    with kiosk_behind_a_proxy(qtbot, centre, tmp_path) as (kiosk, proxy):
        first = cancelled_while_asked(qtbot, kiosk, proxy, delay_s=1.5)
        proxy.route(ALLOCATE_PATH, None)
        to_question(qtbot, kiosk)  # the next citizen, while the first is numbered
        answer(kiosk, False)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        [stored] = kiosk.kiosk.store.tickets_on(kiosk.controller.now().date())
        assert stored.id != first
        qtbot.waitUntil(
            lambda: at_the_centre(operator, first).status == "void", timeout=PHASE_WAIT_MS
        )
        # Hers reaches the centre by its number's answer, or (her ask slower than its
        # deadline on a busy machine, a lease's number then) by her registration's push.
        qtbot.waitUntil(
            lambda: at_the_centre(operator, stored.id) is not None, timeout=PHASE_WAIT_MS
        )
        rows = {t.id: t.status for t in kiosks_tickets(operator, first)}
        assert rows == {first: "void", stored.id: "waiting"}
        qtbot.waitUntil(lambda: not held(kiosk, first), timeout=PHASE_WAIT_MS)
        assert notes(kiosk) == [] and not held(kiosk, stored.id)
        kiosk.dispatch(Finish())  # "Selesai": her session ends
        assert kept_codes() == 0


def test_a_late_number_after_batal_leaves_nothing_of_the_session(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    from printing.layouts.qr import kept_codes

    with kiosk_behind_a_proxy(qtbot, centre, tmp_path) as (kiosk, proxy):
        first = cancelled_while_asked(qtbot, kiosk, proxy, delay_s=1.0)
        qtbot.waitUntil(
            lambda: (
                at_the_centre(operator, first) is not None
                and at_the_centre(operator, first).status == "void"
            ),
            timeout=PHASE_WAIT_MS,
        )
        qtbot.waitUntil(lambda: not held(kiosk, first), timeout=PHASE_WAIT_MS)
        assert notes(kiosk) == [] and kept_codes() == 0
        assert kiosk.controller.session().phase is Phase.IDLE


def test_the_centre_gone_at_the_answer_keeps_the_centres_number(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    with kiosk_behind_a_proxy(qtbot, centre, tmp_path, timeout_s=1.0) as (kiosk, proxy):
        to_question(qtbot, kiosk)
        ticket_id = numbered_ahead(qtbot, kiosk, operator)
        proxy.down()
        answer(kiosk, True)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        assert_the_centres_number(kiosk, operator, ticket_id)


def assert_the_centres_number(kiosk: KioskWindow, operator: Database, ticket_id: str) -> None:
    """Her ticket, shown and stored under ``ticket_id``, has the centre's number, and
    nothing of its ask is left noted or held."""
    ticket = kiosk.controller.session().ticket
    assert ticket is not None
    assert at_the_centre(operator, ticket_id).display == ticket.number
    stored = kiosk.kiosk.store.ticket(ticket_id)
    assert (stored["number"], stored["number_source"]) == (ticket.number, NumberSource.ONLINE)
    assert notes(kiosk) == [] and not held(kiosk, ticket_id)


def reached_again(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Wait until the kiosk's engine has reached the centre since now."""
    since = dt.datetime.now(dt.UTC)

    def reached() -> bool:
        status = kiosk.controller._sync.status()
        return (
            status is not None and status.last_success is not None and (status.last_success > since)
        )

    qtbot.waitUntil(reached, timeout=PHASE_WAIT_MS)


def test_the_centre_back_at_the_answer_numbers_the_ticket(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    """The centre did not number the ticket at the question (its allocate failed); it
    answers again by her answer: the ticket has the centre's number, not a lease's."""
    with kiosk_behind_a_proxy(qtbot, centre, tmp_path) as (kiosk, proxy):
        proxy.route(ALLOCATE_PATH, "error")
        to_question(qtbot, kiosk)
        qtbot.waitUntil(lambda: proxy.count(ALLOCATE_PATH) == 1, timeout=PHASE_WAIT_MS)
        [ticket_id] = notes(kiosk)
        proxy.route(ALLOCATE_PATH, None)
        asked = kiosk.controller._ahead._asked
        assert asked is not None
        qtbot.waitUntil(asked._done.is_set, timeout=PHASE_WAIT_MS)
        reached_again(qtbot, kiosk)  # the failed allocate woke the engine
        answer(kiosk, False)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        assert_the_centres_number(kiosk, operator, ticket_id)


def test_a_number_the_centre_gave_too_late_at_the_question_is_the_tickets_one_number(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    """The centre numbered the ticket after the allocate's deadline, while she answered:
    the ticket carries that number, not a lease's beside the one the centre calls."""
    with kiosk_behind_a_proxy(qtbot, centre, tmp_path) as (kiosk, proxy):
        proxy.route(ALLOCATE_PATH, "delay")
        proxy.delay_s = 1.5  # past the allocate's deadline (0.8 s)
        to_question(qtbot, kiosk)
        qtbot.waitUntil(lambda: len(notes(kiosk)) == 1, timeout=PHASE_WAIT_MS)
        [ticket_id] = notes(kiosk)
        qtbot.waitUntil(
            lambda: at_the_centre(operator, ticket_id) is not None, timeout=PHASE_WAIT_MS
        )
        proxy.route(ALLOCATE_PATH, None)
        asked = kiosk.controller._ahead._asked
        assert asked is not None
        qtbot.waitUntil(asked._done.is_set, timeout=PHASE_WAIT_MS)
        reached_again(qtbot, kiosk)
        answer(kiosk, False)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        assert_the_centres_number(kiosk, operator, ticket_id)
        assert [t.id for t in kiosks_tickets(operator, ticket_id)] == [ticket_id]


def test_a_void_that_fails_at_batal_leaves_the_note_to_the_sweep(
    qtbot: QtBot, centre: RunningCentral, operator: Database, tmp_path: Path
) -> None:
    with kiosk_behind_a_proxy(qtbot, centre, tmp_path, timeout_s=1.0) as (kiosk, proxy):
        to_question(qtbot, kiosk)
        ticket_id = numbered_ahead(qtbot, kiosk, operator)
        proxy.route("/api/v1/tickets/", "error")
        kiosk.dispatch(Cancel())
        qtbot.waitUntil(lambda: not held(kiosk, ticket_id), timeout=PHASE_WAIT_MS)
        assert notes(kiosk) == [ticket_id]  # the sweep's, a minute on
        assert at_the_centre(operator, ticket_id).status == "waiting"
