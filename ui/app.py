"""Start the kiosk's touchscreen: build the parts from the config and run Qt."""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cardio.readers.factory import make_reader
from cardio.readers.reader import Reader
from cardio.readers.simulated import SimulatedReader
from contract.errors import TrustError
from contract.trust import TrustStore
from kiosk.client.client import CentralClient
from kiosk.config import Config, office_clock
from kiosk.controller import KioskController
from kiosk.sync import SyncEngine
from kiosk.wiring.from_config import trust_from
from kiosk.wiring.printer import printer_from
from offline_store import Store
from ui.tasks import QtExecutor
from ui.theme import STYLE_SHEET
from ui.window import KioskWindow

log = logging.getLogger(__name__)


def build_window(
    config: Config,
    store: Store,
    *,
    demo: bool,
    use_pcscd: bool = True,
    trust: TrustStore | None = None,
    desk: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> KioskWindow:
    """Assemble reader, printer, central client and controller under one window.

    ``trust`` defaults to the configured trust list; the demo with no trust
    list configured uses the DEMO one. Raises :class:`TrustError` if the
    configured lists cannot be used.
    """
    if trust is None and demo and not config.card.trust_list:
        log.warning("demo: trusting the DEMO issuer, whose key is public (never on a real kiosk)")
        from cardio.emulators.demo_cards import (
            demo_trust_store,  # the demo's keys: never on a kiosk
        )

        trust = demo_trust_store()
    elif trust is None:
        trust = trust_from(config)
    executor = QtExecutor()
    reader: Reader = make_reader(
        config.card.backend, reader_filter=config.card.reader, path=config.card.nfc_path
    )
    printer = printer_from(config)
    central = CentralClient.from_config(config.central)
    demo_cards: list[tuple[str, Callable[[], None]]] = []
    if demo and isinstance(reader, SimulatedReader):
        from kiosk.wiring.demo_reader import demo_reader

        reader, taps = demo_reader(reader, use_pcscd=use_pcscd)
        demo_cards = [(t.label, t.tap) for t in taps]
    now = office_clock(config)
    controller = KioskController(
        config,
        reader=reader,
        store=store,
        printer=printer,
        central=central,
        executor=executor,
        clock=clock,  # the session's timeouts; tests inject a clock they advance
        now=now,
        trust=trust,
        desk=desk,
    )
    # The sync engine (docs/sync.md): its own thread, the controller's client.
    controller.attach_sync(
        SyncEngine(
            store,
            central,
            config,
            now=now,
            health=controller.device_health,
            catalog=lambda: controller.sync.catalog,
            trust=lambda: controller.trust.current,
        )
    )
    window = KioskWindow(controller, executor, demo_cards, desk=desk)
    controller.start()
    return window


def run_kiosk(
    config: Config,
    store: Store,
    *,
    demo: bool = False,
    fullscreen: bool = False,
    exit_after_s: float | None = None,
    screenshot: Path | None = None,
    desk: bool = False,
) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    app.setApplicationName("Anjungan")
    app.setStyleSheet(STYLE_SHEET)
    try:
        window = build_window(config, store, demo=demo, desk=desk)
    except TrustError as exc:
        log.error("trust list unusable: %s", exc)
        print(f"kiosk: daftar kepercayaan kartu salah / bad trust list: {exc}", file=sys.stderr)
        return 2

    app.installEventFilter(window)
    window.exit_requested = app.quit
    controller = window.controller
    told: list[str] = []

    def tell_if_store_unusable() -> None:
        # The screen says "out of service"; whoever started the kiosk learns why.
        failure = controller.status().store_failure
        if failure is not None and failure not in told:
            told.append(failure)
            print(
                f"kiosk: penyimpanan lokal tidak dapat dibuka / local store unusable: {failure}",
                file=sys.stderr,
            )

    controller.subscribe_status(tell_if_store_unusable)
    if desk:  # a normal window on the registration desk's screen
        window.resize(1400, 1000)
        window.show()
    elif fullscreen or config.kiosk.fullscreen:
        window.go_fullscreen()  # kiosk mode: locked; the operator panel exits
    else:
        window.resize(900, 1200)
        window.show()

    # Let Ctrl-C and SIGTERM end the event loop cleanly.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    heartbeat = QTimer()
    heartbeat.start(200)  # wakes Python so signal handlers run
    heartbeat.timeout.connect(lambda: None)

    if screenshot is not None:

        def grab() -> None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(screenshot))
            log.info("screenshot saved to %s", screenshot)

        QTimer.singleShot(1500, grab)
    if exit_after_s is not None:
        QTimer.singleShot(int(exit_after_s * 1000), app.quit)
    try:
        return app.exec()
    finally:
        window.controller.stop()
        window.executor.wait_for_done(3000)
        window.close()
