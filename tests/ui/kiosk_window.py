"""One way for the UI tests to open the real kiosk window, and to drive it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from central.settings import DEMO_ENROLMENT_CODE
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection, SessionSection
from kiosk.session import Phase
from offline_store import Store
from ui.app import build_window
from ui.window import KioskWindow


def closed_port() -> int:
    """A loopback port nobody listens on (an unreachable central server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_config(
    tmp_path: Path,
    url: str,
    *,
    timeout_s: float = 3.0,
    session: SessionSection | None = None,
) -> Config:
    """The demo's configuration in ``tmp_path``: PDF tickets, the DEMO enrolment code."""
    tickets = tmp_path / "tickets"
    tickets.mkdir(exist_ok=True)
    return Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(tickets)),
        central=CentralSection(url=url, timeout_s=timeout_s, enrolment_code=DEMO_ENROLMENT_CODE),
        session=session or SessionSection(),
    )


@contextmanager
def running_kiosk(
    qtbot: QtBot, config: Config, *, height: int = 1200, stop_timeout_ms: int = 3000
) -> Iterator[KioskWindow]:
    """The demo window (simulated reader only) on ``config``, shown; closed afterwards."""
    store = Store.open(config.store_path)
    window = build_window(config, store, demo=True, use_pcscd=False)
    qtbot.addWidget(window)
    window.resize(900, height)
    window.show()
    try:
        yield window
    finally:
        window.controller.stop()
        window.executor.wait_for_done(stop_timeout_ms)
        store.close()


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def button_with(window: KioskWindow, text: str) -> QPushButton:
    visible = [b for b in window.findChildren(QPushButton) if b.isVisible() and text in b.text()]
    assert len(visible) == 1, f"expected one visible button with {text!r}"
    return visible[0]


def wait_phase(qtbot: QtBot, window: KioskWindow, phase: Phase) -> None:
    qtbot.waitUntil(lambda: window.controller.machine.state.phase is phase, timeout=5000)


def visible_strings(window: KioskWindow) -> str:
    texts = []
    for w in window.findChildren(QLabel):
        texts.append(w.text())
    for w in window.findChildren(QLineEdit):
        texts.append(w.text())
    for w in window.findChildren(QPlainTextEdit):
        texts.append(w.toPlainText())
    return "\n".join(texts)
