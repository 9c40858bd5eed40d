"""The kiosk's printer: built from the configuration, watched for faults.

:class:`PrinterMonitor` wraps the configured backend. Every job and every
status check goes through it, one at a time (a thermal printer must not be
asked for its paper sensor while it takes a ticket), and each outcome
updates :class:`PrinterHealth`: what the attract screen's banner, the ticket
screen's promise of paper and (later) the heartbeat to the central server
read. A fault stays until a job or a status check finds the printer well.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config
from kiosk.sync.heartbeat import HealthState
from kiosk.tickets.issue import PrintSetup, print_document
from printing import Printer, PrinterError, PrinterStatus, PrintReceipt, make_printer
from printing.documents import Language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrinterHealth:
    """The printer as the operator should know it."""

    state: HealthState
    #: A :class:`printing.PrintFault` value while faulty, else "".
    fault: str = ""
    #: For operators and logs: the queue, device or reason.
    detail: str = ""
    #: When the printer entered this state.
    since: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        """Paper may be promised: not known to be faulty."""
        return self.state is not HealthState.FAULT


class PrinterMonitor(Printer):
    """A :class:`Printer` that serialises access and keeps :attr:`health`."""

    def __init__(self, printer: Printer, now: Callable[[], dt.datetime]) -> None:
        self.inner = printer
        self.backend = printer.backend
        self._now = now
        self._lock = threading.Lock()
        self._health = PrinterHealth(HealthState.UNKNOWN, since=now())

    def __repr__(self) -> str:
        return f"PrinterMonitor({self.inner!r})"

    @property
    def health(self) -> PrinterHealth:
        return self._health

    def status(self) -> PrinterStatus:
        with self._lock:
            status = self.inner.status()
            self._record(status)
        return status

    def print_pdf(self, pdf: bytes, job_name: str, *, personal: bool = False) -> PrintReceipt:
        with self._lock:
            try:
                receipt = self.inner.print_pdf(pdf, job_name, personal=personal)
            except PrinterError as exc:
                self._record(PrinterStatus(False, exc.reason, exc.detail))
                raise
            after = receipt.printer_status or PrinterStatus(True, None, f"{job_name} printed")
            self._record(after)
        return receipt

    def purge_personal(self) -> int:
        with self._lock:
            return self.inner.purge_personal()

    def _record(self, status: PrinterStatus) -> None:
        state = HealthState.OK if status.ready else HealthState.FAULT
        fault = status.fault.value if status.fault is not None else ""
        old = self._health
        if (old.state, old.fault) == (state, fault):
            if old.detail != status.detail and state is HealthState.FAULT:
                self._health = PrinterHealth(state, fault, status.detail, old.since)
            return
        self._health = PrinterHealth(state, fault, status.detail, self._now())
        if state is HealthState.FAULT:
            log.warning("printer fault: %s (%s)", fault, status.detail)
        else:
            log.info("printer healthy again: %s", status.detail)


def printer_from(config: Config) -> Printer:
    """The backend ``[printer]`` names. Raises :class:`ValueError` for unusable settings."""
    from printing.layouts.paper import ROLL_DOTS  # light: no fonts, no python-escpos

    p = config.printer
    dots = ROLL_DOTS.get(p.paper, ROLL_DOTS["80mm"])
    return make_printer(
        p.backend,
        output_dir=config.ticket_dir,
        queue=p.queue,
        server=p.cups_server,
        device=p.escpos_device,
        dots=dots,
        timeout_s=p.job_timeout_s,
        personal_retention=dt.timedelta(seconds=p.personal_retention_s),
    )


def print_setup(config: Config, printer: Printer) -> PrintSetup:
    p = config.printer
    logo = Path(p.logo).expanduser() if p.logo else None
    return PrintSetup(printer=printer, paper=p.paper, logo=logo, central_url=config.central.url)


def print_test_ticket(setup: PrintSetup, office: str, language: Language, now: dt.datetime) -> bool:
    """Print the operator's test ticket (number ``TEST``, the central server's QR code).

    Goes through ``setup.printer`` like any ticket, so a :class:`PrinterMonitor`
    records the outcome: a test print that comes out clears a fault.
    """
    from printing.samples import printer_test_ticket

    document = printer_test_ticket(office or "Anjungan", language, setup.central_url, now)
    printed, _, _ = print_document(document, setup, "test-print")
    return printed
