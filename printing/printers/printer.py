"""The one interface every printer backend implements.

A backend takes a finished PDF and puts it on paper (``cups``, ``escpos``)
or in a folder (``pdf_file``). Two rules hold for every backend:

* **Store first, print second.** Callers create and store the ticket
  *before* printing it. A print that fails (no paper, printer off) must
  never lose a ticket: the citizen keeps their place in the queue and staff
  can reprint.
* **Ask for the device each time.** A backend opens its device, queue or
  folder anew for every job and every status check, and keeps no handle
  between jobs. Printers are unplugged, run out of paper and come back; the
  next job then works without restarting the kiosk.

Backends raise the errors in :mod:`printing.errors` and never talk to the
citizen: the UI decides what to show.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from printing.errors import PrintFault


@dataclass(frozen=True)
class PrinterStatus:
    """What a printer reports about itself right now."""

    ready: bool
    #: Why it is not ready; ``None`` when ready.
    fault: PrintFault | None
    #: For logs and operators, e.g. the folder or queue that is missing.
    detail: str
    #: False when the device said nothing about itself (an ESC/POS printer on a
    #: write-only line, or one that does not answer a status query): "ready"
    #: then only means it could be opened.
    reported: bool = True

    def __post_init__(self) -> None:
        if self.ready != (self.fault is None):
            raise ValueError("a printer is ready exactly when it reports no fault")


@dataclass(frozen=True)
class PrintReceipt:
    """Proof that a backend accepted a job."""

    backend: str
    #: The backend's handle for the job: a queue job id (``cups``), the
    #: device (``escpos``) or the path of the written file (``pdf_file``).
    job_id: str
    #: The printer's state right after the job, where the backend reads it:
    #: a printer that ran out of paper on this job says so here.
    printer_status: PrinterStatus | None = None


class Printer(ABC):
    """Something that prints PDF documents."""

    #: Short backend name as used in the configuration (``pdf_file``).
    backend: str = ""

    @abstractmethod
    def status(self) -> PrinterStatus:
        """Check the printer now, without printing.

        Never raises for a printer fault: a missing or broken printer is
        reported as ``ready=False`` with its fault. Cheap enough to poll.
        """

    @abstractmethod
    def print_pdf(self, pdf: bytes, job_name: str, *, personal: bool = False) -> PrintReceipt:
        """Print ``pdf`` (a complete PDF document) as a job named ``job_name``.

        ``job_name`` is for people (queue listings, file names), e.g. the
        ticket number; backends make it safe for their own use. ``personal``
        says the document carries personal data (the document's
        ``personal_data``): a backend that keeps a copy keeps it only until
        :meth:`purge_personal` removes it. Returns once
        the backend has accepted the whole job. Raises a
        :class:`printing.errors.PrinterError` subclass when it cannot, and
        :class:`ValueError` if ``pdf`` is not a PDF.
        """

    def purge_personal(self) -> int:
        """Delete the kept copies of personal documents older than the backend's
        retention, by the backend's clock; returns how many. A backend that keeps
        none: 0. Never raises."""
        return 0


def check_pdf(pdf: bytes) -> None:
    """Raise :class:`ValueError` unless ``pdf`` looks like a PDF document."""
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("not a PDF document (no %PDF- header)")
