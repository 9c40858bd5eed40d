"""Complaints (#7): the state machine's path, the outbox body, the reference, the receipt."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader

from cardio.card.citizen import CardIdentity, Citizen
from contract.assurance import Assurance
from contract.catalog import Catalog
from contract.nik import Sex
from kiosk.session.events import (
    Back,
    CardRead,
    CardTapped,
    ComplaintFiled,
    ComplaintOpened,
    ComplaintReceipt,
    ComplaintSubmitted,
    FileComplaint,
    Finish,
    NotifyAnswered,
    Tick,
    WipeSession,
)
from kiosk.session.machine import Phase, SessionMachine
from kiosk.tickets.complaints import KIND, file_complaint, reference_for
from kiosk.tickets.issue import PrintSetup
from offline_store import Store
from offline_store.errors import BadValue
from printing import make_printer
from printing.printers.escpos import EscposPrinter
from testkit.network_printer import NetworkPrinter

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
REFERENCE = re.compile(r"ADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def _machine() -> tuple[SessionMachine, list[float]]:
    now = [100.0]
    return SessionMachine(lambda: Catalog("v", (), ()), lambda: now[0]), now


def _identity() -> CardIdentity:
    citizen = Citizen(
        card_number="PKU-000009",
        nik="1471015203850009",
        full_name="Tester",
        date_of_birth=dt.date(1985, 3, 12),
        sex=Sex.FEMALE,
    )
    return CardIdentity(uid=b"\x01\x02\x03\x04", citizen=citizen, assurance=Assurance.SIGNED)


def test_anonymous_complaint_from_the_attract_screen_and_back_wipes() -> None:
    machine, _ = _machine()
    assert machine.handle(ComplaintOpened()) == []
    assert machine.state.phase is Phase.COMPLAINT and machine.state.identity is None
    assert machine.state.session == 1  # a session of its own
    assert machine.state.personal  # its screen holds typed text
    assert machine.handle(Back()) == [WipeSession("cancelled")]
    assert machine.state.phase is Phase.IDLE


def test_complaint_with_a_card_carries_its_number_then_shows_the_reference() -> None:
    machine, _ = _machine()
    machine.handle(CardTapped("r"))
    machine.handle(CardRead(1, _identity()))
    machine.handle(ComplaintOpened())
    assert machine.state.phase is Phase.COMPLAINT
    assert machine.handle(ComplaintSubmitted("antrean", "  ")) == []  # nothing written
    assert machine.state.problem == "complaint_empty"
    assert machine.handle(ComplaintSubmitted("antrean", " Antrean lama \x07")) == []
    asking = machine.state
    assert asking.phase is Phase.CONSENT  # "Kirim pemberitahuan …?" first
    [effect] = machine.handle(NotifyAnswered(1, False))
    assert effect == FileComplaint(1, "antrean", "Antrean lama", "id", "PKU-000009")
    assert "Antrean" not in repr(effect) and "PKU" not in repr(effect)
    assert machine.state.phase is Phase.COMPLAINT_SENDING
    receipt = ComplaintReceipt("ADU-0000-0000-0000", printed=True)
    machine.handle(ComplaintFiled(1, receipt))
    assert machine.state.phase is Phase.COMPLAINT_FILED and machine.state.complaint == receipt
    assert machine.handle(Finish()) == [WipeSession("finished")]
    assert machine.state.phase is Phase.DONE and machine.state.complaint is None


def test_the_filed_reference_goes_when_its_display_time_is_up() -> None:
    machine, now = _machine()
    machine.handle(ComplaintOpened())
    machine.handle(ComplaintSubmitted("kiosk", "Layar kotor"))
    machine.handle(NotifyAnswered(1, False))
    machine.handle(ComplaintFiled(1, ComplaintReceipt("ADU-1", printed=False)))
    now[0] += machine.timeouts.ticket_display
    assert machine.handle(Tick()) == [WipeSession("finished")]
    assert machine.state.phase is Phase.DONE


def test_reference_is_derived_from_the_key_and_does_not_repeat() -> None:
    key = "5f1d7c2e-9a4b-4c1e-8f3a-2b6d9e0c4a71"
    assert reference_for(key) == reference_for(key)
    assert REFERENCE.fullmatch(reference_for(key))
    references = {reference_for(str(uuid.uuid4())) for _ in range(20_000)}
    assert len(references) == 20_000


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "kiosk.db")


def filed(request: FileComplaint, store: Store, setup: PrintSetup) -> ComplaintReceipt:
    """``request`` filed at the demo office's kiosk, at :data:`NOW`."""
    return file_complaint(
        request, office_id="pku-mpp", office_name="MPP", store=store, setup=setup, now=lambda: NOW
    )


def test_file_complaint_queues_the_exact_body_and_prints_the_reference(
    store: Store, tmp_path: Path
) -> None:
    setup = PrintSetup(make_printer("pdf_file", output_dir=tmp_path))
    request = FileComplaint(3, "fasilitas", "Toilet rusak", "en", "PKU-000009")
    receipt = filed(request, store, setup)
    [item] = store.outbox()
    assert item.kind == KIND == "complaint"
    assert receipt.reference == reference_for(item.key) and receipt.printed
    assert item.payload == {
        "office_id": "pku-mpp",
        "reference": receipt.reference,
        "category": "fasilitas",
        "text": "Toilet rusak",
        "language": "en",
        "card_number": "PKU-000009",
        "created_at": NOW.isoformat(),
    }
    [pdf] = tmp_path.glob("pengaduan-*.pdf")
    assert pdf.name == f"pengaduan-{item.key[-12:]}.pdf"  # the key's end, not the reference
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert receipt.reference in text and "Facilities and cleanliness" in text
    assert "Toilet" not in text and "PKU" not in text  # the paper names nobody


def test_a_complaints_reference_and_text_never_reach_the_log(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The reference opens the complaint's public page (``/c/{reference}``: its state
    and staff's answer to her) for whoever holds it, as the paper does: the journal,
    which every operator reads, holds it no more than it holds her text."""
    setup = PrintSetup(make_printer("pdf_file", output_dir=tmp_path))
    request = FileComplaint(3, "fasilitas", "Toilet rusak", "id", "PKU-000009")
    with caplog.at_level(logging.DEBUG):
        receipt = filed(request, store, setup)
    assert receipt.printed and caplog.records  # the filing is logged
    lines = [r.getMessage() for r in caplog.records]
    assert [line for line in lines if receipt.reference in line] == []
    assert [line for line in lines if "Toilet" in line or "PKU-000009" in line] == []


def test_a_complaints_reference_never_reaches_the_log_from_an_escpos_printer(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """The ESC/POS backend, the kiosks' usual thermal printer, writes each job's name to
    the journal: the receipt's job is not named after its reference (which opens her
    complaint's page)."""
    network_printer = NetworkPrinter()
    try:
        setup = PrintSetup(EscposPrinter(network_printer.device))
        request = FileComplaint(3, "fasilitas", "Toilet rusak", "id", None)
        with caplog.at_level(logging.DEBUG):
            receipt = filed(request, store, setup)
        network_printer.wait_closed(1)
    finally:
        network_printer.close()
    assert receipt.printed and caplog.records  # printed, and the filing logged
    lines = [r.getMessage() for r in caplog.records]
    assert [line for line in lines if receipt.reference in line] == []


def test_a_printer_fault_keeps_the_complaint(store: Store, tmp_path: Path) -> None:
    setup = PrintSetup(make_printer("pdf_file", output_dir=tmp_path / "gone"))
    request = FileComplaint(1, "lainnya", "Tidak ada kursi", "id", None)
    receipt = file_complaint(
        request, office_id="pku-mpp", office_name="", store=store, setup=setup, now=lambda: NOW
    )
    assert not receipt.printed and receipt.print_fault
    [item] = store.outbox()
    assert item.payload["card_number"] is None and item.payload["reference"] == receipt.reference


def test_enqueue_submission_refuses_a_key_twice_and_writes_nothing(store: Store) -> None:
    store.enqueue_submission("k-1", "complaint", {"text": "a"}, NOW)
    with pytest.raises(BadValue):
        store.enqueue_submission("k-1", "complaint", {"text": "b"}, NOW)
    [item] = store.outbox()
    assert item.payload == {"text": "a"}
    with pytest.raises(BadValue):
        store.enqueue_submission("", "complaint", {}, NOW)
