"""The hospital desk's window in tests (``kiosk run --desk``), driven as a clerk drives it:
keys where the focus is, a patient found (F2) or typed (F3), a visit registered (Ctrl+Enter).

:func:`opened` shows the desk on a configuration; :func:`offline_hospital_desk` shows
it at the demo hospital with no centre, the catalog and today's ``doctors`` in its
store as its sync engine would have cached them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from central.settings import DEMO_HOSPITAL_ID
from contract.hospital import DoctorToday
from kiosk.config import Config
from offline_store import Store
from testkit.kiosk_window import offline_config, wait_for_catalog
from ui.app import build_window
from ui.desk import DeskView
from ui.window import KioskWindow

HOSPITAL = DEMO_HOSPITAL_ID
DEMO_CATALOG = Path(__file__).resolve().parents[1] / "central" / "demo_data" / "catalog.json"
#: A referral number the demo's BPJS takes.
REFERRAL = "0301R0011125K000999"


@contextmanager
def opened(qtbot: QtBot, config: Config) -> Iterator[KioskWindow]:
    """The desk window on ``config``, shown, its catalog loaded; shut down afterwards."""
    store = Store.open(config.store_path)
    window = build_window(config, store, demo=True, use_pcscd=False, desk=True)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.watch_activity()  # as `kiosk run` does: every key and click is activity
    try:
        wait_for_catalog(qtbot, window.controller)
        yield window
    finally:
        window.shut_down(5000)
        store.close()


@contextmanager
def offline_hospital_desk(
    tmp_path: Path, qtbot: QtBot, doctors: Sequence[DoctorToday]
) -> Iterator[KioskWindow]:
    """The demo hospital's desk with the centre away: the demo catalog and today's
    ``doctors`` cached in its store (kiosk code K17), the doctors listed."""
    base = offline_config(tmp_path)
    config = dataclasses.replace(base, kiosk=dataclasses.replace(base.kiosk, office_id=HOSPITAL))
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(config.store_path)
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    store.save_catalog(catalog, '"demo"', catalog["version"])
    store.set_kiosk_code("K17")
    store.close()
    with opened(qtbot, config) as desk:
        now = desk.controller.now()
        desk.kiosk.store.save_doctors(HOSPITAL, now.date(), list(doctors), now=now)
        view = view_of(desk)
        view.refresh()
        qtbot.waitUntil(lambda: view.doctor.count() == len(doctors), timeout=5000)
        yield desk


def poli_dalam_doctor(
    schedule_id: str,
    doctor_name: str,
    *,
    quota_jkn: int,
    left_jkn: int,
    quota_non_jkn: int,
    left_non_jkn: int,
    ends: str = "23:59",
) -> DoctorToday:
    """A doctor of the demo hospital's Poli Dalam today from 08:00, 10 minutes a patient,
    with the quotas and places left given (as the sync engine caches them). Until 23:59
    unless told: open whenever a test runs (a doctor whose hours are over is closed)."""
    return DoctorToday(
        schedule_id=schedule_id,
        service_id="poli-dalam",
        kodepoli="INT",
        kodedokter="12345",
        doctor_name=doctor_name,
        starts="08:00",
        ends=ends,
        quota_jkn=quota_jkn,
        left_jkn=left_jkn,
        quota_non_jkn=quota_non_jkn,
        left_non_jkn=left_non_jkn,
        minutes_per_patient=10,
    )


def view_of(window: KioskWindow) -> DeskView:
    assert window.desk is not None
    return window.desk


def key(
    qtbot: QtBot, window: KioskWindow, k: Qt.Key, mod: Qt.KeyboardModifier | None = None
) -> None:
    """Press ``k`` where the keyboard's focus is, as the clerk does: to the focused
    window's ``QWindow``, where a keyboard's keys arrive, which hands it to the widget."""
    target = QApplication.focusWidget() or window
    handle = target.window().windowHandle()
    assert handle is not None, "the window is shown"
    QTest.keyClick(handle, k, Qt.KeyboardModifier.NoModifier if mod is None else mod)


def type_in(qtbot: QtBot, text: str) -> None:
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClicks(target, text)  # type: ignore[no-untyped-call]


def field(window: KioskWindow, name: str) -> QLineEdit:
    widget = window.findChild(QLineEdit, name)
    assert widget is not None
    return widget


def find(qtbot: QtBot, window: KioskWindow, by: int, value: str, birth: str) -> DeskView:
    """Find as the clerk does: F2, the key's kind, the value, Tab, the date, Enter."""
    view = view_of(window)
    combo = window.findChild(QComboBox, "deskFindBy")
    assert combo is not None
    window.activateWindow()
    key(qtbot, window, Qt.Key.Key_F2)
    combo.setCurrentIndex(by)
    QApplication.focusWidget().clear()  # type: ignore[union-attr]
    type_in(qtbot, value)
    key(qtbot, window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is field(window, "deskFindBirth")
    QApplication.focusWidget().clear()  # type: ignore[union-attr]
    type_in(qtbot, birth)
    key(qtbot, window, Qt.Key.Key_Return)
    # Asked: "Mencari…" until the answer, which a centre that refuses at once may give
    # while the key is still being delivered (the caller checks what it said).
    qtbot.waitUntil(lambda: view.message.text() != "Mencari…", timeout=5000)
    return view


def found(qtbot: QtBot, window: KioskWindow, by: int, value: str, birth: str) -> DeskView:
    """:func:`find`, and the patient found is on the desk."""
    view = find(qtbot, window, by, value, birth)
    qtbot.waitUntil(lambda: view.patient is not None, timeout=5000)
    return view


def type_patient(
    qtbot: QtBot, window: KioskWindow, nik: str, kartu: str, name: str, birth: str, sex: int
) -> None:
    """F3, then the patient typed field by field with Tab; ``sex``: 1 Laki-laki, 2 Perempuan."""
    window.activateWindow()
    key(qtbot, window, Qt.Key.Key_F3)
    for text in (nik, kartu, name, birth):
        if text:
            type_in(qtbot, text)
        key(qtbot, window, Qt.Key.Key_Tab)
    for _ in range(sex):
        key(qtbot, window, Qt.Key.Key_Down)


def register_typed(qtbot: QtBot, window: KioskWindow, referral: str = REFERRAL) -> None:
    """The referral number typed, then Ctrl+Enter: the visit asked for."""
    field(window, "deskReferral").setFocus()
    type_in(qtbot, referral)
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
