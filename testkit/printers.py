"""A printer a test scripts outcome by outcome, and a tap's request for a ticket to print."""

from __future__ import annotations

from cardio.card.citizen import CardIdentity
from contract.assurance import Assurance
from kiosk.session.events import IssueTicket
from printing import Printer, PrinterStatus, PrintReceipt
from printing.errors import PrinterError, PrintFault


class ScriptedPrinter(Printer):
    """Answers status checks and jobs from a list of outcomes, in order."""

    backend = "scripted"

    def __init__(self, *outcomes: PrinterStatus | PrinterError) -> None:
        self.outcomes = list(outcomes)
        self.jobs: list[str] = []

    def status(self) -> PrinterStatus:
        outcome = self.outcomes.pop(0)
        assert isinstance(outcome, PrinterStatus)
        return outcome

    def print_pdf(self, pdf: bytes, job_name: str, *, personal: bool = False) -> PrintReceipt:
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, PrinterError):
            raise outcome
        self.jobs.append(job_name)
        return PrintReceipt(self.backend, job_name, outcome)


READY = PrinterStatus(True, None, "ready")
EMPTY = PrinterStatus(False, PrintFault.OUT_OF_PAPER, "paper roll empty")


def identity() -> CardIdentity:
    """A card the kiosk could not verify: a UID and nothing else."""
    return CardIdentity(uid=b"\x04\xa1", citizen=None, assurance=Assurance.UNVERIFIED)


def request(service: str = "puskesmas-umum") -> IssueTicket:
    return IssueTicket(1, identity(), service, {"phone": "081234567890"}, "id")
