"""The floor of the cold start: a bare two-screen PySide6 app to its first painted frame.

    python -m bench.startup_floor_probe

Run by :mod:`bench.startup` exactly as it runs :mod:`bench.startup_probe` (a
fresh interpreter, the same environment, offscreen, 900×1200): a
``QStackedWidget`` holding two ``QLabel`` screens in a ``QMainWindow``, the
first shown. Once the frame holding its first paint is finished it prints
one line and exits::

    painted {"import_build_ms": 80.1}

It pays for the interpreter, PySide6 and one painted frame: what the kiosk
needs on top of that is the kiosk's own cost. Nothing of the project is
imported, so the floor does not move when the kiosk changes.
"""

# ruff: noqa: E402 - the clock has to start before the imports it measures
from __future__ import annotations

import time

STARTED = time.perf_counter()

import json

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget

PAINTED = "painted "
#: Give up (exit status 3) if nothing is painted within this time.
PAINT_TIMEOUT_MS = 30_000
EXIT_NO_PAINT = 3


class _FirstPaint(QObject):
    """Quits once the frame holding the watched widget's first paint is finished."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.painted and event.type() == QEvent.Type.Paint:
            self.painted = True
            QTimer.singleShot(0, self.app, self._report)  # after the frame's flush
        return False

    def _report(self) -> None:
        done_ms = (time.perf_counter() - STARTED) * 1000.0
        print(PAINTED + json.dumps({"import_build_ms": round(done_ms, 3)}), flush=True)
        self.app.quit()


def main() -> int:
    app = QApplication([])
    window = QMainWindow()
    stack = QStackedWidget()
    first, second = QLabel("Tempelkan kartu Anda"), QLabel("Pilih layanan")
    stack.addWidget(first)
    stack.addWidget(second)
    window.setCentralWidget(stack)
    watcher = _FirstPaint(app)
    first.installEventFilter(watcher)
    QTimer.singleShot(PAINT_TIMEOUT_MS, app.quit)
    window.resize(900, 1200)
    window.show()
    app.exec()
    return 0 if watcher.painted else EXIT_NO_PAINT


if __name__ == "__main__":
    raise SystemExit(main())
