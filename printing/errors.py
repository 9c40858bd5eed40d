"""Every error :mod:`printing` raises, in one place.

Each error carries a machine-readable :class:`PrintFault` so the session
state machine and the UI can decide what to show (and whether to offer a
reprint) without parsing text. ``detail`` is for logs and operators, never
for the citizen.

A printer that cannot be built as configured (an unknown backend name, a
setting the backend cannot use) raises :class:`PrinterConfigError`, a
:class:`ValueError`; bytes that are not a PDF raise a plain ``ValueError``:
neither is a printer fault.

    PrinterError            what every backend raises; ``reason`` is its PrintFault
    ├── PrinterUnavailable  OUTPUT_UNAVAILABLE
    ├── PrinterOffline      OFFLINE
    ├── OutOfPaper          OUT_OF_PAPER
    ├── PrintTimeout        TIMEOUT
    └── PrintFailed         FAILED
    PrinterConfigError      (ValueError) the configured printer cannot be built
    ToolError               inside the ``cups`` backend only: a cups-client tool
                            failed; the backend turns it into a PrinterError
"""

from __future__ import annotations

from enum import StrEnum


class PrintFault(StrEnum):
    """Why a printer cannot print. Values are stable: logs and the CLI show them."""

    #: The output (device, queue, folder) is missing or cannot be written.
    OUTPUT_UNAVAILABLE = "output_unavailable"
    #: The printer is known but switched off, disconnected or paused.
    OFFLINE = "offline"
    OUT_OF_PAPER = "out_of_paper"
    #: The printer did not accept or finish the job in time.
    TIMEOUT = "timeout"
    #: Anything else: the job was attempted and did not complete.
    FAILED = "failed"


class PrinterError(Exception):
    """Base of every error raised by :mod:`printing`."""

    reason: PrintFault = PrintFault.FAILED

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason.value)
        self.detail = detail or self.reason.value


class PrinterUnavailable(PrinterError):
    """The output cannot be reached: no device, no queue, no writable folder."""

    reason = PrintFault.OUTPUT_UNAVAILABLE


class PrinterOffline(PrinterError):
    """The printer exists but is offline, paused or disabled."""

    reason = PrintFault.OFFLINE


class OutOfPaper(PrinterError):
    """The printer reports that its paper roll is empty (or the cover is open)."""

    reason = PrintFault.OUT_OF_PAPER


class PrintTimeout(PrinterError):
    """The job was not accepted or not finished within the configured time."""

    reason = PrintFault.TIMEOUT


class PrintFailed(PrinterError):
    """The job was attempted and did not complete (disk full, I/O error, rejected)."""

    reason = PrintFault.FAILED


#: The error class to raise for each fault, for backends that learn the fault
#: from a status word or a queue state rather than from an exception.
ERROR_FOR_FAULT: dict[PrintFault, type[PrinterError]] = {
    PrintFault.OUTPUT_UNAVAILABLE: PrinterUnavailable,
    PrintFault.OFFLINE: PrinterOffline,
    PrintFault.OUT_OF_PAPER: OutOfPaper,
    PrintFault.TIMEOUT: PrintTimeout,
    PrintFault.FAILED: PrintFailed,
}


class PrinterConfigError(ValueError):
    """The printer cannot be built as configured; the message names the backend or setting."""


class ToolError(Exception):
    """A CUPS tool could not be run or did not answer in time.

    Raised inside :mod:`printing.printers.cups`; the backend's ``status`` and
    ``print_pdf`` report it as its ``fault`` (the :class:`PrinterError` for it).
    """

    def __init__(self, fault: PrintFault, detail: str) -> None:
        super().__init__(detail)
        self.fault = fault
        self.detail = detail
