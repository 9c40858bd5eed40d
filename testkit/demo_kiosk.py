"""The kiosk's demo defaults, as ``kiosk demo`` builds them, in a folder of our own."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import CentralSection, Config, KioskSection, PrinterSection

#: The service the demo citizen chooses and the phone number she types.
SERVICE_ID = "puskesmas-umum"
PHONE = "081234567890"
DEMO_CARD = "siti"


def demo_config(root: Path, central_url: str, enrolment_code: str | None = None) -> Config:
    """Embedded defaults with data and tickets under ``root`` and the given central.

    Everything else (simulated reader, PDF-file printer, 80 mm paper,
    timeouts) is the embedded default, as in ``kiosk demo``. The enrolment code
    is the demo centre's unless given (the cold-start probe passes it, so that
    it does not import the centre's settings, which a kiosk never does).
    """
    if enrolment_code is None:
        from central.settings import DEMO_ENROLMENT_CODE

        enrolment_code = DEMO_ENROLMENT_CODE
    tickets = root / "tickets"
    tickets.mkdir(parents=True, exist_ok=True)
    return Config(
        kiosk=KioskSection(data_dir=str(root / "data")),
        printer=PrinterSection(output_dir=str(tickets)),
        central=CentralSection(url=central_url, enrolment_code=enrolment_code),
        source="demo",
    )
