"""The status page's QR code is encoded while the centre numbers the ticket: once the
number's request is on its way, never before it (an encoding started first held the
interpreter, and the request left only once the code was made)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contract.hospital import HospitalRequest, Payer
from kiosk.session.events import IssuedTicket, IssueTicket
from kiosk.tickets.issue import Allocate, PrintSetup, issue_and_print
from offline_store import Store
from printing.layouts.qr import forget_codes, kept_codes
from testkit.hospital_kiosk import OFFICE, POLI, doctor, poli_catalog
from testkit.printers import READY, ScriptedPrinter, identity

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
WAIT_S = 10.0
#: How long the request is held unsent before it goes.
HELD_S = 0.3


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "kiosk.db")
    opened.set_kiosk_code("K07")
    forget_codes()
    yield opened
    forget_codes()
    opened.close()


def _issue(store: Store, allocate: Allocate) -> IssuedTicket:
    chosen = doctor()
    request = IssueTicket(
        1,
        identity(),
        POLI,
        {"phone": "081234567890"},
        "id",
        doctor=chosen,
        hospital=HospitalRequest(schedule_id=chosen.schedule_id, payer=Payer.JKN, norm="000123"),
    )
    shown: list[IssuedTicket] = []
    issue_and_print(
        request,
        catalog=poli_catalog(),
        office_id=OFFICE,
        store=store,
        setup=PrintSetup(ScriptedPrinter(READY), central_url="https://pusat.example"),
        now=lambda: NOW,
        allocate=allocate,
        numbered=shown.append,  # a screen that shows the code: it is encoded ahead
    )
    [ticket] = shown
    return ticket


def test_the_code_is_encoded_once_the_numbers_request_is_sent_not_before(store: Store) -> None:
    at_entry: list[int] = []
    encoded_while_waiting = threading.Event()

    def allocate(*_asked: object, sent: Callable[[], None] | None = None) -> None:
        # Time enough for an encoding already under way to finish (some 4 ms): none is.
        threading.Event().wait(HELD_S)
        at_entry.append(kept_codes())
        if sent is not None:
            sent()  # the request is on the wire: the centre works, this worker waits
        for _ in range(int(WAIT_S / 0.01)):
            if kept_codes():
                encoded_while_waiting.set()
                break
            threading.Event().wait(0.01)
        return None  # the centre did not answer in time: the kiosk numbers it

    ticket = _issue(store, allocate)
    assert at_entry == [0], "the code was encoded while the request was not sent yet"
    assert encoded_while_waiting.is_set(), "the code was not encoded while the centre worked"
    assert ticket.status_url.startswith("https://pusat.example/t/")
    assert kept_codes() == 1  # for the screen and the paper, until the session's wipe


def test_with_no_request_sent_the_code_is_still_encoded_for_the_screen(store: Store) -> None:
    """The centre away (the engine sends nothing and answers None at once): the
    encoding is not left waiting for a request that never goes out."""

    def offline(*_asked: object, sent: Callable[[], None] | None = None) -> None:
        return None  # nothing sent, no number

    ticket = _issue(store, offline)
    assert ticket.number and ticket.status_url
    assert kept_codes() == 1
