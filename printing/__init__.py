"""Printed documents and the printers that print them.

What a document says is in :mod:`printing.documents` (a :class:`TicketDocument`,
the registration slip, a :class:`SlipDocument`, the complaint receipt);
:mod:`printing.layouts` renders it as a PDF sized for its paper; a
:class:`Printer` backend in :mod:`printing.printers` prints that PDF:
``pdf_file`` (a folder), ``cups`` (``lp``/``lpstat``) or ``escpos``
(python-escpos, raster). Backends are chosen by name with :func:`make_printer`;
each raises the errors in :mod:`printing.errors`. Nothing here imports Qt or
talks to the citizen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from printing.documents import SlipDocument, SlipField, TicketDocument
from printing.errors import (
    OutOfPaper,
    PrinterConfigError,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
    PrintFailed,
    PrintFault,
    PrintTimeout,
)
from printing.printers.printer import Printer, PrinterStatus, PrintReceipt

#: Backend names :func:`make_printer` accepts.
BACKENDS = ("pdf_file", "cups", "escpos")

__all__ = [
    "BACKENDS",
    "OutOfPaper",
    "PrintFailed",
    "PrintFault",
    "PrintReceipt",
    "PrintTimeout",
    "Printer",
    "PrinterConfigError",
    "PrinterError",
    "PrinterOffline",
    "PrinterStatus",
    "PrinterUnavailable",
    "SlipDocument",
    "SlipField",
    "TicketDocument",
    "make_printer",
]


def make_printer(
    backend: str,
    *,
    output_dir: Path | None = None,
    queue: str = "",
    server: str = "",
    device: str = "",
    dots: int = 576,
    timeout_s: float = 15.0,
    personal_retention: dt.timedelta | None = None,
) -> Printer:
    """Create the printer backend named ``backend``.

    ``pdf_file`` writes into ``output_dir``, which must already exist.
    ``cups`` prints to ``queue`` (empty: the default destination) on
    ``server`` (``host:port`` or a socket path; empty: the system's CUPS).
    ``escpos`` prints to ``device`` (``usb:VID:PID``, ``serial:DEV[:BAUD]``,
    ``tcp:HOST[:PORT]``, ``file:PATH``) ``dots`` wide. ``timeout_s`` bounds a
    job. ``personal_retention`` is how long ``pdf_file`` keeps a document
    with personal data (default :data:`printing.printers.pdf_file.PERSONAL_RETENTION`,
    24 hours). Backends import their libraries lazily, so a kiosk without a printer
    stack installed can still use the others. Raises :class:`PrinterConfigError` (a
    ``ValueError``) for a name not in :data:`BACKENDS` or a setting the backend cannot use.
    """
    if backend == "pdf_file":
        from printing.printers.pdf_file import PdfFilePrinter

        if output_dir is None:
            raise PrinterConfigError("the pdf_file printer needs an output folder")
        if personal_retention is None:
            return PdfFilePrinter(output_dir)
        return PdfFilePrinter(output_dir, personal_retention=personal_retention)
    if backend == "cups":
        from printing.printers.cups import CupsPrinter

        return CupsPrinter(queue, server=server, timeout_s=timeout_s)
    if backend == "escpos":
        from printing.printers.escpos import EscposPrinter

        return EscposPrinter(device, dots=dots, timeout_s=timeout_s)
    raise PrinterConfigError(
        f"unknown printer backend {backend!r}; known backends: {', '.join(BACKENDS)}"
    )
