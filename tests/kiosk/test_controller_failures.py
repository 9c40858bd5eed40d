"""Work the controller sends off the GUI thread that fails comes back as a failure:
an effect as its failure event (never a session stuck on "please wait"), a
background fetch by letting go of its busy flag, so the next one runs."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.client.info import QueueState
from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.executor import InlineExecutor
from kiosk.session.events import (
    ComplaintOpened,
    ComplaintSubmitted,
    Confirmed,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
    SessionEvent,
)
from kiosk.session.machine import Phase
from testkit.kiosk_controller import closed_port, started_controller


class FlakyQueueCentral(CentralClient):
    """The centre's client whose queue answer first fails in an unforeseen way."""

    def __init__(self) -> None:
        super().__init__(f"http://127.0.0.1:{closed_port()}", timeout_s=0.2)
        self.token = "kiosk-token"  # noqa: S105  (a test token, never sent)
        self.asked = 0

    def queue_state(self, *, deadline_s: float = 2.0) -> QueueState:
        self.asked += 1
        if self.asked == 1:
            raise ValueError("an answer nobody foresaw")
        return QueueState(office_id="puskesmas", day="2026-11-22", services=())


@pytest.fixture
def kiosk(tmp_path: Path, catalog: Catalog) -> Iterator[KioskController]:
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path)),
        printer=PrinterSection(output_dir=str(tmp_path)),
    )
    with started_controller(
        config,
        catalog,
        executor=InlineExecutor(),
        clock=time.monotonic,
        now=lambda: dt.datetime(2026, 11, 22, 9, 40, tzinfo=dt.UTC),
        central=FlakyQueueCentral(),
    ) as controller:
        yield controller


def test_a_failed_queue_fetch_lets_the_next_one_run(kiosk: KioskController) -> None:
    central = kiosk._centre.client
    assert isinstance(central, FlakyQueueCentral)
    kiosk.refresh_queue()
    assert central.asked == 1 and kiosk.status().queue is None
    kiosk.refresh_queue()  # the flag was let go: this one is asked
    assert central.asked == 2 and kiosk.status().queue is not None


def _fail(effect: object) -> SessionEvent:
    raise RuntimeError(f"unforeseen failure in {type(effect).__name__}")


def test_a_read_that_fails_unexpectedly_ends_in_an_error_not_reading(
    kiosk: KioskController, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kiosk, "_read", lambda effect: _fail(effect))
    assert isinstance(kiosk._reader, SimulatedReader)
    kiosk._reader.tap(demo_card("siti").applet())
    state = kiosk.session()
    assert (state.phase, state.problem) == (Phase.ERROR, "malformed")


def _identified(kiosk: KioskController) -> None:
    assert isinstance(kiosk._reader, SimulatedReader)
    kiosk._reader.tap(demo_card("siti").applet())
    kiosk._reader.remove()
    assert kiosk.session().phase is Phase.IDENTIFIED


def test_an_issue_that_fails_unexpectedly_ends_in_an_error_not_issuing(
    kiosk: KioskController, monkeypatch: pytest.MonkeyPatch
) -> None:
    _identified(kiosk)
    monkeypatch.setattr(kiosk, "_issue", lambda effect, wanted: _fail(effect))
    kiosk.dispatch(ServiceSelected("status-berkas"))
    kiosk.dispatch(FormOpened())
    kiosk.dispatch(FormSubmitted({"phone": "081234567890"}))
    kiosk.dispatch(Confirmed())
    kiosk.dispatch(NotifyAnswered(kiosk.session().session, False))
    state = kiosk.session()
    assert (state.phase, state.problem) == (Phase.ERROR, "issue_failed")


def test_a_complaint_that_fails_unexpectedly_is_not_left_sending(
    kiosk: KioskController, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kiosk, "_complain", lambda effect, wanted: _fail(effect))
    kiosk.dispatch(ComplaintOpened())
    kiosk.dispatch(ComplaintSubmitted("antrean", "Antrean lama"))
    kiosk.dispatch(NotifyAnswered(kiosk.session().session, False))
    state = kiosk.session()
    assert (state.phase, state.problem) == (Phase.ERROR, "store_failed")
