"""Start the kiosk once and report when the attract screen is first painted.

    python -m bench.startup_probe --root DIR --central-url URL --enrolment-code CODE

Run by :mod:`bench.startup` in a fresh process each time. It builds the real
window on the demo defaults exactly as ``kiosk demo`` does (application
name, style sheet, ``build_window``, the window as application event
filter, 900×1200), waits for the first paint event of the attract screen,
lets that frame finish, then prints one line::

    painted {"import_build_ms": 412.7, "stages_ms": {...}}

``import_build_ms`` runs from the first statement of this module (before
PySide6 and the kiosk are imported) to the end of the first painted frame;
``stages_ms`` splits it into imports, the QApplication, the
window built and shown, and the first frame painted. As ``kiosk demo``
does, the store is opened once the screen is painted; a second line says
when it was open (the kiosk ready for a tap), and the probe exits::

    ready {"paint_to_store_open_ms": 301.2}
"""

# ruff: noqa: E402 - the clock has to start before the imports it measures
from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

# As `kiosk demo` starts (kiosk.cli.main): the dataclasses' methods from the code
# cache the build wrote beside the kiosk's bytecode (kiosk.code_cache; `make bench`
# runs `python -m kiosk.cli.build_cache` after compileall), the collector held off until the
# store has settled (kiosk.startup), then the kiosk (no Qt) before PySide6, which
# ui.app imports after it (see ui.app); Qt's own names are imported in main().
from kiosk import code_cache

code_cache.install()

from kiosk.startup import hold_collector

hold_collector()

from kiosk.wiring.store import open_store
from testkit.demo_kiosk import demo_config
from ui.app import build_window
from ui.first_paint import FirstPaint
from ui.theme import STYLE_SHEET
from ui.window import KioskWindow

IMPORTED = time.perf_counter()
PAINTED = "painted "
READY = "ready "
READY_POLL_MS = 2
#: Give up (exit status 3) if nothing is painted within this time.
PAINT_TIMEOUT_MS = 30_000
EXIT_NO_PAINT = 3
EXIT_NO_STORE = 4


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time one kiosk start to first paint.")
    parser.add_argument(
        "--root", type=Path, required=True, help="an empty folder for the kiosk's data and tickets"
    )
    parser.add_argument("--central-url", required=True, help="a running central server")
    parser.add_argument(
        "--enrolment-code", required=True, help="the central server's enrolment code"
    )
    return parser.parse_args(argv)


def ms_since(start: float, end: float) -> float:
    """Milliseconds between two ``time.perf_counter()`` readings (as bench.results, whose
    imports the probe would otherwise pay for)."""
    return (end - start) * 1000.0


def main(argv: Sequence[str] | None = None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    args = _parse(argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    app.setApplicationName("Anjungan")
    app.setStyleSheet(STYLE_SHEET)
    app_ready = time.perf_counter()
    config = demo_config(args.root, args.central_url, args.enrolment_code)
    store = open_store(config, deferred=True)  # as `kiosk demo` does
    window: KioskWindow | None = None
    painted = ready = False
    try:
        window = build_window(config, store, demo=True)
        window.watch_activity()
        painted_at = 0.0

        def report_painted() -> None:
            nonlocal painted, painted_at
            painted_at = time.perf_counter()
            painted = True
            stages = {
                "imports": ms_since(STARTED, IMPORTED),
                "qapplication": ms_since(IMPORTED, app_ready),
                "window": ms_since(app_ready, built),
                "paint": ms_since(built, painted_at),
            }
            facts = {
                "import_build_ms": round(ms_since(STARTED, painted_at), 3),
                "stages_ms": {k: round(v, 3) for k, v in stages.items()},
            }
            print(PAINTED + json.dumps(facts), flush=True)
            poll.start(READY_POLL_MS)

        def report_ready() -> None:
            nonlocal ready
            if not store.is_open:
                return
            ready = True
            facts = {"paint_to_store_open_ms": round(ms_since(painted_at, time.perf_counter()), 3)}
            print(READY + json.dumps(facts), flush=True)
            app.quit()

        poll = QTimer()
        poll.timeout.connect(report_ready)
        watcher = FirstPaint(window.attract, report_painted)
        QTimer.singleShot(PAINT_TIMEOUT_MS, app.quit)
        window.resize(900, 1200)
        window.show()
        built = time.perf_counter()
        app.exec()
        del watcher
    finally:
        if window is not None:
            window.input_filters.remove(window)
            window.shut_down()
        store.close()
        # What the kiosk's warm-up does once the store has settled, which the probe,
        # gone at ready, never reaches: where Python writes bytecode (not with
        # PYTHONDONTWRITEBYTECODE), keep any method compiled anew for the next start.
        code_cache.save()
    if not painted:
        print("the attract screen was never painted", file=sys.stderr)
        return EXIT_NO_PAINT
    if not ready:
        print("the store was never opened", file=sys.stderr)
        return EXIT_NO_STORE
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
