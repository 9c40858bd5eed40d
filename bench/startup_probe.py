"""Start the kiosk once and report when the attract screen is first painted.

    python -m bench.startup_probe --root DIR --central-url URL

Run by :mod:`bench.startup` in a fresh process each time. It builds the real
window on the demo defaults exactly as ``kiosk demo`` does (application
name, style sheet, ``build_window``, the window as application event
filter, 900×1200), waits for the first paint event of the attract screen,
lets that frame finish, then prints one line and exits::

    painted {"import_build_ms": 412.7, "stages_ms": {...}, "catalog_loaded": false}

``import_build_ms`` runs from the first statement of this module (before
PySide6 and the kiosk are imported) to the end of the first painted frame;
``stages_ms`` splits it into imports, the QApplication, the store opened
and the window built and shown, and the first frame painted.
"""

# ruff: noqa: E402 - the clock has to start before the imports it measures
from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from bench.kiosk_setup import demo_config
from bench.results import ms_since
from offline_store import Store
from ui.app import build_window
from ui.theme import STYLE_SHEET
from ui.window import KioskWindow

IMPORTED = time.perf_counter()
PAINTED = "painted "
#: Give up (exit status 3) if nothing is painted within this time.
PAINT_TIMEOUT_MS = 30_000
EXIT_NO_PAINT = 3


class FirstPaint(QObject):
    """Calls ``done`` once, when the frame holding ``widget``'s first paint is finished.

    Qt paints a whole frame (the window, then its children, then the flush
    to the backing store) while handling one update request; a zero timer
    started from the first paint event fires after that request is done.
    """

    def __init__(self, widget: QWidget, done: Callable[[], None]) -> None:
        super().__init__()
        self._done = done
        self._seen = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._seen and event.type() == QEvent.Type.Paint:
            self._seen = True
            QTimer.singleShot(0, self._done)
        return False


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time one kiosk start to first paint.")
    parser.add_argument(
        "--root", type=Path, required=True, help="an empty folder for the kiosk's data and tickets"
    )
    parser.add_argument("--central-url", required=True, help="a running central server")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    app.setApplicationName("Anjungan")
    app.setStyleSheet(STYLE_SHEET)
    app_ready = time.perf_counter()
    config = demo_config(args.root, args.central_url)
    store = Store.open(config.store_path)
    window: KioskWindow | None = None
    painted = False
    try:
        window = build_window(config, store, demo=True)
        app.installEventFilter(window)
        shown = window

        def report() -> None:
            nonlocal painted
            now = time.perf_counter()
            painted = True
            stages = {
                "imports": ms_since(STARTED, IMPORTED),
                "qapplication": ms_since(IMPORTED, app_ready),
                "store_and_window": ms_since(app_ready, built),
                "paint": ms_since(built, now),
            }
            facts = {
                "import_build_ms": round(ms_since(STARTED, now), 3),
                "stages_ms": {k: round(v, 3) for k, v in stages.items()},
                "catalog_loaded": shown.controller.catalog is not None,
            }
            print(PAINTED + json.dumps(facts), flush=True)
            app.quit()

        watcher = FirstPaint(window.attract, report)
        QTimer.singleShot(PAINT_TIMEOUT_MS, app.quit)
        window.resize(900, 1200)
        window.show()
        built = time.perf_counter()
        app.exec()
        del watcher
    finally:
        if window is not None:
            app.removeEventFilter(window)
            window.controller.stop()
            window.executor.wait_for_done(3000)
            window.close()
        store.close()
    if not painted:
        print("the attract screen was never painted", file=sys.stderr)
        return EXIT_NO_PAINT
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
