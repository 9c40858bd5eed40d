"""The public surface of :mod:`printing`, its errors and its data types."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import printing
from printing.documents import TicketDocument
from printing.errors import ERROR_FOR_FAULT, PrinterError, PrintFault
from printing.printers.printer import Printer, PrinterStatus

#: The paragraph of docs/printing.md that lists what ``from printing import …`` offers.
SURFACE_DOC = Path(__file__).parents[2] / "docs" / "printing.md"


def _documented_surface() -> set[str]:
    text = SURFACE_DOC.read_text(encoding="utf-8")
    start = text.index("What `from printing import …` offers")
    paragraph = text[start : text.index("\n\n", start)]
    return set(re.findall(r"`(\w+)`", paragraph)) - {"printing", "__all__"}


def test_the_public_names_are_the_documented_ones() -> None:
    assert len(printing.__all__) == len(set(printing.__all__))
    assert set(printing.__all__) == _documented_surface()
    assert printing.BACKENDS == ("pdf_file", "cups", "escpos")
    for name in printing.__all__:
        assert getattr(printing, name) is not None


def test_every_printer_error_is_public() -> None:
    errors = {
        name
        for name, obj in vars(printing.errors).items()
        if isinstance(obj, type) and issubclass(obj, PrinterError)
    }
    assert len(errors) == len(PrintFault) + 1  # the base and one per fault
    assert {*errors, "PrintFault"} <= set(printing.__all__)


def test_printing_never_imports_qt() -> None:
    code = (
        "import sys; sys.modules['PySide6'] = None\n"
        "import printing, printing.printers.pdf_file, printing.printers.cups\n"
        "import printing.printers.escpos, printing.printers.raster, printing.samples\n"
        "import printing.layouts.ticket, printing.layouts.slip, printing.layouts.receipt\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6') and sys.modules[m]]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_every_fault_has_its_own_error() -> None:
    assert set(ERROR_FOR_FAULT) == set(PrintFault)
    for fault, error in ERROR_FOR_FAULT.items():
        assert issubclass(error, PrinterError)
        assert error.reason is fault
        assert error("detail").detail == "detail"
        assert str(error()) == fault.value


def test_fault_values_are_stable() -> None:
    assert [fault.value for fault in PrintFault] == [
        "output_unavailable",
        "offline",
        "out_of_paper",
        "timeout",
        "failed",
    ]


def test_printer_is_abstract() -> None:
    with pytest.raises(TypeError):
        Printer()  # type: ignore[abstract]


def test_status_is_ready_exactly_when_there_is_no_fault() -> None:
    PrinterStatus(ready=True, fault=None, detail="")
    PrinterStatus(ready=False, fault=PrintFault.OFFLINE, detail="queue paused")
    with pytest.raises(ValueError):
        PrinterStatus(ready=True, fault=PrintFault.OFFLINE, detail="")
    with pytest.raises(ValueError):
        PrinterStatus(ready=False, fault=None, detail="")


def test_ticket_is_frozen(ticket: TicketDocument) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ticket.number = "B-001"  # type: ignore[misc]


def test_ticket_needs_a_timezone(ticket: TicketDocument) -> None:
    with pytest.raises(ValueError, match="timezone"):
        dataclasses.replace(ticket, issued_at=datetime(2026, 11, 22, 21, 40))


def test_ticket_needs_a_known_language(ticket: TicketDocument) -> None:
    with pytest.raises(ValueError, match="language"):
        dataclasses.replace(ticket, language="fr")  # type: ignore[arg-type]


def test_ticket_needs_a_number(ticket: TicketDocument) -> None:
    with pytest.raises(ValueError, match="number"):
        dataclasses.replace(ticket, number=" ")


def test_python_escpos_loads_only_when_an_escpos_printer_is_used() -> None:
    code = (
        "import sys, printing, printing.layouts.ticket, printing.printers.escpos\n"
        "from printing import make_printer\n"
        "make_printer('escpos', device='tcp:127.0.0.1:9')\n"
        "assert 'escpos' not in sys.modules, 'python-escpos loaded before a job'\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=60)
