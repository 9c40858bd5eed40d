"""Printed documents and the printers that print them.

:mod:`printing.layout` renders a document (a :class:`TicketDocument`) as a PDF
sized for its paper; a :class:`Printer` backend prints that PDF. Backends are
chosen by name with :func:`make_printer`; each raises the errors in
:mod:`printing.errors`. Nothing here imports Qt or talks to the citizen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from printing.errors import (
    OutOfPaper,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
    PrintFailed,
    PrintFault,
    PrintTimeout,
)
from printing.printer import Printer, PrinterStatus, PrintReceipt
from printing.ticket import TicketDocument

if TYPE_CHECKING:
    from printing.layout import Paper, render_ticket_pdf

#: Names served from :mod:`printing.layout` on first use: reportlab costs
#: ~200 ms of start-up, which a kiosk spends after its first screen is up.
_LAYOUT_NAMES = frozenset({"Paper", "render_ticket_pdf"})


def __getattr__(name: str) -> Any:
    if name in _LAYOUT_NAMES:
        from printing import layout

        return getattr(layout, name)
    raise AttributeError(f"module 'printing' has no attribute {name!r}")


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
