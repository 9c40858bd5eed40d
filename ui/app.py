"""Start the kiosk's touchscreen: the kiosk built on the Qt executor, its window, Qt.

The kiosk itself (``kiosk.wiring.kiosk``, no Qt) is imported here before anything
imports PySide6: once PySide6 is loaded, its ``__feature__`` switch reads the whole
source of every module an import statement names (``inspect.getsource``, to look
for "PySide6"), so the kiosk's own modules loaded first are not read again at each
start (tests/ui/test_lazy_start.py). Qt comes in with the window's modules below.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from contract.errors import TrustError
from contract.trust import TrustStore
from kiosk.config import Config
from kiosk.wiring.kiosk import build_kiosk
from offline_store import Store
from ui.service_manager import ServiceNotifier
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
    """The kiosk (:func:`kiosk.wiring.kiosk.build_kiosk`) on the Qt executor, under
    one window; the controller started.

    Raises :class:`TrustError` if the configured lists cannot be used.
    """
    executor = QtExecutor()
    kiosk = build_kiosk(
        config,
        store,
        executor,
        demo=demo,
        use_pcscd=use_pcscd,
        trust=trust,
        desk=desk,
        clock=clock,
    )
    window = KioskWindow(kiosk, executor, desk=desk)
    kiosk.controller.start()
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
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

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

    window.watch_activity()  # every touch, click and key, on the window's own QWindow
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

    # Let Ctrl-C and SIGTERM (the service manager's stop) end the event loop cleanly.
    # exit(), not quit(): Qt 6's quit() first asks every window to close, and a locked
    # kiosk refuses, so a stopped service would run on until it is killed.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.exit(0))
    # READY=1 once painted and the store opened; WATCHDOG=1 from this thread's loop.
    ServiceNotifier(controller, window.stack, parent=window)
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
        window.shut_down()
