"""Pictures of the hospital's screens (#17) in both orientations and both languages.

Called by :mod:`ui.screenshots` with the demo's central server: a second kiosk stands
in the demo hospital (``rsud-pku``), fetches today's doctors itself and is walked
through the poli's doctors, JKN or umum, the ticket with the doctor and the
estimated time, and the patient keypad. Each is saved as
``hospital-<screen>-<portrait|landscape>-<id|en>.png``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from contract.hospital import Payer
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection, SessionSection
from kiosk.session.events import (
    Confirmed,
    DoctorChosen,
    FormSubmitted,
    OtherServices,
    PatientSearchOpened,
    PayerChosen,
    ServiceSelected,
)
from kiosk.session.machine import Phase, ticket_settled
from offline_store import Store
from ui.app import build_window
from ui.screenshots_touch import Camera, Wait

POLI = "poli-dalam"


def capture_hospital(
    app: QApplication, central: CentralSection, office_id: str, out: Path, wait: Wait
) -> list[Path]:
    """``central``: the demo centre and the demo hospital's enrolment code; ``office_id``:
    the demo hospital's (ui/screenshots.py knows both from the centre's settings)."""
    with tempfile.TemporaryDirectory() as tmp:
        tickets = Path(tmp) / "tickets"
        tickets.mkdir()
        config = Config(
            kiosk=KioskSection(data_dir=tmp, office_id=office_id),
            printer=PrinterSection(output_dir=str(tickets)),
            central=central,
            session=SessionSection(ask_notify=False),
        )
        store = Store.open(config.store_path)
        window = build_window(config, store, demo=True, use_pcscd=False)
        window.resize(1080, 1920)
        window.show()
        controller = window.controller
        try:
            wait(lambda: controller.status().catalog is not None)
            wait(lambda: bool(store.doctors_today(office_id, controller.now().date())))
            camera = Camera(app, window, out, wait, prefix="hospital-")
            reader = window.kiosk.reader
            assert isinstance(reader, SimulatedReader)  # noqa: S101
            reader.tap(demo_card("siti").applet())
            wait(lambda: controller.session().phase in (Phase.IDENTIFIED, Phase.APPOINTMENT))
            if controller.session().phase is Phase.APPOINTMENT:  # a Mobile JKN booking
                controller.dispatch(OtherServices())
            wait(lambda: controller.session().phase is Phase.IDENTIFIED)
            controller.dispatch(ServiceSelected(POLI))
            wait(lambda: controller.session().phase is Phase.DOCTOR)
            camera.shots("doctors")
            doctor = next(
                d for d in controller.session().doctors if d.left_jkn > 0 and d.left_non_jkn > 0
            )
            controller.dispatch(DoctorChosen(doctor.schedule_id))
            wait(lambda: controller.session().phase is Phase.PAYER)
            camera.shots("payer")
            controller.dispatch(PayerChosen(Payer.JKN))
            wait(lambda: controller.session().phase is Phase.FORM)
            controller.dispatch(FormSubmitted({"phone": "081234567890"}))
            controller.dispatch(Confirmed())
            wait(lambda: ticket_settled(controller.session()))
            camera.shots("ticket")
            camera.to_idle()
            controller.dispatch(PatientSearchOpened())
            wait(lambda: controller.session().phase is Phase.PATIENT_NUMBER)
            camera.shots("patient")
            camera.to_idle()
            return camera.saved
        finally:
            window.shut_down(3000)
            store.close()
