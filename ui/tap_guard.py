"""One tap, one action: a tap that arrives just after the screen changed is ignored.

A touchscreen sometimes delivers one touch twice, and an impatient finger taps
twice; the second tap then lands on whatever the *next* screen has in that place
("Nomor lain" becomes the keypad's "Tidak usah", "Ya, ambil nomor antrean" the
question's "Nomor lain"), an answer the citizen never saw. No one can see a new
screen and tap it within :data:`GUARD_MS`, so a press that soon after the tap that
changed the screen is dropped (with its release), on every screen alike.

Times are the input events' own timestamps (the moment the finger touched, not
when the kiosk got round to it), so a second tap queued while the screen was
being drawn is caught too.

The guard filters the window's ``QWindow`` (``ui.window_filters``), where every
press arrives before Qt hands it to the widget under the finger: it finds that
widget as Qt does (the child at the press, none while a popup is open), and a
release belongs to the widget its press went to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QMouseEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)

#: A press this soon (ms) after the release that changed the screen is not the
#: citizen's answer to the new screen. Below the double-click interval (400 ms).
GUARD_MS = 350

_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)


class TapGuard(QObject):
    """Drops a press on ``area`` within :data:`GUARD_MS` of the release that changed it.

    The window calls :meth:`screen_changed` whenever ``area`` shows another screen,
    and installs the guard on its ``QWindow`` (:class:`ui.window_filters.WindowFilters`).
    """

    def __init__(
        self, area: QWidget, parent: QObject, held: Callable[[], bool] = lambda: False
    ) -> None:
        super().__init__(parent)
        self._area = area
        #: Whether ``area`` holds back the screen its state asks for (the window shows
        #: the reading screen only after a while): a press meanwhile would answer the
        #: screen that state has left, so it is dropped too.
        self._held = held
        #: The timestamp (ms) of the last release, and of the one the screen changed after.
        self._last_release: int | None = None
        self._changed_after: int | None = None
        self._dropping = False
        #: Whether the press being held went to ``area`` (its release goes where it went).
        self._pressed_on_area = False

    def screen_changed(self) -> None:
        self._changed_after = self._last_release

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (*_PRESSES, QEvent.Type.MouseButtonRelease):
            return False
        if not isinstance(event, QMouseEvent):
            return False
        if kind in _PRESSES:
            self._pressed_on_area = self._on_area(watched, event)
        if not self._pressed_on_area:
            return False
        stamp = int(event.timestamp())
        if kind in _PRESSES:
            after = None if self._changed_after is None else stamp - self._changed_after
            if self._held():
                self._dropping = True
                log.info("tap ignored: the screen shown is about to change")
                return True
            self._dropping = after is not None and 0 <= after < GUARD_MS
            if self._dropping:
                log.info("tap ignored: %d ms after the screen changed", after)
            return self._dropping
        if self._dropping:  # the dropped press's release
            self._dropping = False
            return True
        self._last_release = stamp
        return False

    def _on_area(self, watched: QObject, event: QMouseEvent) -> bool:
        """Whether the press ``event`` on ``watched`` goes to ``area`` or a widget in it."""
        target: QWidget | None = None
        if isinstance(watched, QWindow):
            top = self._area.window()
            if top.windowHandle() is not watched or QApplication.activePopupWidget() is not None:
                return False  # another window's, or a popup's (Qt hands the press to it)
            target = top.childAt(event.position().toPoint()) or top
        elif isinstance(watched, QWidget):
            target = watched
        return target is not None and (target is self._area or self._area.isAncestorOf(target))
