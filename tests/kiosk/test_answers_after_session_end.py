"""Work a session asked for that answers after the session ended prints nothing.

A ticket (or complaint) whose issue is late past the ISSUING deadline: the
citizen was told the kiosk could not confirm it and has gone, and the next one
may stand at the printer. Neither the ticket, nor its registration slip (name,
NIK, phone), nor a complaint's receipt may come out then. The ticket stays
stored, marked not printed (``session_ended``), and the complaint still goes to
the centre. The executor here holds the work (or its answer) the way a busy
worker pool does, and lets it go when the test says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from contract.catalog import Catalog
from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.executor import Done, Failed, settle
from kiosk.session.events import (
    ComplaintOpened,
    ComplaintSubmitted,
    Confirmed,
    Finish,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
    Tick,
)
from kiosk.session.machine import Phase
from printing.layouts.qr import kept_codes
from testkit.clocks import ManualClock
from testkit.kiosk_controller import started_controller

WIB = dt.timezone(dt.timedelta(hours=7))
T = TypeVar("T")


class HeldExecutor:
    """Runs work at once, but while ``hold_work`` is set keeps the work unrun, and
    while ``hold_answers`` is set runs it and keeps its answer undelivered."""

    def __init__(self) -> None:
        self.hold_work = False
        self.hold_answers = False
        self.work: list[Callable[[], None]] = []
        self.answers: list[Callable[[], None]] = []

    def run_in_background(self, work: Callable[[], T], done: Done[T], failed: Failed) -> None:
        if self.hold_work:
            self.work.append(lambda: settle(work, done, failed)())
        elif self.hold_answers:
            self.answers.append(settle(work, done, failed))
        else:
            settle(work, done, failed)()

    def call_soon(self, fn: Callable[[], None]) -> None:
        # What a worker hands the GUI thread goes the way of its answer (one queue).
        if self.hold_answers:
            self.answers.append(fn)
        else:
            fn()


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    out = tmp_path / "printed"
    out.mkdir()
    return out


@pytest.fixture
def executor() -> HeldExecutor:
    return HeldExecutor()


@pytest.fixture
def kiosk(
    tmp_path: Path, papers: Path, catalog: Catalog, clock: ManualClock, executor: HeldExecutor
) -> Iterator[KioskController]:
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(papers)),
    )
    with started_controller(
        config,
        catalog,
        executor=executor,
        clock=clock,
        now=lambda: dt.datetime(2026, 11, 22, 9, 40, tzinfo=WIB),
    ) as controller:
        yield controller


def _confirm_a_ticket(kiosk: KioskController) -> None:
    """Siti asks for a ticket of a service with a slip, up to the consent question."""
    assert isinstance(kiosk._reader, SimulatedReader)
    kiosk._reader.tap(demo_card("siti").applet())
    kiosk._reader.remove()
    kiosk.dispatch(ServiceSelected("puskesmas-umum"))
    kiosk.dispatch(FormOpened())
    kiosk.dispatch(FormSubmitted({"phone": "081234567890"}))
    kiosk.dispatch(Confirmed())


def _answer_consent_held(
    kiosk: KioskController, executor: HeldExecutor, *, run: bool = False
) -> None:
    """The citizen says no to notifications while the executor holds the work it is
    given: unrun, or with ``run`` run and its answer undelivered."""
    if run:
        executor.hold_answers = True
    else:
        executor.hold_work = True
    kiosk.dispatch(NotifyAnswered(kiosk.session().session, False))
    executor.hold_work = executor.hold_answers = False


def _time_out_and_go_back_to_rest(kiosk: KioskController, clock: ManualClock) -> None:
    clock.advance(kiosk._machine.timeouts.issuing + 1)
    kiosk.dispatch(Tick())
    assert (kiosk.session().phase, kiosk.session().problem) == (Phase.ERROR, "issue_timeout")
    clock.advance(kiosk._machine.timeouts.idle + 1)
    kiosk.dispatch(Tick())
    assert kiosk.session().phase is Phase.IDLE


def printed(papers: Path) -> list[str]:
    return sorted(p.name for p in papers.rglob("*.pdf"))


def test_a_ticket_answered_in_time_prints_the_ticket_and_its_slip(
    kiosk: KioskController, executor: HeldExecutor, papers: Path
) -> None:
    _confirm_a_ticket(kiosk)
    _answer_consent_held(kiosk, executor)
    [work] = executor.work
    work()

    assert kiosk.session().phase is Phase.TICKET_ISSUED
    assert printed(papers) == ["slip-A-001.pdf", "tiket-A-001.pdf"]


def test_a_ticket_issued_after_its_session_ended_is_kept_and_nothing_is_printed(
    kiosk: KioskController,
    executor: HeldExecutor,
    clock: ManualClock,
    papers: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _confirm_a_ticket(kiosk)
    _answer_consent_held(kiosk, executor)
    _time_out_and_go_back_to_rest(kiosk, clock)

    [work] = executor.work
    work()  # the late worker: it stores the ticket, the next citizen is at the printer

    assert kiosk.session().phase is Phase.IDLE
    assert printed(papers) == []
    [item] = kiosk._store.outbox()  # kept: its registration still goes to the centre
    row = kiosk._store.ticket(item.key)
    assert (row["number"], row["printed"], row["print_fault"]) == ("A-001", 0, "session_ended")
    assert "ticket A-001 stored after its session ended" in caplog.text
    assert "Siti" not in caplog.text and "081234567890" not in caplog.text


def test_a_ticket_printing_when_its_session_ended_prints_no_slip(
    kiosk: KioskController,
    executor: HeldExecutor,
    clock: ManualClock,
    papers: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _confirm_a_ticket(kiosk)
    _answer_consent_held(kiosk, executor, run=True)  # the ticket prints; its answer is late
    assert printed(papers) == ["tiket-A-001.pdf"]
    _time_out_and_go_back_to_rest(kiosk, clock)

    numbered, answer = executor.answers  # the number for the screen, then the print's outcome
    numbered()
    answer()

    assert kiosk.session().phase is Phase.IDLE
    assert printed(papers) == ["tiket-A-001.pdf"]  # the slip, with her NIK, never comes out
    assert "ticket A-001 answered after its session ended: slip not printed" in caplog.text


def test_a_complaint_stored_after_its_session_ended_is_sent_without_a_receipt(
    kiosk: KioskController, executor: HeldExecutor, clock: ManualClock, papers: Path
) -> None:
    kiosk.dispatch(ComplaintOpened())
    kiosk.dispatch(ComplaintSubmitted("antrean", "Antrean terlalu lama."))
    _answer_consent_held(kiosk, executor)
    assert kiosk.session().phase is Phase.COMPLAINT_SENDING
    _time_out_and_go_back_to_rest(kiosk, clock)

    [work] = executor.work
    work()

    assert kiosk.session().phase is Phase.IDLE
    assert printed(papers) == []
    [item] = kiosk._store.outbox()  # what the citizen wrote still reaches the centre
    assert item.kind == "complaint"


def test_a_print_fault_slower_than_the_tickets_time_still_reaches_its_screen(
    kiosk: KioskController, executor: HeldExecutor, clock: ManualClock, papers: Path
) -> None:
    """The number is on screen while the paper prints; the printer takes longer than
    the ticket's time on screen and then fails (its folder is gone): the screen is
    still the ticket's, and says to photograph the number, rather than having gone
    back to rest with the citizen never told there is no paper."""
    _confirm_a_ticket(kiosk)
    papers.rmdir()  # the printer fails the job
    _answer_consent_held(kiosk, executor, run=True)
    numbered, answer = executor.answers
    numbered()
    state = kiosk.session()
    assert state.phase is Phase.TICKET_ISSUED and state.ticket and state.ticket.printing
    clock.advance(kiosk._machine.timeouts.ticket_display + 1)  # the printer is slow
    kiosk.dispatch(Tick())
    answer()

    state = kiosk.session()
    assert state.phase is Phase.TICKET_ISSUED and state.ticket is not None
    assert (state.ticket.number, state.ticket.printing, state.ticket.printed) == (
        "A-001",
        False,
        False,
    )
    assert state.ticket.print_fault


def test_a_ticket_stored_after_its_session_ended_leaves_no_page_address_in_memory(
    kiosk: KioskController, executor: HeldExecutor, clock: ManualClock
) -> None:
    """The session was wiped (its QR codes forgotten) before its late worker stored the
    ticket: nothing of the ticket is drawn then, so its page address, the citizen's
    way in to it, is not kept until some later session ends."""
    _confirm_a_ticket(kiosk)
    _answer_consent_held(kiosk, executor)
    _time_out_and_go_back_to_rest(kiosk, clock)
    assert kept_codes() == 0

    [work] = executor.work
    work()

    [item] = kiosk._store.outbox()
    assert kiosk._store.ticket(item.key)["print_fault"] == "session_ended"
    assert kept_codes() == 0, "her ticket's page address is kept"


def test_done_tapped_while_the_ticket_prints_still_gets_its_slip(
    kiosk: KioskController, executor: HeldExecutor, papers: Path
) -> None:
    """The number is on screen while its paper prints, and the citizen taps "Selesai":
    the screen stays until the print's outcome (bounded by the issuing deadline), so
    the registration slip still prints for her, and a fault's notice is still shown."""
    _confirm_a_ticket(kiosk)
    _answer_consent_held(kiosk, executor, run=True)
    numbered, answer = executor.answers
    numbered()
    kiosk.dispatch(Finish())  # tapped while "Membuat tiket…" shows
    answer()

    state = kiosk.session()
    assert state.phase is Phase.TICKET_ISSUED and state.ticket is not None
    assert state.ticket.printed
    assert printed(papers) == ["slip-A-001.pdf", "tiket-A-001.pdf"]
    kiosk.dispatch(Finish())
    assert kiosk.session().phase is Phase.DONE


def test_a_slip_rendered_after_its_session_was_wiped_leaves_no_page_address_in_memory(
    kiosk: KioskController, executor: HeldExecutor, papers: Path
) -> None:
    """The ticket printed, and the citizen tapped "Selesai" while its registration slip
    (the second job, with the ticket's QR code) still waited for a worker: the slip
    still comes out, and its code, drawn after the wipe, is not kept for the next
    session to find."""
    _confirm_a_ticket(kiosk)
    _answer_consent_held(kiosk, executor, run=True)
    numbered, answer = executor.answers
    numbered()
    executor.hold_work = True  # the slip's job, asked for by the ticket's answer, waits
    answer()
    executor.hold_work = False
    [slip] = executor.work
    kiosk.dispatch(Finish())
    assert kiosk.session().phase is Phase.DONE
    assert kept_codes() == 0  # the wipe forgot the ticket's code

    slip()

    assert printed(papers) == ["slip-A-001.pdf", "tiket-A-001.pdf"]
    assert kept_codes() == 0, "her ticket's page address is kept"
