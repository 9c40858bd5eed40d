"""Run something once the first frame of a widget is on screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstPaint(QObject):
    """Calls ``done`` once, when the frame holding ``widget``'s first paint is finished.

    Qt paints a whole frame (the window, then its children, then the flush
    to the backing store) while handling one update request; a zero timer
    started from the first paint event fires after that request is done.
    With ``fallback_ms``, ``done`` is called after that time if the widget
    was never painted (a window kept hidden), so what waits on it still runs.
    The object lives as long as ``widget`` unless given another parent.
    """

    def __init__(
        self,
        widget: QWidget,
        done: Callable[[], None],
        *,
        fallback_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else widget)
        self._widget = widget
        self._done = done
        self._called = False
        self._painted = False
        widget.installEventFilter(self)
        if fallback_ms is not None:
            QTimer.singleShot(fallback_ms, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            QTimer.singleShot(0, self, self._call)
        return False

    def _call(self) -> None:
        if self._called:
            return
        self._called = True
        self._widget.removeEventFilter(self)
        self._done()


class NextFrame(QObject):
    """Calls a watch's ``done`` when the frame holding the next paint of its widget is
    finished: one widget at a time, each watch replacing the one before (a screen shown,
    then another before the first was painted: only the last one's ``done`` is called)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._widget: QWidget | None = None
        self._done: Callable[[], None] = lambda: None

    def watch(self, widget: QWidget, done: Callable[[], None]) -> None:
        if self._widget is not None:
            self._widget.removeEventFilter(self)
        self._widget, self._done = widget, done
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self._widget = None
            QTimer.singleShot(0, self, self._done)
        return False
