"""Pictures of the kiosk's screens and of a printed ticket, for the docs.

    python -m ui.screenshots --out docs/screenshots

Runs the demo flow against a local central server and saves one PNG per
screen, then renders every ticket layout and the registration slip to PNG
(:mod:`printing.samples`, pdftoppm at the thermal 203 dpi). ``make
screenshots`` runs it under Xvfb so the pictures are real windows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLineEdit

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from central.process import start_central
from central.settings import (
    DEMO_ENROLMENT_CODE,
    DEMO_HOSPITAL_DESK_ENROLMENT_CODE,
    DEMO_HOSPITAL_ENROLMENT_CODE,
    DEMO_HOSPITAL_ID,
)
from kiosk.config import (
    CentralSection,
    Config,
    KioskSection,
    OperatorSection,
    PrinterSection,
    SyncSection,
)
from kiosk.operator.pin import hash_pin
from kiosk.session.events import Confirmed, FormOpened, NotifyAnswered, ServiceSelected
from kiosk.session.machine import Phase
from offline_store import Store
from printing.samples import write_screenshots
from ui.app import build_window
from ui.screens.form import FormScreen
from ui.screenshots_errors import capture_errors
from ui.screenshots_hospital import capture_hospital
from ui.screenshots_larger import capture_larger
from ui.screenshots_more import PIN, capture_desk, capture_out_of_service, capture_overlays
from ui.screenshots_touch import BOOKINGS_INTERVAL_S, capture_touch, without_bookings
from ui.theme import STYLE_SHEET
from ui.window import KioskWindow


def _wait(app: QApplication, done: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not reach the expected screen")
        app.processEvents()
        time.sleep(0.01)


def capture(out: Path, size: tuple[int, int] = (900, 1200)) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)  # noqa: S101
    app.setStyleSheet(STYLE_SHEET)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, start_central(seed_demo=True) as central:
        tickets = Path(tmp) / "tickets"
        tickets.mkdir()
        config = Config(
            kiosk=KioskSection(data_dir=tmp),
            printer=PrinterSection(output_dir=str(tickets)),
            central=CentralSection(url=central.url, enrolment_code=DEMO_ENROLMENT_CODE),
            operator=OperatorSection(pin_hash=hash_pin(PIN)),
            sync=SyncSection(bookings_interval_s=BOOKINGS_INTERVAL_S),
        )
        store = Store.open(config.store_path)
        window = build_window(config, store, demo=True, use_pcscd=False)
        window.resize(*size)
        window.show()
        controller = window.controller
        _wait(app, lambda: controller.status().catalog is not None)
        without_bookings(window, lambda done: _wait(app, done))  # the grid after each tap

        def shot(name: str, phase: Phase) -> None:
            _wait(app, lambda: controller.session().phase is phase)
            for _ in range(5):
                app.processEvents()
            path = out / f"{name}.png"
            window.grab().save(str(path))
            saved.append(path)

        shot("attract", Phase.IDLE)
        reader = window.kiosk.reader
        assert isinstance(reader, SimulatedReader)  # noqa: S101
        reader.tap(demo_card("siti").applet())
        shot("services", Phase.IDENTIFIED)
        controller.dispatch(ServiceSelected("puskesmas-umum"))
        shot("service-detail", Phase.SERVICE_CHOSEN)
        controller.dispatch(FormOpened())
        _wait(app, lambda: controller.session().phase is Phase.FORM)
        phone = window.findChild(QLineEdit, "field_phone")
        if phone is not None:
            phone.setText("081234567890")
        shot("form", Phase.FORM)
        form = window.screens[Phase.FORM]
        assert isinstance(form, FormScreen)  # noqa: S101
        form.submit()
        shot("confirm", Phase.CONFIRMING)
        controller.dispatch(Confirmed())
        controller.dispatch(NotifyAnswered(controller.session().session, False))
        shot("ticket", Phase.TICKET_ISSUED)
        saved += capture_overlays(app, window, out, lambda done: _wait(app, done))
        # #7's screens, portrait and landscape, Indonesian and English
        saved += capture_touch(app, window, out, lambda done: _wait(app, done))
        # #15's choice fields and the "A+" larger-text mode through the walk
        saved += capture_larger(app, window, out, lambda done: _wait(app, done))
        # #15's problem screens: the error screen and every notice in place
        saved += capture_errors(app, window, out, lambda done: _wait(app, done))
        # #17's hospital screens, at the demo hospital
        hospital = CentralSection(url=central.url, enrolment_code=DEMO_HOSPITAL_ENROLMENT_CODE)
        saved += capture_hospital(
            app, hospital, DEMO_HOSPITAL_ID, out, lambda done: _wait(app, done, 30.0)
        )
        saved += write_screenshots(out)  # every ticket layout, and the slip
        _close(window, store)
        saved.append(
            capture_desk(
                app,
                config,
                out,
                lambda done: _wait(app, done),
                enrolment_code=DEMO_HOSPITAL_DESK_ENROLMENT_CODE,
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        broken = Config(kiosk=KioskSection(data_dir=tmp), central=CentralSection(url=central.url))
        saved.append(capture_out_of_service(app, broken, out, lambda done: _wait(app, done)))
    return saved


def _close(window: KioskWindow, store: Store) -> None:
    window.shut_down()
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    for path in capture(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
