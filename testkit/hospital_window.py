"""The demo hospital's kiosk window in tests: its configuration, its doctors fetched by
its own sync engine, and a patient's path from a card tap to the ticket's question."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from central.database import Database
from central.settings import DEMO_HOSPITAL_ENROLMENT_CODE, DEMO_HOSPITAL_ID
from central.tables import hospital_visits
from contract.hospital import DoctorToday, Payer
from kiosk.config import Config, SessionSection
from kiosk.session.machine import Phase
from offline_store import OutboxState, Store
from testkit.hospital_kiosk import OFFICE as TEST_OFFICE
from testkit.hospital_kiosk import poli_catalog_json
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    offline_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.screens.hospital import DoctorScreen, PayerScreen
from ui.window import KioskWindow

HOSPITAL = DEMO_HOSPITAL_ID
POLI = "poli-dalam"


def hospital_config(tmp_path: Path, url: str) -> Config:
    config = demo_config(tmp_path, url)
    return dataclasses.replace(
        config,
        kiosk=dataclasses.replace(config.kiosk, office_id=HOSPITAL),
        central=dataclasses.replace(config.central, enrolment_code=DEMO_HOSPITAL_ENROLMENT_CODE),
        session=SessionSection(ask_notify=False),
        # back from offline soon: the test waits on the delivery, not on a long backoff
        sync=dataclasses.replace(config.sync, backoff_base_s=0.2, backoff_cap_s=1.0),
    )


def cached(kiosk: KioskWindow, schedule_id: str) -> Any:
    today = kiosk.controller.now().date()
    store = kiosk.kiosk.store
    found = [d for d in store.doctors_today(HOSPITAL, today) if d.schedule_id == schedule_id]
    return found[0] if found else None


def wait_cached(qtbot: QtBot, kiosk: KioskWindow, schedule_id: str) -> None:
    """Until the kiosk's own sync engine has fetched the doctors with ``schedule_id``."""
    wait_for_catalog(qtbot, kiosk.controller)
    engine = kiosk.kiosk.engine
    assert engine is not None

    def fetched() -> bool:
        engine.refresh_doctors()  # the engine's next step fetches them, as it would every minute
        return cached(kiosk, schedule_id) is not None

    qtbot.waitUntil(fetched, timeout=15000)


def to_payer(
    qtbot: QtBot,
    kiosk: KioskWindow,
    schedule_id: str,
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    """A card tap, the poli, the doctor ``schedule_id``, JKN, the form, the confirmation.
    ``meanwhile`` runs once the doctor is chosen, before JKN is tapped (another kiosk
    takes the last place there: the list the patient chose from had it)."""
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    tile = next(b for b in kiosk.findChildren(QPushButton) if b.property("service_id") == POLI)
    click(qtbot, tile)
    wait_phase(qtbot, kiosk, Phase.DOCTOR)
    doctors = kiosk.screens[Phase.DOCTOR]
    assert isinstance(doctors, DoctorScreen)
    click(qtbot, doctors.doctors[schedule_id])
    wait_phase(qtbot, kiosk, Phase.PAYER)
    payer = kiosk.screens[Phase.PAYER]
    assert isinstance(payer, PayerScreen)
    meanwhile()
    click(qtbot, payer.payers[Payer.JKN])
    wait_phase(qtbot, kiosk, Phase.FORM)
    phone = kiosk.findChild(QLineEdit, "field_phone")
    assert phone is not None
    if not phone.text():  # offline, no city record gave it
        qtbot.keyClicks(phone, "081234567890")  # type: ignore[no-untyped-call]
    click(qtbot, button_with(kiosk, "Lanjut"))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    click(qtbot, button_with(kiosk, "Ya, ambil nomor antrean"))


def visit_of(operator: Database, ticket_id: str) -> Any:
    with operator.read() as conn:
        return conn.execute(
            select(hospital_visits).where(hospital_visits.c.ticket_id == ticket_id)
        ).first()


def delivered_key(qtbot: QtBot, kiosk: KioskWindow) -> str:
    store = kiosk.kiosk.store
    qtbot.waitUntil(lambda: store.outbox_stats(kiosk.controller.now()).depth == 0, timeout=20000)
    [item] = store.outbox(OutboxState.DELIVERED)
    assert store.outbox(OutboxState.DEAD) == []
    return item.key


@contextmanager
def offline_hospital(
    qtbot: QtBot,
    tmp_path: Path,
    doctors: Sequence[DoctorToday],
    *,
    width: int = 900,
    height: int = 1200,
) -> Iterator[KioskWindow]:
    """A kiosk of the test hospital (testkit/hospital_kiosk.py) with no centre: its
    catalog and today's ``doctors`` in its store, as an earlier sync left them."""
    config = offline_config(tmp_path)
    config = dataclasses.replace(
        config,
        kiosk=dataclasses.replace(config.kiosk, office_id=TEST_OFFICE),
        session=SessionSection(ask_notify=False),
    )
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(config.store_path)
    catalog = poli_catalog_json()
    store.save_catalog(catalog, '"poli"', catalog["version"])
    store.set_kiosk_code("K09")
    store.close()
    with running_kiosk(qtbot, config, width=width, height=height) as window:
        wait_for_catalog(qtbot, window.controller)
        today = window.controller.now()
        window.kiosk.store.save_doctors(TEST_OFFICE, today.date(), doctors, now=today)
        yield window
