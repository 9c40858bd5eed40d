"""Printed documents and the printers that print them.

:mod:`printing.layout` renders a document (a :class:`TicketDocument`) as a PDF
sized for its paper; a :class:`Printer` backend prints that PDF. Backends are
chosen by name with :func:`make_printer`; each raises the errors in
:mod:`printing.errors`. Nothing here imports Qt or talks to the citizen.
"""

from __future__ import annotations

from pathlib import Path

from printing.errors import (
    OutOfPaper,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
    PrintFailed,
    PrintFault,
    PrintTimeout,
)
from printing.layout import Paper, render_ticket_pdf
from printing.printer import Printer, PrinterStatus, PrintReceipt
from printing.ticket import TicketDocument

#: Backend names :func:`make_printer` accepts.
BACKENDS = ("pdf_file",)

__all__ = [
    "BACKENDS",
    "OutOfPaper",
    "Paper",
    "PrintFailed",
    "PrintFault",
    "PrintReceipt",
    "PrintTimeout",
    "Printer",
    "PrinterError",
    "PrinterOffline",
    "PrinterStatus",
    "PrinterUnavailable",
    "TicketDocument",
    "make_printer",
    "render_ticket_pdf",
]


def make_printer(backend: str, *, output_dir: Path) -> Printer:
    """Create the printer backend named ``backend``.

    ``output_dir`` is the folder the ``pdf_file`` backend writes into; it
    must already exist. Backends import their libraries here, lazily, so a
    kiosk without a printer stack installed can still use the others.
    Raises :class:`ValueError` for a name not in :data:`BACKENDS`.
    """
    if backend == "pdf_file":
        from printing.pdf_file import PdfFilePrinter

        return PdfFilePrinter(output_dir)
    raise ValueError(f"unknown printer backend {backend!r}; known backends: {', '.join(BACKENDS)}")
