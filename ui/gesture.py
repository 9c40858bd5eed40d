"""The hidden gesture that opens the operator panel: five taps within three seconds."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

TAPS = 5
WITHIN_S = 3.0


class TapGesture(QObject):
    """Calls ``on_gesture`` when ``target`` is pressed :data:`TAPS` times within :data:`WITHIN_S`.

    ``clock`` is monotonic seconds (injected: tests move it). The taps are not
    consumed, so the target behaves as before for everyone else.
    """

    def __init__(
        self,
        target: QWidget,
        on_gesture: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(target)
        self._on_gesture = on_gesture
        self._clock = clock
        self._taps: list[float] = []
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.tap()
        return False

    def tap(self) -> None:
        now = self._clock()
        self._taps = [t for t in self._taps if now - t < WITHIN_S] + [now]
        if len(self._taps) >= TAPS:
            self._taps.clear()
            self._on_gesture()
