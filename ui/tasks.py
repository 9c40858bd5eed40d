"""The one way the UI runs work off the GUI thread.

Work runs on a thread pool; its result, or its failure, comes back through a
queued signal and is handled on the GUI thread, so no widget is ever touched
by a worker. The contract (``kiosk.executor.Executor``) is the one the tests'
``InlineExecutor`` keeps: exactly one of ``done`` or ``failed`` always runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

from kiosk.executor import Done, Failed, FreshRead, call_logged, settle

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Re-exported: the screens' repeated reads (kept in kiosk.executor, no Qt in it, so the
#: kiosk's own repeated reads use it too).
__all__ = ["FreshRead", "QtExecutor"]


#: Every executor ever made, kept until the process ends. A worker's closure
#: holds its executor; were that the last reference, the executor would be
#: destroyed on the worker's thread while the GUI thread delivers a result
#: posted to it, and the delivery would call into a freed object (a crash seen
#: when one window closes while its tasks still run and the next one opens).
#: A kiosk makes one executor per window, so keeping them costs nothing.
_KEPT: list[QtExecutor] = []


class QtExecutor(QObject):
    _post = Signal(object)

    def __init__(self, max_threads: int = 4) -> None:
        super().__init__()
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(max_threads)
        self._post.connect(self._invoke, Qt.ConnectionType.QueuedConnection)
        _KEPT.append(self)

    def run_in_background(self, work: Callable[[], T], done: Done[T], failed: Failed) -> None:
        def task() -> None:
            self._emit(settle(work, done, failed))

        self._pool.start(task)

    def call_soon(self, fn: Callable[[], None]) -> None:
        self._emit(fn)

    def _emit(self, fn: Callable[[], None]) -> None:
        try:
            self._post.emit(fn)
        except RuntimeError:  # "Signal source has been deleted": the window closed first
            log.debug("a result arrived after the window closed; dropped")

    def wait_for_done(self, timeout_ms: int = 5000) -> bool:
        return bool(self._pool.waitForDone(timeout_ms))

    @Slot(object)
    def _invoke(self, fn: Callable[[], None]) -> None:
        call_logged(fn)
